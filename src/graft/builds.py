"""A wheel of a source for one interpreter, reused only where safe; its metadata likewise.

Each wheel is built once and reused across interpreters only where that is safe. ``graft
sync`` builds through :func:`build_for` and :func:`prepare_metadata`; ``graft build``'s whole
request (the sdist first, a wheel per interpreter, the output directory) is
:mod:`graft.sdist_then_wheels`, which takes each wheel from :func:`one`.

source -> source key -> evidence (may it build differently per interpreter?) -> for each
interpreter: a recorded build the reuse rule allows, or a PEP 517 build in an isolated build
environment -> the wheel checked against the source, kept in the cache, ingested into the
store, recorded. The build environment is a venv graft builds from its own store through
*make_env*, a callable the command line passes in (it runs ``graft sync``), so this module
never imports the sync pipeline. The request, the outcome and the source prepared once live
in :mod:`graft.build.run`, the backend in its build environment in
:mod:`graft.build.environment`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from typing import TYPE_CHECKING

from graft._fs import file_sha256
from graft.build import compare, editable_wheel, intree, recorded
from graft.build.cache import BuiltRecord
from graft.build.checks import check_metadata, check_wheel
from graft.build.environment import backend_for, constrained
from graft.build.recorded import Earlier
from graft.build.reuse import Builder
from graft.build.run import (
    BuildOutcome,
    build_tree,
    fresh,
    running,
)
from graft.errors import BuildError

if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.build.hooks import Backend
    from graft.build.run import BuildEnvironment, BuildRequest, Run
    from graft.model.target import Target
    from graft.store.entries import StoreEntry


def build_for(
    request: BuildRequest,
    target: Target,
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment],
    *,
    keep_failed: bool = True,
) -> BuildOutcome:
    """Build (or reuse) one wheel of ``request.source`` for *target* (``graft sync``'s step).

    The wheel is kept in the cache and ingested into the store, as by
    :func:`graft.sdist_then_wheels.build`. A failed hook keeps its unpacked sdist for a
    rerun by hand unless *keep_failed* is false (a wheel for one of a lock's build
    environments: decision 335).
    """
    with running(request, make_env, keep_failed=keep_failed) as run:
        return one(run, target)


def _who(target: Target) -> str:
    return f"{Builder.of(target)} ({target.executable})"


def _earlier(run: Run, target: Target) -> Earlier:
    tree = run.source.path if run.request.editable else None  # what its build left, checked
    key = run.inputs.key()
    constraints = run.request.constraints
    assessment = run.source.assessment
    found = recorded.earlier(
        run.cache, run.source.key, key, target, tree, assessment=assessment, constraints=constraints
    )
    contents = run.source.contents
    if found.reusable is not None or contents is None:
        return found
    # another sdist that unpacks to the same files (setuptools' of the same tree: decision 300)
    from graft.build.sdist_contents import earlier_alike  # noqa: PLC0415

    alike = earlier_alike(
        run.cache,
        contents,
        run.source.key,
        key,
        target,
        assessment=assessment,
        constraints=constraints,
    )
    return Earlier(alike.reusable, found.refused or alike.refused)


def _adopted(run: Run, record: BuiltRecord, why: str) -> str:
    """A reusable record of another sdist of the same files, kept under this sdist's key too.

    So the next sync or build of this sdist finds it by its own sha256 (decision 300).
    """
    if record.source_key == run.source.key:
        return why
    run.cache.keep_record(replace(record, source_key=run.source.key))
    return f"{why}; built from another sdist of the same files"


def one(run: Run, target: Target) -> BuildOutcome:
    """Reuse or build for one target; what an editable's key cannot follow is said too."""
    outcome = _reuse_or_build(run, target)
    if not run.source.unwatched:
        return outcome
    reads = "; ".join(run.source.unwatched)
    said = f"setup.py reads what graft cannot follow, not watched ({reads}): --reuse-builds never"
    return replace(outcome, why=f"{outcome.why}; {said} builds it again")


def _reuse_or_build(run: Run, target: Target) -> BuildOutcome:
    """Reuse or build for one target."""
    mode = run.request.reuse
    earlier = Earlier(None, None) if mode == "never" else _earlier(run, target)
    if earlier.reusable is not None and mode == "auto":
        record, verdict = earlier.reusable
        return BuildOutcome(
            _who(target),
            "reused",
            _adopted(run, record, verdict.why),
            record.filename,
            run.cache.wheel_path(record.sha256, record.filename),
            record.sha256,
            run.source.assessment,
            left_in_tree=record.left_in_tree,
            mapped=record.mapped,
        )
    record = _build_for(run, target)
    wheel = run.cache.wheel_path(record.sha256, record.filename)
    outcome = BuildOutcome(
        _who(target),
        "built",
        "",
        record.filename,
        wheel,
        record.sha256,
        record.assessment,
        left_in_tree=record.left_in_tree,
        mapped=record.mapped,
    )
    if mode == "verify":  # the Gentoo QA: compare with the wheel reuse would give
        compared = earlier.reusable or earlier.refused
        if compared is None:
            return replace(outcome, why="verify: no earlier build whose tags fit", differences=())
        old, verdict = compared
        diffs = compare.compare_wheels(run.cache.wheel_path(old.sha256, old.filename), wheel)
        rule = "the rule reuses it" if compared is earlier.reusable else "the rule refuses it"
        why = f"verify: rebuilt to compare with {old.filename} ({rule}: {verdict.why})"
        return replace(outcome, why=why, differences=diffs)
    if mode == "never":
        why = "reuse is off (--reuse-builds never)"
    elif earlier.refused is not None:
        why = f"not reused: {earlier.refused[1].why}"
    else:
        why = "no earlier build of this source with these inputs fits"
    return replace(outcome, why=why)


def _build_for(run: Run, target: Target) -> BuiltRecord:
    """One PEP 517 build for *target*; the wheel kept in the cache and recorded."""
    request, source = run.request, run.source
    what = "building an editable wheel of" if request.editable else "building"
    request.reporter.stage(f"{what} {source.label} for {Builder.of(target)}")
    work = fresh(source.work_root, "build")
    tree = _unpacked(run, target)
    out, scratch = os.path.join(work, "out"), os.path.join(work, "tmp")
    os.mkdir(out)
    os.mkdir(scratch)
    # an editable build: what it leaves in the tree is recorded (decision 106)
    before = intree.snapshot(tree) if request.editable else None
    backend, distributions, built = backend_for(run, target, tree, scratch, out=out)
    if built is None:
        built = backend.build(out, editable=request.editable)
    left = None if before is None else intree.left_by_build(before, intree.snapshot(tree))
    # the names a wheel that maps modules by name was built with (decision 288)
    mapped = editable_wheel.mapped(built, tree) if request.editable else ()
    record = _keep_built(
        run, target, built, backend, distributions, left_in_tree=left, mapped=mapped
    )
    shutil.rmtree(work, ignore_errors=True)
    return record


def _keep_built(
    run: Run,
    target: Target,
    built: str,
    backend: Backend,
    distributions: tuple[str, ...],
    *,
    left_in_tree: tuple[str, ...] | None = None,
    mapped: tuple[tuple[str, str, str], ...] = (),
) -> BuiltRecord:
    """A wheel the backend built, checked, kept in the cache, ingested and recorded."""
    source, cache = run.source, run.cache
    check_wheel(os.path.basename(built), source.label, source.name, source.version, backend.log)
    sha = file_sha256(built)
    kept = cache.keep_wheel(built, sha)
    try:
        entry = _ingest(run.request, target, kept, sha)
    except BaseException:
        cache.forget_wheel(sha, os.path.basename(built))
        raise
    record = BuiltRecord(
        source.key,
        run.inputs.key(),
        os.path.basename(built),
        sha,
        Builder.of(target),
        source.assessment,
        run.inputs,
        distributions,
        entry.record.requires_python,
        left_in_tree,
        mapped,
    )
    cache.keep_record(record)
    return record


def _ingest(request: BuildRequest, target: Target, wheel: str, sha: str) -> StoreEntry:
    """The built wheel's store entry, compiled for *target* before it is sealed if asked.

    One compile worker: a built wheel is small, and other builds run meanwhile. A compile
    that fails leaves the entry as ingest made it; the sync compiles it again and reports.
    """
    from graft._home import default_store_path  # noqa: PLC0415
    from graft.store.entries import Store  # noqa: PLC0415

    store = Store(request.store or default_store_path())
    try:
        if not request.compile:
            return store.ingest(wheel, sha)
        from graft.store.bytecode import Compiler  # noqa: PLC0415

        with Compiler(store, target, workers=1) as compiler:
            return store.ingest(wheel, sha, compiler.compile_staged)
    except BaseException:
        store.release()  # (not kept pinned by the traceback: a store made for it is taken back)
        raise


def prepare_metadata(
    request: BuildRequest,
    target: Target,
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment],
    *,
    keep_failed: bool = True,
) -> tuple[bytes, str]:
    """The METADATA a wheel of ``request.source`` would have for *target*, without building.

    A recorded build the reuse rule allows answers first (its METADATA is what would be
    installed); then metadata kept from an earlier ``prepare_metadata_for_build_wheel`` of
    the same source and build inputs (and, for a source that may build differently, the same
    interpreter) in a build environment the build constraints allow (decision 167), unless
    reuse is off (``--reuse-builds never``, decision 208); else the hook runs now, in the
    build environment, and its answer is kept with that environment.
    A backend without the hook builds the wheel instead (pyproject-hooks' fallback): that
    wheel is recorded as any build, so installing this version will not build again.
    A failed hook keeps its unpacked sdist for a rerun by hand unless *keep_failed* is false
    (a lock's: decision 335). Returns the METADATA and a note for ``-v``.
    """
    with running(request, make_env, keep_failed=keep_failed) as run:
        earlier = _earlier(run, target)
        who = _who(target)
        if earlier.reusable is not None and request.reuse == "auto":
            record, verdict = earlier.reusable
            from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

            data = read_local_metadata(run.cache.wheel_path(record.sha256, record.filename))[1]
            why = _adopted(run, record, verdict.why)
            return data, f"reused {record.filename} for {who}: {why}"
        builder = str(Builder.of(target)) if run.source.assessment.may_differ else "any"
        # (as recorded.prepared_key_builder, which reads the kept source's assessment)
        key = (run.source.key, run.inputs.key(), builder)
        kept: bytes | None = None
        refused: str | None = None
        if request.reuse != "never":  # (never: the hook runs again, as a build does)
            kept, refused = recorded.prepared_for(
                run.cache, key, request.constraints, target.markers
            )
        if kept is not None:
            return kept, f"metadata of {run.source.label} for {who}: kept from an earlier hook"
        data, note = _prepare_metadata(run, target, key)
        if refused is not None:  # (said under -v, as a build says why it did not reuse)
            note += f"; not reused: the metadata kept from an earlier hook: {refused}"
        return data, note


