"""``--allow-insecure-host`` as uv parses and matches it; each context made once (decision 406)."""

from __future__ import annotations

import ssl
import threading
from typing import TYPE_CHECKING

import pytest

from graft.errors import UsageError
from graft.sources import urlimport
from graft.sources.tls import InsecureHost, Trust, trust

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("example.com", InsecureHost("example.com")),
        ("Example.COM", InsecureHost("example.com")),
        ("example.com:8443", InsecureHost("example.com", 8443)),
        ("https://example.com", InsecureHost("example.com", None, "https")),
        ("https://example.com:8443", InsecureHost("example.com", 8443, "https")),
        # (uv 0.13.9 refuses a URL with a port and a path: a pasted index URL is taken here)
        ("https://example.com:8443/simple/", InsecureHost("example.com", 8443, "https")),
        ("http://example.com/", InsecureHost("example.com", None, "http")),
        ("[::1]:8443", InsecureHost("::1", 8443)),
        ("*", InsecureHost("*")),
    ],
)
def test_a_host_is_read_in_each_of_uv_s_forms(text: str, parsed: InsecureHost) -> None:
    assert InsecureHost.parse(text) == parsed


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("example.com:x", "--allow-insecure-host example.com:x: the port is not a number"),
        ("example.com:70000", "--allow-insecure-host example.com:70000: the port is not"),
        ("", "--allow-insecure-host '': no host"),
        (":443", "--allow-insecure-host ':443': no host"),
        ("https://", "--allow-insecure-host 'https://': no host"),
        ("[::1", "--allow-insecure-host '[::1': no host"),
    ],
)
def test_a_host_that_is_not_one_is_refused_naming_the_option(text: str, said: str) -> None:
    with pytest.raises(UsageError) as raised:
        InsecureHost.parse(text)
    assert str(raised.value).startswith(said)


@pytest.mark.parametrize(
    ("given", "netloc", "skipped"),
    [
        ("example.com", "example.com", True),
        ("example.com", "example.com:8443", True),  # every port of a host named alone
        ("example.com", "EXAMPLE.com:8443", True),
        ("example.com", "pypi.example.com", False),  # never a suffix
        ("example.com", "example.org", False),
        ("example.com:8443", "example.com:8443", True),
        ("example.com:8443", "example.com", False),
        ("example.com:8443", "example.com:9443", False),
        ("example.com:443", "example.com", True),  # the default port, as a connection has it
        ("https://example.com:8443/simple/", "example.com:8443", True),
        ("http://example.com", "example.com", False),  # a scheme with no certificate
        ("localhost", "127.0.0.1", False),  # names as the URLs give them: no lookups
        ("127.0.0.1", "127.0.0.1:8443", True),
        ("[::1]:8443", "[::1]:8443", True),
        ("*", "anything.example:1", True),
    ],
)
def test_a_connection_is_unchecked_for_the_hosts_named_alone(
    given: str, netloc: str, skipped: bool
) -> None:
    assert Trust(insecure=(InsecureHost.parse(given),)).skips(netloc) is skipped
    assert not Trust().skips(netloc)


def test_the_options_and_graft_insecure_host_add_up(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    chosen = trust(
        str(bundle),
        ["a.example"],
        ["b.example:8443", "a.example"],
        {"GRAFT_INSECURE_HOST": " c.example  d.example "},
    )
    assert chosen.cert == str(bundle)
    assert [h.host for h in chosen.insecure] == ["a.example", "b.example", "c.example", "d.example"]
    with pytest.raises(UsageError, match=r"^GRAFT_INSECURE_HOST c:x: the port"):
        trust(None, environ={"GRAFT_INSECURE_HOST": "c:x"})


def test_an_insecure_host_s_context_is_a_second_one_made_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(urlimport, "_CONTEXT", [])
    monkeypatch.setattr(urlimport, "_UNCHECKED", [])
    monkeypatch.setattr(urlimport, "_TRUST", [])
    urlimport.trust(Trust(insecure=(InsecureHost.parse("private.example:8443"),)))
    got: list[tuple[ssl.SSLContext, ssl.SSLContext]] = []

    def both() -> None:
        got.append(
            (urlimport.context_for("private.example:8443"), urlimport.context_for("pypi.org"))
        )

    threads = [threading.Thread(target=both) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(unchecked) for unchecked, _ in got}) == 1
    assert len({id(checked) for _, checked in got}) == 1
    unchecked, checked = got[0]
    assert unchecked is not checked
    assert unchecked.verify_mode == ssl.CERT_NONE
    assert not unchecked.check_hostname
    assert checked.verify_mode == ssl.CERT_REQUIRED
    assert checked.check_hostname
    assert [unchecked] == urlimport._UNCHECKED
    assert [checked] == urlimport._CONTEXT
    urlimport.trust(Trust())  # other choices: the contexts made are dropped
    assert urlimport.context_for("private.example:8443").verify_mode == ssl.CERT_REQUIRED
    assert urlimport._UNCHECKED == []


def test_a_command_without_the_options_checks_every_host_after_one_with_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # two commands in one process (a library's caller, a test): the second names no host
    from graft.cli.parser import parse
    from graft.cli.tool_forms import trust as take

    monkeypatch.setattr(urlimport, "_CONTEXT", [])
    monkeypatch.setattr(urlimport, "_UNCHECKED", [])
    monkeypatch.setattr(urlimport, "_TRUST", [])
    monkeypatch.delenv("GRAFT_INSECURE_HOST", raising=False)
    take(parse(["sync", "v", "six", "--allow-insecure-host", "private.example"]))
    assert urlimport.context_for("private.example").verify_mode == ssl.CERT_NONE
    take(parse(["sync", "v", "six"]))
    assert urlimport.context_for("private.example").verify_mode == ssl.CERT_REQUIRED
