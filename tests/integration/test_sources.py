"""Finding wheels: a simple-API index served on loopback, find-links, and the target's tag order."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.tags import sys_tags

from tests.conftest import run_graft
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

BEST = next(iter(sys_tags()))  # e.g. cp311-cp311-manylinux_2_36_x86_64


class _Index(http.server.SimpleHTTPRequestHandler):
    """PEP 691 JSON for /json/<name>/, PEP 503 HTML for /html/<name>/, files under /files/."""

    wheels: Path
    requests: list[str]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        del format, args

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        parts = self.path.strip("/").split("/")
        if parts[0] == "files":
            data = (self.wheels / parts[1]).read_bytes()
            self._send(data, "application/octet-stream")
            return
        name = parts[1]
        files = sorted(p for p in self.wheels.iterdir() if p.name.startswith(name + "-"))
        digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
        if name == "liar":  # an index that announces a wrong hash
            digests = dict.fromkeys(digests, "0" * 64)
        if parts[0] == "json":
            body = {
                "meta": {"api-version": "1.1"},
                "name": name,
                "files": [
                    {"filename": n, "url": f"/files/{n}", "hashes": {"sha256": d}}
                    for n, d in digests.items()
                ],
            }
            self._send(json.dumps(body).encode(), "application/vnd.pypi.simple.v1+json")
        else:
            links = "".join(f'<a href="/files/{n}#sha256={d}">{n}</a>' for n, d in digests.items())
            self._send(f"<html><body>{links}</body></html>".encode(), "text/html")

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def index(wheels: Path) -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    handler = type("Handler", (_Index,), {"wheels": wheels, "requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


@pytest.mark.parametrize("api", ["json", "html"])
def test_installs_from_a_simple_index_and_caches_pages(
    tmp_path: Path, store_dir: Path, wheels: Path, index: tuple[str, list[str]], api: str
) -> None:
    url, requests = index
    make_wheel(wheels, "gamma", "1.0", {"gamma.py": "G = 1\n"})
    venv = tmp_path / "venv"
    run_graft("sync", venv, "gamma==1.0", "--index-url", f"{url}/{api}/", "--store", store_dir)
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert f"/{api}/gamma/" in requests  # the page was read (the wheel may come from the cache)
    requests.clear()
    run_graft(
        "sync",
        tmp_path / "again",
        "gamma==1.0",
        "--index-url",
        f"{url}/{api}/",
        "--store",
        store_dir,
    )
    assert requests == []  # page fresh in the cache, wheel in the download cache
    run_graft(
        "sync",
        tmp_path / "offline",
        "gamma==1.0",
        "--index-url",
        f"{url}/{api}/",
        "--store",
        store_dir,
        "--offline",
    )


def test_a_wrong_index_hash_is_refused(
    tmp_path: Path, store_dir: Path, wheels: Path, index: tuple[str, list[str]]
) -> None:
    url, _ = index
    make_wheel(wheels, "liar", "1.0", {"liar.py": ""})
    proc = run_graft(
        "sync",
        tmp_path / "v",
        "liar==1.0",
        "--index-url",
        f"{url}/json/",
        "--store",
        store_dir,
        check=False,
    )
    assert proc.returncode == 1
    assert "does not match the index's sha256" in proc.stderr
    assert not (store_dir / "entries").exists() or not any((store_dir / "entries").iterdir())


def test_the_target_tag_order_picks_the_wheel(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    make_wheel(wheels, "delta", "1.0", {"delta.py": "KIND = 'generic'\n"}, tag="py3-none-any")
    make_wheel(wheels, "delta", "1.0", {"delta.py": "KIND = 'specific'\n"}, tag=str(BEST))
    make_wheel(
        wheels,
        "delta",
        "1.0",
        {"delta.py": "KIND = 'other'\n"},
        tag="cp27-cp27mu-manylinux1_x86_64",
    )
    venv = tmp_path / "venv"
    run_graft(
        "sync", venv, "delta==1.0", "--find-links", wheels, "--no-index", "--store", store_dir
    )
    assert py(venv, "import delta; print(delta.KIND)") == "specific"
    assert len(list(venv.glob("lib/*/site-packages/delta-*.dist-info"))) == 1


def test_no_compatible_wheel_is_a_clear_error(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    make_wheel(wheels, "epsilon", "1.0", {"e.py": ""}, tag="cp27-cp27mu-manylinux1_x86_64")
    proc = run_graft(
        "sync",
        tmp_path / "v",
        "epsilon==1.0",
        "--find-links",
        wheels,
        "--no-index",
        "--store",
        store_dir,
        check=False,
    )
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert "no wheel of epsilon==1.0 fits" in line
    assert "epsilon-1.0-cp27-cp27mu-manylinux1_x86_64.whl" in line


def test_concurrent_syncs_share_one_store(tmp_path: Path, store_dir: Path, wheels: Path) -> None:
    import subprocess

    paths = [
        make_wheel(wheels, f"pkg{i}", "1.0", {f"pkg{i}/__init__.py": f"N = {i}\n"})
        for i in range(6)
    ]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graft",
                "sync",
                str(tmp_path / f"v{i}"),
                *map(str, paths[i % 3 : i % 3 + 4]),
                "--store",
                str(store_dir),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(6)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert len(list((store_dir / "entries").iterdir())) == 6
    assert not list((store_dir / "tmp").iterdir())
    assert run_graft("store", "verify", "--store", store_dir).returncode == 0


def test_second_interpreter_gets_its_own_bytecode_in_the_same_entry(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    from graft.errors import TargetError
    from graft.target import find_interpreter

    try:
        other = find_interpreter("3.12")
    except TargetError:
        pytest.skip("CPython 3.12 is not installed (pyenv install 3.12)")
    wheel = make_wheel(wheels, "zeta", "1.0", {"zeta/__init__.py": "Z = 1\n"})
    run_graft("sync", tmp_path / "a", wheel, "--store", store_dir)
    run_graft("sync", tmp_path / "b", wheel, "--store", store_dir, "--python", other)
    (entry,) = (store_dir / "entries").iterdir()
    tags = sorted(p.name for p in (entry / "bytecode").iterdir())
    assert tags == ["cpython-311.json", "cpython-312.json"]
    assert py(tmp_path / "b", "import sys, zeta; print(sys.version_info[:2] == (3, 12))") == "True"
    pycs = sorted(p.name for p in (entry / "tree" / "zeta" / "__pycache__").iterdir())
    assert pycs == ["__init__.cpython-311.pyc", "__init__.cpython-312.pyc"]
    assert os.access(entry, os.W_OK) is False or os.geteuid() == 0


def test_foreign_target_dry_run_picks_its_wheel(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    for tag in ("cp312-cp312-win_amd64", "cp312-cp312-manylinux_2_17_x86_64", "py3-none-any"):
        make_wheel(wheels, "eta", "1.0", {"eta.py": f"T = {tag!r}\n"}, tag=tag)
    common: list[str | Path] = ["eta==1.0", "--find-links", wheels, "--no-index"]
    common += ["--store", store_dir]
    proc = run_graft(
        "sync",
        tmp_path / "v",
        *common,
        "--dry-run",
        "--json",
        "--python-version",
        "3.12",
        "--platform",
        "win_amd64",
    )
    (dist,) = json.loads(proc.stdout)["distributions"]
    assert dist["wheel"] == "eta-1.0-cp312-cp312-win_amd64.whl"
    proc = run_graft(
        "sync",
        tmp_path / "v",
        *common,
        "--dry-run",
        "--json",
        "--python-version",
        "3.9",
        "--platform",
        "macosx_11_0_arm64",
    )
    (dist,) = json.loads(proc.stdout)["distributions"]
    assert dist["wheel"] == "eta-1.0-py3-none-any.whl"
    proc = run_graft("sync", tmp_path / "v", *common, "--python-version", "3.12", check=False)
    assert proc.returncode == 2
    assert "add --dry-run" in proc.stderr
    assert not (tmp_path / "v").exists()
