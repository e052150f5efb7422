"""A test CA and a certificate it signs for 127.0.0.1, made with the ``openssl`` command."""

from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

_LEAF_EXTENSIONS = """\
subjectAltName=IP:127.0.0.1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
"""


@dataclass(frozen=True)
class Certificates:
    """``ca.pem`` (what a client trusts), and the server's certificate and key it signed."""

    ca: Path
    leaf: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """A TLS server context presenting the certificate for 127.0.0.1."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.leaf, self.key)
        return context


def make_certificates(directory: Path) -> Certificates:
    """A new CA (its key thrown away with *directory*) and a server certificate it signed.

    The certificate is not a CA's and names 127.0.0.1 as its IP address, as rustls (uv's)
    and Python's strict checks (3.13) want; the CA is not a leaf (rustls refuses a
    self-signed server certificate used as its own CA: ``CaUsedAsEndEntity``).
    """
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.pem", directory / "ca-key.pem"
    leaf, key, request = directory / "leaf.pem", directory / "leaf-key.pem", directory / "leaf.csr"
    extensions = directory / "leaf.ext"
    extensions.write_text(_LEAF_EXTENSIONS)
    new_key = ["-newkey", "rsa:2048", "-nodes", "-days", "2"]
    ca_says = ["-subj", "/CN=graft test CA", "-addext", "basicConstraints=critical,CA:TRUE"]
    ca_says += ["-addext", "keyUsage=critical,keyCertSign,cRLSign"]
    signed = ["-CA", f"{ca}", "-CAkey", f"{ca_key}", "-CAcreateserial", "-days", "2"]
    for command in (
        ["req", "-x509", *new_key, "-keyout", f"{ca_key}", "-out", f"{ca}", *ca_says],
        ["req", *new_key, "-keyout", f"{key}", "-out", f"{request}", "-subj", "/CN=127.0.0.1"],
        [
            "x509",
            "-req",
            "-in",
            f"{request}",
            *signed,
            "-out",
            f"{leaf}",
            "-extfile",
            f"{extensions}",
        ],
    ):
        subprocess.run(["openssl", *command], check=True, capture_output=True)
    return Certificates(ca, leaf, key)
