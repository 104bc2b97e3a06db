"""What witgen's on-disk caches share: where they live, and what witgen's own
code looks like.

In: the environment (`XDG_CACHE_HOME`, `HOME`) and witgen's source files.
Out: `cache_root()`, the per-user folder every cache of witgen lives under;
`write_atomically(path, data, mode)`, how every cache entry is written (to a
temporary file beside it, then renamed, so no reader ever sees half an
entry); and `module_sources(root)`, the source of a witgen module and of every
witgen module it imports, for a cache key to change whenever that code does.
Raises `OSError` (from `write_atomically` and `module_sources`) when a file
cannot be written or read.

Only the standard library is imported here: the host (which never imports the
compiler) and the parser's cache both use it.
"""

from __future__ import annotations

import contextlib
import os
import re


def cache_root() -> str:
    """`$XDG_CACHE_HOME/witgen`, or `~/.cache/witgen`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "witgen")


def write_atomically(path: str | os.PathLike[str], data: bytes | memoryview, mode: int) -> None:
    """Write `data` to `path` (permissions `mode`) through a temporary file in
    the same folder, named `.<name>.<random>.tmp`, renamed into place; the
    temporary file is removed when anything fails, and the error raised."""
    import tempfile  # (only on a write: `witgen check` with a warm cache never imports it)

    folder, name = os.path.split(os.fspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", suffix=".tmp")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# `from witgen.x import a, b` (parenthesised over lines, too) and `import witgen.x`,
# at any indentation: the imports inside functions count as much as the others.
_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+(witgen(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)"
    rb"|import[ \t]+(witgen(?:\.\w+)*))",
    re.MULTILINE,
)


def module_sources(root: str) -> dict[str, bytes]:
    """The source of the witgen module `root` and of every witgen module it
    imports, directly or through other modules, and of the packages above
    them, by path relative to the folder that holds `witgen/` (POSIX), sorted.

    Read from the import statements of the files themselves (those inside
    functions and `TYPE_CHECKING` blocks too, so it may hold a module more than
    a run imports, never fewer), so that a module `root` starts to use is
    fingerprinted without a list to keep up to date.
    """
    # (`os.path`, not `pathlib`: the parse cache calls this in every run, and
    # `witgen check` need not import pathlib.)
    top = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    found: dict[str, bytes] = {}
    seen: set[str] = set()
    pending = [root]
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        pending += [".".join(parts[:end]) for end in range(1, len(parts))]
        path = _module_file(top, parts)
        if path is None:
            continue  # a namespace package, or a name that is not a module
        with open(path, "rb") as handle:
            source = handle.read()
        found[os.path.relpath(path, top).replace(os.sep, "/")] = source
        for match in _IMPORT.finditer(source):
            if match[3] is not None:
                pending.append(match[3].decode())
                continue
            package = match[1].decode()
            pending.append(package)
            names = match[2].strip(b"()")
            for line in names.splitlines():
                for item in line.split(b"#", 1)[0].split(b","):
                    words = item.split()
                    if words:
                        pending.append(f"{package}.{words[0].decode()}")
    return dict(sorted(found.items()))


def _module_file(top: str, parts: list[str]) -> str | None:
    """`witgen/a/b.py` or `witgen/a/b/__init__.py` under `top`, whichever exists."""
    base = os.path.join(top, *parts)
    for path in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(path):
            return path
    return None
