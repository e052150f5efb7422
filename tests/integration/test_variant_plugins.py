"""Third-party variant provider plugins (PEP 850), allowed by namespace, run out of process.

``fictional-provider 1.0`` is a plugin made here as a wheel: ``fictional_provider:Plugin``
reports ``fictional :: level`` with values ``3`` then ``2`` (and appends its pid and
``sys.executable`` to the file ``$FICTIONAL_PROBE_LOG`` names; ``$FICTIONAL_FAIL`` makes it
raise). ``fic 1.0`` has variant wheels ``l2``, ``l3``, ``l4`` on that feature and a
non-variant wheel; its ``-variants.json`` (schema 0.2) declares the provider. Everything is
served from one find-links directory; the machine is static (``--no-detect``).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.support.here import X_Y
from tests.support.rangeserver import serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA = "https://variants-schema.wheelnext.dev/v0.2.0.json"
PROVIDERS = {
    "fictional": {"requires": ["fictional-provider"], "plugin-api": "fictional_provider:Plugin"}
}
LEVELS = {"l2": "2", "l3": "3", "l4": "4"}
PLUGIN = """\
import os, sys


class _Config:
    def __init__(self, name, values):
        self.name, self.values, self.multi_value = name, values, False


class Plugin:
    namespace = "fictional"

    def get_supported_configs(self):
        log = os.environ.get("FICTIONAL_PROBE_LOG")
        if log:
            with open(log, "a") as fh:
                fh.write(f"{os.getpid()} {sys.executable}\\n")
        if os.environ.get("FICTIONAL_FAIL"):
            raise RuntimeError("no fictional hardware here")
        print("noise a plugin may print")
        return [_Config("level", ["3", "2"])]
