"""How an index page becomes rows: file URLs as ``urljoin`` gives them (no network)."""

from __future__ import annotations

import json
import urllib.parse

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
