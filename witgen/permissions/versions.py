"""Semantic versions and Cargo-style version requirements.

In: version text (`1.2.3`, `1.5.0-beta.1+build.7`) and requirement text
(`^1.2`, `~1.2.3`, `>=1.0.0, <2.0.0`, `=1.0.0`, or a bare `1.2.3`).
Out: `semver.Version` values and `Requirement`s that answer `matches()`.
Raises: `ValueError` with a message for malformed text.

The meaning is Cargo's (the `semver` crate's `VersionReq`):
* a bare requirement means caret: `1.2.3` is `^1.2.3` (design decision D8);
* `^` allows changes that keep the left-most non-zero part: `^1.2.3` is
  `>=1.2.3, <2.0.0`, `^0.2.3` is `>=0.2.3, <0.3.0`, `^0.0.3` is `=0.0.3`;
* `~` allows patch changes: `~1.2.3` is `>=1.2.3, <1.3.0`, `~1` is `1.x`;
* requirements may leave out the minor and patch parts (`^1.2`, `~1`); a
  version may not: `1.2` is not a version;
* a pre-release version matches only when some comparator names the same
  `X.Y.Z` with a pre-release of its own, so `^1.0.0` refuses `1.5.0-beta.1`;
* build metadata is ignored on both sides;
* the empty requirement, wildcards (`*`, `1.x`) and npm's `||` and hyphen
  ranges are malformed.

The `semver` package parses versions strictly and orders pre-releases; it has
no caret or tilde, so the comparators are evaluated here.  Parsing is a pure
function of the text, so the last 256 versions and requirements parsed are
remembered (they are immutable).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import semver

MAX_TEXT = 256
MAX_COMPARATORS = 32

_NUMBER = r"0|[1-9][0-9]*"
_IDENTIFIER = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_PRE = rf"{_IDENTIFIER}(?:\.{_IDENTIFIER})*"
_BUILD = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_COMPARATOR = re.compile(
    rf"(=|>=|<=|>|<|~|\^)?[ ]*({_NUMBER})"
    rf"(?:\.({_NUMBER})(?:\.({_NUMBER})(?:-({_PRE}))?(?:\+{_BUILD})?)?)?"
)
_OPERATORS = ("=", ">", ">=", "<", "<=", "~", "^")


def parse_version(text: str) -> semver.Version:
    """A full `MAJOR.MINOR.PATCH[-PRE][+BUILD]` version, build metadata dropped."""
    if not isinstance(text, str):
        raise ValueError("a version must be a string")
    return _parse_version(text)


@functools.lru_cache(maxsize=256)
def _parse_version(text: str) -> semver.Version:
    if len(text) > MAX_TEXT:
        raise ValueError(f"a version is at most {MAX_TEXT} characters")
    try:
        version = semver.Version.parse(text)
    except ValueError:
        raise ValueError(
            "not a semantic version: expected MAJOR.MINOR.PATCH such as 1.2.3, "
            "with no leading zeros, no `v` and no spaces"
        ) from None
    return version.replace(build=None) if version.build is not None else version


def built_against(text: str) -> Requirement:
    """What a component built against version `text` requires: `^text`.

    `text` must be a full version (raises `ValueError` otherwise).
    """
    parse_version(text)
    return parse_requirement(f"^{text}")


@dataclass(frozen=True, slots=True)
class Comparator:
    """One comparator of a requirement; `minor` and `patch` may be left out."""

    op: str
    major: int
    minor: int | None
    patch: int | None
    pre: str | None

    def matches(self, version: semver.Version) -> bool:
        if self.op == "=":
            return self._exact(version)
        if self.op == ">":
            return self._greater(version)
        if self.op == ">=":
            return self._exact(version) or self._greater(version)
        if self.op == "<":
            return self._less(version)
        if self.op == "<=":
            return self._exact(version) or self._less(version)
        if self.op == "~":
            return self._tilde(version)
        return self._caret(version)

    def allows_pre_release_of(self, version: semver.Version) -> bool:
        """Whether this comparator opts in to pre-releases of `version`'s X.Y.Z."""
        return (
            self.pre is not None
            and self.major == version.major
            and self.minor == version.minor
            and self.patch == version.patch
        )

    def _exact(self, v: semver.Version) -> bool:
        return (
            v.major == self.major
            and (self.minor is None or v.minor == self.minor)
            and (self.patch is None or v.patch == self.patch)
            and v.prerelease == self.pre
        )

    def _greater(self, v: semver.Version) -> bool:
        if v.major != self.major:
            return v.major > self.major
        if self.minor is None:
            return False
        if v.minor != self.minor:
            return v.minor > self.minor
        if self.patch is None:
            return False
        if v.patch != self.patch:
            return v.patch > self.patch
        return _compare_pre(v.prerelease, self.pre) > 0

    def _less(self, v: semver.Version) -> bool:
        if v.major != self.major:
            return v.major < self.major
        if self.minor is None:
            return False
        if v.minor != self.minor:
            return v.minor < self.minor
        if self.patch is None:
            return False
        if v.patch != self.patch:
            return v.patch < self.patch
        return _compare_pre(v.prerelease, self.pre) < 0

    def _tilde(self, v: semver.Version) -> bool:
        if v.major != self.major:
            return False
        if self.minor is not None and v.minor != self.minor:
            return False
        if self.patch is not None and v.patch != self.patch:
            return v.patch > self.patch
        return _compare_pre(v.prerelease, self.pre) >= 0

    def _caret(self, v: semver.Version) -> bool:
        if v.major != self.major:
            return False
        if self.minor is None:
            return True
        if self.patch is None:
            return v.minor >= self.minor if self.major > 0 else v.minor == self.minor
        if self.major > 0:
            if v.minor != self.minor:
                return v.minor > self.minor
            if v.patch != self.patch:
                return v.patch > self.patch
        elif self.minor > 0:
            if v.minor != self.minor:
                return False
            if v.patch != self.patch:
                return v.patch > self.patch
        elif v.minor != self.minor or v.patch != self.patch:
            return False
        return _compare_pre(v.prerelease, self.pre) >= 0


