"""Installed variant wheels (PEP 825) that this machine does not support.

A variant wheel's ``.dist-info`` keeps its ``variant.json`` (label and properties). After a
GPU or CPU change, or in a venv copied into a container, the machine may no longer
support the installed variant: each feature of its label needs at least one value the
machine supports (the same rule the resolver applies, :mod:`graft.variants.select`). The
machine is described as for ``graft sync`` (``--variant-property``, ``variants.toml``,
built-in detection); it is worked out only when some distribution is a variant wheel.
A namespace the user allowed (``--allow-variant-provider``, ``allow-providers`` in
``variants.toml``, or the namespaces the venv was last synced with, which ``graft sync``
records in its pyvenv.cfg) is answered by the provider plugin through *plugins*, as in
the sync, so a plugin-chosen variant is not reported unsupported.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.audit.findings import Finding, Kind, finding

if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.audit.layout import Venv
    from graft.model.variants import ProviderPlugins
    from graft.variants.machine import Machine


def check_variants(
    venv: Venv, machine: Callable[[], Machine], plugins: ProviderPlugins | None = None
) -> list[Finding]:
    """One finding per installed variant wheel whose label the machine does not support.

    *plugins* answers for the allowed namespaces whose provider plugin a wheel declares.
    """
    installed = [
        (dist, path)
        for dist in venv.dists
        if os.path.isfile(path := os.path.join(venv.abs(dist.path), "variant.json"))
    ]
    if not installed:
        return []
    from graft.errors import VariantError  # noqa: PLC0415
    from graft.variants.files import metadata_file  # noqa: PLC0415
    from graft.variants.plugins import with_plugins  # noqa: PLC0415
    from graft.variants.select import order_labels  # noqa: PLC0415

    found = machine()
    out = []
    for dist, path in installed:
        rel = f"{dist.path}/variant.json"
        try:
            metadata = metadata_file(path)
            features = found.features
            if metadata.providers:
                features = with_plugins(found, metadata, plugins)[0]
        except VariantError as exc:
            out.append(finding(Kind.VARIANT_UNSUPPORTED, rel, {dist.label}, str(exc)))
            continue
        for choice in order_labels(metadata, features, found.priorities):
            if choice.label in metadata.variants and choice.rank is None:
                detail = f"variant {choice.label!r}: {choice.why}"
                out.append(finding(Kind.VARIANT_UNSUPPORTED, rel, {dist.label}, detail))
    return out
