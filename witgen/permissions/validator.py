"""The permission validator: one per component, built once from its manifest.

In: a checked `Manifest`.  Out: `PermissionValidator`, whose `check_*`
methods return the canonical form of an allowed request (the one the host
must then use: the normalized path, the A-label host, the addresses to
connect to) and raise `PermissionDenied` for anything else (its subclass
`AddressDenied` when D4 refuses a private address), and whose `rule_for_*`
methods name the grant that allows a request (slow; for explanations).
Raises: `PermissionDenied` for a denied or invalid request;
`ValueError` for an action name that does not exist (a bug in the host, not a
denial).

Deny by default: a request is allowed only when a grant of the same
component, kind and action matches it.  Everything is compiled when the
validator is built; a check never parses a pattern.  Allowed filesystem,
network and storage decisions are kept in small bounded caches (at most 1024
entries each; emptied when full), keyed by the request exactly as given (what
it normalizes to is a pure function of it), and owned by this validator, so
the cache of one component never answers for another (vector #83).  Denials
are not cached.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from typing import TypeVar

from wcmatch import glob

from witgen.permissions.capabilities import (
    FS_ACTIONS,
    NETWORK_ACTIONS,
    STORAGE_ACTIONS,
    FsAction,
    NetworkAction,
    StorageAction,
)
from witgen.permissions.errors import AddressDenied, PermissionDenied, quote
from witgen.permissions.hosts import (
    Host,
    InvalidHost,
    IPAddress,
    canonical_host,
    check_port,
    fold_address,
    is_restricted_address,
    parse_url,
)
from witgen.permissions.manifest import (
    Manifest,
    NetworkGrant,
    check_component_id,
    load_manifest,
)
from witgen.permissions.paths import InvalidPath, PathMatcher, PathPattern, normalize_path
from witgen.permissions.storage import (
    InvalidNamespace,
    NamespaceGrant,
    StorageQuota,
    check_namespace,
)

CACHE_SIZE = 1024
_K = TypeVar("_K")


def _remember(cache: dict[_K, str], key: _K, value: str) -> None:
    """Add to a bounded decision cache, emptying it first when it is full.

    Each step is one dict operation, atomic under the GIL (and per-dict locked
    without it), so concurrent checks need no lock: at worst both empty it.
    """
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value


class _FsRules:
    """The compiled patterns of one filesystem action and its decision cache."""

    __slots__ = ("action", "allowed", "matcher", "patterns")

    def __init__(self, action: FsAction, patterns: tuple[PathPattern, ...]) -> None:
        self.action = action
        self.patterns = patterns
        self.matcher = PathMatcher(patterns)
        self.allowed: dict[str, str] = {}


class _HostIndex:
    """The network grants of one action, indexed by canonical host, and its cache."""

    __slots__ = ("allowed", "any", "exact", "suffixes")

    def __init__(self, grants: Iterable[NetworkGrant]) -> None:
        self.allowed: dict[tuple[str, int], str] = {}
        self.exact: dict[str, list[NetworkGrant]] = {}
        wildcard: dict[str, list[NetworkGrant]] = {}
        self.any: list[NetworkGrant] = []
        for grant in grants:
            if grant.host.kind == "any":
                self.any.append(grant)
            elif grant.host.kind == "wildcard":
                wildcard.setdefault(grant.host.host, []).append(grant)
            else:
                self.exact.setdefault(grant.host.host, []).append(grant)
        # `*.example.com` as (".example.com", its grants): a name matches when it
        # ends with the suffix, which is never the name itself (D3).
        self.suffixes = tuple(("." + suffix, found) for suffix, found in wildcard.items())

    def candidates(self, host: Host) -> list[NetworkGrant]:
        """Every grant whose host matches, in manifest order (ports not checked).

        The list may be the index's own: callers must not change it.
        """
        exact = self.exact.get(host.text, [])
        if not self.any and not (self.suffixes and host.kind == "name"):
            return exact
        found = list(exact)
        if host.kind == "name":
            for suffix, grants in self.suffixes:
                if host.text.endswith(suffix):
                    found.extend(grants)
        found.extend(self.any)
        if len(found) > 1:
            found.sort(key=_grant_index)
        return found


def _grant_index(grant: NetworkGrant) -> int:
    return grant.index


class PermissionValidator:
    """Checks one component's requests against its grants."""

    __slots__ = (
        "_categories",
        "_fs",
        "_hosts",
        "_messaging",
        "_namespaces",
        "_process",
        "_storage_allowed",
        "component",
        "manifest",
    )

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.component = manifest.component.name
        self._fs = {
            action: _FsRules(action, manifest.filesystem.patterns(action)) for action in FS_ACTIONS
        }
        self._hosts = {
            action: _HostIndex(grant for grant in manifest.network if grant.action == action)
            for action in NETWORK_ACTIONS
        }
        grants = manifest.storage.namespaces
        self._namespaces = frozenset(grant.text for grant in grants if grant.name is not None)
        self._categories = frozenset(grant.category for grant in grants if grant.name is None)
        self._storage_allowed: dict[str, str] = {}
        self._process = frozenset(manifest.process)
        self._messaging = frozenset(manifest.messaging)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PermissionValidator:
        """The validator of the manifest at `path` (raises `ManifestError`)."""
        return cls(load_manifest(path))

    # -- filesystem --------------------------------------------------------

    def check_filesystem(self, path: str, action: FsAction) -> str:
        """The normalized path if `action` on `path` is granted."""
        try:
            rules = self._fs[action]
        except (KeyError, TypeError):
            raise ValueError(f"unknown filesystem action {action!r}") from None
        normal = rules.allowed.get(path)
        if normal is not None:
            return normal
        try:
            normal = normalize_path(path)
        except InvalidPath as error:
            raise self._denied(f"filesystem.{action}", path, f"invalid path: {error}") from None
        if not rules.matcher.matches(normal):
            raise self._fs_denied(rules, path, normal)
        _remember(rules.allowed, path, normal)
        return normal

    def rule_for_filesystem(self, path: str, action: FsAction) -> tuple[str, str] | None:
        """The key and pattern of the grant allowing `action` on `path`, if any."""
        try:
            normal = normalize_path(path)
        except InvalidPath:
            return None
        found = self._fs[action].matcher.rule_for(normal)
        if found is None:
            return None
        index, pattern = found
        return f"capabilities.filesystem.{action}[{index}]", pattern.text

    def _fs_denied(self, rules: _FsRules, path: str, normal: str) -> PermissionDenied:
        reason = f"no {rules.action} pattern matches {quote(normal)}"
        if normal != path:
            reason += f" (the normal form of {quote(path)})"
        if rules.patterns:
            listed = ", ".join(quote(pattern.text) for pattern in rules.patterns)
            reason += f"; {rules.action} patterns: {listed}"
        else:
            reason += f"; the manifest grants no filesystem {rules.action}"
        others = [
            other
            for other in FS_ACTIONS
            if other != rules.action and self._fs[other].matcher.matches(normal)
        ]
        if others:
            reason += f" (it is granted for {', '.join(others)}, and actions are separate)"
        grant = f"[capabilities.filesystem] {rules.action} = [{quote(glob.escape(normal))}]"
        return self._denied(f"filesystem.{rules.action}", path, reason, grant)

    # -- network -----------------------------------------------------------

    def check_network(self, host: str, port: int, action: NetworkAction = "outbound") -> str:
        """The canonical host (connect to this, never to `host`) if granted.

        For an IP literal this also applies D4: an outbound connection to a
        restricted address needs a grant that names it, or `allow-private`.
        A name's addresses are checked by `check_addresses` after resolution.
        """
        index = self._hosts.get(action) if isinstance(action, str) else None
        if index is not None and type(port) is int:
            known = index.allowed.get((host, port))
            if known is not None:
                return known
        canonical, _ = self._network_grants(host, port, action)
        assert index is not None  # an unknown action raised ValueError
        _remember(index.allowed, (host, port), canonical.text)
        return canonical.text

    def check_url(self, url: str) -> tuple[str, int]:
        """The canonical host and port of an outbound `http`/`https` URL, if granted."""
        try:
            _, host, port = parse_url(url)
        except InvalidHost as error:
            raise self._denied("network.outbound", url, f"invalid URL: {error}") from None
        return self.check_network(host.text, port, "outbound"), port

    def check_addresses(
        self,
        host: str,
        port: int,
        addresses: Iterable[str | IPAddress],
        action: NetworkAction = "outbound",
    ) -> tuple[str, ...]:
        """The addresses `host` resolved to, if all may be connected to (D4).

        Connect only to the addresses returned.  Any restricted address
        (private, loopback, link-local, ...) denies the whole request unless a
        matching grant has `allow-private`, or a grant names that address.
        """
        canonical, grants = self._network_grants(host, port, action)
        checked: list[str] = []
        for item in addresses:
            try:
                address = fold_address(
                    item if not isinstance(item, str) else ipaddress.ip_address(item)
                )
            except ValueError:
                raise self._denied(
                    f"network.{action}", host, f"resolved to an invalid address {item!r}"
                ) from None
            if (
                action == "outbound"
                and is_restricted_address(address)
                and not any(grant.allow_private for grant in grants)
                and not self._names_address(address, port, action)
            ):
                raise self._denied(
                    f"network.{action}",
                    f"{canonical.text}:{port}",
                    f"{canonical.text} resolves to {address}, a private, loopback, "
                    "link-local or otherwise non-global address (D4)",
                    f"allow-private = true in the grant of {canonical.text}, "
                    f'or a grant with host = "{_bracket(str(address))}"',
                    AddressDenied,
                )
            checked.append(str(address))
        if not checked:
            raise self._denied(f"network.{action}", host, "the host resolved to no address")
        return tuple(checked)

    def rule_for_network(
        self, host: str, port: int, action: NetworkAction = "outbound"
    ) -> tuple[str, str] | None:
        """The key and host pattern of the grant allowing the request, if any."""
        try:
            _, grants = self._network_grants(host, port, action)
        except PermissionDenied:
            return None
        return grants[0].key, grants[0].host.display()

    def _network_grants(
        self, host: str, port: int, action: NetworkAction
    ) -> tuple[Host, list[NetworkGrant]]:
        """The canonical host and the grants that allow the request, first first."""
        try:
            index = self._hosts[action]
        except (KeyError, TypeError):
            raise ValueError(f"unknown network action {action!r}") from None
        capability = f"network.{action}"
        try:
            canonical = canonical_host(host)
            check_port(port)
        except InvalidHost as error:
            resource = f"{host}:{port}"
            raise self._denied(capability, resource, f"invalid request: {error}") from None
        candidates = index.candidates(canonical)
        grants = [g for g in candidates if g.host.port is None or g.host.port == port]
        if grants and action == "outbound" and canonical.kind == "ip":
            address = ipaddress.ip_address(canonical.text)
            if is_restricted_address(address):
                grants = [g for g in grants if g.host.kind == "ip" or g.allow_private]
                if not grants:
                    raise self._denied(
                        capability,
                        f"{_bracket(canonical.text)}:{port}",
                        f"{address} is a private, loopback, link-local or otherwise non-global "
                        "address, and only a grant that names it allows it (D4)",
                        f'[[capabilities.network]] action = "{action}", host = '
                        f'"{_bracket(str(address))}", port = {port}',
                        AddressDenied,
                    )
        if grants:
            return canonical, grants
        if candidates:
            ports = ", ".join(str(g.host.port) for g in candidates)
            reason = f"{canonical.text} is granted only on port {ports}"
        else:
            reason = f"no {action} grant matches {canonical.text}"
            if canonical.text != host:
                reason += f" (the canonical form of {quote(host)})"
            other = [a for a in NETWORK_ACTIONS if a != action]
            if any(self._hosts[a].candidates(canonical) for a in other):
                reason += f" (it is granted for {other[0]}, and directions are separate)"
        raise self._denied(
            capability,
            f"{_bracket(canonical.text)}:{port}",
            reason,
            f'[[capabilities.network]] action = "{action}", host = '
            f"{quote(_bracket(canonical.text))}, port = {port}",
        )

    def _names_address(self, address: IPAddress, port: int, action: NetworkAction) -> bool:
        for grant in self._hosts[action].exact.get(str(address), ()):
            if grant.host.port is None or grant.host.port == port:
                return True
        return False

    # -- storage -----------------------------------------------------------

    def check_storage(self, namespace: str, action: StorageAction) -> str:
        """The namespace, if `action` in it is granted."""
        if action not in STORAGE_ACTIONS:
            raise ValueError(f"unknown storage action {action!r}")
        if namespace in self._namespaces or namespace in self._storage_allowed:
            return namespace
        try:
            check_namespace(namespace)
        except InvalidNamespace as error:
            raise self._denied(f"storage.{action}", namespace, str(error)) from None
        if namespace.partition(":")[0] in self._categories:
            _remember(self._storage_allowed, namespace, namespace)
            return namespace
        granted = ", ".join(quote(grant.text) for grant in self.manifest.storage.namespaces)
        reason = f"no namespace grant matches {quote(namespace)}"
        reason += f"; granted: {granted}" if granted else "; the manifest grants no storage"
        raise self._denied(
            f"storage.{action}",
            namespace,
            reason,
            f"[capabilities.storage] namespaces = [{quote(namespace)}]",
        )

    def rule_for_storage(self, namespace: str) -> tuple[str, str] | None:
        """The key and text of the grant allowing `namespace`, if any."""
        try:
            check_namespace(namespace)
        except InvalidNamespace:
            return None
        grant: NamespaceGrant
        for index, grant in enumerate(self.manifest.storage.namespaces):
            if grant.matches(namespace):
                return f"capabilities.storage.namespaces[{index}]", grant.text
        return None

    def new_storage_quota(self) -> StorageQuota:
        """A fresh account of the bytes this component stores, against its `max-size`."""
        storage = self.manifest.storage
        return StorageQuota(self.component, storage.max_size or 0, storage.max_size_text)

    # -- process and messaging --------------------------------------------

    def check_process(self, command: str) -> str:
        """The command, if this component may spawn it (an exact absolute path)."""
        if command in self._process:
            return command
        try:
            normal = normalize_path(command)
        except InvalidPath as error:
            raise self._denied("process.spawn", command, f"invalid command: {error}") from None
        if normal != command:
            reason = f"a command must be in normal form ({quote(normal)})"
            raise self._denied("process.spawn", command, reason)
        listed = ", ".join(quote(item) for item in self.manifest.process) or "nothing"
        raise self._denied(
            "process.spawn",
            command,
            f"the command is not listed; may spawn: {listed}",
            f"[capabilities.process] spawn = [{quote(command)}]",
        )

    def rule_for_process(self, command: str) -> tuple[str, str] | None:
        if command in self._process:
            return f"capabilities.process.spawn[{self.manifest.process.index(command)}]", command
        return None

    def check_messaging(self, target: str) -> str:
        """The target component id, if this component may message it."""
        if target in self._messaging:
            return target
        try:
            check_component_id(target)
        except ValueError as error:
            raise self._denied("messaging.send", target, f"invalid target: {error}") from None
        listed = ", ".join(quote(item) for item in self.manifest.messaging) or "nothing"
        raise self._denied(
            "messaging.send",
            target,
            f"the target is not listed; may message: {listed}",
            f"[capabilities.messaging] send = [{quote(target)}]",
        )

    def rule_for_messaging(self, target: str) -> tuple[str, str] | None:
        if target in self._messaging:
            return f"capabilities.messaging.send[{self.manifest.messaging.index(target)}]", target
        return None

    def _denied(
        self,
        capability: str,
        resource: object,
        reason: str,
        grant: str | None = None,
        kind: type[PermissionDenied] = PermissionDenied,
    ) -> PermissionDenied:
        shown = resource if isinstance(resource, str) else repr(resource)
        return kind(self.component, capability, shown, reason, grant)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host
