"""``[tool.uv.sources]``: the hint under ``--no-sources`` (decision 171) and the reading (369)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.sources.requirements import source_path
from graft.sources.uv_sources import hint

if TYPE_CHECKING:
    from pathlib import Path

SOURCES = """\
[project]
name = "app"
version = "1"
dependencies = ["lib", "member", "Remote", "private", "plain"]
[tool.uv.sources]
lib = { path = "../lib", editable = true }
member = { workspace = true }
remote = { git = "https://example.org/remote.git", tag = "v1", subdirectory = "py" }
private = [{ index = "corp", marker = "sys_platform == 'linux'" }]
[[tool.uv.index]]
name = "corp"
url = "https://corp.example/simple"
"""


def test_each_kind_of_uv_source_says_what_to_give_graft(tmp_path: Path) -> None:
    (tmp_path / "ws" / "app").mkdir(parents=True)
    (tmp_path / "ws" / "libs" / "m").mkdir(parents=True)
    (tmp_path / "ws" / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["app", "libs/*"]\n'
    )
    (tmp_path / "ws" / "libs" / "m" / "pyproject.toml").write_text('[project]\nname = "Member"\n')
    (tmp_path / "ws" / "app" / "pyproject.toml").write_text(SOURCES)
    wanted = [source_path(str(tmp_path / "ws" / "app"), "command line", editable=True)]
    where = f"{tmp_path}/ws/app/pyproject.toml: [tool.uv.sources]"
    said = "which --no-sources leaves unread:"
    assert hint(["lib"], wanted) == f"{where}.lib names lib, {said} add -e {tmp_path}/ws/lib"
    assert hint(["member"], wanted) == (
        f"{where}.member names member, {said} add -e {tmp_path}/ws/libs/m"
    )
    assert hint(["remote"], wanted) == (
        f"{where}.remote names remote, {said} add 'remote @ git+https://example.org/remote.git@v1"
        "#subdirectory=py'"
    )
    assert hint(["private"], wanted) == (
        f"{where}.private names private, {said} pass --extra-index-url https://corp.example/simple"
    )
    assert hint(["plain"], wanted) is None
    assert hint(["lib"], [source_path(str(tmp_path / "ws" / "libs" / "m"), "x")]) is None
