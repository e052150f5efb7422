"""The resolver's choice among a release's variant wheels (PEP 825), for one machine.

:class:`VariantChooser` is handed to the screening (``Policy.variants``). For a release
whose files include variant wheels it finds the release's variant metadata, once:

1. the ``{name}-{version}-variants.json`` file listed beside the wheels (an index row or a
   find-links file), read through the caller's *read* function;
2. else, for local wheels (find-links), the ``variant.json`` of one wheel per label,
   merged under PEP 825's consistency rules;
3. else none: the release's variant wheels are left out (a remote variant wheel cannot be
   judged without its index's metadata file).

Inconsistent metadata leaves the release's variant wheels out with a warning; a schema
graft cannot read stops the resolution with one line naming the file. A release whose
metadata declares a provider plugin for a namespace the user allowed has the plugin asked
(through the *plugins* the command line hands in, :mod:`graft.variants.plugins`); its
answer joins the machine's features for that release. The machine (what
it supports, the user's priorities) is worked out on the first variant release met, so
a resolution without variant wheels neither imports :mod:`graft.variants` nor reads
``/proc`` or ``variants.toml``. A request's chooser is made, with the reads it is handed,
by :mod:`graft.resolve.variant_reads`; after the downloads the chosen variant wheels are
checked and the choice reported by :mod:`graft.resolve.chosen_variants`.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from graft.resolve.artifacts import ArtifactFile, is_variant_wheel, parse_wheel

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.model.variants import ProviderPlugins, VariantMetadata
    from graft.variants.machine import Machine
    from graft.variants.markers import VariantEnvironment
    from graft.variants.select import ReleaseOrder, SupportedFeature


@dataclass(frozen=True)
class VariantOptions:
    """What the user said about variants: the machine's description and the mode."""

    properties: tuple[str, ...] = ()  # --variant-property
    config: str | None = None  # --variants-config
    providers: tuple[str, ...] = ()  # --allow-variant-provider: plugins allowed to run
    detect: bool = True  # built-in detection (--no-detect: off)
    enabled: bool = True  # --no-variants: False

    def machine(self) -> Machine:
        """The machine these options describe (detection runs here)."""
        from graft.variants.machine import machine  # noqa: PLC0415

        return machine(
            properties=self.properties,
            config=self.config,
            allow_providers=self.providers,
            builtin=self.detect,
        )


def has_variant_wheels(files: Sequence[ArtifactFile]) -> bool:
    """Whether any of *files* is a variant wheel found on an index or in find-links."""
    return any(is_variant_wheel(f.filename) and not f.direct for f in files)


#: The chooser's dictionaries of what resolving found (:meth:`VariantChooser.findings`).
_FINDINGS = ("orders", "_metadata", "sources", "hints", "ignored", "warnings")


