"""The rest of WASI 0.2 a `wasi:http` component imports: clocks, random, cli,
terminals, filesystem and sockets, in Python, granting what a proxy needs.

In: the generated bindings of the served component (for its value classes),
the environment it is given and where its stdout and stderr go.  Out: one host
object per interface, each satisfying the generated `Host` protocol:
`MonotonicClockHost`, `WallClockHost`, `RandomHost` (also `insecure` and
`insecure-seed`), `StdioHost` (stdin, stdout, stderr), `EnvironmentHost`,
`ExitHost`, `TerminalHost` (every `terminal-*`), `FilesystemHost` (types and
preopens), `SocketsHost` (network, instance-network, tcp, udp, their
create-socket interfaces and ip-name-lookup).  Raises `Err` values as WASI
says, `ComponentExit` from `exit` (the component's call ends, as a trap does)
and `StreamTrap` for a request of random bytes larger than the limit.

What is granted, as `wasmtime serve` grants it by default: clocks and random
numbers; an empty stdin; stdout and stderr to the server's log; the
environment the host configures (none by default) and no arguments; no
terminal; no preopened folder (so no descriptor of `wasi:filesystem` can exist,
and none of its methods can be called); no sockets (`create-*-socket` and
`resolve-addresses` fail with `access-denied`: a proxy reaches the network
through `wasi:http/outgoing-handler`, where Component.toml's grants apply).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from witgen.http.bindings import ServedBindings
from witgen.http.wasi.io import Console as ConsolePipe
from witgen.http.wasi.io import (
    InputStream,
    IoError,
    OutputStream,
    Pollable,
    StreamTrap,
    ended_pipe,
    errors,
)
from witgen.http.wasi.scope import current
from witgen.runtime.wit import Err

# The most bytes one `get-random-bytes` (or `get-insecure-random-bytes`) may ask for.
RANDOM_MAX = 1 << 20


class ComponentExit(Exception):
    """The component called `wasi:cli/exit.exit`: its call ends here."""

    def __init__(self, failed: bool) -> None:
        super().__init__("the component exited" + (" with an error" if failed else ""))
        self.failed = failed


class MonotonicClockHost:
    """`wasi:clocks/monotonic-clock`: nanoseconds of `time.monotonic_ns()`."""

    def now(self) -> int:
        return time.monotonic_ns()

    def resolution(self) -> int:
        return max(1, int(time.get_clock_info("monotonic").resolution * 1e9))

    def subscribe_instant(self, when: int) -> Pollable:
        return Pollable(_never, until=when / 1e9)

    def subscribe_duration(self, when: int) -> Pollable:
        return Pollable(_never, until=time.monotonic() + when / 1e9)


def _never() -> bool:
    return False


class WallClockHost:
    """`wasi:clocks/wall-clock`."""

    def __init__(self, bindings: ServedBindings) -> None:
        self._datetime = bindings.interface("wasi:clocks/wall-clock").Datetime

    def now(self) -> Any:
        seconds, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
        return self._datetime(seconds, nanoseconds)

    def resolution(self) -> Any:
        return self._datetime(0, max(1, int(time.get_clock_info("time").resolution * 1e9)))


def _random_length(length: int) -> int:
    if length > RANDOM_MAX:
        raise StreamTrap(f"a request for {length} random bytes: at most {RANDOM_MAX} at a time")
    return length


class RandomHost:
    """`wasi:random/random`, `insecure` and `insecure-seed`: the OS's generator."""

    def get_random_bytes(self, len: int) -> bytes:
        return os.urandom(_random_length(len))

    def get_random_u64(self) -> int:
        return int.from_bytes(os.urandom(8), "little")

    def get_insecure_random_bytes(self, len: int) -> bytes:
        return os.urandom(_random_length(len))

    def get_insecure_random_u64(self) -> int:
        return int.from_bytes(os.urandom(8), "little")

    def insecure_seed(self) -> tuple[int, int]:
        data = os.urandom(16)
        return int.from_bytes(data[:8], "little"), int.from_bytes(data[8:], "little")


