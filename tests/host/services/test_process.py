"""`ProcessService`: granted commands only, no shell, isolated environment, limits.

Real processes: `/bin/echo`, `/bin/sleep`, `/usr/bin/env`, `/bin/pwd`,
`/bin/false` and `/usr/bin/yes`; a test whose commands are missing on this
machine is skipped.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from airssys_bindings.airssys_host_core.types import (
    ComponentError_InternalError,
    ComponentError_InvalidConfiguration,
    ComponentError_ResourceExhausted,
)
from airssys_bindings.airssys_host_extensions import process
from hypothesis import given, settings
from hypothesis import strategies as st

from witgen.host.services.process import ProcessLimits, ProcessService
from witgen.permissions import PermissionValidator, parse_manifest
from witgen.runtime.wit import Err

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")

ECHO, SLEEP, ENV, PWD, FALSE, YES = (
    "/bin/echo",
    "/bin/sleep",
    "/usr/bin/env",
    "/bin/pwd",
    "/bin/false",
    "/usr/bin/yes",
)
MISSING = "/nonexistent/witgen-command"
LISTED = [ECHO, SLEEP, ENV, PWD, FALSE, YES, MISSING]


def needs(*commands: str) -> pytest.MarkDecorator:
    missing = [command for command in commands if not os.access(command, os.X_OK)]
    return pytest.mark.skipif(bool(missing), reason=f"not on this machine: {missing}")


def validator(commands: list[str] = LISTED) -> PermissionValidator:
    spawn = ", ".join(f'"{command}"' for command in commands)
    text = f"""
[component]
name = "runner"
version = "1.0.0"

[capabilities.process]
spawn = [{spawn}]
"""
    return PermissionValidator(parse_manifest(text, "Component.toml"))


class Spawned:
    """Records every `Popen` the service creates (to check the processes are gone)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        real = subprocess.Popen
        spawned = self

        class Recording(real):  # type: ignore[valid-type, misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                spawned.calls.append((args, kwargs))
                super().__init__(*args, **kwargs)
                spawned.processes.append(self)

        monkeypatch.setattr(subprocess, "Popen", Recording)


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> Spawned:
    return Spawned(monkeypatch)


@pytest.fixture
def service() -> Iterator[ProcessService]:
    with ProcessService("runner", validator(), {"GREETING": "hello"}) as service:
        yield service


def error_of(call: Callable[[], object]) -> object:
    with pytest.raises(Err) as caught:
        call()
    return caught.value.value


def run(service: ProcessService, command: str, *args: str, timeout_ms: int = 10_000) -> Any:
    handle = service.spawn_process(command, list(args), None)
    return service.wait_process(handle, timeout_ms)


