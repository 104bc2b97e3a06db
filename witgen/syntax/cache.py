"""Parsed files kept on disk, keyed by content, so an unchanged file is parsed once.

In: a file registered in a `SourceMap`.  Out: its `ast.File`, equal to what
`parse.parse_file` returns for it, spans and all (`parse_file_cached`).
Raises: `WitError` at a file's first syntax error, as `parse_file` does: only
files that parse are stored, a file with an error is parsed again every time,
so its diagnostic is always the parser's own.

An entry's key is the SHA-256 of the file's bytes and of everything that shapes
the tree the parser builds from them (`_salt`): witgen's version, the grammar,
the source of `witgen.syntax.parse` and of every witgen module it imports
(`caching.module_sources`), the Python version (pickle's compatibility) and the
installed Lark and `regex` modules.  A node's span names its file by its index
in the `SourceMap`, which differs from one run (or tree) to the next: entries
store spans without it, and a loaded tree gets the index of the file it is
loaded for.  When every file is found here, Lark is never imported.

Where: `$WITGEN_PARSE_CACHE_DIR`, else `$XDG_CACHE_HOME/witgen/parsed` (or
`~/.cache/witgen/parsed`), one file per entry, each written to a temporary file
and renamed into place, so concurrent runs never see half an entry.
`WITGEN_NO_PARSE_CACHE=1` turns the cache off.  Loading an entry runs pickle,
which can run code, so the folder (created 0700) and each entry are used only
when they belong to the current user and nobody else may write them, and an
entry only rebuilds classes of `witgen.syntax.ast` and `witgen.version`; any
entry that cannot be read, is truncated or fails its CRC is a miss (parsed and
written again).  Size: an entry is a few times its file; entries unused for
`MAX_AGE_DAYS` days are removed, at most once a day, when an entry is written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import os
import pickle
import stat
import sys
import time
import zlib
from collections.abc import Callable
from importlib.machinery import PathFinder
from operator import attrgetter
from typing import Any

from witgen import __version__
from witgen.caching import cache_root, module_sources, write_atomically
from witgen.diagnostics import SourceMap, Span
from witgen.syntax import ast
from witgen.syntax.grammar import grammar_file

DIR_VARIABLE = "WITGEN_PARSE_CACHE_DIR"
OFF_VARIABLE = "WITGEN_NO_PARSE_CACHE"
MAX_AGE_DAYS = 30
_DAY = 24 * 60 * 60
_PRUNED = ".pruned"  # its modification time: the last pruning
_MAGIC = b"witgen-ast\0"
_HEADER = len(_MAGIC) + 4  # the magic, then the CRC-32 of the pickle, big-endian
# The modules whose classes an entry may name: anything else is not an entry of ours.
_ALLOWED_MODULES = frozenset({"witgen.syntax.ast", "witgen.version"})


def parse_file_cached(sources: SourceMap, file: int) -> ast.File:
    """`parse.parse_file(sources, file)`, from the cache when it holds the file."""
    folder = cache_folder()
    if folder is None:
        return _parse(sources, file)
    try:
        salt = _salt()
    except OSError:
        return _parse(sources, file)  # a module or the grammar is unreadable: trust nothing
    key = hashlib.sha256(salt + sources[file].data).hexdigest()
    entry = os.path.join(folder, key)
    tree = load_entry(entry, file)
    if tree is None:
        tree = _parse(sources, file)
        store_entry(folder, entry, tree, file)
    return tree


def cache_folder() -> str | None:
    """The folder of the cache, created if need be; None when the cache is off or
    the folder is not trusted (see the module doc)."""
    if os.environ.get(OFF_VARIABLE, "") not in ("", "0"):
        return None
    configured = os.environ.get(DIR_VARIABLE)
    folder = configured if configured else os.path.join(cache_root(), "parsed")
    return folder if _trusted_folder(folder) else None


@functools.cache
def _trusted_folder(folder: str) -> bool:
    if not hasattr(os, "getuid"):
        return False  # no owners to check
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _owned(info)


def _owned(info: os.stat_result) -> bool:
    """Owned by the current user, and writable by nobody else."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load_entry(entry: str, file: int) -> ast.File | None:
    """The tree stored in `entry`, its spans in `file`; None when there is no
    usable entry."""
    try:
        handle = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or not _owned(info):
            return None
        with os.fdopen(handle, "rb", closefd=False) as entry_file:
            content = entry_file.read()
    except OSError:
        return None
    finally:
        os.close(handle)
    with memoryview(content) as view:
        header = _MAGIC + zlib.crc32(view[_HEADER:]).to_bytes(4, "big")
    if content[:_HEADER] != header:
        return None
    stream = io.BytesIO(content)  # shares `content` (no copy) while it is only read
    stream.seek(_HEADER)
    try:
        tree = _Unpickler(stream, file).load()
    except Exception:  # noqa: BLE001 - whatever a damaged entry raises, it is a miss
        return None
    if not isinstance(tree, ast.File):
        return None
    if time.time() - info.st_mtime > _DAY:
        # Used today: pruning goes by modification time (access times are not
        # kept on every file system).
        with contextlib.suppress(OSError):
            os.utime(entry)
    return tree


