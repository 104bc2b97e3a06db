"""A self-signed certificate for the tests' local HTTPS servers.

In: a folder.  Out: `self_signed_certificate` writes `cert.pem` and `key.pem`
there (EC P-256, valid two days, for `localhost` only: no IP address in it)
and returns their paths; `server_context` is a server's TLS context
presenting it.  Raises: `pytest.skip` when openssl is missing or
fails, so the HTTPS tests skip cleanly on a machine without it.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """The certificate and key files of a new self-signed `localhost` certificate."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: the HTTPS server tests need a certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {made.stderr.decode()}")
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """A server-side TLS context that presents `certificate` (cert and key files)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context
