"""``graft build``: wheels of a source for several interpreters, reused only where safe.

Each wheel is built once and reused across interpreters only where that is safe.

source -> source key -> evidence (may it build differently per interpreter?) -> for each
interpreter: a recorded build the reuse rule allows, or a PEP 517 build in an isolated build
environment -> the wheel checked against the source, kept in the cache, ingested into the
store, recorded. The build environment is a venv graft builds from its own store through
*make_env*, a callable the command line passes in (it runs ``graft sync``), so this module
never imports the sync pipeline.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from graft._fs import file_sha256
from graft._home import cache_root
from graft.build import compare, evidence, recorded
from graft.build.cache import (
    BuildInputs,
    BuiltRecord,
    BuiltWheels,
    KnownSource,
    editable_key,
    read_variables,
    sdist_key,
    tree_key,
)
from graft.build.checks import check_metadata, check_wheel
from graft.build.hooks import Backend, HookEnv, config_dict
from graft.build.project import Project, constrain, read_project
from graft.build.recorded import Earlier
from graft.build.reuse import Builder
from graft.build.sdist import is_sdist, read_pkg_info, sdist_name, unpack_sdist
from graft.errors import BuildError, UsageError
from graft.model.request import Reporter, SilentReporter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from graft.build.assessment import Assessment
    from graft.build.compare import Difference
    from graft.model.target import Target
    from graft.store.entries import StoreEntry

ReuseMode = Literal["auto", "never", "verify"]


@dataclass(frozen=True, slots=True)
class BuildEnvironment:
    """A venv holding a build's requirements: its interpreter, ``bin/``, what it holds."""

    python: str
    bin_dir: str
    distributions: tuple[str, ...]  # "name==version", sorted


@dataclass(frozen=True)
class BuildRequest:
    """What ``graft build`` was asked."""

    source: str  # a project directory or an sdist file
    pythons: tuple[str | None, ...] = (None,)  # None: the interpreter running graft
    out_dir: str | None = None
    reuse: ReuseMode = "auto"
    config_settings: tuple[tuple[str, str], ...] = ()
    isolated: bool = True
    store: str | None = None
    constraints: tuple[str, ...] = ()  # "name==version" pins for build requirements
    reporter: Reporter = field(default_factory=SilentReporter)
    editable: bool = False  # PEP 660 build_editable of a project directory
    # compile the built wheel's store entry for the building interpreter as it is ingested
    # (graft sync installs it next: compiled in the build's thread, while other builds run)
    compile: bool = False


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    """What happened for one interpreter: built or reused, why, and the wheel."""

    interpreter: str  # "cpython 3.12 (/usr/bin/python3.12)"
    action: Literal["built", "reused"]
    why: str
    filename: str
    path: str  # the wheel in the cache (or in out_dir when asked)
    sha256: str
    assessment: Assessment
    differences: tuple[Difference, ...] | None = None  # verify: against the reusable wheel


@dataclass
class _Source:
    """The source as prepared once: key, project, assessment, expected name and version."""

    label: str
    path: str
    is_tree: bool
    key: str
    project: Project
    assessment: Assessment
    name: str | None
    version: str | None
    work_root: str
    first_tree: str | None = None  # an sdist unpacked for the evidence, used by one build


def build(
    request: BuildRequest,
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment],
) -> tuple[BuildOutcome, ...]:
    """Build (or reuse) a wheel of ``request.source`` for each interpreter asked."""
    from graft._home import default_store_path  # noqa: PLC0415
    from graft.store.entries import Store  # noqa: PLC0415
    from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

    store = Store(request.store or default_store_path())
    targets = [introspect(find_interpreter(py)) for py in request.pythons]
    outcomes = []
    with _running(request, make_env) as run:
        for target in targets:
            outcome = _one(run, target)
            store.ingest(run.cache.wheel_path(outcome.sha256, outcome.filename), outcome.sha256)
            outcomes.append(_deliver(outcome, request.out_dir))
    return tuple(outcomes)


def build_for(
    request: BuildRequest,
    target: Target,
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment],
) -> BuildOutcome:
    """Build (or reuse) one wheel of ``request.source`` for *target* (``graft sync``'s step).

    The wheel is kept in the cache and ingested into the store, as by :func:`build`.
    """
    with _running(request, make_env) as run:
        return _one(run, target)


