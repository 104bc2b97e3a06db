"""Parse WIT text into the syntax tree of `ast.py`.

In: a file registered in a `SourceMap`.  Out: an `ast.File` (`parse_file`), and
with `parse_file_lexed` its tokens and comments as well (`Lexed`).
Raises: `WitError` with one diagnostic at the first syntax error, worded and
placed as wasm-tools' `wit-parser` words and places it.

The grammar is `grammar/wit.lark`, run by Lark's LALR(1) parser with its
contextual lexer; the compiled parser is cached on disk by Lark.  wit-parser
is a hand-written recursive-descent parser, and a few of its rules are not
grammar: they are checked here, at the moment wit-parser checks them, so that
the first error reported is the same one:

* when the parser takes a token (`_Tracker.taken`): identifiers must be
  kebab-case, fixed-size list lengths must fit in a u32, a nested package
  takes no gates and nests at most 100 deep;
* when the lexer produces a token (`_Tracker.lexed`): string literals must
  decode, types nest at most 100 deep, and a version that has just ended must
  be valid semver;
* when a rule is reduced (`_Builder`): nothing fails; it builds the node.

Lark reports a syntax error as the set of terminals it expected.  `_explain`
turns that set into the phrase wit-parser uses at the same place.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any, NoReturn, cast

import regex
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import BasicLexer, ContextualLexer, Lexer, LexerState

from witgen.diagnostics import Diagnostic, SourceFile, SourceMap, Span, WitError
from witgen.syntax import ast
from witgen.syntax.grammar import grammar_path
from witgen.syntax.tokens import (
    DESCRIPTIONS,
    LexProblem,
    check_codepoints,
    check_id,
    decode_string,
    describe_unlexable,
)
from witgen.version import Version, VersionError

MAX_TYPE_DEPTH = 100
MAX_PACKAGE_DEPTH = 100
_U32_MAX = 2**32 - 1


def parse_file(sources: SourceMap, file: int) -> ast.File:
    """Parse one file of `sources`; raise `WitError` at its first error."""
    return _parse(sources, file)[0]


@dataclass(frozen=True, slots=True)
class Lexed:
    """Every token and comment of a parsed file, in source order: what a tool
    that rewrites the text (`witgen fmt`) needs besides the tree.

    `kinds[i]` is the i-th token's terminal name in `grammar/wit.lark` (`ID`,
    `LBRACE`, ...) and `starts[i]`/`ends[i]` its byte span (end exclusive);
    `comments` holds each comment's byte span.  A line comment's span takes the
    line break that ends it.
    """

    kinds: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    comments: tuple[tuple[int, int], ...]


def parse_file_lexed(sources: SourceMap, file: int) -> tuple[ast.File, Lexed]:
    """`parse_file`, and the file's tokens and comments."""
    tree, state = _parse(sources, file)
    comments = tuple((start, end) for start, end, _ in state.comments)
    return tree, Lexed(tuple(state.types), tuple(state.starts), tuple(state.ends), comments)


def _parse(sources: SourceMap, file: int) -> tuple[ast.File, _State]:
    source = sources[file]
    problem = check_codepoints(source.text)
    if problem is not None:
        _fail_lex(sources, file, problem)
    text = source.text
    if text.startswith("\ufeff"):
        # wit-parser skips a byte-order mark; a space keeps every offset.
        text = " " + text[1:]
    state = _State(sources, file)
    with _LOCK:
        parser = _parser()
        _TRACKER.state = state
        _BUILDER.state = state
        try:
            return cast(ast.File, parser.parse(text)), state
        except _Failure as failure:
            raise WitError([failure.diagnostic], sources) from None
        except UnexpectedInput as error:
            raise WitError([_explain(error, state)], sources) from None
        finally:
            _TRACKER.state = _BUILDER.state = None


def parse_text(path: str, text: str) -> tuple[SourceMap, ast.File]:
    """Parse `text` as a file named `path` (a convenience for tools and tests)."""
    sources = SourceMap()
    file = sources.add(path, text)
    return sources, parse_file(sources, file)


_AS_KEYWORD = regex.compile(r"(?<![%\p{XID_Continue}-])as(?![\p{XID_Continue}-])")


class PathSpecifierError(ValueError):
    """A path specifier (`--world ns:pkg/w@1.0.0`) that does not parse; the
    message is wit-parser's."""


