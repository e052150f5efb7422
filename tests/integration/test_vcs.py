"""``name @ git+URL@REV``: a git revision checked out into the cache, built, and locked.

The repositories are made in the test (``git init`` of a project whose in-tree backend takes
its version from a VERSION file), served as ``file:`` URLs, so no network is used.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.here import X_Y
from tests.support.inbackend import WHEEL_WRITER
from tests.support.venv import py

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")

BACKEND = WHEEL_WRITER + textwrap.dedent(
    """

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        version = open("VERSION").read().strip()
        info = f"vcsdemo-{version}.dist-info"
        files = {
            "vcsdemo/__init__.py": open("vcsdemo/__init__.py", "rb").read(),
            f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: vcsdemo\\nVersion: {version}\\n"
            .encode(),
            f"{info}/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
        }
        return write_wheel(wheel_directory, f"vcsdemo-{version}-py3-none-any.whl", files)
    """
)


def git(repo: Path, *args: str) -> str:
    run = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.strip()


def commit(repo: Path, version: str) -> str:
    """Write the project at *version* into *repo*, commit it; the commit id."""
    (repo / "VERSION").write_text(f"{version}\n")
    (repo / "vcsdemo" / "__init__.py").write_text(f"VERSION = {version!r}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"version {version}")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository: 1.0 tagged v1, then 2.0 on main."""
    root = tmp_path / "repo"
    (root / "_backend").mkdir(parents=True)
    (root / "_backend" / "backend.py").write_text(BACKEND)
    (root / "vcsdemo").mkdir()
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_backend"]\n'
    )
    git(root, "init", "-q", "-b", "main")
    commit(root, "1.0")
    git(root, "tag", "v1")
    commit(root, "2.0")
    return root


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(path))
    return path


def sync(venv: Path, store: Path, *args: str | Path, check: bool = True) -> str:
    return run_graft("sync", venv, *args, "--no-index", "--store", store, check=check).stderr


def direct_url(venv: Path, version: str) -> dict[str, object]:
    found = list(venv.glob(f"lib/python*/site-packages/vcsdemo-{version}.dist-info"))
    data: dict[str, object] = json.loads((found[0] / "direct_url.json").read_text())
    return data


def test_a_tag_a_branch_and_a_commit_are_checked_out_and_built(
    tmp_path: Path, store_dir: Path, repo: Path
) -> None:
    url = repo.as_uri()
    venv = tmp_path / "v"
    sync(venv, store_dir, f"vcsdemo @ git+{url}@v1")
    assert py(venv, "import vcsdemo; print(vcsdemo.VERSION)") == "1.0"
    tagged = git(repo, "rev-parse", "v1^{commit}")
    assert direct_url(venv, "1.0") == {
        "url": url,
        "vcs_info": {"vcs": "git", "commit_id": tagged, "requested_revision": "v1"},
    }
    # a branch moves: each sync fetches it again (nothing remembers what it resolved to)
    out = sync(venv, store_dir, f"vcsdemo @ git+{url}@main")
    assert "vcsdemo 1.0 -> 2.0" in out
    third = commit(repo, "3.0")
    out = sync(venv, store_dir, f"vcsdemo @ git+{url}@main")
    assert "vcsdemo 2.0 -> 3.0" in out
    assert direct_url(venv, "3.0")["vcs_info"] == {
        "vcs": "git",
        "commit_id": third,
        "requested_revision": "main",
    }
    # a bare URL: the default branch, named by the build (or pip's #egg=)
    for spec in (f"git+{url}", f"git+{url}#egg=vcsdemo"):
        sync(tmp_path / "bare", store_dir, spec)
        assert py(tmp_path / "bare", "import vcsdemo; print(vcsdemo.VERSION)") == "3.0"
    # a commit by its id, offline once it was fetched
    sync(tmp_path / "c", store_dir, f"vcsdemo @ git+{url}@{tagged}", "--offline")
    assert py(tmp_path / "c", "import vcsdemo; print(vcsdemo.VERSION)") == "1.0"


