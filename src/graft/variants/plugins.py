"""Third-party provider plugins (PEP 850, variantlib 0.2): asked only when allowed, out of process.

A release's variant metadata may name, per namespace, a provider plugin to install
(``providers.{ns}.requires``, PEP 508 requirements) and the object to ask
(``plugin-api``: ``module(:attr.path)?``, by default the first requirement's normalized
name with ``-`` as ``_``). graft runs it only when the user allowed that namespace by name
(:attr:`graft.variants.machine.Machine.allowed`); the plugin is then installed into a
provider venv of its own (made by the command line: ``graft.cli.provider_envs``) and
imported by :data:`PROBE` in that venv's interpreter (``python -I -c``), never in graft's
process. The probe prints the features ``get_supported_configs()`` returns (name,
multi_value, values most preferred first) as one JSON line, which :func:`parse_answer`
checks.

:func:`with_plugins` adds the answers to the machine's features for one release: a
namespace the user answered (``--variant-property``, ``variants.toml``) is never asked; an
allowed plugin's answer replaces built-in detection for its namespace; a namespace not
allowed stays unsupported and gets a hint naming the flag that would allow it.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.errors import VariantError, first_line
from graft.model.variants import PluginAnswer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.variants import Provider, ProviderPlugins, VariantMetadata
    from graft.variants.machine import Machine
    from graft.variants.select import SupportedFeature

#: How long a plugin may take to answer, in seconds.
TIMEOUT = 60
#: The line of the probe's output that holds the answer.
MARK = "graft-variant-provider-answer:"
_NAME = re.compile(r"[a-z0-9_]+")
_VALUE = re.compile(r"[a-z0-9_.]+")

#: Run in the provider venv's interpreter (``python -I -c PROBE API NAMESPACE``): standard
#: library only; imports the plugin-api object (a class is instantiated, as variantlib does),
#: checks its namespace and prints its supported configs as JSON after :data:`MARK`.
PROBE = f"""\
import importlib, json, sys
api, namespace = sys.argv[1], sys.argv[2]
module, _, attrs = api.partition(":")
obj = importlib.import_module(module)
for part in filter(None, attrs.split(".")):
    obj = getattr(obj, part)
if isinstance(obj, type):
    obj = obj()
found = getattr(obj, "namespace", None)
if found != namespace:
    sys.exit("graft: the plugin's namespace is %r, not %r" % (found, namespace))
out = [
    {{"name": c.name, "multi_value": bool(getattr(c, "multi_value", False)),
     "values": list(c.values)}}
    for c in obj.get_supported_configs()
]
sys.stdout.write("\\n{MARK}" + json.dumps(out) + "\\n")
"""


@dataclass(frozen=True, slots=True)
class PluginSpec:
    """One namespace's plugin: what to install and what to ask."""

    namespace: str
    requires: tuple[str, ...]
    api: str  # module(:attr.path)?

    @property
    def distribution(self) -> str:
        """The normalized name of the first requirement (the plugin's own distribution)."""
        from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
        from packaging.utils import canonicalize_name  # noqa: PLC0415

        try:
            return canonicalize_name(Requirement(self.requires[0]).name)
        except InvalidRequirement:
            return self.requires[0]


def plugin_spec(namespace: str, provider: Provider) -> PluginSpec | None:
    """The plugin *provider* describes for *namespace*, None when it needs none to be installed.

    Raises :class:`VariantError` for a requirement that is not PEP 508 or a bad plugin-api.
    """
    if not provider.requires:
        return None
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    where = f"providers.{namespace}"
    try:
        first = Requirement(provider.requires[0])
        for text in provider.requires[1:]:
            Requirement(text)
    except InvalidRequirement as exc:
        raise VariantError(f"requires: {first_line(exc)}", where=where) from None
    api = provider.plugin_api or canonicalize_name(first.name).replace("-", "_")
    if re.fullmatch(r"[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?", api) is None:
        raise VariantError(f"plugin-api {api!r} is not module(:attr.path)", where=where)
    return PluginSpec(namespace, tuple(provider.requires), api)


