"""Read WIT from the file system and parse it.

In: a path given by the user: a `.wit` file, a WIT package encoded as
WebAssembly (binary or text), or a package folder (every `*.wit` file directly
in it is one package, and each entry of its `deps/` folder is a dependency: a
sub-folder of `*.wit` files, or a single `.wit`, `.wasm` or `.wat` file).  A
file's content, not its name, says whether it is WebAssembly, as in
wasm-tools; encoded packages are kept as bytes for the resolver to decode.
Out: parsed package sources, every source registered in one `SourceMap`
(parsed files come from `syntax.cache` when it holds them);
`load_path` loads a whole tree, and the resolver calls the pieces one by one
to interleave them with its passes as wasm-tools does.  Raises: `WitError`
for the first unreadable or malformed file, with the context wasm-tools puts
in front of the message (`failed to parse package: <folder>: ...`).

Order follows wit-parser: a folder's files sorted by path; the main package's
files before its dependencies; `deps/` entries sorted by name.  Other files in
`deps/` are ignored, and so is a `deps/` folder inside a dependency.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from witgen.diagnostics import Diagnostic, SourceMap, Span, WitError
from witgen.syntax import ast
from witgen.syntax.cache import parse_file_cached

_DEP_EXTENSIONS = (".wit", ".wat", ".wasm")
# `witgen.wasm.WASM_MAGIC`, spelled here so that reading WIT text never imports
# the WebAssembly reader (a third of the start-up of `witgen check`).
_WASM_MAGIC = b"\0asm"

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PackageSource:
    """The parsed files of one package: a folder's `*.wit` files, or one file.

    `path` is shown in messages as the user wrote it (joined with file names
    the way wasm-tools joins them).
    """

    path: str
    is_dir: bool
    files: tuple[ast.File, ...]


@dataclass(frozen=True, slots=True)
class EncodedPackage:
    """A file holding a WIT package encoded as WebAssembly, not yet decoded.

    `is_text` tells the text format (`.wat`) from the binary one.
    """

    path: str
    data: bytes
    is_text: bool


Source = PackageSource | EncodedPackage


@dataclass(frozen=True, slots=True)
class Loaded:
    """A main package and the dependencies found beside it in `deps/`."""

    main: Source
    deps: tuple[Source, ...]
    sources: SourceMap


def load_path(path: str, sources: SourceMap | None = None) -> Loaded:
    """Read and parse `path` (a file or a package folder) and its `deps/`."""
    sources = sources if sources is not None else SourceMap()
    if not os.path.isdir(path):
        return Loaded(load_file(path, sources), (), sources)
    main = within(package_context(path), functools.partial(load_dir, path, sources))
    deps_dir = os.path.join(path, "deps")
    deps: list[Source] = []
    for entry in dep_entries(deps_dir, sources):
        deps.append(
            within(deps_context(deps_dir, entry), functools.partial(load_dep, entry, sources))
        )
    return Loaded(main, tuple(deps), sources)


def package_context(path: str) -> tuple[str, ...]:
    """What wasm-tools puts in front of an error in the package folder `path`."""
    return (f"failed to parse package: {path}",)


def deps_context(deps_dir: str, entry: str) -> tuple[str, ...]:
    """What wasm-tools puts in front of an error in `entry` of the `deps/` folder."""
    context: tuple[str, ...] = (f"failed to parse dependency directory: {deps_dir}",)
    if os.path.isdir(entry):
        context += package_context(entry)
    return context


def within(context: tuple[str, ...], load: Callable[[], _T]) -> _T:
    """Run `load`, putting `context` in front of the diagnostics it raises."""
    try:
        return load()
    except WitError as error:
        raise WitError([d.within(*context) for d in error.diagnostics], error.sources) from None


def load_dir(path: str, sources: SourceMap) -> PackageSource:
    """Every `*.wit` file directly in the folder `path`, sorted by path."""
    names = sorted(
        name
        for name in _listdir(path, sources)
        if name.endswith(".wit") and not os.path.isdir(os.path.join(path, name))
    )
    files = tuple(_parse(os.path.join(path, name), sources) for name in names)
    return PackageSource(path, True, files)


def dep_entries(path: str, sources: SourceMap) -> list[str]:
    """The packages of a `deps/` folder, sorted by name: sub-folders and
    `.wit`, `.wat` and `.wasm` files.  None when there is no such folder."""
    if not os.path.exists(path):
        return []
    entries = []
    for name in sorted(_listdir(path, sources)):
        entry = os.path.join(path, name)
        if os.path.isdir(entry) or name.endswith(_DEP_EXTENSIONS):
            entries.append(entry)
    return entries


def load_dep(entry: str, sources: SourceMap) -> Source:
    """One entry of `dep_entries`."""
    return load_dir(entry, sources) if os.path.isdir(entry) else load_file(entry, sources)


def load_file(path: str, sources: SourceMap) -> Source:
    """A `.wit` file, or a WebAssembly-encoded package, told apart by content."""
    data = _read(path, sources)
    encoding = detect_wasm(data)
    if encoding is not None:
        return EncodedPackage(path, data, encoding == "text")
    return PackageSource(path, False, (_parse_data(path, data, sources),))


def _parse(path: str, sources: SourceMap) -> ast.File:
    return _parse_data(path, _read(path, sources), sources)


def _parse_data(path: str, data: bytes, sources: SourceMap) -> ast.File:
    return parse_file_cached(sources, sources.add(path, decode_source(path, data, sources)))


def decode_source(path: str, data: bytes, sources: SourceMap) -> str:
    """The text of a `.wit` file; `WitError` (wit-parser's "input was not valid
    utf-8", pointing at the first bad byte) when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        file = sources.add(path, data.decode("utf-8", "replace"), data)
        span = Span(file, error.start, error.start + 1)
        raise WitError([Diagnostic("input was not valid utf-8", span)], sources) from None


def detect_wasm(data: bytes) -> str | None:
    """'binary' or 'text' when `data` looks like WebAssembly, else None.

    As the `wat` crate decides: the binary magic, or a `(` after WebAssembly
    text whitespace and comments (`;;` to the end of a line, nested `(; ;)`).
    """
    if data.startswith(_WASM_MAGIC):
        return "binary"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    at = 0
    while at < len(text):
        char = text[at]
        if char in " \t\n\r":
            at += 1
        elif text.startswith(";;", at):
            newline = text.find("\n", at)
            at = len(text) if newline < 0 else newline + 1
        elif text.startswith("(;", at):
            depth, at = 1, at + 2
            while depth and at < len(text):
                if text.startswith("(;", at):
                    depth, at = depth + 1, at + 2
                elif text.startswith(";)", at):
                    depth, at = depth - 1, at + 2
                else:
                    at += 1
            if depth:
                return None
        else:
            return "text" if char == "(" else None
    return None


def _read(path: str, sources: SourceMap) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise WitError([Diagnostic(_os_message("read", path, error))], sources) from None


def _listdir(path: str, sources: SourceMap) -> list[str]:
    try:
        return os.listdir(path)
    except OSError as error:
        raise WitError([Diagnostic(_os_message("read directory", path, error))], sources) from None


def _os_message(action: str, path: str, error: OSError) -> str:
    reason = error.strerror or str(error)
    return f"failed to {action} `{path}`: {reason}"
