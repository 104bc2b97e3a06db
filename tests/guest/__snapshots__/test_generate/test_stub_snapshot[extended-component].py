# ===== Component.toml
# The capability manifest of `app`: what the host lets it do.
# Grant the least it needs; `witgen build` checks it against the world's imports,
# and `witgen manifest check Component.toml` explains what it grants.

[component]
name = "app"
version = "0.1.0"

# The component imports `airssys:host-extensions/filesystem@1.0.0`;
# its calls need filesystem.delete, filesystem.list, filesystem.read, filesystem.write, granted like this:
# [capabilities.filesystem]
# delete = ["/data/out/**"]
# list = ["/data/**"]
# read = ["/data/**"]
# write = ["/data/out/**"]

# The component imports `airssys:host-extensions/network@1.0.0`;
# its calls need network.outbound, granted like this:
# [[capabilities.network]]
# action = "outbound"
# host = "api.example.com"
# port = 443

# The component imports `airssys:host-extensions/process@1.0.0`;
# its calls need process.spawn, granted like this:
# [capabilities.process]
# spawn = ["/usr/bin/echo"]

# The component imports `airssys:host-extensions/storage@1.0.0`;
# its calls need storage.delete, storage.list, storage.read, storage.write, granted like this:
# [capabilities.storage]
# namespaces = ["myapp:*"]

# The component imports `airssys:host-core/host-services@1.0.0`;
# its calls need messaging.send, granted like this:
# [capabilities.messaging]
# send = ["other-component"]
# ===== app.py
"""Component `app`: a Python guest of world `airssys:component-core/extended-component@1.0.0`.

Created by `witgen generate --guest`; this file is yours: witgen never rewrites it.
Each class implements an exported interface; componentize-py finds it by its name.
Build with `witgen build .` in this folder (componentize-py, then the manifest
checks) and run with `witgen run app.wasm --execute DATA`.

A component that also uses the host extensions: filesystem, network,
process and key-value storage. Each call is still checked against the
component's Component.toml grants.
"""

from __future__ import annotations

from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import types

import wit_imports  # noqa: F401 (typed calls of the world's imports, by witgen)


class State:
    """What the component keeps between calls: one instance is one interpreter."""

    config: types.ComponentConfig | None = None


