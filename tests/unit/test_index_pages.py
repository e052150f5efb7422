"""How an index page becomes rows: file URLs as ``urljoin`` gives them (no network)."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft.sources.simple_api import _absolute, _html_rows, _json_rows

PAGE = "https://pypi.example/simple/demo/"
SEGMENT = st.text(alphabet="abcdef.-_~%0123456789", min_size=0, max_size=8)
LINK = st.one_of(
    st.builds(
        lambda scheme, host, parts, tail: f"{scheme}://{host}/{'/'.join(parts)}{tail}",
        st.sampled_from(["https", "http"]),
        st.sampled_from(["files.example", "F:80", "pypi.example"]),
        st.lists(SEGMENT, max_size=4),
        st.sampled_from(["", "?x=1", "#sha256=ab", "/"]),
    ),
    st.builds(
        "/".join, st.lists(st.sampled_from(["..", ".", "files", "x-1.0.whl", ""]), max_size=5)
    ),
)


@given(LINK)
def test_a_file_url_is_what_urljoin_makes_of_it(link: str) -> None:
    assert _absolute(PAGE, link) == urllib.parse.urljoin(PAGE, link)


def test_json_and_html_pages_give_the_same_urls() -> None:
    links = ["https://files.example/a/demo-1.0-py3-none-any.whl", "../../files/demo-1.0.tar.gz"]
    page = {
        "files": [
            {"filename": link.rsplit("/", 1)[-1], "url": link, "hashes": {}} for link in links
        ]
    }
    html = "".join(f'<a href="{link}">{link.rsplit("/", 1)[-1]}</a>' for link in links)
    from_json = [row[1] for row in _json_rows(PAGE, json.dumps(page).encode())]
    from_html = [row[1] for row in _html_rows(PAGE, html.encode())]
    assert (
        from_json
        == from_html
        == [
            "https://files.example/a/demo-1.0-py3-none-any.whl",
            "https://pypi.example/files/demo-1.0.tar.gz",
        ]
    )


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(
    sha256=_JSON,
    requires_python=_JSON,
    yanked=_JSON,
    upload=_JSON,
    size=_JSON,
    metadata=_JSON,
)
def test_a_file_is_read_with_the_types_it_decides_by_or_refused(
    sha256: object,
    requires_python: object,
    yanked: object,
    upload: object,
    size: object,
    metadata: object,
) -> None:
    """Any JSON in a file's fields: one SourceError, or a row whose sha256, requires-python
    and yanked are what the page said, of PEP 691's types (decision 295)."""
    from graft.errors import SourceError

    entry = {
        "filename": "app-1.0-py3-none-any.whl",
        "url": "app-1.0-py3-none-any.whl",
        "hashes": {"sha256": sha256},
        "requires-python": requires_python,
        "yanked": yanked,
        "upload-time": upload,
        "size": size,
        "core-metadata": metadata,
    }
    body = json.dumps({"files": [entry]}).encode()
    decisive = (sha256, requires_python)
    typed = all(isinstance(v, (str, type(None))) for v in decisive) and isinstance(
        yanked, (bool, str, type(None))
    )
    if not typed:
        with pytest.raises(SourceError, match="is not"):
            _json_rows(PAGE, body)
        return
    (row,) = _json_rows(PAGE, body)
    assert row[2] == sha256
    assert row[3] == (requires_python or None)
    assert row[4] == (None if yanked in (None, False) else yanked if yanked is not True else "")
    assert row[5] is None or isinstance(row[5], str)
    assert row[7] is None or isinstance(row[7], int)
