"""Random valid WIT with comments in every position.

The packages of the printer tests' strategy (`printer.wit_strategy.wit_package`),
with something drawn for each gap between two tokens, and at the end: a comment
(line comments, block comments nested or over two lines, doc comments, comments
on a line of their own, after a blank line, or after code), or extra whitespace
(spaces, tabs, line breaks, blank lines, CRLF) that the formatter must lay out
again, or nothing.  wit-parser reads every comment in front of an item as its
documentation, so the comments change the model: the formatter must keep each
of them where it is.  `comments_of` lists the comments of a text, to check that
none is lost.
"""

from __future__ import annotations

from hypothesis import strategies as st
from printer.wit_strategy import wit_package

from witgen.diagnostics import SourceMap
from witgen.syntax.parse import parse_file_lexed

COMMENTS = [
    " /* block */ ",
    " /* nested /* inner /* deepest */ */ block */ ",
    " // line\n",
    "\n// on its own line\n",
    "\n\n// after a blank line\n\n",
    " /// doc line\n",
    " /** doc block */ ",
    "\n/* over\n   two lines */\n",
    " //\n",
    " // trailing spaces   \n",
    "/*tight*/",
    "\r\n// a CRLF line\r\n",
]
WHITESPACE = ["  ", "\t", "\n", "\n\n\n", "\n        ", " \r\n"]
# Tokens that make up a version: wit-parser reads a version as one piece of
# text, so no comment can stand between two of them.
_VERSION_PARTS = frozenset({"INTEGER", "DOT", "PRERELEASE", "BUILD"})


@st.composite
def commented_wit(draw: st.DrawFn, texts: st.SearchStrategy[str] | None = None) -> str:
    """A text of `texts` (default: a package of the printer tests' strategy)
    with a comment, extra whitespace or nothing drawn for each gap."""
    text = draw(wit_package() if texts is None else texts)
    sources = SourceMap()
    _, lexed = parse_file_lexed(sources, sources.add("random.wit", text))
    data = text.encode("utf-8")  # the token spans are byte offsets
    out: list[bytes] = []
    at = 0
    kinds = lexed.kinds
    for index, start in enumerate([*lexed.starts, len(data)]):
        out.append(data[at:start])
        at = start
        inside_version = (
            0 < index < len(kinds)
            and kinds[index - 1] in _VERSION_PARTS
            and kinds[index] in _VERSION_PARTS
        )
        choice = draw(st.integers(0, 3 * len(COMMENTS) - 1))
        if inside_version:
            continue
        after_slash = 0 < index <= len(kinds) and kinds[index - 1] == "SLASH"
        if choice < len(COMMENTS) and not (after_slash and COMMENTS[choice] == "/*tight*/"):
            # (`/` and `/*tight*/` would make `//`, a line comment.)
            out.append(COMMENTS[choice].encode())
        elif choice < len(COMMENTS) + len(WHITESPACE):
            out.append(WHITESPACE[choice - len(COMMENTS)].encode())
    out.append(data[at:])
    return b"".join(out).decode("utf-8")


def comments_of(text: str) -> list[str]:
    """The comments of `text` in order, as the formatter writes them (a line
    comment without trailing whitespace, line breaks as LF)."""
    sources = SourceMap()
    file = sources.add("c.wit", text)
    _, lexed = parse_file_lexed(sources, file)
    data = sources[file].data
    found = []
    for start, end in lexed.comments:
        comment = data[start:end].decode("utf-8")
        found.append(comment.rstrip() if comment.startswith("//") else comment)
    return [comment.replace("\r\n", "\n") for comment in found]
