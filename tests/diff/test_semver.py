"""The version rules: the smallest allowed version, and when NEW's version is too small."""

from __future__ import annotations

import pytest

from witgen.evolution.diff import Level, compatible_part, minimum_version, version_problem
from witgen.version import Version

V = Version.parse


@pytest.mark.parametrize(
    ("old", "level", "minimum"),
    [
        ("1.2.3", "major", "2.0.0"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "patch", "1.2.4"),
        ("1.2.3", "none", "1.2.3"),
        # Cargo's 0.x: the first non-zero part is the major one.
        ("0.2.3", "major", "0.3.0"),
        ("0.2.3", "minor", "0.2.4"),
        ("0.2.3", "patch", "0.2.4"),
        ("0.0.3", "major", "0.0.4"),
        ("0.0.3", "minor", "0.0.4"),
        ("0.0.3", "patch", "0.0.4"),
    ],
)
def test_minimum_version(old: str, level: Level, minimum: str) -> None:
    assert minimum_version(V(old), level) == V(minimum)


def test_no_minimum_after_a_pre_release() -> None:
    assert minimum_version(V("1.0.0-rc.1"), "major") is None


@pytest.mark.parametrize(
    ("old", "new", "level", "ok"),
    [
        ("1.2.0", "1.3.0", "major", False),  # the example
        ("1.2.0", "2.0.0", "major", True),
        ("1.2.0", "3.0.0", "major", True),
        ("1.2.0", "2.0.0-rc.1", "major", True),  # a pre-release of the right major
        ("1.2.0", "1.3.0-rc.1", "major", False),
        ("1.2.0", "1.3.0", "minor", True),
        ("1.2.0", "1.2.1", "minor", False),
        ("1.2.0", "2.0.0", "minor", True),  # a bigger bump than needed is fine
        ("1.2.0", "1.2.1", "patch", True),
        ("1.2.0", "1.2.0", "patch", False),
        ("1.2.0", "1.2.0", "none", True),
        ("1.2.0", "1.2.0+build.7", "patch", False),  # build metadata is not a bump
        ("1.2.0", "1.1.0", "none", False),  # the version went down
        ("0.2.0", "0.3.0", "major", True),
        ("0.2.0", "0.2.1", "major", False),
        ("0.2.0", "0.2.1", "minor", True),
        ("0.2.0", "1.0.0", "major", True),
        ("0.0.1", "0.0.2", "major", True),
        ("0.0.1", "0.0.1", "patch", False),
        ("1.0.0-rc.1", "1.0.0-rc.2", "major", True),  # a pre-release promises nothing
        ("1.0.0-rc.1", "1.0.0", "major", True),
        ("1.0.0-rc.2", "1.0.0-rc.2", "patch", False),
        ("1.0.0", "1.0.0-rc.1", "none", False),
    ],
)
def test_version_problem(old: str, new: str, level: Level, ok: bool) -> None:
    assert (version_problem(V(old), V(new), level) is None) == ok


def test_the_problem_says_what_is_needed() -> None:
    assert version_problem(V("1.2.0"), V("1.3.0"), "major") == (
        "breaking changes need 2.0.0 or later, and 1.3.0 is too small"
    )
    assert version_problem(V("1.2.0"), V("1.1.0"), "none") == (
        "the version went down, from 1.2.0 to 1.1.0"
    )


def test_no_version_no_problem() -> None:
    assert version_problem(None, V("1.0.0"), "major") is None
    assert version_problem(V("1.0.0"), None, "major") is None


@pytest.mark.parametrize(
    ("version", "part"),
    [("1.2.3", "1"), ("0.2.3", "0.2"), ("0.0.3", "0.0.3"), ("1.0.0-rc.1", "1.0.0-rc.1")],
)
def test_compatible_part(version: str, part: str) -> None:
    assert compatible_part(V(version)) == part
