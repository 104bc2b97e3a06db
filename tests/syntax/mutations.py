"""Hypothesis strategies: WIT text broken in the ways people break it."""

from __future__ import annotations

import re

from hypothesis import strategies as st

# Tokens worth inserting: keywords, punctuation, identifiers good and bad,
# versions, gates, strings, comments and characters the lexer refuses.
VOCABULARY = [
    *"use type func interface world package import export include with as record variant enum "
    "flags resource constructor static async list map option result tuple future stream own "
    "borrow u32 string _ from error-context".split(),
    *"{ } ( ) < > ; : , . = / @ -> * + -".split(),
    '"x"',
    '"\\q"',
    "%",
    "%foo",
    "%type",
    "foo",
    "Foo",
    "foo_bar",
    "a-",
    "1",
    "01",
    "1.0.0",
    "@1.0.0",
    "@since(version = 1.0.0)",
    "@unstable(feature = x)",
    "@deprecated(version = 1.0.0)",
    '@external-id("x")',
    "@foo",
    "/*",
    "*/",
    "//",
    "\r",
    "$",
    "é",
    "\u202e",
    "\t",
    "\x00",
]

_TOKEN = re.compile(r"\s+|//[^\n]*|/\*|\*/|[A-Za-z_%][\w-]*|\d+|->|.", re.S)


@st.composite
def mutated(draw: st.DrawFn, texts: list[str]) -> str:
    """One of `texts` with one to three token-level edits."""
    tokens = _TOKEN.findall(draw(st.sampled_from(texts)))
    for _ in range(draw(st.integers(1, 3))):
        if not tokens:
            tokens = [""]
        index = draw(st.integers(0, len(tokens) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "cut", "swap"]))
        if edit == "delete":
            tokens[index] = ""
        elif edit == "duplicate":
            tokens[index] = f"{tokens[index]} {tokens[index]}"
        elif edit == "insert":
            tokens[index] = f"{draw(st.sampled_from(VOCABULARY))} {tokens[index]}"
        elif edit == "replace":
            tokens[index] = draw(st.sampled_from(VOCABULARY))
        elif edit == "cut":
            tokens = tokens[:index]
        elif index + 1 < len(tokens):
            tokens[index], tokens[index + 1] = tokens[index + 1], tokens[index]
    return "".join(tokens)
