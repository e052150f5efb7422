"""Which CA certificates HTTPS trusts, which hosts go unchecked: ``--cert``, insecure hosts.

A private index with a CA of its own (a corporate one) or a self-signed certificate (a test
index) is reached as pip and uv reach it: ``--cert FILE`` trusts the CA certificates of a PEM
file instead of the system's (uv 0.13.9's ``--cert``: ``SSL_CERT_FILE`` and the system's
roots are not read then), and ``--allow-insecure-host HOST`` (pip's ``--trusted-host``)
connects to *HOST* without checking its certificate, every other host still checked
(decisions 405, 406). This module is their meaning, without I/O but reading the bundle:
:class:`InsecureHost` parses one host as uv does (``host``, ``host:port``, a URL, ``*``),
:class:`Trust` is a run's choice, and :func:`trust` reads the command line's; the contexts
that carry it out are :mod:`graft.sources.urlimport`'s, made once each per run.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

#: The variable that adds hosts to ``--allow-insecure-host`` (space-separated, as uv's
#: ``UV_INSECURE_HOST``; graft reads no uv variable: decision 115)
INSECURE_VARIABLE = "GRAFT_INSECURE_HOST"
_HTTPS_PORT = 443


@dataclass(frozen=True)
class InsecureHost:
    """A host whose certificate is not checked: any host (``*``), or a host, a port, a scheme.

    *port* None: every port of *host*; *scheme* None: either scheme (only ``https`` is ever
    checked, so an ``http://`` one matches no connection that has a certificate).
    """

    host: str  # lower case; "*" for every host
    port: int | None = None
    scheme: str | None = None

    @classmethod
    def parse(cls, text: str, option: str = "--allow-insecure-host") -> InsecureHost:
        """*text* as uv reads it: ``*``, ``host``, ``host:port`` or ``https://host[:port][/...]``.

        A URL's path is ignored (uv 0.13.9 refuses one with a port and a path: graft takes
        it, as a user pastes an index URL). A missing host or a port that is not one is a
        usage error naming *option* and *text*.
        """
        value = text.strip()
        if value == "*":
            return cls("*")
        scheme = value.partition("://")[0].lower() if "://" in value else None
        hint = "give HOST, HOST:PORT or https://HOST:PORT"
        try:
            parts = urllib.parse.urlsplit(value if scheme is not None else f"//{value}")
        except ValueError:  # (an unclosed [ of an IPv6 address)
            parts = urllib.parse.urlsplit("")
        host = parts.hostname
        if not host:
            raise UsageError(f"{option} {text!r}: no host", hint=hint)
        try:
            port = parts.port
        except ValueError:
            raise UsageError(
                f"{option} {text}: the port is not a number from 0 to 65535", hint=hint
            ) from None
        return cls(host, port, scheme)

    def matches(self, host: str, port: int, scheme: str = "https") -> bool:
        """Whether a connection to *host* and *port* by *scheme* is this host's."""
        if self.host == "*":
            return True
        if self.scheme is not None and self.scheme != scheme:
            return False
        if self.port is not None and self.port != port:
            return False
        return self.host == host.lower()


@dataclass(frozen=True)
class Trust:
    """A run's TLS choices: the CA bundle that replaces the system's, the hosts not checked."""

    cert: str | None = None  # an absolute path
    insecure: tuple[InsecureHost, ...] = ()

    def skips(self, netloc: str) -> bool:
        """Whether the HTTPS connection to *netloc* (``host[:port]``) goes unchecked."""
        if not self.insecure:
            return False
        try:
            parts = urllib.parse.urlsplit(f"//{netloc}")
            host, port = parts.hostname or "", parts.port or _HTTPS_PORT
        except ValueError:
            return False
        return any(each.matches(host, port) for each in self.insecure)


def trust(
    cert: str | None,
    hosts: Sequence[str] = (),
    trusted: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> Trust:
    """The run's :class:`Trust` from ``--cert``, ``--allow-insecure-host``, ``--trusted-host``.

    ``GRAFT_INSECURE_HOST``'s hosts (space-separated) come after the options'. A bundle
    that cannot be read, or holds no certificate, is a usage error naming ``--cert`` and
    the path (as uv refuses one before connecting anywhere).
    """
    told = (os.environ if environ is None else environ).get(INSECURE_VARIABLE, "")
    insecure = [InsecureHost.parse(text) for text in hosts]
    insecure += [InsecureHost.parse(text, "--trusted-host") for text in trusted]
    insecure += [InsecureHost.parse(text, INSECURE_VARIABLE) for text in told.split()]
    return Trust(None if cert is None else _bundle(cert), tuple(dict.fromkeys(insecure)))


def _bundle(path: str) -> str:
    """The absolute path of the PEM bundle at *path*, checked to hold a certificate."""
    hint = "give a PEM file of CA certificates (-----BEGIN CERTIFICATE-----)"
    try:
        with open(path, "rb") as file:
            text = file.read()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            f"--cert {path}: cannot read the CA bundle ({reason})", hint=hint
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in text:
        raise UsageError(f"--cert {path}: no PEM certificate in the file", hint=hint)
    return os.path.abspath(path)