def parse_use_path(text: str) -> ast.UsePath:
    """A path specifier, `name` or `ns:pkg/name[@version]`, as wit-parser's
    `parse_use_path` reads one (the `--world` of `wasm-tools component embed`).

    Raises `PathSpecifierError` with the message wit-parser gives: the
    tokenizer's or parser's first error, or "trailing tokens in path
    specifier" when a whole path is followed by more.
    """
    trailing = PathSpecifierError("trailing tokens in path specifier")
    # The path alone reads as far as the path goes; where it stops only because
    # a `use` item's `;` may follow, the path as a whole item gives its tree.
    try:
        parse_text("<specifier>", "use " + text)
    except WitError as error:
        diagnostic = error.diagnostics[0]
        message = diagnostic.message
        found = _AS_KEYWORD.search(text)
        # `as` (which a `use` item takes after its path) ends a whole path.
        at = diagnostic.span.start if diagnostic.span is not None else 0
        if found is not None and at > len(("use " + text[: found.start()]).encode()):
            raise trailing from None
        if not message.startswith("expected ';'"):
            raise PathSpecifierError(message) from None
        if not message.endswith("found eof"):
            raise trailing from None
    else:
        raise trailing  # the text held a `;` and more
    _, file = parse_text("<specifier>", "use " + text + "\n;")
    item = file.items[0] if len(file.items) == 1 else None
    if not isinstance(item, ast.TopLevelUse) or item.alias is not None:
        raise trailing
    return item.path


# ---------------------------------------------------------------- the Lark parser

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _parser() -> Lark:
    parser = Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        regex=True,
        maybe_placeholders=True,
        cache=True,
        transformer=_BUILDER,
        lexer_callbacks={
            "COMMENT": _record_comment,
            "UNTERMINATED_COMMENT": _unterminated_comment,
        },
    )
    # The tracker takes the contextual lexer's place, and runs it only where its
    # one scanner cannot stand in for the state's own (see `_Tracker`).
    contextual = parser.parser.lexer
    assert isinstance(contextual, ContextualLexer)
    _TRACKER.contextual = contextual
    parser.parser.lexer = _TRACKER
    return parser


