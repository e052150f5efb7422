"""Credentials for private indexes, as pip and uv find them: in the URL, or in ``~/.netrc``.

``--index-url https://user:token@host/simple/`` is how most private indexes are named, and
their pages link to files on the same host without the credentials. So an index URL is
split where it enters graft (:func:`keep`): the URL graft uses, caches and prints has no
userinfo, and the credentials are kept (in this process only) for its host, where every
request to that host finds them (:func:`request`). A host without credentials in a URL is
looked up in the netrc file (``$NETRC``, else ``~/.netrc``), as pip and uv do. With
``--keyring-provider subprocess`` (:func:`use_keyring`), a host that answers HTTP 401 is
looked up with the ``keyring`` command, as pip's and uv's subprocess providers do
(:func:`from_keyring`). Credentials are sent as HTTP Basic authentication, never written to
a cache, a lock or a message.
"""

from __future__ import annotations

import base64
import os
import threading
import urllib.parse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from urllib.request import Request

_KEPT: dict[str, tuple[str, str]] = {}  # netloc (host[:port], no userinfo) -> user, password
_NETRC: list[dict[str, tuple[str, str]]] = []  # parsed once: host -> login, password
_LOCK = threading.Lock()
_KEYRING: list[bool] = []  # [True] once --keyring-provider subprocess is on
_ASKED: dict[str, threading.Event] = {}  # hosts the keyring command is or was asked for
_GIVEN: set[str] = set()  # hosts it gave credentials for


def keep(url: str) -> str:
    """*url* without its userinfo; the credentials it held are kept for its host."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    with _LOCK:
        _KEPT[host] = (urllib.parse.unquote(user), urllib.parse.unquote(password))
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def request(url: str, headers: dict[str, str]) -> Request:
    """A ``urllib`` request for *url*, with the credentials its host has, if any.

    The caller has loaded ``urllib.request`` (:mod:`graft.sources.urlimport`).
    """
    from urllib.request import Request  # noqa: PLC0415 - loaded by the caller

    url = keep(url)  # a direct URL (name @ https://user:token@host/x.whl) names its own
    parts = urllib.parse.urlsplit(url)
    with _LOCK:
        found = _KEPT.get(parts.netloc)
    if found is None and parts.hostname is not None and parts.scheme in ("http", "https"):
        found = _from_netrc(parts.hostname)
    if found is not None:
        token = base64.b64encode(f"{found[0]}:{found[1]}".encode()).decode("ascii")
        headers = {**headers, "Authorization": f"Basic {token}"}
    return Request(url, headers=headers)  # noqa: S310 - http(s) and file URLs of indexes


def _from_netrc(host: str) -> tuple[str, str] | None:
    """The login and password the netrc file gives *host* (or its ``default``), if any."""
    with _LOCK:
        if not _NETRC:
            _NETRC.append(_read_netrc())
        table = _NETRC[0]
    return table.get(host) or table.get("")


def _read_netrc() -> dict[str, tuple[str, str]]:
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return {}
    import netrc  # noqa: PLC0415 - only where a netrc file exists

    try:
        parsed = netrc.netrc(path)
    except (OSError, netrc.NetrcParseError):
        return {}  # as pip: a netrc that cannot be read gives no credentials
    # (3.10's netrc refuses an entry without a password; its stubs allow None)
    table = {h: (login, password or "") for h, (login, _, password) in parsed.hosts.items()}
    default = parsed.hosts.get("default")
    if default is not None:
        table[""] = (default[0], default[2] or "")
    return table


def use_keyring() -> None:
    """Ask the ``keyring`` command for the credentials of a host that answers HTTP 401."""
    with _LOCK:
        _KEYRING[:] = [True]


def from_keyring(url: str) -> bool:
    """Credentials for *url*'s host from the ``keyring`` command, kept; whether it gave any.

    As uv's subprocess provider (and pip's): the service is *url*, then its ``host[:port]``;
    with a username in the index URL, ``keyring get SERVICE USER`` prints the password, else
    ``keyring get SERVICE --mode creds`` prints the username and the password (keyring 25.2+).
    Asked once per host and process (a request that meets 401 while another asks waits for
    its answer); off unless :func:`use_keyring` was called.
    """
    parts = urllib.parse.urlsplit(keep(url))
    host = parts.netloc
    with _LOCK:
        if not _KEYRING or not host:
            return False
        asking = _ASKED.get(host)
        if asking is None:
            _ASKED[host] = threading.Event()
        user = _KEPT.get(host, ("", ""))[0]
    if asking is not None:  # asked already, or being asked by another thread
        asking.wait()
        with _LOCK:
            return host in _GIVEN
    try:
        for service in (urllib.parse.urlunsplit(parts._replace(query="", fragment="")), host):
            found = _keyring_get(service, user)
            if found is not None:
                with _LOCK:
                    _KEPT[host] = found
                    _GIVEN.add(host)
                return True
        return False
    finally:
        _ASKED[host].set()


def _keyring_get(service: str, user: str) -> tuple[str, str] | None:
    """What ``keyring get`` prints for *service* (and *user*), or None (not found, no keyring)."""
    import subprocess  # noqa: PLC0415 - only when a host asks for credentials

    argv = ["keyring", "get", service, *([user] if user else ["--mode", "creds"])]
    try:
        done = subprocess.run(  # the keyring command, as pip and uv run it
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
    except OSError:  # no keyring command on PATH
        return None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or not lines:
        return None
    if user:
        return user, lines[0]
    return (lines[0], lines[1]) if len(lines) > 1 else None
