"""One opener, and so one TLS context, for every request of a run."""

from __future__ import annotations

import socket
import ssl
import threading
import time
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

    def counted() -> ssl.SSLContext:
        made.append(real())
        return made[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    monkeypatch.setattr(urlimport, "_OPENER", [])
    got: list[urllib.request.OpenerDirector] = []
    threads = [threading.Thread(target=lambda: got.append(urlimport.opener())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert len({id(o) for o in got}) == 1


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


class _Lookups:
    """A ``getaddrinfo`` that takes its time, counting calls and how many ran at once."""

    def __init__(self, answer: list[tuple[object, ...]]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, int]] = []
        self.at_once = 0
        self._running = 0
        self._lock = threading.Lock()

    def __call__(self, host: str, port: int, *_: object) -> list[tuple[object, ...]]:
        with self._lock:
            self.calls.append((host, port))
            self._running += 1
            self.at_once = max(self.at_once, self._running)
        time.sleep(0.02)
        with self._lock:
            self._running -= 1
        return self.answer


def test_each_host_is_looked_up_once_and_never_two_lookups_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups = _Lookups([(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))])
    monkeypatch.setattr(socket, "getaddrinfo", lookups)
    addresses = urlimport.Addresses()
    hosts = ["pypi.org", "files.pythonhosted.org"] * 8
    threads = [threading.Thread(target=addresses.lookup, args=(host, 443)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(lookups.calls) == [("files.pythonhosted.org", 443), ("pypi.org", 443)]
    assert lookups.at_once == 1
    assert addresses.asked == 2
    assert addresses.lookup("pypi.org", 443) == lookups.answer
    assert addresses.lookup("pypi.org", 80) == lookups.answer  # (another port: asked again)
    assert addresses.asked == 3


def test_a_host_none_of_whose_addresses_answers_is_looked_up_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as listening:  # a port nothing accepts on once closed
        listening.bind(("127.0.0.1", 0))
        closed = listening.getsockname()
    lookups = _Lookups([(socket.AF_INET, socket.SOCK_STREAM, 6, "", closed)] * 2)
    monkeypatch.setattr(socket, "getaddrinfo", lookups)
    addresses = urlimport.Addresses()
    with pytest.raises(ConnectionRefusedError):
        addresses.connect(("index.invalid", closed[1]), timeout=5)
    with pytest.raises(ConnectionRefusedError):
        addresses.connect(("index.invalid", closed[1]), timeout=5)
    assert len(lookups.calls) == 2


def test_a_connection_goes_to_the_looked_up_address_with_the_timeout_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        where = listening.getsockname()
        lookups = _Lookups([(socket.AF_INET, socket.SOCK_STREAM, 6, "", where)])
        monkeypatch.setattr(socket, "getaddrinfo", lookups)
        addresses = urlimport.Addresses()
        with addresses.connect(("index.invalid", 1), timeout=7.5) as sock:
            assert sock.getpeername() == where
            assert sock.gettimeout() == 7.5
        with addresses.connect(("index.invalid", 1), timeout=None) as sock:
            assert sock.gettimeout() is None
    assert lookups.calls == [("index.invalid", 1)]
