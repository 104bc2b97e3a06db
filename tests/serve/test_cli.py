"""`witgen serve` as a user runs it: a real process, its exit status and messages.

The component served is the `dummy` of conftest.py (every function traps, so a
request is a 500); the server listens on 127.0.0.1 only, on a port the test
picks, and is stopped with SIGINT as Ctrl-C would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

WITGEN = [sys.executable, "-m", "witgen"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WITGEN, "serve", *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def test_a_file_that_is_no_component_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.wasm").write_bytes(b"\0asm\x01\0\0\0")  # a core module, empty
    done = run("x.wasm", "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("witgen serve: error: ")
    assert "Traceback" not in done.stderr


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    done = run("nowhere.wasm", cwd=tmp_path)
    assert done.returncode == 1
    assert "nowhere.wasm" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--env", "NOEQUALS"], "--env 'NOEQUALS': expected NAME=VALUE"),
        (["--concurrency", "0"], "must be positive"),
        (["--port", "70000"], "--port 70000: expected 0 to 65535"),
        (["--memory", "12XB"], "--memory '12XB': expected a whole number and a unit"),
        (["--max-request-body", "1.5MB"], "--max-request-body '1.5MB'"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, arguments: list[str], message: str) -> None:
    done = run("x.wasm", *arguments, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr


def test_a_bad_manifest_is_refused(dummy: Path, tmp_path: Path) -> None:
    (tmp_path / "Component.toml").write_text("[component]\nname = 1\n")
    done = run(str(dummy), "-m", "Component.toml", "--cache-dir", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert "Component.toml" in done.stderr and "Traceback" not in done.stderr


def test_serve_answers_and_stops_on_ctrl_c(dummy: Path, tmp_path: Path) -> None:
    port = free_port()
    command = [*WITGEN, "serve", str(dummy), "--port", str(port), "--cache-dir", str(tmp_path)]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert response.status_code == 500  # the dummy traps
        server.send_signal(signal.SIGINT)
        stdout, stderr = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0
    assert "no Component.toml: every outgoing request will be denied" in stderr
    assert f"Uvicorn running on http://127.0.0.1:{port}" in stderr
    assert '"GET / HTTP/1.1" 500' in stdout  # uvicorn's access log
    assert "500: the component failed" in stderr  # witgen's own, in the same log
    assert os.listdir(tmp_path / "http-bindings")  # the bindings went to --cache-dir