"""


def _metadata(labels: dict[str, str]) -> str:
    doc = {
        "$schema": SCHEMA,
        "default-priorities": {"namespace": ["fictional"]},
        "providers": PROVIDERS,
        "variants": {label: {"fictional": {"level": [v]}} for label, v in labels.items()},
    }
    return json.dumps(doc)


@pytest.fixture
def links(wheels: Path) -> Path:
    """The plugin, the variants of fic 1.0 with their -variants.json, a non-variant wheel."""
    make_wheel(wheels, "fictional-provider", "1.0", {"fictional_provider/__init__.py": PLUGIN})
    for label, level in LEVELS.items():
        make_wheel(
            wheels,
            "fic",
            "1.0",
            {
                "fic.py": f"LABEL = {label!r}\n",
                "fic-1.0.dist-info/variant.json": _metadata({label: level}),
            },
            filename=f"fic-1.0-py3-none-any-{label}.whl",
        )
    make_wheel(wheels, "fic", "1.0", {"fic.py": "LABEL = 'plain'\n"})
    (wheels / "fic-1.0-variants.json").write_text(_metadata(LEVELS))
    return wheels


def _sync(venv: Path, store: Path, links: Path, *args: str, check: bool = True) -> str:
    proc = run_graft(
        "sync", venv, "fic", "--store", store, "--no-detect", "--no-index",
        "--find-links", links, "-v", *args, check=check,
    )  # fmt: skip
    return proc.stderr


def _label(venv: Path) -> str:
    return py(venv, "import fic; print(fic.LABEL)")


def _provider_venvs(cache: Path) -> list[Path]:
    parent = cache / "variant-providers"
    return sorted(p for p in parent.iterdir() if p.is_dir()) if parent.is_dir() else []


def test_without_the_namespace_allowed_no_plugin_runs_and_v_names_the_flag(
    links: Path, tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(cache := tmp_path / "cache"))
    out = _sync(tmp_path / "v", store_dir, links)
    assert _label(tmp_path / "v") == "plain"
    assert "--allow-variant-provider fictional would run it" in out
    assert _provider_venvs(cache) == []
    # the allowed namespaces key the resolution memo: allowing one resolves again
    _sync(tmp_path / "v", store_dir, links, "--allow-variant-provider", "fictional")
    assert _label(tmp_path / "v") == "l3"
    _sync(tmp_path / "v", store_dir, links)
    assert _label(tmp_path / "v") == "plain"


def test_allow_providers_in_variants_toml_allows_the_namespace_too(
    links: Path, tmp_path: Path, store_dir: Path
) -> None:
    config = tmp_path / "variants.toml"
    config.write_text('allow-providers = ["fictional"]\n')
    _sync(tmp_path / "v", store_dir, links, "--variants-config", str(config))
    assert _label(tmp_path / "v") == "l3"


def test_a_plugin_that_cannot_be_installed_is_one_error_line(
    links: Path, tmp_path: Path, store_dir: Path
) -> None:
    (links / "fictional_provider-1.0-py3-none-any.whl").unlink()
    out = _sync(
        tmp_path / "v", store_dir, links, "--allow-variant-provider", "fictional", check=False
    )
    errors = [line for line in out.splitlines() if line.startswith("graft: error:")]
    assert len(errors) == 1
    assert errors[0].startswith(
        "graft: error: variant provider fictional: cannot install the provider plugin"
        " (fictional-provider): "
    )
    assert "Traceback" not in out


def test_an_allowed_plugin_runs_in_its_own_venv_and_chooses_the_best_variant(
    links: Path,
    tmp_path: Path,
    store_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(graft_cache := tmp_path / "cache"))
    log = tmp_path / "probe.log"
    monkeypatch.setenv("FICTIONAL_PROBE_LOG", str(log))
    out = _sync(tmp_path / "v", store_dir, links, "--allow-variant-provider", "fictional")
    assert _label(tmp_path / "v") == "l3"
    (provider,) = _provider_venvs(graft_cache)
    assert f"variant provider fictional: venv {provider} (made)" in out
    assert "variant provider fictional: plugin fictional-provider 1.0 answered level: 3, 2" in out
    assert "l4: incompatible: the machine supports no value of fictional :: level (4)" in out
    made = (provider / "pyvenv.cfg").stat()
    # again, resolving (--refresh recalls nothing): the provider venv's sync is a no-op
    again = _sync(
        tmp_path / "w", store_dir, links, "--allow-variant-provider", "fictional", "--refresh"
    )
    assert f"variant provider fictional: venv {provider} (already in sync)" in again
    assert (provider / "pyvenv.cfg").stat().st_mtime_ns == made.st_mtime_ns
    # a dry run syncs no provider venv: it asks the plugin in the one made (decision 162)
    dry = _sync(
        tmp_path / "x", store_dir, links, "--allow-variant-provider", "fictional", "--dry-run"
    )
    assert f"variant provider fictional: venv {provider} (made already, asked as it is)" in dry
    assert (provider / "pyvenv.cfg").stat().st_mtime_ns == made.st_mtime_ns
    assert _provider_venvs(graft_cache) == [provider]
    runs = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert len(runs) == 3
    for pid, executable in runs:
        assert executable == str(provider / "bin" / "python")  # never graft's interpreter
        assert int(pid) != os.getpid()


def test_the_variants_command_shows_what_the_plugin_answered(links: Path, store_dir: Path) -> None:
    proc = run_graft(
        "variants", "--no-detect", "--no-index", "--find-links", links, "--store", store_dir,
        "--allow-variant-provider", "fictional", "--json",
    )  # fmt: skip
    (release,) = [r for r in json.loads(proc.stdout)["releases"] if r["name"] == "fic"]
    assert release["plugins"] == [
        {
            "namespace": "fictional",
            "feature": "level",
            "values": ["3", "2"],
            "source": "plugin fictional-provider 1.0",
        }
    ]
    assert release["chosen"] == "fic-1.0-py3-none-any-l3.whl"
    plain = run_graft("variants", "--no-detect", "--no-index", "--find-links", links)
    assert "--allow-variant-provider fictional would run it" in plain.stdout
    assert "chosen: fic-1.0-py3-none-any.whl" in plain.stdout


def test_a_plugin_that_raises_is_one_error_line_naming_the_provider(
    links: Path, tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FICTIONAL_FAIL", "1")
    out = _sync(
        tmp_path / "v", store_dir, links, "--allow-variant-provider", "fictional", check=False
    )
    errors = [line for line in out.splitlines() if line.startswith("graft: error:")]
    assert errors == [
        (
            "graft: error: variant provider fictional (plugin fictional-provider 1.0,"
            " fictional_provider:Plugin): the plugin failed: RuntimeError: no fictional"
            " hardware here (without --allow-variant-provider fictional its namespace stays"
            " unsupported)"
        )
    ]
    assert "Traceback" not in out
    assert not (tmp_path / "v").exists()


def test_a_plugin_of_another_namespace_is_refused(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    make_wheel(
        wheels, "fictional-provider", "1.0", {"fictional_provider/__init__.py": PLUGIN.replace(
            'namespace = "fictional"', 'namespace = "other"')},
    )  # fmt: skip
    make_wheel(
        wheels, "fic", "1.0",
        {"fic.py": "", "fic-1.0.dist-info/variant.json": _metadata({"l3": "3"})},
        filename="fic-1.0-py3-none-any-l3.whl",
    )  # fmt: skip
    out = _sync(
        tmp_path / "v", store_dir, wheels, "--allow-variant-provider", "fictional", check=False
    )
    assert "the plugin failed: the plugin's namespace is 'other', not 'fictional'" in out


def _variant_findings(venv: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    proc = run_graft("audit", venv, "--json", "--no-detect", *args, check=False)
    found = json.loads(proc.stdout)["findings"]
    return proc.returncode, [f for f in found if str(f["kind"]).startswith("variant")]


def test_audit_asks_the_plugins_the_venv_was_synced_with(
    links: Path, tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    log = tmp_path / "probe.log"
    monkeypatch.setenv("FICTIONAL_PROBE_LOG", str(log))
    venv = tmp_path / "v"
    _sync(venv, store_dir, links, "--allow-variant-provider", "fictional")
    assert _label(venv) == "l3"
    cfg = venv / "pyvenv.cfg"
    assert "fictional" not in cfg.read_text()  # the record is in the store, not in the venv
    (record,) = (store_dir / "plans").glob("providers-*.json")
    assert json.loads(record.read_text()) == ["fictional"]
    assert _variant_findings(venv) == (0, [])  # no flag: the recorded namespace is allowed
    assert len(log.read_text().splitlines()) == 2  # the sync's and the audit's probe
    # without the record, the namespace is not allowed: reported, unless allowed by flag
    record.unlink()
    code, (found,) = _variant_findings(venv)
    assert code == 1
    assert found["detail"] == (
        "variant 'l3': the machine supports no value of fictional :: level (3)"
    )
    assert _variant_findings(venv, "--allow-variant-provider", "fictional") == (0, [])
    # an audit installs nothing: without the provider venv, the finding says so
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "other-cache"))
    code, (found,) = _variant_findings(venv, "--allow-variant-provider", "fictional")
    assert code == 1
    assert "has no provider venv for this venv's interpreter" in str(found["detail"])
    assert not (tmp_path / "other-cache" / "variant-providers").exists()
    # a sync without the flag drops the record
    _sync(venv, store_dir, links, "--allow-variant-provider", "fictional")
    assert record.exists()
    _sync(venv, store_dir, links)
    assert not record.exists()


def test_lock_accepts_allowed_providers_runs_none_and_locks_every_variant(
    links: Path, tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(cache := tmp_path / "cache"))
    lock = tmp_path / "pylock.toml"
    proc = run_graft(
        "lock", "fic", "--no-index", "--find-links", links, "--no-detect",
        "--allow-variant-provider", "fictional", "--python-version", X_Y,
        "--platform", "linux", "-o", lock,
    )  # fmt: skip
    assert "--allow-variant-provider runs no plugin in graft lock" in proc.stderr
    assert _provider_venvs(cache) == []
    text = lock.read_text()
    for label in LEVELS:
        assert f'name = "fic-1.0-py3-none-any-{label}.whl"' in text
    venv = tmp_path / "v"
    run_graft(
        "sync", venv, lock, "--store", store_dir, "--no-detect",
        "--variant-property", "fictional :: level :: 4",
    )  # fmt: skip
    assert _label(venv) == "l4"


def test_a_provider_venv_is_resolved_with_the_syncs_cut_off_and_index_strategy(
    links: Path, tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 209: the plugin's requirements are resolved as the sync's own, under its
    ``--exclude-newer`` and ``--index-strategy`` (they were left out: fictional-provider 2.0,
    uploaded after the cut-off, or on the index ``first-index`` asks last, answered ``4``)."""
    (links / "fictional_provider-1.0-py3-none-any.whl").unlink()
    for part in ("1", "2"):
        (tmp_path / "plugins" / part).mkdir(parents=True)
    plugins = tmp_path / "plugins"
    newer = PLUGIN.replace('["3", "2"]', '["4", "3", "2"]')
    old = make_wheel(plugins / "1", "fictional-provider", "1.0", {"fictional_provider.py": PLUGIN})
    new = make_wheel(plugins / "2", "fictional-provider", "2.0", {"fictional_provider.py": newer})
    with serve() as dated, serve() as first, serve() as second:
        dated.add_wheel(old, upload_time="2020-01-01T00:00:00Z")
        dated.add_wheel(new, upload_time="2024-06-01T00:00:00Z")
        allow = ("--find-links", links, "--allow-variant-provider", "fictional")
        monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache-v"))
        cut = ("--index-url", f"{dated.url}/simple/", "--exclude-newer", "2022-01-01")
        _synced(tmp_path / "v", store_dir, *allow, *cut)
        assert _label(tmp_path / "v") == "l3"
        first.add(old)
        second.add(new)
        # (an --extra-index-url is asked before --index-url, as uv asks them)
        both = ("--extra-index-url", f"{first.url}/simple/", "--index-url", f"{second.url}/simple/")
        monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache-w"))  # (a new provider
        _synced(tmp_path / "w", store_dir, *allow, *both)  # venv: one keeps its version)
        assert _label(tmp_path / "w") == "l3"  # first-index: 1.0, the first index's
        best = ("--index-strategy", "unsafe-best-match")
        monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache-x"))
        _synced(tmp_path / "x", store_dir, *allow, *both, *best)
        assert _label(tmp_path / "x") == "l4"


