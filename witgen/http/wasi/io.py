"""`wasi:io` in Python: pollables, errors and byte streams over pipes.

In: the generated bindings of the served component (`ServedBindings`), for
the value classes of its `wasi:io/streams` (`stream-error`).  Out: the host
objects (`Pollable`, `IoError`, `InputStream`, `OutputStream`) and the
interface hosts `PollHost`, `ErrorHost`, `StreamsHost`, which satisfy the
generated `Host` protocols of `wasi:io/poll`, `error` and `streams`.  Raises
`Err(stream-error)` as WASI says, and `StreamTrap` (the component traps) for
what the spec calls a trap: writing more than `check-write` allowed, a
`blocking-write-and-flush` of more than 4096 bytes, polling an empty list.

Streams read from and write to a `Pipe` (`scope.py`): the other end is the
HTTP server (a request or response body), the HTTP client (an outgoing
request's body, an incoming response's body), or the console.  A stream
error is reported once as `last-operation-failed(error)`; every later call
then finds the stream `closed`, as the spec asks.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from witgen.http.bindings import ServedBindings
from witgen.http.wasi.scope import Condition, Pipe, RequestScope, current
from witgen.runtime.wit import Err

# The most `blocking-write-and-flush` (and `blocking-write-zeroes-and-flush`) may write.
BLOCKING_WRITE_MAX = 4096


class StreamTrap(Exception):
    """The component broke a rule of `wasi:io` that the spec makes a trap."""


class Pollable:
    """A `wasi:io/poll` pollable: ready when its test says so (or at its instant)."""

    __slots__ = ("scope", "waitable")

    def __init__(self, test: Callable[[], bool], until: float | None = None) -> None:
        self.scope = current()
        self.waitable = Condition(test, until)

    def ready(self) -> bool:
        with self.scope.cv:
            return self.waitable.is_ready()

    def block(self) -> None:
        self.scope.wait_any([self.waitable])


class IoError:
    """A `wasi:io/error` error: a message, and the HTTP error code behind it, if any."""

    __slots__ = ("http_code", "message")

    def __init__(self, message: str, http_code: object | None = None) -> None:
        self.message = message
        self.http_code = http_code

    def to_debug_string(self) -> str:
        return self.message


class PollHost:
    """`wasi:io/poll`."""

    def poll(self, in_: list[Pollable]) -> list[int]:
        if not in_:
            raise StreamTrap("poll: the list of pollables is empty")
        return current().wait_any([pollable.waitable for pollable in in_])

    def pollable_drop(self, pollable: Pollable) -> None:
        pass


class ErrorHost:
    """`wasi:io/error`."""

    def error_drop(self, error: IoError) -> None:
        pass


class _Errors:
    """The `stream-error` values of the component's `wasi:io/streams`."""

    def __init__(self, streams: Any) -> None:
        self._failed = streams.StreamError_LastOperationFailed
        self._closed = streams.StreamError_Closed

    def failed(self, message: str, http_code: object | None = None) -> Err[Any]:
        return Err(self._failed(IoError(message, http_code)))

    def closed(self) -> Err[Any]:
        return Err(self._closed())


class InputStream:
    """A `wasi:io/streams` input-stream reading from a pipe."""

    __slots__ = ("_errors", "_reported", "dropped", "http_code", "pipe")

    def __init__(self, pipe: Pipe, errors: _Errors, http_code: Callable[[], object] | None = None):
        self.pipe = pipe
        self._errors = errors
        self._reported = False
        self.dropped = False
        # The wasi:http error-code behind a failure (for `http-error-code`), if any.
        self.http_code = http_code

    def _check(self) -> None:
        """Raise the stream error the pipe has reached, once; then `closed`."""
        pipe = self.pipe
        if pipe.failure is not None and not self._reported:
            self._reported = True
            code = self.http_code() if self.http_code is not None else None
            raise self._errors.failed(pipe.failure, code)
        raise self._errors.closed()

    def read(self, len: int) -> bytes:
        with self.pipe.scope.cv:
            if self.pipe.size:
                return self.pipe.take(len)
            if self.pipe.failure is not None or self.pipe.ended:
                self._check()
            return b""

    def blocking_read(self, len: int) -> bytes:
        if len == 0:
            return self.read(0)
        self.pipe.scope.wait_any([Condition(self.pipe.readable)])
        return self.read(len)

    def skip(self, len: int) -> int:
        return builtins.len(self.read(len))

    def blocking_skip(self, len: int) -> int:
        return builtins.len(self.blocking_read(len))

    def subscribe(self) -> Pollable:
        return Pollable(self.pipe.readable)


