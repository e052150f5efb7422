"""Finding wheels: a simple-API index served on loopback, find-links, and the target's tag order."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from packaging.tags import sys_tags

from graft.resolve.no_project import SPELLINGS
from tests.conftest import run_graft
from tests.support import rangeserver
from tests.support.here import CACHE_TAG, CP, OTHER_X_Y
from tests.support.rangeserver import unique_url, within_base
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

BEST = next(iter(sys_tags()))  # e.g. cp311-cp311-manylinux_2_36_x86_64


@dataclass(frozen=True)
class Hit:
    """One request the loopback index answered."""

    path: str
    range: str | None  # the Range header
    if_range: str | None  # the If-Range header
    status: int
    sent: int  # body bytes sent


@dataclass
class Served:
    """The loopback index of one test, and what a test may change about it."""

    url: str
    wheels: Path
    requests: list[str] = field(default_factory=list)  # paths, in order
    hits: list[Hit] = field(default_factory=list)
    advertise: str = "none"  # metadata files: none, core, legacy (with sha256) or true (no hash)
    metadata: dict[str, bytes] = field(default_factory=dict)  # wheel filename -> served file
    metadata_hash: dict[str, str] = field(default_factory=dict)  # wheel filename -> announced
    honour_range: bool = True
    cut_first: int | None = None  # send only this many bytes of the next wheel, then hang up

    def count(self, path: str) -> int:
        return self.requests.count(path)

    def wheel_requests(self) -> list[str]:
        return [p for p in self.requests if p.endswith(".whl")]

    def metadata_of(self, filename: str) -> bytes:
        if filename in self.metadata:
            return self.metadata[filename]
        with zipfile.ZipFile(self.wheels / filename) as zf:
            (member,) = (n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            return zf.read(member)


LAST_MODIFIED = "Wed, 01 Jan 2020 00:00:00 GMT"


def etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


class _Index(http.server.BaseHTTPRequestHandler):
    """PEP 691 JSON for /json/<name>/, PEP 503 HTML for /html/<name>/, files under /files/.

    Wheels are served with an ETag and Last-Modified and honour ``Range: bytes=N-`` (with
    ``If-Range``) unless told not to; ``/files/<wheel>.metadata`` is the wheel's METADATA.
    """

    served: Served

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        del format, args

    def do_GET(self) -> None:
        served = self.served
        if not within_base(self, served.url):
            return
        served.requests.append(self.path)
        parts = self.path.strip("/").split("/")
        if parts[0] == "files" and parts[1].endswith(".metadata"):
            self._send(served.metadata_of(parts[1].removesuffix(".metadata")), "text/plain")
            return
        if parts[0] == "files":
            self._send_wheel((served.wheels / parts[1]).read_bytes())
            return
        name = parts[1]
        files = sorted(p for p in served.wheels.iterdir() if p.name.startswith(name + "-"))
        digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
        if name == "liar":  # an index that announces a wrong hash
            digests = dict.fromkeys(digests, "0" * 64)
        announced = {
            n: served.metadata_hash.get(n, hashlib.sha256(served.metadata_of(n)).hexdigest())
            for n in digests
        }
        if parts[0] == "json":
            entries = []
            for n, d in digests.items():
                entry: dict[str, object] = {"filename": n, "url": f"{served.url}/files/{n}"}
                entry["hashes"] = {"sha256": d}
                if served.advertise in {"core", "legacy"}:
                    key = "core-metadata" if served.advertise == "core" else "dist-info-metadata"
                    entry[key] = {"sha256": announced[n]}
                elif served.advertise == "true":
                    entry["core-metadata"] = True
                entries.append(entry)
            body = {"meta": {"api-version": "1.1"}, "name": name, "files": entries}
            self._send(json.dumps(body).encode(), "application/vnd.pypi.simple.v1+json")
        else:
            links = []
            for n, d in digests.items():
                attr = ""
                if served.advertise in {"core", "legacy"}:
                    key = "core" if served.advertise == "core" else "dist-info"
                    attr = f' data-{key}-metadata="sha256={announced[n]}"'
                elif served.advertise == "true":
                    attr = ' data-core-metadata="true"'
                links.append(f'<a href="{served.url}/files/{n}#sha256={d}"{attr}>{n}</a>')
            self._send(f"<html><body>{''.join(links)}</body></html>".encode(), "text/html")

    def _send_wheel(self, data: bytes) -> None:
        wanted, if_range = self.headers.get("Range"), self.headers.get("If-Range")
        headers = {"ETag": etag(data), "Last-Modified": LAST_MODIFIED, "Accept-Ranges": "bytes"}
        start = end = None
        if wanted and self.served.honour_range and if_range in {None, etag(data), LAST_MODIFIED}:
            first, _, last = wanted.removeprefix("bytes=").partition("-")
            if first:  # "N-" (a resumed download) or "N-M" (a range read of the zip)
                start, end = int(first), min(int(last), len(data) - 1) if last else len(data) - 1
            else:  # "-N": the last N bytes (the zip's end)
                start, end = max(0, len(data) - int(last)), len(data) - 1
        if start is not None and start >= len(data):
            self._send(b"", "text/plain", 416, {"Content-Range": f"bytes */{len(data)}"})
        elif start is not None and end is not None:
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self._send(data[start : end + 1], "application/octet-stream", 206, headers)
        elif self.served.cut_first is not None:
            cut, self.served.cut_first = self.served.cut_first, None
            self._send(data, "application/octet-stream", 200, headers, cut=cut)
        else:
            self._send(data, "application/octet-stream", 200, headers)

    def _send(
        self,
        data: bytes,
        content_type: str,
        status: int = 200,
        extra: dict[str, str] | None = None,
        cut: int | None = None,
    ) -> None:
        sent = data[:cut] if cut is not None else data
        # noted before the answer goes out: once the client has it, its next request may be
        # answered (and noted) by another thread first
        headers = self.headers
        self.served.hits.append(
            Hit(self.path, headers.get("Range"), headers.get("If-Range"), status, len(sent))
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))  # all of it, even when cut short
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(sent)
        self.close_connection = True


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    yield from _serve(wheels)


def _serve(directory: Path) -> Iterator[Served]:
    """A loopback simple index over *directory*, until the generator is closed."""
    served = Served("", directory)
    handler = type("Handler", (_Index,), {"served": served})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = unique_url(server.server_address[1])
    yield served
    server.shutdown()


@pytest.mark.parametrize("api", ["json", "html"])
def test_installs_from_a_simple_index_and_caches_pages(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, api: str
) -> None:
    url, requests = index.url, index.requests
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


def test_offline_never_downloads_a_wheel(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, graft_cache: Path
) -> None:
    """With ``--offline`` a wheel missing from the download cache and the store is an error.

    In one line; one the store holds (decision 154) needs no download.
    """
    make_wheel(wheels, "offdelta", "1.0", {"offdelta.py": "D = 1\n"})
    simple = f"{index.url}/json/"
    run_graft(
        "sync", tmp_path / "online", "offdelta==1.0", "--index-url", simple, "--store", store_dir
    )
    for cached in (graft_cache / "wheels").rglob("offdelta-*.whl"):
        cached.unlink()  # the page stays cached; the wheel does not
    index.requests.clear()
    venv = tmp_path / "offline"
    args = ("sync", venv, "offdelta==1.0", "--index-url", simple, "--offline")
    run_graft(*args, "--store", store_dir)  # its entry is in the store
    assert index.requests == []
    venv = tmp_path / "elsewhere"
    other = tmp_path / "other-store"
    proc = run_graft("sync", venv, *args[2:], "--store", other, check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert (
        "offdelta-1.0-py3-none-any.whl is neither in the download cache nor in the store,"
        " and --offline was given" in line
    )
    assert index.requests == []
    assert not venv.exists()


def test_a_failed_first_sync_leaves_no_store(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    """A sync that fails before writing anything takes back the store it made (and the
    directories above it it made); a store that was there before stays."""
    make_wheel(wheels, "nostore", "1.0", {"nostore.py": ""})
    simple = f"{index.url}/json/"
    new = tmp_path / "new" / "deep" / "store"
    venv = tmp_path / "v"
    args = ("sync", venv, "nostore==0.0.1", "--index-url", simple)
    proc = run_graft(*args, "--store", new, check=False)
    assert proc.returncode == 1
    assert "nostore" in proc.stderr
    assert not (tmp_path / "new").exists(), sorted(p.name for p in (tmp_path / "new").rglob("*"))
    assert not venv.exists()
    store_dir.mkdir()  # an empty store of the user's: not this sync's to take
    assert run_graft(*args, "--store", store_dir, check=False).returncode == 1
    assert store_dir.is_dir()
    run_graft("sync", venv, "nostore==1.0", "--index-url", simple, "--store", new)
    assert (new / "entries").is_dir()


def test_a_wrong_index_hash_is_refused(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    url = index.url
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


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_a_wrong_hash_in_a_direct_urls_fragment_is_the_requirements_not_the_index(
    tmp_path: Path, store_dir: Path, wheels: Path, scheme: str
) -> None:
    made = make_wheel(wheels, "hashed", "1.0", {"hashed.py": ""})
    with rangeserver.serve() as served:
        url = served.add(made) if scheme == "http" else made.as_uri()
        _check_the_fragments_hash(tmp_path, store_dir, made, url)


def _check_the_fragments_hash(tmp_path: Path, store_dir: Path, made: Path, url: str) -> None:
    reqs = tmp_path / "reqs.txt"
    reqs.write_text(f"hashed @ {url}#sha256={'0' * 64}\n")
    proc = run_graft("sync", tmp_path / "v", "-r", reqs, "--store", store_dir, check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {reqs}:1: {made.name} has sha256 "), line
    assert "not the hash given here" in line
    assert "(the file changed, or the hash is wrong; nothing was installed)" in line
    assert not (tmp_path / "v").exists()
    right = hashlib.sha256(made.read_bytes()).hexdigest()
    reqs.write_text(f"hashed @ {url}#sha256={right}\n")
    run_graft("sync", tmp_path / "v", "-r", reqs, "--store", store_dir)


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
    first, *why = proc.stderr.splitlines()
    assert first.startswith(f"graft: error: no wheel of epsilon 1.0 for the target ({CP}-")
    assert "  you asked for epsilon==1.0" in why
    assert "  epsilon 1.0 has wheels for cp27-cp27mu-manylinux1_x86_64" in why


def test_concurrent_syncs_share_one_store(tmp_path: Path, store_dir: Path, wheels: Path) -> None:
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
    from graft.venv.interpreter import find_interpreter

    try:
        other = find_interpreter(OTHER_X_Y)
    except TargetError:
        pytest.skip(f"CPython {OTHER_X_Y} is not installed (pyenv install {OTHER_X_Y})")
    wheel = make_wheel(wheels, "zeta", "1.0", {"zeta/__init__.py": "Z = 1\n"})
    run_graft("sync", tmp_path / "a", wheel, "--store", store_dir)
    run_graft("sync", tmp_path / "b", wheel, "--store", store_dir, "--python", other)
    (entry,) = (store_dir / "entries").iterdir()
    tags = sorted(p.name for p in (entry / "bytecode").iterdir())
    theirs = "cpython-" + OTHER_X_Y.replace(".", "")
    assert tags == sorted([f"{CACHE_TAG}.json", f"{theirs}.json"])
    assert (
        py(tmp_path / "b", "import sys, zeta; print('%d.%d' % sys.version_info[:2])") == OTHER_X_Y
    )
    pycs = sorted(p.name for p in (entry / "tree" / "zeta" / "__pycache__").iterdir())
    assert pycs == sorted([f"__init__.{CACHE_TAG}.pyc", f"__init__.{theirs}.pyc"])
    assert os.access(entry, os.W_OK) is False or os.geteuid() == 0


def test_an_existing_venv_keeps_its_interpreter_without_python(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """As pip and uv install into the venv's own Python: ``graft sync V`` without ``--python``
    does not move a 3.12 venv to the interpreter running graft (it did, silently)."""
    from graft.errors import TargetError
    from graft.venv.interpreter import find_interpreter

    try:
        other = find_interpreter(OTHER_X_Y)
    except TargetError:
        pytest.skip(f"CPython {OTHER_X_Y} is not installed (pyenv install {OTHER_X_Y})")
    wheel = make_wheel(wheels, "zeta", "1.0", {"zeta/__init__.py": "Z = 1\n"})
    two = make_wheel(wheels, "theta", "1.0", {"theta.py": ""})
    venv = tmp_path / "v"
    version = "import sys; print('%d.%d' % sys.version_info[:2])"
    run_graft("sync", venv, wheel, "--store", store_dir, "--python", other)
    run_graft("sync", venv, wheel, two, "--store", store_dir)
    assert py(venv, version) == "3.12"
    assert py(venv, "import theta, zeta; print(zeta.Z)") == "1"
    again = run_graft("sync", venv, wheel, two, "--store", store_dir)
    assert "already in sync" in again.stderr
    # asked for, the interpreter changes; a new directory gets graft's own
    run_graft("sync", venv, wheel, "--store", store_dir, "--python", sys.executable)
    mine = "{}.{}".format(*sys.version_info[:2])
    assert py(venv, version) == mine
    run_graft("sync", tmp_path / "new", wheel, "--store", store_dir)
    assert py(tmp_path / "new", version) == mine


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


# -- core metadata files (PEP 658/714) ----------------------------------------------------------


def _unique(wheels: Path, tmp_path: Path, name: str, version: str = "1.0", **kw: Any) -> Path:
    """A wheel no other test builds (the download and metadata caches are per session)."""
    files: dict[str, bytes | str] = {f"{name}.py": f"WHERE = {str(tmp_path)!r}\n"}
    return make_wheel(wheels, name, version, files, **kw)


def _sync(
    index: Served,
    api: str,
    tmp_path: Path,
    store_dir: Path,
    *specs: str,
    extra: tuple[str, ...] = (),
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    url = f"{index.url}/{api}/"
    venv = tmp_path / "venv"
    return run_graft(
        "sync", venv, *specs, "--index-url", url, "--store", store_dir, *extra, check=check
    )


def _entries(store_dir: Path) -> list[Path]:
    entries = store_dir / "entries"
    return list(entries.iterdir()) if entries.exists() else []


@pytest.mark.parametrize(
    ("api", "advertise"),
    [
        ("json", "core"),
        ("json", "legacy"),
        ("json", "true"),
        ("html", "core"),
        ("html", "legacy"),
        ("html", "true"),
        ("json", "none"),
        ("html", "none"),
    ],
)
def test_a_missing_dependency_is_found_from_metadata_files_before_any_download(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, api: str, advertise: str
) -> None:
    app, lib = f"app{api}{advertise}", f"lib{api}{advertise}"
    _unique(wheels, tmp_path, app, requires=(f"{lib}>=1", "never-used; python_version < '3'"))
    _unique(wheels, tmp_path, f"other{api}{advertise}")
    index.advertise = advertise
    proc = _sync(
        index, api, tmp_path, store_dir, f"{app}==1.0", f"other{api}{advertise}==1.0", check=False
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"graft: error: no project named '{lib}' on the index",
        f"  {app}==1.0 ({app}-1.0-py3-none-any.whl) requires {lib}>=1",
    ]
    if advertise == "none":  # METADATA by range reads of the wheels: never a whole download
        wheel_hits = [h for h in index.hits if h.path.endswith(".whl")]
        assert wheel_hits
        assert all(h.range is not None and h.status == 206 for h in wheel_hits)
        assert not any(p.endswith(".metadata") for p in index.requests)
    else:
        assert index.wheel_requests() == []
        assert index.count(f"/files/{app}-1.0-py3-none-any.whl.metadata") == 1
    assert _entries(store_dir) == []


def test_requires_python_is_checked_from_metadata_files_before_any_download(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    _unique(wheels, tmp_path, "oldpy", requires_python="<3")
    index.advertise = "core"
    proc = _sync(index, "json", tmp_path, store_dir, "oldpy==1.0", check=False)
    assert proc.returncode == 1
    assert "oldpy==1.0 (oldpy-1.0-py3-none-any.whl) requires Python <3" in proc.stderr
    assert index.wheel_requests() == []


def test_a_complete_set_with_metadata_files_installs_and_checks_the_wheels(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    _unique(wheels, tmp_path, "top", requires=("base>=1", "extraonly; extra == 'x'"))
    _unique(wheels, tmp_path, "base", "2.0")
    index.advertise = "core"
    _sync(index, "html", tmp_path, store_dir, "top==1.0", "base==2.0")
    assert py(tmp_path / "venv", "import top, base; print('ok')") == "ok"
    assert index.count("/files/top-1.0-py3-none-any.whl.metadata") == 1
    assert index.count("/files/top-1.0-py3-none-any.whl") == 1
    assert len(_entries(store_dir)) == 2


def test_a_metadata_file_with_a_wrong_hash_is_refused(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    wheel = _unique(wheels, tmp_path, "badmeta")
    index.advertise = "core"
    index.metadata_hash[wheel.name] = "ab" * 32
    proc = _sync(index, "json", tmp_path, store_dir, "badmeta==1.0", check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert "the index's metadata file does not match its announced hash" in line
    assert f"/files/{wheel.name}.metadata" in line
    assert index.wheel_requests() == []


def test_a_metadata_file_for_another_version_is_refused_before_download(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    wheel = _unique(wheels, tmp_path, "otherver")
    index.advertise = "true"
    index.metadata[wheel.name] = b"Metadata-Version: 2.1\nName: otherver\nVersion: 2.0\n"
    proc = _sync(index, "html", tmp_path, store_dir, "otherver==1.0", check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert f"{wheel.name}: METADATA says 'otherver' '2.0', the filename otherver 1.0" in line
    assert index.wheel_requests() == []


@pytest.mark.parametrize(
    ("name", "version"), [("someoneelse", "1.0"), ("disagree", "1.1")], ids=["name", "version"]
)
def test_a_wheel_whose_metadata_disagrees_with_the_metadata_file_is_refused(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    index: Served,
    graft_cache: Path,
    name: str,
    version: str,
) -> None:
    # The wheel's dist-info and filename say disagree 1.0, so ingest alone would accept it;
    # only its METADATA says otherwise. The index's metadata file agrees with the filename.
    wheel = make_wheel(
        wheels,
        name,
        version,
        {"disagree.py": f"WHERE = {str(tmp_path)!r}\n"},
        dist_info_name="disagree-1.0",
        filename="disagree-1.0-py3-none-any.whl",
    )
    index.advertise = "core"
    index.metadata[wheel.name] = b"Metadata-Version: 2.1\nName: disagree\nVersion: 1.0\n"
    proc = _sync(index, "json", tmp_path, store_dir, "disagree==1.0", check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    # resolved from the metadata file; the wheel itself is refused when it is unpacked
    assert f"{wheel.name}: METADATA says {name!r} {version!r}, the filename disagree 1.0" in line
    assert index.wheel_requests() == [f"/files/{wheel.name}"]
    assert _entries(store_dir) == []
    assert not (tmp_path / "venv").exists()
    del graft_cache


@pytest.mark.parametrize("api", ["json", "html"])
def test_a_typo_on_an_index_is_answered_with_the_project_it_meant(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, api: str
) -> None:
    """An index cannot list its projects, so graft asks it for the likely spellings of the
    missing name (neighbours swapped, one character left out), and names the first it has;
    a name with no such neighbour gets no suggestion. Offline, only cached pages answer."""
    meant = f"typofix{api}"
    _unique(wheels, tmp_path, meant)
    typo = f"tyopfix{api}"  # "o" and "p" swapped
    proc = _sync(index, api, tmp_path, store_dir, f"{typo}>=1", check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"graft: error: no project named '{typo}' on the index; did you mean {meant}?",
        f"  you asked for {typo}>=1",
    ]
    pages = [r for r in index.requests if r.endswith("/")]
    assert any(r.endswith(f"/{api}/{meant}/") for r in pages)
    assert len(pages) <= 1 + SPELLINGS  # the missing page, then the spellings asked
    index.requests.clear()
    offline = _sync(
        index, api, tmp_path, store_dir, f"{typo}>=1", extra=("--offline",), check=False
    )
    assert offline.stderr == proc.stderr  # the pages asked for before are cached
    assert index.requests == []
    far = _sync(index, api, tmp_path, store_dir, f"qq{meant}zz", check=False)
    no_suggestion = f"graft: error: no project named 'qq{meant}zz' on the index"
    assert far.stderr.splitlines()[0] == no_suggestion
    assert _entries(store_dir) == []


def test_offline_reads_cached_metadata_files(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    _unique(wheels, tmp_path, "needy", requires=("absent==1",))
    index.advertise = "legacy"
    first = _sync(index, "json", tmp_path, store_dir, "needy==1.0", check=False)
    assert "no project named 'absent' on the index" in first.stderr
    assert index.count("/files/needy-1.0-py3-none-any.whl.metadata") == 1
    index.requests.clear()
    again = _sync(
        index, "json", tmp_path, store_dir, "needy==1.0", extra=("--offline",), check=False
    )
    assert again.returncode == 1
    assert again.stderr == first.stderr
    assert index.requests == []  # the page and the metadata file came from the cache


# -- resumable downloads -------------------------------------------------------------------------


def _partial(graft_cache: Path, key: str) -> tuple[Path, Path]:
    stem = graft_cache / "wheels" / ".partial" / key
    return stem.with_suffix(".part"), stem.with_suffix(".json")


@pytest.mark.parametrize("validator", ["etag", "last-modified", "none"])
def test_an_interrupted_download_resumes_with_a_range_request(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    index: Served,
    graft_cache: Path,
    validator: str,
) -> None:
    index.advertise = "core"  # METADATA from the metadata file: the wheel hits are downloads
    wheel = _unique(wheels, tmp_path, f"resume{validator.replace('-', '')}")
    data = wheel.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    half = len(data) // 2
    part, state = _partial(graft_cache, sha)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(data[:half])
    url = f"{index.url}/files/{wheel.name}"
    if validator != "none":
        tag, modified = (etag(data), None) if validator == "etag" else (None, LAST_MODIFIED)
        state.write_text(json.dumps({"url": url, "etag": tag, "last_modified": modified}))
    name = wheel.name.split("-")[0]
    _sync(index, "json", tmp_path, store_dir, f"{name}==1.0")
    (hit,) = (h for h in index.hits if h.path.endswith(".whl"))
    assert hit.range == f"bytes={half}-"
    expected = {"etag": etag(data), "last-modified": LAST_MODIFIED, "none": None}[validator]
    assert hit.if_range == expected
    assert (hit.status, hit.sent) == (206, len(data) - half)
    assert (graft_cache / "wheels" / sha / wheel.name).read_bytes() == data
    assert not part.exists()
    assert not state.exists()
    assert py(tmp_path / "venv", f"import {name}; print({name}.WHERE)") == str(tmp_path)


def test_a_download_cut_short_is_resumed_by_the_next_attempt(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, graft_cache: Path
) -> None:
    index.advertise = "core"  # METADATA from the metadata file: the wheel hits are downloads
    wheel = _unique(wheels, tmp_path, "cutshort")
    data = wheel.read_bytes()
    cut = len(data) // 3
    index.cut_first = cut
    _sync(index, "json", tmp_path, store_dir, "cutshort==1.0")
    hits = [(h.range, h.if_range, h.status, h.sent) for h in index.hits if h.path.endswith(".whl")]
    # the retry continues from the bytes kept, naming the ETag graft recorded with them
    assert hits == [(None, None, 200, cut), (f"bytes={cut}-", etag(data), 206, len(data) - cut)]
    sha = hashlib.sha256(data).hexdigest()
    assert (graft_cache / "wheels" / sha / wheel.name).read_bytes() == data
    assert py(tmp_path / "venv", "import cutshort; print('ok')") == "ok"


@pytest.mark.parametrize("server", ["ignores-range", "changed-etag", "part-too-long"])
def test_a_resume_the_server_refuses_starts_again_from_zero(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, graft_cache: Path, server: str
) -> None:
    index.advertise = "core"  # METADATA from the metadata file: the wheel hits are downloads
    wheel = _unique(wheels, tmp_path, f"restart{server.replace('-', '')}")
    data = wheel.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    part, state = _partial(graft_cache, sha)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(data + b"junk" if server == "part-too-long" else b"\0" * (len(data) // 2))
    url = f"{index.url}/files/{wheel.name}"
    tag = '"not-the-file-any-more"' if server == "changed-etag" else etag(data)
    state.write_text(json.dumps({"url": url, "etag": tag, "last_modified": None}))
    index.honour_range = server != "ignores-range"
    _sync(index, "json", tmp_path, store_dir, f"{wheel.name.split('-')[0]}==1.0")
    hits = [(h.range is not None, h.status, h.sent) for h in index.hits if h.path.endswith(".whl")]
    if server == "part-too-long":  # 416, then the whole file without Range
        assert hits == [(True, 416, 0), (False, 200, len(data))]
    else:  # the server sent the whole file, which replaced the part
        assert hits == [(True, 200, len(data))]
    assert (graft_cache / "wheels" / sha / wheel.name).read_bytes() == data
    assert not part.exists()


def test_a_corrupt_part_fails_the_hash_and_the_whole_file_is_fetched_again(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, graft_cache: Path
) -> None:
    index.advertise = "core"  # METADATA from the metadata file: the wheel hits are downloads
    wheel = _unique(wheels, tmp_path, "corruptpart")
    data = wheel.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    part, _ = _partial(graft_cache, sha)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"\0" * (len(data) // 2))  # the right length, the wrong bytes
    _sync(index, "json", tmp_path, store_dir, "corruptpart==1.0")
    hits = [(h.range, h.status, h.sent) for h in index.hits if h.path.endswith(".whl")]
    half = len(data) // 2
    assert hits == [(f"bytes={half}-", 206, len(data) - half), (None, 200, len(data))]
    assert (graft_cache / "wheels" / sha / wheel.name).read_bytes() == data
    assert not part.exists()
    assert py(tmp_path / "venv", "import corruptpart; print('ok')") == "ok"


def test_a_resumed_file_that_still_fails_the_hash_is_deleted_and_the_error_says_so(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, graft_cache: Path
) -> None:
    index.advertise = "core"  # METADATA from the metadata file: the wheel hits are downloads
    wheel = make_wheel(wheels, "liar", "1.0", {"liar.py": f"WHERE = {str(tmp_path)!r}\n"})
    part, _ = _partial(graft_cache, "0" * 64)  # keyed by the (wrong) hash the index announces
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(wheel.read_bytes()[:100])
    proc = _sync(index, "json", tmp_path, store_dir, "liar==1.0", check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert "does not match the index's sha256, also after deleting a resumed partial" in line
    assert [h.range for h in index.hits if h.path.endswith(".whl")] == ["bytes=100-", None]
    assert not part.exists()
    assert _entries(store_dir) == []


def test_concurrent_downloads_of_one_wheel_fetch_it_once(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from graft.sources.candidates import Candidate
    from graft.sources.fetch import download

    wheel = _unique(wheels, tmp_path, "shared")
    data = wheel.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    candidate = Candidate(wheel.name, f"{index.url}/files/{wheel.name}", sha, local=False)
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: download(candidate, str(cache)), range(6)))
    assert {path for path, _ in results} == {str(cache / "wheels" / sha / wheel.name)}
    assert {digest for _, digest in results} == {sha}
    assert index.count(f"/files/{wheel.name}") == 1  # the others waited and found it cached
    assert list((cache / "wheels" / ".partial").iterdir()) == []


@pytest.fixture
def private(tmp_path: Path) -> Iterator[Served]:
    """A second loopback index, with its own wheels: a private index beside the main one."""
    directory = tmp_path / "private-wheels"
    directory.mkdir()
    yield from _serve(directory)


def test_an_extra_index_is_used_for_what_only_it_has(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, private: Served
) -> None:
    make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 'main'\n"})
    make_wheel(private.wheels, "corp", "1.0", {"corp.py": "C = 'private'\n"})
    venv = tmp_path / "v"
    run_graft(
        "sync", venv, "beta==1.0", "corp==1.0", "--index-url", f"{index.url}/json/",
        "--extra-index-url", f"{private.url}/json/", "--store", store_dir,
    )  # fmt: skip
    assert py(venv, "import beta, corp; print(beta.B, corp.C)") == "main private"


def test_the_first_index_with_a_project_is_the_only_one_used_for_it(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, private: Served
) -> None:
    # dependency confusion: a same-named project published on the main index (PyPI)
    make_wheel(wheels, "corp", "1.0", {"corp.py": "C = 'impostor'\n"})
    make_wheel(wheels, "corp", "1.0", {"corp.py": "C = 'impostor'\n"}, tag=str(BEST))
    make_wheel(private.wheels, "corp", "1.0", {"corp.py": "C = 'private'\n"})
    reqs = tmp_path / "reqs.txt"
    reqs.write_text(f"--extra-index-url {private.url}/json/\ncorp==1.0\n")
    venv = tmp_path / "v"
    run_graft("sync", venv, "-r", reqs, "--index-url", f"{index.url}/json/", "--store", store_dir)
    assert py(venv, "import corp; print(corp.C)") == "private"  # not even the better tag
    assert index.count("/json/corp/") == 0  # the main index was never asked about corp


def test_files_are_never_mixed_across_indexes(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, private: Served
) -> None:
    make_wheel(wheels, "corp", "1.0", {"corp.py": "C = 'impostor'\n"})
    (private.wheels / "corp-1.0.tar.gz").write_bytes(b"an sdist: a file for the project")
    private.metadata["corp-1.0.tar.gz"] = b""  # (the loopback index hashes every file's)
    proc = run_graft(
        "sync", tmp_path / "v", "corp==1.0", "--index-url", f"{index.url}/json/",
        "--extra-index-url", f"{private.url}/json/", "--store", store_dir, "--no-build",
        check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "corp has only source distributions (1.0)" in proc.stderr  # the private one's
    assert index.count("/json/corp/") == 0


def test_a_page_cached_in_another_format_is_left_to_its_graft(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served, graft_cache: Path
) -> None:
    """Pages carry their format in the name: a graft of another version neither reads nor
    overwrites them, so two graft versions sharing a cache do not refetch each other's pages."""
    make_wheel(wheels, "pageform", "1.0", {"pageform.py": ""})
    url = f"{index.url}/json/"
    run_graft("sync", tmp_path / "v", "pageform==1.0", "--index-url", url, "--store", store_dir)
    (page,) = [p for p in (graft_cache / "index").iterdir() if "pageform" in p.read_text()]
    stem, form = page.stem.rsplit("-", 1)
    other = page.with_name(f"{stem}-{int(form) - 1}.json")
    other.write_text(json.dumps({"format": int(form) - 1, "rows": "of another graft"}))
    page.unlink()
    plans = store_dir / "plans"
    for record in [*(graft_cache / "pinned").glob("*.json"), *plans.glob("memo-*")]:
        record.unlink()  # (the pin record or the memo would answer without the page)
    for stamp in plans.glob("replay-*"):
        stamp.unlink()
    index.requests.clear()
    try:
        run_graft("sync", tmp_path / "w", "pageform==1.0", "--index-url", url, "--store", store_dir)
        assert "/json/pageform/" in index.requests  # fetched again: the other format is not read
        assert json.loads(other.read_text())["rows"] == "of another graft"  # and not overwritten
        assert page.exists()
    finally:
        other.unlink()  # (the session's cache is other tests' too)
