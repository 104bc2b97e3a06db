"""Guests written from `witgen generate --guest` stubs of real worlds, built with
componentize-py (cached by content hash, `support.guests.build_guest`) and run
on wasmtime with WASI p2 (`Linker.add_wasip2()`, `Store.set_wasi`):

* a `wasi:cli/command` guest, its `run` filled in with the typed wrappers of
  `wit_imports.py` (`Stdout.get_stdout()`,
  `Streams.OutputStream.blocking_write_and_flush(...)`), prints through
  `wasi:cli/stdout`;
* a guest exporting a resource (`tests/guest/cases/resources.wit`), its class
  filled in, is constructed and called from the host, and keeps its state per
  instance of the resource;
* untouched stubs (`wasi:cli/command`, `wasi:http/proxy`, `constructs.wit`'s
  worlds, the resource world) build and instantiate, and a default body called
  traps naming its function (see the test's docstring for wasmtime-py's limits).

Each edit the test makes is checked to have changed the stub (so a change of the
stub's text fails here rather than testing an untouched stub).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.corpus import WASI
from support.guests import build_guest, componentize_py_available, load_guest
from wasmtime import Config, Engine, Store, WasiConfig, WasmtimeError
from wasmtime.component import Linker

from witgen.guest.generate import generate_guest, write_guest
from witgen.runtime.calls import lookup_export

if not componentize_py_available():
    pytest.skip("componentize-py is not installed", allow_module_level=True)

pytestmark = [pytest.mark.xdist_group("guest-stubs"), pytest.mark.slow]

CASES = Path(__file__).parent / "cases"


def _cache(request: pytest.FixtureRequest, factory: pytest.TempPathFactory, name: str) -> Path:
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir(name))
    return factory.getbasetemp().parent / name


def _stub(root: Path, wit: Path, world: str) -> tuple[Path, Path]:
    """The stub of `world`, in `root/app` beside a copy of its WIT in `root/wit`
    (so the files, and the build's cache key, are the same on every run)."""
    copy = root / "wit"
    if wit.is_dir():
        shutil.copytree(wit, copy)
    else:
        copy.mkdir()
        shutil.copy(wit, copy / wit.name)
    app = root / "app"
    write_guest(app, generate_guest(copy, world, app))
    return app, copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer has {old!r}"
    path.write_text(text.replace(old, new))


def _unwritten(what: str) -> str:
    """The default body of a method of a resource's class, as black lays it out."""
    return (
        f'        raise NotImplementedError(\n            "{what} is not written yet"\n        )\n'
    )


def _store(engine: Engine, stdout: bytearray) -> tuple[Store, Linker]:
    linker = Linker(engine)
    linker.add_wasip2()
    wasi = WasiConfig()
    wasi.stdout_custom = stdout.extend
    store = Store(engine)
    store.set_wasi(wasi)  # required: the first WASI call aborts the process without it
    return store, linker


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Config())


def test_a_command_guest_prints_through_wasi_stdout(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, engine: Engine
) -> None:
    if not (WASI / "cli").is_dir():
        pytest.skip(f"no WASI packages at {WASI}")
    root = tmp_path_factory.mktemp("command")
    app, wit = _stub(root, WASI / "cli", "command")
    _edit(
        app / "app.py",
        '        raise NotImplementedError("wasi:cli/run@0.2.0: `run` is not written yet")\n',
        "        stream = wit_imports.Stdout.get_stdout()\n"
        "        written = wit_imports.Streams.OutputStream.blocking_write_and_flush(\n"
        '            stream, b"hello from a witgen stub\\n"\n'
        "        )\n"
        "        if isinstance(written, Err):\n"
        "            raise Err(None)\n",
    )
    _edit(
        app / "app.py",
        "from wit_world import exports\n",
        "from componentize_py_types import Err\nfrom wit_world import exports\n",
    )
    _edit(
        app / "app.py",
        "import wit_imports  # noqa: F401 (typed calls of the world's imports, by witgen)\n",
        "import wit_imports\n",
    )
    wasm = build_guest(app, "command", wit, _cache(request, tmp_path_factory, "witgen-guests"))
    component = load_guest(engine, wasm)
    stdout = bytearray()
    store, linker = _store(engine, stdout)
    instance = linker.instantiate(store, component)
    run = lookup_export(instance, store, "run", "wasi:cli/run@0.2.0")
    result = run(store)
    run.post_return(store)
    assert (result.tag, result.payload) == ("ok", None)  # `result` is a wasmtime Variant
    assert stdout == b"hello from a witgen stub\n"


