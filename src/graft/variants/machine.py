"""What this machine supports: static properties, built-in detection, and where each came from.

Sources, strongest first (a namespace answered by one is not asked of the next):

1. ``--variant-property 'ns :: feature :: value'`` (repeatable; values in the order given);
2. ``variants.toml`` (``--variants-config FILE``, else ``$GRAFT_VARIANTS_CONFIG``, else
   ``variants.toml`` in graft's user configuration directory): variantlib's priorities
   (``namespace_priorities``, ``feature_priorities``, ``property_priorities``) and graft's
   ``[static-properties.<namespace>]`` tables (``feature = [values, best first]``);
3. built-in detection, which runs no package code: the x86-64 microarchitecture level
   (``x86_64 :: level``) and aarch64 CPU features (``aarch64 :: <flag> :: on``) from
   ``/proc/cpuinfo``, the CUDA driver (``nvidia :: cuda_version_lower_bound``) from
   ``/proc/driver/nvidia/version`` and, when it is there, libcuda's ``cuDriverGetVersion``
   asked in a separate interpreter;
4. per release, the ``static-properties`` of its own metadata's providers
   (:func:`graft.variants.select.supported_for`).

Third-party provider plugins run only for the namespaces the user allows by name
(``--allow-variant-provider NS``, or ``allow-providers = [...]`` in ``variants.toml``):
:attr:`Machine.allowed` lists them, and :mod:`graft.variants.plugins` asks them, per release,
out of graft's process. Built-in detection itself runs no package code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from graft.errors import UsageError, VariantError
from graft.model.variants import VariantProperty
from graft.variants.select import Priorities, SupportedFeature

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_X86_LEVELS = (
    # x86-64-v2, -v3, -v4 (the psABI levels); v1 is the baseline of every x86-64 CPU
    frozenset({"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}),
    frozenset({"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"}),
    frozenset({"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}),
)
_NVIDIA_VERSION = re.compile(r"Kernel Module\s+(?:for \S+\s+)?(\d+)\.(\d+)")
_CUDA_PROBE = (
    "import ctypes\n"
    "lib = ctypes.CDLL('libcuda.so.1')\n"
    "v = ctypes.c_int()\n"
    "print(v.value if lib.cuDriverGetVersion(ctypes.byref(v)) == 0 else '')\n"
)


@dataclass(frozen=True, slots=True)
class Machine:
    """The machine's supported features, with their sources, and the user's priorities."""

    features: tuple[SupportedFeature, ...]
    priorities: Priorities = field(default_factory=Priorities)
    config: str | None = None  # the variants.toml read, if any
    allowed: tuple[str, ...] = ()  # namespaces whose provider plugins may run (opt-in)

    def supported(self) -> frozenset[VariantProperty]:
        """Every supported property (for variant markers' intersection)."""
        return frozenset(
            VariantProperty(f.namespace, f.feature, v) for f in self.features for v in f.values
        )


def x86_64_levels(flags: Iterable[str]) -> tuple[str, ...]:
    """The x86-64 levels a CPU with *flags* (``/proc/cpuinfo`` spelling) runs, best first."""
    have = set(flags)
    level = 1
    for needed in _X86_LEVELS:
        if not needed <= have:
            break
        level += 1
    return tuple(f"v{n}" for n in range(level, 0, -1))


def cpu_features(cpuinfo: str, machine: str) -> tuple[SupportedFeature, ...]:
    """The CPU's features from the text of ``/proc/cpuinfo`` for the ``platform.machine()``."""
    key = "flags" if machine in {"x86_64", "amd64", "AMD64"} else "Features"
    flags: list[str] = []
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == key:
            flags = value.split()
            break
    source = "builtin: /proc/cpuinfo"
    if key == "flags":
        return (SupportedFeature("x86_64", "level", x86_64_levels(flags), source),)
    if machine in {"aarch64", "arm64"}:
        return tuple(
            SupportedFeature("aarch64", flag, ("on",), source)
            for flag in sorted(set(flags))
            if re.fullmatch(r"[a-z0-9_]+", flag)
        )
    return ()


def cuda_features(driver: int | None, source: str) -> tuple[SupportedFeature, ...]:
    """``nvidia :: cuda_version_lower_bound``: the driver's CUDA version down to ``major.0``."""
    if driver is None or driver <= 0:
        return ()
    major, minor = driver // 1000, driver % 1000 // 10
    values = tuple(f"{major}.{m}" for m in range(minor, -1, -1))
    return (SupportedFeature("nvidia", "cuda_version_lower_bound", values, source),)


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def detect() -> tuple[SupportedFeature, ...]:
    """Built-in detection on this machine (Linux; elsewhere nothing is detected)."""
    import platform  # noqa: PLC0415

    found = list(cpu_features(_read("/proc/cpuinfo") or "", platform.machine()))
    nvidia = _read("/proc/driver/nvidia/version")
    if nvidia is not None and _NVIDIA_VERSION.search(nvidia):
        try:  # libcuda is the system's driver, never a package's; asked out of process
            out = subprocess.run(
                [sys.executable, "-I", "-c", _CUDA_PROBE],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        version = int(out) if out.isdigit() else None
        found.extend(cuda_features(version, "builtin: libcuda cuDriverGetVersion"))
    return tuple(found)


def _strings(value: object, what: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VariantError(f"{what} must be a list of strings", where=where)
    return tuple(value)


def _table(value: object, what: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VariantError(f"{what} must be a table", where=where)
    return value


def allowed_providers(data: dict[str, Any], where: str) -> tuple[str, ...]:
    """``allow-providers`` of a decoded ``variants.toml``: namespaces whose plugins may run."""
    names = _strings(data.get("allow-providers", []), "allow-providers", where)
    for name in names:
        _namespace(name, where)
    return names


def _namespace(name: str, where: str) -> str:
    if re.fullmatch(r"[a-z0-9_]+", name) is None:
        raise VariantError(f"{name!r} is not a variant namespace", where=where)
    return name


def parse_config(data: dict[str, Any], where: str) -> tuple[Priorities, list[SupportedFeature]]:
    """Priorities and static properties from a decoded ``variants.toml``."""
    known = {"namespace_priorities", "feature_priorities", "property_priorities"}
    unknown = set(data) - known - {"static-properties", "allow-providers"}
    if unknown:
        raise VariantError(
            f"unknown keys {sorted(unknown)}", where=where, hint="see graft variants --help"
        )
    features = {
        ns: _strings(v, f"feature_priorities.{ns}", where)
        for ns, v in _table(data.get("feature_priorities", {}), "feature_priorities", where).items()
    }
    properties = {
        (ns, feat): _strings(values, f"property_priorities.{ns}.{feat}", where)
        for ns, feats in _table(
            data.get("property_priorities", {}), "property_priorities", where
        ).items()
        for feat, values in _table(feats, f"property_priorities.{ns}", where).items()
    }
    priorities = Priorities(
        _strings(data.get("namespace_priorities", []), "namespace_priorities", where),
        MappingProxyType(features),
        MappingProxyType(properties),
    )
    static = []
    for ns, feats in _table(data.get("static-properties", {}), "static-properties", where).items():
        for feat, values in _table(feats, f"static-properties.{ns}", where).items():
            vals = _strings(values, f"static-properties.{ns}.{feat}", where)
            for value in vals:
                try:
                    VariantProperty.parse(f"{ns} :: {feat} :: {value}")
                except ValueError as exc:
                    raise VariantError(str(exc), where=where) from None
            static.append(SupportedFeature(ns, feat, vals, f"static: {where}"))
    return priorities, static


def config_path(explicit: str | None) -> str | None:
    """The ``variants.toml`` to read: *explicit*, ``$GRAFT_VARIANTS_CONFIG``, the user's own."""
    if explicit:
        return explicit
    if os.environ.get("GRAFT_VARIANTS_CONFIG"):
        return os.environ["GRAFT_VARIANTS_CONFIG"]
    import platformdirs  # noqa: PLC0415

    path = os.path.join(platformdirs.user_config_dir("graft", appauthor=False), "variants.toml")
    return path if os.path.isfile(path) else None


def load_config(path: str) -> tuple[Priorities, list[SupportedFeature], tuple[str, ...]]:
    """``variants.toml`` at *path*: priorities, static properties, allowed plugins."""
    from graft._toml import load_toml  # noqa: PLC0415

    data = load_toml(path, VariantError, seen=False)  # (stat-fingerprinted: 464)
    return (*parse_config(data, path), allowed_providers(data, path))


def _grouped(props: Sequence[VariantProperty], source: str) -> list[SupportedFeature]:
    by_feature: dict[tuple[str, str], list[str]] = {}
    for prop in props:
        values = by_feature.setdefault(prop.feature_key, [])
        if prop.value not in values:
            values.append(prop.value)
    return [SupportedFeature(ns, f, tuple(v), source) for (ns, f), v in by_feature.items()]


def machine(
    *,
    properties: Sequence[str] = (),
    config: str | None = None,
    allow_providers: Sequence[str] = (),
    builtin: bool = True,
) -> Machine:
    """What this machine supports, from the command line, ``variants.toml`` and detection.

    *allow_providers* (``--allow-variant-provider``) and the config's ``allow-providers``
    make :attr:`Machine.allowed`; no plugin runs here.
    """
    allowed = [_namespace_arg(name) for name in allow_providers]
    parsed = []
    for text in properties:
        try:
            parsed.append(VariantProperty.parse(text))
        except ValueError as exc:
            raise UsageError(
                str(exc), hint="write --variant-property 'ns :: feature :: value'"
            ) from None
    layers: list[list[SupportedFeature]] = [_grouped(parsed, "--variant-property")]
    priorities, path = Priorities(), config_path(config)
    if path is not None:
        priorities, static, from_config = load_config(path)
        layers.append(static)
        allowed.extend(from_config)
    if builtin:
        layers.append(list(detect()))
    out: list[SupportedFeature] = []
    answered: set[str] = set()
    for layer in layers:
        out.extend(f for f in layer if f.namespace not in answered)
        answered.update(f.namespace for f in layer)
    return Machine(tuple(out), priorities, path, tuple(dict.fromkeys(allowed)))


def _namespace_arg(name: str) -> str:
    try:
        return _namespace(name, "--allow-variant-provider")
    except VariantError as exc:
        raise UsageError(exc.what, where=exc.where, hint="name a namespace: [a-z0-9_]+") from None
