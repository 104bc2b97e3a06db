"""Per-call and per-store state that converting values needs.

In: a wasmtime store.  Out: `Context`, handed to every codec for one call;
`StoreTables`, the host objects a store's components hold handles to.
Raises nothing.
"""

from __future__ import annotations

import ctypes
import weakref
from typing import Any

from wasmtime import Store
from wasmtime._store import Storelike


class StoreTables:
    """The host objects one store's components hold handles to, by rep."""

    __slots__ = ("next_rep", "objects")

    def __init__(self) -> None:
        self.objects: dict[int, tuple[int, object]] = {}  # rep -> (type id, object)
        self.next_rep = 1

    def add(self, type_id: int, obj: object) -> int:
        rep = self.next_rep
        self.next_rep += 1
        self.objects[rep] = (type_id, obj)
        return rep


_STORES: dict[int, StoreTables] = {}
_WATCHED: set[int] = set()  # stores whose end is watched


def _address(store: Storelike) -> int:
    return ctypes.cast(store._context(), ctypes.c_void_p).value or 0


def tables_for(store: Storelike) -> StoreTables:
    """The tables of `store` (a `Store` or, inside a call, its `StoreContext`).

    Keyed by the store's context address, which wasmtime keeps for the
    store's life and which its `StoreContext`s share; a `Store` seen here once
    frees its tables when it is collected.
    """
    address = _address(store)
    tables = _STORES.get(address)
    if tables is None:
        tables = _STORES[address] = StoreTables()
    if address not in _WATCHED and isinstance(store, Store):
        _WATCHED.add(address)
        weakref.finalize(store, _forget, address)
    return tables


def _forget(address: int) -> None:
    _STORES.pop(address, None)
    _WATCHED.discard(address)


class Context:
    """What lowering and lifting need beyond the value.

    `store` is the store (a `StoreContext` inside a host function); `owner`
    the export binding (`calls.Bound`) that guest resource handles lifted from
    a call belong to, None inside a host function; `lent` the reps of host
    objects lent (`borrow`) to the component for the current call only.
    """

    __slots__ = ("_tables", "lent", "owner", "store")

    def __init__(self, store: Storelike, owner: Any) -> None:
        self.store = store
        self.owner = owner
        self.lent: list[int] = []
        self._tables: StoreTables | None = None

    def tables(self) -> StoreTables:
        if self._tables is None:
            self._tables = tables_for(self.store)
        return self._tables

    def end_call(self) -> None:
        """Forget the host objects lent for the call that just ended."""
        if self.lent:
            objects = self.tables().objects
            for rep in self.lent:
                objects.pop(rep, None)
            self.lent.clear()
