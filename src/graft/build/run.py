"""One ``graft build`` run: what it is asked, what it gives, and the source prepared once.

:class:`BuildRequest` is what was asked, :class:`BuildEnvironment` what *make_env* gives for a
target's build requirements, :class:`BuildOutcome` what each interpreter got.
:func:`running` reads the source once (its key, build system, evidence, expected name and
version; an sdist unpacked) into the :class:`Run` every target's build shares, and removes
its work directory afterwards (or keeps it for a rerun). :mod:`graft.builds` reuses or
builds for each target.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from graft._fs import file_sha256
from graft._home import cache_root
from graft.build import evidence
from graft.build.cache import (
    BuildInputs,
    BuiltWheels,
    KnownSource,
    read_variables,
    settings_in_key,
)
from graft.build.project import Project, read_project
from graft.build.scm_version import git_reads, git_state, scm_versioned
from graft.build.sdist import is_sdist, read_pkg_info, sdist_name
from graft.build.sdist_unpack import unpack_sdist
from graft.build.source_key import editable_key, sdist_key, tree_key
from graft.build.version_files import version_files
from graft.errors import BuildError, UsageError
from graft.model.request import Reporter, SilentReporter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from graft.build.assessment import Assessment
    from graft.build.compare import Difference
    from graft.model.target import Target

ReuseMode = Literal["auto", "never", "verify"]
#: What ``graft build`` writes (decision 250): wheels of the source as given; an sdist of a
#: directory; both, each from the directory; or the sdist, then wheels built from it.
Artifacts = Literal["wheel", "sdist", "sdist-and-wheel", "wheel-from-sdist"]
WheelsFrom = Literal["tree", "sdist"] | None


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
    constraints: tuple[str, ...] = ()  # --build-constraint's lines (PEP 508, decision 458)
    constraint_wheres: tuple[str, ...] = ()  # FILE:LINE of each (said in errors: decision 476)
    reporter: Reporter = field(default_factory=SilentReporter)
    editable: bool = False  # PEP 660 build_editable of a project directory
    # compile the built wheel's store entry for the building interpreter as it is ingested
    # (graft sync installs it next: compiled in the build's thread, while other builds run)
    compile: bool = False
    # without isolation, the interpreter the hooks run in: the venv's own, whose packages a
    # build may need (pip and uv run them there); None: the target interpreter itself
    hook_python: str | None = None
    artifacts: Artifacts = "wheel"  # graft build's: the sdist first where asked


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
    # an editable build's: what it left in the project tree (decision 106)
    left_in_tree: tuple[str, ...] | None = None
    # an editable wheel that maps its modules by name: their names it was built with (288)
    mapped: tuple[tuple[str, str, str], ...] = ()
    # its RECORD disagrees with its files: the warning a sync installing it says (384)
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class SdistOutcome:
    """The sdist ``graft build`` built of a project directory, and where it wrote it."""

    interpreter: str  # the interpreter whose build environment ran build_sdist
    filename: str
    path: str  # in out_dir
    sha256: str
    warning: str | None = None  # its name is not PEP 625's spelling of its release


@dataclass(frozen=True, slots=True)
class Built:
    """What ``graft build`` wrote: the sdist (if asked) and the wheel of each interpreter."""

    sdist: SdistOutcome | None
    wheels: tuple[BuildOutcome, ...]
    #: what the wheels were built from: the directory's ``tree``, an ``sdist`` (the one just
    #: built, or the one given), or None where no wheel was asked for (``--sdist``)
    wheels_from: WheelsFrom


@dataclass
class Source:
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
    # an sdist's: the digest of what it unpacks to (decision 300); None: a tree, or not known
    contents: str | None = None
    # an editable's setup.py reads graft cannot follow, said by -v (decision 290)
    unwatched: tuple[str, ...] = ()


@dataclass(frozen=True)
class Run:
    """What every target's build shares."""

    request: BuildRequest
    source: Source
    inputs: BuildInputs
    cache: BuiltWheels
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment]


@contextlib.contextmanager
def running(
    request: BuildRequest,
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment],
    *,
    keep_failed: bool = True,
) -> Iterator[Run]:
    """The source prepared once; its work directory removed afterwards (or kept for a rerun).

    The work directory is named before it is made, and made inside the block that removes
    it: a signal anywhere from its mkdir on leaves nothing under ``builds/`` (decision 292;
    before, one between its ``mkdtemp`` and this ``try`` left it, with an unpacked sdist,
    for a week). A failed hook's unpacked sdist is kept for its rerun command unless
    *keep_failed* is false (a lock's metadata hook, whose failure the lock passes over for the
    environments it leaves out: decision 335); then it leaves nothing, and its error no rerun
    command.
    """
    cache = BuiltWheels(cache_root())
    path = _source_path(request)
    os.makedirs(cache.root, exist_ok=True)
    cache.sweep_work(time.time())
    work_root = os.path.join(cache.root, f"work-{os.urandom(6).hex()}")
    source = None
    try:
        os.mkdir(work_root, 0o700)
        source = _prepare(request, path, work_root, cache)
        inputs = BuildInputs(
            source.project.build_system.backend,
            source.project.build_system.requires,
            source.project.build_system.backend_path,
            settings_in_key(request.config_settings),
            read_variables(source.assessment.variables, dict(os.environ)),
            request.isolated,
        )
        yield Run(request, source, inputs, cache, make_env)
    except BuildError as exc:
        if exc.rerun is not None and source is not None and not source.is_tree:
            if keep_failed:  # its tree is kept for the rerun
                exc.hint = f"{exc.hint}; the unpacked sdist stays in {work_root} for a week"
                raise
            _without_rerun(exc)
        shutil.rmtree(work_root, ignore_errors=True)
        raise
    except BaseException:
        shutil.rmtree(work_root, ignore_errors=True)
        raise
    shutil.rmtree(work_root, ignore_errors=True)