def gone(pid: int) -> bool:
    """Whether `pid` no longer runs (absent, or a zombie a container's init never reaps)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as status:
            return status.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_the_service_implements_the_host_protocol() -> None:
    host: process.Host = ProcessService("runner", validator(), {}, ProcessLimits())
    assert host.get_env("PATH") is None
    assert isinstance(host, ProcessService)
    host.close()


def test_the_validator_must_be_the_components() -> None:
    with pytest.raises(ValueError, match="runner"):
        ProcessService("other", validator(), {})


@pytest.mark.parametrize(
    "make",
    [
        lambda: ProcessLimits(max_output_bytes=-1),
        lambda: ProcessLimits(max_processes=0),
        lambda: ProcessLimits(max_wait_ms=-1),
    ],
)
def test_limits_are_checked(make: Callable[[], ProcessLimits]) -> None:
    with pytest.raises(ValueError):
        make()


# -- spawn and wait --------------------------------------------------------


@needs(ECHO)
def test_output_capture_and_exit_code(service: ProcessService) -> None:
    result = run(service, ECHO, "hello", "world")
    assert result == process.ProcessResult(exit_code=0, stdout=b"hello world\n", stderr=b"")


@needs(SLEEP, FALSE)
def test_failure_exit_codes_and_stderr(service: ProcessService) -> None:
    assert run(service, FALSE).exit_code == 1
    result = run(service, SLEEP, "not-a-number")
    assert result.exit_code == 1 and b"not-a-number" in result.stderr and result.stdout == b""


@needs(ECHO)
def test_arguments_never_reach_a_shell(service: ProcessService, spawned: Spawned) -> None:
    args = ["$HOME", "a;b", "`id`", "*", "$(id)", "|", "> /tmp/x", "'q'"]
    assert run(service, ECHO, *args).stdout == (" ".join(args) + "\n").encode()
    (argv,), options = spawned.calls[0]
    assert argv == [ECHO, *args] and options["shell"] is False
    assert options["start_new_session"] is True and options["stdin"] == subprocess.DEVNULL


@needs(ECHO)
def test_large_output_is_drained(service: ProcessService) -> None:
    big = "x" * 100_000  # more than a pipe holds
    assert run(service, ECHO, big).stdout == big.encode() + b"\n"


@needs(ECHO)
def test_handles_count_from_one(service: ProcessService) -> None:
    assert service.spawn_process(ECHO, [], None) == 1
    assert service.spawn_process(ECHO, [], None) == 2
    service.wait_process(1, 5000)
    service.wait_process(2, 5000)


@needs(PWD)
def test_working_directory(tmp_path: Path) -> None:
    with ProcessService("runner", validator(), {}, ProcessLimits(cwd=tmp_path)) as service:
        assert run(service, PWD).stdout == f"{tmp_path}\n".encode()
    with ProcessService("runner", validator(), {}) as service:
        assert run(service, PWD).stdout == b"/\n"


# -- denials and bad requests ----------------------------------------------


@pytest.mark.parametrize(
    "command",
    [*"/bin/cat echo /bin/../bin/echo /bin//echo /bin/echo/ /BIN/ECHO /bin/sh".split(), ""],
)
def test_unlisted_commands_are_denied(
    service: ProcessService, spawned: Spawned, command: str
) -> None:
    error = error_of(lambda: service.spawn_process(command, [], None))
    assert isinstance(error, ComponentError_InvalidConfiguration)
    assert "process.spawn" in error.value and "denied" in error.value
    assert spawned.calls == []


@pytest.mark.parametrize(
    ("args", "env"),
    [(["a\x00b"], None), ([], [("A=B", "x")]), ([], [("", "x")]), ([], [("A", "x\x00")])],
    ids=["nul-arg", "equals-in-name", "empty-name", "nul-value"],
)
def test_malformed_requests(
    service: ProcessService, spawned: Spawned, args: list[str], env: list[tuple[str, str]]
) -> None:
    error = error_of(lambda: service.spawn_process(ECHO, args, env))
    assert isinstance(error, ComponentError_InvalidConfiguration)
    assert '"/bin/echo"' in error.value
    assert spawned.calls == []


def test_a_command_that_cannot_run(service: ProcessService) -> None:
    error = error_of(lambda: service.spawn_process(MISSING, [], None))
    assert isinstance(error, ComponentError_InternalError)
    assert MISSING in error.value and "No such file" in error.value


# -- environment -----------------------------------------------------------


@needs(ENV)
def test_the_child_sees_only_the_environment_it_is_given(
    service: ProcessService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WITGEN_HOST_SECRET", "leak")
    assert run(service, ENV).stdout == b""  # None: an empty environment
    handle = service.spawn_process(ENV, [], [("A", "1"), ("B", "two words"), ("A", "3")])
    result = service.wait_process(handle, 5000)
    assert result.stdout == b"A=3\nB=two words\n"
    assert b"WITGEN_HOST_SECRET" not in result.stdout
    assert b"GREETING" not in result.stdout  # the service's env is for get-env only


def test_get_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WITGEN_HOST_SECRET", "leak")
    with ProcessService("runner", validator(), {"GREETING": "hello", "EMPTY": ""}) as service:
        assert service.get_env("GREETING") == "hello"
        assert service.get_env("EMPTY") == ""
        assert service.get_env("WITGEN_HOST_SECRET") is None
        assert service.get_env("PATH") is None


def test_get_env_is_a_copy() -> None:
    env = {"A": "1"}
    service = ProcessService("runner", validator(), env)
    env["A"] = "2"
    assert service.get_env("A") == "1"


def test_env_must_be_wit_strings() -> None:
    with pytest.raises(ValueError):
        ProcessService("runner", validator(), {"A": "\udcff"})


# -- timeouts, handles, limits ---------------------------------------------


@needs(SLEEP)
@pytest.mark.parametrize("timeout_ms", [0, 100])
def test_timeout_kills_the_process(
    service: ProcessService, spawned: Spawned, timeout_ms: int
) -> None:
    handle = service.spawn_process(SLEEP, ["5"], None)
    started = time.monotonic()
    error = error_of(lambda: service.wait_process(handle, timeout_ms))
    assert time.monotonic() - started < 2
    assert isinstance(error, ComponentError_ResourceExhausted)
    assert f"{timeout_ms} ms" in error.value and "killed" in error.value and SLEEP in error.value
    (child,) = spawned.processes
    assert child.returncode == -9 and gone(child.pid)
    # The handle is forgotten, whatever the outcome.
    assert isinstance(
        error_of(lambda: service.wait_process(handle, 100)), ComponentError_InvalidConfiguration
    )


@needs(SLEEP)
def test_the_hosts_wait_cap(spawned: Spawned) -> None:
    limits = ProcessLimits(max_wait_ms=100)
    with ProcessService("runner", validator(), {}, limits) as service:
        handle = service.spawn_process(SLEEP, ["5"], None)
        started = time.monotonic()
        error = error_of(lambda: service.wait_process(handle, 60_000))
        assert isinstance(error, ComponentError_ResourceExhausted)
        assert time.monotonic() - started < 2


@needs(ECHO)
def test_wait_twice_and_unknown_handles(service: ProcessService) -> None:
    handle = service.spawn_process(ECHO, ["once"], None)
    assert service.wait_process(handle, 5000).stdout == b"once\n"
    for unknown in (handle, 999, 0):
        error = error_of(lambda: service.wait_process(unknown, 100))  # noqa: B023
        assert isinstance(error, ComponentError_InvalidConfiguration)
        assert f"wait-process {unknown}" in error.value and "no such process" in error.value


@needs(SLEEP, ECHO)
def test_concurrent_process_cap(spawned: Spawned) -> None:
    with ProcessService("runner", validator(), {}, ProcessLimits(max_processes=2)) as service:
        first = service.spawn_process(SLEEP, ["5"], None)
        service.spawn_process(SLEEP, ["5"], None)
        error = error_of(lambda: service.spawn_process(ECHO, [], None))
        assert isinstance(error, ComponentError_ResourceExhausted)
        assert "max 2" in error.value
        assert len(spawned.processes) == 2
        error_of(lambda: service.wait_process(first, 0))
        assert run(service, ECHO, "again").stdout == b"again\n"


def test_the_default_limits() -> None:
    assert ProcessLimits().max_processes == 4
    assert ProcessLimits().max_output_bytes == 16 * 2**20


@needs(ECHO, YES)
def test_output_cap(spawned: Spawned) -> None:
    with ProcessService("runner", validator(), {}, ProcessLimits(max_output_bytes=1000)) as service:
        assert len(run(service, ECHO, "x" * 999).stdout) == 1000  # exactly the cap
        error = error_of(lambda: run(service, ECHO, "x" * 1000))
        assert isinstance(error, ComponentError_ResourceExhausted)
        assert "1000 bytes to stdout" in error.value
        started = time.monotonic()
        error = error_of(lambda: run(service, YES, timeout_ms=60_000))  # endless output
        assert isinstance(error, ComponentError_ResourceExhausted)
        assert time.monotonic() - started < 5
        assert gone(spawned.processes[-1].pid)


@needs(ENV, SLEEP)
def test_leftover_group_members_are_killed(service: ProcessService) -> None:
    if not os.access("/bin/sh", os.X_OK):
        pytest.skip("no /bin/sh")
    # The child (not the service) runs a shell that leaves a background sleep
    # holding the output pipe; the wait must not last until it ends.
    started = time.monotonic()
    handle = service.spawn_process(ENV, ["/bin/sh", "-c", "sleep 30 & echo $!"], None)
    result = service.wait_process(handle, 10_000)
    assert time.monotonic() - started < 5
    assert result.exit_code == 0
    # SIGKILL is delivered asynchronously: on a loaded machine the sleep may
    # still be on its way out for a moment after the wait returns.
    pid = int(result.stdout)
    deadline = time.monotonic() + 5
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gone(pid)


@needs(SLEEP)
def test_close_kills_everything(spawned: Spawned) -> None:
    service = ProcessService("runner", validator(), {})
    service.spawn_process(SLEEP, ["5"], None)
    service.spawn_process(SLEEP, ["5"], None)
    started = time.monotonic()
    service.close()
    assert time.monotonic() - started < 3
    assert all(gone(child.pid) for child in spawned.processes)
    error = error_of(lambda: service.spawn_process(SLEEP, ["1"], None))
    assert isinstance(error, ComponentError_InternalError) and "closed" in error.value


def test_unexpected_exceptions_become_internal_errors(
    service: ProcessService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(subprocess, "Popen", boom)
    error = error_of(lambda: service.spawn_process(ECHO, [], None))
    assert isinstance(error, ComponentError_InternalError) and "RuntimeError: boom" in error.value


VARIANTS = st.sampled_from(LISTED).flatmap(
    lambda command: st.sampled_from(
        [
            command + "/",
            command.replace("/", "//", 1),
            command.replace("/", "/./", 1),
            command.upper(),
            command + " ",
            " " + command,
            command.rsplit("/", 1)[1],
            command + "\x00",
            "/x/.." + command,
        ]
    )
)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(command=VARIANTS | st.text(max_size=30))
def test_only_listed_commands_ever_reach_popen(command: str) -> None:
    calls: list[object] = []
    service = ProcessService("runner", validator(), {})
    real = subprocess.Popen
    subprocess.Popen = lambda *a, **k: calls.append(a)  # type: ignore[assignment, misc]
    try:
        try:
            service.spawn_process(command, [], None)
        except Err as error:
            assert command in LISTED or isinstance(error.value, ComponentError_InvalidConfiguration)
    finally:
        subprocess.Popen = real  # type: ignore[misc]
    if command not in LISTED:
        assert calls == []