def test_a_project_in_a_subdirectory(tmp_path: Path, store_dir: Path, repo: Path) -> None:
    mono = tmp_path / "mono"
    mono.mkdir()
    git(mono, "init", "-q", "-b", "main")
    shutil.copytree(repo, mono / "pkgs" / "demo", ignore=shutil.ignore_patterns(".git"))
    (mono / "README").write_text("a monorepo\n")
    git(mono, "add", "-A")
    git(mono, "commit", "-q", "-m", "one")
    spec = f"vcsdemo @ git+{mono.as_uri()}#subdirectory=pkgs/demo"
    sync(tmp_path / "v", store_dir, spec)
    assert direct_url(tmp_path / "v", "2.0")["subdirectory"] == "pkgs/demo"
    out = sync(tmp_path / "w", store_dir, spec.replace("pkgs/demo", "pkgs/none"), check=False)
    assert "no directory pkgs/none at commit" in out
    assert not (tmp_path / "w").exists()
    out = sync(tmp_path / "w", store_dir, spec.replace("pkgs/demo", "../.."), check=False)
    assert "the subdirectory leaves the repository" in out
    assert not (tmp_path / "w").exists()


def test_what_cannot_be_fetched_is_one_line_and_touches_nothing(
    tmp_path: Path, store_dir: Path, repo: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, f"vcsdemo @ git+{repo.as_uri()}@v1")
    before = sorted(p.name for p in venv.rglob("*"))
    cases = {
        f"vcsdemo @ git+{repo.as_uri()}@nope": "no branch, tag or commit named nope",
        f"vcsdemo @ git+{(tmp_path / 'missing').as_uri()}": "git clone failed: fatal:",
        f"vcsdemo @ hg+{repo.as_uri()}": "only git repositories are supported, not hg",
    }
    for spec, said in cases.items():
        out = sync(venv, store_dir, spec, check=False)
        assert said in out, out
        assert len(out.strip().splitlines()) == 1, out
        assert sorted(p.name for p in venv.rglob("*")) == before
    out = sync(venv, store_dir, f"vcsdemo @ git+{repo.as_uri()}@main", "--offline", check=False)
    assert "is not in the cache and --offline was given" in out
    hashed = tmp_path / "reqs.txt"
    hashed.write_text(f"vcsdemo @ git+{repo.as_uri()}@v1 --hash=sha256:{'0' * 64}\n")
    out = sync(venv, store_dir, "-r", hashed, check=False)
    assert "a version-control requirement cannot be hashed" in out


def test_a_lock_holds_the_commit_and_installs_it_after_the_branch_moved(
    tmp_path: Path, store_dir: Path, repo: Path
) -> None:
    url = repo.as_uri()
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", f"vcsdemo @ git+{url}@main", "--no-index", "-o", lock, "--python-version", X_Y
    )
    head = git(repo, "rev-parse", "main")
    text = lock.read_text()
    assert "[packages.vcs]" in text
    assert f'commit-id = "{head}"' in text
    assert 'requested-revision = "main"' in text
    commit(repo, "3.0")  # main moves on; the lock still says 2.0's commit
    venv = tmp_path / "v"
    sync(venv, store_dir, lock)
    assert py(venv, "import vcsdemo; print(vcsdemo.VERSION)") == "2.0"
    info = direct_url(venv, "2.0")["vcs_info"]
    assert isinstance(info, dict)
    assert info["commit_id"] == head
    assert info["requested_revision"] == "main"  # the lock's requested-revision, not the commit


def test_two_syncs_of_one_repository_at_once(tmp_path: Path, store_dir: Path, repo: Path) -> None:
    # one git at a time per repository: concurrent fetches into one clone take ref locks
    spec = f"vcsdemo @ git+{repo.as_uri()}@main"
    argv = [sys.executable, "-m", "graft", "sync", "--no-index", "--store", str(store_dir)]
    sync(tmp_path / "first", store_dir, spec)  # the clone exists: the three fetch into it
    commit(repo, "3.0")  # and each has refs to move
    procs = [
        subprocess.Popen(
            [*argv, str(tmp_path / f"v{i}"), spec],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    for i in range(3):
        assert py(tmp_path / f"v{i}", "import vcsdemo; print(vcsdemo.VERSION)") == "3.0"
