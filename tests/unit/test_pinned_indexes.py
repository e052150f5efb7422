"""A project kept to one index by a ``[tool.uv.sources]`` ``index`` entry (decision 372)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graft.sources.find_links import FindLinks
from graft.sources.indexes import Indexes

if TYPE_CHECKING:
    from pathlib import Path


def _tree(root: Path, releases: dict[str, str]) -> str:
    """A local PEP 503 tree: one page per project, linking one wheel of that version."""
    for name, version in releases.items():
        (root / name).mkdir(parents=True)
        wheel = f"{name}-{version}-py3-none-any.whl"
        (root / name / "index.html").write_text(f'<a href="{wheel}">{wheel}</a>\n')
    return root.as_uri() + "/"


@pytest.mark.parametrize("strategy", ["first-index", "unsafe-best-match"])
def test_a_pinned_project_is_asked_of_its_index_alone(tmp_path: Path, strategy: str) -> None:
    """lib from corp alone, though the general indexes have it; corp asked for nothing else."""
    extra = _tree(tmp_path / "extra", {"lib": "10.0", "other": "10.0"})
    main = _tree(tmp_path / "main", {"lib": "9.0", "other": "1.0"})
    corp = _tree(tmp_path / "corp", {"lib": "1.0", "other": "5.0"})
    cache = str(tmp_path / "cache")
    indexes = Indexes([extra, main], cache, strategy=strategy, pinned={"lib": corp})
    assert [c.filename for c in indexes.listing("lib")] == ["lib-1.0-py3-none-any.whl"]
    assert [c.filename for c in indexes.files("lib")] == ["lib-1.0-py3-none-any.whl"]
    assert [r[0] for r in indexes.rows("lib")] == ["lib-1.0-py3-none-any.whl"]
    other = {c.filename for c in indexes.listing("other")}
    assert "other-5.0-py3-none-any.whl" not in other
    assert "other-10.0-py3-none-any.whl" in other
    assert indexes.urls == [extra, main, f"lib={corp}"]
    assert indexes.pinned_urls == {"lib": corp}
    found = indexes.findings()  # (every index, the pinned one too: a lock worker's to learn)
    assert len(found.seen) == len(found.cached) == 3
    again = Indexes([extra, main], cache, strategy=strategy, pinned={"lib": corp})
    again.learn(found)
    assert again.every[2].seen == indexes.every[2].seen
    same = Indexes([extra, main], cache, pinned={"lib": main})  # (one of the general ones)
    assert [c.filename for c in same.listing("lib")] == ["lib-9.0-py3-none-any.whl"]
    assert len(same.every) == 2


def test_find_links_offer_a_pinned_project_nothing(tmp_path: Path) -> None:
    for filename in ("lib-10.0-py3-none-any.whl", "Lib-11.0.tar.gz", "other-1.0-py3-none-any.whl"):
        (tmp_path / filename).write_bytes(b"")
    links = FindLinks([str(tmp_path)], {"lib"})
    assert (links.files("lib"), links.sdists("lib"), links.names()) == ([], [], ["other"])
    assert [f for f, _ in FindLinks([str(tmp_path)]).files("lib")] == ["lib-10.0-py3-none-any.whl"]
