"""`witgen.runtime.context`: each store's host objects stay its own, even when a
freed store's address is reused by the next store before the freed one is gone.

wasmtime frees a store in `Store.__del__`, which lets other threads run before
the Python object's weak references are cleared: a store made meanwhile may
get the same context address, the key of the tables.  The reuse is simulated
here by giving two live stores one address.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from wasmtime import Engine, Store
from wasmtime._store import StoreContext

from witgen.runtime import context
from witgen.runtime.context import release_store, tables_for


@pytest.fixture
def one_address(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(context, "_address", lambda store: 0xDEAD)
    yield
    context._STORES.pop(0xDEAD, None)


@pytest.mark.usefixtures("one_address")
def test_a_store_at_a_reused_address_starts_afresh() -> None:
    engine = Engine()
    first = Store(engine)
    tables_for(first).add(1, "first's object")
    second = Store(engine)  # the address comes back while `first` is being freed
    assert tables_for(second).objects == {}
    tables_for(second).add(1, "second's object")
    del first
    gc.collect()  # `first`'s end must not take `second`'s tables with it
    assert list(tables_for(second).objects.values()) == [(1, "second's object")]


@pytest.mark.usefixtures("one_address")
def test_a_context_seen_first_is_adopted_by_its_store() -> None:
    store = Store(Engine())
    inside = StoreContext(store._context())  # what a host function gets
    tables = tables_for(inside)
    tables.add(1, "made in a start function")
    assert tables_for(store) is tables  # the store adopts them


@pytest.mark.usefixtures("one_address")
def test_released_tables_are_gone_and_a_released_store_starts_afresh() -> None:
    store = Store(Engine())
    tables_for(store).add(1, "object")
    release_store(store)
    assert 0xDEAD not in context._STORES
    assert tables_for(store).objects == {}


def test_each_store_has_its_own_tables() -> None:
    engine = Engine()
    first, second = Store(engine), Store(engine)
    assert tables_for(first) is tables_for(first)
    assert tables_for(first) is not tables_for(second)
