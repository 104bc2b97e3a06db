"""Engines and stores that keep components apart and bounded.

In: the limits of one component (`StoreLimits`: its linear memory in all,
table elements, tables, memories and core instances) and a call's time.  Out:
`make_engine()`, an engine with epoch interruption, the component model and
the host's memory creator (`memory.py`); `EpochClock`, the thread that
advances the engine's epoch so that a call's deadline can stop it;
`new_store()`, a store with every limit set and WASI set up with nothing
granted, and its `MemoryBudget`; `instantiating()`, the context a component
is instantiated in (its memories charged to its budget, its start functions
under a deadline).  Raises `wasmtime.WasmtimeError` from wasmtime.

Every component instance gets a store of its own: in wasmtime 50 a trap
poisons the whole store (every instance in it), so sharing one would let one
component break the others.

What a component can grow is bounded, each by its own limit:

* linear memory: `memory` bytes in all, summed over every memory of every
  core instance of the component (the memory creator charges each memory and
  each grow to the store's budget; wasmtime's own limit, set too, bounds each
  memory alone, and is the only bound where the platform has no `mmap`);
* tables: at most `tables` tables of at most `table_elements` elements each
  (a funcref element takes 8 bytes of host memory);
* `memories` linear memories and `instances` core instances.

A grow past a limit fails as the wasm spec allows (`memory.grow` and
`table.grow` return -1); a component whose instantiation needs more is
refused.  Host memory per component is therefore bounded by `memory` plus
`tables * table_elements * 8` bytes, whatever it executes, and so is the time
of one bulk instruction (`memory.fill`, `memory.copy`, `table.fill`, ...),
which epoch interruption cannot stop halfway.

WASI p2 is linked (componentize-py guests need it) with nothing granted: no
preopened folders, no environment, no arguments, empty stdin, and stdout and
stderr sent to the component's logger.  WASI is therefore no way around the
capability checks: files, network and processes are reachable only through
the airssys interfaces.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from wasmtime import Config, Engine, Store, WasiConfig

from witgen.host.memory import MemoryBudget, charged_to, install_memory_creator

# Milliseconds per epoch tick: the granularity of call deadlines.
TICK_MS = 5

# The engine configuration, as the compile cache keys it (change it with the config).
ENGINE_CONFIG_NAME = "witgen-airssys-2:component-model,epoch-interruption,no-memory-init-cow"


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """What one component may grow (see the module docstring)."""

    memory: int  # bytes of linear memory in all its memories
    table_elements: int  # elements of one table
    tables: int
    memories: int
    instances: int  # core instances


def make_engine() -> Engine:
    config = Config()
    config.epoch_interruption = True
    # Data segments are copied in at instantiation: the host's memories (see
    # `memory.py`) cannot take wasmtime's copy-on-write images.  The same on
    # every platform, so that compiled components are, too.
    config.memory_init_cow = False
    install_memory_creator(config)
    return Engine(config)


class EpochClock:
    """Advances an engine's epoch every `TICK_MS` on a daemon thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="witgen-epoch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(TICK_MS / 1000):
            self.engine.increment_epoch()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def ticks(milliseconds: float) -> int:
    """The epoch deadline (in ticks after now) for a call allowed `milliseconds`."""
    return max(1, int(-(-milliseconds // TICK_MS)) + 1)


# No deadline: wasmtime counts ticks in a u64.
FOREVER = 2**63


def limited_store(engine: Engine, limits: StoreLimits) -> Store:
    """A store of `engine` with wasmtime's own limits set from `limits` (each
    memory at most `limits.memory` bytes: a budget over all memories needs the
    memory creator, see `new_store`)."""
    store = Store(engine)
    store.set_limits(
        memory_size=limits.memory,
        table_elements=limits.table_elements,
        instances=limits.instances,
        tables=limits.tables,
        memories=limits.memories,
    )
    return store


def new_store(
    engine: Engine,
    limits: StoreLimits,
    output: Callable[[str, bytes], None],
) -> tuple[Store, MemoryBudget]:
    """A store for one component, with `limits` set, WASI with nothing granted
    and stdout/stderr passed to `output(stream, data)`; and its memory budget
    (instantiate the component in `instantiating(store, budget, ...)`)."""
    store = limited_store(engine, limits)
    wasi = WasiConfig()
    wasi.stdout_custom = lambda data: output("stdout", bytes(data))
    wasi.stderr_custom = lambda data: output("stderr", bytes(data))
    store.set_wasi(wasi)
    store.set_epoch_deadline(FOREVER)
    return store, MemoryBudget(limits.memory)


@contextmanager
def instantiating(store: Store, budget: MemoryBudget, timeout_ms: int) -> Iterator[None]:
    """The context to instantiate a component in: its memories are charged to
    `budget`, and its start functions must finish within `timeout_ms`."""
    store.set_epoch_deadline(ticks(timeout_ms))
    try:
        with charged_to(budget):
            yield
    finally:
        store.set_epoch_deadline(FOREVER)


class LineLog:
    """A WASI output callback writing `logger` one record per line, at INFO
    (stdout) or WARNING (stderr).

    WASI writes come in chunks that need not end a line (CPython in a guest
    writes `RuntimeError`, `: ` and the message of an exception separately):
    the text of each stream is kept until its newline, so a traceback reads as
    the guest printed it.  `flush()` writes what is left (the host calls it
    after each call); a line longer than `LINE_LIMIT` is written in parts.
    With a `label`, each record reads `<label> <stream>: <line>`."""

    LINE_LIMIT = 64 * 1024

    def __init__(self, logger: logging.Logger, label: str | None = None) -> None:
        self.logger = logger
        self.label = label
        self.pending: dict[str, str] = {}

    def __call__(self, stream: str, data: bytes) -> None:
        text = self.pending.pop(stream, "") + data.decode("utf-8", "backslashreplace")
        *lines, rest = text.split("\n")
        for line in lines:
            self._write(stream, line)
        if len(rest) > self.LINE_LIMIT:
            self._write(stream, rest)
        elif rest:
            self.pending[stream] = rest

    def flush(self) -> None:
        for stream in list(self.pending):
            self._write(stream, self.pending.pop(stream))

    def _write(self, stream: str, line: str) -> None:
        if line.strip():
            level = logging.INFO if stream == "stdout" else logging.WARNING
            if self.label is None:
                self.logger.log(level, "%s", line.rstrip(), extra={"stream": stream})
            else:
                text = line.rstrip()
                self.logger.log(
                    level, "%s %s: %s", self.label, stream, text, extra={"stream": stream}
                )


def log_output(logger: logging.Logger) -> LineLog:
    """A WASI output callback writing each line to `logger` (see `LineLog`)."""
    return LineLog(logger)