class StdioHost:
    """`wasi:cli/stdin`, `stdout` and `stderr`: stdin is empty; each write to
    stdout or stderr goes at once to the request's `output` (`RequestScope`),
    else to `write(stream, data)`."""

    def __init__(self, bindings: ServedBindings, write: Callable[[str, bytes], None]) -> None:
        self._errors = errors(bindings)
        self._write = write

    def get_stdin(self) -> InputStream:
        return InputStream(ended_pipe(current()), self._errors)

    def _console(self, stream: str) -> OutputStream:
        scope = current()
        output = scope.output or self._write
        return OutputStream(ConsolePipe(scope, lambda data: output(stream, data)), self._errors)

    def get_stdout(self) -> OutputStream:
        return self._console("stdout")

    def get_stderr(self) -> OutputStream:
        return self._console("stderr")


class EnvironmentHost:
    """`wasi:cli/environment`: the configured variables, no arguments, no folder."""

    def __init__(self, environment: Sequence[tuple[str, str]]) -> None:
        self._environment = list(environment)

    def get_environment(self) -> list[tuple[str, str]]:
        return list(self._environment)

    def get_arguments(self) -> list[str]:
        return []

    def initial_cwd(self) -> str | None:
        return None


class ExitHost:
    """`wasi:cli/exit`: ends the component's call (the request fails unless
    the component already sent its response)."""

    def exit(self, status: object) -> None:
        raise ComponentExit(isinstance(status, Err))

    def exit_with_code(self, status_code: int) -> None:
        raise ComponentExit(status_code != 0)


class TerminalHost:
    """Every `wasi:cli/terminal-*` interface: the component has no terminal."""

    def get_terminal_stdin(self) -> None:
        return None

    def get_terminal_stdout(self) -> None:
        return None

    def get_terminal_stderr(self) -> None:
        return None

    def terminal_input_drop(self, terminal_input: object) -> None:
        pass

    def terminal_output_drop(self, terminal_output: object) -> None:
        pass


class FilesystemHost:
    """`wasi:filesystem/types` and `preopens`: no folder is preopened, so the
    component never holds a descriptor (and no descriptor method is reachable)."""

    def get_directories(self) -> list[tuple[object, str]]:
        return []

    def filesystem_error_code(self, err: IoError) -> None:
        return None

    def descriptor_drop(self, descriptor: object) -> None:
        pass

    def directory_entry_stream_drop(self, directory_entry_stream: object) -> None:
        pass


class Network:
    """The `wasi:sockets/network` resource: a capability that grants nothing here."""

    __slots__ = ()


class SocketsHost:
    """`wasi:sockets/*`: a network handle, and `access-denied` for every socket
    and every name lookup (no socket or lookup stream ever exists)."""

    def __init__(self, bindings: ServedBindings) -> None:
        self._denied = bindings.interface("wasi:sockets/network").ErrorCode.ACCESS_DENIED

    def instance_network(self) -> Network:
        return Network()

    def network_drop(self, network: Network) -> None:
        pass

    def create_tcp_socket(self, address_family: object) -> object:
        raise Err(self._denied)

    def create_udp_socket(self, address_family: object) -> object:
        raise Err(self._denied)

    def resolve_addresses(self, network: Network, name: str) -> object:
        raise Err(self._denied)

    def tcp_socket_drop(self, tcp_socket: object) -> None:
        pass

    def udp_socket_drop(self, udp_socket: object) -> None:
        pass

    def incoming_datagram_stream_drop(self, incoming_datagram_stream: object) -> None:
        pass

    def outgoing_datagram_stream_drop(self, outgoing_datagram_stream: object) -> None:
        pass

    def resolve_address_stream_drop(self, resolve_address_stream: object) -> None:
        pass