def _without_rerun(exc: BuildError) -> None:
    """*exc* said without its rerun command, whose tree (``cd TREE && ...``) is removed."""
    from graft.build.hooks import OUTPUT_ONLY, OUTPUT_SHOWN  # noqa: PLC0415 - a failure only

    exc.rerun = None
    if exc.hint is not None and exc.hint.startswith(OUTPUT_SHOWN):
        exc.hint = OUTPUT_ONLY + exc.hint[len(OUTPUT_SHOWN) :]


def _source_path(request: BuildRequest) -> str:
    """The project directory or sdist *request* names, checked, as an absolute path."""
    path = os.path.abspath(request.source)
    if not os.path.isdir(path) and not (os.path.isfile(path) and is_sdist(path)):
        raise UsageError(
            "not a project directory or an sdist (.tar.gz, .zip)", where=request.source
        )
    if request.editable and not os.path.isdir(path):
        raise UsageError("an editable install needs a project directory", where=path)
    return path


def _prepare(request: BuildRequest, path: str, work_root: str, cache: BuiltWheels) -> Source:
    """The source read once: its key, build system, evidence, expected name and version."""
    if os.path.isdir(path):
        return _prepare_tree(request.source, path, work_root, editable=request.editable)
    return _prepare_sdist(request.source, path, work_root, cache)


def _prepare_tree(label: str, path: str, work_root: str, *, editable: bool = False) -> Source:
    project = read_project(path)
    facts = evidence.scan(project)
    assessment = evidence.assess(facts)
    name, version = project.static_name, project.static_version
    # a version from VCS: a commit or tag changes it, no file of the tree (decision 263)
    scm = git_state(git_reads(path)) if scm_versioned(path, project.pyproject) else b""
    if editable:  # a compiled source's edit is built again (pip and uv build every time)
        compiled = facts.compiled if assessment.may_differ else ()
        versions = version_files(path, project.pyproject)
        key = editable_key(path, compiled, versions, scm)
        unwatched = _unwatched(path)
    else:
        key, unwatched = tree_key(path, scm), ()
    source = Source(label, path, True, key, project, assessment, name, version, work_root)
    source.unwatched = unwatched
    return source


def _unwatched(root: str) -> tuple[str, ...]:
    """What an editable's ``setup.py`` reads that its key cannot follow (decision 290)."""
    from graft.build.setup_py_paths import computed_reads, parse  # noqa: PLC0415

    tree = parse(root)
    return () if tree is None else computed_reads(tree)


def _prepare_sdist(label: str, path: str, work_root: str, cache: BuiltWheels) -> Source:
    named = sdist_name(path)
    sha = file_sha256(path)
    key = sdist_key(sha)
    known = cache.known_source(key)
    if known is not None and (known.name, known.version) == (named.name, str(named.version)):
        # the same bytes under the same name were unpacked and checked before: unpacked
        # again only if a build is needed
        project = Project(path, known.system, {})
        name, version = known.name, known.version
        kept = (project, known.assessment, name, version, work_root)
        return Source(label, path, False, key, *kept, contents=known.contents)
    from graft.build.sdist_contents import ContentsDigest, keep_alike  # noqa: PLC0415

    gathered = ContentsDigest()
    tree = unpack_sdist(path, fresh(work_root, "src"), gathered)
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
    contents = gathered.hexdigest()
    facts = KnownSource(project.build_system, assessment, named.name, version, contents)
    cache.keep_source(key, facts)
    keep_alike(cache, contents, sha)
    read = (project, assessment, named.name, version, work_root, tree)
    return Source(label, path, False, key, *read, contents)


def fresh(work_root: str, name: str) -> str:
    """A new directory ``<name>-*`` in the run's work directory."""
    return tempfile.mkdtemp(prefix=f"{name}-", dir=work_root)


def build_tree(source: Source) -> str:
    """The source tree to build in: the directory, or the sdist unpacked (once more)."""
    if source.is_tree:
        return source.path
    if source.first_tree is not None:
        tree, source.first_tree = source.first_tree, None
        return tree
    return unpack_sdist(source.path, fresh(source.work_root, "src"))


def check_out_dir(out_dir: str) -> None:
    """An output directory must be one, or not be there yet: refused before anything is built."""
    if os.path.lexists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(
            "the output directory is not a directory", where=out_dir, hint="pass -o DIR"
        )


def deliver(path: str, out_dir: str) -> str:
    """Copy *path* into *out_dir* (made if need be) under its own name, atomically; the copy."""
    target = os.path.join(os.path.abspath(out_dir), os.path.basename(path))
    tmp = f"{target}.tmp.{os.getpid()}"
    try:
        os.makedirs(out_dir, exist_ok=True)
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise BuildError(
                f"cannot write {os.path.basename(path)} there ({exc.strerror or exc})",
                where=out_dir,
                hint="pass -o DIR for a directory you can write",
            ) from None
        raise
    return target
