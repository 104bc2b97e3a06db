"""The human report and the JSON document, snapshotted; the docs' rule table kept in step.

Update the snapshots with `pytest tests/diff/test_report.py --snapshot-update`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from witgen.diagnostics import SourceMap
from witgen.evolution.diff import RULES, Diff, Side, diff_resolves
from witgen.evolution.report import render_json, render_problems, render_text
from witgen.resolve.passes import resolve_path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def report(monkeypatch: pytest.MonkeyPatch) -> tuple[Diff, dict[Side, SourceMap]]:
    monkeypatch.chdir(HERE / "report")
    sources: dict[Side, SourceMap] = {"old": SourceMap(), "new": SourceMap()}
    old = resolve_path("old.wit", sources=sources["old"])
    new = resolve_path("new.wit", sources=sources["new"])
    return diff_resolves(old, new), sources


def test_text(monkeypatch: pytest.MonkeyPatch, snapshot: SnapshotAssertion) -> None:
    diff, sources = report(monkeypatch)
    assert render_text(diff, sources) == snapshot
    assert render_problems(diff) == [
        "error: t:p: breaking changes need 2.0.0 or later, and 1.1.0 is too small"
    ]


def test_json(monkeypatch: pytest.MonkeyPatch, snapshot: SnapshotAssertion) -> None:
    diff, sources = report(monkeypatch)
    text = render_json(diff, sources)
    assert text == snapshot
    assert json.loads(text)["packages"][0]["counts"] == {
        "breaking": 18,
        "compatible": 2,
        "patch": 1,
    }


def test_docs_list_every_rule_with_its_verdict() -> None:
    docs = (ROOT / "docs" / "diff.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| ([a-z]+)(?: \(policy\))? \|", docs, re.MULTILINE))
    assert rows == {rule: spec.verdict for rule, spec in RULES.items()}
    policy = set(re.findall(r"^\| `([a-z-]+)` \| [a-z]+ \(policy\) \|", docs, re.MULTILINE))
    assert policy == {rule for rule, spec in RULES.items() if spec.policy}