class _Failure(Exception):
    """A syntax error found by the tracker; stops the parse."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _State:
    """Everything one parse learns about its tokens, shared by the tracker,
    the builder and the error explainer."""

    def __init__(self, sources: SourceMap, file: int) -> None:
        self.sources = sources
        self.file = file
        self.source: SourceFile = sources[file]
        self.ascii = len(self.source.data) == len(self.source.text)
        # Byte spans of every token the lexer produced, in order, and of comments.
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.types: list[str] = []
        self.comment_starts: list[int] = []
        self.comments: list[tuple[int, int, str]] = []
        self.finished = False
        # `<` contexts ('tuple', 'list', ..., or 'handle') and `{` contexts.
        self.angles: list[str] = []
        self.type_angles = 0
        self.braces: list[bool] = []
        self.package_braces = 0
        self.package_pending = False
        # The tokens of the version being read, while one is.
        self.version: list[Token] = []

    def span(self, start: int, end: int) -> Span:
        return Span(self.file, start, end)

    def token_span(self, token: Token) -> Span:
        start, end = token.start_pos, token.end_pos
        assert start is not None and end is not None
        if self.ascii:
            return Span(self.file, start, end)
        to_bytes = self.source.byte_offset
        return Span(self.file, to_bytes(start), to_bytes(end))

    def eof(self) -> int:
        return len(self.source.data)

    def fail(self, message: str, span: Span) -> NoReturn:
        raise _Failure(Diagnostic(message, span))

    def fail_at(self, problem: LexProblem) -> NoReturn:
        offset = self.source.byte_offset(problem.offset)
        self.fail(problem.message, Span(self.file, offset, offset + 1))


def _pos(value: int | None) -> int:
    assert value is not None
    return value


def _record_comment(token: Token) -> Token:
    state = _TRACKER.state
    assert state is not None
    _note_comment(state, _pos(token.start_pos), _pos(token.end_pos), str(token))
    return token


def _note_comment(state: _State, start: int, end: int, text: str) -> None:
    if not state.ascii:
        start, end = state.source.byte_offset(start), state.source.byte_offset(end)
    state.comment_starts.append(start)
    state.comments.append((start, end, text))


def _unterminated_comment(token: Token) -> Token:
    state = _TRACKER.state
    assert state is not None
    state.fail_at(LexProblem(_pos(token.start_pos), "unterminated block comment"))


# Type constructors that open a nesting level with `<`.
_NESTING = {
    "TUPLE": "tuple",
    "LIST": "list",
    "MAP": "map",
    "RESULT": "result",
    "OPTION": "option",
    "FUTURE": "future",
    "STREAM": "stream",
}


# Kinds that `_Tracker.lexed` and `_Tracker.taken` look at; every other token
# only has its span recorded.
_LEXED_KINDS = frozenset({"STRING", "LANGLE", "RANGLE", "INTEGER"})
_TAKEN_KINDS = frozenset({"EXPLICIT_ID", "INTEGER", "PACKAGE", "LBRACE", "RBRACE"})
_new_str = str.__new__
# What wit-parser skips between tokens, before the token itself.
_GAP = r"(?:[ \t\n]|\r\n)*+"


class _Tracker(Lexer):
    """Lark's contextual lexer, with the checks wit-parser makes as it reads
    tokens (see the module doc) made between the lexer and the parser.

    The contextual lexer scans with a regex per parser state: the alternation
    of the terminals that state accepts, in one fixed order, and lexes the
    first that matches.  Compiling the 89 of them took a first parse 60-90 ms.
    One scanner of every terminal, in that order and after the whitespace that
    is skipped anyway, finds the same token whenever the terminal it finds is
    one the state accepts: the state's terminals come in the same order, so
    none before it matched.  Where it finds none, or one the state does not
    accept, the contextual lexer itself takes that one token, errors and all.
    """

    def __init__(self) -> None:
        self.state: _State | None = None
        self.contextual: ContextualLexer | None = None
        self._scanner: regex.Pattern[str] | None = None
        self._accepts: dict[int, frozenset[str]] = {}
        self._good_ids: set[str] = set()

    def _scanner_of(self, contextual: ContextualLexer) -> regex.Pattern[str]:
        if self._scanner is None:
            root = contextual.root_lexer
            assert isinstance(root, BasicLexer)
            terminals = root.terminals  # sorted as Lark sorts those of every state
            pattern = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals)
            self._scanner = regex.compile(f"{_GAP}(?:{pattern})")
            self._accepts = {
                position: frozenset(t.name for t in lexer.terminals)
                for position, lexer in contextual.lexers.items()
                if isinstance(lexer, BasicLexer)
            }
        return self._scanner

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        state = self.state
        contextual = self.contextual
        assert state is not None and contextual is not None
        match = self._scanner_of(contextual).match
        accepts = self._accepts
        good_ids = self._good_ids
        stack = parser_state.state_stack
        text = lexer_state.text.text
        ascii = state.ascii
        to_bytes = state.source.byte_offset
        starts, ends, types = state.starts, state.ends, state.types
        pos = lexer_state.line_ctr.char_pos
        size = len(text)
        previous: Token | None = None
        while True:
            found = match(text, pos) if pos < size else None
            kind = found.lastgroup if found is not None else None
            if kind is None or kind not in accepts.get(stack[-1], ()):
                token = self._lark_token(contextual, lexer_state, parser_state, pos)
                if token is None:
                    break
                kind = token.type
                pos = lexer_state.line_ctr.char_pos
            else:
                assert found is not None
                start = found.start(kind)
                pos = found.end()
                if kind == "COMMENT":
                    _note_comment(state, start, pos, found.group(kind))
                    continue
                if kind == "WHITESPACE":
                    continue
                if kind == "UNTERMINATED_COMMENT":
                    state.fail_at(LexProblem(start, "unterminated block comment"))
                # Token(kind, value, start, None, None, None, None, pos), without
                # the cost of Token.__new__'s keyword checks (a fifth of lexing).
                value = found.group(kind)
                token = _new_str(Token, value)
                token.type = kind
                token.value = value
                token.start_pos = start
                token.end_pos = pos
                token.line = token.column = token.end_line = token.end_column = None
                lexer_state.last_token = token
            if ascii:
                starts.append(_pos(token.start_pos))
                ends.append(_pos(token.end_pos))
            else:
                starts.append(to_bytes(_pos(token.start_pos)))
                ends.append(to_bytes(_pos(token.end_pos)))
            types.append(kind)
            if kind in _LEXED_KINDS or state.version or state.type_angles >= MAX_TYPE_DEPTH:
                self.lexed(state, token, previous)
            yield token
            if kind == "ID":
                value = str.__str__(token)
                if value not in good_ids:
                    self.taken(state, token, previous)
                    if len(good_ids) > 100_000:
                        good_ids.clear()
                    good_ids.add(value)
            elif kind == "SEMICOLON":
                state.package_pending = False
            elif kind in _TAKEN_KINDS:
                self.taken(state, token, previous)
            previous = token
        state.finished = True
        self.lexed(state, None, previous)

    @staticmethod
    def _lark_token(
        contextual: ContextualLexer, lexer_state: LexerState, parser_state: Any, pos: int
    ) -> Token | None:
        """The next token as Lark's contextual lexer lexes it from `pos`, None at the end."""
        text = lexer_state.text.text
        counter = lexer_state.line_ctr
        counter.char_pos = pos
        counter.line = text.count("\n", 0, pos) + 1
        counter.line_start_pos = text.rfind("\n", 0, pos) + 1
        counter.column = pos - counter.line_start_pos + 1
        return next(islice(contextual.lex(lexer_state, parser_state), 1), None)

    def lexed(self, state: _State, token: Token | None, previous: Token | None) -> None:
        """Checks wit-parser makes as soon as its tokenizer reaches `token`
        (whose span `lex` has recorded)."""
        if token is not None and token.type == "STRING":
            decoded = decode_string(str(token), 0)
            if isinstance(decoded, LexProblem):
                offset = _pos(token.start_pos) + decoded.offset
                state.fail_at(LexProblem(offset, decoded.message))
        self._check_version_end(state, token)
        self._check_type_depth(state, token, previous)
        if token is None:
            return
        kind = token.type
        if kind == "LANGLE":
            nesting = _NESTING.get(previous.type if previous is not None else "", "handle")
            state.angles.append(nesting)
            if nesting != "handle":
                state.type_angles += 1
        elif kind == "RANGLE" and state.angles:
            if state.angles.pop() != "handle":
                state.type_angles -= 1
        elif kind == "INTEGER" and previous is not None and previous.type in ("AT", "EQUALS"):
            state.version = [token]
        elif state.version:
            state.version.append(token)

    def taken(self, state: _State, token: Token, previous: Token | None) -> None:
        """Checks wit-parser makes once its parser has taken `token`."""
        kind = token.type
        if kind in ("ID", "EXPLICIT_ID"):
            text = str(token)
            problem = check_id(text[1:] if kind == "EXPLICIT_ID" else text, 0)
            if problem is not None:
                state.fail_at(LexProblem(_pos(token.start_pos), problem.message))
        elif kind == "INTEGER":
            in_list = (
                previous is not None and previous.type == "COMMA" and state.angles[-1:] == ["list"]
            )
            if in_list and int(str(token)) > _U32_MAX:
                state.fail(
                    "invalid list size: number too large to fit in target type",
                    state.token_span(token),
                )
        elif kind == "PACKAGE":
            if previous is not None and previous.type == "RPAREN":
                state.fail("cannot place attributes on nested packages", state.token_span(token))
            if state.package_braces >= MAX_PACKAGE_DEPTH:
                state.fail("package nesting too deep", state.token_span(token))
            state.package_pending = True
        elif kind == "LBRACE":
            state.braces.append(state.package_pending)
            state.package_braces += state.package_pending
            state.package_pending = False
        elif kind == "RBRACE" and state.braces:
            state.package_braces -= state.braces.pop()

    @staticmethod
    def _check_version_end(state: _State, token: Token | None) -> None:
        # A version is INTEGER . INTEGER . INTEGER [PRERELEASE] [BUILD]; it has
        # ended when the next token is not one of its parts.
        parts = state.version
        if not parts:
            return
        if token is not None and len(parts) >= 5:
            kinds = [part.type for part in parts[5:]] + [token.type]
            if kinds in (["PRERELEASE"], ["BUILD"], ["PRERELEASE", "BUILD"]):
                return
        if token is not None and len(parts) < 5:
            return
        state.version = []
        if len(parts) < 5 or [p.type for p in parts[:5]] != [
            "INTEGER",
            "DOT",
            "INTEGER",
            "DOT",
            "INTEGER",
        ]:
            return
        try:
            _version_from(state, parts)
        except VersionError as error:
            state.fail(str(error), _version_span(state, parts))

    @staticmethod
    def _check_type_depth(state: _State, token: Token | None, previous: Token | None) -> None:
        # wit-parser reads a type's first token, then refuses it past the limit.
        if previous is None or state.type_angles < MAX_TYPE_DEPTH or not state.angles:
            return
        nesting = state.angles[-1]
        kind = token.type if token is not None else "$END"
        if previous.type == "LANGLE":
            at_type = nesting != "handle" and not (nesting == "tuple" and kind == "RANGLE")
            at_type = at_type and not (nesting == "result" and kind == "UNDERSCORE")
        elif previous.type == "COMMA":
            at_type = nesting in ("map", "result") or (nesting == "tuple" and kind != "RANGLE")
        else:
            at_type = False
        if at_type:
            span = (
                state.token_span(token)
                if token is not None
                else state.span(state.eof(), state.eof())
            )
            state.fail("type nesting too deep", span)


