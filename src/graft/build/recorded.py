"""A recorded build found without building: the warm path of a source in ``graft sync``.

A warm sync of a set with sdists must cost what the same set of wheels costs. Everything a
recorded build is looked up by is kept in the built-wheel cache (:mod:`graft.build.cache`):
an sdist's build system and assessment by its sha256 (:class:`~graft.build.cache.
KnownSource`), the records by source and build-input key. So this module answers "which
recorded wheel may serve this target?" from those files alone: it never unpacks the sdist,
never imports the evidence scan, the PEP 517 hooks or :mod:`graft.builds`, and makes no
work directory. Anything it cannot answer (a source never seen, ``--reuse-builds never`` or
``verify``, an editable, a directory) goes to :mod:`graft.builds`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.build.cache import (
    BuildInputs,
    BuiltRecord,
    BuiltWheels,
    read_variables,
    settings_in_key,
)
from graft.build.reuse import Builder, Verdict, may_serve
from graft.build.source_key import sdist_key

if TYPE_CHECKING:
    from collections.abc import Mapping

    from graft.build.assessment import Assessment
    from graft.build.cache import KnownSource
    from graft.model.target import Target


@dataclass(frozen=True, slots=True)
class Earlier:
    """The recorded builds as the reuse rule sees them for one target."""

    reusable: tuple[BuiltRecord, Verdict] | None  # the rule allows it
    refused: tuple[BuiltRecord, Verdict] | None  # its tags fit, the rule refuses it


@dataclass(frozen=True, slots=True)
class Recorded:
    """A recorded wheel the reuse rule lets serve the target."""

    record: BuiltRecord
    verdict: Verdict
    path: str  # the wheel in the cache
    assessment: Assessment  # the source's reuse decision, by the current rules


def earlier(
    cache: BuiltWheels,
    source_key: str,
    input_key: str,
    target: Target,
    tree: str | None = None,
    *,
    assessment: Assessment,
    constraints: tuple[str, ...] = (),
) -> Earlier:
    """The recorded builds of this source with these inputs, judged for *target*.

    The same interpreter's records come first; a record whose wheel's Requires-Python
    excludes the target is never a candidate. The rule weighs the source's *assessment* by
    the current evidence rules, not the one a record kept (older rules may have called pure
    what they now do not; decision 258). *tree*: the project directory of an editable
    build, whose records the rule allows only while what their build left there is there
    (:func:`left_in_place`). *constraints* (``--build-constraint``'s lines): a record whose
    build environment held a version one excludes (its marker holding for *target*) is
    refused (decisions 140, 459), as a build now would not use it.
    """
    here = Builder.of(target)
    records = cache.lookup(source_key, input_key)
    records.sort(key=lambda r: r.built_by != here)
    reusable = refused = None
    for record in records:
        if not python_allowed(record.requires_python, target):
            continue
        verdict = may_serve(record.filename, assessment.may_differ, record.built_by, target)
        if verdict.reuse and tree is not None:
            verdict = left_in_place(record, tree) or verdict
        if verdict.reuse and constraints:
            verdict = against(record.build_env, constraints, target.markers) or verdict
        if verdict.reuse:
            reusable = (record, verdict)
            break
        if refused is None and verdict.fits:
            refused = (record, verdict)
    return Earlier(reusable, refused)


def left_in_place(record: BuiltRecord, tree: str) -> Verdict | None:
    """A refusal if what the editable build of *record* left in *tree* is gone, else None.

    Every editable build is checked, a pure project's too: setuptools' strict mode leaves its
    link tree under ``build/`` (decision 106). A record without the list (kept before graft
    made it) is refused: it cannot be checked. So is one of a wheel that maps its modules by
    name whose tree's module names changed since its build (decisions 270, 288).
    """
    if record.left_in_tree is None:
        return Verdict(False, "its build's files in the project tree were not recorded")
    from graft.build.intree import first_missing  # noqa: PLC0415

    gone = first_missing(tree, record.left_in_tree)
    if gone is not None:
        return Verdict(False, f"{gone}, which its build left in the project tree, is gone")
    if record.mapped:
        from graft.build.editable_wheel import changed  # noqa: PLC0415

        moved = changed(record.mapped, tree)
        if moved is not None:
            kind, rel = moved
            where = "the tree's" if rel == "." else f"those under {rel}"
            return Verdict(False, f"its wheel maps the tree's {kind} by name, and {where} changed")
    return None


def against(
    build_env: tuple[str, ...],
    constraints: tuple[str, ...],
    markers: dict[str, str] | None = None,
) -> Verdict | None:
    """A refusal if a build environment held a version a build constraint excludes.

    The environment of a built wheel's record, or of METADATA kept from the hook (decision
    140); a constraint whose marker does not hold for *markers* (the build's interpreter)
    says nothing of it (decision 459).
    """
    from graft.build.project import against_constraints  # noqa: PLC0415

    other = against_constraints(build_env, constraints, markers)
    if other is None:
        return None
    return Verdict(False, f"its build environment held {other}")


def prepared_for(
    cache: BuiltWheels,
    key: tuple[str, str, str],
    constraints: tuple[str, ...],
    markers: dict[str, str] | None = None,
) -> tuple[bytes | None, str | None]:
    """METADATA kept from the hook for *key* (source, inputs, builder) the constraints allow.

    The oldest kept one whose build environment every build constraint allows (those whose
    marker holds for *markers*), as :func:`earlier` takes a record (decisions 167, 459);
    else None and why the first was refused (None too when nothing is kept).
    """
    refused = None
    for kept in cache.prepared(*key):
        verdict = against(kept.build_env, constraints, markers)
        if verdict is None:
            return kept.metadata, None
        refused = refused or verdict.why
    return None, refused


def lookup_reads(cache: BuiltWheels, sha256: str) -> list[tuple[str, str]] | None:
    """What finding a recorded build of the sdist with this sha256 reads: ``(kind, path)``.

    For :mod:`graft.resolve.fingerprints`: every directory's names and every file's bytes and
    identity under its source key (the source's facts, each input key's records, in the
    order their times give, and metadata kept from the hook), the bytes of the wheel each
    record names (a record counts only while its wheel is intact), and the environment
    variables the source is known to read (they pick the input key). While none of them
    changes, :func:`reusable_sdist_build` and :func:`kept_prepared_metadata` answer as
    before for the same target and options. None when the source is not known here.
    """
    source_key = sdist_key(sha256)
    known = cache.known_source(source_key)
    if known is None:
        return None
    top = cache.source_dir(source_key)
    reads: list[tuple[str, str]] = []
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        reads.append(("listing", folder))
        for name in sorted(files):
            path = os.path.join(folder, name)
            reads += [("content", path), ("stat", path)]
            if folder != top and name.endswith(".json"):
                try:
                    with open(path, encoding="utf-8") as fh:
                        record = BuiltRecord.from_json(fh.read())
                except (OSError, ValueError, KeyError, TypeError):
                    continue
                reads.append(("content", cache.wheel_path(record.sha256, record.filename)))
    reads += [("env", name) for name in sorted(set(known.assessment.variables))]
    return reads


def python_allowed(requires_python: str | None, target: Target) -> bool:
    """Whether a wheel's Requires-Python admits *target* (no reuse across that line)."""
    if not requires_python:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    try:
        return SpecifierSet(requires_python).contains(target.version, prereleases=True)
    except InvalidSpecifier:
        return False


def inputs_of(
    known: KnownSource,
    config_settings: tuple[tuple[str, str], ...],
    environ: Mapping[str, str],
    *,
    isolated: bool,
) -> BuildInputs:
    """The build inputs of a source whose build system and assessment are *known*."""
    system = known.system
    return BuildInputs(
        system.backend,
        system.requires,
        system.backend_path,
        settings_in_key(config_settings),
        read_variables(known.assessment.variables, dict(environ)),
        isolated,
    )


def known_sdist(cache: BuiltWheels, path: str, sha256: str) -> KnownSource | None:
    """What the sdist at *path* said when first unpacked, if kept under the same name."""
    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        parse_sdist_filename,
    )
    from packaging.version import InvalidVersion  # noqa: PLC0415

    known = cache.known_source(sdist_key(sha256))
    if known is None:
        return None
    try:
        name, version = parse_sdist_filename(os.path.basename(path))
    except (InvalidSdistFilename, InvalidVersion):
        return None
    return known if (known.name, known.version) == (name, str(version)) else None