def store_entry(folder: str, entry: str, tree: ast.File, file: int) -> None:
    """Write `tree` (whose spans are all in `file`) to `entry`; a failure to
    write only means the file is parsed again next time."""
    buffer = io.BytesIO()
    buffer.write(bytes(_HEADER))  # the header, once the CRC is known
    try:
        _Pickler(buffer, file).dump(tree)
    except (pickle.PicklingError, ValueError):
        return
    with buffer.getbuffer() as view:
        crc = zlib.crc32(view[_HEADER:])
    buffer.seek(0)
    buffer.write(_MAGIC + crc.to_bytes(4, "big"))
    try:
        with buffer.getbuffer() as view:
            write_atomically(entry, view, 0o600)
    except OSError:
        return
    prune(folder)


def prune(folder: str, now: float | None = None) -> None:
    """Remove the entries unused for `MAX_AGE_DAYS` days (and temporary files
    left a day ago by runs that died), unless that was done less than a day ago."""
    now = time.time() if now is None else now
    marker = os.path.join(folder, _PRUNED)
    try:
        if now - os.stat(marker).st_mtime < _DAY:
            return
    except OSError:
        pass
    try:
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o600))
        os.utime(marker, (now, now))
        with os.scandir(folder) as entries:
            for item in entries:
                if item.name == _PRUNED or not item.is_file(follow_symlinks=False):
                    continue
                limit = _DAY if item.name.endswith(".tmp") else MAX_AGE_DAYS * _DAY
                if now - item.stat(follow_symlinks=False).st_mtime > limit:
                    with contextlib.suppress(OSError):
                        os.unlink(item.path)
    except OSError:
        pass


def _parse(sources: SourceMap, file: int) -> ast.File:
    # Imported here: Lark (and `regex`) load only when a file is not in the cache.
    from witgen.syntax.parse import parse_file

    return parse_file(sources, file)


@functools.cache
def _salt() -> bytes:
    """What, besides a file's bytes, decides the tree parsed from it."""
    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{sys.implementation.cache_tag}\0{sys.version}\0".encode())
    # This module and every one it imports: the parser's (`parse.py` is
    # imported inside `_parse`), and the format of an entry.
    for name, source in module_sources(__name__).items():
        digest.update(b"\0module\0" + name.encode() + b"\0" + source)
    with open(grammar_file(), "rb") as grammar:
        digest.update(b"\0grammar\0" + grammar.read())
    for name in ("lark", "regex"):
        digest.update(b"\0" + name.encode() + b"\0" + _installed(name).encode())
    return digest.digest()


def _installed(name: str) -> str:
    """Which copy of the package `name` is installed: where, and the size and
    modification time of its `__init__`, which an upgrade rewrites."""
    spec = PathFinder.find_spec(name)
    origin = spec.origin if spec is not None else None
    if origin is None:
        return "-"
    try:
        info = os.stat(origin)
    except OSError:
        return origin
    return f"{origin}\0{info.st_size}\0{info.st_mtime_ns}"


def _span_here(start: int, end: int) -> Span:
    """Stands for a span of the file being loaded; an unpickler replaces it."""
    raise pickle.UnpicklingError("a span outside a parse cache entry")


class _Pickler(pickle.Pickler):
    """Pickles a tree, each span without its file index (which must be `file`)."""

    def __init__(self, stream: io.BytesIO, file: int) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = _node_reducers() | {Span: functools.partial(_reduce_span, file)}


@functools.cache
def _node_reducers() -> dict[type, Callable[[Any], tuple[Any, ...]]]:
    """How each node class of `ast` is pickled: as the class and its field values,
    so that loading calls the class.  Both ways take half the time of pickle's
    default for slotted classes (`__getstate__`, then `__setstate__`)."""
    table: dict[type, Callable[[Any], tuple[Any, ...]]] = {}
    for value in vars(ast).values():
        if (
            isinstance(value, type)
            and value.__module__ == ast.__name__
            and dataclasses.is_dataclass(value)
        ):
            table[value] = _node_reducer(value)
    return table


def _node_reducer(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    names = [field.name for field in dataclasses.fields(cls)]
    if not names:
        return lambda node: (cls, ())
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda node: (cls, (one(node),))
    values = attrgetter(*names)
    return lambda node: (cls, values(node))


def _reduce_span(file: int, span: Span) -> tuple[Callable[[int, int], Span], tuple[int, int]]:
    if span.file != file:
        raise pickle.PicklingError("a span in another file")
    return _span_here, (span.start, span.end)


class _Unpickler(pickle.Unpickler):
    """Rebuilds a tree, its spans in `file`, from nothing but ast classes."""

    def __init__(self, stream: io.BytesIO, file: int) -> None:
        super().__init__(stream)
        self.span_factory = functools.partial(Span, file)

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _span_here.__name__:
            return self.span_factory
        if module not in _ALLOWED_MODULES:
            raise pickle.UnpicklingError(f"`{module}.{name}` in a parse cache entry")
        return super().find_class(module, name)