def _version_parts(parts: Sequence[Token]) -> list[Token]:
    """The tokens of a version that wit-parser keeps: it drops a `-` or `+`
    that no identifier follows."""
    return [
        part for part in parts if part.type not in ("PRERELEASE", "BUILD") or len(str(part)) > 1
    ]


def _version_span(state: _State, parts: Sequence[Token]) -> Span:
    kept = _version_parts(parts)
    return state.token_span(kept[0]).to(state.token_span(kept[-1]))


def _version_from(state: _State, parts: Sequence[Token]) -> Version:
    kept = _version_parts(parts)
    text = state.source.text[_pos(kept[0].start_pos) : _pos(kept[-1].end_pos)]
    return Version.parse(text)


_TRACKER = _Tracker()


# ---------------------------------------------------------------- building the tree

Child = Any


class _Builder(Transformer[Token, ast.File]):
    """Builds each node when the parser reduces its rule.

    A node's span runs from its first token to the last token the parser has
    taken; its docs are the comments between the previous token and its start.
    """

    def __init__(self) -> None:
        super().__init__()
        self.state: _State | None = None

    # -- helpers

    def _st(self) -> _State:
        assert self.state is not None
        return self.state

    def _start(self, child: Child) -> int:
        if isinstance(child, Token):
            state = self._st()
            start = _pos(child.start_pos)
            return start if state.ascii else state.source.byte_offset(start)
        if isinstance(child, list):
            return self._start(child[0])
        return cast(int, child.span.start)

    def _span(self, first: Child) -> Span:
        state = self._st()
        ends = state.ends
        end = ends[-1] if state.finished else ends[-2]
        return state.span(self._start(first), end)

    def _docs(self, first: Child) -> ast.Docs:
        state = self._st()
        start = self._start(first)
        index = bisect.bisect_left(state.starts, start)
        after = state.ends[index - 1] if index > 0 else 0
        lo = bisect.bisect_left(state.comment_starts, after)
        hi = bisect.bisect_left(state.comment_starts, start)
        found = state.comments[lo:hi]
        if not found:
            return ast.NO_DOCS
        # wit-parser's docs span ends before the last comment's trailing whitespace.
        last = found[-1][2]
        end = found[-1][1] - (len(last) - len(last.rstrip(" \t\n\r\x0c")))
        return ast.Docs(tuple(text for _, _, text in found), state.span(found[0][0], end))

    def _id(self, token: Token) -> ast.Id:
        return ast.Id(token.value, self._st().token_span(token))

    @staticmethod
    def _split(children: list[Child]) -> tuple[tuple[ast.Attribute, ...], list[Child]]:
        if isinstance(children[0], list):
            return tuple(children[0]), children[1:]
        return (), children

    @staticmethod
    def _present(children: Sequence[Child]) -> list[Child]:
        return [child for child in children if child is not None]

    # -- files and packages

    def start(self, children: list[Child]) -> ast.File:
        state = self._st()
        header = children[0] if children and isinstance(children[0], ast.PackageHeader) else None
        items = tuple(children[1:] if header is not None else children)
        return ast.File(header, items, state.span(0, state.eof()))

    def package_header(self, children: list[Child]) -> ast.PackageHeader:
        return ast.PackageHeader(self._docs(children[0]), children[1], self._span(children[0]))

    def nested_package(self, children: list[Child]) -> ast.NestedPackage:
        _, rest = self._split(children)
        return ast.NestedPackage(
            self._docs(children[0]), rest[1], tuple(rest[2:]), self._span(children[0])
        )

    def package_name(self, children: list[Child]) -> ast.PackageName:
        namespace, name, _, version = children
        end = version.span if version is not None else name.span
        return ast.PackageName(namespace, name, version, namespace.span.to(end))

    # -- gates

    def attributes(self, children: list[Child]) -> list[ast.Attribute]:
        return children

    def since(self, children: list[Child]) -> ast.Since:
        return ast.Since(self._id(children[1]), children[3], self._span(children[0]))

    def unstable(self, children: list[Child]) -> ast.Unstable:
        return ast.Unstable(self._id(children[1]), children[3], self._span(children[0]))

    def deprecated(self, children: list[Child]) -> ast.Deprecated:
        return ast.Deprecated(self._id(children[1]), children[3], self._span(children[0]))

    def external_id(self, children: list[Child]) -> ast.ExternalId:
        value = decode_string(str(children[2]), 0)
        assert isinstance(value, str)  # checked when lexed
        return ast.ExternalId(self._id(children[1]), value, self._span(children[0]))

    def version(self, children: list[Child]) -> ast.VersionLiteral:
        state = self._st()
        parts = self._present(children)
        return ast.VersionLiteral(_version_from(state, parts), _version_span(state, parts))

    # -- use

    def toplevel_use(self, children: list[Child]) -> ast.TopLevelUse:
        attributes, rest = self._split(children)
        keyword = self._st().token_span(rest[0])
        return ast.TopLevelUse(attributes, rest[1], rest[3], keyword, self._span(children[0]))

    def use(self, children: list[Child]) -> ast.Use:
        attributes, rest = self._split(children)
        names = tuple(self._present(rest[2:]))
        return ast.Use(attributes, rest[1], names, self._span(children[0]))

    def use_name(self, children: list[Child]) -> ast.UseName:
        return ast.UseName(children[0], children[2], self._span(children[0]))

    def local_path(self, children: list[Child]) -> ast.LocalPath:
        return ast.LocalPath(children[0], children[0].span)

    def package_path(self, children: list[Child]) -> ast.PackagePath:
        namespace, package, name, _, version = children
        package_name = ast.PackageName(namespace, package, version, namespace.span.to(package.span))
        return ast.PackagePath(package_name, name, self._span(children[0]))

    # -- interfaces

    def interface(self, children: list[Child]) -> ast.Interface:
        attributes, rest = self._split(children)
        return ast.Interface(
            self._docs(children[0]), attributes, rest[1], tuple(rest[2:]), self._span(children[0])
        )

    def named_func(self, children: list[Child]) -> ast.NamedFunc:
        attributes, rest = self._split(children)
        return ast.NamedFunc(
            self._docs(children[0]), attributes, rest[0], rest[1], self._span(children[0])
        )

    def func(self, children: list[Child]) -> ast.Func:
        is_async, keyword, *params, result = children
        first = is_async if is_async is not None else keyword
        return ast.Func(
            is_async is not None,
            tuple(self._present(params)),
            result,
            self._st().token_span(keyword),
            self._span(first),
        )

    def param(self, children: list[Child]) -> ast.Param:
        return ast.Param(children[0], children[1], self._span(children[0]))

    # -- worlds

    def world(self, children: list[Child]) -> ast.World:
        attributes, rest = self._split(children)
        return ast.World(
            self._docs(children[0]), attributes, rest[1], tuple(rest[2:]), self._span(children[0])
        )

    def import_(self, children: list[Child]) -> ast.Import:
        attributes, rest = self._split(children)
        return ast.Import(self._docs(children[0]), attributes, rest[1], self._span(children[0]))

    def export(self, children: list[Child]) -> ast.Export:
        attributes, rest = self._split(children)
        return ast.Export(self._docs(children[0]), attributes, rest[1], self._span(children[0]))

    def extern_func(self, children: list[Child]) -> ast.ExternFunc:
        return ast.ExternFunc(children[0], children[1], self._span(children[0]))

    def extern_interface(self, children: list[Child]) -> ast.ExternInterface:
        return ast.ExternInterface(children[0], tuple(children[2:]), self._span(children[0]))

    def extern_named_path(self, children: list[Child]) -> ast.ExternNamedPath:
        return ast.ExternNamedPath(children[0], children[1], self._span(children[0]))

    def extern_path(self, children: list[Child]) -> ast.ExternPath:
        return ast.ExternPath(children[0], self._span(children[0]))

    def include(self, children: list[Child]) -> ast.Include:
        attributes, rest = self._split(children)
        names = tuple(child for child in rest[2:] if isinstance(child, ast.IncludeName))
        return ast.Include(attributes, rest[1], names, self._span(children[0]))

    def include_name(self, children: list[Child]) -> ast.IncludeName:
        return ast.IncludeName(children[0], children[2], self._span(children[0]))

    # -- type definitions

    def type_alias(self, children: list[Child]) -> ast.TypeAlias:
        attributes, rest = self._split(children)
        return ast.TypeAlias(
            self._docs(children[0]), attributes, rest[1], rest[2], self._span(children[0])
        )

    def record(self, children: list[Child]) -> ast.Record:
        attributes, rest = self._split(children)
        fields = tuple(self._present(rest[2:]))
        return ast.Record(
            self._docs(children[0]), attributes, rest[1], fields, self._span(children[0])
        )

    def field(self, children: list[Child]) -> ast.Field:
        return ast.Field(self._docs(children[0]), children[0], children[1], self._span(children[0]))

    def flags(self, children: list[Child]) -> ast.Flags:
        attributes, rest = self._split(children)
        flags = tuple(self._present(rest[2:]))
        return ast.Flags(
            self._docs(children[0]), attributes, rest[1], flags, self._span(children[0])
        )

    def flag(self, children: list[Child]) -> ast.Flag:
        return ast.Flag(self._docs(children[0]), children[0], self._span(children[0]))

    def variant(self, children: list[Child]) -> ast.Variant:
        attributes, rest = self._split(children)
        cases = tuple(self._present(rest[2:]))
        return ast.Variant(
            self._docs(children[0]), attributes, rest[1], cases, self._span(children[0])
        )

    def case(self, children: list[Child]) -> ast.Case:
        return ast.Case(self._docs(children[0]), children[0], children[1], self._span(children[0]))

    def enum(self, children: list[Child]) -> ast.Enum:
        attributes, rest = self._split(children)
        cases = tuple(self._present(rest[2:]))
        return ast.Enum(
            self._docs(children[0]), attributes, rest[1], cases, self._span(children[0])
        )

    def enum_case(self, children: list[Child]) -> ast.EnumCase:
        return ast.EnumCase(self._docs(children[0]), children[0], self._span(children[0]))

    def resource(self, children: list[Child]) -> ast.Resource:
        attributes, rest = self._split(children)
        return ast.Resource(
            self._docs(children[0]), attributes, rest[1], tuple(rest[2:]), self._span(children[0])
        )

    def constructor(self, children: list[Child]) -> ast.ResourceFunc:
        attributes, rest = self._split(children)
        keyword, *params, result = rest
        name = self._id(keyword)
        span = self._span(keyword)
        func = ast.Func(False, tuple(self._present(params)), result, name.span, span)
        return ast.ResourceFunc(
            "constructor", self._docs(children[0]), attributes, name, func, self._span(children[0])
        )

    def method(self, children: list[Child]) -> ast.ResourceFunc:
        attributes, rest = self._split(children)
        return ast.ResourceFunc(
            "method", self._docs(children[0]), attributes, rest[0], rest[1], self._span(children[0])
        )

    def static_func(self, children: list[Child]) -> ast.ResourceFunc:
        attributes, rest = self._split(children)
        return ast.ResourceFunc(
            "static", self._docs(children[0]), attributes, rest[0], rest[2], self._span(children[0])
        )

    # -- types

    def primitive_type(self, children: list[Child]) -> ast.PrimitiveType:
        token = children[0]
        return ast.PrimitiveType(cast(ast.PrimitiveName, str(token)), self._st().token_span(token))

    def named_type(self, children: list[Child]) -> ast.NamedType:
        return ast.NamedType(children[0], children[0].span)

    def tuple_type(self, children: list[Child]) -> ast.TupleType:
        return ast.TupleType(tuple(self._present(children[1:])), self._span(children[0]))

    def list_type(self, children: list[Child]) -> ast.ListType:
        _, element, size = children
        return ast.ListType(
            element, None if size is None else int(str(size)), self._span(children[0])
        )

    def map_type(self, children: list[Child]) -> ast.MapType:
        return ast.MapType(children[1], children[2], self._span(children[0]))

    def option_type(self, children: list[Child]) -> ast.OptionType:
        return ast.OptionType(children[1], self._span(children[0]))

    def result_type(self, children: list[Child]) -> ast.ResultType:
        return ast.ResultType(None, None, self._span(children[0]))

    def result_type_ok(self, children: list[Child]) -> ast.ResultType:
        return ast.ResultType(children[1], None, self._span(children[0]))

    def result_type_ok_err(self, children: list[Child]) -> ast.ResultType:
        return ast.ResultType(children[1], children[2], self._span(children[0]))

    def result_type_err(self, children: list[Child]) -> ast.ResultType:
        return ast.ResultType(None, children[2], self._span(children[0]))

    def future_type(self, children: list[Child]) -> ast.FutureType:
        return ast.FutureType(children[1], self._span(children[0]))

    def stream_type(self, children: list[Child]) -> ast.StreamType:
        return ast.StreamType(children[1], self._span(children[0]))

    def own_type(self, children: list[Child]) -> ast.HandleType:
        return ast.HandleType("own", children[1], self._span(children[0]))

    def borrow_type(self, children: list[Child]) -> ast.HandleType:
        return ast.HandleType("borrow", children[1], self._span(children[0]))

    def id(self, children: list[Child]) -> ast.Id:
        return self._id(children[0])


