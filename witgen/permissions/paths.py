"""Filesystem request paths and grant patterns.

In: request paths from a component (absolute POSIX strings) and glob patterns
from Component.toml.  Out: `normalize_path()`, the one normal form a request is
checked (and later opened) in; `parse_pattern()`, a grant pattern checked and
expanded at load; `PathMatcher`, all patterns of one action compiled once.
Raises: `InvalidPath` for a request no grant can allow, `ValueError` (with
the message for a load error) for a bad pattern.

Requests (design/permissions.md, "Paths"): empty, relative, NUL, `\\`, more
than 4096 bytes or 255 segments are invalid; empty and `.` segments are
dropped, `..` is resolved, and a `..` above `/` is invalid (never clamped).
Matching is case-sensitive, with no case folding (vector #39: allow-only rules
fail closed on a case-insensitive filesystem).

Windows names (vector #42): a segment that Windows would alias (a reserved
device name such as `CON` or `com1.txt`, a trailing `.` or space, or any `:`,
which names an alternate data stream) is invalid on every host.  On a POSIX
host these are ordinary names and could not escape a grant, but refusing them
everywhere keeps one answer for one manifest on every host, and a component
that works on Linux keeps working on a Windows host.

Patterns: absolute, in normal form (no empty, `.` or `..` segment), with
wcmatch's `GLOBSTAR | BRACE | FORCEUNIX | DOTGLOB` (never NEGATE, SPLIT,
EXTGLOB or MINUSNEGATE): `*` and `?` stay within a segment, `**` is a whole
segment only and matches any number of segments, `{a,b}` expands to at most
64 patterns (and a pattern has at most 32 brace groups, however nested), and
wildcards match dotfiles (D2).  A pattern ending in `/**`
also matches the folder it names (D1).  `|`, a leading `!` and a `**` inside a
segment are load errors.

Pseudo filesystems (vector #43): a pattern that can match anything under
`/proc`, `/dev` or `/sys` (its first segment matches one of those names, or is
`**`, as in `/**`) is refused at load unless the manifest opts in with
`allow-pseudo-filesystems = true`.  `/proc/self/mem` writes and device nodes
escape any sandbox the host builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import bracex
from wcmatch import fnmatch, glob

GLOB_FLAGS = glob.GLOBSTAR | glob.BRACE | glob.FORCEUNIX | glob.DOTGLOB
MAX_PATH_BYTES = 4096
MAX_SEGMENTS = 255
MAX_EXPANSIONS = 64
# Brace groups in one pattern: the expansion recurses once per group.
MAX_BRACES = 32
PSEUDO_FILESYSTEMS = ("proc", "dev", "sys")

# A Windows device name, as a whole segment or before its first dot, with any
# trailing spaces Windows strips.
_DEVICE = r"(?i:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$) *"
_RESERVED_SEGMENT = re.compile(_DEVICE + r"(?:\..*)?", re.DOTALL)
# A path that is already normal: absolute, every segment non-empty, not `.` or
# `..`, no NUL, `\` or `:`, no segment ending in `.` or a space (so no `.` or
# `..` segment either), and no device name.  Only the fast path uses it; the
# slow path below decides everything itself, and a property test checks that
# the two always agree.
_NORMAL = re.compile(r"(?:/(?!" + _DEVICE + r"(?:[./]|$))[^/\x00\\:]*[^/\x00\\:. ])+")


class InvalidPath(ValueError):
    """A request path that no grant can allow; the message says why."""


def normalize_path(path: str) -> str:
    """The normal form of an absolute request path, or `InvalidPath`."""
    if (
        type(path) is str
        and len(path) <= MAX_PATH_BYTES // 4
        and _NORMAL.fullmatch(path) is not None
        and path.count("/") <= MAX_SEGMENTS
    ):
        return path
    return _normalize_slowly(path)


def _normalize_slowly(path: str) -> str:
    if not isinstance(path, str):
        raise InvalidPath("a path must be a string")
    if not path:
        raise InvalidPath("the path is empty")
    if "\x00" in path:
        raise InvalidPath("the path contains a NUL character")
    if "\\" in path:
        raise InvalidPath("the path contains a backslash")
    if path[0] != "/":
        raise InvalidPath("the path is not absolute (it must start with /)")
    if len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise InvalidPath(f"the path is longer than {MAX_PATH_BYTES} bytes")
    raw = path.split("/")
    if sum(1 for segment in raw if segment) > MAX_SEGMENTS:
        raise InvalidPath(f"the path has more than {MAX_SEGMENTS} segments")
    parts: list[str] = []
    for segment in raw:
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                raise InvalidPath("`..` climbs above /")
            parts.pop()
            continue
        problem = windows_alias(segment)
        if problem is not None:
            raise InvalidPath(f"the segment {segment!r} {problem}")
        parts.append(segment)
    return "/" + "/".join(parts)


def windows_alias(segment: str) -> str | None:
    """Why Windows would read `segment` as another name, or None."""
    if ":" in segment:
        return "contains `:` (an alternate data stream on Windows)"
    if segment.endswith((".", " ")):
        return "ends in a dot or a space (Windows drops them)"
    if _RESERVED_SEGMENT.fullmatch(segment) is not None:
        return "is a reserved device name on Windows"
    return None


def wants_directory(path: str) -> bool:
    """Whether a request path names a directory by its form (a trailing `/`, `.` or `..`)."""
    return path.endswith(("/", "/.", "/.."))


@dataclass(frozen=True, slots=True)
class PathPattern:
    """A grant pattern as written, and the brace-free patterns it stands for.

    `expanded` holds each brace expansion, and for each one ending in `/**`
    the folder it names too (D1).
    """

    text: str
    expanded: tuple[str, ...]


def parse_pattern(text: str, *, allow_pseudo_filesystems: bool = False) -> PathPattern:
    """Check a grant pattern and expand it; `ValueError` says what is wrong."""
    if not text:
        raise ValueError("empty pattern; it would match nothing")
    if "\x00" in text:
        raise ValueError("the pattern contains a NUL character")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise ValueError(f"the pattern is longer than {MAX_PATH_BYTES} bytes")
    if text.startswith("!"):
        raise ValueError("negation (`!`) is not supported: a grant can only allow")
    if "|" in text:
        raise ValueError("`|` is not supported: list each pattern separately")
    if not text.startswith("/"):
        raise ValueError("the pattern is not absolute (it must start with /)")
    if _count_braces(text) > MAX_BRACES:
        raise ValueError(f"the pattern has more than {MAX_BRACES} brace groups (`{{`)")
    try:
        expansions = bracex.expand(text, keep_escapes=True, limit=MAX_EXPANSIONS)
    except bracex.ExpansionLimitException:
        raise ValueError(f"braces expand to more than {MAX_EXPANSIONS} patterns") from None
    except RecursionError:
        raise ValueError("braces nest too deeply") from None
    expanded: list[str] = []
    for pattern in expansions:
        if pattern != "/":
            _check_segments(pattern)
        if not allow_pseudo_filesystems:
            _check_pseudo_filesystems(pattern)
        _append_new(expanded, pattern)
        if pattern.endswith("/**"):
            _append_new(expanded, pattern[:-3] or "/")
    return PathPattern(text, tuple(expanded))


def _count_braces(text: str) -> int:
    """The `{` that open a brace group (not the escaped ones)."""
    count = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            count += 1
    return count


def _check_segments(pattern: str) -> None:
    for segment in pattern.split("/")[1:]:
        if segment == "":
            raise ValueError(f"`{pattern}` has an empty segment (`//` or a trailing `/`)")
        if segment in (".", ".."):
            raise ValueError(f"`{pattern}` has a `{segment}` segment; write the normal form")
        if "**" in segment and segment != "**":
            raise ValueError(f"`**` must be a whole segment, not part of `{segment}`")


def _check_pseudo_filesystems(pattern: str) -> None:
    first = pattern.split("/")[1]
    flags = fnmatch.FORCEUNIX | fnmatch.DOTMATCH
    for name in PSEUDO_FILESYSTEMS:
        if first == "**" or fnmatch.fnmatch(name, first, flags=flags):
            raise ValueError(
                f"`{pattern}` can reach /{name}, a pseudo filesystem (/proc, /dev and /sys "
                "let a process escape its sandbox); name the folders you need, or set "
                "capabilities.filesystem.allow-pseudo-filesystems = true"
            )


def _append_new(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _first_segment(path: str) -> str:
    end = path.find("/", 1)
    return path[1:end] if end > 0 else path[1:]


class PathMatcher:
    """The patterns of one action, compiled once.

    Most grants are a literal path or a literal folder followed by `/**`; a
    normalized request matches those by string comparison (equality, or a
    prefix ending in `/`: a normal path has no `.` or `..` segment, so that is
    exactly what the glob means).  The other patterns are grouped by their
    first segment when it is literal, so a request is tried only against the
    group of its own first segment and the patterns whose first segment is a
    wildcard; each group is one alternation of the regexes wcmatch translates.
    `rule_for()` (slow, for explanations) says which pattern matched.
    """

    __slots__ = ("_by_first", "_exact", "_folders", "_rules", "_wild")

    def __init__(self, patterns: tuple[PathPattern, ...]) -> None:
        groups: dict[str | None, list[str]] = {}
        rules: list[tuple[PathPattern, re.Pattern[str]]] = []
        exact: set[str] = set()
        folders: list[str] = []
        for pattern in patterns:
            regexes = _translate(pattern.expanded)
            rules.append((pattern, re.compile("|".join(regexes))))
            for expansion, regex in zip(pattern.expanded, regexes, strict=True):
                if _literal(expansion):
                    exact.add(expansion)
                    continue
                if expansion.endswith("/**") and _literal(expansion[:-3]):
                    folders.append("/" if expansion == "/**" else expansion[:-2])
                    continue
                first = _first_segment(expansion)
                groups.setdefault(first if _literal(first) else None, []).append(regex)
        wild = groups.pop(None, None)
        self._wild = re.compile("|".join(wild)) if wild else None
        self._by_first = {first: re.compile("|".join(group)) for first, group in groups.items()}
        self._exact = frozenset(exact)
        self._folders = tuple(folders)
        self._rules = tuple(rules)

    def matches(self, path: str) -> bool:
        """Whether a normalized path matches any pattern."""
        if path in self._exact or path.startswith(self._folders):
            return True
        end = path.find("/", 1)
        group = self._by_first.get(path[1:end] if end > 0 else path[1:])
        if group is not None and group.match(path) is not None:
            return True
        return self._wild is not None and self._wild.match(path) is not None

    def rule_for(self, path: str) -> tuple[int, PathPattern] | None:
        """The index and pattern of the first grant matching a normalized path."""
        for index, (pattern, regex) in enumerate(self._rules):
            if regex.match(path) is not None:
                return index, pattern
        return None


def _literal(text: str) -> bool:
    """Whether a (brace-free) pattern or segment has no wildcard and no escape."""
    return "\\" not in text and not glob.is_magic(text, flags=GLOB_FLAGS)


def _translate(patterns: tuple[str, ...]) -> list[str]:
    """One regex per brace-free pattern (each translated alone, so none is merged)."""
    translated = []
    for pattern in patterns:
        (regex,), excludes = glob.translate(pattern, flags=GLOB_FLAGS, limit=MAX_EXPANSIONS)
        assert not excludes  # no NEGATE, so nothing is excluded
        translated.append(str(regex))
    return translated
