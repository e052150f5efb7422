"""``urllib.request``, imported on first use and under a lock, and the one opener graft uses.

With ``http.client``, ``email`` and ``ssl`` it costs a run 30-45 ms of imports, and a warm run
that reads only cached index pages and kept surfaces never opens a connection. It must not be
imported by two threads at once: one thread can find the module initialized before the other
has set ``urllib.request`` on the package ('module urllib has no attribute request', seen in
the cold benchmark's download threads). So every user calls :func:`load` first, which imports
it under one lock, then imports it locally (by then a lookup in ``sys.modules``).

Every request goes through :func:`opener`: urllib's default opener gives each HTTPS
connection a new TLS context, and making one loads the system's CA certificates (30-60 ms of
CPU each here). A cold ``graft lock`` of the data roots opens ~1,500 connections (pages,
range reads of METADATA): 104 s of CPU, half of it loading the same certificates again.

Its connections are :mod:`graft.sources.connections`': each host looked up once, and kept
open between requests. ``--cert`` and ``--allow-insecure-host`` (:mod:`graft.sources.tls`)
choose the context of each connection (:func:`context_for`): the checked one, made from the
``--cert`` bundle when there is one, or, for a host the user named, a second context that
checks nothing; each is made once per run.
"""

from __future__ import annotations

import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Sequence
    from urllib.request import OpenerDirector

    from graft.sources.tls import Trust

_LOCK = threading.Lock()
_OPENER: list[OpenerDirector] = []  # made once, on first use
_CONTEXT_LOCK = threading.Lock()
_CONTEXT: list[ssl.SSLContext] = []  # made once, on the first HTTPS connection
_UNCHECKED: list[ssl.SSLContext] = []  # made once, on the first connection to an insecure host
_TRUST: list[Trust] = []  # the run's --cert and --allow-insecure-host, if any was given


def load() -> None:
    """Import ``urllib.request`` (once, under the lock); callers then ``import urllib.request``."""
    with _LOCK:
        import urllib.request  # noqa: F401, PLC0415 - the point of this module


def opener() -> OpenerDirector:
    """The default urllib opener, with one TLS context for every HTTPS connection of the run.

    The context (:func:`tls_context`) is ``ssl.create_default_context()`` (as ``http.client``
    makes per connection: the system's CA certificates, ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``
    honoured, hostnames checked); an ``SSLContext`` may serve many threads at once, and so may
    an opener (urllib's own ``urlopen`` shares one).
    """
    with _LOCK:
        if not _OPENER:
            import urllib.request  # noqa: PLC0415

            from graft.sources.connections import handlers  # noqa: PLC0415

            _OPENER.append(urllib.request.build_opener(*handlers(context_for)))
        return _OPENER[0]


def trust(chosen: Trust | None) -> None:
    """Make *chosen* the run's TLS choices (``--cert``, ``--allow-insecure-host``; None: none).

    Called by the command line before any request. Choices unlike the ones before (a second
    command in one process) drop the contexts made and the connections kept under them.
    """
    now = [] if chosen is None else [chosen]
    with _CONTEXT_LOCK:
        if now == _TRUST:
            return
        _TRUST[:] = now
        _CONTEXT.clear()
        _UNCHECKED.clear()
    import sys  # noqa: PLC0415

    connections = sys.modules.get("graft.sources.connections")
    if connections is not None:  # (no connection was made, or none kept, otherwise)
        connections.POOL.forget()


def also_insecure(hosts: Sequence[str]) -> None:
    """Add *hosts* (``--trusted-host`` values of requirements files) to the run's insecure hosts.

    pip reads ``--trusted-host`` in a requirements file as on its command line (uv 0.13.9
    ignores it there, with a warning); graft adds it to the command line's choices
    (decision 419). The values were checked where the files were read.
    """
    from graft.sources.tls import InsecureHost, Trust  # noqa: PLC0415

    before = _TRUST[0] if _TRUST else Trust()
    added = tuple(InsecureHost.parse(text, "--trusted-host") for text in hosts)
    trust(Trust(before.cert, tuple(dict.fromkeys(before.insecure + added))))


