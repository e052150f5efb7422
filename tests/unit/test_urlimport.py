"""One opener, and so one TLS context, for every request of a run."""

from __future__ import annotations

import ssl
import threading
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import pytest

from graft.errors import SourceError
from graft.sources import lazywheel, urlimport
from graft.sources.http import http_get

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self


class _Answer:
    status = 200
    headers: dict[str, str] = {"Content-Type": "text/html"}  # noqa: RUF012 - a stub's

    def read(self) -> bytes:
        return b"<html></html>"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


class _Recording:
    """An opener that answers every request (or refuses it) and remembers the URLs."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.urls: list[str] = []
        self.refuse = refuse

    def open(self, request: urllib.request.Request, timeout: float) -> _Answer:
        del timeout
        self.urls.append(request.full_url)
        if self.refuse:
            raise urllib.error.URLError("refused")
        return _Answer()


def test_the_opener_and_its_tls_context_are_made_once_for_every_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def counted(cafile: str | None = None) -> ssl.SSLContext:
        made.append(real(cafile=cafile))
        return made[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    monkeypatch.setattr(urlimport, "_OPENER", [])
    monkeypatch.setattr(urlimport, "_CONTEXT", [])
    got: list[urllib.request.OpenerDirector] = []
    contexts: list[ssl.SSLContext] = []

    def both() -> None:
        got.append(urlimport.opener())
        contexts.append(urlimport.tls_context())

    threads = [threading.Thread(target=both) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert len({id(o) for o in got}) == 1
    assert {id(c) for c in contexts} == {id(made[0])}


def test_index_pages_and_range_reads_go_through_the_shared_opener(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recording = _Recording()
    monkeypatch.setattr(urlimport, "_OPENER", [recording])
    answer = http_get("https://index.invalid/simple/lib/")
    assert answer is not None
    assert answer.body == b"<html></html>"
    refusing = _Recording(refuse=True)
    monkeypatch.setattr(urlimport, "_OPENER", [refusing])
    with pytest.raises(SourceError):
        lazywheel.read_metadata("https://files.invalid/lib-1.0-py3-none-any.whl", backoff=0)
    assert recording.urls == ["https://index.invalid/simple/lib/"]
    assert refusing.urls == ["https://files.invalid/lib-1.0-py3-none-any.whl"] * lazywheel.RETRIES
