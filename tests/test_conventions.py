"""`witgen.conventions`: the `Capability:` and `Deprecated:` lines of doc comments, read once."""

from __future__ import annotations

import pytest

from witgen.conventions import capabilities, capability_mark, replacement, without_capability
from witgen.permissions import NO_CAPABILITY


@pytest.mark.parametrize(
    ("docs", "mark", "grants"),
    [
        ("Reads a file.\n\nCapability: filesystem.read", ("filesystem.read",), {"filesystem.read"}),
        ("Logs.\n\nCapability: none", ("none",), set()),
        ("Not marked.", None, set()),
        (None, None, set()),
        ("  Capability:   storage.read  \n", ("storage.read",), {"storage.read"}),
        # Several names, on one line or several, add up; each is named once.
        (
            "Capability: filesystem.read,filesystem.write\nCapability: filesystem.read",
            ("filesystem.read", "filesystem.write"),
            {"filesystem.read", "filesystem.write"},
        ),
        ("Capability: storage.read storage.write", ("storage.read", "storage.write"), None),
        # A WIT file with CRLF line ends keeps the `\r` in its docs.
        ("Logs.\r\n\r\nCapability: none\r", ("none",), set()),
        # An empty line is a mark that names nothing.
        ("Capability:", (), set()),
        # Not a mark: the word must start the line and be followed by a colon.
        ("See the Capability: line.\nCapability none", None, set()),
    ],
)
def test_capability_mark_and_grants(
    docs: str | None, mark: tuple[str, ...] | None, grants: set[str] | None
) -> None:
    assert capability_mark(docs) == mark
    if grants is not None:
        assert capabilities(docs) == grants


def test_none_is_the_permissions_word_for_no_grant() -> None:
    assert capabilities(f"Capability: {NO_CAPABILITY}") == frozenset()


@pytest.mark.parametrize(
    ("docs", "prose"),
    [
        ("Reads a file.\n\nCapability: filesystem.read", "Reads a file."),
        ("Reads a file.\n\nCapability: filesystem.read\n", "Reads a file."),
        # The line goes with its line break: a mark inside a paragraph does not split it.
        (
            "Reads a file.\nCapability: filesystem.read\nFails when absent.",
            "Reads a file.\nFails when absent.",
        ),
        ("Capability: none\n\nLogs.", "Logs."),
        ("Capability: none", ""),
        (None, ""),
    ],
)
def test_without_capability(docs: str | None, prose: str) -> None:
    assert without_capability(docs) == prose


@pytest.mark.parametrize(
    ("docs", "found"),
    [
        ("Deprecated: use `b` instead.\n\nDoes a.", ("b", "use `b` instead.")),
        ("Does a.\n\nDeprecated: use `b`, or `c`.", ("b", "use `b`, or `c`.")),
        ("Does a; use `b` instead.", ("b", None)),
        ("Deprecated.", (None, None)),
        ("Deprecated: no replacement.", (None, "no replacement.")),
        ("  Deprecated since 1.1: Use `x.y` instead", ("x.y", "since 1.1: Use `x.y` instead")),
        (None, (None, None)),
    ],
)
def test_replacement(docs: str | None, found: tuple[str | None, str | None]) -> None:
    assert replacement(docs) == found