_BUILDER = _Builder()


# ---------------------------------------------------------------- explaining syntax errors

_IDS = frozenset({"ID", "EXPLICIT_ID"})
_GATE_NAMES = frozenset({"SINCE", "UNSTABLE", "DEPRECATED", "EXTERNAL_ID"})
_GATE_FIELDS = {"VERSION": "version", "FEATURE": "feature"}
_ID_LIKE = _IDS | _GATE_NAMES | frozenset(_GATE_FIELDS)
# Terminals that may follow and are optional where they appear: when one of
# these is in the expected set next to another terminal, wit-parser reports
# the other, because it `eat`s these and `expect`s that one.
_OPTIONAL = frozenset(
    {
        "AT",
        "PRERELEASE",
        "BUILD",
        "COMMA",
        "AS",
        "ARROW",
        "LANGLE",
        "LPAREN",
        "WITH",
        "COLON",
        "SLASH",
    }
)


def _explain(error: UnexpectedInput, state: _State) -> Diagnostic:
    """The diagnostic wit-parser gives where Lark stopped."""
    source = state.source
    expected = _acceptable(error)
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            found, start, end = "eof", state.eof(), state.eof()
        else:
            found = DESCRIPTIONS[token.type]
            span = state.token_span(token)
            start, end = span.start, span.end
            if token.type in ("PRERELEASE", "BUILD"):
                end = start + 1  # wit-parser's `-` and `+` are tokens of their own
            if token.type == "STRING":
                decoded = decode_string(str(token), 0)
                if isinstance(decoded, LexProblem):
                    offset = source.byte_offset(_pos(token.start_pos) + decoded.offset)
                    return Diagnostic(decoded.message, state.span(offset, offset + 1))
        kind = token.type
        text = str(token)
    else:
        assert isinstance(error, UnexpectedCharacters)
        index = _pos(error.pos_in_stream)
        description = describe_unlexable(source.text, index)
        if isinstance(description, LexProblem):
            offset = source.byte_offset(description.offset)
            return Diagnostic(description.message, state.span(offset, offset + 1))
        found, length = description
        start = source.byte_offset(index)
        end = source.byte_offset(index + length)
        kind = "?"
        text = ""
    whole = state.span(start, end)
    at = state.span(start, start + 1)
    previous = _kind_before(state, start)

    # Where wit-parser calls `parse_id` on the token it is about to refuse, the
    # identifier's own problem comes first.  wasm-tools 1.262 also checks a
    # plain identifier where a function type may start.
    takes_id = bool(expected & _GATE_NAMES) or (
        len(expected) == 1 and next(iter(expected)) in _GATE_FIELDS
    )
    checks_plain = "FUNC" in expected and previous in ("COLON", "STATIC")
    if (kind == "ID" and (takes_id or checks_plain)) or (kind == "EXPLICIT_ID" and takes_id):
        problem = check_id(_id_text(text), 0)
        if problem is not None:
            return Diagnostic(problem.message, at)

    if expected & _GATE_NAMES:
        if kind in _ID_LIKE:
            return Diagnostic(f"unknown attribute `{_id_text(text)}`", whole)
        return Diagnostic(f"expected an identifier or string, found {found}", whole)
    if len(expected) == 1 and next(iter(expected)) in _GATE_FIELDS:
        if kind in _ID_LIKE:
            wanted = _GATE_FIELDS[next(iter(expected))]
            return Diagnostic(f"expected `{wanted}`, found `{_id_text(text)}`", whole)
        return Diagnostic(f"expected an identifier or string, found {found}", whole)
    phrase = _group_phrase(expected, previous)
    if phrase is not None:
        # wit-parser's "expected one of several things" points at the whole token.
        return Diagnostic(f"expected {phrase}, found {found}", whole)
    wanted = _wanted(expected, state)
    return Diagnostic(f"expected {DESCRIPTIONS[wanted]}, found {found}", at)


