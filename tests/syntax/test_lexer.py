"""The one scanner that stands in for the contextual lexer's per-state scanners.

`parse.py` scans with one regex of every terminal and hands a token to Lark's
contextual lexer whenever that token is not one the parser state accepts.  That
gives the contextual lexer's tokens only while Lark lexes a terminal exactly as
its own regex matches it: no literal terminal may be folded into a regex
terminal (Lark's "unless" callbacks retype such tokens).  The grammar decides
that; this test fails if an edit to it breaks the assumption.  The token
streams themselves are checked against wasm-tools by the corpus tests.
"""

from __future__ import annotations

from lark import Lark
from lark.lexer import BasicLexer, ContextualLexer

from witgen.syntax.parse import grammar_path, parse_text


def test_no_terminal_is_retyped_by_lark() -> None:
    parser = Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        regex=True,
        maybe_placeholders=True,
    )
    contextual = parser.parser.lexer
    assert isinstance(contextual, ContextualLexer)
    root = contextual.root_lexer
    assert isinstance(root, BasicLexer)
    assert len(root.scanner.terminals) == len(root.terminals)
    assert not root.callback


def test_tokens_the_state_decides() -> None:
    # `version` is a gate's keyword inside `@since(...)` and an identifier
    # elsewhere: the one scanner finds ID, and the state's own scanner decides.
    text = "package a:b;\n@since(version = 1.0.0)\ninterface version { version: func(); }\n"
    _, file = parse_text("t.wit", text)
    assert [type(item).__name__ for item in file.items] == ["Interface"]
