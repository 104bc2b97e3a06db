"""What the example components cost: build, size, compile, and the first call from cache.

    python bench/examples.py [--cached] [--rounds N] [NAME ...]

For each example of examples/ (all, or the NAMEs given), prints:

1. build: componentize-py from the sources to the `.wasm` (`support.guests.build_guest`,
   the tests' builder), timed in an empty build folder, so a real build every
   time; with `--cached` the build folder of the tests (pytest's cache) is used
   and the time is that of a cache hit when there is one;
2. size: the `.wasm` in MB (10^6 bytes);
3. compile: the host compiling it into an empty compile cache (`AirssysHost.load`
   the first time), and the size of the compiled artifact;
4. first call from the compile cache, the median of `--rounds` fresh hosts on the
   warm cache: `load` (manifest, checks, deserialize, instantiate, `metadata`),
   `init`, and the first `execute` of an operation the example documents; and
   their total.

Hosts are made outside the timed parts (an engine and its epoch thread, about a
millisecond).  http_client is pointed at a local HTTP server on a free port (its
manifest rewritten to that port, as the tests do).  Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import http.server
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SDK = ROOT / "sdk"


@dataclass(frozen=True)
class Case:
    """How to run an example once: its manifest, its operation, and its files."""

    operation: Callable[[int], object]  # the HTTP server's port -> bytes, or JSON to encode
    manifest: str = "Component.toml"
    files: dict[str, str] | None = None  # paths under the filesystem root -> text


CASES = {
    "hello_world": Case(lambda port: b"Ada"),
    "echo_service": Case(lambda port: {"hello": ["wor", "ld"]}),
    "counter_service": Case(lambda port: {"op": "increment", "by": 2}),
    "message_processor": Case(lambda port: {"op": "stats"}),
    "request_response": Case(lambda port: {"op": "add", "numbers": [1, 2, 3]}, "Calculator.toml"),
    "http_client": Case(lambda port: {"url": f"http://127.0.0.1:{port}/"}),
    "file_processor": Case(
        lambda port: {"op": "summarise", "path": "/input/a.txt"},
        files={"input/a.txt": "one two\nthree\n"},
    ),
    "kv_store": Case(lambda port: {"op": "set", "key": "k", "value": [1, 2]}),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello from the bench\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


def manifest_for(name: str, case: Case, folder: Path, port: int) -> Path:
    path = EXAMPLES / name / case.manifest
    if name != "http_client":
        return path
    rewritten = folder / f"{name}.toml"
    rewritten.write_text(path.read_text().replace("port = 8080\n", f"port = {port}\n"))
    return rewritten


def first_call(
    wasm: Path, manifest: Path, case: Case, *, compiled: Path, work: Path, port: int
) -> tuple[float, float, float]:
    """Seconds for load, init and the first execute, in a fresh host."""
    from airssys_sdk import encode_json

    from witgen.host.airssys import AirssysHost, HostConfig

    operation = case.operation(port)
    data = operation if isinstance(operation, bytes) else encode_json(operation)
    root = work / "root"
    root.mkdir(parents=True)
    for relative, text in (case.files or {}).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    config = HostConfig(cache_dir=compiled, storage_path=work / "kv.sqlite")
    with AirssysHost(config) as host:
        began = time.perf_counter()
        runtime = host.load(wasm, manifest, fs_root=root)
        loaded = time.perf_counter()
        host.init(runtime.name)
        initialised = time.perf_counter()
        host.execute(runtime.name, data)
        executed = time.perf_counter()
    return loaded - began, initialised - loaded, executed - initialised


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="examples (default: all)")
    parser.add_argument("--cached", action="store_true", help="use the tests' build cache")
    parser.add_argument("--rounds", type=int, default=5, help="fresh hosts per example")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from support.guests import build_guest, componentize_py_available

    names = args.names or list(CASES)
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        parser.error(f"unknown examples: {', '.join(unknown)}")
    if not componentize_py_available():
        print("componentize-py is not installed", file=sys.stderr)
        return 1
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = int(httpd.server_address[1])
    print(
        f"{'example':<18} {'build s':>8} {'MB':>6} {'compile s':>9} {'cwasm MB':>8}"
        f" {'load ms':>8} {'init ms':>8} {'exec ms':>8} {'first ms':>9}"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="witgen-bench-examples-") as temporary:
            work = Path(temporary)
            builds = ROOT / ".pytest_cache" / "d" / "witgen-guests" if args.cached else work
            for name in names:
                case = CASES[name]
                app = EXAMPLES / name
                began = time.perf_counter()
                wasm = build_guest(
                    app, name.replace("_", "-"), app / "wit", builds, python_path=[SDK]
                )
                build_s = time.perf_counter() - began
                compiled = work / f"{name}-compiled"
                manifest = manifest_for(name, case, work, port)
                began = time.perf_counter()
                first_call(
                    wasm, manifest, case, compiled=compiled, work=work / f"{name}-cold", port=port
                )
                compile_s = time.perf_counter() - began
                artifact = sum(p.stat().st_size for p in compiled.rglob("*") if p.is_file())
                samples = [
                    first_call(
                        wasm,
                        manifest,
                        case,
                        compiled=compiled,
                        work=work / f"{name}-{i}",
                        port=port,
                    )
                    for i in range(args.rounds)
                ]
                load, init, execute = (
                    statistics.median(s) * 1000 for s in zip(*samples, strict=True)
                )
                total = statistics.median(sum(s) for s in samples) * 1000
                print(
                    f"{name:<18} {build_s:8.1f} {wasm.stat().st_size / 1e6:6.1f}"
                    f" {compile_s:9.1f} {artifact / 1e6:8.1f} {load:8.1f} {init:8.1f}"
                    f" {execute:8.1f} {total:9.1f}",
                    flush=True,
                )
    finally:
        httpd.shutdown()
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