class ComponentLifecycle(exports.ComponentLifecycle):
    """`airssys:component-core/component-lifecycle@1.0.0`, exported.

    The universal component lifecycle: every component exports it.

    These functions are called by the host, so none of them needs a grant;
    each still says so in the fixed `Capability:` form.
    """

    def init(self, config: types.ComponentConfig) -> None:
        """`init`. Default: keeps the configuration in `State.config` and accepts it.

        Initialize the component with its configuration.

        Called once, after instantiation; the component becomes active only when
        it succeeds. Set up resources, validate the configuration, prepare state.

        Capability: none

        Raise `Err(value)`, `value` a `types.ComponentError`, for the error case.
        """
        State.config = config

    def execute(self, operation: bytes, context: types.ExecutionContext) -> bytes:
        """`execute`. Default: returns the operation unchanged (an echo service).

        Handle an external request (synchronous request and response).

        Flow: external caller, then the host's RPC gateway, then `execute`.
        The data is self-describing (multicodec prefix). Must complete within
        `context.timeout-ms`.

        Capability: none

        Raise `Err(value)`, `value` a `types.ExecutionError`, for the error case.
        """
        return operation

    def handle_message(self, sender: str, message: bytes) -> None:
        """`handle-message`. Default: refuses every message with a WIT error case.

        Handle a message from another component (asynchronous push delivery).

        Flow: component A calls `send-message`, the host delivers it to
        component B's `handle-message`. Components never poll for messages.

        Capability: none

        Raise `Err(value)`, `value` a `types.MessagingError`, for the error case.
        """
        raise Err(types.MessagingError_DeliveryFailed("app accepts no messages"))

    def handle_callback(self, request_id: str, result: Result[bytes, str]) -> None:
        """`handle-callback`. Default: does nothing; the contract allows it.

        Handle the response to a request this component sent with `send-request`.

        Only components that use `send-request` need to do anything here.

        Capability: none

        Raise `Err(value)`, `value` a `types.MessagingError`, for the error case.
        """
        return None

    def metadata(self) -> types.ComponentMetadata:
        """`metadata`. Default: the metadata of this component; edit it to describe yours.

        Static metadata about the component; may be called before `init`.

        Capability: none
        """
        return types.ComponentMetadata(
            name="app",
            version="0.1.0",
            description="app: a Python component",
            author="",
            license="",
            requested_permissions=types.RequestedPermissions(filesystem=[], network=[], storage=[]),
            supported_operations=["echo"],
            language="python",
            memory_requirements=types.MemoryRequirements(
                min_memory_bytes=16 << 20,
                max_memory_bytes=256 << 20,
                preferred_memory_bytes=64 << 20,
            ),
            timeout_ms=None,
            stateful=True,
            api_version="1.0.0",
            homepage=None,
            repository=None,
            tags=[],
        )

    def health(self) -> types.HealthStatus:
        """`health`. Default: healthy.

        Health check for monitoring; should be fast (under 10 ms).

        Capability: none
        """
        return types.HealthStatus(healthy=True, reason=None)

    def shutdown(self) -> None:
        """`shutdown`. Default: does nothing; the contract allows it.

        Graceful shutdown: release resources, flush state, close connections.

        Must complete within the host's configured shutdown timeout.

        Capability: none

        Raise `Err(value)`, `value` a `types.ComponentError`, for the error case.
        """
        return None
# ===== wit_imports.py
# @generated by witgen from ../wit. DO NOT EDIT.
"""Typed calls of what world `airssys:component-core/extended-component@1.0.0` imports.

In: the arguments of each WIT function.  Out: what it returns; a function
with a WIT error case returns `Ok(value)` or `Err(error)` (componentize-py's
`Result`) instead of raising, so the type checker makes callers look at
the error.  Raises whatever the host call traps with.

Each class is one imported interface; each static method calls
componentize-py's binding of the function (`wit_world.imports`).
"""

from __future__ import annotations

from typing import List, Tuple

from componentize_py_types import Err, Ok, Result
from wit_world.imports import filesystem, host_services, network, process, storage, types

# What `witgen build` builds this app for, unless told otherwise (the path is
# relative to this folder).
WIT_WORLD = "extended-component"
WIT_PATH = "../wit"

__all__ = ["Filesystem", "Network", "Process", "Storage", "HostServices"]


class Filesystem:
    """`airssys:host-extensions/filesystem@1.0.0`, imported.

    Filesystem operations, checked against `[capabilities.filesystem]`.

    Paths are absolute (`/data/in.txt`) and are resolved beneath the host's root
    for the component; a symbolic link never leads out of it. Creating or
    truncating a file is a write.
    """

    @staticmethod
    def read_file(path: str) -> Result[bytes, types.FileError]:
        """Read the entire contents of a file.

        Capability: filesystem.read

        Returns `Err(error)`, `error` a `types.FileError`, for the error case.
        """
        try:
            return Ok(filesystem.read_file(path))
        except Err as error:
            return error

    @staticmethod
    def write_file(path: str, data: bytes) -> Result[None, types.FileError]:
        """Write the entire contents of a file, replacing what it held.

        The host writes a temporary file and renames it into place.

        Capability: filesystem.write

        Returns `Err(error)`, `error` a `types.FileError`, for the error case.
        """
        try:
            filesystem.write_file(path, data)
        except Err as error:
            return error
        return Ok(None)

    @staticmethod
    def stat_file(path: str) -> Result[filesystem.FileMetadata, types.FileError]:
        """Get the metadata of a file or directory.

        Capability: filesystem.read

        Returns `Err(error)`, `error` a `types.FileError`, for the error case.
        """
        try:
            return Ok(filesystem.stat_file(path))
        except Err as error:
            return error

    @staticmethod
    def delete_file(path: str) -> Result[None, types.FileError]:
        """Delete a file.

        Capability: filesystem.delete

        Returns `Err(error)`, `error` a `types.FileError`, for the error case.
        """
        try:
            filesystem.delete_file(path)
        except Err as error:
            return error
        return Ok(None)

    @staticmethod
    def list_directory(path: str) -> Result[List[filesystem.DirectoryEntry], types.FileError]:
        """List the entries of a directory.

        Capability: filesystem.list

        Returns `Err(error)`, `error` a `types.FileError`, for the error case.
        """
        try:
            return Ok(filesystem.list_directory(path))
        except Err as error:
            return error

    @staticmethod
    def create_directory(path: str) -> Result[None, types.FileError]:
        """Create a directory, and its parents if needed.

        Capability: filesystem.write

        Returns `Err(error)`, `error` a `types.FileError`, for the error case.
        """
        try:
            filesystem.create_directory(path)
        except Err as error:
            return error
        return Ok(None)


