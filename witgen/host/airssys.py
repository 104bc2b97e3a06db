"""The airssys host: components loaded, checked, isolated and run.

In: components (`.wasm`) with their `Component.toml`, and the host's
configuration.  Out: `AirssysHost`, which loads a component after every
check of `loader.py`, gives it a store of its own with its limits, links the
host services (each call checked against its grants), and runs its lifecycle
(`metadata`, `init`, `execute`, `health`, `shutdown`), delivering messages and
requests between components.  Raises `LoadError` for a component that fails a
check, `ComponentFailed` for a call to a component that trapped and could not
be restarted, `ComponentTrapped` for the call that trapped, `ComponentBusy`
for a call whose deadline passed while the component was still handling a
delivery, `ValueTooLarge` for a value over the host's value limit, `Err` for
the error case a component returns, and `KeyError` for an unknown component.

Isolation: one store per instance (a trap poisons a whole store in wasmtime
50), the memory the manifest asks for (never more than the host allows), a
deadline on every call through epoch interruption (the execution context's
`timeout-ms`, else the manifest's `[limits] timeout-ms`, else the host's),
and WASI with nothing granted.  A component that traps is marked failed, its
store replaced and, if it had been initialised, initialised again with the
same configuration, up to `restart_limit` times; other components never
notice.

Values crossing the boundary are bounded by `value_limit` (1 MiB by default,
at most `MAX_VALUE_LIMIT`): `execute`'s operation and result, messages and
requests (never more than `message_size_limit` either) and what the host
services hand a component (a file read, an HTTP response body, a process's
output).  Each byte crossing costs the host about 80 bytes while it crosses
(wasmtime-py 50's C API carries a `list<u8>` as one 32-byte value per byte,
and wasmtime itself 48 more), and wasmtime refuses to lift more than 128 MiB
of such values from a component (its "hostcall fuel", which its C API cannot
change): `execute`'s `list<u8>` over 2,796,201 bytes (`MAX_VALUE_LIMIT`).  A
value over the limit is `ValueTooLarge` and the component is not marked
trapped: an operation is refused before the call, a result after it (the
component keeps its state); a result over wasmtime's own bound leaves the
store unusable (wasmtime poisons it), so the host replaces it and initialises
the component again, as after a trap but without counting it as one.

A component that imports an item the bindings mark `@deprecated` loads, with
one warning on its logger per item (`Report.warnings()`), however often it is
loaded.

Messaging is an actor model: a component's calls run one at a time and never
re-entrantly; what it sends during a call is queued, and released to its
targets when the call returns.  The host delivers on its own schedule, never
inside anyone's `execute`: each component with mail has a delivery thread of
its own that delivers its mailbox in order (per sender, the order of
sending), each delivery under the recipient's own deadline (the lifecycle
timeout for `handle-message` and `handle-callback`, what is left of the
request's timeout for a request's `execute`).  So a slow recipient delays
nobody but itself and its own mail: not the sender, not other components, not
the host's callers.  A request is delivered to the target's `execute`, and
its result, its timeout or its cancellation reaches the sender's
`handle-callback` under the request id `send-request` returned.
`wait_idle()` waits until nothing is queued or being delivered.

A call from the host's caller (`init`, `execute`, `health`, `shutdown`) to a
component that is handling a delivery waits for it, within the call's own
deadline (`ComponentBusy` past it).  Callers go before waiting deliveries,
except that a delivery that waited through a caller's call goes next: a
caller waits at most for what is running and one delivery, and mail is never
starved by a caller calling again and again.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from airssys_bindings.airssys_component_core import extended_component as world
from airssys_bindings.airssys_host_core import types
from airssys_bindings.airssys_host_extensions import filesystem
from wasmtime import Engine, Store, WasmtimeError
from wasmtime.component import Component, Linker

from witgen.host.cache import ComponentCache
from witgen.host.isolation import (
    ENGINE_CONFIG_NAME,
    FOREVER,
    EpochClock,
    StoreLimits,
    instantiating,
    log_output,
    make_engine,
    new_store,
    ticks,
)
from witgen.host.loader import Report, check_component
from witgen.host.memory import MemoryBudget
from witgen.host.services.filesystem import DEFAULT_MAX_READ_BYTES, FilesystemService
from witgen.host.services.host_services import HostServices, Undeliverable
from witgen.host.services.network import NetworkLimits, NetworkService
from witgen.host.services.process import ProcessLimits, ProcessService
from witgen.host.services.storage import SqliteStorage, StorageService
from witgen.permissions import (
    AIRSSYS_PACKAGES,
    Manifest,
    ManifestError,
    PermissionValidator,
    ProvidedPackage,
    load_manifest,
)
from witgen.runtime.calls import BadValue
from witgen.runtime.context import release_store
from witgen.runtime.wit import Err, Ok

T = TypeVar("T")
MiB = 1 << 20

# The longest `list<u8>` wasmtime 50 (and 51) lifts out of a component as
# `execute` returns it: 128 MiB of hostcall fuel at 48 bytes per value, one value
# per byte and one for the `result` around the list (measured on both: one byte
# more fails).
MAX_VALUE_LIMIT = (128 * MiB) // 48 - 1
_FUEL_EXHAUSTED = "fuel allocated for hostcalls has been exhausted"


@dataclass(frozen=True, slots=True)
class HostConfig:
    """What the host allows and where it keeps things."""

    cache_dir: Path | None = None  # compiled components (None: the user's cache folder)
    fs_root: Path | None = None  # each component's `/` is `fs_root/<name>`; None: no filesystem
    storage_path: Path | None = None  # the SQLite file of the key-value store; None: in memory
    memory_limit: int = 256 * MiB  # the most linear memory a component may have, in all
    table_elements_limit: int = 100_000  # elements of one table (8 bytes each)
    tables_limit: int = 16  # tables of one component
    memories_limit: int = 16  # linear memories of one component
    instances_limit: int = 100  # core instances of one component
    call_timeout_ms: int = 30_000  # a call's deadline when nothing else sets one
    max_call_timeout_ms: int = 300_000  # the longest deadline anything may set
    lifecycle_timeout_ms: int = 10_000  # metadata, init, health, shutdown, handle-*
    mailbox_limit: int = 1024  # messages and requests queued for one component
    message_size_limit: int = 1 * MiB
    value_limit: int = 1 * MiB  # bytes of one value crossing the boundary
    restart_limit: int = 3  # re-initialisations of a component that trapped
    packages: tuple[ProvidedPackage, ...] = AIRSSYS_PACKAGES
    network: NetworkLimits = field(default_factory=NetworkLimits)
    process: ProcessLimits = field(default_factory=ProcessLimits)

    def __post_init__(self) -> None:
        if not 1 <= self.value_limit <= MAX_VALUE_LIMIT:
            raise ValueError(
                f"value_limit must be from 1 to {MAX_VALUE_LIMIT} bytes (the longest "
                f"list<u8> wasmtime lifts), not {self.value_limit}"
            )


class LoadError(Exception):
    """A component failed a check before it was instantiated."""

    def __init__(self, component: str, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.component = component
        self.problems = problems


class ComponentTrapped(Exception):
    """A call trapped (or ran past its deadline); the component was restarted or failed."""

    def __init__(self, component: str, call: str, reason: str) -> None:
        super().__init__(f"component `{component}`: {call} trapped: {reason}")
        self.component = component
        self.call = call
        self.reason = reason


class ComponentFailed(Exception):
    """A call to a component that trapped and may not be restarted."""


class ValueTooLarge(Exception):
    """A value crossing the boundary was over the host's value limit; the
    component is not marked trapped (see the module docstring)."""

    def __init__(self, component: str, call: str, detail: str) -> None:
        super().__init__(f"component `{component}`: {call}: {detail}")
        self.component = component
        self.call = call


class ComponentBusy(Exception):
    """A call's deadline passed while the component was handling a delivery;
    the call never started (nothing reached the component)."""


@dataclass
class _Delivery:
    kind: str  # message, request, callback
    sender: str
    target: str
    payload: bytes = b""
    request_id: str = ""
    deadline: float = 0.0  # time.monotonic() for requests
    result: Ok[bytes] | Err[str] | None = None  # callbacks


class ComponentRuntime:
    """One loaded component: its checks passed, its store, its services and state."""

    def __init__(
        self,
        host: AirssysHost,
        name: str,
        manifest: Manifest,
        component: Component,
        *,
        env: Mapping[str, str],
        fs_root: Path | None,
    ) -> None:
        self.host = host
        self.name = name
        self.manifest = manifest
        self.validator = PermissionValidator(manifest)
        self.component = component
        self.env = dict(env)
        self.logger = logging.getLogger(f"witgen.component.{name}")
        self.state = "loaded"  # loaded, ready, failed, stopped
        self.restarts = 0
        self.init_config: types.ComponentConfig | None = None
        self.metadata: types.ComponentMetadata | None = None
        self.deadline: float | None = None  # the running call's (time.monotonic())
        # Whose turn it is: one call at a time (see the module docstring).
        self._turn = threading.Condition()
        self._owner: int | None = None  # the thread in a call
        self._owner_delivers = False  # whether that call is a delivery
        self._callers = 0  # callers waiting for their turn
        self._deliveries = 0  # deliveries waiting for theirs
        self._delivery_next = False  # a delivery waited through a caller's call
        self._closing = False  # `close()` was called: release when the call returns
        self._released = False  # the store and linker are freed
        # What the running call sent, released to the targets when it returns.
        self.outbox: list[_Delivery] = []
        self.mailbox: deque[_Delivery] = deque()  # the host's lock guards it
        self.worker: threading.Thread | None = None  # delivering the mailbox
        config = host.config
        self.limits = StoreLimits(
            memory=min(manifest.limits.memory or config.memory_limit, config.memory_limit),
            table_elements=config.table_elements_limit,
            tables=config.tables_limit,
            memories=config.memories_limit,
            instances=config.instances_limit,
        )
        self.timeout_ms = min(
            manifest.limits.timeout_ms or config.call_timeout_ms, config.max_call_timeout_ms
        )
        value = config.value_limit
        self.filesystem = (
            FilesystemService(
                name,
                self.validator,
                fs_root,
                max_read_bytes=min(DEFAULT_MAX_READ_BYTES, value),
            )
            if fs_root is not None
            else NoFilesystem()
        )
        self.storage = StorageService(
            name, self.validator, host.storage, self.validator.new_storage_quota()
        )
        process = replace(
            config.process, max_output_bytes=min(config.process.max_output_bytes, value)
        )
        self.process = ProcessService(name, self.validator, self.env, process)
        network = replace(
            config.network, max_response_body=min(config.network.max_response_body, value)
        )
        self.network = NetworkService(name, self.validator, network)
        self.host_services = HostServices(
            name, self.validator, host, self.logger, lambda: self.deadline
        )
        self.linker = Linker(host.engine)
        self.linker.add_wasip2()
        # This object is the world's `Imports`: one attribute per imported interface.
        world.add_to_linker(self.linker, self)
        self.store: Store
        self.memory: MemoryBudget  # the linear memory it holds (`.used`) and may hold
        self.exports: world.Exports
        try:
            self._instantiate()
        except BaseException:
            self._released = True  # nothing was loaded: free it all now (see `close`)
            self.linker.close()
            self.process.close()
            raise

    def _instantiate(self) -> None:
        """A new store and instance (the previous store, after a trap, is freed at
        once, not when the collector finds it); start functions run under the
        lifecycle deadline."""
        previous: Store | None = getattr(self, "store", None)
        if previous is not None:
            previous.close()
        self.output = log_output(self.logger)  # the component's stdout and stderr, by line
        self.store, self.memory = new_store(self.host.engine, self.limits, self.output)
        with instantiating(self.store, self.memory, self.host.config.lifecycle_timeout_ms):
            self.exports = world.instantiate(self.store, self.linker, self.component)

    def call(
        self,
        what: str,
        timeout_ms: int,
        function: Callable[[world.Exports], T],
        *,
        delivery: bool = False,
        until: float | None = None,
    ) -> T:
        """Run `function` (one call into the component) within `timeout_ms`.

        A caller's `timeout_ms` covers waiting for its turn (behind a delivery
        in progress) and the call.  A `delivery` waits behind callers for as
        long as it takes, then runs for `timeout_ms`, or until `until` (a
        request's deadline; `ComponentBusy` if it has passed).  What the
        component sent during the call is released when it returns.
        """
        began = time.monotonic()
        self._take_turn(None if delivery else began + timeout_ms / 1000, what, timeout_ms)
        try:
            if delivery:
                now = time.monotonic()
                end = until if until is not None else now + timeout_ms / 1000
                remaining = int((end - now) * 1000)
                if remaining <= 0:
                    raise ComponentBusy(f"component `{self.name}`: {what}: its deadline passed")
            else:
                remaining = timeout_ms - int((time.monotonic() - began) * 1000)
            return self._run(what, max(remaining, 1), timeout_ms, function)
        finally:
            self._give_turn()
            self.host._release(self)

    def remaining_ms(self) -> int:
        """What is left of the running call's deadline, in milliseconds."""
        deadline = self.deadline
        return 0 if deadline is None else max(0, int((deadline - time.monotonic()) * 1000))

    def in_call_here(self) -> bool:
        """Whether this thread is in a call into the component."""
        return self._owner == threading.get_ident()

    def _take_turn(self, deadline: float | None, what: str, timeout_ms: int) -> None:
        """Wait for the component to be free: a caller until `deadline`, a
        delivery (`deadline` None) as long as it takes (module docstring)."""
        me = threading.get_ident()
        delivery = deadline is None
        with self._turn:
            if self._owner == me:
                raise ComponentFailed(f"component `{self.name}` is already in a call (no re-entry)")
            if delivery:
                self._deliveries += 1
            else:
                self._callers += 1
            try:
                while not self._my_turn(delivery):
                    if self.state in ("failed", "stopped"):
                        break
                    if deadline is None:
                        self._turn.wait()
                        continue
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise ComponentBusy(
                            f"component `{self.name}`: {what}: still busy (with a delivery "
                            f"or another call) when the call's {timeout_ms} ms deadline passed"
                        )
                    self._turn.wait(left)
            finally:
                if delivery:
                    self._deliveries -= 1
                else:
                    self._callers -= 1
            if self.state in ("failed", "stopped"):
                raise ComponentFailed(f"component `{self.name}` is {self.state}")
            self._owner = me
            self._owner_delivers = delivery
            if delivery:
                self._delivery_next = False

    def _my_turn(self, delivery: bool) -> bool:
        if self._owner is not None:
            return False
        delivery_next = self._delivery_next and self._deliveries > 0
        return delivery_next or not self._callers if delivery else not delivery_next

    def stop(self) -> None:
        """No call may start any more (a waiting one fails)."""
        with self._turn:
            self.state = "stopped"
            self._turn.notify_all()

    def close(self) -> None:
        """Stop, and free the store (with its linear memory) and the linker as
        soon as no call is running: now, or when the running call returns.

        Without this nothing of an unloaded component is ever freed: every
        host function sits in a process-wide table (`witgen.runtime.calls`)
        that wasmtime empties only when the linker is freed, and each holds
        this runtime, which holds the linker.
        """
        with self._turn:
            self.state = "stopped"
            self._closing = True
            self._turn.notify_all()
            if self._owner is None:
                self._release()

    def _release(self) -> None:
        if not self._released:
            self._released = True
            release_store(self.store)  # before the store's address can be reused
            self.store.close()
            self.linker.close()

    def _give_turn(self) -> None:
        with self._turn:
            if not self._owner_delivers and self._deliveries:
                self._delivery_next = True
            self._owner = None
            self._turn.notify_all()
            if self._closing:
                self._release()

    def _run(
        self, what: str, timeout_ms: int, allowed_ms: int, function: Callable[[world.Exports], T]
    ) -> T:
        """The call itself, with the deadline `timeout_ms` from now (`allowed_ms`
        is the deadline it was given, for messages)."""
        self.deadline = time.monotonic() + timeout_ms / 1000
        self.store.set_epoch_deadline(ticks(timeout_ms))
        try:
            return function(self.exports)
        except Err:
            raise  # the component's own error case: not a failure
        except BadValue as error:
            if error.place.startswith("argument"):
                raise  # the host's bad argument: nothing reached the component
            self._trapped(what, f"it returned a value its type does not admit: {error}")
            raise ComponentTrapped(self.name, what, str(error)) from error
        except Exception as error:
            if _FUEL_EXHAUSTED in str(error):
                self._trapped(what, "a value too large to cross", counted=False)
                raise ValueTooLarge(
                    self.name,
                    what,
                    f"a value crossing the boundary was larger than wasmtime lets cross "
                    f"(a list<u8> of at most {MAX_VALUE_LIMIT} bytes); the component was "
                    "started again (its state is lost: wasmtime left the store unusable)",
                ) from None
            timed_out = time.monotonic() >= (self.deadline or 0) or "interrupt" in str(error)
            reason = f"it ran past its {allowed_ms} ms deadline" if timed_out else _reason(error)
            self._trapped(what, reason)
            raise ComponentTrapped(self.name, what, reason) from error
        finally:
            self.output.flush()
            self.deadline = None
            if self.state != "failed":
                with contextlib.suppress(WasmtimeError):
                    self.store.set_epoch_deadline(FOREVER)

    def _trapped(self, what: str, reason: str, *, counted: bool = True) -> None:
        """A new store and instance after a trap, initialised again; one of the
        `restart_limit` restarts unless not `counted` (the store was lost for a
        value too large, not for a fault of the component's)."""
        self.output.flush()  # what it wrote before the trap, before the trap's own record
        if self._closing:
            return  # unloaded during the call: nothing to start again
        if counted:
            self.logger.error("%s trapped: %s", what, reason, extra={"component": self.name})
            if self.restarts >= self.host.config.restart_limit:
                self.state = "failed"
                return
            self.restarts += 1
        else:
            self.logger.warning("%s: %s; starting it again", what, reason)
        try:
            self._instantiate()
            if self.init_config is not None:
                self.state = "loaded"
                self.store.set_epoch_deadline(ticks(self.host.config.lifecycle_timeout_ms))
                self.exports.component_lifecycle.init(self.init_config)
                self.store.set_epoch_deadline(FOREVER)
                self.state = "ready"
            if counted:
                self.logger.warning("restarted after a trap (%d)", self.restarts)
        except Exception as error:  # noqa: BLE001 (whatever stops a restart fails the component)
            self.logger.error("restart failed: %s", _reason(error))
            self.state = "failed"


class NoFilesystem:
    """`filesystem` for a host with no filesystem root: every call is denied."""

    def _denied(self, path: str) -> Err[types.FileError]:
        return Err(types.FileError_PermissionDenied(f"the host gives no filesystem: {path}"))

    def read_file(self, path: str) -> bytes:
        raise self._denied(path)

    def write_file(self, path: str, data: bytes) -> None:
        raise self._denied(path)

    def stat_file(self, path: str) -> filesystem.FileMetadata:
        raise self._denied(path)

    def delete_file(self, path: str) -> None:
        raise self._denied(path)

    def list_directory(self, path: str) -> list[filesystem.DirectoryEntry]:
        raise self._denied(path)

    def create_directory(self, path: str) -> None:
        raise self._denied(path)


class AirssysHost:
    """Loads and runs airssys components (see the module docstring)."""

    def __init__(self, config: HostConfig | None = None) -> None:
        self.config = config if config is not None else HostConfig()
        self.engine: Engine = make_engine()
        self.clock = EpochClock(self.engine)
        self.cache = ComponentCache(self.config.cache_dir, ENGINE_CONFIG_NAME)
        self.storage = SqliteStorage(
            str(self.config.storage_path) if self.config.storage_path is not None else ":memory:"
        )
        self.components: dict[str, ComponentRuntime] = {}
        # Messaging state, under `_lock`: deliveries waiting by target (in an
        # outbox or a mailbox), requests not yet answered by id, and how many
        # deliveries are queued or running (`wait_idle`).
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self.queued: dict[str, int] = {}
        self.requests: dict[str, _Delivery] = {}
        self._pending = 0
        self._closing = False
        self._ids = itertools.count(1)
        self._reports: dict[tuple[str, str, tuple[str, ...]], Report] = {}
        self._warned: set[tuple[str, str, str]] = set()  # (component, import, deprecated item)

    def close(self) -> None:
        """Stop every component; a delivery in progress ends by its deadline first."""
        with self._lock:
            self._closing = True
            runtimes = list(self.components.values())
            for runtime in runtimes:
                self._drop(runtime.mailbox)
                self._drop(runtime.outbox)
        for runtime in runtimes:
            runtime.stop()
        for runtime in runtimes:
            worker = runtime.worker
            if worker is not None and worker is not threading.current_thread():
                worker.join()
            runtime.close()
            runtime.process.close()
        self.components.clear()
        self.clock.close()
        self.storage.close()

    def __enter__(self) -> AirssysHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loading

    def inspect(
        self,
        wasm: bytes | str | os.PathLike[str],
        manifest_path: str | os.PathLike[str] | None,
    ) -> tuple[Report, Component]:
        """Every check's verdict for a component (see `loader.py`); instantiates nothing.

        Reports are kept by the component's digest and the manifest's text: the
        checks depend on nothing else, so a component loaded again is not
        checked again."""
        manifest: Manifest | None = None
        problems: list[str] = []
        if manifest_path is not None:
            try:
                manifest = load_manifest(manifest_path)
            except ManifestError as error:
                problems = [f"manifest: {problem}" for problem in error.problems]
        else:
            problems = ["manifest: none given (a component needs its Component.toml)"]
        loaded = self.cache.load(self.engine, wasm)
        component = loaded.component
        key = (loaded.digest, _text(manifest_path), tuple(problems))
        known = self._reports.get(key)
        if known is not None:
            return known, component
        name = manifest.component.name if manifest is not None else "(unnamed)"
        report = check_component(
            name,
            engine=self.engine,
            component=component,
            manifest=manifest,
            manifest_problems=problems,
            imports=world.IMPORTED_INTERFACES,
            exports=world.EXPORTED_INTERFACES,
            packages=self.config.packages,
        )
        self._reports[key] = report
        return report, component

    def load(
        self,
        wasm: bytes | str | os.PathLike[str],
        manifest_path: str | os.PathLike[str],
        *,
        env: Mapping[str, str] | None = None,
        fs_root: str | os.PathLike[str] | None = None,
    ) -> ComponentRuntime:
        """Check, compile (or take from the cache) and instantiate a component,
        and read its metadata.  `fs_root` overrides `config.fs_root/<name>`."""
        try:
            manifest = load_manifest(manifest_path)
        except ManifestError as error:
            raise LoadError(str(manifest_path), [str(p) for p in error.problems]) from None
        name = manifest.component.name
        if name in self.components:
            raise LoadError(name, [f"component `{name}`: a component of that name is loaded"])
        try:
            report, component = self.inspect(wasm, manifest_path)
        except WasmtimeError as error:
            raise LoadError(name, [f"component `{name}`: not a valid component: {error}"]) from None
        except OSError as error:
            raise LoadError(name, [f"component `{name}`: {error.strerror}: {wasm!r}"]) from None
        if not report.ok:
            raise LoadError(name, report.problems())
        root = Path(fs_root) if fs_root is not None else None
        if root is None and self.config.fs_root is not None:
            root = self.config.fs_root / name
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        try:
            runtime = ComponentRuntime(self, name, manifest, component, env=env or {}, fs_root=root)
        except WasmtimeError as error:
            reason = _reason(error)
            if "interrupt" in reason:
                reason = (
                    f"its start functions ran past the {self.config.lifecycle_timeout_ms} ms "
                    "deadline"
                )
            raise LoadError(name, [f"component `{name}`: instantiation failed: {reason}"]) from None
        except ValueError as error:  # the services refuse (e.g. stored data over the quota)
            raise LoadError(name, [f"component `{name}`: {error}"]) from None
        self.components[name] = runtime
        for key, item in report.deprecated:  # once per component and item, not per load
            if (name, key, item.name) not in self._warned:
                self._warned.add((name, key, item.name))
                runtime.logger.warning(
                    "%s", item.warning(name), extra={"component": name, "interface": key}
                )
        try:
            runtime.metadata = runtime.call(
                "metadata",
                self.config.lifecycle_timeout_ms,
                lambda e: e.component_lifecycle.metadata(),
            )
        except (ComponentTrapped, ComponentFailed) as error:
            del self.components[name]
            runtime.close()
            runtime.process.close()
            raise LoadError(name, [f"component `{name}`: metadata failed: {error}"]) from None
        return runtime

    def component(self, name: str) -> ComponentRuntime:
        return self.components[name]

    def unload(self, name: str) -> None:
        """Stop and forget a component, and drop the mail to and from it."""
        with self._lock:
            runtime = self.components.pop(name)
            self._drop(runtime.mailbox)
            self._drop(runtime.outbox)
            for other in self.components.values():
                self._drop(other.mailbox, lambda d: d.sender == name)
        runtime.close()
        runtime.process.close()

    # -- the lifecycle

    def init(self, name: str, config_data: bytes | None = None) -> None:
        """`init` with the component's env and `config_data`; raises `Err` on its refusal."""
        runtime = self.components[name]
        config = types.ComponentConfig(env=sorted(runtime.env.items()), config_data=config_data)
        runtime.call(
            "init",
            self.config.lifecycle_timeout_ms,
            lambda e: e.component_lifecycle.init(config),
        )
        runtime.init_config = config
        runtime.state = "ready"

    def execute(self, name: str, operation: bytes, *, timeout_ms: int | None = None) -> bytes:
        """`execute`: the component's result, or `Err(execution-error)`.  What it
        sent is delivered afterwards, by the host, without this call waiting."""
        runtime = self.components[name]
        timeout = min(timeout_ms or runtime.timeout_ms, self.config.max_call_timeout_ms)
        request_id = f"call-{next(self._ids)}"
        self._check_value(name, "the operation", operation)

        def call(exports: world.Exports) -> bytes:
            context = types.ExecutionContext(request_id, runtime.remaining_ms())
            return exports.component_lifecycle.execute(operation, context)

        result = runtime.call("execute", timeout, call)
        self._check_value(name, "its result", result)
        return result

    def _check_value(self, name: str, what: str, value: bytes) -> None:
        limit = self.config.value_limit
        if len(value) > limit:
            raise ValueTooLarge(
                name, "execute", f"{what} is {len(value)} bytes; the host's value limit is {limit}"
            )

    def health(self, name: str) -> types.HealthStatus:
        runtime = self.components[name]
        return runtime.call(
            "health", self.config.lifecycle_timeout_ms, lambda e: e.component_lifecycle.health()
        )

    def shutdown(self, name: str) -> None:
        runtime = self.components[name]
        try:
            runtime.call(
                "shutdown",
                self.config.lifecycle_timeout_ms,
                lambda e: e.component_lifecycle.shutdown(),
            )
        finally:
            runtime.stop()
            runtime.process.close()

    # -- messaging (`host_services.Broker`)

    def component_names(self) -> list[str]:
        return list(self.components)

    def metadata_of(self, name: str) -> types.ComponentMetadata | None:
        runtime = self.components.get(name)
        return runtime.metadata if runtime is not None else None

    def send_message(self, sender: str, target: str, message: bytes) -> None:
        """Queue `message` for `target` (from a component's call, or from the
        host's caller as `sender`), or raise `Undeliverable`."""
        with self._lock:
            self._admit(target, message)
            self._queue(_Delivery("message", sender, target, message))

    def send_request(self, sender: str, target: str, request: bytes, timeout_ms: int) -> str:
        timeout = min(timeout_ms, self.config.max_call_timeout_ms)
        with self._lock:
            self._admit(target, request)
            request_id = f"req-{next(self._ids)}"
            delivery = _Delivery(
                "request",
                sender,
                target,
                request,
                request_id,
                deadline=time.monotonic() + timeout / 1000,
            )
            self.requests[request_id] = delivery
            self._queue(delivery)
        return request_id

    def cancel_request(self, sender: str, request_id: str) -> None:
        with self._lock:
            delivery = self.requests.get(request_id)
            if delivery is None or delivery.sender != sender:
                raise Undeliverable(
                    types.MessagingError_DeliveryFailed(f"no pending request `{request_id}`")
                )
            self._answer(delivery, Err("cancelled"))
            for runtime in (self.components.get(delivery.target), self.components.get(sender)):
                if runtime is not None:
                    self._drop(runtime.mailbox, lambda d: d is delivery)
                    self._drop(runtime.outbox, lambda d: d is delivery)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no delivery is queued or running (what those deliveries
        send in turn included); False if `timeout` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _admit(self, target: str, payload: bytes) -> None:
        if target not in self.components:
            raise Undeliverable(types.MessagingError_ComponentNotFound(target))
        if len(payload) > min(self.config.message_size_limit, self.config.value_limit):
            raise Undeliverable(types.MessagingError_MessageTooLarge())
        if self.queued.get(target, 0) >= self.config.mailbox_limit:
            raise Undeliverable(
                types.MessagingError_DeliveryFailed(
                    f"the mailbox of `{target}` is full "
                    f"({self.config.mailbox_limit} messages waiting)"
                )
            )

    # Under `_lock`, all of these.

    def _queue(self, delivery: _Delivery) -> None:
        """Count a new delivery; a component sending during its call keeps it in
        its outbox until the call returns, anything else is posted now."""
        self.queued[delivery.target] = self.queued.get(delivery.target, 0) + 1
        self._pending += 1
        sender = self.components.get(delivery.sender)
        if sender is not None and sender.in_call_here():
            sender.outbox.append(delivery)
        else:
            self._post(delivery)

    def _post(self, delivery: _Delivery) -> None:
        """Into the target's mailbox, with a delivery thread to empty it."""
        target = self.components.get(delivery.target)
        if target is None or self._closing:
            self._done(delivery)
            if delivery.kind == "request":
                self._answer(delivery, Err(f"component `{delivery.target}` is not running"))
            return
        target.mailbox.append(delivery)
        if target.worker is None:
            target.worker = threading.Thread(
                target=self._deliver_mail,
                args=(target,),
                name=f"witgen-deliver-{target.name}",
                daemon=True,
            )
            target.worker.start()

    def _done(self, delivery: _Delivery, *, dequeued: bool = False) -> None:
        """A delivery made or dropped (`dequeued`: it left the queue already)."""
        if not dequeued:
            self.queued[delivery.target] -= 1
        self._pending -= 1
        if self._pending == 0:
            self._idle.notify_all()

    def _drop(
        self, queue: deque[_Delivery] | list[_Delivery], which: Callable[[_Delivery], bool] = bool
    ) -> None:
        """Drop the deliveries `which` selects (all of them by default)."""
        for delivery in [d for d in queue if which(d)]:
            queue.remove(delivery)
            self._done(delivery)
            self.requests.pop(delivery.request_id, None)

    def _answer(self, request: _Delivery, result: Ok[bytes] | Err[str]) -> None:
        """Route a request's outcome (once) to its sender's `handle-callback`."""
        if self.requests.pop(request.request_id, None) is None:
            return  # answered already (cancelled, or its sender is gone)
        if request.sender in self.components:
            callback = _Delivery(
                "callback", request.target, request.sender, request_id=request.request_id
            )
            callback.result = result
            self.queued[callback.target] = self.queued.get(callback.target, 0) + 1
            self._pending += 1
            self._post(callback)

    # The host's delivery schedule.

    def _release(self, runtime: ComponentRuntime) -> None:
        """Post what `runtime` sent during the call that just returned."""
        if runtime.outbox:
            with self._lock:
                sent, runtime.outbox = runtime.outbox, []
                for delivery in sent:
                    self._post(delivery)

    def _deliver_mail(self, runtime: ComponentRuntime) -> None:
        """A component's delivery thread: its mailbox, in order, until empty."""
        while True:
            with self._lock:
                if not runtime.mailbox:
                    runtime.worker = None
                    return
                delivery = runtime.mailbox.popleft()
                self.queued[delivery.target] -= 1  # room in the mailbox again
            try:
                with self._quietly(runtime, delivery.kind):
                    self._deliver(runtime, delivery)
            except Exception:  # a delivery thread must go on
                runtime.logger.exception("%s not delivered", delivery.kind)
            finally:
                with self._lock:
                    self._done(delivery, dequeued=True)

    def _deliver(self, runtime: ComponentRuntime, delivery: _Delivery) -> None:
        """One delivery, under the recipient's own deadline."""
        lifetime = self.config.lifecycle_timeout_ms
        if delivery.kind == "message":
            runtime.call(
                "handle-message",
                lifetime,
                lambda e: e.component_lifecycle.handle_message(delivery.sender, delivery.payload),
                delivery=True,
            )
            return
        if delivery.kind == "callback":
            assert delivery.result is not None
            result = delivery.result
            runtime.call(
                "handle-callback",
                lifetime,
                lambda e: e.component_lifecycle.handle_callback(delivery.request_id, result),
                delivery=True,
            )
            return
        with self._lock:
            if delivery.request_id not in self.requests:
                return  # cancelled
        remaining = int((delivery.deadline - time.monotonic()) * 1000)

        def execute(exports: world.Exports) -> bytes:
            context = types.ExecutionContext(delivery.request_id, runtime.remaining_ms())
            return exports.component_lifecycle.execute(delivery.payload, context)

        answer: Ok[bytes] | Err[str]
        try:
            output = runtime.call(
                "execute", max(remaining, 1), execute, delivery=True, until=delivery.deadline
            )
            self._check_value(delivery.target, "its result", output)
        except ValueTooLarge as error:
            answer = Err(f"value-too-large: {error}")
        except Err as refused:
            answer = Err(_describe_case(refused.value))
        except ComponentTrapped as trapped:
            answer = Err(f"{delivery.target} trapped: {trapped.reason}")
        except ComponentBusy:
            answer = Err("timeout-exceeded: the request timed out")
        except ComponentFailed as failed:
            answer = Err(str(failed))
        else:
            answer = Ok(output)
        with self._lock:
            self._answer(delivery, answer)

    @contextmanager
    def _quietly(self, runtime: ComponentRuntime, kind: str) -> Iterator[None]:
        """Deliveries never raise: a refusal or a trap is logged (and the trap
        restarts the component)."""
        try:
            yield
        except Err as refused:
            runtime.logger.warning("%s refused: %s", kind, _describe_case(refused.value))
        except (ComponentTrapped, ComponentFailed, ComponentBusy, ValueTooLarge) as error:
            runtime.logger.warning("%s not delivered: %s", kind, error)


def _text(path: str | os.PathLike[str] | None) -> str:
    if path is None:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    for line in reversed(text.splitlines()):
        if "wasm trap:" in line or "error while executing" not in line:
            return line.strip() or type(error).__name__
    return text or type(error).__name__


def _describe_case(value: object) -> str:
    """`case-name: payload` for an error case value of the bindings."""
    name = type(value).__name__.partition("_")[2] or type(value).__name__
    kebab = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
    payload = getattr(value, "value", None)
    return kebab if payload is None else f"{kebab}: {payload}"
