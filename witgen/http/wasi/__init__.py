"""WASI 0.2 in Python, for the `wasi:http` components witgen serves.

In: the served component's generated bindings (`witgen.http.bindings`), the
hosts' settings (`WasiSettings`) and a linker.  Out: `link()`, which defines
every interface the component imports in the linker, each implemented by the
host object of this package that satisfies its generated `Host` protocol; and
`HOSTS`, which interface each host object serves.  Raises `ServeError` for an
import no host here provides (the message lists them).

Every WASI object a request makes belongs to its `RequestScope`
(`scope.py`): one lock and condition variable, the request's deadline, and
its end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import wasmtime.component

from witgen.http.bindings import ServedBindings, ServeError
from witgen.http.wasi.http import HttpTypesHost, OutgoingHandlerHost, Sender
from witgen.http.wasi.io import ErrorHost, PollHost, StreamsHost
from witgen.http.wasi.system import (
    EnvironmentHost,
    ExitHost,
    FilesystemHost,
    MonotonicClockHost,
    RandomHost,
    SocketsHost,
    StdioHost,
    TerminalHost,
    WallClockHost,
)

# Which host object implements each interface (by name without version).
HOSTS: dict[str, str] = {
    "wasi:io/poll": "poll",
    "wasi:io/error": "error",
    "wasi:io/streams": "streams",
    "wasi:clocks/monotonic-clock": "monotonic_clock",
    "wasi:clocks/wall-clock": "wall_clock",
    "wasi:random/random": "random",
    "wasi:random/insecure": "random",
    "wasi:random/insecure-seed": "random",
    "wasi:cli/stdin": "stdio",
    "wasi:cli/stdout": "stdio",
    "wasi:cli/stderr": "stdio",
    "wasi:cli/environment": "environment",
    "wasi:cli/exit": "exit",
    "wasi:cli/terminal-input": "terminal",
    "wasi:cli/terminal-output": "terminal",
    "wasi:cli/terminal-stdin": "terminal",
    "wasi:cli/terminal-stdout": "terminal",
    "wasi:cli/terminal-stderr": "terminal",
    "wasi:filesystem/types": "filesystem",
    "wasi:filesystem/preopens": "filesystem",
    "wasi:sockets/network": "sockets",
    "wasi:sockets/instance-network": "sockets",
    "wasi:sockets/tcp": "sockets",
    "wasi:sockets/tcp-create-socket": "sockets",
    "wasi:sockets/udp": "sockets",
    "wasi:sockets/udp-create-socket": "sockets",
    "wasi:sockets/ip-name-lookup": "sockets",
    "wasi:http/types": "http_types",
    "wasi:http/outgoing-handler": "outgoing_handler",
}


@dataclass(frozen=True, slots=True)
class WasiSettings:
    """What the WASI hosts need from the server."""

    send: Sender  # makes outgoing requests (the client, with the grants bound in)
    executor: Executor  # runs them
    output: Callable[[str, bytes], None]  # gets what the component writes to stdout, stderr
    environment: Sequence[tuple[str, str]] = ()


class Hosts:
    """The host objects of one served component (see `HOSTS`), each made when
    first asked for: a host reads the value classes of the interfaces it
    serves, which exist only when the component imports them."""

    def __init__(self, bindings: ServedBindings, settings: WasiSettings) -> None:
        self._made: dict[str, object] = {}
        self._factories: dict[str, Callable[[], object]] = {
            "poll": PollHost,
            "error": ErrorHost,
            "streams": StreamsHost,
            "monotonic_clock": MonotonicClockHost,
            "wall_clock": lambda: WallClockHost(bindings),
            "random": RandomHost,
            "stdio": lambda: StdioHost(bindings, settings.output),
            "environment": lambda: EnvironmentHost(settings.environment),
            "exit": ExitHost,
            "terminal": TerminalHost,
            "filesystem": FilesystemHost,
            "sockets": lambda: SocketsHost(bindings),
            "http_types": lambda: HttpTypesHost(bindings),
            "outgoing_handler": lambda: OutgoingHandlerHost(
                bindings, settings.send, settings.executor
            ),
        }

    def host(self, kind: str) -> Any:
        """The host object of `kind` (a value of `HOSTS`)."""
        made = self._made.get(kind)
        if made is None:
            made = self._made[kind] = self._factories[kind]()
        return made

    @property
    def http_types(self) -> HttpTypesHost:
        host: HttpTypesHost = self.host("http_types")
        return host


def missing_imports(bindings: ServedBindings) -> list[str]:
    """The component's imports no host here provides (by full name)."""
    return sorted(bindings.versions[name] for name in bindings.imports if name not in HOSTS)


def link(linker: wasmtime.component.Linker, bindings: ServedBindings, hosts: Hosts) -> None:
    """Define every import of the served component in `linker`."""
    missing = missing_imports(bindings)
    if missing:
        raise ServeError(
            "the component imports what witgen serve does not provide: " + ", ".join(missing)
        )
    for name, module in bindings.imports.items():
        module.add_to_linker(linker, hosts.host(HOSTS[name]))
