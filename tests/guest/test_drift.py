"""`witgen generate --guest` on an app folder whose WIT changed: the author's
files are kept, and each function that no longer matches the world is listed
like mypy's errors (`witgen.guest.drift`), with status 1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from witgen.cli import main
from witgen.guest.drift import check_app
from witgen.guest.generate import generate_guest, write_guest

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize(
    ("wit", "world"),
    [
        (ROOT / "wit", "extended-component"),
        (CASES / "constructs.wit", "constructs"),
        (CASES / "constructs.wit", "async-constructs"),
        (CASES / "resources.wit", "with-resources"),
    ],
)
def test_an_untouched_stub_matches(wit: Path, world: str, tmp_path: Path) -> None:
    files = generate_guest(wit, world, tmp_path / "app")
    write_guest(tmp_path / "app", files)
    assert check_app(tmp_path / "app", files.authored) == []


def test_changed_wit_lists_what_no_longer_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wit = tmp_path / "wit"
    wit.mkdir()
    shutil.copy(CASES / "resources.wit", wit / "resources.wit")
    app = tmp_path / "app"
    argv = ["generate", "--guest", "--world", "with-resources", "--out", str(app), str(wit)]
    assert main(argv) == 0
    capsys.readouterr()
    source = (app / "counters.py").read_text()
    source = source.replace(
        "    def bump(self) -> int:",
        "    def _helper(self) -> None:\n        pass\n\n"
        "    def stale(self) -> None:\n        pass\n\n"
        "    def bump(self) -> int:",
    )
    (app / "counters.py").write_text(source + "\n\nclass Helper:\n    pass\n")
    text = (wit / "resources.wit").read_text()
    text = text.replace(
        "bump: func() -> u32;", "bump: func(by: u32) -> u32;\n        reset: func();"
    )
    text = text.replace("constructor(start: u32);", "constructor(start: u64);")
    (wit / "resources.wit").write_text(text)
    before = (app / "counters.py").read_text()
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "kept" in out and "counters.py" in out
    assert (app / "counters.py").read_text() == before  # never rewritten
    lines = err.splitlines()
    shown = str(app / "counters.py") if str(app).startswith("/") else "app/counters.py"
    assert any(
        line.startswith(shown)
        and ': error: "Counter" has no method "reset": the world wants '
        "`def reset(self) -> None`  [witgen-missing]" in line
        for line in lines
    ), err
    assert '"Counter.stale" is not a function of the world (any more)  [witgen-extra]' in err
    assert (
        '"Counter.bump" is `def bump(self) -> int`; the world wants '
        "`def bump(self, by: int) -> int`  [witgen-signature]" in err
    )
    assert "_helper" not in err and "Helper" not in err  # the author's own
    assert "__init__" not in err  # u32 and u64 are both `int`
    assert "error: 3 place(s) of your files no longer match world `with-resources`" in err


def test_mismatches_of_classes_async_and_classmethods(tmp_path: Path) -> None:
    files = generate_guest(CASES / "constructs.wit", "async-constructs", tmp_path / "app")
    write_guest(tmp_path / "app", files)
    pipes = tmp_path / "app" / "pipes.py"
    pipes.write_text(pipes.read_text().replace("async def recv", "def recv"))
    app = tmp_path / "app" / "app.py"
    source = app.read_text().replace(
        "class WitWorld(wit_world.WitWorld):", "class Old(wit_world.WitWorld):"
    )
    app.write_text(source)
    found = [str(m) for m in check_app(tmp_path / "app", files.authored)]
    assert (
        found[0]
        == 'app.py:1: error: class "WitWorld" is missing: the world has it  [witgen-missing]'
    )
    assert found[1].endswith(
        'error: class "Old" implements no interface or resource of the world (any more)  '
        "[witgen-extra]"
    )
    assert found[2].startswith("pipes.py:") and "[witgen-signature]" in found[2]
    assert "is `def recv(self) -> StreamReader[str]`; the world wants `async def recv" in found[2]
    assert len(found) == 3


def test_a_file_that_does_not_parse_is_one_mismatch(tmp_path: Path) -> None:
    files = generate_guest(CASES / "resources.wit", "with-resources", tmp_path / "app")
    write_guest(tmp_path / "app", files)
    (tmp_path / "app" / "counters.py").write_text("class Counter(\n")
    found = check_app(tmp_path / "app", files.authored)
    assert [(m.file, m.kind) for m in found] == [("counters.py", "syntax")]