def _acceptable(error: UnexpectedInput) -> set[str]:
    """The terminals that would let the parse go on where it stopped.

    Lark's own expected set is the LALR state's lookaheads, which merge those of
    every context sharing the state; trying each terminal on a copy of the
    parser gives exactly the ones this context accepts.
    """
    parser = getattr(error, "interactive_parser", None)
    if parser is not None:
        return set(parser.accepts())
    if isinstance(error, UnexpectedToken):
        return set(error.expected)
    return set(cast(UnexpectedCharacters, error).allowed) - {"WHITESPACE", "COMMENT"}


def _id_text(text: str) -> str:
    return text[1:] if text.startswith("%") else text


def _kind_before(state: _State, offset: int) -> str:
    """The kind of the last token before byte `offset`."""
    index = bisect.bisect_left(state.starts, offset)
    return state.types[index - 1] if index > 0 else ""


def _group_phrase(expected: set[str], previous: str) -> str | None:
    """The phrase for places where wit-parser expects one of a kind of thing."""
    if "BOOL" in expected:
        return "a type"
    if "IMPORT" in expected:
        return "`import`, `export`, `include`, `use`, or type definition"
    if "TYPE" in expected:
        return "`type`, `resource` or `func`"
    if "CONSTRUCTOR" in expected:
        return "`constructor` or identifier"
    if "WORLD" in expected:
        return "`world`, `interface` or `use`"
    if expected & _IDS:
        return "an identifier or string"
    if expected == {"INTEGER"} and previous == "COMMA":
        return "fixed-length"
    return None


def _wanted(expected: set[str], state: _State) -> str:
    """The one token wit-parser `expect`s here."""
    if "FUNC" in expected:
        return "FUNC"
    required = expected - _OPTIONAL
    if {"SEMICOLON", "LBRACE"} <= required:
        # After a package name `{` opens a nested package; after a resource
        # name `;` ends it.
        return "LBRACE" if _last_of(state, ("PACKAGE", "RESOURCE")) == "PACKAGE" else "SEMICOLON"
    for choice in ("SEMICOLON", "RBRACE", "RPAREN", "RANGLE", "DOT"):
        if choice in required:
            return choice
    if len(required) == 1:
        return next(iter(required))
    candidates = required or expected
    return sorted(candidates)[0]


def _last_of(state: _State, kinds: tuple[str, ...]) -> str:
    """The latest of `kinds` among the tokens read so far."""
    for kind in reversed(state.types):
        if kind in kinds:
            return kind
    return ""


def _fail_lex(sources: SourceMap, file: int, problem: LexProblem) -> NoReturn:
    offset = sources[file].byte_offset(problem.offset)
    raise WitError([Diagnostic(problem.message, Span(file, offset, offset + 1))], sources)
