"""What ``graft sync`` is asked: the venv, the inputs and the policies.

Apart from :mod:`graft.model.request` (what resolution reads), whose other readers, ``graft
lock`` among them, do not create this class (a frozen dataclass of 39 fields: decision 215).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graft.model.request import ResolveRequest, SilentReporter

if TYPE_CHECKING:
    from graft.model.foreign import ForeignTarget
    from graft.model.request import CollisionPolicy, LinkMode, Reporter, SourceBuilder
    from graft.model.variants import ProviderPlugins


@dataclass(frozen=True)
class SyncRequest:
    """What ``graft sync`` was asked: the venv, the inputs, and the policies."""

    venv: str
    specs: tuple[str, ...] = ()
    requirement_files: tuple[str, ...] = ()
    script_files: tuple[str, ...] = ()  # --requirements-from-script (pip's; decision 432)
    python: str | None = None
    no_deps: bool = False
    only_deps: bool = False  # the named projects resolved, then left out (decision 445)
    no_sources: bool = False  # --no-sources, UV_NO_SOURCES: no [tool.uv.sources] read
    no_sources_packages: tuple[str, ...] = ()  # --no-sources-package: their entries unread
    require_hashes: bool = False  # --require-hashes: every distribution needs a --hash
    allow_empty: bool = False  # --allow-empty-requirements: files listing nothing (446)
    reinstall: bool = False  # --reinstall: rebuilt whole, even when in sync
    reinstall_packages: tuple[str, ...] = ()  # --reinstall-package, as given (decision 393)
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()  # asked first, in order (sources.indexes.index_order)
    index_strategy: str = "first-index"
    refresh: bool = False
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    offline: bool = False
    store: str | None = None
    collisions: CollisionPolicy = "warn"
    link_mode: LinkMode = "symlink"
    # pyvenv.cfg lines of the venv tool's options the venv must have (--system-site-packages:
    # ("include-system-site-packages", "true")), set over those it keeps (decision 111)
    venv_options: tuple[tuple[str, str], ...] = ()
    reporter: Reporter = field(default_factory=SilentReporter)
    foreign: ForeignTarget | None = None  # plan for a target not on this machine
    extras: tuple[str, ...] = ()  # for pylock.toml: extras to install
    groups: tuple[str, ...] = ()  # for pylock.toml: dependency groups (default: its defaults)
    all_extras: bool = False  # --all-extras
    override_files: tuple[str, ...] = ()  # --overrides
    exclude_files: tuple[str, ...] = ()  # --excludes
    constraint_files: tuple[str, ...] = ()
    prerelease: str | None = None
    prerelease_packages: tuple[str, ...] = ()
    exclude_newer: str | None = None
    exclude_newer_packages: tuple[str, ...] = ()
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    resolution: str = "highest"
    variant_properties: tuple[str, ...] = ()
    variants_config: str | None = None
    variant_providers: tuple[str, ...] = ()
    variant_detect: bool = True
    no_variants: bool = False
    editables: tuple[str, ...] = ()
    formats: tuple[tuple[str, str], ...] = ()  # --no-binary/--only-binary, in order
    no_build: bool = False
    builder: SourceBuilder | None = None  # None: sources are refused (no build step)
    seed: bool = False  # --seed: the venv gets pip (and more, below 3.12) as uv venv --seed
    variant_plugins: ProviderPlugins | None = None  # runs allowed provider plugins (the CLI's)

    def resolving(self, seeds: tuple[str, ...] = ()) -> ResolveRequest:
        """The part of this request that resolution reads, with the venv's *seeds*."""
        return ResolveRequest(
            specs=self.specs,
            requirement_files=self.requirement_files,
            script_files=self.script_files,
            constraint_files=self.constraint_files,
            python=self.python,
            foreign=self.foreign,
            no_deps=self.no_deps,
            only_deps=self.only_deps,
            no_sources=self.no_sources,
            no_sources_packages=self.no_sources_packages,
            require_hashes=self.require_hashes,
            allow_empty=self.allow_empty,
            index_url=self.index_url,
            extra_index_urls=self.extra_index_urls,
            index_strategy=self.index_strategy,
            refresh=self.refresh,
            find_links=self.find_links,
            no_index=self.no_index,
            offline=self.offline,
            extras=self.extras,
            groups=self.groups,
            all_extras=self.all_extras,
            override_files=self.override_files,
            exclude_files=self.exclude_files,
            prerelease=self.prerelease,
            prerelease_packages=self.prerelease_packages,
            exclude_newer=self.exclude_newer,
            exclude_newer_packages=self.exclude_newer_packages,
            upgrade=self.upgrade,
            upgrade_packages=self.upgrade_packages,
            reinstall=self.reinstall,
            reinstall_packages=self.reinstall_packages,
            resolution=self.resolution,
            venv=self.venv,
            variant_properties=self.variant_properties,
            variants_config=self.variants_config,
            variant_providers=self.variant_providers,
            variant_detect=self.variant_detect,
            no_variants=self.no_variants,
            editables=self.editables,
            formats=self.formats,
            no_build=self.no_build,
            seeds=seeds,
            seed=self.seed,
        )
