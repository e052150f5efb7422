"""The warm path: plans kept in the store and the resolution memo (no network).

A kept plan must build exactly the venv a fresh plan builds, wherever the venv is; the memo
must be used only while nothing it read has changed.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel

OLD = 1_600_000_000  # an mtime far in the past: not "racy"


def stages(stderr: str) -> set[str]:
    """The stage names of ``graft sync -v``'s timings line."""
    line = next(x for x in stderr.splitlines() if x.startswith("graft: timings:"))
    return {re.sub(r" \d+ ms$", "", part.strip()) for part in line.split(":", 2)[2].split(",")}


def aged(*paths: Path) -> None:
    for path in paths:
        os.utime(path, (OLD, OLD))


@pytest.fixture
def links(tmp_path: Path) -> Path:
    directory = tmp_path / "wheels"
    directory.mkdir()
    make_wheel(
        directory,
        "alpha",
        "1.0",
        {"alpha/__init__.py": "VALUE = 1\n", "alpha/sub/mod.py": "X = 2\n"},
        entry_points="[console_scripts]\nalpha-cli = alpha:main\n",
    )
    make_wheel(directory, "beta", "1.0", {"beta.py": "B = 1\n"})
    make_wheel(directory, "beta", "2.0", {"beta.py": "B = 2\n"})
    make_wheel(directory, "ns-a", "1.0", {"ns/a/__init__.py": "A = 1\n"})
    make_wheel(directory, "ns-b", "1.0", {"ns/b/__init__.py": "B = 1\n"})
    aged(*directory.iterdir(), directory)  # the listing too: a fresh directory is "racy"
    return directory


def sync(venv: Path, reqs: Path, links: Path, store: Path) -> set[str]:
    args = ("sync", venv, "-r", reqs, "--no-index", "--find-links", links, "--store", store)
    return stages(run_graft(*args, "-v").stderr)


def snapshot(venv: Path) -> dict[str, str]:
    """Every path in the venv (links not followed): link target or content, prefix-neutral."""
    out = {}
    for path in sorted(venv.rglob("*")):
        rel = str(path.relative_to(venv))
        if path.name == "pyvenv.cfg" or path.name.startswith("activate"):
            continue  # the venv's own inputs digest and prompt name it: not from the plan
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            text = path.read_bytes().decode("latin-1").replace(str(venv), "<venv>")
            if path.name == "RECORD":  # launcher rows hash the prefix-dependent shebang
                text = "\n".join(x for x in text.splitlines() if "/bin/" not in x)
            out[rel] = f"{oct(path.stat().st_mode & 0o777)} {text}"
        else:
            out[rel] = "dir"
    return out


@pytest.fixture
def reqs(tmp_path: Path) -> Path:
    path = tmp_path / "reqs.txt"
    path.write_text("alpha==1.0\nbeta==1.0\nns-a==1.0\nns-b==1.0\n")
    aged(path)
    return path


