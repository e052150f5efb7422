"""A file one reader hashed and another read again with other bytes leaves no memo (479).

Decision 464 hashed the bytes each request reader parsed (``note_read``), but a
``pyproject.toml`` that ``[tool.uv.sources]`` were read from is read again, unhashed, where
an ``index`` entry's ``[[tool.uv.index]]`` is looked up (``uv_source_kinds.declared_index``)
and where an editable's build reads its project and keys it: rewritten between two such
reads, the memo named the first read's bytes while the resolution used the second's.
Every read is now kept in the run open (``_reads.Reads``, from ``note_read``, every
``_toml.load_toml`` and a build key's hashes) and ``Reads.fold`` marks such a file ``MIXED``.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from graft._reads import MIXED, Reads
from graft._sha256 import sha256_hex
from graft.build.project import read_project
from graft.build.source_key import editable_key
from graft.resolve.located import Located
from graft.resolve.memo import observe
from graft.sources.uv_source_kinds import index_url
from graft.sources.uv_sources import sources_of
from graft.venv.foreign import foreign_target

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import pytest

PYPROJECT = """\
[project]
name = "app"
version = "1.0"
dependencies = ["lib"]

[tool.uv.sources]
lib = {{ index = "mine" }}

[[tool.uv.index]]
name = "mine"
url = "{url}"
"""


def located(path: Path, digests: dict[str, str]) -> Located:
    return Located(
        foreign_target("3.11", ["manylinux_2_17_x86_64"]),
        (),
        files=(str(path),),
        digests=tuple(digests.items()),
        interpreter=os.path.realpath(sys.executable),
    )


def _index(project: Path) -> None:
    (entry,) = sources_of(str(project)).named("lib")
    assert index_url(entry).startswith("https://")


def _build(project: Path) -> None:
    read_project(str(project))


def _key(project: Path) -> None:
    editable_key(str(project))


SECOND_READERS: dict[str, Callable[[Path], None]] = {
    "the [[tool.uv.index]] of an index entry": _index,
    "an editable's build reading its project": _build,
    "an editable's build key": _key,
}


def test_a_pyproject_read_again_with_other_bytes_leaves_no_memo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "app"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    for what, second in SECOND_READERS.items():
        first = PYPROJECT.format(url="https://one.invalid/simple")
        pyproject.write_text(first)
        digests: dict[str, str] = {}
        with Reads() as reads:  # (a run: locate's)
            sources_of(str(project), digests=digests)  # (the request's reader: hashed, 464)
            second(project)  # the same bytes: the one hash stands
            reads.fold(digests)
            assert digests == {str(pyproject): sha256_hex(first.encode())}, what
            pyproject.write_text(PYPROJECT.format(url="https://two.invalid/simple"))
            second(project)  # rewritten between the two reads
            reads.fold(digests)
        assert digests == {str(pyproject): MIXED}, what
        assert observe(located(pyproject, digests)) is None, what
