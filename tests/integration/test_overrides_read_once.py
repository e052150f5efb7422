"""``--overrides FILE`` is read once per sync that resolves (decision 471), or recalls (477).

A sync read it four times: the resolution's inputs, the resolution memo's fingerprint of
its bytes, the set check after resolving, and the venv's record of the overrides (decision
396). The resolution's reading now serves the other three: its digest is the memo's
fingerprint, and the overrides it read are the set check's and the record's. Counted with
an audit hook on ``open`` in the graft process (what ``strace -e trace=openat`` shows).
A sync the memo answered read it twice, the memo's check and the record; the memo now keeps
the overrides as the resolution read them (decision 477).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from tests.integration.test_warm import aged
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

#: graft's CLI with each open of a file named ``o.txt`` said on stderr
COUNTED = """
import runpy, sys
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].endswith("o.txt"):
        print("opened o.txt", file=sys.stderr)
sys.addaudithook(hook)
sys.argv = ["graft", *sys.argv[1:]]
runpy.run_module("graft", run_name="__main__")
"""


def opens(tmp_path: Path, *args: str | Path) -> tuple[int, str]:
    """How often a ``graft sync`` opened ``o.txt``, and what it said."""
    run = subprocess.run(
        [sys.executable, "-c", COUNTED, "sync", *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"},
    )
    return run.stderr.count("opened o.txt"), run.stdout + run.stderr


def test_the_overrides_file_is_read_once_by_a_sync_that_resolves(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    links = tmp_path / "links"
    links.mkdir()
    make_wheel(links, "app", "1.0", {"app.py": ""}, requires=("lib<2",))
    for version in ("1.0", "2.0"):
        make_wheel(links, "lib", version, {"lib.py": ""})
    (tmp_path / "o.txt").write_text("lib>=2\n")
    aged(tmp_path / "o.txt", *links.iterdir(), links)
    common = ("app", "--no-index", "-f", links, "--store", store_dir, "--overrides", "o.txt")
    count, said = opens(tmp_path, tmp_path / "v", *common)
    assert "+ lib==2.0" in said, said  # (the override stands for app's lib<2)
    assert count == 1, said
    # the memo kept the digest of the bytes read and the overrides: a new venv is recalled,
    # the file checked once by the memo; its record of the overrides is the memo's (477)
    count, said = opens(tmp_path, tmp_path / "w", *common, "-v")
    assert "recall" in said, said
    assert count == 1, said
    # each venv's record holds the overrides read: graft audit says lib 2.0 was asked for
    for venv in ("v", "w"):
        run = subprocess.run(
            [sys.executable, "-m", "graft", "audit", tmp_path / venv],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "app==1.0 requires lib<2, overridden by lib>=2" in run.stdout, run.stdout
