"""Import and export names of components (wasmparser's `ComponentName`).

In: a name as a binary spells it (`a-b`, `[method]r.m`, `ns:pkg/iface@1.0.0`,
`unlocked-dep=<...>`, ...).
Out: `parse_component_name` returns a `ComponentName`: the name, its kind,
and the parts of it the decoder asks for (resource, namespace, package,
interface, version); `is_kebab` is wasmparser's kebab-case test.
Raises: `ComponentNameError`, with wasmparser's message, for a name that
does not parse; `ComponentName.version` raises `VersionError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from witgen.version import Version, VersionError


class ComponentNameError(Exception):
    """A component name that does not parse; the message is wasmparser's."""


NameKind = Literal[
    "label", "constructor", "method", "static", "interface", "dependency", "url", "hash"
]


@dataclass(frozen=True, slots=True)
class ComponentName:
    """An import or export name, classified as wasmparser's `ComponentNameKind`."""

    raw: str
    kind: NameKind

    @property
    def resource(self) -> str:
        """`r` of `[constructor]r`, `[method]r.m` or `[static]r.m`."""
        rest = self.raw[self.raw.index("]") + 1 :]
        return rest.split(".", 1)[0]

    @property
    def namespace(self) -> str:
        """`a:b` of the interface name `a:b:c/d@1.0.0`."""
        return self.raw[: self.raw.rindex(":")]

    @property
    def package(self) -> str:
        return self.raw[self.raw.rindex(":") + 1 : self.raw.index("/")]

    @property
    def interface(self) -> str:
        at = self.raw.find("@")
        projection = self.raw[self.raw.index("/") + 1 : at if at >= 0 else len(self.raw)]
        return projection.split("/", 1)[0]

    def version(self, suffix: str | None) -> Version | None:
        """The interface name's version (`InterfaceName::version`); raises `VersionError`."""
        at = self.raw.find("@")
        if at < 0:
            return None
        prefix = self.raw[at + 1 :]
        return Version.parse(prefix + suffix if suffix is not None else prefix)

    def key(self) -> tuple[str, str]:
        """What two names must share to clash: kebab names ignore ASCII case,
        and `[method]r.m` clashes with `[static]r.m` (and `l` with `[method]l.l`)."""
        if self.kind in ("method", "static"):
            rest = self.raw[self.raw.index("]") + 1 :]
            resource, method = rest.split(".", 1)
            if resource.lower() == method.lower():
                return ("label", resource.lower())
            return ("method", rest)
        if self.kind in ("label", "constructor"):
            return (self.kind, self.raw.lower())
        return (self.kind, self.raw)


def is_kebab(text: str) -> bool:
    """wasmparser's `KebabStr::is_kebab_case`."""
    lower = upper = has_digit = False
    first = True
    for char in text:
        if "a" <= char <= "z" and not lower and not upper:
            lower = True
        elif "A" <= char <= "Z" and not lower and not upper:
            upper = True
        elif "0" <= char <= "9" and not lower and not upper and not first:
            has_digit = True
        elif ("a" <= char <= "z" and lower) or ("A" <= char <= "Z" and upper):
            pass
        elif "0" <= char <= "9" and (lower or upper):
            has_digit = True
        elif char == "-" and (lower or upper or has_digit):
            lower = upper = has_digit = False
            first = False
        else:
            return False
    return bool(text) and not text.endswith("-")


def parse_component_name(name: str, nested: bool = False) -> ComponentName:
    """Classify `name` (wasmparser's `ComponentName::new_with_features`).

    `nested` enables `cm-nested-names` (`a:b:c/d/e`), which the validator
    allows and wit-parser's own name parsing does not.
    Raises `ComponentNameError`.
    """
    parser = _NameParser(name, nested)
    kind = parser.parse()
    if parser.rest:
        raise ComponentNameError(f"trailing characters found: `{parser.rest}`")
    return ComponentName(name, kind)


