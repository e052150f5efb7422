"""``graft bench``: a small graft venv measured against its flat copy. Timings are never asserted.

The fixture's ``alpha`` package has many modules behind one directory link (the fold), so the
venv holds fewer filesystem entries than the files it serves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graft.bench.startup import flat_copy, measure_layout
from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel

ALPHA_MODULES = 60


@pytest.fixture
def venv(tmp_path: Path, store_dir: Path, wheels: Path) -> Path:
    alpha = {f"alpha/m{i:02}.py": f"X = {i}\n" for i in range(ALPHA_MODULES)}
    made = [
        make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "V = 1\n", **alpha}),
        make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"}),
        make_wheel(wheels, "ns-a", "1.0", {"ns/a/__init__.py": "A = 1\n"}),
        make_wheel(wheels, "ns-b", "1.0", {"ns/b/__init__.py": "B = 1\n"}),
        make_wheel(wheels, "broken", "1.0", {"broken.py": "raise RuntimeError('no')\n"}),
    ]
    path = tmp_path / "venv"
    run_graft("sync", path, *made, "--store", store_dir)
    return path


@pytest.fixture
def tmpdir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR for the bench subprocess, to see that the flat copy is gone afterwards."""
    path = tmp_path / "tmp"
    path.mkdir()
    monkeypatch.setenv("TMPDIR", str(path))
    return path


def test_bench_json(venv: Path, tmpdir_env: Path) -> None:
    proc = run_graft("bench", venv, "--runs", "3", "--json")
    data = json.loads(proc.stdout)
    assert data["venv"] == str(venv)
    assert data["runs"] == 3
    assert data["modules"] == ["alpha", "beta", "ns"]
    assert data["skipped_modules"] == ["broken"]
    assert set(data["timings"]) == {"startup", "import"}
    assert data["timings"]["import"]["code"] == "import alpha, beta, ns"
    for timing in data["timings"].values():
        for side in ("graft", "flat"):
            t = timing[side]
            assert len(t["samples"]) == 3
            assert t["min"] <= t["median"] <= t["max"]
        assert timing["ratio_median"] > 0
    paths = data["sys_path"]
    assert paths["graft"]["entries"] == paths["flat"]["entries"]
    assert paths["graft"]["site_packages_roots"] == paths["flat"]["site_packages_roots"] == 1
    assert paths["graft"]["duplicate_realpaths"] == 0
    assert paths["same"] is True
    assert data["pth_files"] == {"count": 0, "names": []}
    layout = data["layout"]
    assert layout["fs_entries"] < layout["files_served"]
    assert layout["files_served"] > ALPHA_MODULES
    assert layout["bytes_venv"] > 0
    assert layout["bytes_behind_links"] > 0
    assert data["flat_copy"].startswith(str(tmpdir_env))
    assert not os.path.exists(data["flat_copy"])
    assert list(tmpdir_env.iterdir()) == []


