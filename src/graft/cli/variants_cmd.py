"""``graft variants``: what this machine supports for wheel variants (PEP 825), and why.

Prints each supported ``namespace :: feature`` with its values (best first) and where the
answer came from (``--variant-property``, ``variants.toml``, built-in detection). With
``--find-links DIR``, also orders every release there for this machine (the wheels whose
tags graft's own interpreter accepts): the labels best first, incompatible ones with the
feature the machine lacks, and the file a variant-aware install would take. A release's
provider plugin runs for a namespace allowed with ``--allow-variant-provider`` (installed
from the find-links directories and the index), and its answer is printed with its source.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from graft.cli.provider_envs import ProviderEnvs
    from graft.model.variants import PluginAnswer, Provider
    from graft.variants.machine import Machine
    from graft.variants.select import SupportedFeature


def add_variants_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``variants`` on the ``graft`` command's subparsers."""
    parser = subparsers.add_parser(
        "variants",
        help="what this machine supports for wheel variants (PEP 825), and where it came from",
        description="Print the variant properties this machine supports and their sources; "
        "with --find-links, the variant each release there would install.",
    )
    add_variant_options(parser)
    parser.add_argument(
        "-f",
        "--find-links",
        action="append",
        default=[],
        metavar="DIR",
        help="order the variant wheels of every release in DIR for this machine",
    )
    parser.add_argument(
        "--index-url", metavar="URL", help="where allowed provider plugins are installed from"
    )
    parser.add_argument(
        "--no-index", action="store_true", help="install provider plugins from --find-links only"
    )
    parser.add_argument("--store", metavar="DIR", help="the store of the provider venvs")
    parser.add_argument("--json", action="store_true", help="print JSON")


def add_variant_options(parser: argparse.ArgumentParser) -> None:
    """The options that describe the machine (``graft variants``, ``sync``, ``lock``, ``audit``)."""
    parser = parser.add_argument_group("wheel variants (PEP 825)")  # type: ignore[assignment]
    parser.add_argument(
        "--variant-property",
        action="append",
        default=[],
        metavar="'NS :: FEATURE :: VALUE'",
        help="a property this machine supports (repeatable; overrides detection for its namespace)",
    )
    parser.add_argument(
        "--variants-config",
        metavar="FILE",
        help="variants.toml: priorities and static properties"
        " (default: $GRAFT_VARIANTS_CONFIG, then graft's user config directory)",
    )
    parser.add_argument(
        "--allow-variant-provider",
        action="append",
        default=[],
        metavar="NAME",
        help="run the provider plugin a release declares for namespace NAME, in a venv of its"
        " own (repeatable; also allow-providers in variants.toml; graft lock runs none)",
    )
    parser.add_argument(
        "--no-detect", action="store_true", help="skip built-in detection (CPU, CUDA driver)"
    )
    parser.add_argument(
        "--no-variants",
        action="store_true",
        help="choose as a variant-unaware installer would: non-variant wheels only",
    )


def variant_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The variant options as ``ResolveRequest``/``SyncRequest`` fields (nothing detected).

    Each ``--variant-property`` is checked now: the chooser reads them only when a variant
    wheel shows up, and a typo must not pass unseen until then.
    """
    if args.variant_property:
        from graft.errors import UsageError  # noqa: PLC0415
        from graft.model.variants import VariantProperty  # noqa: PLC0415

        for text in args.variant_property:
            try:
                VariantProperty.parse(text)
            except ValueError as exc:
                raise UsageError(str(exc), where="--variant-property") from None
    return {
        "variant_properties": tuple(args.variant_property),
        "variants_config": args.variants_config,
        "variant_providers": tuple(args.allow_variant_provider),
        "variant_detect": not args.no_detect,
        "no_variants": args.no_variants,
    }


class Plugins:
    """The provider plugins of a sync: :class:`~graft.cli.provider_envs.ProviderEnvs` on first use.

    A sync that meets no allowed plugin never imports it (nor anything of graft.variants).
    A dry run's (*dry*) asks only the provider venvs made already, and makes none
    (:class:`~graft.cli.provider_envs.MadeProviderEnvs`, decision 162).
    """

    def __init__(self, args: argparse.Namespace, python: str | None, *, dry: bool = False) -> None:
        self._made: ProviderEnvs | None = None
        self._args, self._python, self._dry = args, python, dry

    @property
    def notes(self) -> list[str]:
        """What was made and asked, for -v."""
        return self._made.notes if self._made is not None else []

    @property
    def unmade(self) -> list[tuple[str, tuple[str, ...], str]]:
        """A dry run's plugins not asked for want of a provider venv: namespace, requires, venv."""
        return list(getattr(self._made, "unmade", ()))

    def supported(self, namespace: str, provider: Provider) -> PluginAnswer:
        """The plugin's answer (see ``ProviderEnvs.supported``)."""
        if self._made is None:
            from graft.cli.provider_envs import MadeProviderEnvs, ProviderEnvs  # noqa: PLC0415

            made = MadeProviderEnvs(self._args, self._python, dry=True) if self._dry else None
            self._made = made or ProviderEnvs(self._args, self._python)
        return self._made.supported(namespace, provider)


