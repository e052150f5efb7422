"""A clash scan reads no METADATA its version alone answers (decision 488).

``boto3<1.20 botocore awscli`` (``graft lock``, cutoff 2026-12-01): on CPython 3.9 the
newest awscli pins a botocore that boto3<1.20 excludes. When boto3's pin failed, each of
its releases was scanned against the root ``botocore``, newest first, to learn whether it
clashes with every botocore: each newer botocore is excluded by boto3's own
``botocore<1.23`` (a clash by the version alone, no METADATA read), yet the scan read
ahead every one of them, 1,087 range reads of a 13 MB wheel's central directory that
nothing used (808 MiB of a cold lock's fetches). Here in small, on a loopback index that
serves no PEP 658 files: ``b3`` (boto3), ``bc`` (botocore), ``aw`` (awscli), whose newest
releases need a Python the environment's excludes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.support.rangeserver import Served, serve_made
from tests.support.toml import tomllib
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: Releases of each project: 1.0 up to 1.(RELEASES - 1).
RELEASES = 40
#: ``b3<1.BOUND``
BOUND = 10
#: aw's releases from 1.NEWER on need Python 3.10: on 3.9 the newest pins a bc b3 excludes.
NEWER = 30


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    folder = tmp_path / "served"
    with serve_made(folder) as served:
        for minor in range(RELEASES):
            version = f"1.{minor}"
            for name, requires, python in (
                ("bc", (), None),
                ("b3", (f"bc>=1.{minor},<1.{minor + 1}",), "<3" if minor == 0 else None),
                ("aw", (f"bc=={version}",), ">=3.10" if minor >= NEWER else None),
            ):
                files: dict[str, bytes | str] = {f"{name}/__init__.py": ""}
                made = make_wheel(
                    folder, name, version, files, requires=requires, requires_python=python
                )
                served.add(made)
        yield served


def test_a_clash_scan_reads_no_release_its_version_rules_out(
    index: Served, tmp_path: Path, cache: Path
) -> None:
    """On 3.9 aw 1.29 (the newest for it) pins bc 1.29, which every b3<1.10 excludes.

    Each b3 is then scanned against the root ``bc``: bc 1.39 down to 1.10 are excluded by
    its own ``bc<1.(k+1)``, so only the first bc it admits is read. Read: bc 1.39 (the
    newest, the first resolution's walk), 1.29 (pinned beside aw 1.29) and 1.9 (the
    answer); main read all 38 from 1.39 down to 1.2 ahead of the scans.
    """
    out = tmp_path / "pylock.toml"
    run_graft(
        "lock", f"b3<1.{BOUND}", "bc", "aw", "--index-url", f"{index.url}/simple/",
        "--python-version", "3.9", "--platform", "linux", "-o", out,
    )  # fmt: skip
    locked = tomllib.loads(out.read_text())
    assert {p["name"]: p["version"] for p in locked["packages"]} == dict.fromkeys(
        ("aw", "b3", "bc"), "1.9"
    )
    read = {path.rsplit("/", 1)[1] for path in index.wheel_requests() if "/bc-" in path}
    assert read == {f"bc-1.{minor}-py3-none-any.whl" for minor in (39, 29, 9)}