def test_bench_table(venv: Path, tmpdir_env: Path) -> None:
    proc = run_graft("bench", venv, "--runs", "1")
    for label in ("startup venv", "import flat copy", "ratio venv/flat", "site packages roots"):
        assert label in proc.stdout
    assert "skipped (fail in the flat copy): broken" in proc.stdout
    assert list(tmpdir_env.iterdir()) == []


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_bench_plot(venv: Path, tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / f"out.{suffix}"
    run_graft("bench", venv, "--runs", "1", "--plot", out)
    assert out.stat().st_size > 0


def test_bench_errors(tmp_path: Path, venv: Path) -> None:
    proc = run_graft("bench", tmp_path, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("graft: error:")
    assert "not a virtual environment" in proc.stderr
    bad = run_graft("bench", venv, "--plot", tmp_path / "out.pdf", check=False)
    assert bad.returncode == 2
    assert ".png or .svg" in bad.stderr
    (venv / "bin" / "python").unlink()
    gone = run_graft("bench", venv, check=False)
    assert gone.returncode == 1
    assert len(gone.stderr.strip().splitlines()) == 1


def test_flat_copy_has_no_links_out(venv: Path, tmp_path: Path) -> None:
    copy = tmp_path / "flat"
    flat_copy(str(venv), str(copy))
    links = sorted(
        os.path.relpath(os.path.join(d, n), copy)
        for d, dirs, files in os.walk(copy)
        for n in [*dirs, *files]
        if os.path.islink(os.path.join(d, n))
    )
    assert all(link.startswith("bin/python") or link == "lib64" for link in links), links
    assert measure_layout(str(copy)).files_served == measure_layout(str(venv)).files_served
    assert measure_layout(str(copy)).bytes_behind_links == 0


# --------------------------------------------------------------------------- the sync benchmark
# The harness in benchmarks/syncbench (pyproject: pytest's pythonpath and mypy's mypy_path name
# benchmarks/): its pure parts, and the loopback index it serves. Nothing here is timed.


def test_summary_and_paired_ratios() -> None:
    from syncbench.stats import Phase, Series, add_ratios, paired_ratio, summary

    assert summary([]) == {"n": 0, "median": None, "min": None, "max": None}
    assert summary([3.0, 1.0, 2.0, 10.0]) == {"n": 4, "median": 2.5, "min": 1.0, "max": 10.0}
    a = Series("a", [1.0, None, 3.0, 4.0])
    b = Series("b", [2.0, 5.0, None, 0.0])
    r = paired_ratio(a, b)
    assert r["values"] == [0.5]  # a round counts only when both ran and b took time
    assert r["median"] == 0.5
    assert a.ok() == [1.0, 3.0, 4.0]
    phase = Phase("newdir", 4, {"graft": a, "uv": b})
    add_ratios(phase, [("graft", "uv"), ("graft", "pip")])
    assert set(phase.ratios) == {"graft/uv"}


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_rounds_run_the_commands_in_a_balanced_order(count: int) -> None:
    """Each command runs first, and right after each other one, equally often (Williams).

    A rotation by one each round fails this: the command after pip would follow pip in every
    round but one, always meeting the files pip's run left for the kernel to write back.
    """
    from collections import Counter
    from itertools import pairwise

    from syncbench.runner import ordered

    makers = {f"tool{i}": None for i in range(count)}
    span = 2 * count if count % 2 else count  # rounds over which the design is balanced
    rows = [[key for key, _ in ordered(makers, rnd)] for rnd in range(1, span + 1)]  # type: ignore[arg-type]
    assert all(sorted(row) == sorted(makers) for row in rows)
    firsts = Counter(row[0] for row in rows)
    after = Counter(pair for row in rows for pair in pairwise(row))
    assert set(firsts.values()) == {span // count}
    assert len(after) == count * (count - 1)
    assert len(set(after.values())) <= 1


def test_requirement_edits() -> None:
    from syncbench import reqs

    lines = reqs.parse_set("# head\nRequests==2.34.2\n\nidna==3.20  # why\ncertifi==2026.10.18\n")
    assert lines == ["Requests==2.34.2", "idna==3.20", "certifi==2026.10.18"]
    assert reqs.pinned("Requests==2.34.2") == ("requests", "2.34.2")
    for bad in ("idna>=3", "idna==3.*", "idna"):
        with pytest.raises(ValueError, match="not a pin"):
            reqs.pinned(bad)
    assert reqs.version_of(lines, "IDNA") == "3.20"
    edited = reqs.edit_pin(lines, "idna", "3.10")
    assert edited == ["Requests==2.34.2", "idna==3.10", "certifi==2026.10.18"]
    assert lines[1] == "idna==3.20"  # the input is not changed
    assert reqs.drop_pin(lines, "requests") == ["idna==3.20", "certifi==2026.10.18"]
    with pytest.raises(KeyError):
        reqs.edit_pin(lines, "urllib3", "2.0")
    with pytest.raises(KeyError):
        reqs.drop_pin(lines, "urllib3")
    assert reqs.render(["a==1", "b==2"]) == "a==1\nb==2\n"


def test_roots_of_a_set() -> None:
    from packaging.utils import canonicalize_name as cn

    from syncbench import reqs

    requires = {
        cn("requests"): ["idna<4,>=2.5", "certifi>=2017.4.17", "PySocks!=1.5.7; extra == 'socks'"],
        cn("idna"): [],
        cn("certifi"): [],
        cn("flask"): ["click>=8.1.3", "importlib-metadata>=3.6; python_version < '3.10'"],
        cn("click"): [],
        cn("zope-interface"): ["setuptools"],  # a name outside the set is ignored
        cn("self-ref"): ["self_ref[extra]"],  # requiring itself does not make it a non-root
    }
    assert reqs.roots(requires) == ["flask", "requests", "self-ref", "zope-interface"]
    assert reqs.choose_removable(requires) == "flask"
    assert reqs.choose_removable(requires, avoid=["Flask"]) == "requests"
    assert reqs.choose_removable({cn("a"): []}, avoid=["a"]) is None
    assert reqs.unpinned_roots({cn("a"): ["b"], cn("b"): []}) == ["a"]
    assert reqs.required_names(["not a requirement !!", "B_c>1"]) == {"b-c"}


def test_fresh_copy_keeps_pins_new_bytes(tmp_path: Path) -> None:
    from syncbench import reqs
    from syncbench.commands import fresh_copy

    src = tmp_path / "edited.txt"
    src.write_text("idna==3.10\ncertifi==2026.10.18\n")
    one, two, other = (
        fresh_copy(src, 1, "pin"),
        fresh_copy(src, 2, "pin"),
        fresh_copy(src, 1, "add"),
    )
    copies = (one, two, other)
    assert len({src, *copies}) == 4
    assert len({p.read_bytes() for p in (src, *copies)}) == 4
    assert all(reqs.parse_set(p.read_text()) == reqs.parse_set(src.read_text()) for p in copies)
    assert fresh_copy(src, 1, "pin") == one


def test_the_lock_cases_are_the_real_cli_and_edit_one_line(tmp_path: Path) -> None:
    from packaging.requirements import Requirement

    from syncbench.commands import GRAFT, GRAFT_LOCK, UV, IndexTools, edited_copy
    from syncbench.common import Tools

    roots = tmp_path / "roots.in"
    roots.write_text("# the roots\nrequests>=2; python_version >= '3.8'\nidna\n")
    one, two = edited_copy(roots, 1), edited_copy(roots, 2)
    assert edited_copy(roots, 1) == one
    changed = [
        (a, b)
        for a, b in zip(
            roots.read_text().splitlines(), one.read_text().splitlines()[1:], strict=True
        )
        if a != b
    ]
    assert changed == [
        ("requests>=2; python_version >= '3.8'", "requests>=2,!=0.0.0; python_version >= '3.8'")
    ]
    assert str(Requirement(changed[0][1]).specifier) in {">=2,!=0.0.0", "!=0.0.0,>=2"}
    assert two.read_text().splitlines()[1:] == roots.read_text().splitlines()
    assert len({roots.read_bytes(), one.read_bytes(), two.read_bytes()}) == 3

    tools = Tools("/py", "3.11", ["graft"], "/uv", ["/dev-py", "-m", "pip"], ["/dev-py"])
    it = IndexTools(tools, "http://127.0.0.1:1/simple/", Path("/store"))
    makers = it.lock(roots, ["graft", *GRAFT_LOCK], edit=True)
    graft = makers[GRAFT]("OUT", 1).argv
    assert graft[graft.index("-r") + 1] == str(one)
    # graft's own command line accepts it: it fails on the (absent) index, not on usage
    proc = run_graft(*graft[1:], "--offline", check=False)
    assert proc.returncode == 1, proc.stderr
    assert "not in the cache and --offline was given" in proc.stderr
    assert makers[UV]("OUT", 2).argv[-1] == str(two)


def test_index_tools_commands(tmp_path: Path) -> None:
    from syncbench.commands import GRAFT, PIP, UV, UV_COMPILE, IndexTools
    from syncbench.common import Tools

    tools = Tools("/py", "3.11", ["graft"], "/uv", ["/dev-py", "-m", "pip"], ["/dev-py"])
    it = IndexTools(tools, "http://127.0.0.1:1/simple/", Path("/store"))
    reqs = Path("/r.txt")
    install = it.install(reqs, create=True)
    assert install[GRAFT]("D", 1).argv == [
        *("graft", "sync", "D", "-r", "/r.txt", "--python", "/py"),
        *("--index-url", "http://127.0.0.1:1/simple/", "--store", "/store", "-q"),
    ]
    uv, uvc = install[UV]("D", 1).argv, install[UV_COMPILE]("D", 1).argv
    assert uv[:3] == ["/bin/sh", "-c", uv[2]]
    assert uv[2].startswith('"$1" venv -q "$2" && exec "$1" pip install')
    assert "--compile-bytecode" not in uv[2]
    assert uvc[2].endswith("--compile-bytecode")
    assert uv[4:] == ["/uv", "D", "http://127.0.0.1:1/simple/", "/r.txt"]
    assert "--index-url" in install[PIP]("D", 1).argv
    cold = it.cold(reqs)
    assert cold[GRAFT]("C", 1).env == {"GRAFT_CACHE_DIR": "C/cache"}
    assert "C/store" in cold[GRAFT]("C", 1).argv
    assert cold[UV]("C", 1).env == {"UV_CACHE_DIR": "C/cache"}
    assert cold[PIP]("C", 1).env == {"PIP_CACHE_DIR": "C/cache"}
    minus = tmp_path / "m.txt"
    minus.write_text("idna==3.20\n")
    removed = it.remove(minus, "requests")
    assert removed[PIP]("V", 1).argv[-4:] == ["uninstall", "-q", "-y", "requests"]
    assert "pip sync" in removed[UV]("V", 1).argv[2]
    no_deps = IndexTools(tools, "u", Path("/s"), no_deps=True).install(reqs, create=False)
    assert no_deps[GRAFT]("D", 1).argv[-1] == "--no-deps"
    assert no_deps[UV]("D", 1).argv[2].endswith("--no-deps")
    assert "venv" not in no_deps[UV]("D", 1).argv[2]


def _series(times: list[float | None]) -> dict[str, Any]:
    from syncbench.stats import Phase, Series, phase_to_json

    series: dict[str, Any] = phase_to_json(Phase("x", len(times), {"s": Series("cmd", times)}))
    return dict(series["series"]["s"])


def _result() -> dict[str, Any]:
    """A small made-up result: medium with three paths, one of them unsupported."""

    def phase(times: dict[str, list[float | None]], ratios: dict[str, list[float]]) -> Any:
        from syncbench.stats import summary

        return {
            "series": {k: _series(v) for k, v in times.items()},
            "ratios": {k: {**summary(v), "values": v} for k, v in ratios.items()},
            "foreign_cpu": 0.05,
            "graft_source": "abc",
            "details": {"edited": "idna==3.10"},
        }

    tools: dict[str, list[float | None]] = {
        "graft": [1.0, 2.0],
        "uv": [2.0, 2.0],
        "uv-compile": [4.0, 4.0],
        "pip": [8.0, 9.0],
    }
    return {
        "started": "2026-11-30T08:00:00+00:00",
        "duration_s": 600.0,
        "timed_seconds": 500.0,
        "machine": {"cpus": 2, "kernel": "6", "filesystem": {}},
        "tools": {
            "python": {"version": "Python 3.11.7", "path": "/py"},
            "uv": {"version": "uv 0.13.9"},
            "pip": {"version": "pip 26.3"},
            "graft": {"available": True, "version": "0.1.0", "git_head": "abc1234"},
        },
        "config": {
            "argv": ["--quick", "--sets", "medium"],
            "quick": True,
            "runs": 2,
            "runs_airflow": 2,
            "pip_runs": 0,
            "settle_s": 15,
            "wait_idle_s": 60,
        },
        "build": {
            "form": "build",
            "series": {},
            "ratios": {},
            "unsupported": "not supported by this graft: exit 1: sdist-only",
        },
        "sets": {
            "medium": {
                "prepared": {
                    "distributions": 50,
                    "checks": {"graft-fixed": 50},
                    "edited": "idna==3.10",
                    "removable": "alembic",
                },
                "phases": {
                    "cold": phase(tools, {"graft/uv": [0.5, 1.1], "graft/uv-compile": [0.25, 0.5]}),
                    "pin": phase(tools, {"graft/uv": [3.0, 0.9, 1.1]}),
                    "resolve": {
                        "form": "resolve",
                        "series": {},
                        "ratios": {},
                        "unsupported": "not supported by this graft: exit 2: no resolver",
                    },
                },
            }
        },
    }


def test_report_renders_paths_and_targets() -> None:
    from syncbench.fmt import EN, LE, TIMES
    from syncbench.report import render_markdown

    md = render_markdown(_result(), None, None)
    assert "made by `.venv/bin/python benchmarks/bench_sync.py --quick --sets medium`" in md
    assert "A `--quick` run" in md
    assert "### Cold: empty store and caches" in md
    assert "| set | dists | graft | uv | uv --compile-bytecode | pip | graft / uv |" in md
    assert f"| medium | 50 | 1.50 s [1.00{EN}2.00] | 2.00 s [2.00{EN}2.00] |" in md
    assert f"**0.80** [0.50{EN}1.10]" in md  # the paired ratio, not a ratio of medians
    assert (
        f"cold, against `uv pip install --compile-bytecode` | {LE} 0.7{TIMES} | 0.38 [0.25{EN}0.50]"
        " | **met**" in md
    )
    assert (
        f"one pin changed in a requirements file | {LE} 1.0{TIMES} | 1.10 [0.90{EN}3.00] | NOT met"
        in md
    )
    assert f"no-op re-sync | {LE} 1.0{TIMES} | n/a | not measured" in md
    assert "*not supported by this graft: exit 2: no resolver*" in md
    assert "Changed: medium: edited `idna==3.10`." in md
    assert (
        "### Build: a set with sdists, cold\n\n*not supported by this graft: exit 1: sdist-only*"
        in md
    )
    assert "![Wall time per path" not in md  # no plot was made
    assert "## From local wheels" not in md  # this result timed no local-wheels form
    assert "graft's sources (hash" not in md  # one source hash; the unsupported path has none


def test_report_renders_the_committed_result() -> None:
    """The committed result (whatever paths it timed) renders with the current report."""
    from syncbench.report import render_markdown

    old = json.loads((Path(__file__).parents[2] / "benchmarks/results/bench_sync.json").read_text())
    md = render_markdown(old, None, None)
    assert "## From local wheels" in md or "## Every path a user meets" in md
    assert "## Caveats" in md


def test_the_report_shows_another_runs_sets_in_the_path_tables() -> None:
    """``--report-only A B``: B's web and data rows join A's tables; A's own text is unchanged."""
    from syncbench.report import merge_runs, render_markdown

    results = Path(__file__).parents[2] / "benchmarks/results"
    files = [results / "bench_sync.json", results / "bench_webdata.json"]
    runs = [json.loads(f.read_text()) for f in files]
    alone = render_markdown({**runs[0], "config": alone_config(runs, files)}, None, None)
    md = render_markdown(merge_runs(runs, files), None, None)
    lock_edit = md.split("### Lock after editing one line")[1].split("###")[0]
    rows = [line.split(" | ")[0] for line in lock_edit.splitlines() if line.startswith("| ")]
    assert rows == ["| set", "| small", "| medium", "| web", "| data"]
    assert "Rows for web and data come from another run" in md
    assert "raw data `benchmarks/results/bench_webdata.json`" in md
    added = [x for x in md.splitlines() if x and x not in alone.splitlines()]
    assert added  # the control
    targets = [x for x in added if x.startswith("| ") and "(issue 11)" in x]
    assert all(
        x.startswith(("| web |", "| data |", "Rows for", "Changed:")) or x in targets for x in added
    )
    # issue 11's targets are said for every set measured, the other run's too
    lock_new = next(x for x in targets if x.startswith("| the same, inputs never locked"))
    assert "small: " in lock_new
    assert "web: " in lock_new
    assert merge_runs(runs[:1], files[:1]) == {**runs[0], "config": alone_config(runs, files)}


def alone_config(runs: list[dict[str, Any]], files: list[Path]) -> dict[str, Any]:
    return {**runs[0]["config"], "out": str(files[0])}


def test_loopback_index(tmp_path: Path) -> None:
    """PEP 503 and PEP 691 pages with sha256, files served (ranges too), no metadata files."""
    import hashlib
    import urllib.request

    from syncbench.index import JSON_TYPE, serve

    made = make_wheel(tmp_path, "Some.Thing", "1.0", {"some_thing.py": "X = 1\n"})
    make_wheel(tmp_path, "some-thing", "2.0", {"some_thing.py": "X = 2\n"})
    digest = hashlib.sha256(made.read_bytes()).hexdigest()
    with serve(tmp_path) as url:
        with urllib.request.urlopen(url + "Some_Thing/") as resp:  # noqa: S310 (loopback)
            page = resp.read().decode()
            assert resp.headers["ETag"]
        assert f'href="/files/{made.name}#sha256={digest}"' in page
        assert "some_thing-2.0-py3-none-any.whl" in page
        assert "metadata" not in page
        req = urllib.request.Request(url + "some-thing/", headers={"Accept": JSON_TYPE})  # noqa: S310
        with urllib.request.urlopen(req) as resp:  # noqa: S310
            doc = json.loads(resp.read())
        assert doc["name"] == "some-thing"
        assert {f["filename"]: f["hashes"]["sha256"] for f in doc["files"]}[made.name] == digest
        assert all("core-metadata" not in f for f in doc["files"])
        base = url.removesuffix("/simple/")
        with urllib.request.urlopen(f"{base}/files/{made.name}") as resp:  # noqa: S310
            assert hashlib.sha256(resp.read()).hexdigest() == digest
            assert resp.headers["Accept-Ranges"] == "bytes"
        data, size = made.read_bytes(), made.stat().st_size
        for header, status, want in [
            ("bytes=-22", 206, data[-22:]),  # a suffix: where a zip's directory ends
            ("bytes=3-9", 206, data[3:10]),
            (f"bytes=5-{size + 100}", 206, data[5:]),  # clipped to the file
            ("bytes=10-", 206, data[10:]),
            ("bytes=0-1,4-5", 200, data),  # several ranges: the whole file, as allowed
        ]:
            ranged = urllib.request.Request(f"{base}/files/{made.name}", headers={"Range": header})  # noqa: S310
            with urllib.request.urlopen(ranged) as resp:  # noqa: S310
                assert (resp.status, resp.read()) == (status, want), header
                if status == 206:
                    first = size - 22 if header == "bytes=-22" else int(header[6:].split("-")[0])
                    assert (
                        resp.headers["Content-Range"]
                        == f"bytes {first}-{first + len(want) - 1}/{size}"
                    )
        file_url = f"{base}/files/{made.name}"
        beyond = urllib.request.Request(file_url, headers={"Range": f"bytes={size}-"})  # noqa: S310
        with pytest.raises(urllib.error.HTTPError, match="416"):
            urllib.request.urlopen(beyond)  # noqa: S310
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(url + "nothing/")  # noqa: S310


def test_the_pypi_lock_bench_asks_new_inputs_and_reads_its_target_against_uv_offline(
    tmp_path: Path,
) -> None:
    """Each round's input is new (no stamp or edit proof answers) at a new output path; the
    page's verdict is read against `uv --offline`, and uv as it runs is shown beside it."""
    import bench_lock_pypi as bench

    first = bench._new_input(tmp_path, "web", "graft", 1)
    again = bench._new_input(tmp_path, "web", "graft", 1)
    assert first != again
    roots = Path(first[0]).read_text().splitlines()
    assert roots[0].startswith("django!=0.0.")
    assert roots[1:] == bench.SETS["web"][1:]
    assert first[1].endswith(".toml")
    assert "--offline" in bench._argv("uv-offline", "uv", "r.in", "o.txt")
    assert "--offline" not in bench._argv("uv", "uv", "r.in", "o.txt")

    def row(ratio: float, network: float) -> dict[str, Any]:
        cell = {"median": 1.0, "min": 1.0, "max": 1.0}
        return {
            "roots": ["x"],
            **dict.fromkeys(("graft", "uv", "uv-offline"), cell),
            "ratio": {"median": ratio, "min": ratio, "max": ratio},
            "ratio_network": {"median": network},
        }

    made = {"when": "now", "command": "bench", "graft": "abc", "uv": "uv 0"}
    page = bench.report(made, {"fast": row(1.2, 0.5), "slow": row(22.0, 0.7)})
    assert "| fast | x |" in page
    assert "**1.20** [1.20-1.20] | met | 1.00 s [1.00 s-1.00 s] | 0.50 |" in page
    assert "**22.00** [22.00-22.00] | NOT met |" in page


def test_a_second_run_on_one_work_directory_waits_for_the_first(tmp_path: Path) -> None:
    """Two runs on one work directory would delete each other's live trees in ``work/runs``."""
    from syncbench.quiet import hold_work_dir

    work = tmp_path / "work"
    hold_work_dir(work)
    probe = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDWR)\n"
        "try:\n"
        "    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError:\n"
        "    print('held')\n"
        "else:\n"
        "    print('free')\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", probe, str(work / "bench.lock")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout.strip() == "held"