@dataclass(frozen=True, slots=True)
class Requirement:
    """A parsed requirement: every comparator must match (they are ANDed)."""

    text: str
    comparators: tuple[Comparator, ...]

    def matches(self, version: semver.Version) -> bool:
        if not all(comparator.matches(version) for comparator in self.comparators):
            return False
        if version.prerelease is None:
            return True
        return any(c.allows_pre_release_of(version) for c in self.comparators)

    def __str__(self) -> str:
        return self.text


def parse_requirement(text: str) -> Requirement:
    """A Cargo-style requirement; see the module docstring for the syntax."""
    if not isinstance(text, str):
        raise ValueError("a version requirement must be a string")
    return _parse_requirement(text)


@functools.lru_cache(maxsize=256)
def _parse_requirement(text: str) -> Requirement:
    if len(text) > MAX_TEXT:
        raise ValueError(f"a version requirement is at most {MAX_TEXT} characters")
    if not text.strip():
        raise ValueError("empty version requirement; write one such as ^1.0.0")
    parts = text.split(",")
    if len(parts) > MAX_COMPARATORS:
        raise ValueError(f"a version requirement has at most {MAX_COMPARATORS} comparators")
    comparators = []
    for part in parts:
        piece = part.strip(" ")
        match = _COMPARATOR.fullmatch(piece)
        if match is None:
            raise ValueError(_explain_bad_comparator(piece))
        op, major, minor, patch, pre = match.groups()
        comparators.append(
            Comparator(
                op=op or "^",
                major=int(major),
                minor=None if minor is None else int(minor),
                patch=None if patch is None else int(patch),
                pre=pre,
            )
        )
    return Requirement(text, tuple(comparators))


def _explain_bad_comparator(piece: str) -> str:
    if not piece:
        return "empty comparator between commas"
    if "*" in piece or ".x" in piece.lower() or piece.lower() == "x":
        return f"wildcards are not supported ({piece}); write a caret requirement such as ^1"
    if "||" in piece or " - " in piece:
        return "`||` and hyphen ranges are npm syntax; use comma-separated comparators"
    return (
        f"not a version requirement: {piece}; expected an operator "
        f"({', '.join(_OPERATORS)} or none) and a version such as 1.2.3"
    )


def _compare_pre(left: str | None, right: str | None) -> int:
    """Order two pre-release tags by semver precedence; no tag ranks highest."""
    if left == right:
        return 0
    if left is None:
        return 1
    if right is None:
        return -1
    return semver.Version(0, 0, 0, left).compare(semver.Version(0, 0, 0, right))
