"""A componentize-py component of `wasi:cli/command` plus one interface of its
own, hosted with the generated bindings and WASI from wasmtime.

The guest (`tests/guests/greeter`) asks its host for a greeting and prints it;
the host gives `names` through `WorldImports`, `instantiate_with` links WASI
from wasmtime with a `WasiConfig` whose stdout is a file, and calling the
`wasi:cli/run` export prints the host's greeting there.  The build is cached by
content (`support.guests.build_guest`); slow on a cold cache.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import time
from pathlib import Path

import pytest
from support.corpus import WASI
from support.guests import build_guest, componentize_py_available, load_guest
from wasmtime import Engine, Store, WasiConfig

from witgen.codegen.generate import Options, generate_files, write_files

GREETER = Path(__file__).resolve().parents[1] / "guests" / "greeter"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not componentize_py_available(), reason="needs componentize-py"),
    pytest.mark.skipif(not (WASI / "cli").is_dir(), reason=f"no WASI packages at {WASI}"),
]


def _wit(folder: Path) -> Path:
    """`greeter/wit/app.wit` with the WASI 0.2.0 packages as its `deps/`."""
    wit = folder / "wit"
    (wit / "deps").mkdir(parents=True)
    shutil.copy(GREETER / "wit" / "app.wit", wit / "app.wit")
    for package in ("clocks", "filesystem", "io", "random", "sockets"):
        shutil.copytree(WASI / "cli" / "deps" / package, wit / "deps" / package)
    shutil.copytree(WASI / "cli", wit / "deps" / "cli", ignore=shutil.ignore_patterns("deps"))
    return wit


class Names:  # satisfies example_greeter.names.Host
    def greeting(self, name: str) -> str:
        return f"hello, {name}, from the host"


def test_a_componentize_py_command_runs_with_wasi_from_wasmtime(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    wit = _wit(tmp_path)
    cache = Path(request.config.cache.mkdir("witgen-guests"))
    started = time.perf_counter()
    wasm = build_guest(GREETER, "app", wit, cache)
    built = time.perf_counter()
    # A package name of its own: a `bindings` left in sys.modules would shadow the
    # docs examples' `bindings` in the same worker.
    out = tmp_path / "wasi_command_bindings"
    write_files(out, generate_files(Options(wit=wit, out=out, world="app", base=tmp_path)))
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        app = importlib.import_module("wasi_command_bindings.example_greeter.app")
    finally:
        sys.path.remove(str(tmp_path))
    assert "wasi:cli/stdout@0.2.0" in app.FROM_WASMTIME
    assert [name for name in app.WorldImports.__dataclass_fields__] == ["names"]

    engine = Engine()
    component = load_guest(engine, wasm)
    loaded = time.perf_counter()
    stdout = tmp_path / "stdout.txt"
    wasi = WasiConfig()
    wasi.stdout_file = str(stdout)
    exports = app.instantiate_with(
        Store(engine), component, app.WorldImports(names=Names()), wasi=wasi
    )
    exports.run.run()
    ran = time.perf_counter()
    assert stdout.read_text() == "hello, witgen, from the host\n"
    # Figures for the report (`pytest -s` shows them).
    print(
        f"\ngreeter: {wasm.stat().st_size / 1e6:.1f} MB, build or cache {built - started:.1f} s,"
        f" compile or load {loaded - built:.1f} s, instantiate and run {ran - loaded:.2f} s"
    )
