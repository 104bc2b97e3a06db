"""Whole-process measurements shared by bench/parse.py and bench/resolve.py.

In: commands, run as a user runs them.  Out: the CPU time (user + system) and
peak resident set of each finished process, as the kernel accounts them
(`os.wait4`), medians over interleaved runs, and ratios taken run by run so
that a comparison holds while the machine's speed drifts.  Also the inputs of
issue 20: the official wasi-http package and a generated package of about
25,000 lines.  Raises `SystemExit` when a command fails.

`witgen check` reads parsed files from its parse cache (`witgen.syntax.cache`)
when it holds them: the whole-process table times it both ways, each run of
the cold row starting from an empty cache folder and the warm row from one
filled by its warm-up run; the in-process figures parse with the cache off, and
`cached` is parse + resolve with every file in the cache.

`--before DIR` in both scripts names a source tree of an older witgen (for
example `git archive main | tar -x -C DIR`): its `witgen` is run with the same
interpreter, from `PYTHONPATH=DIR`, beside the current one in the same runs.
"""

from __future__ import annotations

import compileall
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WITGEN_SHARED", ROOT.parent / "shared"))
WASI_HTTP = SHARED / "wasi-0.2.0" / "http"
# Runs start outside any source tree, so `python -m witgen` imports the tree
# that PYTHONPATH (or the installed package) names, not the current folder's.
NEUTRAL = Path(tempfile.gettempdir())
# `witgen.syntax.cache`'s settings (spelled here: the benches run other trees too).
CACHE_DIR = "WITGEN_PARSE_CACHE_DIR"
CACHE_OFF = "WITGEN_NO_PARSE_CACHE"


@dataclass(frozen=True)
class Usage:
    """One finished process: CPU seconds (user + system), peak RSS in MiB."""

    cpu: float
    peak_mib: float


def wasm_tools() -> str | None:
    beside = Path(sys.executable).parent / "wasm-tools"
    return str(beside) if beside.is_file() else shutil.which("wasm-tools")


