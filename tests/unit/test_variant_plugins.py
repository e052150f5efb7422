"""Provider plugins (PEP 850): the spec, the probe's answer, and who is asked for what."""

from __future__ import annotations

import json
import sys
from types import MappingProxyType
from typing import TYPE_CHECKING

import pytest

from graft.errors import VariantError
from graft.model.variants import PluginAnswer, Provider, VariantMetadata, VariantProperty
from graft.variants.machine import Machine
from graft.variants.plugins import MARK, PluginSpec, ask, parse_answer, plugin_spec, with_plugins
from graft.variants.select import SupportedFeature

if TYPE_CHECKING:
    from pathlib import Path

PLUGIN = Provider(requires=("Fictional.Provider>=1", "helper"), plugin_api=None)
SPEC = PluginSpec("fictional", ("fictional-provider",), "fictional_provider:Plugin")


def test_the_plugin_api_defaults_to_the_first_requirements_normalized_name() -> None:
    spec = plugin_spec("fictional", PLUGIN)
    assert spec == PluginSpec("fictional", PLUGIN.requires, "fictional_provider")
    assert spec.distribution == "fictional-provider"
    given = Provider(requires=("x",), plugin_api="pkg.mod:Obj.attr")
    assert plugin_spec("ns", given) == PluginSpec("ns", ("x",), "pkg.mod:Obj.attr")
    assert plugin_spec("ns", Provider(static_properties=(("f", ("1",)),))) is None


@pytest.mark.parametrize(
    ("provider", "message"),
    [
        (Provider(requires=("not a requirement!",)), "requires:"),
        (Provider(requires=("x",), plugin_api="mod:"), "is not module"),
        (Provider(requires=("x",), plugin_api="os;rm"), "is not module"),
    ],
)
def test_a_bad_provider_is_one_error(provider: Provider, message: str) -> None:
    with pytest.raises(VariantError, match=message):
        plugin_spec("ns", provider)


def _out(configs: object) -> str:
    return f"what the plugin printed\n{MARK}{json.dumps(configs)}\n"


def test_the_answer_keeps_the_plugins_order_and_drops_empty_features() -> None:
    configs = [
        {"name": "level", "multi_value": False, "values": ["3", "2", "3"]},
        {"name": "empty", "multi_value": True, "values": []},
    ]
    answer = parse_answer(_out(configs), SPEC, "plugin fictional-provider 1.0")
    assert answer == PluginAnswer(
        "fictional", (("level", ("3", "2")),), "plugin fictional-provider 1.0"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no mark at all\n", "no JSON list"),
        (f"{MARK}{{not json\n", "no JSON list"),
        (_out({"level": ["3"]}), "no JSON list"),
        (_out([{"name": "Level", "values": ["3"]}]), "bad feature name 'Level'"),
        (_out([{"name": "l", "values": ["3"]}, {"name": "l", "values": ["2"]}]), "bad feature"),
        (_out([{"name": "level", "values": ["a b"]}]), "bad values for level"),
        (_out([{"name": "level", "values": "3"}]), "bad values for level"),
    ],
)
def test_a_bad_answer_is_one_error_naming_the_provider(text: str, message: str) -> None:
    with pytest.raises(VariantError, match=message) as caught:
        parse_answer(text, SPEC, "plugin fictional-provider 1.0")
    assert caught.value.where == (
        "variant provider fictional (plugin fictional-provider 1.0, fictional_provider:Plugin)"
    )


def test_the_probe_runs_the_plugin_in_the_interpreter_given(tmp_path: Path) -> None:
    (tmp_path / "fictional_provider.py").write_text(
        "class C:\n    name, multi_value, values = 'level', False, ['3', '2']\n"
        "class Plugin:\n    namespace = 'fictional'\n"
        "    def get_supported_configs(self):\n        print('noise')\n        return [C]\n"
    )
    # a stand-in interpreter: graft's own, with the plugin's directory on its path
    python = tmp_path / "python"
    python.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "code, sys.argv = sys.argv[3], ['-c', *sys.argv[4:]]\n"
        "exec(code, {'__name__': '__main__'})\n"
    )
    python.chmod(0o755)
    answer = ask(str(python), SPEC, "plugin fictional-provider 1.0")
    assert answer == PluginAnswer(
        "fictional", (("level", ("3", "2")),), "plugin fictional-provider 1.0"
    )


def test_a_plugin_that_cannot_be_imported_is_one_error() -> None:
    with pytest.raises(VariantError, match="the plugin failed: ModuleNotFoundError") as caught:
        ask(sys.executable, SPEC, "plugin fictional-provider 1.0")
    assert caught.value.hint == (
        "without --allow-variant-provider fictional its namespace stays unsupported"
    )


class _Plugins:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def supported(self, namespace: str, provider: Provider) -> PluginAnswer:
        del provider
        self.asked.append(namespace)
        return PluginAnswer(namespace, (("level", ("3", "2")),), "plugin p 1.0")


def _metadata(*namespaces: str) -> VariantMetadata:
    return VariantMetadata(
        "https://variants-schema.wheelnext.dev/v0.2.0.json",
        namespaces,
        MappingProxyType(
            {f"l{ns}": frozenset({VariantProperty(ns, "level", "3")}) for ns in namespaces}
        ),
        MappingProxyType(dict.fromkeys((*namespaces, "unused"), PLUGIN)),
    )


def test_only_allowed_namespaces_are_asked_and_the_others_get_a_hint() -> None:
    plugins = _Plugins()
    user = SupportedFeature("mine", "level", ("1",), "--variant-property")
    builtin = SupportedFeature("cpu", "level", ("v1",), "builtin: /proc/cpuinfo")
    machine = Machine((user, builtin), allowed=("cpu", "fictional", "mine", "unused"))
    features, hints = with_plugins(machine, _metadata("cpu", "fictional", "mine", "off"), plugins)
    # the user's own answer is never overridden; unused namespaces are not asked
    assert plugins.asked == ["cpu", "fictional"]
    assert features == (
        user,  # an allowed plugin replaces built-in detection of its namespace
        SupportedFeature("cpu", "level", ("3", "2"), "plugin p 1.0"),
        SupportedFeature("fictional", "level", ("3", "2"), "plugin p 1.0"),
    )
    assert hints == (
        (
            "namespace off has a provider plugin (Fictional.Provider>=1, helper), not run:"
            " --allow-variant-provider off would run it"
        ),
    )


def test_nothing_is_asked_without_a_runner() -> None:
    machine = Machine((), allowed=("fictional",))
    features, hints = with_plugins(machine, _metadata("fictional"), None)
    assert features == ()
    assert hints == (
        (
            "namespace fictional has a provider plugin (Fictional.Provider>=1, helper),"
            " not run: allowed, but this command runs no plugin"
        ),
    )