@contextlib.contextmanager
def _running(
    request: BuildRequest, make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment]
) -> Iterator[_Run]:
    """The source prepared once; its work directory removed afterwards (or kept for a rerun)."""
    cache = BuiltWheels(cache_root())
    source = _prepare(request, cache)
    inputs = BuildInputs(
        source.project.build_system.backend,
        source.project.build_system.requires,
        source.project.build_system.backend_path,
        tuple(sorted(request.config_settings)),
        read_variables(source.assessment.variables, dict(os.environ)),
        request.isolated,
    )
    try:
        yield _Run(request, source, inputs, cache, make_env)
    except BuildError as exc:
        if exc.rerun is not None and not source.is_tree:  # its tree is kept for the rerun
            exc.hint = f"{exc.hint}; the unpacked sdist stays in {source.work_root} for a week"
            raise
        shutil.rmtree(source.work_root, ignore_errors=True)
        raise
    except BaseException:
        shutil.rmtree(source.work_root, ignore_errors=True)
        raise
    shutil.rmtree(source.work_root, ignore_errors=True)


def _prepare(request: BuildRequest, cache: BuiltWheels) -> _Source:
    """The source read once: its key, build system, evidence, expected name and version."""
    path = os.path.abspath(request.source)
    if not os.path.isdir(path) and not (os.path.isfile(path) and is_sdist(path)):
        raise UsageError(
            "not a project directory or an sdist (.tar.gz, .zip)", where=request.source
        )
    if request.editable and not os.path.isdir(path):
        raise UsageError("an editable install needs a project directory", where=path)
    os.makedirs(cache.root, exist_ok=True)
    cache.sweep_work(time.time())
    work_root = tempfile.mkdtemp(prefix="work-", dir=cache.root)
    try:
        if os.path.isdir(path):
            return _prepare_tree(request.source, path, work_root, editable=request.editable)
        return _prepare_sdist(request.source, path, work_root, cache)
    except BaseException:
        shutil.rmtree(work_root, ignore_errors=True)
        raise


def _prepare_tree(label: str, path: str, work_root: str, *, editable: bool = False) -> _Source:
    project = read_project(path)
    assessment = evidence.assess(evidence.scan(project))
    name, version = project.static_name, project.static_version
    key = editable_key(path) if editable else tree_key(path)
    return _Source(label, path, True, key, project, assessment, name, version, work_root)


def _prepare_sdist(label: str, path: str, work_root: str, cache: BuiltWheels) -> _Source:
    named = sdist_name(path)
    key = sdist_key(file_sha256(path))
    known = cache.known_source(key)
    if known is not None and (known.name, known.version) == (named.name, str(named.version)):
        # the same bytes under the same name were unpacked and checked before: unpacked
        # again only if a build is needed
        project = Project(path, known.system, {})
        return _Source(
            label, path, False, key, project, known.assessment, known.name, known.version, work_root
        )
    tree = unpack_sdist(path, _fresh(work_root, "src"))
    project = read_project(tree)
    static = read_pkg_info(tree)
    if static is not None and (static.name, static.version) != (named.name, named.version):
        raise BuildError(
            f"PKG-INFO says {static.name} {static.version},"
            f" the filename {named.name} {named.version}",
            where=label,
        )
    assessment = evidence.assess(evidence.scan(project))
    version = str(named.version)
    cache.keep_source(key, KnownSource(project.build_system, assessment, named.name, version))
    return _Source(
        label, path, False, key, project, assessment, named.name, version, work_root, tree
    )


def _fresh(work_root: str, name: str) -> str:
    return tempfile.mkdtemp(prefix=f"{name}-", dir=work_root)


def _who(target: Target) -> str:
    return f"{Builder.of(target)} ({target.executable})"


@dataclass(frozen=True)
class _Run:
    """What every target's build shares."""

    request: BuildRequest
    source: _Source
    inputs: BuildInputs
    cache: BuiltWheels
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment]


def _earlier(run: _Run, target: Target) -> Earlier:
    return recorded.earlier(run.cache, run.source.key, run.inputs.key(), target)


