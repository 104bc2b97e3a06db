"""Properties that hold for every request, checked with hypothesis.

* No path that normalizes outside a grant is ever allowed, and every valid
  path inside it is (against an independent normalization).
* No host outside a grant's suffix is ever allowed.
* The fast normalization path agrees with the slow one on every string.
* The grouped matcher agrees with each pattern alone, and with wcmatch.
"""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st
from wcmatch import glob

from witgen.permissions import PermissionDenied
from witgen.permissions.hosts import InvalidHost, _canonical_slowly, canonical_host
from witgen.permissions.paths import (
    GLOB_FLAGS,
    InvalidPath,
    PathMatcher,
    _normalize_slowly,
    normalize_path,
    parse_pattern,
)

from .helpers import fs, net

DETERMINISTIC = settings(derandomize=True, max_examples=200, deadline=None)

SEGMENTS = st.sampled_from(
    [
        "data",
        "database",
        "dat",
        "etc",
        "passwd",
        ".",
        "..",
        "",
        "a",
        ".git",
        "x.txt",
        "CON",
        "b:c",
        "d.",
        "data ",
        "é",
        "DATA",
    ]
)
PATHS = st.lists(SEGMENTS, max_size=8).map(lambda parts: "/" + "/".join(parts))


def reference_normal(path: str) -> str | None:
    """`path` normalized by the standard library, or None if `..` climbs above `/`."""
    depth = 0
    for segment in path.split("/"):
        if segment == "..":
            depth -= 1
            if depth < 0:
                return None
        elif segment not in ("", "."):
            depth += 1
    normal = posixpath.normpath(path)
    return "/" + normal.lstrip("/") if normal != "/" else "/"


@DETERMINISTIC
@given(PATHS | st.text(max_size=30))
def test_no_path_outside_a_grant_is_allowed(path: str) -> None:
    checker = fs(read=["/data/**"])
    try:
        allowed = checker.check_filesystem(path, "read")
    except PermissionDenied:
        allowed = None
    expected = reference_normal(path) if path.startswith("/") else None
    if allowed is not None:
        assert expected == allowed
        assert allowed == "/data" or allowed.startswith("/data/")
    elif expected is not None and (expected == "/data" or expected.startswith("/data/")):
        # Denied although inside: only for an invalid name (Windows aliases, NUL, ...).
        try:
            normalize_path(path)
        except InvalidPath:
            return
        raise AssertionError(f"{path!r} is inside the grant but was denied")


@DETERMINISTIC
@given(st.text(alphabet="/.a:\\\x00 cCoOnN$", max_size=20) | PATHS)
def test_fast_and_slow_normalization_agree(path: str) -> None:
    def outcome(normalize: object) -> str:
        try:
            return str(normalize(path))  # type: ignore[operator]
        except InvalidPath as error:
            return f"invalid: {error}"

    assert outcome(normalize_path) == outcome(_normalize_slowly)


@DETERMINISTIC
@given(st.text(alphabet="aZ0-.*:%[]ßx n", max_size=24) | st.text(max_size=12))
def test_fast_and_slow_host_canonicalisation_agree(text: str) -> None:
    def outcome(canonicalise: object) -> str:
        try:
            return repr(canonicalise(text))  # type: ignore[operator]
        except InvalidHost as error:
            return f"invalid: {error}"

    assert outcome(canonical_host) == outcome(_canonical_slowly)


NAMES = st.sampled_from(["a", "b-c", "x1", "api", "cdn", "*", "%2a", "", "é", "ß", "EXAMPLE"])
LABELS = st.sampled_from(["example", "evilexample", "com", "org", "Example", "COM", "net"])


@DETERMINISTIC
@given(st.lists(NAMES, max_size=3), st.lists(LABELS, min_size=1, max_size=3), st.booleans())
def test_no_host_outside_a_grant_suffix_is_allowed(
    prefix: list[str], suffix: list[str], trailing_dot: bool
) -> None:
    checker = net(
        {"action": "outbound", "host": "*.example.com"},
        {"action": "outbound", "host": "example.org"},
    )
    host = ".".join(prefix + suffix) + ("." if trailing_dot else "")
    try:
        canonical = checker.check_network(host, 443)
    except PermissionDenied:
        return
    assert canonical.endswith(".example.com") or canonical == "example.org"
    assert canonical != "example.com"
    assert host.lower().rstrip(".").endswith(("example.com", "example.org"))


PATTERN_PARTS = st.sampled_from(["data", "etc", "*", "**", "*.txt", "a?", "{x,y}", "[ab]*"])


@DETERMINISTIC
@given(
    st.lists(st.lists(PATTERN_PARTS, min_size=1, max_size=3), min_size=1, max_size=4),
    st.lists(st.sampled_from(["data", "etc", "a.txt", "ab", "x", "y", ".h", "b"]), max_size=4),
)
def test_grouped_matcher_agrees_with_each_pattern_and_wcmatch(
    patterns: list[list[str]], segments: list[str]
) -> None:
    texts = ["/" + "/".join(parts) for parts in patterns]
    parsed = tuple(parse_pattern(text, allow_pseudo_filesystems=True) for text in texts)
    matcher = PathMatcher(parsed)
    path = "/" + "/".join(segments)
    by_rule = matcher.rule_for(path) is not None
    assert matcher.matches(path) is by_rule
    expected = any(
        glob.globmatch(path, text, flags=GLOB_FLAGS)
        or (text.endswith("/**") and glob.globmatch(path, text[:-3] or "/", flags=GLOB_FLAGS))
        for text in texts
    )
    assert by_rule is expected
