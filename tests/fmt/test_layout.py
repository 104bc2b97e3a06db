"""The formatter's layout: snapshots of tricky cases, and the rules for line
endings, whitespace and files that do not parse.

Each case in `cases/` is formatted and snapshotted (`pytest --snapshot-update`
after a deliberate change of layout); formatting the result again changes
nothing, every comment is still there in the same order, and the package
resolves to the same model (witgen's JSON, which is wasm-tools' byte for byte;
`test_model.py` compares with wasm-tools itself).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from witgen.diagnostics import WitError
from witgen.fmt.layout import format_text
from witgen.json_view import dumps
from witgen.resolve.passes import resolve_path

from .wit_comments import comments_of

CASES = Path(__file__).parent / "cases"
NAMES = sorted(path.name for path in CASES.glob("*.wit"))


def model(path: Path) -> str:
    return dumps(resolve_path(str(path)))


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str, snapshot: SnapshotAssertion, tmp_path: Path) -> None:
    text = (CASES / name).read_text(encoding="utf-8")
    formatted = format_text(name, text)
    assert formatted == snapshot
    assert format_text(name, formatted) == formatted
    assert comments_of(formatted) == comments_of(text)
    (tmp_path / name).write_text(formatted, encoding="utf-8")
    assert model(tmp_path / name) == model(CASES / name)


def test_printer_layout_is_kept() -> None:
    """What wasm-tools prints is already formatted."""
    text = (
        "package a:b@1.0.0;\n"
        "\n"
        "/// Docs.\n"
        "interface i {\n"
        "  use a:c/d@1.0.0.{e, f as g};\n"
        "\n"
        "  record r {\n"
        "    /// A field.\n"
        "    x: list<tuple<u32, option<string>>>,\n"
        "  }\n"
        "\n"
        "  resource res {\n"
        "    constructor();\n"
        "    m: func(a: borrow<res>) -> result<_, string>;\n"
        "  }\n"
        "\n"
        "  %type: func() -> stream<u8>;\n"
        "}\n"
        "\n"
        "world w {\n"
        "  import i;\n"
        "  export run: func();\n"
        "}\n"
    )
    assert format_text("p.wit", text) == text


def test_trailing_whitespace_goes_except_inside_block_comments() -> None:
    # A block comment's text (its trailing spaces too) is documentation to
    # wit-parser when it stands before an item, so it is kept as written.
    text = (
        "package a:b;   \n"
        "\t\n"
        "interface i {  \n"
        "  // a line comment   \n"
        "  /* a block   \n"
        "     comment */  \n"
        "  f: func();\t\n"
        "}   \n"
        "   \n"
    )
    assert format_text("w.wit", text) == (
        "package a:b;\n"
        "\n"
        "interface i {\n"
        "  // a line comment\n"
        "  /* a block   \n"
        "     comment */\n"
        "  f: func();\n"
        "}\n"
    )


@pytest.mark.parametrize("name", NAMES)
def test_crlf_input_gets_the_same_layout_in_crlf(name: str) -> None:
    """CRLF stays CRLF (as black and rustfmt keep it): a file whose first line
    ends in CRLF is laid out as its LF twin, every line break CRLF."""
    text = (CASES / name).read_text(encoding="utf-8")
    crlf = text.replace("\n", "\r\n")
    assert format_text(name, crlf) == format_text(name, text).replace("\n", "\r\n")


def test_crlf_snapshot(snapshot: SnapshotAssertion) -> None:
    """`crlf.wit` read with CRLF line breaks; the snapshot shows each CR as `␍`
    (syrupy's text snapshots do not keep CRs)."""
    text = (CASES / "crlf.wit").read_text(encoding="utf-8").replace("\n", "\r\n")
    formatted = format_text("crlf.wit", text)
    assert "\n" not in formatted.replace("\r\n", "")
    assert formatted.replace("\r", "␍") == snapshot


def test_crlf_input_stays_crlf() -> None:
    text = "package a:b;\r\ninterface i {\r\n    /* two\r\n    lines */\r\n  f: func();\r\n}\r\n"
    assert format_text("crlf.wit", text) == (
        "package a:b;\r\n\r\ninterface i {\r\n  /* two\r\n    lines */\r\n  f: func();\r\n}\r\n"
    )


def test_the_first_line_break_decides() -> None:
    mixed = "package a:b;\ninterface i {\r\n  f: func();\r\n}\r\n"
    assert format_text("m.wit", mixed) == "package a:b;\n\ninterface i {\n  f: func();\n}\n"
    mixed = "package a:b;\r\ninterface i {\n  f: func();\n}\n"
    assert "\n" not in format_text("m.wit", mixed).replace("\r\n", "")


def test_byte_order_mark_is_dropped() -> None:
    assert format_text("bom.wit", "\ufeffpackage a:b;\n") == "package a:b;\n"


def test_empty_and_comment_only_files() -> None:
    assert format_text("e.wit", "") == ""
    assert format_text("e.wit", "  \n\n") == ""
    assert format_text("c.wit", "// just a comment") == "// just a comment\n"
    assert format_text("c.wit", "\n\n/* one */  /* two */\n\n\n// three\n") == (
        "/* one */ /* two */\n\n// three\n"
    )


def test_a_file_that_does_not_parse_raises_the_parser_diagnostic() -> None:
    with pytest.raises(WitError) as raised:
        format_text("bad.wit", "package a:b;\ninterface i {\n  f: func()\n}\n")
    assert raised.value.diagnostics[0].message == "expected ';', found '}'"
