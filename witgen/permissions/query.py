"""Questions about a manifest, answered as text: what does it grant, and why.

In: query text as a user writes it on the command line (`read:/data/x.txt`,
`outbound:api.example.com:443`, `read:myapp:config`, `/usr/bin/echo`,
`other-component`), a `PermissionValidator`, a `Manifest`.  Out:
`parse_query()` gives a `Query`; `answer()` gives an `Answer` (allowed or not,
and the rule that matched or the reason and the grant that would allow it);
`summarize()` gives the lines describing what a manifest grants;
`interface_problems()` gives the manifest's `[dependencies]` and
`api-version` that a host cannot satisfy, as `ManifestProblem`s with key paths.  Raises:
`ValueError` from `parse_query()` for a query that is not well formed (a usage
error, not a denial).  Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast

from witgen.permissions.capabilities import (
    FS_ACTIONS,
    NETWORK_ACTIONS,
    STORAGE_ACTIONS,
    FsAction,
    NetworkAction,
    StorageAction,
)
from witgen.permissions.errors import ManifestProblem, PermissionDenied, quote
from witgen.permissions.hosts import parse_port
from witgen.permissions.interfaces import InterfaceValidator
from witgen.permissions.manifest import Manifest, key_path
from witgen.permissions.validator import PermissionValidator

QueryKind = Literal["fs", "net", "storage", "process", "message"]


@dataclass(frozen=True, slots=True)
class Query:
    """One question: may the component do `action` to `resource` (and `port`)?"""

    kind: QueryKind
    action: str
    resource: str
    port: int | None = None

    @property
    def capability(self) -> str:
        kind = {"fs": "filesystem", "net": "network", "storage": "storage"}.get(self.kind)
        if kind is not None:
            return f"{kind}.{self.action}"
        return "process.spawn" if self.kind == "process" else "messaging.send"

    @property
    def shown(self) -> str:
        if self.port is None:
            return self.resource
        host = f"[{self.resource}]" if ":" in self.resource else self.resource
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer: `detail` is the matching rule, or the reason for a denial."""

    allowed: bool
    query: Query
    detail: str

    def __str__(self) -> str:
        verdict = "allow" if self.allowed else "deny"
        return f"{verdict} {self.query.capability} {quote(self.query.shown)}: {self.detail}"


