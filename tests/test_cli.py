"""The command line: exit statuses, and no traceback for any input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def witgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "witgen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert "Traceback" not in result.stderr
    return result


def test_help_is_usage() -> None:
    result = witgen("--help")
    assert result.returncode == 0
    assert "check" in result.stdout


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    import witgen as package

    result = witgen(flag)
    assert result.returncode == 0
    assert result.stdout == f"witgen {package.__version__}\n"


def test_no_command_is_a_usage_error() -> None:
    assert witgen().returncode == 2


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["check", "--no-such-option"], "usage: witgen check "),
        (["generate", "wit", "--no-such-option"], "usage: witgen generate "),
        (["manifest", "check", "x.toml", "--no-such-option"], "usage: witgen manifest check "),
        (["--no-such-option"], "usage: witgen "),
    ],
)
def test_unknown_option_is_a_usage_error_of_its_command(args: list[str], usage: str) -> None:
    result = witgen(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(usage)
    assert result.stderr.endswith("error: unrecognized arguments: --no-such-option\n")


def test_valid_file(tmp_path: Path) -> None:
    (tmp_path / "ok.wit").write_text("package a:b;\ninterface i { f: func(); }\n")
    result = witgen("check", "ok.wit", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Success: no problems found in ok.wit (1 package)\n"


def test_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "bad.wit").write_text("package a:b;\ninterface i {\n  f: func()\n}\n")
    result = witgen("check", "bad.wit", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "error: expected ';', found '}'\n"
        "     --> bad.wit:4:1\n"
        "      |\n"
        "    4 | }\n"
        "      | ^\n"
    )


def test_every_path_is_checked(tmp_path: Path) -> None:
    (tmp_path / "a.wit").write_text("package a:b;\ninterface {}")
    (tmp_path / "b.wit").write_text("package a:b;\nworld {}")
    result = witgen("check", "a.wit", "b.wit", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("error: ") == 2


def test_folder_error_names_the_package(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.wit").write_text("package a:b;\ninterface i { oops }\n")
    result = witgen("check", "pkg", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: failed to parse package: pkg: expected ':', found '}'\n"
    )


def test_dependency_error_names_the_deps_folder(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "deps" / "dep").mkdir(parents=True)
    (tmp_path / "pkg" / "a.wit").write_text("package a:b;\n")
    (tmp_path / "pkg" / "deps" / "dep" / "d.wit").write_text("package c:d;\nworld {}")
    result = witgen("check", "pkg", cwd=tmp_path)
    assert result.stderr.startswith(
        "error: failed to parse dependency directory: pkg/deps: "
        "failed to parse package: pkg/deps/dep: expected an identifier or string, found '{'\n"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("binary.wit", bytes(range(256))),
        ("latin1.wit", "package a:b; // caf\xe9".encode("latin-1")),
        ("nul.wit", b"package a:b;\x00"),
        ("tabs-crlf-bom.wit", b"\xef\xbb\xbfpackage a:b;\r\n\tinterface i {\r\n\t\t{\r\n"),
    ],
)
def test_bad_bytes_get_a_located_diagnostic(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    result = witgen("check", name, cwd=tmp_path)
    assert result.returncode == 1
    assert f"--> {name}:" in result.stderr


def test_missing_path(tmp_path: Path) -> None:
    result = witgen("check", "nowhere.wit", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "error: failed to read `nowhere.wit`: No such file or directory\n"


def test_default_path_is_wit(tmp_path: Path) -> None:
    (tmp_path / "wit").mkdir()
    (tmp_path / "wit" / "a.wit").write_text("package a:b;\ninterface i {}\n")
    assert witgen("check", cwd=tmp_path).returncode == 0


BAD = "package a:b;\ninterface i { f: func(x: nosuch); }\n"
RED_ERROR = "\x1b[0m\x1b[1m\x1b[31merror\x1b[0m\x1b[1m: "  # wasm-tools' escapes


@pytest.mark.parametrize(
    "args",
    [["--color", "always", "check"], ["check", "--color", "always"], ["check", "--color=always"]],
)
def test_color_always_paints_error_as_wasm_tools(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "bad.wit").write_text(BAD)
    result = witgen(*args, "bad.wit", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{RED_ERROR}name `nosuch` does not exist\n\x1b[0m")
    plain = witgen("check", "bad.wit", cwd=tmp_path).stderr
    assert (
        result.stderr.replace("\x1b[0m", "").replace("\x1b[1m", "").replace("\x1b[31m", "") == plain
    )
    wasm_tools = Path(sys.executable).parent / "wasm-tools"
    if wasm_tools.is_file():  # byte for byte what the reference writes
        reference = subprocess.run(
            [str(wasm_tools), "component", "wit", "--color", "always", "bad.wit"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.stderr == reference.stderr


def test_no_color_where_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "bad.wit").write_text(BAD)
    for args in (["check"], ["--color", "auto", "check"], ["--color", "never", "check"]):
        result = witgen(*args, "bad.wit", cwd=tmp_path)
        assert result.stderr.startswith("error: name `nosuch` does not exist\n")
        assert "\x1b" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("no_color", "colored"), [(None, True), ("1", False), ("", True)])
def test_a_terminal_gets_colour_unless_no_color(
    tmp_path: Path, no_color: str | None, colored: bool
) -> None:
    import pty

    (tmp_path / "bad.wit").write_text(BAD)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "witgen", "check", "bad.wit"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=follower,
            check=False,
            timeout=60,
        )
        os.close(follower)
        written = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once everything was read
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(leader)
    assert result.returncode == 1
    assert written.decode().startswith(RED_ERROR) is colored
    assert ("\x1b" in written.decode()) is colored


def test_the_colour_stream_paints_line_starts_only() -> None:
    import io

    from witgen.commands import ColorStream

    sink = io.StringIO()
    stream = ColorStream(sink)
    stream.write("warning: a grant nothing needs")
    stream.write("\n")  # as `print` writes it
    stream.write("note: error: not at the start\nerror: two\nlines\n")
    yellow = "\x1b[0m\x1b[1m\x1b[33mwarning\x1b[0m\x1b[1m: "
    assert sink.getvalue() == (
        f"{yellow}a grant nothing needs\n\x1b[0m"
        "note: error: not at the start\n"
        f"{RED_ERROR}two\n\x1b[0mlines\n"
    )
