"""Decoding a compiled component: witgen against wasm-tools, in one run.

    python bench/components.py [COMPONENT.wasm ...] [--rounds N]

Without arguments, the largest component in the pytest cache's guest builds
(`.pytest_cache/d/witgen-guests/`, componentize-py components of about
18 MB, left there by `pytest tests/examples` or `tests/guest`) is used.

For each component, prints:
* its size;
* witgen's in-process time to read and validate it (`witgen.wasm`), to decode
  it into the IR (`resolve_path`) and to print its WIT (median of N);
* `witgen print C.wasm` and `wasm-tools component wit C.wasm` wall time, one
  process each, run in turn (witgen, wasm-tools, witgen, ...) so that machine
  noise hits both alike: medians, and the median of the pairwise ratios.

Nothing here asserts a speed; the figures are for reading.  Both tools must
print the same text, else the component is reported as DIFFERENT.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUEST_CACHE = ROOT / ".pytest_cache" / "d" / "witgen-guests"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("components", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    wasm_tools = _wasm_tools()
    if wasm_tools is None:
        print("wasm-tools not found; install the dev extra", file=sys.stderr)
        return 2
    components: list[Path] = args.components
    if not components:
        cached = sorted(GUEST_CACHE.glob("*.wasm"), key=lambda p: p.stat().st_size)
        if not cached:
            print(
                f"no component given and none in {GUEST_CACHE}; run `pytest tests/examples` "
                "or pass COMPONENT.wasm",
                file=sys.stderr,
            )
            return 2
        components = [cached[-1]]
    sys.path.insert(0, str(ROOT))
    for path in components:
        _time_component(path, wasm_tools, args.rounds)
    return 0


def _time_component(path: Path, wasm_tools: str, rounds: int) -> None:
    from witgen.printer import print_resolve
    from witgen.resolve.passes import resolve_path
    from witgen.wasm import read_component

    data = path.read_bytes()
    print(f"{path.name}: {len(data) / 1e6:.1f} MB")
    read = _median(rounds, lambda: read_component(data, lambda name, contents: None))
    decode = _median(rounds, lambda: resolve_path(str(path)))
    resolve = resolve_path(str(path))
    printed = _median(rounds, lambda: print_resolve(resolve))
    print(f"  in process: read {read * 1e3:.1f} ms, decode {decode * 1e3:.1f} ms", end="")
    print(f" (read included), print {printed * 1e3:.1f} ms")

    witgen = [sys.executable, "-m", "witgen", "print", str(path)]
    reference = [wasm_tools, "component", "wit", str(path)]
    ours_text = _output(witgen)
    theirs_text = _output(reference)
    if ours_text != theirs_text:
        print("  DIFFERENT: witgen print and wasm-tools component wit disagree")
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        ours.append(_wall(witgen))
        theirs.append(_wall(reference))
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    print(
        f"  one process each: witgen print {statistics.median(ours):.3f} s, "
        f"wasm-tools component wit {statistics.median(theirs):.3f} s, "
        f"ratio {statistics.median(ratios):.2f}x (median of {rounds} pairs; "
        f"min {min(ratios):.2f}x, max {max(ratios):.2f}x)"
    )


def _output(command: list[str]) -> bytes:
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{command} failed: {result.stderr.decode()[:400]}")
    return result.stdout


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    _output(command)
    return time.perf_counter() - started


def _median(rounds: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _wasm_tools() -> str | None:
    beside = Path(sys.executable).parent / "wasm-tools"
    return str(beside) if beside.is_file() else shutil.which("wasm-tools")


if __name__ == "__main__":
    sys.exit(main())
