"""Resolve speed: witgen against wasm-tools on the largest inputs, in one run.

    python bench/resolve.py [--rounds N]

First the figures of issue 20 (see bench/processes.py):
* `witgen check` against `wasm-tools component wit` as whole processes, on the
  wasi-http 0.2.0 package and on a generated 25,000-line package, with a cold
  and a warm parse cache: median CPU time of interleaved runs, the median
  run-by-run ratio, and peak RSS;
* in one fresh process, parse + resolve of wasi-http: the first (which builds
  the lexer), the median of later ones, the same with the cyclic GC paused
  as `witgen check` runs it, and with every file in the parse cache.
With `--before DIR` (an older source tree) both are printed for it too.

Then, unless `--figures-only`, for the largest cases of the conformance corpus
and for three generated inputs (a package of 2,000 interfaces, a `use` chain
1,000 interfaces deep, and 2,000 packages in `deps/`):
* witgen's in-process time to parse and resolve (best of N);
* `witgen check` and `wasm-tools component wit` wall time, one process each
  (best of N), and their ratio.

Nothing here asserts a speed; the figures are for reading.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import processes

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WITGEN_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--largest", type=int, default=5, help="corpus cases to time")
    parser.add_argument("--before", type=Path, help="an older witgen source tree to compare")
    parser.add_argument("--figures-only", action="store_true", help="only issue 20's figures")
    args = parser.parse_args()
    wasm_tools = _wasm_tools()
    if wasm_tools is None:
        print("wasm-tools not found; install the dev extra", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        processes.whole_process_table(max(args.rounds, 5), args.before, Path(tmp))
    _in_process_table(args.rounds * 3, args.before)
    if args.figures_only:
        return 0
    sys.path.insert(0, str(ROOT))
    # The parser's figures, in process and out: the parse cache stays off.
    os.environ[processes.CACHE_OFF] = "1"
    inputs: list[tuple[str, Path]] = []
    if (CONFORMANCE / "cases.tsv").is_file():
        rows = [
            line.split("\t") for line in (CONFORMANCE / "cases.tsv").read_text().splitlines()[1:]
        ]
        accepted = [CONFORMANCE / row[0] for row in rows if row[2] == "ok"]
        accepted.sort(key=_size, reverse=True)
        inputs += [(path.name, path) for path in accepted[: args.largest]]
    with tempfile.TemporaryDirectory() as tmp:
        inputs += _generated(Path(tmp))
        header = ("input", "lines", "resolve", "witgen", "wasm-tools", "ratio")
        print("{:32} {:>7} {:>9} {:>8} {:>10} {:>6}".format(*header))
        for name, path in inputs:
            _time_input(name, path, wasm_tools, args.rounds)
    return 0


def _in_process_table(rounds: int, before: Path | None) -> None:
    print(f"in one fresh process, parse + resolve of wasi-http (CPU ms; later: median of {rounds})")
    header = ("", "imports", "first", "later", "GC paused", "cached")
    print("  {:10} {:>8} {:>8} {:>8} {:>10} {:>8}".format(*header))
    trees = [("before", before), ("now", None)] if before is not None else [("now", None)]
    for label, tree in trees:
        figures = processes.in_process(processes.WASI_HTTP, rounds, tree)
        print(
            f"  {label:10} {figures['imports'] * 1e3:8.1f} {figures['first'] * 1e3:8.1f} "
            f"{figures['later'] * 1e3:8.1f} {figures['paused'] * 1e3:10.1f} "
            f"{figures['cached'] * 1e3:8.1f}"
        )


def _time_input(name: str, path: Path, wasm_tools: str, rounds: int) -> None:
    from witgen.resolve.passes import resolve_path

    lines = sum(p.read_text().count("\n") for p in _wit_files(path))
    target = str(path)
    witgen = [sys.executable, "-m", "witgen", "check", "--features", "active", target]
    reference = [wasm_tools, "component", "wit", "--features", "active", target]
    in_process = _best(rounds, lambda: resolve_path(target, ["active"]))
    ours = _best(rounds, lambda: _run(witgen, path.parent))
    theirs = _best(rounds, lambda: _run(reference, path.parent))
    print(
        f"{name[:32]:32} {lines:7} {in_process * 1e3:7.1f}ms {ours:7.2f}s "
        f"{theirs:9.3f}s {ours / theirs:5.1f}x"
    )


def _generated(tmp: Path) -> list[tuple[str, Path]]:
    wide = tmp / "wide.wit"
    parts = ["package bench:wide@1.0.0;\n"]
    for n in range(2000):
        parts.append(
            f"interface i{n} {{\n  record point {{ x: s32, y: s32, label: option<string> }}\n"
            f"  variant shape {{ circle(f64), square(tuple<f64, f64>), none }}\n"
            f"  resource handle {{ constructor(name: string); get: func() -> list<point>; }}\n"
            f"  move: func(p: point, by: list<s32>) -> result<point, shape>;\n}}\n"
        )
    wide.write_text("".join(parts))
    chain = tmp / "chain.wit"
    lines = ["package bench:chain;", "interface i0 { type t = u32; }"]
    lines += [f"interface i{n} {{ use i{n - 1}.{{t}}; f: func() -> t; }}" for n in range(1, 1000)]
    lines.append("world w { export i999; }")
    chain.write_text("\n".join(lines) + "\n")
    many = tmp / "many"
    (many / "deps").mkdir(parents=True)
    (many / "main.wit").write_text("package p:main;\ninterface i { use p:p1999/i.{t}; }\n")
    for n in range(2000):
        body = "type t = u32;" if n == 0 else f"use p:p{n - 1}/i.{{t}};"
        (many / "deps" / f"p{n}.wit").write_text(f"package p:p{n};\ninterface i {{ {body} }}\n")
    return [
        ("generated: 2,000 interfaces", wide),
        ("generated: use chain 1,000 deep", chain),
        ("generated: 2,000 packages", many),
    ]


def _wit_files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.wit")) if path.is_dir() else [path]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in _wit_files(path))


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{command} failed: {result.stderr.decode()[:400]}")


def _best(rounds: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def _wasm_tools() -> str | None:
    beside = Path(sys.executable).parent / "wasm-tools"
    return str(beside) if beside.is_file() else shutil.which("wasm-tools")


if __name__ == "__main__":
    sys.exit(main())
