"""What every WASI object of one request shares: a lock, a deadline, an end.

In: the deadline of a request (`time.monotonic()` seconds).  Out:
`RequestScope`: the condition variable every stream, pipe and pollable of the
request waits and signals on (one per request, so a `poll` over any mix of
them needs no other machinery), `wait_any` (the one place a guest's thread
blocks), and `close()`, which wakes every waiter for good.  The scope of the
request a thread is running is `current()` (set with `entered`).  `Pipe`:
bytes from one thread to another, bounded, under the scope's lock.  Raises
`DeadlineExceeded` from a wait past the request's deadline and `ScopeClosed`
from a wait after the request ended; both end the guest's call as a trap.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol


class DeadlineExceeded(Exception):
    """The request ran past its deadline while the component waited on the host."""


class ScopeClosed(Exception):
    """The request ended while something still waited on it."""


class Waitable(Protocol):
    """What `RequestScope.wait_any` waits on: a readiness test (called with the
    scope's lock held) and, for a timer, the instant it becomes ready."""

    def is_ready(self) -> bool: ...

    @property
    def until(self) -> float | None: ...


class RequestScope:
    """The shared state of one request's WASI objects (see the module docstring)."""

    __slots__ = ("closed", "cv", "deadline", "output", "response_pipe")

    def __init__(self, deadline: float | None) -> None:
        self.cv = threading.Condition()
        self.deadline = deadline
        self.closed = False
        # Makes the pipe a response body is written into, while a request is
        # served; None otherwise.
        self.response_pipe: Callable[[], Pipe] | None = None
        # Where this request's stdout and stderr go, when not to the host's default.
        self.output: Callable[[str, bytes], None] | None = None

    def notify(self) -> None:
        with self.cv:
            self.cv.notify_all()

    def close(self) -> None:
        """End the request: every wait raises `ScopeClosed` from now on."""
        with self.cv:
            self.closed = True
            self.cv.notify_all()

    def wait_any(self, waitables: Sequence[Waitable]) -> list[int]:
        """Block until at least one of `waitables` is ready; the indexes of those that are."""
        with self.cv:
            while True:
                ready = [index for index, waitable in enumerate(waitables) if waitable.is_ready()]
                if ready:
                    return ready
                if self.closed:
                    raise ScopeClosed("the request ended")
                now = time.monotonic()
                if self.deadline is not None and now >= self.deadline:
                    raise DeadlineExceeded("the request's deadline passed while it waited")
                limits = [waitable.until for waitable in waitables if waitable.until is not None]
                if self.deadline is not None:
                    limits.append(self.deadline)
                self.cv.wait(min(limits) - now if limits else None)


class Condition:
    """A `Waitable` made of a test (and, for a timer, an instant)."""

    __slots__ = ("_test", "until")

    def __init__(self, test: Callable[[], bool], until: float | None = None) -> None:
        self._test = test
        self.until = until

    def is_ready(self) -> bool:
        return (self.until is not None and time.monotonic() >= self.until) or self._test()


_current = threading.local()


def current() -> RequestScope:
    """The scope of the request this thread runs (`RuntimeError` outside one)."""
    scope: RequestScope | None = getattr(_current, "scope", None)
    if scope is None:
        raise RuntimeError("no wasi:http request is running on this thread")
    return scope


@contextmanager
def entered(scope: RequestScope) -> Iterator[RequestScope]:
    """Make `scope` this thread's `current()` for the block."""
    previous = getattr(_current, "scope", None)
    _current.scope = scope
    try:
        yield scope
    finally:
        _current.scope = previous


class Pipe:
    """Bytes from a writer to a reader, at most `capacity` buffered, at most
    `limit` in all (None: no limit), under the scope's lock.

    The writer `put`s (never more than `room()`), then `end`s it, or `fail`s it
    with a message the reader gets as a stream error.  The reader `take`s and
    may `leave` (the writer then finds the pipe closed).  `on_put` and
    `on_take` are called after each change, outside no lock in particular:
    they wake a consumer or a producer on another thread (an event loop).
    """

    __slots__ = (
        "_chunks",
        "capacity",
        "ended",
        "failure",
        "left",
        "limit",
        "on_put",
        "on_take",
        "scope",
        "size",
        "total",
    )

    def __init__(self, scope: RequestScope, capacity: int, limit: int | None = None) -> None:
        self.scope = scope
        self.capacity = capacity
        self.limit = limit
        self._chunks: deque[bytes] = deque()
        self.size = 0  # bytes buffered
        self.total = 0  # bytes put in all
        self.ended = False  # the writer finished
        self.failure: str | None = None  # the writer failed: why
        self.left = False  # the reader went away
        self.on_put: Callable[[], None] | None = None
        self.on_take: Callable[[], None] | None = None

    # ------------------------------------------------------------ the writer

    def room(self) -> int:
        """How many bytes `put` takes now."""
        with self.scope.cv:
            return max(0, self.capacity - self.size)

    def put(self, data: bytes) -> None:
        """Buffer `data` (at most `room()` bytes); past `limit`, the pipe fails instead."""
        if not data:
            return
        with self.scope.cv:
            if self.limit is not None and self.total + len(data) > self.limit:
                self.failure = f"the body is larger than the limit of {self.limit} bytes"
            else:
                self._chunks.append(bytes(data))
                self.size += len(data)
                self.total += len(data)
            self.scope.cv.notify_all()
        if self.on_put is not None:
            self.on_put()

    def end(self) -> None:
        with self.scope.cv:
            self.ended = True
            self.scope.cv.notify_all()
        if self.on_put is not None:
            self.on_put()

    def fail(self, message: str) -> None:
        with self.scope.cv:
            if self.failure is None and not self.ended:
                self.failure = message
            self.scope.cv.notify_all()
        if self.on_put is not None:
            self.on_put()

    def drained(self) -> bool:
        """Whether everything put was taken (or the reader left)."""
        return self.size == 0 or self.left

    # ------------------------------------------------------------ the reader

    def readable(self) -> bool:
        """Whether `take` has something to give now: bytes, the end or a failure."""
        return self.size > 0 or self.ended or self.failure is not None

    def take(self, most: int) -> bytes:
        """Up to `most` buffered bytes (b"" when none are)."""
        with self.scope.cv:
            if self.size == 0 or most <= 0:
                return b""
            pieces = []
            wanted = most
            while wanted and self._chunks:
                chunk = self._chunks[0]
                if len(chunk) <= wanted:
                    pieces.append(self._chunks.popleft())
                    wanted -= len(chunk)
                else:
                    pieces.append(chunk[:wanted])
                    self._chunks[0] = chunk[wanted:]
                    wanted = 0
            data = b"".join(pieces)
            self.size -= len(data)
            self.scope.cv.notify_all()
        if self.on_take is not None:
            self.on_take()
        return data

    def leave(self) -> None:
        """The reader is gone: drop what is buffered; the writer finds the pipe closed."""
        with self.scope.cv:
            self.left = True
            self._chunks.clear()
            self.size = 0
            self.scope.cv.notify_all()
        if self.on_take is not None:
            self.on_take()
