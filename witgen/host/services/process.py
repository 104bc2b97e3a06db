"""The `airssys:host-extensions/process` host service: granted commands, no shell.

In: the component's id, its `PermissionValidator`, the component's own
environment (`env`, what get-env answers from) and the host's
`ProcessLimits`; then the component's calls (`spawn_process`,
`wait_process`, `get_env`).  Out: process handles (u64, 1, 2, ... per
service) and `ProcessResult`s (exit code, stdout, stderr).  Raises: only
`Err(ComponentError)` from spawn-process and wait-process, nothing from
get-env; the constructor raises `ValueError` when the validator belongs to
another component or `env` holds something a WIT string cannot carry, and
`ProcessLimits` raises `ValueError` for a limit out of range.

How a process is run:

* `command` must be exactly one of the manifest's `[capabilities.process]
  spawn` paths (`validator.check_process`: absolute, normal form, compared as
  strings; never looked up on `PATH`).  It is started with
  `subprocess.Popen([command, *args], shell=False)`: no shell ever parses the
  arguments.
* The child's environment is exactly the `env` the component passes; `None`
  is an empty environment.  Nothing of the host's environment (`os.environ`)
  and nothing of the service's `env` is inherited.
* stdin is `/dev/null`; stdout and stderr are pipes drained by two threads,
  each capped at `max_output_bytes` (default 16 MiB); the working directory is
  `cwd` (default `/`, so the host's own working directory is never exposed);
  no descriptor but those three is inherited.
* Each process starts a new session (`start_new_session=True`), so it leads its
  own process group, and the whole group is killed (`SIGKILL`) when it times
  out, passes an output cap, or when its leader has exited (background
  processes it left behind do not outlive the wait), and by `close()`.  The
  group is signalled before the leader is reaped (its zombie holds the group
  id), so a recycled process id is never signalled.
* wait-process waits at most `timeout-ms` (further capped by
  `max_wait_ms` when the host sets one).  A handle is waited once: it is
  forgotten by the first wait, whatever its outcome.  The exit code is the
  process's; a process killed by a signal has the negative signal number
  (Python's convention: -9 for SIGKILL).

Error cases (`component-error`), where the contract is silent:

* `invalid-configuration`: the request is not allowed or is malformed: a
  command the manifest does not list (the `PermissionDenied` message), an
  argument or environment entry holding NUL, an environment name that is
  empty or holds `=`, and a handle this service never gave or already
  waited on.
* `resource-exhausted`: a limit was reached: `max_processes` (default 4)
  processes spawned and not yet waited, the wait's timeout (the process group
  is killed), or an output cap (the process group is killed as soon as it
  passes it; the output is not returned truncated, since the result could
  not say so).
* `internal-error`: the host failed: the command could not be executed
  (`ENOENT`, `EACCES`, ...), the service is closed, or any unexpected error.

get-env answers from the `env` given to the service (the component's
configured environment, as in `component-config.env`), never from
`os.environ`.  POSIX only (process groups).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from typing import IO, TypeVar

from airssys_bindings.airssys_host_core.types import (
    ComponentError,
    ComponentError_InternalError,
    ComponentError_InvalidConfiguration,
    ComponentError_ResourceExhausted,
)
from airssys_bindings.airssys_host_extensions.process import ProcessHandle, ProcessResult

from witgen.permissions import PermissionDenied, PermissionValidator
from witgen.permissions.errors import quote
from witgen.runtime.wit import Err

DEFAULT_MAX_OUTPUT_BYTES = 16 * 2**20
DEFAULT_MAX_PROCESSES = 4
_CHUNK = 2**16
_GRACE_S = 2.0  # how long to wait for pipes to close once a group was killed
_POLL_MAX_S = 0.02

_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True, slots=True)
class ProcessLimits:
    """The host's limits on one component's processes.

    `max_output_bytes` caps stdout and stderr each; `max_processes` caps the
    processes spawned and not yet waited; `max_wait_ms`, when set, caps every
    wait's timeout; `cwd` is the working directory of every process.
    """

    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES
    max_processes: int = DEFAULT_MAX_PROCESSES
    max_wait_ms: int | None = None
    cwd: str | os.PathLike[str] = "/"

    def __post_init__(self) -> None:
        if self.max_output_bytes < 0:
            raise ValueError(f"max_output_bytes must be >= 0, not {self.max_output_bytes}")
        if self.max_processes < 1:
            raise ValueError(f"max_processes must be >= 1, not {self.max_processes}")
        if self.max_wait_ms is not None and self.max_wait_ms < 0:
            raise ValueError(f"max_wait_ms must be >= 0, not {self.max_wait_ms}")


class _Refused(Exception):
    """A request refused with a chosen error case."""

    def __init__(self, error: ComponentError) -> None:
        super().__init__(error.value)
        self.error = error


class _Capture:
    """Drains one pipe in a thread, keeping at most `limit` bytes."""

    def __init__(self, pipe: IO[bytes], limit: int, overflow: Callable[[], None]) -> None:
        self.overflowed = False
        self._pipe = pipe
        self._limit = limit
        self._overflow = overflow
        self._chunks: list[bytes] = []
        self._size = 0
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        try:
            fd = self._pipe.fileno()
            while chunk := os.read(fd, _CHUNK):
                if self.overflowed:
                    continue  # keep draining so the writer never blocks
                self._size += len(chunk)
                if self._size > self._limit:
                    self.overflowed = True
                    self._chunks.clear()
                    self._overflow()
                    continue
                self._chunks.append(chunk)
        except OSError:
            pass
        finally:
            self._pipe.close()

    def data(self) -> bytes:
        return b"".join(self._chunks)


class _Running:
    """A spawned process, its output captures, and whether it was reaped."""

    def __init__(self, process: subprocess.Popen[bytes], command: str, limit: int) -> None:
        self.process = process
        self.command = command
        self._lock = threading.Lock()
        self._reaped = False
        assert process.stdout is not None and process.stderr is not None
        self.stdout = _Capture(process.stdout, limit, self.kill_group)
        self.stderr = _Capture(process.stderr, limit, self.kill_group)

    def kill_group(self) -> None:
        """SIGKILL the process group, unless its leader was reaped (its id may be reused)."""
        with self._lock:
            if self._reaped:
                return
            # The leader too: it may have left its group (setpgid), and it is
            # not reaped, so its id is still its own.
            for kill in (os.kill, os.killpg):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(self.process.pid, signal.SIGKILL)

    def exited(self) -> bool:
        """Whether the leader has exited, without reaping it."""
        try:
            info = os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # reaped elsewhere
            return True
        return info is not None

    def wait_exit(self, deadline: float) -> bool:
        """Wait until the leader exits (True) or the deadline passes (False); never reaps."""
        delay = 0.001
        while not self.exited():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(delay, left))
            delay = min(delay * 2, _POLL_MAX_S)
        return True

    def finish(self, deadline: float) -> bool:
        """Kill what is left of the group, reap the leader, wait for the pipes to close.

        True when both pipes reached their end by the deadline (or the grace
        period after the kill).
        """
        self.kill_group()
        with self._lock:
            self.process.wait()
            self._reaped = True
        until = max(deadline, time.monotonic() + _GRACE_S)
        for capture in (self.stdout, self.stderr):
            capture.thread.join(max(until - time.monotonic(), 0))
        return not (self.stdout.thread.is_alive() or self.stderr.thread.is_alive())


class ProcessService:
    """`process.Host` for one component: granted commands, its own environment."""

    def __init__(
        self,
        component: str,
        validator: PermissionValidator,
        env: Mapping[str, str],
        limits: ProcessLimits | None = None,
    ) -> None:
        if component != validator.component:
            raise ValueError(
                f"the validator is for component {quote(validator.component)}, "
                f"not {quote(component)}"
            )
        for name, value in env.items():
            for text in (name, value):
                if not isinstance(text, str):
                    raise ValueError(f"env holds a {type(text).__name__}, not a str")
                text.encode("utf-8")  # a WIT string: UnicodeEncodeError is a ValueError
        self.component = component
        self.validator = validator
        self.limits = limits if limits is not None else ProcessLimits()
        self._env = dict(env)
        self._cwd = os.fspath(self.limits.cwd)
        self._lock = threading.Lock()
        self._handles = itertools.count(1)
        self._running: dict[int, _Running] = {}
        self._closed = False

    def close(self) -> None:
        """Kill every process not yet waited on (and its group); later calls fail."""
        with self._lock:
            self._closed = True
            running = list(self._running.values())
            self._running.clear()
        for item in running:
            item.finish(time.monotonic())

    def __enter__(self) -> ProcessService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the interface -----------------------------------------------------

    def spawn_process(
        self, command: str, args: list[str], env: list[tuple[str, str]] | None
    ) -> ProcessHandle:
        where = f"spawn-process {quote(command)}"
        return self._call(where, lambda: self._spawn(command, args, env))

    def wait_process(self, handle: ProcessHandle, timeout_ms: int) -> ProcessResult:
        return self._call(f"wait-process {handle}", lambda: self._wait(handle, timeout_ms))

    def get_env(self, name: str) -> str | None:
        return self._env.get(name)

    # -- operations --------------------------------------------------------

    def _spawn(
        self, command: str, args: list[str], env: list[tuple[str, str]] | None
    ) -> ProcessHandle:
        command = self.validator.check_process(command)
        argv = [command, *args]
        for arg in argv:
            if "\x00" in arg:
                raise _invalid("an argument contains a NUL character")
        environment: dict[str, str] = {}
        for name, value in env or ():
            if not name or "=" in name or "\x00" in name:
                raise _invalid(f"the environment name {quote(name)} is empty or holds `=` or NUL")
            if "\x00" in value:
                raise _invalid(f"the value of the environment variable {quote(name)} holds NUL")
            environment[name] = value
        with self._lock:
            if self._closed:
                raise _Refused(ComponentError_InternalError("the process service is closed"))
            if len(self._running) >= self.limits.max_processes:
                raise _Refused(
                    ComponentError_ResourceExhausted(
                        f"{len(self._running)} processes are running or not yet waited on, "
                        f"the most this component may have (max {self.limits.max_processes})"
                    )
                )
            process = subprocess.Popen(
                argv,
                shell=False,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self._cwd,
                start_new_session=True,
                close_fds=True,
            )
            try:
                running = _Running(process, command, self.limits.max_output_bytes)
            except BaseException:
                process.kill()
                process.wait()
                raise
            handle = next(self._handles)
            self._running[handle] = running
        return handle

    def _wait(self, handle: ProcessHandle, timeout_ms: int) -> ProcessResult:
        with self._lock:
            running = self._running.pop(handle, None)
        if running is None:
            raise _invalid("no such process: never spawned by this component, or already waited")
        if self.limits.max_wait_ms is not None:
            timeout_ms = min(timeout_ms, self.limits.max_wait_ms)
        deadline = time.monotonic() + timeout_ms / 1000
        finished = running.wait_exit(deadline)
        closed = running.finish(deadline)
        what = quote(running.command)
        if not finished:
            raise _exhausted(f"{what} did not finish within {timeout_ms} ms; it was killed")
        for name, capture in (("stdout", running.stdout), ("stderr", running.stderr)):
            if capture.overflowed:
                raise _exhausted(
                    f"{what} wrote more than {self.limits.max_output_bytes} bytes to {name}; "
                    "it was killed"
                )
        if not closed:
            raise _exhausted(
                f"{what} exited, but a process it started outside its process group kept "
                "its output open"
            )
        code = running.process.returncode
        return ProcessResult(
            exit_code=code, stdout=running.stdout.data(), stderr=running.stderr.data()
        )

    # -- errors ------------------------------------------------------------

    def _call(self, where: str, run: Callable[[], _T]) -> _T:
        """`run()`, with every failure turned into `Err(ComponentError)`."""
        failure: ComponentError
        prefix = True
        try:
            return run()
        except _Refused as refusal:
            failure = refusal.error
        except PermissionDenied as denial:  # its message names the command and the reason
            failure = ComponentError_InvalidConfiguration(str(denial))
            prefix = False
        except OSError as error:
            reason = error.strerror or str(error)
            failure = ComponentError_InternalError(f"cannot run it: {reason}")
        except Exception as error:  # noqa: BLE001 - nothing but Err may reach wasmtime
            reason = f"unexpected host error: {type(error).__name__}: {error}"
            failure = ComponentError_InternalError(reason)
        message = f"{where}: {failure.value}" if prefix else failure.value
        # A message crosses into the component as a WIT string: no lone surrogates.
        printable = message.encode("utf-8", "backslashreplace").decode("utf-8")
        raise Err(dataclasses.replace(failure, value=printable)) from None


def _invalid(reason: str) -> _Refused:
    return _Refused(ComponentError_InvalidConfiguration(reason))


def _exhausted(reason: str) -> _Refused:
    return _Refused(ComponentError_ResourceExhausted(reason))