def test_a_provider_venv_takes_the_newest_plugin_it_is_allowed_as_a_new_one_would(
    links: Path, tmp_path: Path, store_dir: Path
) -> None:
    """Decision 241: a provider venv made under a cut-off (plugin 1.0, answers ``3``) and
    used again without it takes plugin 2.0 (``4``), as a provider venv made afresh does; it
    kept 1.0 as a held version, so the variant chosen hung on the cache's history."""
    (links / "fictional_provider-1.0-py3-none-any.whl").unlink()
    for part in ("1", "2"):
        (tmp_path / "plugins" / part).mkdir(parents=True)
    plugins = tmp_path / "plugins"
    newer = PLUGIN.replace('["3", "2"]', '["4", "3", "2"]')
    old = make_wheel(plugins / "1", "fictional-provider", "1.0", {"fictional_provider.py": PLUGIN})
    new = make_wheel(plugins / "2", "fictional-provider", "2.0", {"fictional_provider.py": newer})
    with serve() as dated:
        dated.add_wheel(old, upload_time="2020-01-01T00:00:00Z")
        dated.add_wheel(new, upload_time="2024-06-01T00:00:00Z")
        allow = ("--find-links", links, "--allow-variant-provider", "fictional")
        index = ("--index-url", f"{dated.url}/simple/")
        _synced(tmp_path / "v", store_dir, *allow, *index, "--exclude-newer", "2022-01-01")
        assert _label(tmp_path / "v") == "l3"
        _synced(tmp_path / "w", store_dir, *allow, *index)
        assert _label(tmp_path / "w") == "l4"
        # and back under the cut-off: 1.0 again, the newest it allows
        _synced(tmp_path / "x", store_dir, *allow, *index, "--exclude-newer", "2022-01-01")
        assert _label(tmp_path / "x") == "l3"


def _synced(venv: Path, store: Path, *args: str | Path) -> None:
    """``graft sync`` of fic with an index (``_sync``'s, without ``--no-index``)."""
    run_graft("sync", venv, "fic", "--store", store, "--no-detect", *args)
