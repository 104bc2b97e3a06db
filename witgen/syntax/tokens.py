"""The lexical rules of wit-parser that a grammar cannot state.

In: token text.  Out: nothing, or a `LexProblem` saying what wit-parser's
tokenizer reports about it, and where (an offset into the text).  These cover
codepoints forbidden anywhere in a file, the kebab-case check on identifiers,
the decoding of string literals, and the description of each token kind used in
`expected ..., found ...` messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from witgen.rust import debug_char, escape_unicode


@dataclass(frozen=True, slots=True)
class LexProblem:
    """A tokenizer error: `message` about the character at `offset` (a `str` index)."""

    offset: int
    message: str


# How wit-parser describes each token in `expected X, found Y`, by terminal name.
KEYWORDS = (
    "as async bool borrow char constructor enum error-context export f32 f64 flags from func "
    "future import include interface list map option own package record resource result s16 "
    "s32 s64 s8 static stream string tuple type u16 u32 u64 u8 _ use variant with world"
).split()

DESCRIPTIONS: dict[str, str] = {
    "LPAREN": "'('",
    "RPAREN": "')'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LANGLE": "'<'",
    "RANGLE": "'>'",
    "SEMICOLON": "';'",
    "COLON": "':'",
    "COMMA": "','",
    "DOT": "'.'",
    "EQUALS": "'='",
    "SLASH": "`/`",
    "ARROW": "`->`",
    "AT": "`@`",
    "PRERELEASE": "`-`",
    "BUILD": "`+`",
    "ID": "an identifier",
    "EXPLICIT_ID": "an '%' identifier",
    "INTEGER": "an integer",
    "STRING": "a string literal",
    # Words that are keywords only inside gates are identifiers to wit-parser.
    "SINCE": "an identifier",
    "UNSTABLE": "an identifier",
    "DEPRECATED": "an identifier",
    "EXTERNAL_ID": "an identifier",
    "VERSION": "an identifier",
    "FEATURE": "an identifier",
    "$END": "eof",
}
for _keyword in KEYWORDS:
    _terminal = {"string": "STRING_", "_": "UNDERSCORE"}.get(
        _keyword, _keyword.upper().replace("-", "_")
    )
    DESCRIPTIONS[_terminal] = f"keyword `{_keyword}`"

# Control codes other than tab, newline and carriage return; bidirectional
# overrides (CVE-2021-42574); codepoints Unicode deprecates or discourages.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
    "\u0149\u0673\u0f77\u0f79\u17a3\u17a4\u17b4\u17b5]"
)
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DEPRECATED = set("\u0149\u0673\u0f77\u0f79\u17a3\u17a4\u17b4\u17b5")


def check_codepoints(text: str) -> LexProblem | None:
    """The first codepoint wit-parser refuses anywhere in a file, if any."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    # Rust formats these two with `{:?}` of an `EscapeUnicode`, which shows its type.
    debug = f"EscapeUnicode(EscapeIterInner('{escape_unicode(char)}'))"
    if char in _BIDI:
        message = f"Input contains bidirectional override codepoint {debug}"
    elif char in _DEPRECATED:
        message = f"Codepoint {debug} is discouraged by Unicode"
    else:
        message = f"Control code '{escape_unicode(char)}'"
    return LexProblem(found.start(), message)


def check_id(text: str, offset: int) -> LexProblem | None:
    """Kebab-case: `-`-separated words, each all lower or all upper case ASCII
    letters and digits, the first starting with a letter.  `text` is the
    identifier without `%`; a problem points at `offset`, the token's start."""
    if not text:
        return LexProblem(offset, "identifiers must have characters between '-'s")
    for index, part in enumerate(text.split("-")):
        if not part:
            return LexProblem(offset, "identifiers must have characters between '-'s")
        if index == 0 and not (part[0].isascii() and part[0].isalpha()):
            return LexProblem(offset, f"invalid character in identifier {debug_char(part[0])}")
        upper: bool | None = None
        for char in part:
            if "0" <= char <= "9":
                continue
            if "A" <= char <= "Z":
                this_upper = True
            elif "a" <= char <= "z":
                this_upper = False
            else:
                return LexProblem(offset, f"invalid character in identifier {debug_char(char)}")
            if upper is None:
                upper = this_upper
            elif upper != this_upper:
                return LexProblem(offset, f"invalid character in identifier {debug_char(char)}")
    return None