def parse_answer(text: str, spec: PluginSpec, source: str) -> PluginAnswer:
    """The features in the probe's *text* output, checked (names, values, no repeats)."""
    lines = [line for line in text.splitlines() if line.startswith(MARK)]
    where = f"variant provider {spec.namespace} ({source}, {spec.api})"
    try:
        data = json.loads(lines[-1][len(MARK) :]) if lines else None
    except ValueError:
        data = None
    if not isinstance(data, list):
        raise VariantError("the plugin gave no JSON list of configs", where=where)
    features: dict[str, tuple[str, ...]] = {}
    for item in data:
        name = item.get("name") if isinstance(item, dict) else None
        values = item.get("values") if isinstance(item, dict) else None
        if not isinstance(name, str) or _NAME.fullmatch(name) is None or name in features:
            raise VariantError(f"the plugin reported a bad feature name {name!r}", where=where)
        if not isinstance(values, list) or not all(
            isinstance(v, str) and _VALUE.fullmatch(v) for v in values
        ):
            raise VariantError(f"the plugin reported bad values for {name}", where=where)
        if values:
            features[name] = tuple(dict.fromkeys(values))
    return PluginAnswer(spec.namespace, tuple(features.items()), source)


def ask(python: str, spec: PluginSpec, source: str, *, timeout: float = TIMEOUT) -> PluginAnswer:
    """Run the plugin of *spec* in the interpreter *python* (its provider venv's) and parse it.

    Any failure (import error, exception, wrong namespace, bad output, timeout) is one
    :class:`VariantError` line naming the provider.
    """
    where = f"variant provider {spec.namespace} ({source}, {spec.api})"
    try:
        proc = subprocess.run(
            [python, "-I", "-c", PROBE, spec.api, spec.namespace],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise VariantError(f"the plugin did not answer in {timeout:g} s", where=where) from None
    except OSError as exc:
        raise VariantError(f"cannot run {python} ({exc.strerror})", where=where) from None
    if proc.returncode != 0:
        last = [line for line in proc.stderr.splitlines() if line.strip()]
        why = last[-1].strip() if last else f"exit status {proc.returncode}"
        raise VariantError(
            f"the plugin failed: {why.removeprefix('graft: ')}",
            where=where,
            hint=f"without --allow-variant-provider {spec.namespace} its namespace stays"
            " unsupported",
        )
    return parse_answer(proc.stdout, spec, source)


def with_plugins(
    machine: Machine, metadata: VariantMetadata, plugins: ProviderPlugins | None
) -> tuple[tuple[SupportedFeature, ...], tuple[str, ...]]:
    """The machine's features for one release, with its allowed plugins' answers; and hints.

    The hints name each namespace the release would have a plugin ask, and the flag that
    allows it (for ``-v``).
    """
    from graft.variants.select import SupportedFeature  # noqa: PLC0415

    user = {f.namespace for f in machine.features if not f.source.startswith("builtin")}
    used = {p.namespace for props in metadata.variants.values() for p in props}
    answers: list[SupportedFeature] = []
    asked: set[str] = set()
    hints: list[str] = []
    for namespace, provider in sorted(metadata.providers.items()):
        if namespace in user or namespace not in used:
            continue
        spec = plugin_spec(namespace, provider)
        if spec is None:
            continue
        if namespace not in machine.allowed or plugins is None:
            why = (
                "allowed, but this command runs no plugin"
                if namespace in machine.allowed
                else f"--allow-variant-provider {namespace} would run it"
            )
            plugin = ", ".join(spec.requires)
            hints.append(f"namespace {namespace} has a provider plugin ({plugin}), not run: {why}")
            continue
        answer = plugins.supported(namespace, provider)
        asked.add(namespace)
        answers.extend(
            SupportedFeature(namespace, feature, values, answer.source)
            for feature, values in answer.features
        )
    kept: Sequence[SupportedFeature] = [f for f in machine.features if f.namespace not in asked]
    return (*kept, *answers), tuple(hints)