def test_an_exported_resource_is_constructed_and_called(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, engine: Engine
) -> None:
    root = tmp_path_factory.mktemp("resources")
    app, wit = _stub(root, CASES / "resources.wit", "with-resources")
    module = app / "counters.py"
    _edit(
        module,
        _unwritten("test:guest-resources/counters: `[constructor]counter`"),
        "        self.value = start\n",
    )
    _edit(
        module,
        _unwritten("test:guest-resources/counters: `[method]counter.bump`"),
        "        self.value += 1\n        return self.value\n",
    )
    wasm = build_guest(
        app, "with-resources", wit, _cache(request, tmp_path_factory, "witgen-guests")
    )
    component = load_guest(engine, wasm)
    store, linker = _store(engine, bytearray())
    instance = linker.instantiate(store, component)
    interface = "test:guest-resources/counters"
    construct = lookup_export(instance, store, "[constructor]counter", interface)
    bump = lookup_export(instance, store, "[method]counter.bump", interface)

    def new(start: int) -> object:
        counter = construct(store, start)
        construct.post_return(store)
        return counter

    def call(counter: object) -> int:
        value = bump(store, counter)
        bump.post_return(store)
        assert isinstance(value, int)
        return value

    first, second = new(10), new(100)
    assert [call(first), call(first), call(second), call(first)] == [11, 12, 101, 13]


@pytest.mark.parametrize(
    ("wit", "world", "call"),
    [
        (WASI / "cli", "command", ("wasi:cli/run@0.2.0", "run", ())),
        (WASI / "http", "proxy", None),
        (CASES / "constructs.wit", "constructs", None),
        (
            CASES / "resources.wit",
            "with-resources",
            ("test:guest-resources/counters", "[constructor]counter", (1,)),
        ),
        (CASES / "constructs.wit", "async-constructs", None),
    ],
    ids=["command", "proxy", "constructs", "with-resources", "async-constructs"],
)
def test_an_untouched_stub_builds_and_instantiates(
    wit: Path,
    world: str,
    call: tuple[str, str, tuple[object, ...]] | None,
    *,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    engine: Engine,
) -> None:
    """The stub as generated builds and instantiates, with WASI p2 and wasi:http
    from wasmtime (a world that imports more, `constructs`, `async-constructs`, gets traps for the
    rest; those also hide WASI from componentize-py's runtime, so nothing is called
    there).  Where the test calls an export, its default body traps, and the
    Python traceback on stderr names it: "`run` is not written yet".

    wasmtime-py 50 cannot instantiate a component that lifts `async` functions
    (its synchronous API; the store would need `*_async` calls): for
    `async-constructs` the test checks that it builds, and that wasmtime-py says
    exactly that."""
    if not wit.exists():
        pytest.skip(f"no {wit}")
    root = tmp_path_factory.mktemp(world)
    app, copy = _stub(root, wit, world)
    wasm = build_guest(app, world, copy, _cache(request, tmp_path_factory, "witgen-guests"))
    component = load_guest(engine, wasm)
    stderr = bytearray()
    linker = Linker(engine)
    linker.add_wasip2()
    linker.add_wasi_http()
    if world in ("constructs", "async-constructs"):
        linker.define_unknown_imports_as_traps(component)
    wasi = WasiConfig()
    wasi.stderr_custom = stderr.extend
    store = Store(engine)
    store.set_wasi(wasi)  # required: the first WASI call aborts the process without it
    if world == "async-constructs":
        with pytest.raises(WasmtimeError, match="`\\*_async` functions are used instead"):
            linker.instantiate(store, component)
        return
    instance = linker.instantiate(store, component)
    if call is None:
        return
    interface, function, args = call
    func = lookup_export(instance, store, function, interface)
    with pytest.raises(WasmtimeError):
        func(store, *args)
    assert f"`{function}` is not written yet" in stderr.decode(errors="replace")
