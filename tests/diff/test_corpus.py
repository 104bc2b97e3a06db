"""The corpus under `cases/`: one before/after pair per rule, each with its expected verdicts.

Each case is a folder with `old.wit` and `new.wit` (or `old/` and `new/` package
folders with `deps/`) and `expected.json`:

    {"packages": {"t:p": {"required": "major", "ok": true,
                          "changes": [["breaking", "function-removed", "i.g"]]}},
     "features": ["turbo"],      # optional: @unstable features on both sides
     "messages": ["..."],        # optional: every change's message, sorted
     "targets": "fails"}         # optional: the binary oracle, see below

`targets` is what `wasm-tools component targets NEW old.wasm` says of a
component built against OLD (its package line given NEW's version, so that only
the change is judged): a change it rejects must be breaking, and a breaking
verdict it accepts must come from a rule marked `policy` in `RULES`.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.corpus import wasm_tools

from witgen.evolution.diff import RULES, diff_resolves
from witgen.resolve.passes import resolve_path

CASES = Path(__file__).parent / "cases"
NAMES = sorted(path.name for path in CASES.iterdir() if path.is_dir())
WASM_TOOLS = wasm_tools()


def side(case: str, name: str) -> Path:
    folder = CASES / case / name
    return folder if folder.is_dir() else folder.with_suffix(".wit")


def expected(case: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CASES / case / "expected.json").read_text())
    return document


def actual(case: str) -> dict[str, Any]:
    features = expected(case).get("features", [])
    diff = diff_resolves(
        resolve_path(str(side(case, "old")), features),
        resolve_path(str(side(case, "new")), features),
    )
    return {
        package.name: {
            "required": package.required,
            "ok": package.ok,
            "changes": sorted([c.verdict, c.rule, c.item] for c in package.changes),
        }
        for package in diff.packages
    }


def test_the_corpus_has_at_least_40_pairs() -> None:
    assert len(NAMES) >= 40


@pytest.mark.parametrize("case", NAMES)
def test_case(case: str) -> None:
    assert actual(case) == expected(case)["packages"]


@pytest.mark.parametrize("case", [case for case in NAMES if "messages" in expected(case)])
def test_messages(case: str) -> None:
    """Types in messages are the printer's WIT text (`%list`, the type named `list`)."""
    features = expected(case).get("features", [])
    diff = diff_resolves(
        resolve_path(str(side(case, "old")), features),
        resolve_path(str(side(case, "new")), features),
    )
    messages = sorted(change.message for package in diff.packages for change in package.changes)
    assert messages == expected(case)["messages"]


def test_every_rule_has_a_case() -> None:
    used = {
        change[1]
        for case in NAMES
        for package in expected(case)["packages"].values()
        for change in package["changes"]
    }
    assert used == set(RULES)


ORACLE = [case for case in NAMES if "targets" in expected(case)]


@pytest.mark.skipif(WASM_TOOLS is None, reason="wasm-tools is not installed")
@pytest.mark.parametrize("case", ORACLE)
def test_binary_oracle(case: str, tmp_path: Path) -> None:
    assert WASM_TOOLS is not None
    old, new = side(case, "old"), side(case, "new")
    package_line = re.compile(r"^package [^;]+;$", re.MULTILINE)
    found = package_line.search(new.read_text())
    assert found is not None
    (tmp_path / "old.wit").write_text(package_line.sub(found.group(0), old.read_text(), count=1))

    def tool(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([WASM_TOOLS, *args], capture_output=True, text=True, check=False)

    built = tool(
        "component",
        "embed",
        "--dummy",
        str(tmp_path / "old.wit"),
        "--world",
        "w",
        "-o",
        str(tmp_path / "core.wasm"),
    )
    assert built.returncode == 0, built.stderr
    built = tool("component", "new", str(tmp_path / "core.wasm"), "-o", str(tmp_path / "c.wasm"))
    assert built.returncode == 0, built.stderr
    targets = tool("component", "targets", str(new), "--world", "w", str(tmp_path / "c.wasm"))
    verdict = "passes" if targets.returncode == 0 else "fails"
    assert verdict == expected(case)["targets"], targets.stderr

    changes = [tuple(c) for p in expected(case)["packages"].values() for c in p["changes"]]
    breaking = {rule for v, rule, _ in changes if v == "breaking"}
    if verdict == "fails":
        assert breaking, "a change the binary check rejects must be breaking"
    else:
        assert all(RULES[rule].policy for rule in breaking), breaking
