"""Rust's `Debug` spelling of characters.

In: a character.  Out: the text Rust's `{:?}` prints for it (`'a'`, `'\\n'`,
`'\\u{200b}'`), which wasm-tools puts in its messages.  Raises nothing.
"""

from __future__ import annotations

import unicodedata

_ESCAPES = {"\0": "\\0", "\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", "'": "\\'"}


def debug_char(char: str) -> str:
    """`char` as Rust's `format!("{:?}", char)` writes it, quotes included."""
    escaped = _ESCAPES.get(char)
    if escaped is None:
        if not char.isprintable() or unicodedata.category(char) in ("Mn", "Me"):
            escaped = f"\\u{{{ord(char):x}}}"
        else:
            escaped = char
    return f"'{escaped}'"


def escape_unicode(char: str) -> str:
    """Rust's `char::escape_unicode`: `\\u{XXXX}` in lower-case hex."""
    return f"\\u{{{ord(char):x}}}"
