"""Linear memories that count against one budget per component.

In: an engine `Config`, and a `MemoryBudget` for each store.  Out:
`install_memory_creator(config)`, which makes the engine create every linear
memory here (returns False where the platform offers no `mmap`/`mprotect`,
and then nothing changes); `charged_to(budget)`, the context in which a
component is instantiated, so that each memory created then (by any core
instance of the component) is charged to `budget`; `MemoryBudget`, the bytes
one component may hold in all its memories, and holds now.  Raises nothing
into wasmtime: a refusal is a wasmtime error (instantiation fails) or a failed
`memory.grow` (it returns -1, as the wasm spec allows).

Why: wasmtime's store limit on memory (`Store.set_limits(memory_size=...)`)
bounds each linear memory on its own, so a component with nine memories could
hold nine times its limit.  The C API offers no limiter callback, but it does
let the host create the memories (`wasmtime_config_host_memory_creator_set`):
each memory is reserved here as wasmtime asks (its reservation and guard
region, inaccessible), made accessible as it grows, and every grow is charged
to the budget of the store it belongs to.  A grow that would take the budget
past its limit is refused.

A memory created with no budget bound to the thread (not through
`charged_to`) is refused: the host's engine creates memories only for its
components.

The callbacks run on whichever thread runs the component; the budget is
shared by the component's memories and guarded by a lock.  Nothing here may
raise into wasmtime (a Python exception in a ctypes callback would be lost and
leave wasmtime with no memory): each callback turns any failure into a
wasmtime error.
"""

from __future__ import annotations

import ctypes
import itertools
import mmap
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from wasmtime import Config
from wasmtime import _ffi as ffi

_PAGE = mmap.PAGESIZE
_SUPPORTED = sys.platform.startswith(("linux", "darwin"))


class MemoryBudget:
    """The linear memory one component's store may hold in all, and holds now."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0  # bytes accessible in all the store's memories
        self.refused = 0  # creations and grows refused for the limit
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.used + size > self.limit:
                self.refused += 1
                return False
            self.used += size
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self.used -= size


_charged = threading.local()


@contextmanager
def charged_to(budget: MemoryBudget) -> Iterator[None]:
    """Charge the memories created on this thread, meanwhile, to `budget`."""
    previous = getattr(_charged, "budget", None)
    _charged.budget = budget
    try:
        yield
    finally:
        _charged.budget = previous


@dataclass(slots=True)
class _Memory:
    base: int  # address of byte 0
    size: int  # bytes accessible (the wasm memory's size)
    capacity: int  # bytes it may grow to in place
    mapped: int  # bytes reserved (capacity and guard region)
    budget: MemoryBudget


_memories: dict[int, _Memory] = {}
_keys = itertools.count(1)
_registry_lock = threading.Lock()


def _align(size: int) -> int:
    return -(-size // _PAGE) * _PAGE


class _Libc:
    """`mmap`, `mprotect` and `munmap`, through ctypes."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self.mmap = libc.mmap
        self.mmap.restype = ctypes.c_void_p
        self.mmap.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_long,
        ]
        self.mprotect = libc.mprotect
        self.mprotect.restype = ctypes.c_int
        self.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        self.munmap = libc.munmap
        self.munmap.restype = ctypes.c_int
        self.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        self.flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_NORESERVE", 0)
        self.failed = ctypes.c_void_p(-1).value

    def reserve(self, size: int) -> int | None:
        """`size` bytes of address space, inaccessible (PROT_NONE)."""
        base = self.mmap(None, size, 0, self.flags, -1, 0)
        return None if base in (None, 0, self.failed) else int(base)

    def open(self, start: int, end: int) -> bool:
        """Make bytes `start`..`end` (addresses) readable and writable."""
        low = start - start % _PAGE
        high = _align(end)
        if high <= low:
            return True
        return bool(self.mprotect(low, high - low, mmap.PROT_READ | mmap.PROT_WRITE) == 0)


_libc = _Libc() if _SUPPORTED else None


def _error(message: str) -> int:
    """A new wasmtime error, as the callbacks return it (wasmtime takes it)."""
    pointer = ffi.wasmtime_error_new(message.encode("utf-8"))
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


def _new_memory_50(  # noqa: PLR0917 (wasmtime 50's callback signature)
    env: int | None,
    ty: object,
    minimum: int,
    maximum: int,
    reserved: int,
    guard: int,
    out: ctypes._Pointer[ffi.wasmtime_linear_memory_t],
) -> int:
    return _new_memory(minimum, maximum, reserved, guard, out)


