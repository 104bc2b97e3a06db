"""Shared by the resolver tests: run a case through witgen and through wasm-tools.

A case is a `.wit` file or a package folder under `cases/<pass>/`.  A case
whose name starts with `ok-` must be accepted: witgen must print the same WIT
and the same JSON as wasm-tools.  Any other case must be rejected: witgen must
print the same diagnostic as wasm-tools, byte for byte.  Both tools run from
`cases/`, with the feature `active` enabled, so paths in messages match.
The result is also snapshotted, so a change in witgen's output shows in review
even where wasm-tools is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.corpus import wasm_tools

from witgen.diagnostics import WitError, render
from witgen.json_view import dumps
from witgen.printer import print_resolve
from witgen.resolve.passes import resolve_path

CASES = Path(__file__).parent / "cases"
FEATURES = ("active",)
WASM_TOOLS = wasm_tools()


@dataclass(frozen=True)
class Outcome:
    """What a tool made of a case: printed WIT and JSON, or the error text."""

    accepted: bool
    wit: str = ""
    json: str = ""
    error: str = ""


def case_params(pass_name: str) -> list[object]:
    folder = CASES / pass_name
    return [pytest.param(f"{pass_name}/{p.name}", id=p.name) for p in sorted(folder.iterdir())]


def run_witgen(case: str) -> Outcome:
    before = os.getcwd()
    os.chdir(CASES)
    try:
        resolve = resolve_path(case, FEATURES)
    except WitError as error:
        return Outcome(
            False, error="\n".join(f"error: {render(d, error.sources)}" for d in error.diagnostics)
        )
    finally:
        os.chdir(before)
    return Outcome(True, wit=print_resolve(resolve), json=dumps(resolve))


def run_wasm_tools(case: str) -> Outcome:
    assert WASM_TOOLS is not None
    command = [WASM_TOOLS, "component", "wit", "--features", ",".join(FEATURES), case]
    wit = subprocess.run(command, cwd=CASES, capture_output=True, check=False)
    if wit.returncode != 0:
        return Outcome(False, error=wit.stderr.decode("utf-8", "replace").rstrip("\n"))
    as_json = subprocess.run([*command, "--json"], cwd=CASES, capture_output=True, check=True)
    return Outcome(True, wit=wit.stdout.decode(), json=as_json.stdout.decode())


def check_case(case: str, snapshot: object) -> None:
    ours = run_witgen(case)
    expect_ok = Path(case).name.startswith("ok-")
    assert ours.accepted == expect_ok, ours.error
    if WASM_TOOLS is not None:
        reference = run_wasm_tools(case)
        assert ours.accepted == reference.accepted, reference.error
        if ours.accepted:
            assert ours.wit == reference.wit
            assert json.loads(ours.json) == json.loads(reference.json)
        else:
            assert ours.error == reference.error
    assert (ours.wit if ours.accepted else ours.error) == snapshot
