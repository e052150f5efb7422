"""``graft sync --dry-run`` resolves from metadata alone and writes nothing (decision 149).

Against a loopback index that serves Range requests (tests/support/rangeserver), each wheel
larger than a range read's tail: a dry run reads each METADATA through ranges and asks for no
whole wheel, leaves the store, the download cache's wheels and the venv's directory as they
were, and still says what the sync would change (uv's `` + name==version``); its plan comes
only from a store that holds every wheel. A sync afterwards downloads and installs as ever.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_resolve_sync import installed
from tests.integration.test_sync_builds import dynamic_sdist, static_sdist
from tests.support.here import X_Y
from tests.support.pypifiles import FLIT_CORE, SETUPTOOLS, TOMLI, release_files
from tests.support.rangeserver import Served, serve
from tests.support.wheelmaker import make_wheel

#: Incompressible bytes in each wheel: more than a range read's tail (64 KiB), so reading the
#: METADATA is never reading the whole wheel
BLOB = 256 * 1024


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """app 1.0 needs lib>=1; lib has 1.0 and 2.0."""
    with serve() as served:
        files: dict[str, bytes | str] = {"app/__init__.py": "import lib\n"}
        files["app/blob.bin"] = os.urandom(BLOB)
        served.add(make_wheel(wheels, "app", "1.0", files, requires=("lib>=1",)))
        for version in ("1.0", "2.0"):
            files = {"lib/__init__.py": f"V = {version!r}\n", "lib/blob.bin": os.urandom(BLOB)}
            served.add(make_wheel(wheels, "lib", version, files))
        yield served


def sync(venv: Path, served: Served, store: Path, *args: str | Path) -> tuple[str, str]:
    """``graft sync`` against *served*: its stdout and stderr."""
    url = f"{served.url}/simple/"
    proc = run_graft("sync", venv, "--index-url", url, "--store", store, *args)
    return proc.stdout, proc.stderr


def whole_wheels(served: Served, since: int = 0) -> int:
    """Wheel files asked for whole (without a Range header), from the *since*-th file request."""
    return sum(1 for wanted in served.ranges[since:] if wanted is None)


def downloaded(cache: Path) -> list[str]:
    """The wheels in the download cache."""
    return sorted(p.name for p in (cache / "wheels").rglob("*.whl"))


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path below *root* (links not followed) with its mode, size and mtime."""
    out = {}
    for path in [root, *root.rglob("*")]:
        st = path.lstat()
        out[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def test_a_dry_run_reads_metadata_only_and_writes_nothing(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    # it downloaded and unpacked every wheel into the store to print the plan
    parent = tmp_path / "parent"
    parent.mkdir()
    venv = parent / "v"
    out, err = sync(venv, index, store_dir, "app", "--dry-run")
    size = {name: len(data) for name, data in index.files.items()}
    app, lib = "app-1.0-py3-none-any.whl", "lib-2.0-py3-none-any.whl"
    total = size[app] + size[lib]
    # every METADATA came from range reads; no wheel was fetched whole, nothing was written
    assert index.ranges
    assert whole_wheels(index) == 0
    assert index.sent < total
    assert not store_dir.exists()
    assert downloaded(cache) == []
    assert list(parent.iterdir()) == []
    # what it would change, as a sync says it; the files it would download, with their sizes
    assert err.splitlines() == [" + app==1.0", " + lib==2.0"]
    assert out.splitlines() == [
        f"download        {app} ({size[app] / 1024:.1f} KiB)",
        f"download        {lib} ({size[lib] / 1024:.1f} KiB)",
        (
            f"# 2 distributions, 2 wheels to download ({total / 1024:.1f} KiB),"
            " not planned: 2 wheels not in the store"
        ),
    ]
    data = json.loads(sync(venv, index, store_dir, "app", "--dry-run", "--json")[0])
    assert (data["planned"], data["in_sync"]) == (False, False)
    assert data["not_planned"] == "2 wheels not in the store"
    assert data["download"] == {"wheels": 2, "bytes": total}
    assert data["changes"]["added"] == ["app==1.0", "lib==2.0"]
    assert [(d["wheel"], d["fetch"], d["size"]) for d in data["distributions"]] == [
        (app, "download", size[app]),
        (lib, "download", size[lib]),
    ]
    assert "actions" not in data
    assert whole_wheels(index) == 0
    # the sync itself downloads both wheels and installs them
    requests = len(index.ranges)
    sync(venv, index, store_dir, "app")
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    assert whole_wheels(index, requests) == 2
    assert downloaded(cache) == [app, lib]


def test_a_synced_venv_s_dry_run_plans_from_the_store_and_changes_nothing(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    venv = tmp_path / "v"
    sync(venv, index, store_dir, "app")
    store, held = snapshot(store_dir), snapshot(venv)
    requests = len(index.ranges)
    # in sync: uv's "Would make no changes", and the plan the sync kept
    out, err = sync(venv, index, store_dir, "app", "--dry-run")
    assert err.splitlines() == [f"graft: would make no changes: {venv} is in sync"]
    assert "link_dir" in out
    assert out.splitlines()[-1].startswith("# 2 distributions, ")
    assert " links, " in out.splitlines()[-1]
    data = json.loads(sync(venv, index, store_dir, "app", "--dry-run", "--json")[0])
    assert (data["planned"], data["in_sync"]) == (True, True)
    assert data["changes"] == {
        "added": [],
        "removed": [],
        "upgraded": [],
        "downgraded": [],
        "reinstalled": [],
    }
    assert data["actions"]
    assert {d["fetch"] for d in data["distributions"]} == {"cached"}
    assert data["download"] == {"wheels": 0, "bytes": 0}
    assert sync(venv, index, store_dir, "app", "--dry-run", "-q") == (out, "")
    # a change: what it would be, and no plan (lib 1.0 is not in the store)
    out, err = sync(venv, index, store_dir, "app", "lib==1.0", "--dry-run")
    assert err.splitlines() == [" ~ lib 2.0 -> 1.0 (downgraded)"]
    assert out.splitlines()[-1].endswith(", not planned: 1 wheel not in the store")
    # another venv of the same wheels: the kept plan, re-targeted at it; nothing made there
    other = tmp_path / "other"
    out, err = sync(other, index, store_dir, "app", "--dry-run")
    assert err.splitlines() == [" + app==1.0", " + lib==2.0"]
    assert f"{other}/" not in out  # (the plan's destinations are relative to the venv)
    assert out.splitlines()[-1].startswith("# 2 distributions, ")
    assert not other.exists()
    assert snapshot(store_dir) == store
    assert snapshot(venv) == held
    assert whole_wheels(index, requests) == 0
    sync(venv, index, store_dir, "app", "lib==1.0")
    assert installed(venv) == {"app": "1.0", "lib": "1.0"}


def test_a_lock_s_dry_run_reads_metadata_only_and_writes_nothing(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """A pylock.toml is a resolution already, but its set is checked as the sync checks it
    (decision 207): each wheel's METADATA through ranges, no whole wheel, nothing written."""
    lock = tmp_path / "pylock.toml"
    url = f"{index.url}/simple/"
    run_graft("lock", "app", "--index-url", url, "-o", lock, "--python-version", X_Y)
    asked = len(index.ranges)
    venv = tmp_path / "v"
    proc = run_graft("sync", venv, lock, "--store", store_dir, "--dry-run")
    assert len(index.ranges) == asked  # (the METADATA the lock read, kept in the cache)
    shutil.rmtree(cache / "metadata")
    proc = run_graft("sync", venv, lock, "--store", store_dir, "--dry-run")
    assert len(index.ranges) > asked
    assert whole_wheels(index, asked) == 0
    assert not store_dir.exists()
    assert downloaded(cache) == []
    assert not venv.exists()
    assert proc.stderr.splitlines() == [" + app==1.0", " + lib==2.0"]
    assert proc.stdout.splitlines()[-1].endswith(", not planned: 2 wheels not in the store")
    run_graft("sync", venv, lock, "--store", store_dir)
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}


def _hand_lock(
    folder: Path,
    *files: Path,
    sha256: str | None = None,
    kind: str = "wheels",
    url: str | None = None,
) -> Path:
    """A pylock.toml of wheels (or one sdist) by path (or *url*), with their sha256 or
    *sha256*."""
    import hashlib

    text = 'lock-version = "1.0"\ncreated-by = "hand"\n'
    for file in files:
        name, version = file.name.split("-")[:2]
        digest = sha256 or hashlib.sha256(file.read_bytes()).hexdigest()
        where = f'url = "{url}"' if url else f'path = "{file}"'
        given = f'{{ {where}, hashes = {{ sha256 = "{digest}" }} }}'
        text += f'[[packages]]\nname = "{name}"\nversion = "{version.removesuffix(".tar.gz")}"\n'
        text += f"wheels = [{given}]\n" if kind == "wheels" else f"sdist = {given}\n"
    lock = folder / "pylock.toml"
    lock.write_text(text)
    return lock


@pytest.mark.parametrize(
    "case",
    [
        "incomplete",
        "python",
        "hash",
        "sdist",
        "sdist-hash",
        "sdist-url",
        "sdist-requires",
        "sdist-version",
        "metadata",
        "metadata-url",
    ],
)
def test_a_lock_s_dry_run_refuses_what_the_sync_refuses(
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    index: Served,
    wheels: Path,
    case: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Decision 207: a lock's set is checked as the sync checks it once its wheels are in
    the store (``deps.check_set``: a missing requirement, from ranges of the index's wheel;
    a Requires-Python that excludes the target) and its files' hashes as fetch checks them;
    the dry run printed its plan and exited 0 where the sync refused. Decision 239: a lock's
    sdist by URL is downloaded for its PKG-INFO, and a lock's source's metadata hook says
    its Requires-Dist and its version, as the sync's build does."""
    if case == "incomplete":  # app needs lib, which this lock lacks
        whole = tmp_path / "pylock.whole.toml"
        url = f"{index.url}/simple/"
        run_graft("lock", "app", "--index-url", url, "-o", whole, "--python-version", X_Y)
        head, *entries = whole.read_text().split("[[packages]]")
        kept = [e for e in entries if 'name = "lib"' not in e]
        lock = tmp_path / "pylock.toml"
        lock.write_text("[[packages]]".join([head, *kept]))
    elif case == "python":
        lock = _hand_lock(tmp_path, make_wheel(wheels, "future", requires_python=">=3.99"))
    elif case.startswith("metadata"):  # a wheel whose METADATA is another version (decision
        lying = make_wheel(  # 238(e)): read from its file, or through ranges
            wheels, "lib", "1.0", {"lib/blob.bin": os.urandom(BLOB)},
            filename="lib-3.0-py3-none-any.whl", dist_info_name="lib-3.0",
        )  # fmt: skip
        at = index.add(lying) if case == "metadata-url" else None
        lock = _hand_lock(tmp_path, lying, url=at)
    elif case == "hash":
        lock = _hand_lock(tmp_path, make_wheel(wheels, "hashed"), sha256="ab" * 32)
    elif case in ("sdist-requires", "sdist-version"):  # its hook says lib>=1; it is 2.0
        from tests.integration.test_sync_builds_gaps import dyn_sdist

        monkeypatch.setenv("DYN_LOG", str(tmp_path / "dyn.log"))
        if case == "sdist-requires":
            lock = _hand_lock(tmp_path, dyn_sdist(wheels, "1.0", "lib>=1"), kind="sdist")
        else:  # (named 1.0, as the lock's version must be)
            named = shutil.copy(dyn_sdist(tmp_path, "2.0"), wheels / "dyn-1.0.tar.gz")
            lock = _hand_lock(tmp_path, Path(named), kind="sdist")
    else:  # a lock's sdist: its hash, its PKG-INFO's Requires-Python (decision 205)
        from tests.integration.test_build import _future_sdist

        sdist = _future_sdist(wheels)
        digest = "ab" * 32 if case == "sdist-hash" else None
        at = index.add(sdist) if case == "sdist-url" else None
        lock = _hand_lock(tmp_path, sdist, sha256=digest, kind="sdist", url=at)
    venv = tmp_path / "v"
    dry = run_graft("sync", venv, lock, "--store", store_dir, "--dry-run", check=False)
    assert not store_dir.exists()
    assert not venv.exists()
    real = run_graft("sync", venv, lock, "--store", store_dir, check=False)
    assert real.returncode == 1, real.stderr
    errors = [line for line in real.stderr.splitlines() if line.startswith("graft: error:")]
    assert len(errors) == 1, real.stderr
    assert (dry.returncode, dry.stderr.splitlines()) == (real.returncode, errors)
    assert dry.stdout == ""


def test_a_lock_s_dry_run_asks_no_hook_of_a_source_the_sync_may_not_build(
    tmp_path: Path, store_dir: Path, cache: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 239: ``--no-build`` refuses a lock's sdist in the dry run as in the sync,
    before its metadata hook (the dry run printed its plan, exit 0)."""
    from tests.integration.test_sync_builds_gaps import dyn_sdist

    log = tmp_path / "dyn.log"
    monkeypatch.setenv("DYN_LOG", str(log))
    lock = _hand_lock(tmp_path, dyn_sdist(wheels, "1.0"), kind="sdist")
    venv = tmp_path / "v"
    args = ("--store", store_dir, "--no-build")
    dry = run_graft("sync", venv, lock, *args, "--dry-run", check=False)
    real = run_graft("sync", venv, lock, *args, check=False)
    assert real.returncode == 2, real.stderr
    assert "needs a build, and --no-build was given" in real.stderr
    assert (dry.returncode, dry.stderr) == (real.returncode, real.stderr)
    assert not log.exists()
    assert not venv.exists()


def test_a_dry_run_asks_an_sdist_s_backend_for_metadata_and_builds_no_wheel(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    # dynamo==1.0 is pinned: a sync builds it at once and reads its wheel's METADATA (one
    # backend run), and builds the sdists of statik and tomli once resolved; a dry run needs
    # only what they depend on, which its metadata hook says (statik and tomli state theirs)
    links = tmp_path / "links"
    links.mkdir()
    for item in release_files(FLIT_CORE, SETUPTOOLS, TOMLI).iterdir():
        (links / item.name).symlink_to(item)
    static_sdist(links)
    dynamic_sdist(links)
    venv = tmp_path / "v"
    args = ("dynamo==1.0", "--find-links", links, "--no-index", "--store", store_dir)
    run = run_graft("sync", venv, *args, "--dry-run", "-v")
    assert downloaded(cache) == []  # (where built wheels are kept too): none built
    notes = [line for line in run.stderr.splitlines() if not line.endswith(" ...")]
    assert [line.split()[1] for line in notes if ".tar.gz" in line] == ["metadata"], run.stderr
    assert "dynamo-1.0.tar.gz" in next(line for line in notes if ".tar.gz" in line)
    # the hook ran in its build environment, a venv of the store: setuptools alone is there
    entries = [p.name for p in (store_dir / "entries").iterdir()]
    records = [(store_dir / "entries" / e / "record.json").read_text() for e in entries]
    assert [json.loads(r)["filename"] for r in records] == [SETUPTOOLS[1]]
    assert [line for line in run.stderr.splitlines() if line.startswith(" ")] == [
        " + dynamo==1.0",
        " + statik==1.0",
        " + tomli==2.0.1",
    ]
    assert run.stdout.splitlines() == [
        "build           dynamo-1.0.tar.gz",
        "build           statik-1.0.tar.gz",
        "build           tomli-2.0.1.tar.gz",
        "# 3 distributions, not planned: 3 sdists to build",
    ]
    assert not venv.exists()
    run_graft("sync", venv, *args)
    assert installed(venv) == {"dynamo": "1.0", "statik": "1.0", "tomli": "2.0.1"}


@pytest.mark.parametrize("where", ["find-links", "index", "lock"])
def test_a_synced_sdist_s_dry_run_says_its_recorded_build_and_no_change(
    tmp_path: Path, store_dir: Path, cache: Path, where: str
) -> None:
    # decision 328: the sync installs statik's recorded build (and tomli's) and changes
    # nothing; its dry run said "~ statik==1.0 (reinstalled)" from an index (the sdist's
    # sha256 against the wheel the venv holds), nothing at all from find-links or a lock's
    # sdists (decision 330), and "not planned: 2 sdists to build", where uv says it would
    # make no changes
    links = tmp_path / "links"
    links.mkdir()
    for item in release_files(FLIT_CORE, TOMLI).iterdir():
        (links / item.name).symlink_to(item)
    statik = static_sdist(links)
    venv = tmp_path / "v"
    with serve() as served:
        if where == "index":
            for item in sorted(links.iterdir()):
                served.add(item)
            args: tuple[str | Path, ...] = ("statik", "--index-url", f"{served.url}/simple/")
        elif where == "lock":
            tomli = links / TOMLI[1]
            lock = _hand_lock(tmp_path, statik, tomli, kind="sdist")
            args = (lock, "--find-links", links, "--no-index")
        else:
            args = ("statik", "--find-links", links, "--no-index")
        args = (*args, "--store", store_dir)
        run_graft("sync", venv, *args)
        held = snapshot(venv)
        assert "already in sync" in run_graft("sync", venv, *args, "-v").stderr
        run = run_graft("sync", venv, *args, "--dry-run")
        assert run.stderr.splitlines() == [f"graft: would make no changes: {venv} is in sync"]
        assert run.stdout.splitlines()[-1].startswith("# 2 distributions, ")
        data = json.loads(run_graft("sync", venv, *args, "--dry-run", "--json").stdout)
        assert (data["planned"], data["in_sync"]) == (True, True)
        assert data["changes"]["reinstalled"] == []
        assert sorted((d["wheel"].split("-")[:2], d["fetch"]) for d in data["distributions"]) == [
            (["statik", "1.0"], "built"),
            (["tomli", "2.0.1"], "built"),
        ]
        # another venv: the same recorded builds, planned from the store, nothing built
        other = tmp_path / "other"
        run = run_graft("sync", other, *args, "--dry-run")
        assert run.stderr.splitlines() == [" + statik==1.0", " + tomli==2.0.1"]
        assert "link_dir" in run.stdout
        assert not other.exists()
    assert snapshot(venv) == held
