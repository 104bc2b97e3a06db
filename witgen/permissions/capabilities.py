"""The capabilities a grant can give, by name.

In: nothing.  Out: the action types of each kind of grant, and `CAPABILITIES`,
the names (`filesystem.read`, `network.outbound`, ...) that WIT doc comments use
in their `Capability:` line and that `PermissionDenied` reports.  Raises:
nothing.

Each name is `<kind>.<action>`, and the manifest key that grants it follows
the same shape: `filesystem.read` is `[capabilities.filesystem] read`,
`process.spawn` is `[capabilities.process] spawn`, `messaging.send` is
`[capabilities.messaging] send`, `network.outbound` is a
`[[capabilities.network]]` entry with `action = "outbound"`.  The storage
actions are all granted by `[capabilities.storage] namespaces`.
"""

from __future__ import annotations

from typing import Literal

FsAction = Literal["read", "write", "delete", "list"]
NetworkAction = Literal["outbound", "inbound"]
StorageAction = Literal["read", "write", "delete", "list"]

FS_ACTIONS: tuple[FsAction, ...] = ("read", "write", "delete", "list")
NETWORK_ACTIONS: tuple[NetworkAction, ...] = ("outbound", "inbound")
STORAGE_ACTIONS: tuple[StorageAction, ...] = ("read", "write", "delete", "list")

CAPABILITIES: frozenset[str] = frozenset(
    [f"filesystem.{action}" for action in FS_ACTIONS]
    + [f"network.{action}" for action in NETWORK_ACTIONS]
    + [f"storage.{action}" for action in STORAGE_ACTIONS]
    + ["process.spawn", "messaging.send"]
)
"""Every capability a component can be granted."""

NO_CAPABILITY = "none"
"""What a WIT `Capability:` line says for a function that needs no grant."""
