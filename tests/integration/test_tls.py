"""A private HTTPS index with a CA of its own: ``--cert``, ``--allow-insecure-host`` and the like.

Decisions 405-407. The index is a loopback HTTPS server whose certificate a CA made in the
test signs, which neither the system nor ``SSL_CERT_FILE`` trusts; graft is run beside
uv 0.13.9 (``uv pip install``) with the same options, and both are asked to agree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.integration.test_resolve_sync import installed
from tests.support.rangeserver import serve_made
from tests.support.tlscerts import Certificates, make_certificates
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.support.rangeserver import Served

pytestmark = pytest.mark.usefixtures("store_dir")


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def index(tmp_path: Path, certificates: Certificates) -> Iterator[Served]:
    """An HTTPS index of ``tinytls`` (depending on ``tinydep``), signed by the test's CA."""
    folder = tmp_path / "wheels"
    with serve_made(folder, tls=certificates.server_context()) as served:
        served.add_wheel(make_wheel(folder, "tinytls", "1.0", requires=("tinydep",)))
        served.add_wheel(make_wheel(folder, "tinydep", "2.0"))
        yield served


def _port(served: Served) -> int:
    return int(served.url.split(":")[2].split("/")[0])


def _graft(venv: Path, served: Served, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    simple = f"{served.url}/simple/"
    return run_graft(
        "sync", venv, "tinytls", "--index-url", simple, "--store", store, *args, check=False
    )


def _uv(venv: Path, served: Served, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``uv pip install tinytls`` into a new venv at *venv*, with a cache of its own."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    command = [sys.executable, "-m", "uv", "pip", "install", "--python", str(venv / "bin/python")]
    command += ["--index-url", f"{served.url}/simple/", "tinytls", *args]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    environ |= {"UV_NO_CONFIG": "1", "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    return subprocess.run(command, capture_output=True, text=True, env=environ, check=False)


def test_an_index_whose_ca_is_not_trusted_fails_in_one_line_saying_what_to_give(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "v"
    proc = _graft(venv, index, store_dir)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {index.url}/simple/tinytls/: cannot reach the index")
    assert "certificate verify failed" in line
    assert "--cert FILE" in line
    assert "--allow-insecure-host HOST[:PORT]" in line
    assert not venv.exists()
    assert index.paths == []  # (no request was answered: no handshake succeeded)
    theirs = _uv(tmp_path / "uv", index, tmp_path)
    assert theirs.returncode != 0
    assert "invalid peer certificate: UnknownIssuer" in theirs.stderr


def test_cert_trusts_the_index_s_ca_as_uv_s_does(
    tmp_path: Path, store_dir: Path, index: Served, certificates: Certificates
) -> None:
    venv = tmp_path / "v"
    proc = _graft(venv, index, store_dir, "--cert", str(certificates.ca))
    assert proc.returncode == 0, proc.stderr
    assert installed(venv) == {"tinytls": "1.0", "tinydep": "2.0"}
    theirs = _uv(tmp_path / "uv", index, tmp_path, "--cert", str(certificates.ca))
    assert theirs.returncode == 0, theirs.stderr
    assert installed(tmp_path / "uv") == installed(venv)
    # the server's own certificate is no CA: trusting it is not trusting its signer
    leaf = _graft(tmp_path / "w", index, store_dir, "--cert", str(certificates.leaf), "--refresh")
    assert leaf.returncode == 1
    assert "certificate verify failed" in leaf.stderr


def test_cert_replaces_ssl_cert_file_as_uv_s_does(
    tmp_path: Path,
    store_dir: Path,
    index: Served,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SSL_CERT_FILE trusts the CA; --cert names a bundle without it: neither tool reads both
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    told = _graft(tmp_path / "v", index, store_dir)
    again = ("--cert", str(certificates.leaf), "--refresh")  # (the page is fresh in the cache)
    replaced = _graft(tmp_path / "w", index, store_dir, *again)
    theirs = _uv(tmp_path / "uv", index, tmp_path, "--cert", str(certificates.leaf))
    assert told.returncode == 0, told.stderr
    assert replaced.returncode == 1
    assert "certificate verify failed" in replaced.stderr
    assert theirs.returncode != 0
    assert "UnknownIssuer" in theirs.stderr


@pytest.mark.parametrize(
    "form",
    [
        ("--allow-insecure-host", "127.0.0.1:{port}"),
        ("--allow-insecure-host", "127.0.0.1"),
        ("--allow-insecure-host", "https://127.0.0.1:{port}"),
        ("--trusted-host", "127.0.0.1:{port}"),
    ],
)
def test_an_insecure_host_is_reached_unchecked_as_uv_s_allow_insecure_host(
    tmp_path: Path, store_dir: Path, index: Served, form: tuple[str, str]
) -> None:
    option, value = form[0], form[1].format(port=_port(index))
    venv = tmp_path / "v"
    proc = _graft(venv, index, store_dir, option, value)
    assert proc.returncode == 0, proc.stderr
    assert installed(venv) == {"tinytls": "1.0", "tinydep": "2.0"}
    theirs = _uv(tmp_path / "uv", index, tmp_path, "--allow-insecure-host", value)
    assert theirs.returncode == 0, theirs.stderr
    assert installed(tmp_path / "uv") == installed(venv)


def test_graft_insecure_host_names_hosts_as_uv_insecure_host(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_INSECURE_HOST", f"pypi.org 127.0.0.1:{_port(index)}")
    proc = _graft(tmp_path / "v", index, store_dir)
    assert proc.returncode == 0, proc.stderr


def test_every_other_host_is_still_checked(
    tmp_path: Path, store_dir: Path, index: Served, certificates: Certificates
) -> None:
    # a second index of the same CA on another port, asked first (an extra index): the
    # insecure host is the first one's host:port alone, or a name the connections do not use
    folder = tmp_path / "other"
    with serve_made(folder, tls=certificates.server_context()) as other:
        other.add_wheel(make_wheel(folder, "tinydep", "2.0"))
        extra = ("--extra-index-url", f"{other.url}/simple/")
        for n, allowed in enumerate((f"127.0.0.1:{_port(index)}", "localhost")):
            venv = tmp_path / f"v{n}"
            proc = _graft(venv, index, store_dir, *extra, "--allow-insecure-host", allowed)
            assert proc.returncode == 1, allowed
            (line,) = proc.stderr.splitlines()
            assert line.startswith(f"graft: error: {other.url}/simple/tinytls/: cannot reach")
            assert "certificate verify failed" in line
            assert not venv.exists()
            theirs = _uv(
                tmp_path / f"uv{n}",
                index,
                tmp_path,
                *extra,
                "--allow-insecure-host",
                allowed,
            )
            assert theirs.returncode != 0
            assert "UnknownIssuer" in theirs.stderr
        both = (
            "--allow-insecure-host",
            f"127.0.0.1:{_port(other)}",
            "--cert",
            str(certificates.ca),
        )
        proc = _graft(tmp_path / "both", index, store_dir, *extra, *both)
        assert proc.returncode == 0, proc.stderr
        assert installed(tmp_path / "both") == {"tinytls": "1.0", "tinydep": "2.0"}
    assert other.paths  # (it was asked)


def test_a_cert_that_cannot_be_read_or_a_host_with_a_bad_port_is_refused_in_one_line(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "v"
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("no certificate here\n")
    missing = tmp_path / "missing.pem"
    said = {
        ("--cert", str(missing)): f"--cert {missing}: cannot read the CA bundle (No such file",
        ("--cert", str(tmp_path)): f"--cert {tmp_path}: cannot read the CA bundle (Is a directory",
        ("--cert", str(not_pem)): f"--cert {not_pem}: no PEM certificate in the file",
        ("--allow-insecure-host", "127.0.0.1:x"): "--allow-insecure-host 127.0.0.1:x: the port",
        ("--trusted-host", ":443"): "--trusted-host ':443': no host",
    }
    for args, what in said.items():
        proc = _graft(venv, index, store_dir, *args)
        assert proc.returncode == 2, args
        (line,) = proc.stderr.splitlines()
        assert line.startswith(f"graft: error: {what}"), line
    assert not venv.exists()
    assert index.paths == []
    theirs = _uv(tmp_path / "uv", index, tmp_path, "--cert", str(missing))
    assert theirs.returncode == 2
    assert "Failed to read certificate file" in theirs.stderr
    assert "No such file or directory" in theirs.stderr


def test_lock_takes_the_same_options(
    tmp_path: Path, index: Served, certificates: Certificates
) -> None:
    simple = f"{index.url}/simple/"
    out = tmp_path / "pylock.toml"
    common = ("lock", "tinytls", "--index-url", simple, "-o", out)
    proc = run_graft(*common, "--cert", certificates.ca, check=False)
    assert proc.returncode == 0, proc.stderr
    assert 'name = "tinydep"' in out.read_text()
    proc = run_graft(*common, "--refresh", "--trusted-host", "127.0.0.1", check=False)
    assert proc.returncode == 0, proc.stderr
    refused = run_graft(*common, "--refresh", check=False)
    assert refused.returncode == 1
    assert "certificate verify failed" in refused.stderr
    help_text = run_graft("build", "--help").stdout
    assert "--cert FILE" in help_text
    assert "--allow-insecure-host HOST" in help_text


def test_a_requirements_file_s_trusted_host_is_taken_as_pip_takes_it(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """Decision 419: pip 26 reads ``--trusted-host`` in a requirements file as on its command
    line; uv 0.13.9 ignores it there with a warning. graft takes it, as pip (it was ignored
    silently, and the sync failed on the certificate)."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        f"--index-url {index.url}/simple/\n--trusted-host 127.0.0.1:{_port(index)}\ntinytls\n"
    )
    venv = tmp_path / "v"
    proc = run_graft("sync", venv, "-r", requirements, "--store", store_dir, check=False)
    assert proc.returncode == 0, proc.stderr
    assert installed(venv) == {"tinytls": "1.0", "tinydep": "2.0"}
    pip_venv = tmp_path / "pip"
    subprocess.run([sys.executable, "-m", "venv", pip_venv], check=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    environ["PIP_CONFIG_FILE"] = os.devnull
    pip = [
        f"{pip_venv}/bin/python",
        "-m",
        "pip",
        "install",
        "--no-cache-dir",
        "-r",
        str(requirements),
    ]
    theirs = subprocess.run(pip, capture_output=True, text=True, env=environ, check=False)
    assert theirs.returncode == 0, theirs.stderr
    assert {k: v for k, v in installed(pip_venv).items() if k in {"tinytls", "tinydep"}} == (
        installed(venv)
    )
    out = tmp_path / "pylock.toml"
    locked = run_graft("lock", "-r", requirements, "-o", out, "--refresh", check=False)
    assert locked.returncode == 0, locked.stderr
    assert 'name = "tinydep"' in out.read_text()
    # without it, the certificate is checked; a host that is not one is said where it is
    requirements.write_text(f"--index-url {index.url}/simple/\ntinytls\n")
    again = run_graft("sync", tmp_path / "w", "-r", requirements, "--refresh", check=False)
    assert again.returncode == 1
    assert "certificate verify failed" in again.stderr
    requirements.write_text("--trusted-host 127.0.0.1:http\ntinytls\n")
    bad = run_graft("sync", tmp_path / "w", "-r", requirements, check=False)
    assert bad.returncode == 2
    (line,) = bad.stderr.splitlines()
    assert line.startswith(
        f"graft: error: {requirements}:1: --trusted-host 127.0.0.1:http: the port is not a number"
    ), line
    assert not (tmp_path / "w").exists()