def _prepare_metadata(run: Run, target: Target, key: tuple[str, str, str]) -> tuple[bytes, str]:
    """``prepare_metadata_for_build_wheel`` in the build environment; its METADATA kept."""
    source = run.source
    run.request.reporter.stage(f"preparing metadata of {source.label} for {Builder.of(target)}")
    work = fresh(source.work_root, "meta")
    tree = _unpacked(run, target)
    out, scratch = os.path.join(work, "out"), os.path.join(work, "tmp")
    os.mkdir(out)
    os.mkdir(scratch)
    backend, distributions, _ = backend_for(run, target, tree, scratch)
    dist_info = backend.prepare_metadata(out)
    try:
        with open(os.path.join(dist_info, "METADATA"), "rb") as fh:
            data = fh.read()
    except OSError:
        raise BuildError(
            f"prepare_metadata_for_build_wheel named {os.path.basename(dist_info)!r},"
            " which holds no METADATA",
            where=source.label,
            log="".join(backend.log),
        ) from None
    check_metadata(data, source.label, source.name, source.version, backend.log)
    fallback = os.path.join(out, "PYPROJECT_HOOKS_ALREADY_BUILT_WHEEL")
    wheels = [n for n in os.listdir(out) if n.endswith(".whl")]
    if os.path.exists(fallback) and len(wheels) == 1:  # the backend has no such hook: it built
        record = _keep_built(run, target, os.path.join(out, wheels[0]), backend, distributions)
        note = f"built {record.filename} for {_who(target)}: no prepare_metadata_for_build_wheel"
    else:
        from graft.build.prepared import Prepared  # noqa: PLC0415 - (a hook that ran)

        run.cache.keep_prepared(*key, Prepared(data, distributions))
        note = f"metadata of {source.label} for {_who(target)}: prepare_metadata_for_build_wheel"
    shutil.rmtree(work, ignore_errors=True)
    return data, note


def _unpacked(run: Run, target: Target) -> str:
    """The tree to build in, once its build requirements are known to be readable.

    An isolated build's requirements are pinned by the build constraints in
    :func:`graft.build.environment.backend_for`; one that is no PEP 508 requirement (PyQt5
    5.14.0's ``sip >=5.0.1 <6``), or that a constraint excludes, is said before the sdist is
    unpacked, from the facts kept of it (decision 254: 2.4 s of each lock unpacked it).
    """
    if run.request.isolated:
        constrained(run, run.source.project.build_system.requires, target.markers)
    return build_tree(run.source)
