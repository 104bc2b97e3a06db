"""`witgen manifest check`: problems, the summary, and queries answered one a line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from witgen.cli import main

MANIFEST = """\
[component]
name = "data-processor"
version = "1.0.0"
api-version = "1.0.0"

[capabilities.filesystem]
read = ["/data/**"]

[[capabilities.network]]
action = "outbound"
host = "api.example.com"
port = 443

[capabilities.storage]
namespaces = ["myapp:config", "shared:*"]
max-size = "100MB"

[capabilities.process]
spawn = ["/usr/bin/echo"]

[capabilities.messaging]
send = ["other-component"]

[dependencies]
"airssys:host-core" = "^1.0.0"
"""


@pytest.fixture
def toml(tmp_path: Path) -> Path:
    path = tmp_path / "Component.toml"
    path.write_text(MANIFEST)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["manifest", "check", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_summary(capsys: pytest.CaptureFixture[str], toml: Path) -> None:
    status, out, err = run(capsys, str(toml))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"component data-processor 1.0.0 (api-version 1.0.0) in {toml} grants:",
        "  filesystem.read: /data/**",
        "  filesystem.write: nothing",
        "  filesystem.delete: nothing",
        "  filesystem.list: nothing",
        "  network.outbound: api.example.com:443",
        "  network.inbound: nothing",
        "  storage.{read,write,delete,list}: myapp:config, shared:* "
        "(max-size 100MB = 100,000,000 bytes in all)",
        "  process.spawn: /usr/bin/echo",
        "  messaging.send: other-component",
        "requires: airssys:host-core ^1.0.0",
    ]


def test_problems_name_file_key_and_value(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "Component.toml"
    path.write_text(
        MANIFEST.replace("port = 443", "port = 70000").replace('read = ["/data/**"]', "reed = []")
    )
    status, out, err = run(capsys, str(path))
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        f"error: {path}: capabilities.filesystem.reed = []: unknown key (known keys of "
        "capabilities.filesystem: read, write, delete, list, allow-pseudo-filesystems)",
        f"error: {path}: capabilities.network[0].port = 70000: a port is from 1 to 65535",
    ]


def test_unsatisfiable_dependencies_are_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "Component.toml"
    path.write_text(MANIFEST.replace('"^1.0.0"', '"^2.0.0"'))
    status, out, err = run(capsys, str(path))
    assert (status, out) == (1, "")
    assert err == (
        f'error: {path}: dependencies."airssys:host-core" = "^2.0.0": version mismatch: the '
        "component requires ^2.0.0, but the host provides airssys:host-core@1.0.0\n"
    )


def test_warnings_do_not_fail(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "Component.toml"
    path.write_text(MANIFEST.replace('host = "api.example.com"', 'host = "*"'))
    status, out, err = run(capsys, str(path))
    assert status == 0 and "network.outbound: *:443" in out
    assert err == f'warning: {path}: capabilities.network[0].host = "*": grants every host\n'


def test_queries_all_allowed(capsys: pytest.CaptureFixture[str], toml: Path) -> None:
    status, out, err = run(
        capsys,
        str(toml),
        "--fs",
        "read:/data/./x.txt",
        "--net",
        "outbound:API.example.com:443",
        "--storage",
        "write:shared:cache",
        "--process",
        "/usr/bin/echo",
        "--message",
        "other-component",
    )
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        'allow filesystem.read "/data/./x.txt": matched capabilities.filesystem.read[0] = '
        '"/data/**" (as "/data/x.txt")',
        'allow network.outbound "API.example.com:443": matched capabilities.network[0] = '
        '"api.example.com:443" (as "api.example.com")',
        'allow storage.write "shared:cache": matched capabilities.storage.namespaces[1] = '
        '"shared:*"',
        'allow process.spawn "/usr/bin/echo": matched capabilities.process.spawn[0] = '
        '"/usr/bin/echo"',
        'allow messaging.send "other-component": matched capabilities.messaging.send[0] = '
        '"other-component"',
    ]


def test_a_denied_query_says_why(capsys: pytest.CaptureFixture[str], toml: Path) -> None:
    status, out, _ = run(
        capsys,
        str(toml),
        "--fs",
        "read:/data/x",
        "--fs",
        "read:/data/../etc/passwd",
        "--net",
        "outbound:[::1]:443",
        "--storage",
        "read:shared:a:b",
    )
    assert status == 1
    allow, path, address, namespace = out.splitlines()
    assert allow.startswith("allow ")
    assert path == (
        'deny filesystem.read "/data/../etc/passwd": no read pattern matches "/etc/passwd" '
        '(the normal form of "/data/../etc/passwd"); read patterns: "/data/**"; to allow it, '
        'add: [capabilities.filesystem] read = ["/etc/passwd"]'
    )
    assert address.startswith('deny network.outbound "[::1]:443": no outbound grant matches ::1')
    assert namespace.startswith('deny storage.read "shared:a:b": not a namespace')


@pytest.mark.parametrize(
    "query",
    [
        ["--fs", "/data/x"],
        ["--fs", "execute:/data/x"],
        ["--net", "outbound:api.example.com"],
        ["--net", "outbound:api.example.com:0"],
        ["--net", "sideways:a.com:1"],
        ["--storage", "myapp"],
    ],
)
def test_malformed_queries_are_usage_errors(
    capsys: pytest.CaptureFixture[str], toml: Path, query: list[str]
) -> None:
    status, out, err = run(capsys, str(toml), *query)
    assert (status, out) == (2, "")
    assert err.startswith(f"witgen manifest check: error: {query[0]} {query[1]}: ")


def test_load_error_stops_queries(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, str(tmp_path / "missing.toml"), "--fs", "read:/x")
    assert (status, out) == (1, "")
    assert err.startswith("error: ") and "cannot read the manifest" in err


def test_end_to_end_in_a_process(toml: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "witgen", "manifest", "check", str(toml), "--fs", "write:/data/x"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.startswith('deny filesystem.write "/data/x": ')
    usage = subprocess.run(
        [sys.executable, "-m", "witgen", "manifest", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert usage.returncode == 2