class Network:
    """`airssys:host-extensions/network@1.0.0`, imported.

    Network operations, checked against `[[capabilities.network]]`.
    """

    @staticmethod
    def http_request(
        request: network.OutgoingHttpRequest,
    ) -> Result[network.HttpResponse, types.HttpError]:
        """Send an HTTP request and wait for its response.

        The host checks the URL's host and port (80 for `http`, 443 for `https`
        unless the URL names one), then connects only to addresses it checked.

        Capability: network.outbound

        Returns `Err(error)`, `error` a `types.HttpError`, for the error case.
        """
        try:
            return Ok(network.http_request(request))
        except Err as error:
            return error


class Process:
    """`airssys:host-extensions/process@1.0.0`, imported.

    Process operations, checked against `[capabilities.process]`.
    """

    @staticmethod
    def spawn_process(
        command: str, args: List[str], env: List[Tuple[str, str]] | None
    ) -> Result[int, types.ComponentError]:
        """Spawn a new process.

        `command` is an absolute path that must be listed in the component's
        `[capabilities.process] spawn`; it is never looked up on `PATH`.

        Capability: process.spawn

        Returns `Err(error)`, `error` a `types.ComponentError`, for the error case.
        """
        try:
            return Ok(process.spawn_process(command, args, env))
        except Err as error:
            return error

    @staticmethod
    def wait_process(
        handle: int, timeout_ms: int
    ) -> Result[process.ProcessResult, types.ComponentError]:
        """Wait for a process to finish.

        Only a handle this component got from `spawn-process` is accepted, so
        the grant was checked when the process was spawned.

        Capability: none

        Returns `Err(error)`, `error` a `types.ComponentError`, for the error case.
        """
        try:
            return Ok(process.wait_process(handle, timeout_ms))
        except Err as error:
            return error

    @staticmethod
    def get_env(name: str) -> str | None:
        """Get one of the component's own environment variables.

        Capability: none
        """
        return process.get_env(name)