def _one(run: _Run, target: Target) -> BuildOutcome:
    """Reuse or build for one target."""
    mode = run.request.reuse
    earlier = Earlier(None, None) if mode == "never" else _earlier(run, target)
    if earlier.reusable is not None and mode == "auto":
        record, verdict = earlier.reusable
        return BuildOutcome(
            _who(target),
            "reused",
            verdict.why,
            record.filename,
            run.cache.wheel_path(record.sha256, record.filename),
            record.sha256,
            record.assessment,
        )
    record = _build_for(run, target)
    wheel = run.cache.wheel_path(record.sha256, record.filename)
    outcome = BuildOutcome(
        _who(target), "built", "", record.filename, wheel, record.sha256, record.assessment
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


def _build_for(run: _Run, target: Target) -> BuiltRecord:
    """One PEP 517 build for *target*; the wheel kept in the cache and recorded."""
    request, source = run.request, run.source
    what = "building an editable wheel of" if request.editable else "building"
    request.reporter.stage(f"{what} {source.label} for {Builder.of(target)}")
    work = _fresh(source.work_root, "build")
    tree = _tree(source)
    out, scratch = os.path.join(work, "out"), os.path.join(work, "tmp")
    os.mkdir(out)
    os.mkdir(scratch)
    backend, distributions, built = _backend(run, target, tree, scratch, out=out)
    if built is None:
        built = backend.build(out, editable=request.editable)
    record = _keep_built(run, target, built, backend, distributions)
    shutil.rmtree(work, ignore_errors=True)
    return record


def _tree(source: _Source) -> str:
    """The source tree to build in: the directory, or the sdist unpacked (once more)."""
    if source.is_tree:
        return source.path
    if source.first_tree is not None:
        tree, source.first_tree = source.first_tree, None
        return tree
    return unpack_sdist(source.path, _fresh(source.work_root, "src"))


def _keep_built(
    run: _Run, target: Target, built: str, backend: Backend, distributions: tuple[str, ...]
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
    if not request.compile:
        return store.ingest(wheel, sha)
    from graft.store.bytecode import Compiler  # noqa: PLC0415

    with Compiler(store, target, workers=1) as compiler:
        return store.ingest(wheel, sha, compiler.compile_staged)


def prepare_metadata(
    request: BuildRequest,
    target: Target,
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment],
) -> tuple[bytes, str]:
    """The METADATA a wheel of ``request.source`` would have for *target*, without building.

    A recorded build the reuse rule allows answers first (its METADATA is what would be
    installed); then metadata kept from an earlier ``prepare_metadata_for_build_wheel`` of
    the same source and build inputs (and, for a source that may build differently, the same
    interpreter); else the hook runs now, in the build environment, and its answer is kept.
    A backend without the hook builds the wheel instead (pyproject-hooks' fallback): that
    wheel is recorded as any build, so installing this version will not build again.
    Returns the METADATA and a note for ``-v``.
    """
    with _running(request, make_env) as run:
        earlier = _earlier(run, target)
        who = _who(target)
        if earlier.reusable is not None and request.reuse == "auto":
            record, verdict = earlier.reusable
            from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

            data = read_local_metadata(run.cache.wheel_path(record.sha256, record.filename))[1]
            return data, f"reused {record.filename} for {who}: {verdict.why}"
        builder = str(Builder.of(target)) if run.source.assessment.may_differ else "any"
        # (as recorded.prepared_key_builder, which reads the kept source's assessment)
        key = (run.source.key, run.inputs.key(), builder)
        kept = run.cache.kept_metadata(*key)
        if kept is not None:
            return kept, f"metadata of {run.source.label} for {who}: kept from an earlier hook"
        return _prepare_metadata(run, target, key)


def _prepare_metadata(run: _Run, target: Target, key: tuple[str, str, str]) -> tuple[bytes, str]:
    """``prepare_metadata_for_build_wheel`` in the build environment; its METADATA kept."""
    source = run.source
    run.request.reporter.stage(f"preparing metadata of {source.label} for {Builder.of(target)}")
    work = _fresh(source.work_root, "meta")
    tree = _tree(source)
    out, scratch = os.path.join(work, "out"), os.path.join(work, "tmp")
    os.mkdir(out)
    os.mkdir(scratch)
    backend, distributions, _ = _backend(run, target, tree, scratch)
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
        run.cache.keep_metadata(*key, data)
        note = f"metadata of {source.label} for {_who(target)}: prepare_metadata_for_build_wheel"
    shutil.rmtree(work, ignore_errors=True)
    return data, note


#: get_requires_for_build_wheel's answers in this process, by source, inputs, interpreter.
_MORE_REQUIRES: dict[tuple[str, str, str, bool], tuple[str, ...]] = {}


def _backend(
    run: _Run, target: Target, tree: str, scratch: str, *, out: str | None = None
) -> tuple[Backend, tuple[str, ...], str | None]:
    """The backend in its build environment (made, then grown by get_requires_for_build_wheel).

    With *out* (a wheel build), the build is attempted in the same backend process as
    ``get_requires_for_build_wheel`` (:meth:`Backend.requires_then_build`); its wheel is
    returned unless the hook named requirements the environment lacked (then it is thrown
    away and the caller builds in the grown environment). Otherwise the third value is None.
    """
    request, source = run.request, run.source
    system = source.project.build_system
    settings = config_dict(request.config_settings)
    if not request.isolated:
        env = HookEnv(target.executable, (), scratch, isolated=False)
        return Backend(tree, system, env, source.label, settings), (), None
    requires = constrain(system.requires, request.constraints)
    made = run.make_env(target, requires, _env_dir(run.cache, target, requires))
    backend = Backend(tree, system, _hook_env(made, scratch), source.label, settings)
    asked = (source.key, run.inputs.key(), target.executable, request.editable)
    answer = _MORE_REQUIRES.get(asked)
    built = None
    if answer is None and out is not None and not request.editable:
        said, built = backend.requires_then_build(out)
        answer = _MORE_REQUIRES[asked] = tuple(said)
    elif answer is None:  # the hook's answer is the same for the metadata step and the build
        answer = _MORE_REQUIRES[asked] = tuple(backend.requires(request.editable))
    more = constrain(answer, request.constraints)
    extra = tuple(r for r in more if r not in requires and _applies(r, target))
    if extra:
        if built is not None:  # built without them: thrown away
            os.unlink(built)
            built = None
        everything = requires + extra
        made = run.make_env(target, everything, _env_dir(run.cache, target, everything))
        backend = Backend(tree, system, _hook_env(made, scratch), source.label, settings)
        backend.log.extend(["(get_requires_for_build_wheel: ", ", ".join(extra), ")\n"])
    # (built None, nothing extra: the build after a hook that named requirements failed; the
    # caller builds again through pyproject-hooks, which reports the failure in its words)
    return backend, made.distributions, built


def _applies(requirement: str, target: Target) -> bool:
    """Whether a requirement's marker holds for *target* (flit_core answers with extras')."""
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        marker = Requirement(requirement).marker
    except InvalidRequirement:
        return True  # the environment's sync names it
    return marker is None or marker.evaluate({**target.markers, "extra": ""})


def _hook_env(env: BuildEnvironment, scratch: str) -> HookEnv:
    return HookEnv(env.python, (env.bin_dir,), scratch)


def _env_dir(cache: BuiltWheels, target: Target, requires: tuple[str, ...]) -> str:
    """The build environment's venv: one per interpreter and set of requirements."""
    text = "\0".join([target.real_executable, target.version, *sorted(requires)])
    digest = hashlib.sha256(text.encode()).hexdigest()[:24]
    parent = os.path.join(cache.cache_dir, "build-envs")
    os.makedirs(parent, exist_ok=True)
    return os.path.join(parent, digest)


def _deliver(outcome: BuildOutcome, out_dir: str | None) -> BuildOutcome:
    """Copy the wheel into *out_dir*, if one was asked; the outcome naming that copy."""
    if out_dir is None:
        return outcome
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(os.path.abspath(out_dir), outcome.filename)
    tmp = f"{target}.tmp.{os.getpid()}"
    shutil.copyfile(outcome.path, tmp)
    os.replace(tmp, target)
    return replace(outcome, path=target)
