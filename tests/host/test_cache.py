"""The compile cache: compiled once, loaded from disk after, and never trusting
an entry that is not what it wrote.  A cache keeps its last components in
memory too, so the tests of what is on disk read it with a new cache (as a
new process would)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from wasmtime import Engine

from witgen.host.cache import KEPT, ComponentCache

SMALL = """(component
  (core module $m (func (export "f") (result i32) i32.const 42))
  (core instance $i (instantiate $m))
  (func $f (result u32) (canon lift (core func $i "f")))
  (export "f" (func $f)))"""

OTHER = SMALL.replace("i32.const 42", "i32.const 7")


def wasm(text: str) -> bytes:
    from wasmtime import wat2wasm

    return bytes(wat2wasm(text))


def call(engine: Engine, component: object) -> int:
    from wasmtime import Store
    from wasmtime.component import Linker

    store = Store(engine)
    instance = Linker(engine).instantiate(store, component)  # type: ignore[arg-type]
    func = instance.get_func(store, "f")
    assert func is not None
    return int(func(store))


@pytest.fixture
def engine() -> Engine:
    return Engine()


def artifacts(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.cwasm"))


def test_compiled_once_then_loaded(tmp_path: Path, engine: Engine) -> None:
    cache = ComponentCache(tmp_path, "test")
    first = cache.load(engine, wasm(SMALL))
    assert not first.from_cache and call(engine, first.component) == 42
    again = cache.load(engine, wasm(SMALL))
    assert again.from_cache and call(engine, again.component) == 42
    assert again.digest == first.digest
    assert len(artifacts(tmp_path)) == 1


def test_on_compile_is_called_before_a_compile_only(tmp_path: Path, engine: Engine) -> None:
    """What `witgen inspect`/`run` use to say "compiling X (first load; cached
    afterwards)": called when a component is compiled, not when it is loaded."""
    compiles: list[str] = []
    cache = ComponentCache(tmp_path, "test")
    cache.on_compile = lambda: compiles.append("compiling")
    cache.load(engine, wasm(SMALL))
    cache.load(engine, wasm(SMALL))  # kept in memory
    fresh = ComponentCache(tmp_path, "test")
    fresh.on_compile = cache.on_compile
    fresh.load(engine, wasm(SMALL))  # from disk
    assert compiles == ["compiling"]


def test_the_last_components_are_kept_in_memory(tmp_path: Path, engine: Engine) -> None:
    cache = ComponentCache(tmp_path, "test")
    first = cache.load(engine, wasm(SMALL)).component
    assert cache.load(engine, wasm(SMALL)).component is first  # not deserialized again
    other_engine = Engine()
    elsewhere = cache.load(other_engine, wasm(SMALL)).component
    assert elsewhere is not first and call(other_engine, elsewhere) == 42
    for value in range(KEPT):  # the oldest goes
        cache.load(engine, wasm(SMALL.replace("i32.const 42", f"i32.const {value}")))
    again = cache.load(engine, wasm(SMALL))
    assert again.from_cache and again.component is not first
    assert call(engine, again.component) == 42


def test_each_component_and_configuration_has_its_own_entry(tmp_path: Path, engine: Engine) -> None:
    ComponentCache(tmp_path, "test").load(engine, wasm(SMALL))
    ComponentCache(tmp_path, "test").load(engine, wasm(OTHER))
    ComponentCache(tmp_path, "other-config").load(engine, wasm(SMALL))
    assert len(artifacts(tmp_path)) == 3


def test_a_corrupted_entry_is_rebuilt(tmp_path: Path, engine: Engine) -> None:
    cache = ComponentCache(tmp_path, "test")
    cache.load(engine, wasm(SMALL))
    (artifact,) = artifacts(tmp_path)
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    with open(artifact, "r+b") as handle:  # in place: same inode
        handle.write(data)
    cache = ComponentCache(tmp_path, "test")
    loaded = cache.load(engine, wasm(SMALL))
    assert not loaded.from_cache
    assert call(engine, loaded.component) == 42
    assert ComponentCache(tmp_path, "test").load(engine, wasm(SMALL)).from_cache


def test_a_foreign_entry_is_rebuilt(tmp_path: Path, engine: Engine) -> None:
    """Another component's valid artifact put in place of the entry."""
    cache = ComponentCache(tmp_path, "test")
    cache.load(engine, wasm(SMALL))
    (small,) = artifacts(tmp_path)
    cache.load(engine, wasm(OTHER))
    (other,) = [path for path in artifacts(tmp_path) if path != small]
    os.replace(other, small)
    loaded = ComponentCache(tmp_path, "test").load(engine, wasm(SMALL))
    assert not loaded.from_cache
    assert call(engine, loaded.component) == 42


@pytest.mark.parametrize("damage", ["truncate", "empty seal", "no seal", "garbage seal"])
def test_damaged_entries_are_rebuilt(tmp_path: Path, engine: Engine, damage: str) -> None:
    cache = ComponentCache(tmp_path, "test")
    cache.load(engine, wasm(SMALL))
    (artifact,) = artifacts(tmp_path)
    seal = artifact.with_suffix(".seal")
    if damage == "truncate":
        artifact.write_bytes(artifact.read_bytes()[:100])
    elif damage == "empty seal":
        seal.write_text("")
    elif damage == "no seal":
        seal.unlink()
    else:
        seal.write_text('{"sha256": 1, "identity": "x"}')
    loaded = ComponentCache(tmp_path, "test").load(engine, wasm(SMALL))
    assert not loaded.from_cache
    assert call(engine, loaded.component) == 42


def test_a_moved_entry_is_checked_by_hash_and_kept(tmp_path: Path, engine: Engine) -> None:
    """A copied cache folder: the file's identity changed but its content did not."""
    cache = ComponentCache(tmp_path / "a", "test")
    cache.load(engine, wasm(SMALL))
    copy = tmp_path / "b"
    copy.mkdir()
    for path in (tmp_path / "a").iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    assert ComponentCache(copy, "test").load(engine, wasm(SMALL)).from_cache


def test_an_unwritable_cache_still_loads(tmp_path: Path, engine: Engine) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    loaded = ComponentCache(blocked / "cache", "test").load(engine, wasm(SMALL))
    assert call(engine, loaded.component) == 42
