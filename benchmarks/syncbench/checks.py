"""Untimed facts about a run: links against files served, the tools' versions."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
from typing import TYPE_CHECKING, Any

from .common import REPO, Argv, BenchError, capture
from .quiet import graft_fingerprint

if TYPE_CHECKING:
    from pathlib import Path

    from .prepare import Bench

# Longest symlink target ext4 stores inside the inode ("fast symlink"); longer needs a block.
FAST_SYMLINK_MAX = 59


def link_census(venv: Path, py_version: str) -> dict[str, int]:
    """Symlinks created vs files reachable in the venv's site-packages (`__pycache__` skipped)."""
    site = venv / "lib" / f"python{py_version}" / "site-packages"
    symlinks = dir_links = real_dirs = real_files = target_bytes = long_targets = 0
    for top, dirs, files in os.walk(site):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in dirs + files:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                continue
            # ext4 keeps a target of up to 59 bytes in the inode; longer ones cost a data block.
            target = len(os.fsencode(os.readlink(path)))
            target_bytes += target
            long_targets += target >= FAST_SYMLINK_MAX + 1
        for d in dirs:
            if os.path.islink(os.path.join(top, d)):
                dir_links += 1
            else:
                real_dirs += 1
        for f in files:
            if os.path.islink(os.path.join(top, f)):
                symlinks += 1
            else:
                real_files += 1
    reachable = 0
    for _, dirs, files in os.walk(site, followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        reachable += len(files)
    return {
        "site_symlinks": symlinks + dir_links,
        "site_dir_symlinks": dir_links,
        "site_real_dirs": real_dirs,
        "site_real_files": real_files,
        "site_files_reachable": reachable,
        "site_symlink_target_bytes": target_bytes,
        "site_symlinks_long_target": long_targets,
    }


def tool_versions(bench: Bench, graft_error: str | None) -> dict[str, Any]:
    """Versions of the target Python, uv, pip and graft (with its git commit and source hash)."""
    tools, env = bench.tools, bench.env

    def version(argv: Argv) -> str:
        try:
            return capture(argv, env=env).splitlines()[0]
        except (BenchError, OSError, IndexError) as exc:
            return f"unknown ({exc})"

    graft: dict[str, Any] = {"argv": tools.graft, "available": graft_error is None}
    try:
        graft["version"] = importlib.metadata.version("graft")
    except importlib.metadata.PackageNotFoundError:
        graft["version"] = None
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        graft["git_head"] = head.stdout.strip() if head.returncode == 0 else None
        # --no-optional-locks: read-only, never refreshes the index.
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(REPO), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=False,
        )
        graft["src_dirty"] = bool(dirty.stdout.strip()) if dirty.returncode == 0 else None
    except OSError:
        graft["git_head"] = None
    graft["source_hash"] = graft_fingerprint()
    return {
        "python": {"path": tools.python, "version": version([tools.python, "--version"])},
        "uv": {"path": tools.uv, "version": version([tools.uv, "--version"])},
        "pip": {"version": version([*tools.pip, "--version"]).split(" from ")[0]},
        "graft": graft,
    }