def context_for(netloc: str) -> ssl.SSLContext:
    """The TLS context of an HTTPS connection to *netloc* (``host[:port]``).

    :func:`tls_context`, but for a host ``--allow-insecure-host`` names: a context that
    checks neither the certificate nor the name, made once, used for those hosts alone.
    """
    if not _TRUST or not _TRUST[0].skips(netloc):
        return tls_context()
    with _CONTEXT_LOCK:
        if not _UNCHECKED:
            import ssl  # noqa: PLC0415

            unchecked = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            unchecked.check_hostname = False  # (before verify_mode: it requires a check)
            unchecked.verify_mode = ssl.CERT_NONE
            _UNCHECKED.append(unchecked)
        return _UNCHECKED[0]


def tls_context() -> ssl.SSLContext:
    """The run's one TLS context, made when the first HTTPS connection needs it.

    Loading the CA certificates costs 30-60 ms of CPU, which a run that only asks an HTTP
    index (a mirror on the local network, a loopback one) never needs to pay. With ``--cert``
    the bundle's certificates are the only ones trusted (``SSL_CERT_FILE``, ``SSL_CERT_DIR``
    and the system's are not loaded), as uv 0.13.9's ``--cert`` (decision 405).
    """
    with _CONTEXT_LOCK:
        if not _CONTEXT:
            import ssl  # noqa: PLC0415

            cert = _TRUST[0].cert if _TRUST else None
            try:
                _CONTEXT.append(ssl.create_default_context(cafile=cert))
            except ssl.SSLError as exc:  # (a bundle whose certificates are not PEM ones)
                from graft.errors import UsageError  # noqa: PLC0415

                raise UsageError(
                    f"--cert {cert}: not a bundle of PEM certificates ({exc.reason or exc})",
                    hint="give a PEM file of CA certificates (-----BEGIN CERTIFICATE-----)",
                ) from None
        return _CONTEXT[0]


#: The variable that sets how long a request waits for the server (as uv's ``UV_HTTP_TIMEOUT``).
TIMEOUT_VARIABLE = "GRAFT_HTTP_TIMEOUT"
_DEFAULT_TIMEOUT = 30.0  # seconds, as uv's default


def timeout() -> float:
    """Seconds a request waits for the server to connect or send more (``GRAFT_HTTP_TIMEOUT``).

    Each blocking step is given this long, as uv's ``UV_HTTP_TIMEOUT`` and pip's ``--timeout``
    are: a download that keeps receiving is never cut off (decision 266).
    """
    import os  # noqa: PLC0415

    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return _DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            f"{TIMEOUT_VARIABLE}={text} is not a number of seconds",
            hint=f"give a positive number (default {_DEFAULT_TIMEOUT:g}), or unset it",
        )
    return seconds


def failure(exc: BaseException) -> str:
    """What a request's failure to get an answer was, in a few words (for a one-line error).

    A timeout says how long was waited; a body cut short says how much came; anything else
    is the reason the socket or urllib gave.
    """
    import http.client  # noqa: PLC0415 - (loaded with urllib.request already)

    reason = getattr(exc, "reason", exc)  # (a URLError wraps the socket's error)
    if isinstance(reason, TimeoutError):  # (socket.timeout is TimeoutError since 3.10)
        return f"no answer within {timeout():g} s"
    if isinstance(reason, http.client.IncompleteRead):
        got, more = len(reason.partial), reason.expected
        said = f", {more} more expected" if more is not None else ""
        return f"the connection closed after {got} bytes of the body{said}"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the server closed the connection without an answer"
    return str(reason) or type(reason).__name__


def untrusted(exc: BaseException) -> bool:
    """Whether *exc* is a certificate TLS did not accept (asking again cannot change that)."""
    import ssl  # noqa: PLC0415 - (loaded with urllib.request already)

    return isinstance(getattr(exc, "reason", exc), ssl.SSLCertVerificationError)


def failure_hint(exc: BaseException, otherwise: str) -> str:
    """What to do about *exc*: trust the server's CA, allow a slow one more time, or *otherwise*."""
    reason = getattr(exc, "reason", exc)
    if untrusted(exc):
        return (
            "give the CA that signed the server's certificate with --cert FILE (a PEM bundle),"
            " or skip the check for this host alone with --allow-insecure-host HOST[:PORT]"
        )
    if isinstance(reason, TimeoutError):
        return (
            f"a slow server: give it more time with {TIMEOUT_VARIABLE}=SECONDS"
            f" (now {timeout():g}), or {otherwise}"
        )
    return otherwise
