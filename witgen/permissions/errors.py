"""The errors of the permissions layer, as data.

In: nothing (plain values).  Out: `ManifestProblem` (one thing wrong with a manifest,
or a warning), `ManifestError` (raised with every problem of a manifest that
must not be used), `PermissionDenied` (one refused request: who, what, which
resource, why, and the grant that would allow it; `AddressDenied` when the
refusal is D4's), and the interface-version
errors: `UnsupportedInterface`, `VersionMismatch` and `MalformedVersion`, all
`InterfaceError`s, each carrying every `InterfaceProblem` found.

Nothing here prints; `str()` of each error is the message a user reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum


def quote(text: str) -> str:
    """`text` as a TOML basic string: double quotes, control characters escaped.

    Used for every user-given value in a message, so that a control character
    or a trailing space in a path is visible, and a suggested grant can be
    pasted into Component.toml as it is.
    """
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


@dataclass(frozen=True, slots=True)
class ManifestProblem:
    """One thing wrong with (or worth a warning in) a manifest.

    `key` is the key path (`capabilities.network[1].port`), or None for a
    problem of the file as a whole (unreadable, not TOML).  `value` is the
    offending value as TOML text, or None.  `line` and `column` are one-based
    and known only for TOML syntax errors.
    """

    file: str
    key: str | None
    value: str | None
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.key is None:
            return f"{where}: {self.message}"
        if self.value is None:
            return f"{where}: {self.key}: {self.message}"
        return f"{where}: {self.key} = {self.value}: {self.message}"


class ManifestError(Exception):
    """A manifest that must not be used; `problems` lists everything wrong."""

    def __init__(self, problems: tuple[ManifestProblem, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class PermissionDenied(Exception):
    """A request refused by a component's grants.

    `capability` is the action asked for (`filesystem.read`), `resource` the
    request as given (a path, `host:port`, a namespace, a command, a component
    id), `reason` why it was refused, and `grant` the Component.toml text that
    would allow it, or None when no grant can (an invalid request).
    """

    def __init__(
        self, component: str, capability: str, resource: str, reason: str, grant: str | None
    ) -> None:
        self.component = component
        self.capability = capability
        self.resource = resource
        self.reason = reason
        self.grant = grant
        message = f"component {quote(component)}: {capability} {quote(resource)} denied: {reason}"
        if grant is not None:
            message += f"; a grant that allows it: {grant}"
        super().__init__(message)


class AddressDenied(PermissionDenied):
    """A request refused because it would reach a private, loopback, link-local
    or otherwise non-global address that no grant allows (D4)."""


class InterfaceProblemKind(Enum):
    """The three ways a component's interface requirements can fail."""

    UNSUPPORTED = "unsupported interface"
    MISMATCH = "version mismatch"
    MALFORMED = "malformed version"


@dataclass(frozen=True, slots=True)
class InterfaceProblem:
    """One required interface the host cannot satisfy.

    `name` is the requirement as the component gave it (an import name such as
    `airssys:host-core/host-services@1.0.0`, or a `[dependencies]` key);
    `message` says what is wrong.
    """

    kind: InterfaceProblemKind
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.name}: {self.message}"


class InterfaceError(Exception):
    """A component requires interfaces the host does not provide.

    Raised as the subclass for the kind of the first problem; `problems`
    holds every problem found.
    """

    def __init__(self, problems: tuple[InterfaceProblem, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class UnsupportedInterface(InterfaceError):
    """The host provides no such package or interface."""


class VersionMismatch(InterfaceError):
    """The host provides the interface, at a version the requirement excludes."""


class MalformedVersion(InterfaceError):
    """A version or requirement is not valid (strict semver, Cargo requirements)."""


INTERFACE_ERRORS: dict[InterfaceProblemKind, type[InterfaceError]] = {
    InterfaceProblemKind.UNSUPPORTED: UnsupportedInterface,
    InterfaceProblemKind.MISMATCH: VersionMismatch,
    InterfaceProblemKind.MALFORMED: MalformedVersion,
}
