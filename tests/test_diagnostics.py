"""Rendering diagnostics the way wit-parser does."""

from __future__ import annotations

from witgen.diagnostics import Diagnostic, SourceMap, Span, WitError, render


def one_file(text: str, path: str = "f.wit") -> SourceMap:
    sources = SourceMap()
    sources.add(path, text)
    return sources


def test_marker_covers_the_span() -> None:
    sources = one_file("package a:b;\ninterface i {\n  type foo = bar;\n}\n")
    start = sources[0].data.index(b"bar")
    text = render(Diagnostic("type `bar` does not exist", Span(0, start, start + 3)), sources)
    assert text == (
        "type `bar` does not exist\n"
        "     --> f.wit:3:14\n"
        "      |\n"
        "    3 |   type foo = bar;\n"
        "      |              ^--"
    )


def test_context_comes_first() -> None:
    sources = one_file("x")
    diagnostic = Diagnostic("boom", Span(0, 0, 1)).within("failed to parse package: p")
    assert render(diagnostic, sources).startswith("failed to parse package: p: boom\n")


def test_no_span() -> None:
    assert render(Diagnostic("no `package` header"), SourceMap()) == "no `package` header"


def test_end_of_file_is_on_the_last_line() -> None:
    sources = one_file("a\nb\n")
    # Offset 4 is the end of the file, after the final newline: line 3, column 1.
    assert sources.location(Span(0, 4, 4)) == "f.wit:3:1"
    assert render(Diagnostic("eof", Span(0, 4, 4)), sources).endswith("    3 | \n      | ^")


def test_columns_count_bytes_and_carriage_returns() -> None:
    sources = one_file("é x\r\ny")
    # "é" is two bytes, so "x" is at byte column 3 (one-based: 4).
    assert sources.location(Span(0, 3, 4)) == "f.wit:1:4"
    # The "\r" belongs to line 1; "y" starts line 2.
    assert sources.location(Span(0, 6, 7)) == "f.wit:2:1"


def test_snippet_drops_the_carriage_return_of_crlf() -> None:
    sources = one_file("ab\r\n")
    assert render(Diagnostic("m", Span(0, 1, 2)), sources).splitlines()[3] == "    1 | ab"


def test_marker_counts_characters() -> None:
    sources = one_file("x ééé y")
    text = render(Diagnostic("m", Span(0, 2, 8)), sources)
    assert text.endswith("      |   ^--")


def test_a_marker_inside_a_character_has_no_dashes() -> None:
    sources = one_file("é")
    assert render(Diagnostic("m", Span(0, 0, 1)), sources).endswith("      | ^")


def test_long_lines_are_not_quoted() -> None:
    sources = one_file("x" * 501 + " y")
    assert render(Diagnostic("m", Span(0, 502, 503)), sources) == "f.wit:1:503: m"


def test_wit_error_renders_every_diagnostic() -> None:
    sources = one_file("ab")
    error = WitError([Diagnostic("one", Span(0, 0, 1)), Diagnostic("two")], sources)
    assert error.render().splitlines()[-1] == "two"
    assert error.diagnostics[1].message == "two"
