"""Credentials of private indexes: split from URLs, kept per host, read from netrc."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.request import Request

import pytest

from graft.sources import auth


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(auth, "_KEPT", {})
    monkeypatch.setattr(auth, "_NETRC", [])
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


def basic(request: Request) -> str | None:
    header = request.get_header("Authorization")
    if header is None:
        return None
    return base64.b64decode(header.removeprefix("Basic ")).decode()


def test_a_url_loses_its_credentials_and_its_host_keeps_them() -> None:
    assert auth.keep("https://bob:p%40ss@pkgs.example:8443/simple/") == (
        "https://pkgs.example:8443/simple/"
    )
    assert auth.keep("https://pkgs.example/simple/") == "https://pkgs.example/simple/"
    # a file the page links to on the same host (and port) is fetched with them
    assert basic(auth.request("https://pkgs.example:8443/files/x.whl", {})) == "bob:p@ss"
    assert basic(auth.request("https://pkgs.example/files/x.whl", {})) is None  # another port
    assert basic(auth.request("https://other.example/x.whl", {})) is None
    # a direct URL names its own, which never reach the URL requested
    request = auth.request("https://eve:tok@third.example/x.whl", {"Range": "bytes=-1"})
    assert request.full_url == "https://third.example/x.whl"
    assert basic(request) == "eve:tok"
    assert request.get_header("Range") == "bytes=-1"


def test_netrc_gives_a_host_its_login_and_default_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(
        "machine pkgs.example login ann password one\ndefault login any password two\n"
    )
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert basic(auth.request("https://pkgs.example/simple/x/", {})) == "ann:one"
    assert basic(auth.request("https://elsewhere.example/simple/x/", {})) == "any:two"
    assert basic(auth.request("file:///srv/simple/x/", {})) is None  # only http(s)


def test_an_unreadable_netrc_gives_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine\n")  # a parse error
    monkeypatch.setenv("NETRC", str(netrc))
    assert basic(auth.request("https://pkgs.example/simple/x/", {})) is None