class _NameParser:
    __slots__ = ("nested", "rest")

    def __init__(self, text: str, nested: bool) -> None:
        self.rest = text
        self.nested = nested

    def parse(self) -> NameKind:
        if self.eat("[constructor]"):
            self.expect_kebab()
            return "constructor"
        for prefix, kind in (("[method]", "method"), ("[static]", "static")):
            if self.eat(prefix):
                resource = self.take_until(".")
                self.kebab(resource)
                self.expect_kebab()
                return "method" if kind == "method" else "static"
        if self.eat("unlocked-dep="):
            self.expect("<")
            self.pkg_name_query()
            self.expect(">")
            return "dependency"
        if self.eat("locked-dep="):
            self.expect("<")
            self.pkg_name(interface=False)
            self.expect(">")
            self.optional_hash()
            return "dependency"
        if self.eat("url="):
            self.expect("<")
            url = self.take_up_to(">")
            if "<" in url:
                raise ComponentNameError("url cannot contain `<`")
            self.expect(">")
            self.optional_hash()
            return "url"
        if self.eat("integrity="):
            self.expect("<")
            self.hash()
            self.expect(">")
            return "hash"
        if ":" in self.rest:
            self.pkg_name(interface=True)
            return "interface"
        self.expect_kebab()
        return "label"

    def pkg_name_query(self) -> None:
        self.pkg_path(require_projection=False)
        if self.eat("@"):
            if self.eat("*"):
                return
            self.expect("{")
            text = self.take_up_to("}")
            self.expect("}")
            self.semver_range(text)

    def pkg_name(self, interface: bool) -> None:
        self.pkg_path(require_projection=interface)
        if self.eat("@"):
            at = self.rest.find(">")
            if at >= 0:
                version, self.rest = self.rest[:at], self.rest[at:]
            else:
                version, self.rest = self.rest, ""
            if not interface:
                self.semver(version)

    def pkg_path(self, require_projection: bool) -> None:
        self.take_lowercase_kebab()
        self.expect(":")
        self.take_lowercase_kebab()
        if self.nested:
            while self.rest.startswith(":"):
                self.expect(":")
                self.take_lowercase_kebab()
        if self.rest.startswith("/"):
            self.expect("/")
            self.take_kebab()
            if self.nested:
                while self.rest.startswith("/"):
                    self.expect("/")
                    self.take_kebab()
        elif require_projection:
            raise ComponentNameError("expected `/` after package name")

    def semver_range(self, text: str) -> None:
        if text == "*":
            return
        if text.startswith(">="):
            lower, space, upper = text[2:].partition(" ")
            self.semver(lower)
            if space:
                if not upper.startswith("<"):
                    raise ComponentNameError("expected `<` at start of version range upper bounds")
                self.semver(upper[1:])
        elif text.startswith("<"):
            self.semver(text[1:])
        else:
            raise ComponentNameError("expected `>=` or `<` at start of version range")

    def hash(self) -> None:
        integrity = self.take_up_to(">")
        hashes = integrity.split()
        for item in hashes:
            for algorithm in ("sha256", "sha384", "sha512"):
                if item.startswith(algorithm):
                    rest = item[len(algorithm) :]
                    break
            else:
                raise ComponentNameError(f"unrecognized hash algorithm: `{item}`")
            if not rest.startswith("-"):
                raise ComponentNameError(f"expected `-` after hash algorithm: {item}")
            encoded = rest[1:].split("?", 1)[0]
            if not _is_base64(encoded):
                raise ComponentNameError(f"not valid base64: `{encoded}`")
        if not hashes:
            raise ComponentNameError("integrity hash cannot be empty")

    def optional_hash(self) -> None:
        if not self.eat(","):
            return
        self.expect("integrity=<")
        self.hash()
        self.expect(">")

    def eat(self, prefix: str) -> bool:
        if self.rest.startswith(prefix):
            self.rest = self.rest[len(prefix) :]
            return True
        return False

    def expect(self, prefix: str) -> None:
        if not self.eat(prefix):
            raise ComponentNameError(f"expected `{prefix}` at `{self.rest}`")

    def take_until(self, char: str) -> str:
        at = self.rest.find(char)
        if at < 0:
            raise ComponentNameError(f"failed to find `{char}` character")
        taken, self.rest = self.rest[:at], self.rest[at + 1 :]
        return taken

    def take_up_to(self, char: str) -> str:
        at = self.rest.find(char)
        if at < 0:
            raise ComponentNameError(f"failed to find `{char}` character")
        taken, self.rest = self.rest[:at], self.rest[at:]
        return taken

    def kebab(self, text: str) -> str:
        if not is_kebab(text):
            raise ComponentNameError(f"`{text}` is not in kebab case")
        return text

    def semver(self, text: str) -> None:
        try:
            Version.parse(text)
        except VersionError as error:
            raise ComponentNameError(f"`{text}` is not a valid semver: {error}") from None

    def take_kebab(self) -> str:
        at = next(
            (i for i, c in enumerate(self.rest) if not (c.isascii() and (c.isalnum() or c == "-"))),
            None,
        )
        if at is None:
            return self.expect_kebab()
        taken, self.rest = self.rest[:at], self.rest[at:]
        return self.kebab(taken)

    def take_lowercase_kebab(self) -> str:
        text = self.take_kebab()
        for char in text:
            if char.isalpha() and not char.islower():
                raise ComponentNameError(
                    f"character `{char}` is not lowercase in package name/namespace"
                )
        return text

    def expect_kebab(self) -> str:
        text, self.rest = self.rest, ""
        return self.kebab(text)


def _is_base64(text: str) -> bool:
    if not text:
        return False
    body = text.rstrip("=")
    if len(text) - len(body) > 2:
        return False
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    return all(c in alphabet for c in body) and len(text) % 4 == 0