def machine_from(args: argparse.Namespace) -> Machine:
    """The machine described by the variant options."""
    from graft.variants.machine import machine  # noqa: PLC0415

    return machine(
        properties=args.variant_property,
        config=args.variants_config,
        allow_providers=args.allow_variant_provider,
        builtin=not args.no_detect,
    )


def _releases(
    args: argparse.Namespace, found: Machine, plugins: ProviderEnvs
) -> list[dict[str, Any]]:
    from packaging.tags import sys_tags  # noqa: PLC0415

    from graft.variants.files import find_links_releases, release_metadata  # noqa: PLC0415
    from graft.variants.plugins import with_plugins  # noqa: PLC0415
    from graft.variants.select import Mode, order_release, ranked_files  # noqa: PLC0415

    tag_rank = {str(tag): i for i, tag in enumerate(sys_tags())}
    mode = Mode.NONE if args.no_variants else Mode.AUTO
    out = []
    for directory in args.find_links:
        for (name, version), (wheels, index_file) in find_links_releases(directory).items():
            metadata, warning = release_metadata(wheels, index_file)
            names = [os.path.basename(w) for w in wheels]
            features, hints = found.features, tuple[str, ...]()
            if metadata is not None and mode is Mode.AUTO:
                features, hints = with_plugins(found, metadata, plugins)
            order = order_release(names, metadata, features, priorities=found.priorities, mode=mode)
            ranked = ranked_files(order, tag_rank)
            out.append(
                {
                    "name": name,
                    "version": version,
                    "metadata": index_file or ("merged from its wheels" if metadata else None),
                    "warning": warning,
                    "labels": order.explain(),
                    "chosen": ranked[0] if ranked else None,
                    "candidates": list(ranked),
                    "left_out": dict(order.left_out),
                    "plugins_not_allowed": list(hints),
                    "plugins": [
                        _feature_json(f) for f in features if f.source.startswith("plugin ")
                    ],
                }
            )
    return out


def run_variants(args: argparse.Namespace) -> int:
    """Print what the machine supports (and, with --find-links, each release's choice)."""
    from graft.cli.provider_envs import ProviderEnvs  # noqa: PLC0415

    found = machine_from(args)
    releases = _releases(args, found, ProviderEnvs(args))
    if args.json:
        data = {
            "config": found.config,
            "allowed_providers": list(found.allowed),
            "supported": [_feature_json(f) for f in found.features],
            "releases": releases,
        }
        print(json.dumps(data, indent=1, sort_keys=True))
        return 0
    if not found.features:
        print("no variant properties supported (none detected or given)")
    for feat in found.features:
        key = f"{feat.namespace} :: {feat.feature}"
        print(f"{key:40} {', '.join(feat.values):30} {feat.source}")
    if found.config:
        print(f"# priorities and static properties from {found.config}")
    for release in releases:
        source = release["metadata"]
        said = f"variant metadata {source}" if source else "no variant metadata (no variant wheels)"
        print(f"\n{release['name']} {release['version']}: {said}")
        if release["warning"]:
            print(f"  warning: {release['warning']}")
        for line in release["labels"]:
            print(f"  {line}")
        for feat in release["plugins"]:
            key = f"{feat['namespace']} :: {feat['feature']}"
            print(f"  {key:38} {', '.join(feat['values']):30} {feat['source']}")
        for filename, why in sorted(release["left_out"].items()):
            print(f"  left out {filename}: {why}")
        for hint in release["plugins_not_allowed"]:
            print(f"  {hint}")
        print(f"  chosen: {release['chosen'] or 'nothing (no compatible wheel)'}")
    return 0


def _feature_json(feat: SupportedFeature) -> dict[str, Any]:
    return {
        "namespace": feat.namespace,
        "feature": feat.feature,
        "values": list(feat.values),
        "source": feat.source,
    }
