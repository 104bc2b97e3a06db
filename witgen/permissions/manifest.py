"""Component.toml: the capability manifest of one component.

In: the manifest's path (`load_manifest`) or text (`parse_manifest`).
Out: a `Manifest` whose every pattern, host, namespace, size and version
requirement is already checked and parsed, plus warnings.  Raises:
`ManifestError` with every `ManifestProblem` found (file, key path, value, message).

The schema (every key not listed here is an error, never ignored):

    [component]
    name = "data-processor"        # required; the component id
    version = "1.0.0"              # required; strict semver
    api-version = "1.0.0"          # optional; the airssys API it was built against

    [capabilities.filesystem]      # lists of absolute glob patterns
    read = ["/data/**"]
    write = []
    delete = []
    list = []
    allow-pseudo-filesystems = false   # see witgen.permissions.paths (#43)

    [[capabilities.network]]       # one table per grant
    action = "outbound"            # or "inbound"
    host = "api.example.com"       # `*.example.com`, an IP, `*`; `:port` allowed
    port = 443                     # optional: no port means any port (D5)
    allow-private = false          # optional: may resolve to private addresses (D4)

    [capabilities.storage]
    namespaces = ["myapp:config", "shared:*"]
    max-size = "100MB"             # required when namespaces are granted

    [capabilities.process]
    spawn = ["/usr/bin/echo"]      # absolute paths of the commands it may run

    [capabilities.messaging]
    send = ["other-component"]     # component ids it may message

    [dependencies]
    "airssys:host-core" = "^1.0.0" # package or interface name = requirement

Fail closed: TOML syntax errors, duplicate keys or tables, wrong types (a
string for a list, a number inside a list of strings, a bool for a port) and
any invalid value make the whole manifest unusable.  A missing section or an
empty list grants nothing.
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from witgen.permissions.capabilities import FS_ACTIONS, NETWORK_ACTIONS, FsAction, NetworkAction
from witgen.permissions.errors import ManifestError, ManifestProblem, quote
from witgen.permissions.hosts import HostPattern, parse_host_pattern
from witgen.permissions.paths import InvalidPath, PathPattern, normalize_path, parse_pattern
from witgen.permissions.storage import NamespaceGrant, parse_namespace_grant, parse_size
from witgen.permissions.versions import Requirement, parse_requirement, parse_version

MAX_MANIFEST_BYTES = 1 << 20
# Nested arrays and tables a message shows before `...` (TOML allows any depth).
MAX_SHOWN_DEPTH = 8
MAX_LIST = 1000
MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000  # a day

_COMPONENT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_WIT_ID = r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*"
_INTERFACE_NAME = re.compile(rf"({_WIT_ID}):({_WIT_ID})(?:/({_WIT_ID}))?")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)$")

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ComponentIdentity:
    """`[component]`: the id the grants belong to, and its versions."""

    name: str
    version: str
    api_version: str | None = None


@dataclass(frozen=True, slots=True)
class FilesystemGrants:
    """`[capabilities.filesystem]`: the patterns of each action."""

    read: tuple[PathPattern, ...] = ()
    write: tuple[PathPattern, ...] = ()
    delete: tuple[PathPattern, ...] = ()
    list: tuple[PathPattern, ...] = ()
    allow_pseudo_filesystems: bool = False

    def patterns(self, action: FsAction) -> tuple[PathPattern, ...]:
        result: tuple[PathPattern, ...] = getattr(self, action)
        return result


@dataclass(frozen=True, slots=True)
class NetworkGrant:
    """One `[[capabilities.network]]` entry; `index` is its place in the array."""

    index: int
    action: NetworkAction
    host: HostPattern
    allow_private: bool = False

    @property
    def key(self) -> str:
        return f"capabilities.network[{self.index}]"


@dataclass(frozen=True, slots=True)
class StorageGrants:
    """`[capabilities.storage]`; `max_size` in bytes, None when not granted."""

    namespaces: tuple[NamespaceGrant, ...] = ()
    max_size: int | None = None
    max_size_text: str | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    """One `[dependencies]` entry: a package or interface name and a requirement."""

    name: str
    requirement: Requirement


@dataclass(frozen=True, slots=True)
class Limits:
    """`[limits]`: what the component asks of the host (which may grant less).

    `memory`: bytes of linear memory in all (`memory = "64MB"`);
    `timeout_ms`: how long one call may run (`timeout-ms = 5000`), for calls
    without an execution context of their own.
    """

    memory: int | None = None
    memory_text: str | None = None
    timeout_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """A checked Component.toml; `warnings` are problems that do not stop its use."""

    file: str
    component: ComponentIdentity
    filesystem: FilesystemGrants = FilesystemGrants()
    network: tuple[NetworkGrant, ...] = ()
    storage: StorageGrants = StorageGrants()
    process: tuple[str, ...] = ()
    messaging: tuple[str, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    limits: Limits = Limits()
    warnings: tuple[ManifestProblem, ...] = field(default=())


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read and check the manifest at `path`."""
    file = os.fspath(path)
    try:
        with open(file, "rb") as stream:
            data = stream.read(MAX_MANIFEST_BYTES + 1)
    except OSError as error:
        raise ManifestError(
            (ManifestProblem(file, None, None, f"cannot read the manifest: {error.strerror}"),)
        ) from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(
            (
                ManifestProblem(
                    file, None, None, f"the manifest is larger than {MAX_MANIFEST_BYTES} bytes"
                ),
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ManifestError(
            (ManifestProblem(file, None, None, f"the manifest is not UTF-8 (byte {error.start})"),)
        ) from None
    return parse_manifest(text, file)


def parse_manifest(text: str, file: str = "Component.toml") -> Manifest:
    """Check manifest `text`; `file` names it in problems."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ManifestError(
            (
                ManifestProblem(
                    file, None, None, "invalid TOML: arrays or inline tables nest too deeply"
                ),
            )
        ) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = column = None
        position = _TOML_POSITION.search(message)
        if position is not None:
            line, column = int(position.group(1)), int(position.group(2))
            message = message[: position.start()].rstrip()
        elif message.endswith("(at end of document)"):
            line = text.count("\n") + 1
            message = message[: -len("(at end of document)")].rstrip()
        raise ManifestError(
            (ManifestProblem(file, None, None, f"invalid TOML: {message}", line, column),)
        ) from None
    reader = _Reader(file)
    manifest = reader.manifest(data)
    if reader.problems or manifest is None:
        raise ManifestError(tuple(reader.problems))
    return manifest


def key_path(parent: str, name: str) -> str:
    """`parent.name`, quoting `name` when it is not a bare TOML key."""
    part = name if _BARE_KEY.fullmatch(name) else quote(name)
    return f"{parent}.{part}" if parent else part


def toml_value(value: object, limit: int = 80, depth: int = 0) -> str:
    """A value as TOML text, for messages (long values are shortened, and
    arrays or tables nested deeper than `MAX_SHOWN_DEPTH` are shown as `...`)."""
    if isinstance(value, list | dict) and depth >= MAX_SHOWN_DEPTH:
        return "[...]" if isinstance(value, list) else "{...}"
    if isinstance(value, str):
        text = quote(value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, datetime.date | datetime.time):
        text = value.isoformat()
    elif isinstance(value, list):
        text = "[" + ", ".join(toml_value(item, limit, depth + 1) for item in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(
            f"{key_path('', k)} = {toml_value(v, limit, depth + 1)}" for k, v in value.items()
        )
        text += "}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


class _Reader:
    """Walks the parsed TOML, collecting every problem (never stopping at the first)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[ManifestProblem] = []
        self.warnings: list[ManifestProblem] = []

    def problem(self, key: str, value: object, message: str) -> None:
        self.problems.append(ManifestProblem(self.file, key, toml_value(value), message))

    def missing(self, key: str, message: str) -> None:
        self.problems.append(ManifestProblem(self.file, key, None, message))

    def warn(self, key: str, value: object, message: str) -> None:
        self.warnings.append(ManifestProblem(self.file, key, toml_value(value), message))

    def table(self, value: object, key: str, known: tuple[str, ...]) -> dict[str, object] | None:
        if not isinstance(value, dict):
            self.problem(key, value, f"expected a table, found {_type_name(value)}")
            return None
        for name, item in value.items():
            if name not in known:
                self.problem(
                    key_path(key, name),
                    item,
                    f"unknown key (known keys of {key or 'the manifest'}: {', '.join(known)})",
                )
        return value

    def typed(self, value: object, key: str, kind: type[_T], what: str) -> _T | None:
        if type(value) is not kind:
            self.problem(key, value, f"expected {what}, found {_type_name(value)}")
            return None
        return value

    def items(
        self, value: object, key: str, parse: Callable[[str, str], _T | None]
    ) -> tuple[_T, ...]:
        """A list of strings, each checked by `parse(text, key)`."""
        if not isinstance(value, list):
            self.problem(key, value, f"expected an array of strings, found {_type_name(value)}")
            return ()
        if len(value) > MAX_LIST:
            self.problem(key, value, f"at most {MAX_LIST} entries")
            return ()
        parsed = []
        for index, item in enumerate(value):
            item_key = f"{key}[{index}]"
            if not isinstance(item, str):
                self.problem(item_key, item, f"expected a string, found {_type_name(item)}")
                continue
            result = parse(item, item_key)
            if result is not None:
                parsed.append(result)
        return tuple(parsed)

    def checked(self, key: str, value: str, check: Callable[[str], _T]) -> _T | None:
        try:
            return check(value)
        except ValueError as error:
            self.problem(key, value, str(error))
            return None

    # -- sections --------------------------------------------------------

    def manifest(self, data: dict[str, object]) -> Manifest | None:
        top = self.table(data, "", ("component", "capabilities", "dependencies", "limits"))
        assert top is not None
        component = None
        if "component" in top:
            component = self.component(top["component"])
        else:
            self.missing("component", "missing table [component] (name and version)")
        caps = top.get("capabilities", {})
        sections = ("filesystem", "network", "storage", "process", "messaging")
        capabilities = self.table(caps, "capabilities", sections) or {}
        filesystem = self.filesystem(capabilities.get("filesystem", {}))
        network = self.network(capabilities.get("network", []))
        storage = self.storage(capabilities.get("storage", {}))
        process = self.process(capabilities.get("process", {}))
        messaging = self.messaging(capabilities.get("messaging", {}))
        dependencies = self.dependencies(top.get("dependencies", {}))
        limits = self.limits(top.get("limits", {}))
        if component is None:
            return None
        return Manifest(
            file=self.file,
            component=component,
            filesystem=filesystem,
            network=network,
            storage=storage,
            process=process,
            messaging=messaging,
            dependencies=dependencies,
            limits=limits,
            warnings=tuple(self.warnings),
        )

    def limits(self, value: object) -> Limits:
        table = self.table(value, "limits", ("memory", "timeout-ms"))
        if table is None:
            return Limits()
        memory = memory_text = timeout = None
        if "memory" in table:
            memory_text = self.typed(table["memory"], "limits.memory", str, "a string")
            if memory_text is not None:
                memory = self.checked("limits.memory", memory_text, parse_size)
        if "timeout-ms" in table:
            timeout = self.typed(table["timeout-ms"], "limits.timeout-ms", int, "an integer")
            if timeout is not None and not 1 <= timeout <= MAX_TIMEOUT_MS:
                self.problem(
                    "limits.timeout-ms", timeout, f"expected 1 to {MAX_TIMEOUT_MS} milliseconds"
                )
                timeout = None
        return Limits(memory, memory_text, timeout)

    def component(self, value: object) -> ComponentIdentity | None:
        table = self.table(value, "component", ("name", "version", "api-version"))
        if table is None:
            return None
        name = self.required_string(table, "component", "name")
        if name is not None and _COMPONENT_ID.fullmatch(name) is None:
            self.problem("component.name", name, _COMPONENT_ID_RULE)
            name = None
        version = self.required_string(table, "component", "version")
        if (
            version is not None
            and self.checked("component.version", version, parse_version) is None
        ):
            version = None
        api_version = None
        if "api-version" in table:
            key = "component.api-version"
            api_version = self.typed(table["api-version"], key, str, "a string")
            if api_version is not None and self.checked(key, api_version, parse_version) is None:
                api_version = None
        if name is None or version is None:
            return None
        return ComponentIdentity(name, version, api_version)

    def required_string(self, table: dict[str, object], parent: str, name: str) -> str | None:
        key = f"{parent}.{name}"
        if name not in table:
            self.missing(key, "missing (a string is required)")
            return None
        return self.typed(table[name], key, str, "a string")

    def filesystem(self, value: object) -> FilesystemGrants:
        key = "capabilities.filesystem"
        table = self.table(value, key, (*FS_ACTIONS, "allow-pseudo-filesystems"))
        if table is None:
            return FilesystemGrants()
        allow = False
        if "allow-pseudo-filesystems" in table:
            flag_key = f"{key}.allow-pseudo-filesystems"
            allow = bool(self.typed(table["allow-pseudo-filesystems"], flag_key, bool, "a boolean"))
            if allow:
                self.warn(
                    flag_key,
                    True,
                    "patterns may reach /proc, /dev and /sys, which can let a component "
                    "escape its sandbox",
                )

        def pattern(text: str, item_key: str) -> PathPattern | None:
            return self.checked(
                item_key, text, lambda t: parse_pattern(t, allow_pseudo_filesystems=allow)
            )

        grants = {
            action: self.items(table[action], f"{key}.{action}", pattern)
            for action in FS_ACTIONS
            if action in table
        }
        return FilesystemGrants(**grants, allow_pseudo_filesystems=allow)

    def network(self, value: object) -> tuple[NetworkGrant, ...]:
        key = "capabilities.network"
        if not isinstance(value, list):
            self.problem(
                key,
                value,
                f"expected an array of tables ([[{key}]]), found {_type_name(value)}",
            )
            return ()
        grants = []
        for index, entry in enumerate(value):
            grant = self.network_grant(entry, f"{key}[{index}]", index)
            if grant is not None:
                grants.append(grant)
        return tuple(grants)

    def network_grant(self, value: object, key: str, index: int) -> NetworkGrant | None:
        table = self.table(value, key, ("action", "host", "port", "allow-private"))
        if table is None:
            return None
        action: NetworkAction | None = None
        if "action" not in table:
            self.missing(f"{key}.action", 'missing ("outbound" or "inbound")')
        else:
            text = self.typed(table["action"], f"{key}.action", str, "a string")
            if text in NETWORK_ACTIONS:
                action = text
            elif text is not None:
                self.problem(f"{key}.action", text, 'expected "outbound" or "inbound"')
        port = None
        if "port" in table:
            port = self.typed(table["port"], f"{key}.port", int, "an integer")
            if port is not None and not 1 <= port <= 65535:
                self.problem(f"{key}.port", port, "a port is from 1 to 65535")
                port = None
        allow_private = False
        if "allow-private" in table:
            flag = self.typed(table["allow-private"], f"{key}.allow-private", bool, "a boolean")
            allow_private = bool(flag)
        host = None
        host_text = self.required_string(table, key, "host")
        if host_text is not None:
            host = self.checked(f"{key}.host", host_text, lambda t: parse_host_pattern(t, port))
        if host is None or action is None:
            return None
        if action == "inbound" and host.kind in ("wildcard", "any"):
            self.problem(
                f"{key}.host", host_text, "an inbound grant names the exact address to listen on"
            )
            return None
        if host.kind == "any":
            self.warn(f"{key}.host", host_text, "grants every host")
        elif host.kind == "wildcard" and "." not in host.host:
            self.warn(f"{key}.host", host_text, "grants every host of a top-level domain")
        return NetworkGrant(index, action, host, allow_private)

    def storage(self, value: object) -> StorageGrants:
        key = "capabilities.storage"
        table = self.table(value, key, ("namespaces", "max-size"))
        if table is None:
            return StorageGrants()
        namespaces: tuple[NamespaceGrant, ...] = ()
        if "namespaces" in table:
            namespaces = self.items(
                table["namespaces"],
                f"{key}.namespaces",
                lambda text, item_key: self.checked(item_key, text, parse_namespace_grant),
            )
        max_size = max_size_text = None
        if "max-size" in table:
            max_size_text = self.typed(table["max-size"], f"{key}.max-size", str, "a string")
            if max_size_text is not None:
                max_size = self.checked(f"{key}.max-size", max_size_text, parse_size)
        elif namespaces:
            self.missing(
                f"{key}.max-size",
                'missing: a limit is required when namespaces are granted (such as "100MB")',
            )
        return StorageGrants(namespaces, max_size, max_size_text)

    def process(self, value: object) -> tuple[str, ...]:
        key = "capabilities.process"
        table = self.table(value, key, ("spawn",))
        if table is None or "spawn" not in table:
            return ()
        return self.items(
            table["spawn"],
            f"{key}.spawn",
            lambda text, item_key: self.checked(item_key, text, _command),
        )

    def messaging(self, value: object) -> tuple[str, ...]:
        key = "capabilities.messaging"
        table = self.table(value, key, ("send",))
        if table is None or "send" not in table:
            return ()
        return self.items(
            table["send"],
            f"{key}.send",
            lambda text, item_key: self.checked(item_key, text, check_component_id),
        )

    def dependencies(self, value: object) -> tuple[Dependency, ...]:
        if not isinstance(value, dict):
            self.problem("dependencies", value, f"expected a table, found {_type_name(value)}")
            return ()
        dependencies = []
        for name, requirement in value.items():
            key = key_path("dependencies", name)
            if _INTERFACE_NAME.fullmatch(name) is None:
                self.problem(
                    key,
                    requirement,
                    "the key is not a package or interface name such as "
                    '"airssys:host-core" or "airssys:host-core/host-services"',
                )
                continue
            text = self.typed(requirement, key, str, "a string")
            if text is None:
                continue
            parsed = self.checked(key, text, parse_requirement)
            if parsed is not None:
                dependencies.append(Dependency(name, parsed))
        return tuple(dependencies)


_COMPONENT_ID_RULE = (
    "a component id is 1-64 lower-case letters, digits, `_` and `-`, "
    "starting with a letter or digit"
)


def check_component_id(text: str) -> str:
    """A component id (`[component] name`, a messaging target), checked."""
    if not isinstance(text, str) or _COMPONENT_ID.fullmatch(text) is None:
        raise ValueError(_COMPONENT_ID_RULE)
    return text


def _command(text: str) -> str:
    try:
        normal = normalize_path(text)
    except InvalidPath as error:
        raise ValueError(f"a command is an absolute path: {error}") from None
    if normal != text:
        raise ValueError(f"write the command in normal form: {quote(normal)}")
    if any(char in text for char in "*?[{"):
        raise ValueError("a command is an exact path, not a pattern")
    return text
