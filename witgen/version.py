"""Semantic versions as WIT spells them.

In: version text such as `1.2.3-rc.1+build.5`.
Out: an immutable, ordered `Version`.
Raises: `VersionError`, whose message is word for word what the Rust `semver`
crate (which wit-parser uses) says about the same text, so that diagnostics
match wasm-tools'.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import total_ordering
from typing import Literal

from witgen.rust import debug_char

_U64_MAX = 2**64 - 1

_MAJOR = "major version number"
_MINOR = "minor version number"
_PATCH = "patch version number"
_PRE = "pre-release identifier"
_BUILD = "build metadata"


class VersionError(ValueError):
    """The text is not a semantic version; the message says why."""


@total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    """`major.minor.patch[-pre][+build]`; `pre` and `build` are '' when absent.

    Ordering follows semver precedence (a pre-release sorts before its
    release); build metadata breaks ties, as in the Rust crate.
    """

    major: int
    minor: int
    patch: int
    pre: str = ""
    build: str = ""

    @classmethod
    def parse(cls, text: str) -> Version:
        return _parse(text)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += f"-{self.pre}"
        if self.build:
            text += f"+{self.build}"
        return text

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def _key(self) -> tuple[int, int, int, tuple[object, ...], tuple[object, ...]]:
        # A release (no pre-release) sorts after every pre-release of it.
        pre: tuple[object, ...] = (1,) if not self.pre else (0, *_identifiers(self.pre))
        build: tuple[object, ...] = _identifiers(self.build) if self.build else ()
        return (self.major, self.minor, self.patch, pre, build)


def _identifiers(text: str) -> tuple[object, ...]:
    # Numeric identifiers compare as numbers and sort before alphanumeric ones.
    return tuple(
        (0, len(part), part) if part.isdigit() else (1, 0, part) for part in text.split(".")
    )


def _parse(text: str) -> Version:
    if not text:
        raise VersionError("empty string, expected a semver version")
    major, rest = _numeric(text, _MAJOR)
    rest = _dot(rest, _MAJOR)
    minor, rest = _numeric(rest, _MINOR)
    rest = _dot(rest, _MINOR)
    patch, rest = _numeric(rest, _PATCH)
    position = _PATCH
    pre = build = ""
    if rest.startswith("-"):
        position = _PRE
        pre, rest = _identifier(rest[1:], _PRE)
        if not pre:
            raise VersionError(f"empty identifier segment in {_PRE}")
    if rest.startswith("+"):
        position = _BUILD
        build, rest = _identifier(rest[1:], _BUILD)
        if not build:
            raise VersionError(f"empty identifier segment in {_BUILD}")
    if rest:
        raise VersionError(f"unexpected character {_quote(rest[0])} after {position}")
    return Version(major, minor, patch, pre, build)


def _numeric(text: str, position: str) -> tuple[int, str]:
    length = 0
    value = 0
    while length < len(text) and "0" <= text[length] <= "9":
        if value == 0 and length > 0:
            raise VersionError(f"invalid leading zero in {position}")
        value = value * 10 + ord(text[length]) - 48
        if value > _U64_MAX:
            raise VersionError(f"value of {position} exceeds u64::MAX")
        length += 1
    if length:
        return value, text[length:]
    if text:
        raise VersionError(f"unexpected character {_quote(text[0])} while parsing {position}")
    raise VersionError(f"unexpected end of input while parsing {position}")


def _dot(text: str, position: str) -> str:
    if text.startswith("."):
        return text[1:]
    if text:
        raise VersionError(f"unexpected character {_quote(text[0])} after {position}")
    raise VersionError(f"unexpected end of input while parsing {position}")


def _identifier(text: str, position: str) -> tuple[str, str]:
    """Dot-separated identifiers of `[0-9A-Za-z-]`; returns (identifier, rest)."""
    accumulated = 0
    segment = 0
    has_nondigit = False
    while True:
        at = accumulated + segment
        char = text[at] if at < len(text) else None
        if char is not None and char.isascii() and (char.isalpha() or char == "-"):
            segment += 1
            has_nondigit = True
            continue
        if char is not None and "0" <= char <= "9":
            segment += 1
            continue
        if segment == 0:
            if accumulated == 0 and char != ".":
                return "", text
            raise VersionError(f"empty identifier segment in {position}")
        if (
            position == _PRE
            and segment > 1
            and not has_nondigit
            and text[accumulated:].startswith("0")
        ):
            raise VersionError(f"invalid leading zero in {position}")
        accumulated += segment
        if char == ".":
            accumulated += 1
            segment = 0
            has_nondigit = False
        else:
            return text[:accumulated], text[accumulated:]


def _quote(char: str) -> str:
    return "'\\0'" if char == "\0" else debug_char(char)


Level = Literal["none", "patch", "minor", "major"]
"""How big a version bump is: none, patch, minor or major."""


def minimum_version(old: Version, level: Level) -> Version | None:
    """The smallest version after `old` that a `level` bump allows; None after a pre-release.

    Cargo's convention for 0.x: the first non-zero part is the major one, so
    in `0.y.z` a breaking change bumps `y` and anything else bumps `z`, and in
    `0.0.z` every change bumps `z`.
    """
    if level == "none":
        return old
    if old.pre:
        return None  # a pre-release promises nothing: any later version will do
    if old.major == 0 and old.minor == 0:
        return Version(0, 0, old.patch + 1)
    if old.major == 0:
        if level == "major":
            return Version(0, old.minor + 1, 0)
        return Version(0, old.minor, old.patch + 1)
    if level == "major":
        return Version(old.major + 1, 0, 0)
    if level == "minor":
        return Version(old.major, old.minor + 1, 0)
    return Version(old.major, old.minor, old.patch + 1)
