"""Which wasm-tools messages come from wit-parser's tokenizer and parser.

`witgen.syntax` must report these exactly where wasm-tools does; every other
message comes from name resolution and later stages.  The list is read off
wit-parser's `ast.rs` and `ast/lex.rs` and the Rust `semver` crate it calls.
"""

from __future__ import annotations

import re

_SYNTAX = re.compile(
    r"^(?:"
    # ast.rs
    r"expected .*, found .*"
    r"|unknown attribute `.*`"
    r"|cannot place attributes on nested packages"
    r"|package nesting too deep"
    r"|type nesting too deep"
    r"|invalid list size: .*"
    # ast/lex.rs
    r"|Control code '.*'"
    r"|Codepoint .* is discouraged by Unicode"
    r"|Input contains bidirectional override codepoint .*"
    r"|unexpected character '.*'"
    r"|unterminated block comment"
    r"|invalid character in identifier .*"
    r"|identifiers must have characters between '-'s"
    r"|invalid unicode value .*"
    r"|invalid string character .*"
    r"|invalid string escape .*"
    r"|expected character .*"
    r"|unexpected end of file"
    r"|invalid UTF-8: .*"
    r"|number is too big to fit in a u32"
    r"|trailing underscore in number"
    r"|invalid hex digit .*"
    # the semver crate, through parse_version
    r"|empty string, expected a semver version"
    r"|unexpected end of input while parsing .*"
    r"|unexpected character .* (?:while parsing|after) .*"
    r"|invalid leading zero in .*"
    r"|value of .* exceeds u64::MAX"
    r"|empty identifier segment in .*"
    r")$"
)


def message_of(error_text: str) -> str:
    """The message of a wasm-tools error, without `error: `, context prefixes
    and the location block."""
    first = error_text.split("\n", 1)[0]
    first = first.removeprefix("error: ")
    while True:
        match = re.match(r"failed to parse (?:package|dependency directory): [^:]*: ", first)
        if match is None:
            break
        first = first[match.end() :]
    # A long line is reported as `path:line:col: message`.
    located = re.match(r"^\S+:\d+:\d+: (.*)$", first)
    if located is not None and not _SYNTAX.match(first):
        first = located.group(1)
    return first


def is_syntax_error(error_text: str) -> bool:
    """Whether a wasm-tools error comes from its tokenizer or parser."""
    return bool(_SYNTAX.match(message_of(error_text)))
