"""`witgen fmt` on the command line: in place, `--check`, `--diff`, `--deps`,
`-` for editors, and input that does not parse (the parser's diagnostic with
its location, exit status 1, the file never rewritten, no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MESSY = "package a:b;\ninterface i {\n    f: func();\n}\n"
TIDY = "package a:b;\n\ninterface i {\n  f: func();\n}\n"
BAD = "package a:b;\ninterface j {\n  f: func()\n}\n"
BAD_ERROR = (
    "error: expected ';', found '}'\n"
    "     --> wit/bad.wit:4:1\n"
    "      |\n"
    "    4 | }\n"
    "      | ^\n"
)


def witgen(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        [sys.executable, "-m", "witgen", "fmt", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert b"Traceback" not in result.stderr
    return result


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A package folder `wit/`: one file to format, one tidy, and a dependency."""
    (tmp_path / "wit" / "deps" / "x").mkdir(parents=True)
    (tmp_path / "wit" / "a.wit").write_text(MESSY)
    (tmp_path / "wit" / "b.wit").write_text("package a:b;\n\ninterface k {\n}\n")
    (tmp_path / "wit" / "deps" / "x" / "k.wit").write_text("package x:y;\ninterface k {   }\n")
    return tmp_path


def test_formats_in_place_and_leaves_deps_alone(tree: Path) -> None:
    dependency = (tree / "wit" / "deps" / "x" / "k.wit").read_text()
    result = witgen(cwd=tree)  # the default PATH is wit
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == b"formatted wit/a.wit\n1 file(s) formatted, 1 unchanged\n"
    assert (tree / "wit" / "a.wit").read_text() == TIDY
    assert (tree / "wit" / "deps" / "x" / "k.wit").read_text() == dependency
    again = witgen("wit", cwd=tree)
    assert again.stdout == b"0 file(s) formatted, 2 unchanged\n"


def test_deps_formats_the_dependencies_too(tree: Path) -> None:
    result = witgen("--deps", "wit", cwd=tree)
    assert result.returncode == 0
    assert b"formatted wit/deps/x/k.wit\n" in result.stdout
    assert (tree / "wit" / "deps" / "x" / "k.wit").read_text() == (
        "package x:y;\n\ninterface k {\n}\n"
    )


def test_check_writes_nothing_and_lists_the_files(tree: Path) -> None:
    result = witgen("--check", "--deps", "wit", cwd=tree)
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr == (
        b"wit/a.wit: would be reformatted\n"
        b"wit/deps/x/k.wit: would be reformatted\n"
        b"error: 2 file(s) would be reformatted; run `witgen fmt --deps wit`\n"
    )
    assert (tree / "wit" / "a.wit").read_text() == MESSY


def test_check_passes_on_formatted_files(tree: Path) -> None:
    assert witgen("--check", "wit/b.wit", cwd=tree).returncode == 0


def test_diff_prints_a_unified_diff(tree: Path) -> None:
    result = witgen("--diff", "wit/a.wit", cwd=tree)
    assert result.returncode == 1
    assert result.stdout.decode() == (
        "--- wit/a.wit\n"
        "+++ wit/a.wit\n"
        "@@ -1,4 +1,5 @@\n"
        " package a:b;\n"
        "+\n"
        " interface i {\n"
        "-    f: func();\n"
        "+  f: func();\n"
        " }\n"
    )
    assert (tree / "wit" / "a.wit").read_text() == MESSY


def test_standard_input_to_standard_output(tmp_path: Path) -> None:
    result = witgen("-", cwd=tmp_path, stdin=MESSY.replace("\n", "\r\n").encode())
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == TIDY.replace("\n", "\r\n").encode()  # CRLF stays CRLF
    assert witgen("-", "--check", cwd=tmp_path, stdin=TIDY.encode()).returncode == 0
    check = witgen("-", "--check", "--stdin-filename", "x.wit", cwd=tmp_path, stdin=b"package a:b;")
    assert (check.returncode, check.stderr) == (1, b"x.wit: would be reformatted\n")


def test_a_file_that_does_not_parse_is_reported_and_never_rewritten(tree: Path) -> None:
    (tree / "wit" / "bad.wit").write_text(BAD)
    result = witgen("wit", cwd=tree)
    assert result.returncode == 1
    assert result.stderr.decode() == BAD_ERROR
    assert (tree / "wit" / "bad.wit").read_text() == BAD
    # The other files are still formatted.
    assert (tree / "wit" / "a.wit").read_text() == TIDY
    check = witgen("--check", "wit/bad.wit", cwd=tree)
    assert (check.returncode, check.stderr.decode()) == (1, BAD_ERROR)


def test_standard_input_that_does_not_parse(tmp_path: Path) -> None:
    result = witgen("-", "--stdin-filename", "x.wit", cwd=tmp_path, stdin=BAD.encode())
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr.decode() == BAD_ERROR.replace("wit/bad.wit", "x.wit")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.wit", b"package a:b;\n// caf\xe9\n", "error: input was not valid utf-8"),
        ("missing.wit", None, "error: failed to read `missing.wit`: No such file or directory"),
    ],
)
def test_unreadable_input(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    result = witgen(name, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.decode().startswith(message + "\n")
    if content is not None:
        assert (tmp_path / name).read_bytes() == content
        assert f"--> {name}:2:" in result.stderr.decode()


@pytest.mark.parametrize(
    "args", [("-", "wit"), ("--stdin-filename", "x.wit", "wit")], ids=["dash-and-path", "name"]
)
def test_usage_errors(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert witgen(*args, cwd=tmp_path).returncode == 2


def test_crlf_files_stay_crlf_in_place(tmp_path: Path) -> None:
    (tmp_path / "w.wit").write_bytes(MESSY.replace("\n", "\r\n").encode())
    assert witgen("w.wit", cwd=tmp_path).returncode == 0
    assert (tmp_path / "w.wit").read_bytes() == TIDY.replace("\n", "\r\n").encode()


def test_a_formatter_bug_leaves_the_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """When the formatted text would not read as the original (`FormatError`),
    nothing is written and the exit status is 70 (an internal error)."""
    from witgen.cli import main
    from witgen.fmt import layout

    def broken(path: str, text: str) -> str:
        raise layout.FormatError(f"{path}: the formatted text does not read as the original does")

    monkeypatch.setattr(layout, "format_text", broken)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.wit").write_text(MESSY)
    assert main(["fmt", "w.wit"]) == 70
    assert (tmp_path / "w.wit").read_text() == MESSY
    assert capsys.readouterr().err == (
        "error: internal error in witgen: w.wit: the formatted text does not read as the "
        "original does; the file is left as it is\nnote: this is a bug in witgen\n"
    )


def test_a_formatted_file_keeps_its_permissions(tmp_path: Path) -> None:
    (tmp_path / "w.wit").write_text(MESSY)
    (tmp_path / "w.wit").chmod(0o640)
    assert witgen("w.wit", cwd=tmp_path).returncode == 0
    assert (tmp_path / "w.wit").read_text() == TIDY
    assert (tmp_path / "w.wit").stat().st_mode & 0o777 == 0o640
