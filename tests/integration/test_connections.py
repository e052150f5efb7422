"""Every request of a run goes through one opener whose connections look each host up once."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from graft.sources import urlimport
from graft.sources.http import http_get
from graft.sources.lazywheel import read_metadata
from tests.support.rangeserver import serve
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_pages_and_range_reads_by_host_name_look_the_host_up_once(
    wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = socket.getaddrinfo

    def counted(host: str, *args: object) -> object:
        asked.append(host)
        return real(host, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", counted)
    monkeypatch.setattr(urlimport, "ADDRESSES", urlimport.Addresses())
    monkeypatch.setattr(urlimport, "_OPENER", [])
    wheel = make_wheel(wheels, "lib", "1.0", {"lib.py": "x = 1\n"})
    with serve() as served:
        url = served.add(wheel).replace("127.0.0.1", "localhost")
        index = served.url.replace("127.0.0.1", "localhost")
        for _ in range(3):
            page = http_get(f"{index}/simple/lib/")
            assert page is not None
            assert b"lib-1.0-py3-none-any.whl" in page.body
            assert read_metadata(url).metadata.startswith(b"Metadata-Version")
    assert asked == ["localhost"]
    assert urlimport.ADDRESSES.asked == 1
