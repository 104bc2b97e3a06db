"""Format one WIT file: wasm-tools' layout, the author's comments and grouping.

In: a file's path (for messages) and its text.  Out: `format_text()`, the
formatted text.  Raises `WitError` with the parser's diagnostic when the text
does not parse, and `FormatError` when the formatted text would not read as
the original does (a bug in witgen: nothing must be written then).

Where wasm-tools' printer (`witgen.printer`) has an opinion, the layout is
its: two spaces a level, one item a line, a record's fields, a variant's cases,
an enum's cases and flags a line each with a trailing comma, `name: func(a:
u32) -> r;` spacing, `use a.{b, c as d};`, gates on their own lines before the
item, a blank line after the package header and around interfaces, worlds and
nested packages, `%` only before a name that is a keyword.  Where it has none,
the author's choice stays: the order of items, each `use` as written, blank
lines between items (a run of them becomes one), and every comment.

Comments are the delicate part, because wit-parser takes every comment in
front of an item (`//` and `/* */` too, not only `///`) as the item's
documentation.  So each comment stays between the same two tokens it was
between (the only exceptions move a comment across a comma of a list whose
elements have no documentation: parameters, `use` and `with` names, or across
a trailing comma the printer adds or drops).  A comment that started its line
starts one again, at the indentation of what follows; a comment after code
stays after it on that line.  Line comments lose trailing whitespace; block
comments are kept as written (their text, trailing spaces included, is
documentation), with line breaks made LF.  A list whose brackets hold a
comment that needs a line of its own (a line comment, or one that started a
line) is written one element a line, rustfmt's way:

    f: func(
      a: u32, // the first
      b: u32,
    );

Line endings follow the file's first line break (CRLF stays CRLF, as black and
rustfmt keep it; anything else becomes LF); a byte-order mark is dropped; the
text ends with one line break.  Before the text is returned it is parsed again
and its tree compared with the original's, names, types, gates and
documentation as wit-parser reads them: a difference raises `FormatError`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import TypeVar, assert_never

from witgen.diagnostics import SourceMap
from witgen.printer import escape
from witgen.resolve.unresolved import docs_text
from witgen.syntax import ast
from witgen.syntax.parse import Lexed, parse_file, parse_file_lexed

INDENT = "  "

_PRIMITIVES = frozenset(
    "BOOL U8 U16 U32 U64 S8 S16 S32 S64 F32 F64 CHAR STRING_ ERROR_CONTEXT".split()
)
_IDS = frozenset({"ID", "EXPLICIT_ID"})
# No space between these and a comment written just before them.
_TIGHT_AFTER_COMMENT = frozenset({",", ";", ")", ">"})
_BRACKETS = {"LPAREN": "RPAREN", "LBRACE": "RBRACE", "LANGLE": "RANGLE"}

_T = TypeVar("_T")


class FormatError(Exception):
    """The formatted text does not read as the original does: a bug in witgen."""


def format_text(path: str, text: str) -> str:
    """`text` (the file `path`) formatted; see the module doc."""
    sources = SourceMap()
    file = sources.add(path, text)
    tree, lexed = parse_file_lexed(sources, file)
    formatter = _Formatter(_Source(sources[file].data, lexed))
    try:
        formatter.file(tree)
    except AssertionError as error:  # the walk lost its place among the tokens
        raise FormatError(f"{path}: the formatter lost its place ({error})") from None
    formatted = formatter.out.text()
    again = SourceMap()
    if shape(parse_file(again, again.add(path, formatted))) != shape(tree):
        raise FormatError(f"{path}: the formatted text does not read as the original does")
    if _uses_crlf(text):
        formatted = formatted.replace("\n", "\r\n")
    return formatted


def shape(node: object) -> object:
    """What wit-parser reads from a syntax tree: the tree without spans, names
    without `%`, versions as values and doc comments as documentation text."""
    if isinstance(node, ast.Id):
        return node.name
    if isinstance(node, ast.Docs):
        return docs_text(node)
    if isinstance(node, ast.VersionLiteral):
        return node.version
    if isinstance(node, tuple):
        return tuple(shape(item) for item in node)
    if is_dataclass(node):
        return (
            type(node).__name__,
            tuple(
                shape(getattr(node, field.name))
                for field in fields(node)
                if field.name not in ("span", "keyword")
            ),
        )
    return node


def _uses_crlf(text: str) -> bool:
    first = text.find("\n")
    return first > 0 and text[first - 1] == "\r"


# ---------------------------------------------------------------- the source


@dataclass(frozen=True, slots=True)
class _Comment:
    """A comment as it will be written, and where it stood."""

    start: int  # byte offset in the source
    text: str  # a line comment without its line break and trailing whitespace
    is_line: bool
    own_line: bool  # nothing but whitespace before it on its line
    blank_before: bool  # a blank line between it and what came before


class _Source:
    """The tokens and comments of a parsed file, and the line breaks between them."""

    def __init__(self, data: bytes, lexed: Lexed) -> None:
        self.data = data
        self.kinds = lexed.kinds
        self.starts = lexed.starts
        self.ends = lexed.ends
        # Per token: a blank line between it and the token or comment before it.
        blank_before = [False] * len(lexed.kinds)
        self.comments: list[_Comment] = []
        things = sorted(
            [(start, index, False) for index, start in enumerate(lexed.starts)]
            + [(start, index, True) for index, (start, _) in enumerate(lexed.comments)]
        )
        previous: int | None = None
        for start, index, is_comment in things:
            newlines = data.count(b"\n", previous, start) if previous is not None else 0
            if not is_comment:
                blank_before[index] = newlines >= 2
                previous = lexed.ends[index]
                continue
            end = lexed.comments[index][1]
            raw = data[start:end].decode("utf-8")
            is_line = raw.startswith("//")
            written = raw.rstrip() if is_line else raw.replace("\r\n", "\n")
            self.comments.append(
                _Comment(start, written, is_line, previous is None or newlines > 0, newlines >= 2)
            )
            previous = start + len(written.encode("utf-8")) if is_line else end
        self.blank_before = tuple(blank_before)
        self.comment_starts = [comment.start for comment in self.comments]

    def text(self, index: int) -> str:
        return self.data[self.starts[index] : self.ends[index]].decode("utf-8")

    def needs_lines(self, opener: int, closer: int) -> bool:
        """Whether a comment between tokens `opener` and `closer` needs a line
        of its own: a line comment, or one that started its line."""
        lo = bisect.bisect_left(self.comment_starts, self.starts[opener])
        hi = bisect.bisect_left(self.comment_starts, self.starts[closer])
        return any(c.is_line or c.own_line for c in self.comments[lo:hi])

    def has_comments(self, first: int, last: int) -> bool:
        """Whether a comment stands anywhere between tokens `first` and `last`."""
        lo = bisect.bisect_left(self.comment_starts, self.starts[first])
        hi = bisect.bisect_left(self.comment_starts, self.starts[last])
        return hi > lo

    def matching(self, opener: int) -> int:
        """The index of the bracket that closes the one at `opener`."""
        open_kind = self.kinds[opener]
        close_kind = _BRACKETS[open_kind]
        depth = 0
        for index in range(opener, len(self.kinds)):
            kind = self.kinds[index]
            if kind == open_kind:
                depth += 1
            elif kind == close_kind:
                depth -= 1
                if depth == 0:
                    return index
        raise AssertionError("unbalanced brackets in a file that parsed")


# ---------------------------------------------------------------- the output


class _Writer:
    """Lines of text, with the line breaks asked for applied lazily, so that a
    comment that followed code in the source can still join that code's line."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.started = False  # anything written yet
        self.last = ""  # the last character written
        self.pending = 0  # line breaks wanted before the next text: 0, 1, or 2 (a blank line)
        self.level = 0  # the indentation of the line a pending break starts
        self.structural = False  # the pending break is between items: blank lines allowed
        self.opened = False  # the current line opens a block: no blank line after it
        self.after_comment = False
        self.closed = False  # the current line ends in a line comment: nothing more goes on it

    def text(self) -> str:
        text = "".join(self.parts)
        return text + "\n" if text else ""

    def line(self, level: int, *, blank: bool = False) -> None:
        """Start what comes next on a new line at `level`, after a blank line with `blank`."""
        self.pending = max(self.pending, 2 if blank else 1)
        self.level = level
        self.structural = True

    def want_blank(self) -> None:
        """A blank line before what comes next, if it starts an item on a new line."""
        if self.pending and self.structural:
            self.pending = 2

    def word(self, text: str, *, space: bool) -> None:
        if self.pending:
            self._break()
        elif self.started and (space or (self.after_comment and text not in _TIGHT_AFTER_COMMENT)):
            self.parts.append(" ")
        self._put(text)
        self.opened = False
        self.after_comment = False

    def trailing_comment(self, comment: _Comment, continuation: int) -> None:
        """A comment that followed code on its line: it stays on that line,
        unless a line comment ends that line already: then it has a line of
        its own, as it will have when the formatted text is read again."""
        if self.closed:
            self.own_line_comment(comment, continuation)
            return
        if self.started and (comment.is_line or self.last not in "(<"):
            self.parts.append(" ")
        self._put(comment.text)
        self.after_comment = True
        self.closed = comment.is_line
        if comment.is_line and not self.pending:
            self.pending, self.level, self.structural = 1, continuation, False

    def own_line_comment(self, comment: _Comment, continuation: int) -> None:
        """A comment that started its line: it starts one, where the next text goes."""
        if not self.pending:
            self.pending, self.level, self.structural = 1, continuation, False
        if comment.blank_before:
            self.want_blank()
        level, structural = self.level, self.structural
        self._break()
        self._put(comment.text)
        self.pending, self.level, self.structural = 1, level, structural
        self.opened = False
        self.after_comment = True
        self.closed = comment.is_line

    def _break(self) -> None:
        if self.started:
            blank = self.pending == 2 and not self.opened
            self.parts.append("\n\n" if blank else "\n")
            self.parts.append(INDENT * self.level)
        self.pending = 0
        self.closed = False
        self.structural = False

    def _put(self, text: str) -> None:
        self.parts.append(text)
        self.started = True
        self.last = text[-1]