def _new_memory_51(
    env: int | None,
    request: ctypes._Pointer[ctypes.Structure],
    out: ctypes._Pointer[ffi.wasmtime_linear_memory_t],
) -> int:
    try:
        asked = request[0]
        return _new_memory(
            asked.minimum,
            asked.maximum,
            asked.reserved_size_in_bytes,
            asked.guard_size_in_bytes,
            out,
        )
    except BaseException as error:  # noqa: BLE001 (nothing may raise into wasmtime)
        return _error(f"the host failed to create a memory: {error!r}")


def _new_memory(
    minimum: int,
    maximum: int,
    reserved: int,
    guard: int,
    out: ctypes._Pointer[ffi.wasmtime_linear_memory_t],
) -> int:
    try:
        budget = getattr(_charged, "budget", None)
        if budget is None or _libc is None:
            return _error("linear memory outside a component's store")
        capacity = _align(reserved) if reserved else _align(min(maximum, budget.limit))
        if minimum > capacity:
            return _error(f"a linear memory of {minimum} bytes exceeds its reservation")
        if not budget.take(minimum):
            return _error(
                f"the component's memory limit ({budget.limit} bytes in all its linear "
                f"memories) is reached: a memory of {minimum} bytes does not fit "
                f"beside the {budget.used} bytes it holds"
            )
        mapped = capacity + _align(guard)
        base = _libc.reserve(mapped)
        if base is None or not _libc.open(base, base + minimum):
            if base is not None:
                _libc.munmap(base, mapped)
            budget.give(minimum)
            return _error(f"cannot reserve {mapped} bytes of address space for a memory")
        with _registry_lock:
            key = next(_keys)
            _memories[key] = _Memory(base, minimum, capacity, mapped, budget)
        memory = out[0]
        memory.env = key
        memory.get_memory = _GET
        memory.grow_memory = _GROW
        memory.finalizer = _FINALIZE
        return 0
    except BaseException as error:  # noqa: BLE001 (nothing may raise into wasmtime)
        return _error(f"the host failed to create a memory: {error!r}")


def _get_memory(
    env: int | None,
    size: ctypes._Pointer[ctypes.c_size_t],
    capacity: ctypes._Pointer[ctypes.c_size_t],
) -> int:
    memory = _memories[env or 0]
    size[0] = memory.size
    capacity[0] = memory.capacity
    return memory.base


def _grow_memory(env: int | None, new_size: int) -> int:
    try:
        memory = _memories[env or 0]
        delta = new_size - memory.size
        if delta <= 0:
            return 0
        if new_size > memory.capacity:
            return _error(f"a linear memory may not grow past {memory.capacity} bytes")
        if not memory.budget.take(delta):
            return _error(
                f"the component's memory limit ({memory.budget.limit} bytes in all its "
                "linear memories) is reached"
            )
        assert _libc is not None
        if not _libc.open(memory.base + memory.size, memory.base + new_size):
            memory.budget.give(delta)
            return _error("cannot make the grown memory accessible")
        memory.size = new_size
        return 0
    except BaseException as error:  # noqa: BLE001 (nothing may raise into wasmtime)
        return _error(f"the host failed to grow a memory: {error!r}")


def _finalize(env: int | None) -> None:
    try:
        with _registry_lock:
            memory = _memories.pop(env or 0, None)
        if memory is not None and _libc is not None:
            _libc.munmap(memory.base, memory.mapped)
            memory.budget.give(memory.size)
    except BaseException:  # noqa: BLE001 (at interpreter exit the module may be gone)
        pass


_GET = ffi.wasmtime_memory_get_callback_t(_get_memory)
_GROW = ffi.wasmtime_memory_grow_callback_t(_grow_memory)
_FINALIZE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(_finalize)
# wasmtime 51 passes what it asks for as one `wasmtime_memory_request_t`
# (the same sizes, and the memory's kind); wasmtime 50 as separate arguments.
_NEW = ffi.wasmtime_new_memory_callback_t(
    _new_memory_51 if hasattr(ffi, "wasmtime_memory_request_t") else _new_memory_50
)
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda env: None)
_CREATOR = ffi.wasmtime_memory_creator_t(None, _NEW, _NO_FINALIZER)


def install_memory_creator(config: Config) -> bool:
    """Make engines of `config` create linear memories here (charged to budgets);
    False, and nothing changed, where the platform cannot.  wasmtime maps
    copy-on-write images only into memories it created itself, so the caller
    turns them off (`isolation.make_engine` does, on every platform)."""
    if _libc is None:
        return False
    ffi.wasmtime_config_host_memory_creator_set(config.ptr(), ctypes.byref(_CREATOR))
    return True