class Storage:
    """`airssys:host-extensions/storage@1.0.0`, imported.

    A key-value store, divided into namespaces, checked against
    `[capabilities.storage]`.

    A namespace is `category:name` (for example `myapp:config`). A component
    sees only the namespaces it is granted, and everything it stores counts
    against its `max-size`.
    """

    @staticmethod
    def get(namespace: str, key: str) -> Result[bytes | None, storage.StorageError]:
        """Get the value stored under `key`, if any.

        Capability: storage.read

        Returns `Err(error)`, `error` a `storage.StorageError`, for the error case.
        """
        try:
            return Ok(storage.get(namespace, key))
        except Err as error:
            return error

    @staticmethod
    def set(namespace: str, key: str, value: bytes) -> Result[None, storage.StorageError]:
        """Store `value` under `key`, replacing any value already there.

        Capability: storage.write

        Returns `Err(error)`, `error` a `storage.StorageError`, for the error case.
        """
        try:
            storage.set(namespace, key, value)
        except Err as error:
            return error
        return Ok(None)

    @staticmethod
    def delete(namespace: str, key: str) -> Result[None, storage.StorageError]:
        """Delete the value stored under `key`; deleting a missing key succeeds.

        Capability: storage.delete

        Returns `Err(error)`, `error` a `storage.StorageError`, for the error case.
        """
        try:
            storage.delete(namespace, key)
        except Err as error:
            return error
        return Ok(None)

    @staticmethod
    def list_keys(namespace: str) -> Result[List[str], storage.StorageError]:
        """The keys stored in a namespace.

        Capability: storage.list

        Returns `Err(error)`, `error` a `storage.StorageError`, for the error case.
        """
        try:
            return Ok(storage.list_keys(namespace))
        except Err as error:
            return error


class HostServices:
    """`airssys:host-core/host-services@1.0.0`, imported.

    Core services, always available to every component.

    Each function's documentation ends with one `Capability:` line: the grant
    the host checks before it acts, or `none` when the function needs no grant.
    """

    @staticmethod
    def log(level: types.LogLevel, message: str, context: List[Tuple[str, str]] | None) -> None:
        """Structured logging with context.

        Capability: none
        """
        host_services.log(level, message, context)

    @staticmethod
    def send_message(target: str, message: bytes) -> Result[None, types.MessagingError]:
        """Send a one-way message to another component (fire and forget).

        Delivery is best-effort and asynchronous; no response is expected.
        Use it for event notifications and status updates. The target must be
        listed in the sender's `[capabilities.messaging] send`.

        Capability: messaging.send

        Returns `Err(error)`, `error` a `types.MessagingError`, for the error case.
        """
        try:
            host_services.send_message(target, message)
        except Err as error:
            return error
        return Ok(None)

    @staticmethod
    def send_request(
        target: str, request: bytes, timeout_ms: int
    ) -> Result[str, types.MessagingError]:
        """Send a request that expects a response through `handle-callback`.

        The host delivers the request to the target's `handle-message`; the
        target answers through the host, which routes the answer to the sender's
        `handle-callback`. The target must be listed in the sender's
        `[capabilities.messaging] send`.

        Capability: messaging.send

        Returns `Err(error)`, `error` a `types.MessagingError`, for the error case.
        """
        try:
            return Ok(host_services.send_request(target, request, timeout_ms))
        except Err as error:
            return error

    @staticmethod
    def cancel_request(request_id: str) -> Result[None, types.MessagingError]:
        """Cancel a pending request before its timeout.

        Best effort: the callback may still arrive if the request was already
        processed. A component can cancel only its own requests, which were
        checked when they were sent.

        Capability: none

        Returns `Err(error)`, `error` a `types.MessagingError`, for the error case.
        """
        try:
            host_services.cancel_request(request_id)
        except Err as error:
            return error
        return Ok(None)

    @staticmethod
    def current_time_millis() -> int:
        """The current time, in milliseconds since the Unix epoch.

        Capability: none
        """
        return host_services.current_time_millis()

    @staticmethod
    def sleep_millis(duration: int) -> None:
        """Pause the calling component for `duration` milliseconds.

        Capability: none
        """
        host_services.sleep_millis(duration)

    @staticmethod
    def list_components() -> List[str]:
        """The identifiers of the components loaded in this host.

        Capability: none
        """
        return host_services.list_components()

    @staticmethod
    def get_component_metadata(id: str) -> Result[types.ComponentMetadata, types.ComponentError]:
        """The metadata of a loaded component.

        Capability: none

        Returns `Err(error)`, `error` a `types.ComponentError`, for the error case.
        """
        try:
            return Ok(host_services.get_component_metadata(id))
        except Err as error:
            return error