def test_kept_plan_builds_what_a_fresh_plan_builds(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    first = sync(tmp_path / "a", reqs, links, store_dir)
    assert "plan" in first
    assert "plan (kept)" not in first
    kept = sync(tmp_path / "b", reqs, links, store_dir)
    assert "plan (kept)" in kept
    assert "plan" not in kept
    for plan in (store_dir / "plans").glob("*.json"):
        plan.unlink()
    fresh = sync(tmp_path / "c", reqs, links, store_dir)
    assert "plan" in fresh
    assert snapshot(tmp_path / "b") == snapshot(tmp_path / "c") == snapshot(tmp_path / "a")
    # the launcher of each venv runs that venv's interpreter
    for name in ("a", "b", "c"):
        launcher = (tmp_path / name / "bin" / "alpha-cli").read_text()
        assert launcher.startswith(f"#!{tmp_path / name}/bin/python\n")
    assert py(tmp_path / "b", "import alpha.sub.mod, beta; print(beta.B)") == "1"


def test_memo_is_used_while_nothing_changes(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    assert "resolve" in sync(tmp_path / "v1", reqs, links, store_dir)
    assert "recall" in sync(tmp_path / "v2", reqs, links, store_dir)

    # another pin: the requirement file's bytes changed
    reqs.write_text(reqs.read_text().replace("beta==1.0", "beta==2.0"))
    aged(reqs)  # (content is compared, but a file written just now is racy all the same)
    assert "resolve" in sync(tmp_path / "v3", reqs, links, store_dir)
    assert py(tmp_path / "v3", "import beta; print(beta.B)") == "2"
    assert "recall" in sync(tmp_path / "v4", reqs, links, store_dir)

    # a better wheel appears in the find-links directory: selection must change
    better = make_wheel(links, "beta", "2.0", {"beta.py": "B = 'py3x'\n"}, tag="py3-none-any")
    better.rename(links / "beta-2.0-py311.py3-none-any.whl")
    aged(links / "beta-2.0-py311.py3-none-any.whl", links)
    assert "resolve" in sync(tmp_path / "v5", reqs, links, store_dir)

    # the chosen wheel file is replaced under the same name
    chosen = links / "beta-2.0-py311.py3-none-any.whl"
    replacement = make_wheel(tmp_path, "beta", "2.0", {"beta.py": "B = 'replaced'\n"})
    os.replace(replacement, chosen)
    aged(chosen, links)
    assert "resolve" in sync(tmp_path / "v6", reqs, links, store_dir)
    assert py(tmp_path / "v6", "import beta; print(beta.B)") == "replaced"


def test_a_venv_in_sync_is_confirmed_by_the_memo_without_a_kept_plan(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    """A plan kept by another graft (its key holds graft's code) or dropped by gc."""
    sync(tmp_path / "v1", reqs, links, store_dir)
    for plan in (store_dir / "plans").glob("[0-9a-f]*.json"):
        plan.unlink()
    assert sync(tmp_path / "v1", reqs, links, store_dir) == {"recall"}, "confirmed"
    assert "resolve" in sync(tmp_path / "v2", reqs, links, store_dir), "a new venv: resolved"
    assert py(tmp_path / "v2", "import alpha, beta; print(beta.B)") == "1"


def test_a_wheel_written_just_now_is_not_memoized(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    # modified "now" as far as each sync can tell, however long the first one takes on a busy
    # machine (an mtime of the moment would age out of the 2 s window before the memo is
    # written): ahead of the clock, as a file of a coarse or skewed filesystem can be
    ahead = time.time() + 600
    os.utime(links / "beta-1.0-py3-none-any.whl", (ahead, ahead))
    assert "resolve" in sync(tmp_path / "v1", reqs, links, store_dir)
    assert "resolve" in sync(tmp_path / "v2", reqs, links, store_dir)


def test_a_damaged_kept_plan_is_ignored_and_replaced(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    sync(tmp_path / "v1", reqs, links, store_dir)
    (plan,) = (store_dir / "plans").glob("[0-9a-f]*.json")
    plan.chmod(0o644)
    plan.write_text('{"format": 1, "actions": [["link_dir"')
    assert "plan" in sync(tmp_path / "v2", reqs, links, store_dir)
    assert py(tmp_path / "v2", "import alpha, beta, ns.a, ns.b; print('ok')") == "ok"
    assert "plan (kept)" in sync(tmp_path / "v3", reqs, links, store_dir)
    assert (site(tmp_path / "v3") / "alpha").is_symlink()


def test_gc_forgets_kept_plans_when_it_removes_entries(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    venv = tmp_path / "v1"
    sync(venv, reqs, links, store_dir)
    assert list((store_dir / "plans").iterdir())
    run_graft("store", "gc", "--store", store_dir)
    assert list((store_dir / "plans").iterdir())  # every entry still used: plans kept
    import shutil

    shutil.rmtree(venv)
    run_graft("store", "gc", "--store", store_dir)
    assert not list((store_dir / "plans").iterdir())
    assert "resolve" in sync(tmp_path / "v2", reqs, links, store_dir)


def test_sync_from_a_removed_working_directory(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    """No memo without a working directory (relative paths would mean nothing), no crash."""
    import subprocess
    import sys

    gone = tmp_path / "gone"
    gone.mkdir()
    args = [sys.executable, "-m", "graft", "sync", str(tmp_path / "v"), "-r", str(reqs)]
    args += ["--no-index", "--find-links", str(links), "--store", str(store_dir), "-v"]
    for _ in range(2):
        proc = subprocess.run(
            ["sh", "-c", 'cd "$0" && rmdir "$0" && exec "$@"', str(gone), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "resolve" in stages(proc.stderr)
        gone.mkdir()
    assert not list((store_dir / "plans").glob("memo-*"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dest", "../escaped.txt"),  # a write beside the venv (staging is its sibling)
        ("dest", "<absolute>"),  # an absolute path (made under tmp_path below)
        ("source", "/etc"),  # a link to somewhere that is not a store entry
    ],
)
def test_a_tampered_kept_plan_is_not_obeyed(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path, field: str, value: str
) -> None:
    """Kept plans live in a writable directory: one that names a path a planner never would
    (outside the venv, or a link source outside the store) is ignored and planned anew."""
    import json

    sync(tmp_path / "v1", reqs, links, store_dir)
    (plan,) = (store_dir / "plans").glob("[0-9a-f]*.json")
    raw = json.loads(plan.read_text())
    kind = "write_file" if field == "dest" else "link_dir"
    action = next(a for a in raw["actions"] if a[0] == kind)
    absolute = tmp_path / "escaped-absolute.txt"
    action[1 if field == "dest" else 3] = str(absolute) if value == "<absolute>" else value
    plan.write_text(json.dumps(raw))
    venv = tmp_path / "v2"
    assert "plan" in sync(venv, reqs, links, store_dir)  # planned anew, not "plan (kept)"
    assert not (tmp_path / "escaped.txt").exists()
    assert not absolute.exists()
    for path in site(venv).iterdir():
        if path.is_symlink():
            assert Path(os.path.realpath(path)).is_relative_to(store_dir.resolve() / "entries")
    assert py(venv, "import alpha, beta; print('ok')") == "ok"


def test_a_recalled_resolution_warns_as_the_resolution_did(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    """A warning of resolution (here an extra no wheel provides) is said again on recall.

    A first sync with ``-q`` printed nothing; the next syncs of the same inputs recalled its
    memo and said nothing either, where pip and uv warn on every install (a yanked pin too).
    """
    reqs = tmp_path / "extra.txt"
    reqs.write_text("beta[bogus]==1.0\n")
    aged(reqs)
    args = ("-r", reqs, "--no-index", "--find-links", links, "--store", store_dir)
    assert run_graft("sync", tmp_path / "v1", *args, "-q").stderr == ""
    recalled = run_graft("sync", tmp_path / "v2", *args, "-v").stderr
    assert "recall" in stages(recalled)
    assert "does not provide the extra 'bogus'" in recalled
