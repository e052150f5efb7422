"""The anchors of a PEP 503 HTML page: each link's text and attributes.

Apart from :mod:`graft.sources.simple_api` so that ``html.parser`` (and its regular
expressions) is imported only when an index answers in HTML, not on every run that reads
cached rows.
"""

from __future__ import annotations

from html.parser import HTMLParser


class Anchors(HTMLParser):
    """Collects ``(text, attributes)`` of every ``<a>`` with an ``href``."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []
        self._attrs: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """An ``<a href>`` starts: keep its attributes until its text."""
        if tag == "a":
            self._attrs = dict(attrs) if dict(attrs).get("href") is not None else None

    def handle_data(self, data: str) -> None:
        """The text of the anchor being read."""
        if self._attrs is not None:
            self.links.append((data.strip(), self._attrs))
            self._attrs = None
