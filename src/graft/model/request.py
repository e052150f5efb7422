"""What ``graft sync`` is asked, and where its progress goes: request value types.

The library never prints: a :class:`Reporter` (the CLI's) receives progress.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from graft.model.built import BuiltWheel
    from graft.model.foreign import ForeignTarget
    from graft.model.target import Target

LinkMode = Literal["symlink", "hardlink", "copy"]
CollisionPolicy = Literal["error", "warn", "ignore"]


class Reporter(Protocol):
    """Where progress goes. The library never prints; the CLI implements this."""

    def downloads(self, items: int) -> object:
        """A progress object for *items* downloads (``advance(nbytes)``, ``close()``), or None."""

    def waiting_for_venv(self, prefix: str) -> None:
        """Another sync holds the lock of the venv at *prefix*; this one waits."""

    def stage(self, message: str) -> None:
        """A stage of the sync begins; *message* names it."""


class SilentReporter:
    """A reporter that drops everything (the library's default)."""

    def downloads(self, items: int) -> object:
        """No progress bar."""
        del items
        return None

    def waiting_for_venv(self, prefix: str) -> None:
        """Nothing said."""
        del prefix

    def stage(self, message: str) -> None:
        """Nothing said."""
        del message


class SourceBuilder(Protocol):
    """Builds sources into wheels for ``graft sync`` (the CLI passes :mod:`graft.builds` in).

    The resolution stage calls it for project directories, sdist files and the sdists it
    picks from an index; it never imports the build orchestration itself.
    """

    def wheel(self, source: str, target: Target, *, editable: bool = False) -> BuiltWheel:
        """A wheel of *source* (a project directory or an sdist file) for *target*."""
        ...

    def metadata(self, source: str, target: Target) -> tuple[bytes, str]:
        """The METADATA a wheel of the sdist *source* would have for *target*, and a note.

        A recorded build's, or ``prepare_metadata_for_build_wheel``'s: resolution reads it
        for a version it may not choose, so it builds no wheel where the backend can say.
        """
        ...

    def known_metadata(self, source: str, target: Target) -> tuple[bytes, str] | None:
        """:meth:`metadata` when a recorded build or kept metadata answers; never runs a hook."""
        ...

    def recorded(self, source: str, target: Target) -> BuiltWheel | None:
        """What :meth:`wheel` would give for the sdist *source* without building.

        A recorded build the reuse rule lets serve *target*; None where it would build.
        """
        ...

    def options(self) -> tuple[str, ...]:
        """What every answer depends on besides a source and a target, as text.

        The build options (config settings, build constraints, isolation, reuse): a
        resolution memo is kept per value of them (decision 139).
        """
        ...

    def reads(self) -> tuple[tuple[str, str], ...]:
        """The files :meth:`options` were read from, as a memo watches them: ``(kind, path)``.

        The ``--build-constraint`` files' bytes: the stamps that rest on a memo confirm its
        fingerprints, not its key (decision 166); the ``${NAME}``s they expanded (476).
        """
        ...

    def read_digests(self) -> tuple[tuple[str, str], ...]:
        """The sha256 of the bytes each file of :meth:`reads` was read with: ``(path, hex)``.

        Hashed where read (decision 464's read digests): the memo and the stamps name those
        bytes, not a second read's (decision 476).
        """
        ...


@dataclass(frozen=True)
class ResolveRequest:
    """What resolution reads: the inputs, the target, the sources and the user's policy.

    Built by ``graft sync`` from its request
    (:meth:`graft.model.sync_request.SyncRequest.resolving`) and by
    ``graft lock``; the resolution stage sees nothing else.
    """

    specs: tuple[str, ...] = ()
    requirement_files: tuple[str, ...] = ()
    script_files: tuple[str, ...] = ()  # --requirements-from-script (pip's; decision 432)
    constraint_files: tuple[str, ...] = ()
    python: str | None = None
    foreign: ForeignTarget | None = None  # plan for a target not on this machine
    no_deps: bool = False
    # --only-deps of a requirement that is not a project directory: the projects the command
    # line names are resolved, then left out of what is installed, as pip 26.3's (decision 445)
    only_deps: bool = False
    # --no-sources (or UV_NO_SOURCES): a project's [tool.uv.sources] left unread (decision 369)
    no_sources: bool = False
    # --no-sources-package (or UV_NO_SOURCES_PACKAGE): the projects whose entries are left
    # unread, normalized and sorted (decision 403)
    no_sources_packages: tuple[str, ...] = ()
    require_hashes: bool = False  # --require-hashes: every distribution needs a --hash
    # --allow-empty-requirements (uv pip sync's): files listing nothing empty the venv (446)
    allow_empty: bool = False
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()  # asked first, in order (sources.indexes.index_order)
    index_strategy: str = "first-index"  # or "unsafe-best-match" (sources.indexes.Indexes)
    refresh: bool = False  # --refresh: every cached index page is asked again
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    offline: bool = False
    extras: tuple[str, ...] = ()  # pylock.toml / pyproject.toml: extras to install
    groups: tuple[str, ...] = ()  # pylock.toml / pyproject.toml: dependency groups
    all_extras: bool = False  # --all-extras: every extra pyproject.toml or pylock.toml declares
    override_files: tuple[str, ...] = ()  # --overrides FILE (decision 388)
    exclude_files: tuple[str, ...] = ()  # --excludes FILE (decision 389)
    prerelease: str | None = None  # "allow", "if-necessary", "disallow"; None: the default
    prerelease_packages: tuple[str, ...] = ()  # --prerelease-package NAME=MODE (389)
    exclude_newer: str | None = None  # an RFC 3339 timestamp or a date (YYYY-MM-DD)
    exclude_newer_packages: tuple[str, ...] = ()  # --exclude-newer-package NAME=DATE (389)
    upgrade: bool = False  # -U: newest allowed versions, not the venv's
    upgrade_packages: tuple[str, ...] = ()  # --upgrade-package: these only
    # --reinstall, --reinstall-package: as -U and -P, the venv's versions not preferred, as
    # uv's and pip's --force-reinstall resolve (decision 449)
    reinstall: bool = False
    reinstall_packages: tuple[str, ...] = ()
    resolution: str = "highest"  # --resolution: or "lowest", "lowest-direct" (uv's)
    venv: str | None = None  # an existing venv whose installed versions are preferred
    # wheel variants (PEP 825): the machine's description and whether to choose variants
    variant_properties: tuple[str, ...] = ()  # --variant-property 'ns :: feature :: value'
    variants_config: str | None = None  # --variants-config FILE (variants.toml)
    variant_providers: tuple[str, ...] = ()  # --allow-variant-provider: namespaces allowed
    variant_detect: bool = True  # built-in detection (CPU, CUDA driver); --no-detect
    no_variants: bool = False  # --no-variants: as a variant-unaware installer
    editables: tuple[str, ...] = ()  # -e PATH: project directories installed editable
    # --no-binary and --only-binary in the order given (requirements.Format; decision 326)
    formats: tuple[tuple[str, str], ...] = ()
    no_build: bool = False  # --no-build: never build a source
    # the venv's seed packages (pip, ...: graft.venv.seeds), roots besides the inputs; a seed
    # no source gives is left out with a warning, unless --seed asked for them (*seed*)
    seeds: tuple[str, ...] = ()
    seed: bool = False


def lap(timings: dict[str, float], stage: str, since: float) -> float:
    """Record the seconds since *since* as *stage* in *timings*; now, for the next lap."""
    now = time.perf_counter()
    timings[stage] = now - since
    return now