def parse_query(kind: QueryKind, text: str) -> Query:
    """A query as written after `--fs`, `--net`, `--storage`, `--process` or `--message`."""
    if kind in ("process", "message"):
        return Query(kind, "spawn" if kind == "process" else "send", text)
    action, colon, rest = text.partition(":")
    if not colon:
        raise ValueError(f"expected ACTION:..., such as {_EXAMPLES[kind]}")
    actions: tuple[str, ...] = {"fs": FS_ACTIONS, "net": NETWORK_ACTIONS}.get(kind, STORAGE_ACTIONS)
    if action not in actions:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(actions)}")
    if kind != "net":
        return Query(kind, action, rest)
    host, colon, port = rest.rpartition(":")
    if not colon or not host:
        raise ValueError(f"expected ACTION:HOST:PORT, such as {_EXAMPLES[kind]}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        number = parse_port(port)
    except ValueError as error:
        raise ValueError(str(error)) from None
    return Query(kind, action, host, number)


_EXAMPLES = {
    "fs": "read:/data/x.txt",
    "net": "outbound:api.example.com:443",
    "storage": "read:myapp:config",
}


def answer(validator: PermissionValidator, query: Query) -> Answer:
    """Whether `validator` allows `query`, and why."""
    try:
        rule = _check(validator, query)
    except PermissionDenied as denial:
        detail = denial.reason
        if denial.grant is not None:
            detail += f"; to allow it, add: {denial.grant}"
        return Answer(False, query, detail)
    return Answer(True, query, rule)


def _check(validator: PermissionValidator, query: Query) -> str:
    """The rule that allows `query` (raising `PermissionDenied` if none does)."""
    if query.kind == "fs":
        action = cast(FsAction, query.action)
        normal = validator.check_filesystem(query.resource, action)
        found = validator.rule_for_filesystem(query.resource, action)
        suffix = f" (as {quote(normal)})" if normal != query.resource else ""
    elif query.kind == "net":
        direction = cast(NetworkAction, query.action)
        assert query.port is not None
        host = validator.check_network(query.resource, query.port, direction)
        found = validator.rule_for_network(query.resource, query.port, direction)
        suffix = f" (as {quote(host)})" if host != query.resource else ""
    elif query.kind == "storage":
        validator.check_storage(query.resource, cast(StorageAction, query.action))
        found = validator.rule_for_storage(query.resource)
        suffix = ""
    elif query.kind == "process":
        validator.check_process(query.resource)
        found = validator.rule_for_process(query.resource)
        suffix = ""
    else:
        validator.check_messaging(query.resource)
        found = validator.rule_for_messaging(query.resource)
        suffix = ""
    assert found is not None  # a check that passed has a rule
    key, value = found
    return f"matched {key} = {quote(value)}{suffix}"


def summarize(manifest: Manifest) -> tuple[str, ...]:
    """What a manifest grants, one line each, for `witgen manifest check`."""
    info = manifest.component
    head = f"component {info.name} {info.version}"
    if info.api_version is not None:
        head += f" (api-version {info.api_version})"
    lines = [f"{head} in {manifest.file} grants:"]
    for action in FS_ACTIONS:
        patterns = manifest.filesystem.patterns(action)
        lines.append(f"  filesystem.{action}: {_listed(p.text for p in patterns)}")
    for direction in NETWORK_ACTIONS:
        grants = [g for g in manifest.network if g.action == direction]
        described = []
        for grant in grants:
            text = grant.host.display()
            if grant.host.port is None:
                text += " (any port)"
            if grant.allow_private:
                text += " (allow-private)"
            described.append(text)
        lines.append(f"  network.{direction}: {', '.join(described) or 'nothing'}")
    storage = manifest.storage
    namespaces = _listed(grant.text for grant in storage.namespaces)
    if storage.namespaces and storage.max_size is not None:
        namespaces += f" (max-size {storage.max_size_text} = {storage.max_size:,} bytes in all)"
    lines.append(f"  storage.{{{','.join(STORAGE_ACTIONS)}}}: {namespaces}")
    lines.append(f"  process.spawn: {_listed(manifest.process)}")
    lines.append(f"  messaging.send: {_listed(manifest.messaging)}")
    if manifest.dependencies:
        deps = ", ".join(f"{d.name} {d.requirement}" for d in manifest.dependencies)
        lines.append(f"requires: {deps}")
    limits = manifest.limits
    if limits.memory is not None or limits.timeout_ms is not None:
        asked = []
        if limits.memory is not None:
            asked.append(f"memory {limits.memory_text} = {limits.memory:,} bytes")
        if limits.timeout_ms is not None:
            asked.append(f"timeout {limits.timeout_ms} ms per call")
        lines.append(f"limits: {', '.join(asked)}")
    return tuple(lines)


def interface_problems(
    manifest: Manifest, host: InterfaceValidator | None = None
) -> tuple[ManifestProblem, ...]:
    """The requirements of `manifest` that `host` (by default airssys 1.0) cannot meet."""
    host = host if host is not None else InterfaceValidator()
    found = []
    for dependency in manifest.dependencies:
        for problem in host.check(dependencies=[(dependency.name, dependency.requirement)]):
            key = key_path("dependencies", dependency.name)
            value = quote(dependency.requirement.text)
            found.append(
                ManifestProblem(
                    manifest.file, key, value, f"{problem.kind.value}: {problem.message}"
                )
            )
    api_version = manifest.component.api_version
    if api_version is not None:
        for problem in host.check(api_version=api_version):
            message = f"{problem.kind.value}: {problem.message}"
            found.append(
                ManifestProblem(manifest.file, "component.api-version", quote(api_version), message)
            )
    return tuple(found)


def _listed(items: Iterable[str]) -> str:
    texts = list(items)
    return ", ".join(texts) if texts else "nothing"
