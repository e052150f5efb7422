"""Each host looked up once per run, one lookup at a time (no network: lookups are stubs)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from graft.sources import connections


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
    addresses = connections.Addresses()
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
    addresses = connections.Addresses()
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
        addresses = connections.Addresses()
        with addresses.connect(("index.invalid", 1), timeout=7.5) as sock:
            assert sock.getpeername() == where
            assert sock.gettimeout() == 7.5
        with addresses.connect(("index.invalid", 1), timeout=None) as sock:
            assert sock.gettimeout() is None
    assert lookups.calls == [("index.invalid", 1)]