class OutputStream:
    """A `wasi:io/streams` output-stream writing into a pipe."""

    __slots__ = ("_errors", "_reported", "dropped", "pipe")

    def __init__(self, pipe: Pipe, errors: _Errors) -> None:
        self.pipe = pipe
        self._errors = errors
        self._reported = False
        self.dropped = False

    def _broken(self) -> bool:
        return self.pipe.left or self.pipe.failure is not None or self.pipe.ended

    def _raise(self) -> None:
        if self.pipe.failure is not None and not self._reported:
            self._reported = True
            raise self._errors.failed(self.pipe.failure)
        raise self._errors.closed()

    def _writable(self) -> bool:
        return self._broken() or self.pipe.capacity - self.pipe.size > 0

    def check_write(self) -> int:
        with self.pipe.scope.cv:
            if self._broken():
                self._raise()
            return self.pipe.room()

    def write(self, contents: bytes) -> None:
        with self.pipe.scope.cv:
            if self._broken():
                self._raise()
            room = self.pipe.room()
            if len(contents) > room:
                raise StreamTrap(
                    f"output-stream.write of {len(contents)} bytes, but check-write "
                    f"allows {room}"
                )
        self.pipe.put(contents)

    def blocking_write_and_flush(self, contents: bytes) -> None:
        if len(contents) > BLOCKING_WRITE_MAX:
            raise StreamTrap(
                f"blocking-write-and-flush of {len(contents)} bytes: at most "
                f"{BLOCKING_WRITE_MAX} at a time"
            )
        scope = self.pipe.scope
        written = 0
        while True:
            with scope.cv:
                if self._broken():
                    self._raise()
                room = self.pipe.room()
            if written == len(contents):
                break
            if room:
                piece = contents[written : written + room]
                self.pipe.put(piece)
                written += len(piece)
            else:
                scope.wait_any([Condition(self._writable)])
        self.blocking_flush()

    def flush(self) -> None:
        with self.pipe.scope.cv:
            if self._broken():
                self._raise()

    def blocking_flush(self) -> None:
        pipe = self.pipe
        pipe.scope.wait_any([Condition(lambda: pipe.drained() or self._broken())])
        with pipe.scope.cv:
            if pipe.left or pipe.failure is not None:
                self._raise()

    def subscribe(self) -> Pollable:
        return Pollable(self._writable)

    def write_zeroes(self, len: int) -> None:
        self.write(bytes(len))

    def blocking_write_zeroes_and_flush(self, len: int) -> None:
        if len > BLOCKING_WRITE_MAX:
            raise StreamTrap(
                f"blocking-write-zeroes-and-flush of {len} bytes: at most "
                f"{BLOCKING_WRITE_MAX} at a time"
            )
        self.blocking_write_and_flush(bytes(len))

    def splice(self, src: InputStream, len: int) -> int:
        with self.pipe.scope.cv:
            if self._broken():
                self._raise()
            most = min(len, self.pipe.room())
        data = src.read(most)
        self.pipe.put(data)
        return builtins.len(data)

    def blocking_splice(self, src: InputStream, len: int) -> int:
        scope = self.pipe.scope
        scope.wait_any([Condition(lambda: src.pipe.readable() and self._writable())])
        return self.splice(src, len)


class StreamsHost:
    """`wasi:io/streams`."""

    def input_stream_drop(self, input_stream: InputStream) -> None:
        input_stream.dropped = True
        input_stream.pipe.leave()

    def output_stream_drop(self, output_stream: OutputStream) -> None:
        output_stream.dropped = True


class Console(Pipe):
    """A pipe that hands each write to `write` at once (stdout, stderr)."""

    __slots__ = ("write",)

    def __init__(self, scope: RequestScope, write: Callable[[bytes], None]) -> None:
        super().__init__(scope, capacity=1 << 20)
        self.write = write

    def put(self, data: bytes) -> None:
        if data:
            self.write(bytes(data))


def errors(bindings: ServedBindings) -> _Errors:
    """The stream errors of the component's `wasi:io/streams`."""
    return _Errors(bindings.interface("wasi:io/streams"))


def ended_pipe(scope: RequestScope) -> Pipe:
    """A pipe with nothing in it, ended (stdin)."""
    pipe = Pipe(scope, capacity=0)
    pipe.ended = True
    return pipe
