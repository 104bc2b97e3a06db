"""Engines and stores that keep components apart and bounded.

In: limits (memory per component, time per call).  Out: `make_engine()`, an
engine with epoch interruption and the component model; `EpochClock`, the
thread that advances the engine's epoch so that a call's deadline can stop
it; `new_store()`, a store with its memory limit and WASI set up with
nothing granted.  Raises `wasmtime.WasmtimeError` from wasmtime.

Every component instance gets a store of its own: in wasmtime 50 a trap
poisons the whole store (every instance in it), so sharing one would let one
component break the others.

WASI p2 is linked (componentize-py guests need it) with nothing granted: no
preopened folders, no environment, no arguments, empty stdin, and stdout and
stderr sent to the component's logger.  WASI is therefore no way around the
capability checks: files, network and processes are reachable only through
the airssys interfaces.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from wasmtime import Config, Engine, Store, WasiConfig

# Milliseconds per epoch tick: the granularity of call deadlines.
TICK_MS = 5

# The engine configuration, as the compile cache keys it (change it with the config).
ENGINE_CONFIG_NAME = "witgen-airssys-1:component-model,epoch-interruption"


def make_engine() -> Engine:
    config = Config()
    config.epoch_interruption = True
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


def new_store(
    engine: Engine,
    memory_limit: int,
    output: Callable[[str, bytes], None],
) -> Store:
    """A store for one instance: `memory_limit` bytes of linear memory in all,
    WASI with nothing granted, and stdout/stderr passed to `output(stream, data)`."""
    store = Store(engine)
    store.set_limits(memory_size=memory_limit)
    wasi = WasiConfig()
    wasi.stdout_custom = lambda data: output("stdout", bytes(data))
    wasi.stderr_custom = lambda data: output("stderr", bytes(data))
    store.set_wasi(wasi)
    store.set_epoch_deadline(FOREVER)
    return store


def log_output(logger: logging.Logger) -> Callable[[str, bytes], None]:
    """A WASI output callback writing each chunk to `logger` at INFO (stdout) or WARNING."""

    def output(stream: str, data: bytes) -> None:
        text = data.decode("utf-8", "backslashreplace").rstrip("\n")
        if text:
            level = logging.INFO if stream == "stdout" else logging.WARNING
            logger.log(level, "%s", text, extra={"stream": stream})

    return output