class VariantChooser:
    """Orders release files for one machine, reading each release's metadata once.

    *read* returns the bytes of a listed ``-variants.json`` file (a local path or a URL).
    Safe for the resolver's prefetch threads.
    """

    def __init__(
        self,
        options: VariantOptions,
        read: Callable[[ArtifactFile], bytes],
        plugins: ProviderPlugins | None = None,
        read_wheel: Callable[[ArtifactFile], bytes] | None = None,
    ) -> None:
        self.options = options
        self._read = read
        self._read_wheel = read_wheel  # a remote wheel's variant.json (range reads)
        self._plugins = plugins
        self._features: dict[tuple[str, str], tuple[SupportedFeature, ...]] = {}
        self.hints: dict[tuple[str, str], tuple[str, ...]] = {}  # plugins not allowed, for -v
        # releases whose variants are ignored (PEP 825: inconsistent metadata), and why
        self.ignored: dict[tuple[str, str], str] = {}
        self._machine: Machine | None = None
        self._metadata: dict[tuple[str, str], VariantMetadata | None] = {}
        self.orders: dict[tuple[str, str], ReleaseOrder] = {}
        self.warnings: dict[str, None] = {}
        self.sources: dict[tuple[str, str], str] = {}  # where each release's metadata came from
        self._lock = threading.RLock()
        # graft lock: variant markers decided with every property the label declares (the
        # lock is for every machine), and per release the one choice a fork resolves with
        self.inclusive = False
        self.forced: MappingProxyType[tuple[str, str], str] = MappingProxyType({})

    def fork(self, forced: dict[tuple[str, str], str]) -> VariantChooser:
        """This chooser with *forced* choices (release -> label, "" for non-variant wheels).

        The fork shares what was read (metadata, the machine, plugin answers, warnings) and
        keeps its own orders; a forced release offers only the wheels of its choice, whether
        or not this machine supports them (a lock resolves for every machine).
        """
        twin = copy.copy(self)
        twin.forced = MappingProxyType(dict(forced))
        twin.orders = {}
        return twin

    @property
    def machine(self) -> Machine:
        """The machine, worked out on first use."""
        with self._lock:
            if self._machine is None:
                self._machine = self.options.machine()
            return self._machine

    @property
    def detected(self) -> bool:
        """Whether the machine was worked out with built-in detection (CPU, NVIDIA driver)."""
        return self._machine is not None and self.options.detect

    @property
    def config_read(self) -> str | None:
        """The ``variants.toml`` the machine was read from, once it was worked out."""
        return self._machine.config if self._machine is not None else None

    def metadata(
        self, name: NormalizedName, version: Version, files: Sequence[ArtifactFile]
    ) -> VariantMetadata | None:
        """The combined variant metadata of release *name* *version* (None: none usable)."""
        key = (str(name), str(version))
        with self._lock:
            if key in self.ignored:
                return None
            if key in self._metadata:
                return self._metadata[key]
            found = self._find(name, version, files)
            self._metadata[key] = found
            return found

    def _find(
        self, name: NormalizedName, version: Version, files: Sequence[ArtifactFile]
    ) -> VariantMetadata | None:
        from graft.model.variants import load_variant_metadata  # noqa: PLC0415
        from graft.variants.files import release_metadata, variants_json_name  # noqa: PLC0415

        key = (str(name), str(version))
        wanted = variants_json_name(name, version)
        listed = next((f for f in files if f.filename == wanted), None)
        if listed is not None:
            self.sources[key] = listed.url
            return load_variant_metadata(self._read(listed), listed.url)
        release = [
            f for f in files if (p := parse_wheel(f.filename)) is not None and p.version == version
        ]
        local = [f.url for f in release if not f.url.startswith(("http://", "https://"))]
        if any(f.url.startswith(("http://", "https://")) for f in release) and not local:
            if self._read_wheel is None:
                self.warnings[
                    f"{name}=={version}: the index lists no {wanted};"
                    " its variant wheels are left out"
                ] = None
                return None
            return self._from_wheels(name, version, release)
        found, warning = release_metadata(local)
        if warning is not None:
            self.warnings[f"{name}=={version}: {warning}"] = None
        elif found is not None:
            self.sources[key] = "merged from its wheels' variant.json"
        return found

    def _from_wheels(
        self, name: NormalizedName, version: Version, release: Sequence[ArtifactFile]
    ) -> VariantMetadata | None:
        """A remote release's metadata merged from one wheel per label's ``variant.json``.

        PEP 825 lets installers read the wheels' own files when the index has no
        ``-variants.json``; each is read by range requests (the whole wheel where the
        server ignores ``Range``). A wheel without a readable ``variant.json``, or files
        that disagree, leave the release's variant wheels out with a warning.
        """
        from graft.errors import SourceError, VariantError  # noqa: PLC0415
        from graft.model.variants import load_variant_metadata, merge  # noqa: PLC0415

        assert self._read_wheel is not None  # noqa: S101 - the caller checked
        by_label: dict[str, ArtifactFile] = {}
        for file in sorted(release, key=lambda f: f.filename):
            parsed = parse_wheel(file.filename)
            if parsed is not None and parsed.variant is not None:
                by_label.setdefault(parsed.variant, file)
        parts = []
        for file in by_label.values():
            try:
                data = self._read_wheel(file)
            except SourceError as exc:
                self.warnings[
                    f"{name}=={version}: cannot read {file.filename}'s variant.json"
                    f" ({exc.what}); the release's variant wheels are left out"
                ] = None
                return None
            # as for find-links: a file graft cannot read (schema, JSON) is an error
            parts.append(load_variant_metadata(data, f"{file.filename}/variant.json"))
        try:
            found = merge(parts, f"{name}=={version}") if parts else None
        except VariantError as exc:
            self.warnings[f"{name}=={version}: {exc}; the release's variant wheels are ignored"] = (
                None
            )
            return None
        if found is not None:
            self.sources[str(name), str(version)] = (
                f"merged from {len(parts)} wheels' variant.json (range reads)"
            )
        return found

    def order(
        self,
        name: NormalizedName,
        version: Version,
        filenames: Sequence[str],
        files: Sequence[ArtifactFile],
    ) -> ReleaseOrder:
        """PEP 825's order of one release's *filenames* (already screened) on this machine."""
        metadata = self.metadata(name, version, files) if self.options.enabled else None
        return self._ordered(str(name), str(version), filenames, metadata)

    def order_with(
        self,
        name: str,
        version: str,
        filenames: Sequence[str],
        metadata: VariantMetadata | None,
        source: str,
    ) -> ReleaseOrder:
        """The order of a release whose *metadata* the caller has (a lock's variants-json)."""
        from packaging.utils import canonicalize_name  # noqa: PLC0415

        key = (str(canonicalize_name(name)), version)
        with self._lock:
            metadata = None if key in self.ignored else metadata
            self._metadata[key] = metadata
            if metadata is not None:
                self.sources[key] = source
        return self._ordered(key[0], version, filenames, metadata)

    def _ordered(
        self, name: str, version: str, filenames: Sequence[str], metadata: VariantMetadata | None
    ) -> ReleaseOrder:
        from graft.variants.select import Mode, order_release  # noqa: PLC0415

        forced = self.forced.get((name, version))
        if forced is not None:
            return self._forced(name, version, filenames, forced)
        mode = Mode.AUTO if self.options.enabled else Mode.NONE
        machine = self.machine if mode is Mode.AUTO else None
        found = order_release(
            filenames,
            metadata,
            self.features_for(name, version, metadata) if machine is not None else (),
            priorities=machine.priorities if machine is not None else None,
            mode=mode,
        )
        why = self.ignored.get((name, version))
        if why is not None:  # say why the variants are out (a failed resolution names them)
            left = dict.fromkeys(found.left_out, f"the release's variants are ignored: {why}")
            found = dataclasses.replace(found, left_out=MappingProxyType(left))
        with self._lock:
            self.orders[name, version] = found
        return found

    def _forced(
        self, name: str, version: str, filenames: Sequence[str], label: str
    ) -> ReleaseOrder:
        """A forked lock resolution's order: the files of the forced choice only."""
        from graft.variants.select import ReleaseOrder  # noqa: PLC0415

        ranks, left = {}, {}
        for filename in filenames:
            parsed = parse_wheel(filename)
            if parsed is not None and (parsed.variant or "") == label:
                ranks[filename] = 0
            else:
                left[filename] = f"this lock fork takes {label or 'the non-variant wheel'}"
        found = ReleaseOrder(MappingProxyType(ranks), MappingProxyType(left))
        with self._lock:
            self.orders[name, version] = found
        return found

    def features_for(
        self, name: str, version: str, metadata: VariantMetadata | None
    ) -> tuple[SupportedFeature, ...]:
        """The machine's features for one release: its allowed provider plugins asked."""
        if metadata is None or not metadata.providers:
            return self.machine.features
        from graft.variants.plugins import with_plugins  # noqa: PLC0415

        with self._lock:
            if (name, version) not in self._features:
                found, hints = with_plugins(self.machine, metadata, self._plugins)
                self._features[name, version] = found
                self.hints[name, version] = hints
            return self._features[name, version]

    def environment(self, file: ArtifactFile) -> VariantEnvironment:
        """The variant marker values of *file* once chosen: its properties the machine supports.

        A non-variant wheel has label "" and no properties; a variant wheel given by path
        reads its own ``variant.json``.
        """
        from graft.variants.markers import VariantEnvironment  # noqa: PLC0415
        from graft.variants.select import supported_for  # noqa: PLC0415

        parsed = parse_wheel(file.filename)
        label = parsed.variant if parsed is not None else None
        if parsed is None or label is None:
            return VariantEnvironment("")
        metadata = self.known(str(parsed.name), str(parsed.version))
        if metadata is None and file.direct and not file.url.startswith(("http:", "https:")):
            from graft.variants.files import wheel_variant_metadata  # noqa: PLC0415

            metadata = wheel_variant_metadata(file.url)
        if metadata is None:
            return VariantEnvironment(label)
        declared = metadata.variants.get(label, frozenset())
        if self.inclusive:
            return VariantEnvironment(label, declared)
        features = self.features_for(str(parsed.name), str(parsed.version), metadata)
        supported = {
            f"{f.namespace} :: {f.feature} :: {v}"
            for f in supported_for(metadata, features)
            for v in f.values
        }
        return VariantEnvironment(label, frozenset(p for p in declared if str(p) in supported))

    def locked_environment(self, filename: str) -> VariantEnvironment:
        """:meth:`environment` of a locked wheel (its release ordered by :meth:`order_with`)."""
        return self.environment(ArtifactFile(filename, ""))

    def known(self, name: str, version: str) -> VariantMetadata | None:
        """The metadata read for a release, None when none was or its variants are ignored."""
        key = (name, version)
        return None if key in self.ignored else self._metadata.get(key)

    def findings(self) -> tuple[dict[Any, Any], ...]:
        """What resolving taught this chooser that a lock reads afterwards (copies).

        Per release: the order, the metadata and where it came from, plugin hints, why its
        variants are ignored; and the warnings. A lock's worker sends them (decision 92).
        """
        with self._lock:
            return tuple(dict(getattr(self, name)) for name in _FINDINGS)

    def learn(self, findings: tuple[dict[Any, Any], ...]) -> None:
        """Add another process's :meth:`findings`, keeping what this chooser found itself."""
        with self._lock:
            for name, found in zip(_FINDINGS, findings, strict=True):
                kept = getattr(self, name)
                for key, value in found.items():
                    kept.setdefault(key, value)

    def ignore(self, name: str, version: str, why: str) -> None:
        """Leave the variants of a release out from now on (PEP 825's inconsistent metadata)."""
        with self._lock:
            self.ignored[name, version] = why
            self.warnings[f"{name}=={version}: {why}; the release's variants are ignored"] = None

    def declared(self, file: ArtifactFile) -> tuple[str, ...] | None:
        """The properties the release's metadata gives *file*'s label (None: not known)."""
        parsed = parse_wheel(file.filename)
        if parsed is None or parsed.variant is None:
            return None
        metadata = self.known(str(parsed.name), str(parsed.version))
        if metadata is None or parsed.variant not in metadata.variants:
            return None
        return tuple(sorted(str(p) for p in metadata.variants[parsed.variant]))