def decode_string(text: str, start: int) -> str | LexProblem:
    """Decode the string literal that opens with `"` at `text[start]`.

    Returns its value, or the problem wit-parser's tokenizer reports, including
    a literal that never closes.
    """
    position = start + 1
    end = len(text)
    out = bytearray()

    def take() -> tuple[int, str] | LexProblem:
        nonlocal position
        if position >= end:
            return LexProblem(end, "unexpected end of file")
        at = position
        char = text[at]
        position += 1
        if char == "\r" and position < end and text[position] == "\n":
            position += 1
            char = "\n"
        return at, char

    def hex_digit() -> tuple[int, int] | LexProblem:
        taken = take()
        if isinstance(taken, LexProblem):
            return taken
        at, char = taken
        if char in "0123456789abcdefABCDEF":
            return at, int(char, 16)
        return LexProblem(at, f"invalid hex digit {debug_char(char)}")

    while True:
        taken = take()
        if isinstance(taken, LexProblem):
            return taken
        at, char = taken
        if char == '"':
            break
        if char == "\\":
            taken = take()
            if isinstance(taken, LexProblem):
                return taken
            escape_at, escape = taken
            simple = {'"': b'"', "'": b"'", "t": b"\t", "n": b"\n", "r": b"\r", "\\": b"\\"}
            if escape in simple:
                out += simple[escape]
            elif escape == "u":
                taken = take()
                if isinstance(taken, LexProblem):
                    return taken
                if taken[1] != "{":
                    return LexProblem(taken[0], "expected character '{'")
                digit = hex_digit()
                if isinstance(digit, LexProblem):
                    return digit
                first_at, value = digit
                trailing_underscore = False
                while True:
                    if position < end and text[position] == "_":
                        position += 1
                        trailing_underscore = True
                        continue
                    if position >= end:
                        return LexProblem(end, "unexpected end of file")
                    if text[position] not in "0123456789abcdefABCDEF":
                        break
                    trailing_underscore = False
                    value = value * 16 + int(text[position], 16)
                    if value > 0xFFFFFFFF:
                        return LexProblem(position, "number is too big to fit in a u32")
                    position += 1
                if trailing_underscore:
                    return LexProblem(first_at, "trailing underscore in number")
                if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                    return LexProblem(escape_at, f"invalid unicode value {value:#x}")
                out += chr(value).encode("utf-8")
                taken = take()
                if isinstance(taken, LexProblem):
                    return taken
                if taken[1] != "}":
                    return LexProblem(taken[0], "expected character '}'")
            elif escape in "0123456789abcdefABCDEF":
                digit = hex_digit()
                if isinstance(digit, LexProblem):
                    return digit
                out.append(int(escape, 16) * 16 + digit[1])
            else:
                return LexProblem(escape_at, f"invalid string escape {debug_char(escape)}")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            return LexProblem(at, f"invalid string character {debug_char(char)}")
        else:
            out += char.encode("utf-8", "surrogatepass")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as error:
        return LexProblem(start, f"invalid UTF-8: {_utf8_error(out, error)}")


def _utf8_error(data: bytes | bytearray, error: UnicodeDecodeError) -> str:
    # Rust's Utf8Error display.
    valid_up_to = error.start
    rest = data[valid_up_to:]
    length = _invalid_sequence_length(rest)
    if length is None:
        return f"incomplete utf-8 byte sequence from index {valid_up_to}"
    return f"invalid utf-8 sequence of {length} bytes from index {valid_up_to}"


def _invalid_sequence_length(rest: bytes | bytearray) -> int | None:
    """Rust's `error_len`: bytes to skip, or None when input ends mid-sequence."""
    first = rest[0]
    if first < 0x80 or first < 0xC2 or first > 0xF4:
        return 1
    width = 2 if first < 0xE0 else 3 if first < 0xF0 else 4
    for index in range(1, width):
        if index >= len(rest):
            return None
        byte = rest[index]
        low, high = 0x80, 0xBF
        if index == 1:
            if first == 0xE0:
                low = 0xA0
            elif first == 0xED:
                high = 0x9F
            elif first == 0xF0:
                low = 0x90
            elif first == 0xF4:
                high = 0x8F
        if not low <= byte <= high:
            return index
    return 1


def describe_unlexable(text: str, offset: int) -> tuple[str, int] | LexProblem:
    """What wit-parser's tokenizer makes of `text[offset:]` where the grammar's
    lexer found no token: the description and length of a token the grammar
    never uses (`*`, the keyword `from`), or the lexical error there."""
    char = text[offset]
    if char == '"':
        decoded = decode_string(text, offset)
        if isinstance(decoded, LexProblem):
            return decoded
        return LexProblem(offset, "unexpected character '\"'")
    if char in "*+":
        return f"`{char}`", 1
    if char == "-":
        return ("`->`", 2) if text.startswith("->", offset) else ("`-`", 1)
    word = _WORD.match(text, offset)
    if word is not None:
        found = word.group()
        description = f"keyword `{found}`" if found in KEYWORDS else "an identifier"
        return description, len(found)
    return LexProblem(offset, f"unexpected character {debug_char(char)}")


# A keyword-like word: XID start or `_`, then XID continue or `-`.  `str.isidentifier`
# is defined with the same XID classes.
_WORD = re.compile(r"[^\W\d][\w-]*")