def witgen(before: Path | None = None) -> tuple[list[str], dict[str, str]]:
    """The command that runs `witgen` (this tree's, or the one in `before`) and its
    environment; the tree's modules are compiled first, as an installed package's
    are (PYTHONDONTWRITEBYTECODE would otherwise have every run compile them)."""
    compileall.compile_dir((before if before is not None else ROOT) / "witgen", quiet=1)
    env = dict(os.environ)
    if before is not None:
        env["PYTHONPATH"] = str(before)
    else:
        env["PYTHONPATH"] = str(ROOT)
    return [sys.executable, "-m", "witgen"], env


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path = NEUTRAL) -> Usage:
    """Run `command` to its end, its output thrown away, and account for it."""
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command} failed: {errors.decode()[:400]}")
    # ru_maxrss is in KiB on Linux.
    return Usage(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def compare(
    commands: dict[str, tuple[list[str], dict[str, str] | None]],
    rounds: int,
    before_each: dict[str, Callable[[], None]] | None = None,
) -> dict[str, list[Usage]]:
    """Each command once per round, in turn (A B C A B C ...), after one warm-up each;
    `before_each[name]`, when given, runs before every run of that command."""
    prepare = before_each or {}
    for name, (command, env) in commands.items():
        prepare.get(name, lambda: None)()
        run(command, env)
    usages: dict[str, list[Usage]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (command, env) in commands.items():
            prepare.get(name, lambda: None)()
            usages[name].append(run(command, env))
    return usages


def median_cpu(usages: list[Usage]) -> float:
    return statistics.median(u.cpu for u in usages)


def median_peak(usages: list[Usage]) -> float:
    return statistics.median(u.peak_mib for u in usages)


def median_ratio(ours: list[Usage], theirs: list[Usage]) -> float:
    """The median of the run-by-run ratios of CPU time."""
    return statistics.median(a.cpu / b.cpu for a, b in zip(ours, theirs, strict=True))


def interface_text(index: int) -> str:
    """Interface `i<index>` of the generated packages: a record, a variant, an
    enum, flags, a resource and a function, with a doc comment."""
    return (
        f"\n/// Interface number {index}.\ninterface i{index} {{\n"
        f"  record point {{ x: s32, y: s32, label: option<string> }}\n"
        f"  variant shape {{ circle(f64), square(tuple<f64, f64>), none }}\n"
        f"  enum color {{ red, green, blue }}\n"
        f"  flags perms {{ read, write, exec }}\n"
        f"  resource handle {{\n    constructor(name: string);\n"
        f"    get: func() -> result<list<point>, string>;\n  }}\n"
        f"  move: func(p: point, by: list<s32>) -> result<point, color>;\n}}\n"
    )


def generated_package(folder: Path, lines: int = 25_000) -> Path:
    """A valid package of about `lines` lines of `interface_text` interfaces."""
    parts = ["package bench:big@1.0.0;\n"]
    count = 0
    index = 0
    while count < lines:
        part = interface_text(index)
        parts.append(part)
        count += part.count("\n")
        index += 1
    path = folder / "big.wit"
    path.write_text("".join(parts))
    return path


def whole_process_table(rounds: int, before: Path | None, tmp: Path) -> None:
    """`witgen check` against `wasm-tools component wit` on wasi-http and on the
    generated package: median CPU, median of the run-by-run ratios, peak RSS."""
    reference = wasm_tools()
    if reference is None:
        print("wasm-tools not found; install the dev extra", file=sys.stderr)
        return
    big = generated_package(tmp)
    big_lines = big.read_text().count("\n")
    inputs = [(f"wasi-http 0.2.0 ({_lines(WASI_HTTP):,} lines)", WASI_HTTP)]
    inputs.append((f"generated ({big_lines:,} lines)", big))
    print(
        f"whole process, `witgen check` vs `wasm-tools component wit`: CPU (user+sys) "
        f"median of {rounds} interleaved runs, ratio = median of run-by-run ratios"
    )
    header = ("input", "witgen", "wasm-tools", "cpu ratio", "peak RSS")
    print("  {:48} {:>9} {:>11} {:>10} {:>18}".format(*header))
    for name, path in inputs:
        ours, env = witgen()
        cold, warm = tmp / "cold-cache", tmp / "warm-cache"
        shutil.rmtree(warm, ignore_errors=True)
        commands = {
            "now, cold cache": ([*ours, "check", str(path)], env | {CACHE_DIR: str(cold)}),
            "now, warm cache": ([*ours, "check", str(path)], env | {CACHE_DIR: str(warm)}),
            "wasm-tools": ([reference, "component", "wit", str(path)], None),
        }
        empty_cold = functools.partial(shutil.rmtree, cold, ignore_errors=True)
        before_each: dict[str, Callable[[], None]] = {"now, cold cache": empty_cold}
        if before is not None:
            old, old_env = witgen(before)
            commands["before"] = ([*old, "check", str(path)], old_env | {CACHE_DIR: str(cold)})
            before_each["before"] = before_each["now, cold cache"]
        usages = compare(commands, rounds, before_each)
        theirs = usages["wasm-tools"]
        for label in ("before", "now, cold cache", "now, warm cache"):
            if label not in usages:
                continue
            mine = usages[label]
            row = f"{name} [{label}]"
            print(
                f"  {row:48} {median_cpu(mine):8.3f}s {median_cpu(theirs):10.3f}s "
                f"{median_ratio(mine, theirs):9.1f}x "
                f"{median_peak(mine):6.1f} / {median_peak(theirs):.1f} MiB"
            )


def _lines(path: Path) -> int:
    files = sorted(path.rglob("*.wit")) if path.is_dir() else [path]
    return sum(file.read_text().count("\n") for file in files)


# Run in a fresh interpreter: the first parse and resolve in a process pay for
# building the lexer, later ones do not.  Prints one JSON object.
_IN_PROCESS = """
import gc, json, os, statistics, sys, tempfile, time
started = time.process_time()
from witgen.diagnostics import SourceMap
from witgen.resolve.passes import resolve_path
from witgen.syntax.parse import parse_text
imports = time.process_time() - started
path, rounds, small = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def timed(action):
    started = time.process_time()
    action()
    return time.process_time() - started
first_parse = timed(lambda: parse_text("small.wit", small))
later_parse = statistics.median(timed(lambda: parse_text("small.wit", small)) for _ in range(9))
first = timed(lambda: resolve_path(path, (), False, SourceMap()))
later = [timed(lambda: resolve_path(path, (), False, SourceMap())) for _ in range(rounds)]
gc.disable()
paused = [timed(lambda: resolve_path(path, (), False, SourceMap())) for _ in range(rounds)]
del os.environ["WITGEN_NO_PARSE_CACHE"]
with tempfile.TemporaryDirectory() as folder:
    os.environ["WITGEN_PARSE_CACHE_DIR"] = folder
    resolve_path(path, (), False, SourceMap())
    cached = [timed(lambda: resolve_path(path, (), False, SourceMap())) for _ in range(rounds)]
print(json.dumps({
    "imports": imports, "first_parse": first_parse, "later_parse": later_parse,
    "first": first, "later": statistics.median(later), "paused": statistics.median(paused),
    "cached": statistics.median(cached),
}))
"""

SMALL_WIT = (
    "package a:b;\ninterface i {\n  /// A point.\n  record p { x: u32 }\n"
    "  f: func(a: p) -> string;\n}\n"
)


def in_process(path: Path, rounds: int, before: Path | None = None) -> dict[str, float]:
    """Import time, first-parse cost and parse+resolve times of `path`, measured
    inside one fresh process (CPU seconds)."""
    import json

    _, env = witgen(before)
    env[CACHE_OFF] = "1"  # the parser's figures; `cached` turns the cache on
    command = [sys.executable, "-c", _IN_PROCESS, str(path), str(rounds), SMALL_WIT]
    result = subprocess.run(command, cwd=NEUTRAL, env=env, capture_output=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"in-process run failed: {result.stderr.decode()[:400]}")
    figures: dict[str, float] = json.loads(result.stdout)
    return figures
