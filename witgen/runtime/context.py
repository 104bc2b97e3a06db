"""Per-call and per-store state that converting values needs.

In: a wasmtime store.  Out: `Context`, handed to every codec for one call;
`StoreTables`, the host objects a store's components hold handles to, at most
`limit_host_objects` of them.  Raises `HostObjectLimit` from `StoreTables.add`
past that limit.
"""

from __future__ import annotations

import ctypes
import weakref
from typing import Any

from wasmtime import Store
from wasmtime._store import Storelike


class StoreTables:
    """The host objects one store's components hold handles to, by rep."""

    __slots__ = ("limit", "next_rep", "objects", "owner")

    def __init__(self) -> None:
        self.objects: dict[int, tuple[int, object]] = {}  # rep -> (type id, object)
        self.next_rep = 1
        # The `Store` these tables belong to, once one was seen (a weak reference).
        self.owner: weakref.ref[Store] | None = None
        # The most host objects the store's components may hold at once (None: no
        # bound): a host serving untrusted components sets one (`limit_host_objects`).
        self.limit: int | None = None

    def add(self, type_id: int, obj: object) -> int:
        """Keep `obj` under a new rep; `HostObjectLimit` past `limit`."""
        if self.limit is not None and len(self.objects) >= self.limit:
            raise HostObjectLimit(self.limit)
        rep = self.next_rep
        self.next_rep += 1
        self.objects[rep] = (type_id, obj)
        return rep


class HostObjectLimit(Exception):
    """A store's components hold as many host objects as they may (`StoreTables.limit`)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the component holds {limit} host objects, the most it may")
        self.limit = limit


_STORES: dict[int, StoreTables] = {}


def _address(store: Storelike) -> int:
    return ctypes.cast(store._context(), ctypes.c_void_p).value or 0


def tables_for(store: Storelike) -> StoreTables:
    """The tables of `store` (a `Store` or, inside a call, its `StoreContext`).

    Keyed by the store's context address, which wasmtime keeps for the
    store's life and which its `StoreContext`s share.  A freed store's
    address may be reused by the next store, even before the freed one's
    tables are forgotten (wasmtime frees the store in `Store.__del__`, which
    lets other threads run before the object is gone): so the tables remember
    their `Store`, and a `Store` that finds another's tables at its address
    starts afresh; they are forgotten when their own store is collected, or by
    `release_store`.  A `StoreContext` (a host function's) finds the tables of
    the store it belongs to, which was seen as a `Store` before (a call into
    it) or adopts it later.
    """
    address = _address(store)
    tables = _STORES.get(address)
    if not isinstance(store, Store):
        if tables is None:
            tables = _STORES[address] = StoreTables()
        return tables
    if tables is not None and tables.owner is not None and tables.owner() is store:
        return tables
    if tables is None or tables.owner is not None:  # none yet, or another store's
        tables = _STORES[address] = StoreTables()
    tables.owner = weakref.ref(store)
    weakref.finalize(store, _forget, address, tables)
    return tables


def limit_host_objects(store: Store, limit: int) -> None:
    """Let `store`'s components hold at most `limit` host objects at once (a
    handle past it fails the call that would make it, as a trap)."""
    tables_for(store).limit = limit


def release_store(store: Store) -> None:
    """Forget `store`'s tables now (its host objects are released), before the
    store itself is closed or collected."""
    address = _address(store)
    tables = _STORES.get(address)
    if tables is not None and (tables.owner is None or tables.owner() is store):
        _forget(address, tables)


def _forget(address: int, tables: StoreTables) -> None:
    # Only the tables registered: another store may have this address by now.
    if _STORES.get(address) is tables:
        del _STORES[address]


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