# ---------------------------------------------------------------- the walk


class _Formatter:
    """Walks the syntax tree, taking the source's tokens in order: each token
    written is preceded by the comments in front of it."""

    def __init__(self, source: _Source) -> None:
        self.src = source
        self.out = _Writer()
        self.at = 0  # the next token
        self.comment = 0  # the next comment
        self.continuation = 1  # where a statement broken by a comment goes on

    # -- tokens and comments

    def kind(self) -> str:
        return self.src.kinds[self.at] if self.at < len(self.src.kinds) else "$END"

    def take(
        self,
        kinds: str | frozenset[str],
        text: str | None = None,
        *,
        space: bool = False,
        opens: bool = False,
    ) -> None:
        """Write the next token (as `text`, or as written), after the comments
        before it; `opens` a block: no blank line right after it."""
        self.flush()
        self.put(kinds, text, space=space)
        if opens:
            self.out.opened = True

    def put(self, kinds: str | frozenset[str], text: str | None = None, *, space: bool) -> None:
        """Write the next token, leaving the comments before it for what follows."""
        kind = self.kind()
        assert kind == kinds if isinstance(kinds, str) else kind in kinds, (kind, kinds)
        self.out.word(self.src.text(self.at) if text is None else text, space=space)
        self.at += 1

    def skip(self, kind: str) -> None:
        """Leave the next token out (the comments before it go before the next one)."""
        assert self.kind() == kind, (self.kind(), kind)
        self.at += 1

    def flush(self) -> None:
        """Write the comments that stand before the next token (all that are left at the end)."""
        src = self.src
        limit = src.starts[self.at] if self.at < len(src.kinds) else len(src.data) + 1
        while self.comment < len(src.comments) and src.comments[self.comment].start < limit:
            comment = src.comments[self.comment]
            if comment.own_line:
                self.out.own_line_comment(comment, self.continuation)
            else:
                self.out.trailing_comment(comment, self.continuation)
            self.comment += 1

    def begin_item(self, level: int, *, blank: bool = False) -> None:
        """An item (or member, or list element) starts a line at `level`, after
        its comments; a blank line before it when forced or when the source had one."""
        self.out.line(level, blank=blank)
        self.continuation = level + 1
        self.flush()
        if self.at < len(self.src.kinds) and self.src.blank_before[self.at]:
            self.out.want_blank()

    def end_block(self, inner: int, outer: int) -> None:
        """The comments before a closing bracket at `inner`, then a line at `outer`."""
        self.out.line(inner)
        self.continuation = inner + 1
        self.flush()
        self.out.line(outer)
        self.continuation = outer + 1

    # -- files and packages

    def file(self, tree: ast.File) -> None:
        previous: object = None
        if tree.header is not None:
            self.begin_item(0)
            self.take("PACKAGE")
            self.package_name(tree.header.name, space=True)
            self.take("SEMICOLON")
            previous = tree.header
        self.package_items(tree.items, 0, previous)
        self.end_block(0, 0)
        self.flush()
        assert self.at == len(self.src.kinds)

    def package_items(self, items: Sequence[ast.PackageItem], level: int, previous: object) -> None:
        for item in items:
            big = (ast.Interface, ast.World, ast.NestedPackage, ast.PackageHeader)
            blank = previous is not None and (isinstance(item, big) or isinstance(previous, big))
            self.begin_item(level, blank=blank)
            match item:
                case ast.Interface():
                    self.attributes(item.attributes, level)
                    self.take("INTERFACE")
                    self.id(item.name, space=True)
                    self.block(item.items, level, self.interface_item)
                case ast.World():
                    self.attributes(item.attributes, level)
                    self.take("WORLD")
                    self.id(item.name, space=True)
                    self.block(item.items, level, self.world_item)
                case ast.TopLevelUse():
                    self.attributes(item.attributes, level)
                    self.take("USE")
                    self.use_path(item.path, space=True)
                    if item.alias is not None:
                        self.take("AS", space=True)
                        self.id(item.alias, space=True)
                    self.take("SEMICOLON")
                case ast.NestedPackage():
                    self.take("PACKAGE")
                    self.package_name(item.name, space=True)
                    self.take("LBRACE", space=True, opens=True)
                    self.package_items(item.items, level + 1, None)
                    self.end_block(level + 1, level)
                    self.take("RBRACE")
                case _:
                    assert_never(item)
            previous = item

    def package_name(self, name: ast.PackageName, *, space: bool) -> None:
        self.id(name.namespace, space=space)
        self.take("COLON")
        self.id(name.name)
        if name.version is not None:
            self.take("AT")
            self.version(name.version)

    def version(self, version: ast.VersionLiteral, *, space: bool = False) -> None:
        # A version is one piece of text (wit-parser refuses spaces or comments
        # inside one): written whole, its remaining tokens skipped.
        self.take("INTEGER", str(version.version), space=space)
        for kind in ("DOT", "INTEGER", "DOT", "INTEGER"):
            self.skip(kind)
        while self.kind() in ("PRERELEASE", "BUILD"):
            self.skip(self.kind())

    # -- gates

    def attributes(self, attributes: Sequence[ast.Attribute], level: int) -> None:
        for attribute in attributes:
            self.take("AT")
            match attribute:
                case ast.Since() | ast.Deprecated():
                    self.take("SINCE" if isinstance(attribute, ast.Since) else "DEPRECATED")
                    self.take("LPAREN")
                    self.take("VERSION")
                    self.take("EQUALS", space=True)
                    self.version(attribute.version, space=True)
                case ast.Unstable():
                    self.take("UNSTABLE")
                    self.take("LPAREN")
                    self.take("FEATURE")
                    self.take("EQUALS", space=True)
                    self.id(attribute.feature, space=True)
                case ast.ExternalId():
                    self.take("EXTERNAL_ID")
                    self.take("LPAREN")
                    self.take("STRING")
                case _:
                    assert_never(attribute)
            self.take("RPAREN")
            self.out.line(level)

    # -- blocks and lists

    def block(self, items: Sequence[_T], level: int, item: Callable[[_T, int], None]) -> None:
        """`{`, each item on its own line one level in, `}`."""
        self.take("LBRACE", space=True, opens=True)
        for each in items:
            self.begin_item(level + 1)
            item(each, level + 1)
        self.end_block(level + 1, level)
        self.take("RBRACE")

    def members(self, members: Sequence[_T], level: int, member: Callable[[_T], None]) -> None:
        """A record's fields (or cases, or flags): `{`, a member a line with its
        comma, `}`.  A comment before a comma stays there: a comment after it
        documents the next member."""
        self.take("LBRACE", space=True, opens=True)
        for each in members:
            self.begin_item(level + 1)
            member(each)
            if self.kind() == "COMMA":
                self.take("COMMA")
            else:
                self.out.word(",", space=False)
        self.end_block(level + 1, level)
        self.take("RBRACE")

    def listing(
        self,
        elements: Sequence[_T],
        element: Callable[[_T, bool], None],
        *,
        padded: bool = False,
        space: bool = False,
    ) -> None:
        """`(a, b)`, `{a, b}` or, `padded`, `{ a, b }`: on one line, or an element
        a line when a comment inside needs a line of its own.  The elements
        have no documentation, so a comma goes right after its element."""
        opener = self.at
        closer = self.src.matching(opener)
        close_kind = self.src.kinds[closer]
        if not self.src.needs_lines(opener, closer):
            self.take(self.kind(), space=space)
            for index, each in enumerate(elements):
                element(each, padded or index > 0)
                if self.kind() == "COMMA":
                    if index == len(elements) - 1:
                        self.skip("COMMA")
                    else:
                        self.take("COMMA")
            self.take(close_kind, space=padded and bool(elements))
            return
        outer = self.continuation
        self.take(self.kind(), space=space, opens=True)
        for each in elements:
            self.begin_item(outer)
            element(each, False)
            if self.kind() == "COMMA":
                self.put("COMMA", space=False)
            else:
                self.out.word(",", space=False)
        self.end_block(outer, outer - 1)
        self.take(close_kind)
        self.continuation = outer

    # -- interfaces and worlds

    def interface_item(self, item: ast.InterfaceItem, level: int) -> None:
        match item:
            case ast.NamedFunc():
                self.attributes(item.attributes, level)
                self.id(item.name)
                self.take("COLON")
                self.func(item.func)
                self.take("SEMICOLON")
            case ast.Use():
                self.use(item, level)
            case _:
                self.typedef(item, level)

    def world_item(self, item: ast.WorldItem, level: int) -> None:
        match item:
            case ast.Import() | ast.Export():
                self.attributes(item.attributes, level)
                self.take("IMPORT" if isinstance(item, ast.Import) else "EXPORT")
                self.extern(item.kind, level)
            case ast.Use():
                self.use(item, level)
            case ast.Include():
                self.attributes(item.attributes, level)
                self.take("INCLUDE")
                self.use_path(item.path, space=True)
                if self.kind() == "WITH":
                    self.take("WITH", space=True)
                    self.listing(item.names, self.include_name, padded=True, space=True)
                else:
                    self.take("SEMICOLON")
            case _:
                self.typedef(item, level)

    def extern(self, kind: ast.ExternKind, level: int) -> None:
        match kind:
            case ast.ExternFunc():
                self.id(kind.name, space=True)
                self.take("COLON")
                self.func(kind.func)
                self.take("SEMICOLON")
            case ast.ExternInterface():
                self.id(kind.name, space=True)
                self.take("COLON")
                self.take("INTERFACE", space=True)
                self.block(kind.items, level, self.interface_item)
            case ast.ExternNamedPath():
                self.id(kind.label, space=True)
                self.take("COLON")
                self.use_path(kind.path, space=True)
                self.take("SEMICOLON")
            case ast.ExternPath():
                self.use_path(kind.path, space=True)
                self.take("SEMICOLON")
            case _:
                assert_never(kind)

    def use(self, item: ast.Use, level: int) -> None:
        self.attributes(item.attributes, level)
        self.take("USE")
        self.use_path(item.path, space=True)
        self.take("DOT")
        self.listing(item.names, self.use_name)
        self.take("SEMICOLON")

    def use_name(self, name: ast.UseName, space: bool) -> None:
        self.id(name.name, space=space)
        if name.alias is not None:
            self.take("AS", space=True)
            self.id(name.alias, space=True)

    def include_name(self, name: ast.IncludeName, space: bool) -> None:
        self.id(name.name, space=space)
        self.take("AS", space=True)
        self.id(name.alias, space=True)

    def use_path(self, path: ast.UsePath, *, space: bool) -> None:
        match path:
            case ast.LocalPath():
                self.id(path.name, space=space)
            case ast.PackagePath():
                self.id(path.package.namespace, space=space)
                self.take("COLON")
                self.id(path.package.name)
                self.take("SLASH")
                self.id(path.name)
                if path.package.version is not None:
                    self.take("AT")
                    self.version(path.package.version)
            case _:
                assert_never(path)

    # -- functions

    def func(self, func: ast.Func) -> None:
        if func.is_async:
            self.take("ASYNC", space=True)
        self.take("FUNC", space=True)
        self.params(func)

    def params(self, func: ast.Func) -> None:
        self.listing(func.params, self.param)
        if func.result is not None:
            self.take("ARROW", space=True)
            self.type(func.result, space=True)

    def param(self, param: ast.Param, space: bool) -> None:
        self.id(param.name, space=space)
        self.take("COLON")
        self.type(param.type, space=True)

    # -- type definitions

    def typedef(self, item: ast.TypeDef, level: int) -> None:
        self.attributes(item.attributes, level)
        match item:
            case ast.TypeAlias():
                self.take("TYPE")
                self.id(item.name, space=True)
                self.take("EQUALS", space=True)
                self.type(item.type, space=True)
                self.take("SEMICOLON")
            case ast.Record():
                self.take("RECORD")
                self.id(item.name, space=True)
                self.members(item.fields, level, self.field)
            case ast.Flags():
                self.take("FLAGS")
                self.id(item.name, space=True)
                self.members(item.flags, level, self.flag)
            case ast.Variant():
                self.take("VARIANT")
                self.id(item.name, space=True)
                self.members(item.cases, level, self.case)
            case ast.Enum():
                self.take("ENUM")
                self.id(item.name, space=True)
                self.members(item.cases, level, self.flag)
            case ast.Resource():
                self.take("RESOURCE")
                self.id(item.name, space=True)
                if self.kind() == "SEMICOLON":
                    self.take("SEMICOLON")
                elif not item.funcs and not self.src.has_comments(
                    self.at, self.src.matching(self.at)
                ):
                    # `resource r {}` is `resource r;` (the printer's form); a
                    # comment before `{` goes before `;`, not to the next item.
                    self.flush()
                    self.skip("LBRACE")
                    self.skip("RBRACE")
                    self.out.word(";", space=False)
                else:
                    self.block(item.funcs, level, self.resource_func)
            case _:
                assert_never(item)

    def field(self, field: ast.Field) -> None:
        self.id(field.name)
        self.take("COLON")
        self.type(field.type, space=True)

    def flag(self, flag: ast.Flag | ast.EnumCase) -> None:
        self.id(flag.name)

    def case(self, case: ast.Case) -> None:
        self.id(case.name)
        if case.type is not None:
            self.take("LPAREN")
            self.type(case.type)
            self.take("RPAREN")

    def resource_func(self, item: ast.ResourceFunc, level: int) -> None:
        self.attributes(item.attributes, level)
        if item.kind == "constructor":
            self.take("CONSTRUCTOR")
            self.params(item.func)
        else:
            self.id(item.name)
            self.take("COLON")
            if item.kind == "static":
                self.take("STATIC", space=True)
            self.func(item.func)
        self.take("SEMICOLON")

    # -- types

    def id(self, name: ast.Id, *, space: bool = False) -> None:
        self.take(_IDS, escape(name.name), space=space)

    def type(self, ty: ast.Type, *, space: bool = False) -> None:
        match ty:
            case ast.PrimitiveType():
                self.take(_PRIMITIVES, space=space)
            case ast.NamedType():
                self.id(ty.name, space=space)
            case ast.ListType():
                self.take("LIST", space=space)
                self.take("LANGLE")
                self.type(ty.element)
                if ty.size is not None:
                    self.take("COMMA")
                    self.take("INTEGER", str(ty.size), space=True)
                self.take("RANGLE")
            case ast.MapType():
                self.take("MAP", space=space)
                self.take("LANGLE")
                self.type(ty.key)
                self.take("COMMA")
                self.type(ty.value, space=True)
                self.take("RANGLE")
            case ast.OptionType():
                self.take("OPTION", space=space)
                self.take("LANGLE")
                self.type(ty.element)
                self.take("RANGLE")
            case ast.ResultType():
                self.take("RESULT", space=space)
                if ty.ok is None and ty.err is None:
                    return
                self.take("LANGLE")
                if ty.ok is None:
                    self.take("UNDERSCORE")
                else:
                    self.type(ty.ok)
                if ty.err is not None:
                    self.take("COMMA")
                    self.type(ty.err, space=True)
                self.take("RANGLE")
            case ast.TupleType():
                self.take("TUPLE", space=space)
                self.take("LANGLE")
                for index, element in enumerate(ty.elements):
                    if index:
                        self.take("COMMA")
                    self.type(element, space=index > 0)
                if self.kind() == "COMMA":
                    self.skip("COMMA")
                self.take("RANGLE")
            case ast.FutureType() | ast.StreamType():
                self.take("FUTURE" if isinstance(ty, ast.FutureType) else "STREAM", space=space)
                if ty.element is not None:
                    self.take("LANGLE")
                    self.type(ty.element)
                    self.take("RANGLE")
            case ast.HandleType():
                self.take("OWN" if ty.kind == "own" else "BORROW", space=space)
                self.take("LANGLE")
                self.id(ty.resource)
                self.take("RANGLE")
            case _:
                assert_never(ty)
