"""Source locations and error reports.

In: source files (path and text) registered in a `SourceMap`; spans into them.
Out: `Diagnostic` values, raised together as a `WitError`, and `render()`, which
prints a diagnostic exactly the way wasm-tools' `wit-parser` does:

    type `bar` does not exist
         --> wit/app.wit:5:14
          |
        5 |   type foo = bar;
          |              ^--

The caller (only `cli.py`) puts `error: ` in front.  On a terminal,
`colored_label` is that prefix in wasm-tools' colours (`witgen.commands` decides
when).  Nothing here raises except `WitError` itself, which carries the
diagnostics and the source map they need.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A range of a source file.

    `start` and `end` are byte offsets into the file's UTF-8 text; `start` is
    inclusive, `end` exclusive.  `file` is the file's index in its `SourceMap`.
    """

    file: int
    start: int
    end: int

    def to(self, other: Span) -> Span:
        """The span from the start of `self` to the end of `other`."""
        return Span(self.file, self.start, other.end)


class SourceFile:
    """One source text and the conversions between its offsets.

    The parser works on `str` offsets (code points); spans hold byte offsets.
    For ASCII text the two are the same and nothing is stored.  `data` is the
    file's bytes; it is given only for a file that is not valid UTF-8, whose
    `text` is then for display and never parsed.
    """

    __slots__ = ("_line_starts", "_wide", "data", "path", "text")

    def __init__(self, path: str, text: str, data: bytes | None = None) -> None:
        self.path = path
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass") if data is None else data
        # Code point index of every non-ASCII character and the number of extra
        # bytes before (and including) it, so byte = index + extra.
        self._wide: tuple[list[int], list[int]] | None = None
        if data is None and len(self.data) != len(text):
            indexes: list[int] = []
            extras: list[int] = []
            extra = 0
            for index, char in enumerate(text):
                if char >= "\x80":
                    extra += len(char.encode("utf-8", "surrogatepass")) - 1
                    indexes.append(index)
                    extras.append(extra)
            self._wide = (indexes, extras)
        self._line_starts: list[int] | None = None

    def byte_offset(self, index: int) -> int:
        """The byte offset of code point `index` (which may be `len(text)`)."""
        if self._wide is None:
            return index
        indexes, extras = self._wide
        at = bisect.bisect_left(indexes, index)
        return index + (extras[at - 1] if at else 0)

    def char_index(self, offset: int) -> int:
        """The code point index of byte `offset` (rounded down inside a character)."""
        if self._wide is None:
            return offset
        return len(self.data[:offset].decode("utf-8", "ignore"))

    def line_col(self, offset: int) -> tuple[int, int]:
        """Zero-based line and byte column of byte `offset`, as wit-parser counts them.

        wit-parser appends one `\\n` to every file, splits on `\\n` only (a `\\r`
        stays part of its line), and counts columns in bytes.
        """
        starts = self._starts()
        if offset >= len(self.data) + 1:
            return (len(starts), 0)
        line = bisect.bisect_right(starts, offset) - 1
        return (line, offset - starts[line])

    def line_text(self, line: int) -> bytes:
        """The bytes of zero-based `line`, without its `\\n` or a final `\\r`."""
        starts = self._starts()
        if line >= len(starts):
            return b""
        end = self.data.find(b"\n", starts[line])
        text = self.data[starts[line] : len(self.data) if end < 0 else end]
        return text[:-1] if text.endswith(b"\r") else text

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            data = self.data
            at = data.find(b"\n")
            while at >= 0:
                starts.append(at + 1)
                at = data.find(b"\n", at + 1)
            self._line_starts = starts
        return self._line_starts


class SourceMap:
    """Every source file of one run, each known by its index."""

    def __init__(self) -> None:
        self.files: list[SourceFile] = []

    def add(self, path: str, text: str, data: bytes | None = None) -> int:
        self.files.append(SourceFile(path, text, data))
        return len(self.files) - 1

    def __getitem__(self, file: int) -> SourceFile:
        return self.files[file]

    def location(self, span: Span) -> str:
        """`path:line:column`, one-based, as wit-parser prints it."""
        source = self.files[span.file]
        line, col = source.line_col(span.start)
        return f"{source.path}:{line + 1}:{col + 1}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error: what is wrong and where.

    `context` holds the outer layers of the message, outermost first, each
    printed before the message and joined with `: `, as wasm-tools does
    (`failed to parse package: wit/deps/foo: ...`).  `span` is None for an
    error that belongs to no place in a file (a missing path, say).
    """

    message: str
    span: Span | None = None
    context: tuple[str, ...] = field(default=())

    def within(self, *context: str) -> Diagnostic:
        """This diagnostic with more context layers put in front."""
        return Diagnostic(self.message, self.span, context + self.context)


class WitError(Exception):
    """Raised with every diagnostic found, and the sources they point into."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: SourceMap) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        self.sources = sources
        super().__init__("; ".join(d.message for d in self.diagnostics))

    def render(self) -> str:
        return "\n".join(render(d, self.sources) for d in self.diagnostics)


# Lines longer than this (in bytes) are not quoted; wit-parser prints only
# `path:line:col: message` for them.
_MAX_SNIPPET = 500


def render(diagnostic: Diagnostic, sources: SourceMap) -> str:
    """The diagnostic as wit-parser renders it, without the `error: ` prefix."""
    parts = list(diagnostic.context)
    parts.append(_highlight(diagnostic, sources))
    return ": ".join(parts)


def _highlight(diagnostic: Diagnostic, sources: SourceMap) -> str:
    span = diagnostic.span
    if span is None:
        return diagnostic.message
    source = sources[span.file]
    line, col = source.line_col(span.start)
    snippet = source.line_text(line)
    if len(snippet) > _MAX_SNIPPET:
        return f"{source.path}:{line + 1}:{col + 1}: {diagnostic.message}"
    line_no = line + 1
    gutter = f"{line_no:4}"
    marker = " " * col + "^"
    covered = source.data[span.start : span.end]
    try:
        width = len(covered.decode("utf-8"))
    except UnicodeDecodeError:
        width = 1
    marker += "-" * max(width - 1, 0)
    snippet_text = snippet.decode("utf-8", "replace")
    return (
        f"{diagnostic.message}\n"
        f"     --> {source.path}:{line_no}:{col + 1}\n"
        f"      |\n"
        f" {gutter} | {snippet_text}\n"
        f"      | {marker}"
    )


def spans_text(sources: SourceMap, spans: Sequence[Span]) -> list[str]:
    """`path:line:col` for each span (for messages that list several places)."""
    return [sources.location(span) for span in spans]


# wasm-tools' colours on a terminal (termcolor's escapes): the severity bold and
# red (`error`) or yellow (`warning`), the rest of its first line bold.
SEVERITY_COLORS = {"error": "31", "warning": "33"}
BOLD = "\x1b[1m"
RESET = "\x1b[0m"


def colored_label(severity: str) -> str:
    """`error: ` (or `warning: `) as wasm-tools prints it in colour; the text after
    it is bold until `RESET`, which the caller puts after the line break."""
    return f"{RESET}{BOLD}\x1b[{SEVERITY_COLORS[severity]}m{severity}{RESET}{BOLD}: "