def known_inputs(
    cache: BuiltWheels,
    path: str,
    sha256: str,
    config_settings: tuple[tuple[str, str], ...],
    *,
    isolated: bool,
) -> tuple[KnownSource, BuildInputs] | None:
    """The kept facts of the sdist at *path* and its build inputs here; None if not kept."""
    known = known_sdist(cache, path, sha256)
    if known is None:
        return None
    return known, inputs_of(known, config_settings, os.environ, isolated=isolated)


def reusable_sdist_build(
    cache: BuiltWheels,
    path: str,
    sha256: str,
    target: Target,
    config_settings: tuple[tuple[str, str], ...],
    *,
    isolated: bool,
    constraints: tuple[str, ...] = (),
) -> Recorded | None:
    """A recorded wheel of the sdist at *path* (with this sha256) that may serve *target*."""
    kept = known_inputs(cache, path, sha256, config_settings, isolated=isolated)
    if kept is None:
        return None
    known, inputs = kept
    key = inputs.key()
    source_key = sdist_key(sha256)
    found = earlier(
        cache, source_key, key, target, assessment=known.assessment, constraints=constraints
    )
    if found.reusable is None:
        return None
    record, verdict = found.reusable
    path = cache.wheel_path(record.sha256, record.filename)
    return Recorded(record, verdict, path, known.assessment)


def prepared_key_builder(known: KnownSource, target: Target) -> str:
    """Whose prepared metadata serves *target*: its interpreter's if the source may differ."""
    return str(Builder.of(target)) if known.assessment.may_differ else "any"


def kept_prepared_metadata(
    cache: BuiltWheels,
    path: str,
    sha256: str,
    target: Target,
    config_settings: tuple[tuple[str, str], ...],
    *,
    isolated: bool,
    constraints: tuple[str, ...] = (),
) -> bytes | None:
    """METADATA kept from ``prepare_metadata_for_build_wheel`` of this sdist, for *target*.

    Only one whose build environment the build *constraints* allow (:func:`prepared_for`).
    """
    kept = known_inputs(cache, path, sha256, config_settings, isolated=isolated)
    if kept is None:
        return None
    known, inputs = kept
    key = (sdist_key(sha256), inputs.key(), prepared_key_builder(known, target))
    return prepared_for(cache, key, constraints, target.markers)[0]
