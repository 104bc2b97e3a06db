"""Printing is stable: print, parse what was printed, print again: the same text.

For every case of the corpus that wasm-tools accepts, and for random valid
WIT (also checked against wasm-tools: the same WIT and JSON, or the same
error where the random WIT is not valid).

Two corpus cases (`foreign-interface-dep-gated`, `foreign-world-dep-gated`)
are not stable under wasm-tools itself: an import that a feature gate removes
is not printed, so the dependency between two packages that it made is gone,
and on the next parse the packages are ordered differently.  There witgen must
reprint exactly what wasm-tools reprints, and the second round is stable.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from support.corpus import CONFORMANCE, Case, case_params, cases, wasm_tools

from witgen.diagnostics import WitError, render
from witgen.json_view import dumps
from witgen.printer import print_resolve
from witgen.resolve.passes import resolve_path

from .wit_strategy import wit_package

WASM_TOOLS = wasm_tools()
ACCEPTED = [c for c in cases() if c.expect == "ok" and not c.path.endswith(".wat")]


@pytest.fixture
def in_corpus() -> Iterator[None]:
    before = os.getcwd()
    os.chdir(CONFORMANCE)
    try:
        yield
    finally:
        os.chdir(before)


def _reprint(text: str, tmp: Path) -> str:
    (tmp / "again.wit").write_text(text)
    return print_resolve(resolve_path(str(tmp / "again.wit"), ["active"]))


@pytest.mark.parametrize("case", case_params(ACCEPTED))
def test_corpus_print_is_stable(case: Case, in_corpus: None, tmp_path: Path) -> None:
    printed = print_resolve(resolve_path(case.path, ["active"]))
    again = _reprint(printed, tmp_path)
    if WASM_TOOLS is not None:
        reference = subprocess.run(
            [WASM_TOOLS, "component", "wit", "--features", "active", str(tmp_path / "again.wit")],
            capture_output=True,
            text=True,
            check=True,
        )
        assert again == reference.stdout
        if reference.stdout != printed:
            # wasm-tools moves packages here too; then the next round is stable.
            assert _reprint(again, tmp_path) == again
            return
    assert again == printed


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(wit_package())
def test_random_wit_round_trips_and_matches_wasm_tools(tmp_path: Path, text: str) -> None:
    source = tmp_path / "random.wit"
    source.write_text(text)
    try:
        resolve = resolve_path(str(source))
    except WitError as error:
        # The strategy can make a world wasm-tools rejects too (an export whose
        # interface an import depends on): then both must say the same.
        if WASM_TOOLS is None:
            raise
        wit = subprocess.run(
            [WASM_TOOLS, "component", "wit", str(source)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert wit.returncode != 0
        rendered = "".join(f"error: {render(d, error.sources)}\n" for d in error.diagnostics)
        assert rendered == wit.stderr
        return
    printed = print_resolve(resolve)
    assert _reprint(printed, tmp_path) == printed
    if WASM_TOOLS is not None:
        wit = subprocess.run(
            [WASM_TOOLS, "component", "wit", str(source)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert wit.returncode == 0, wit.stderr
        assert printed == wit.stdout
        as_json = subprocess.run(
            [WASM_TOOLS, "component", "wit", "--json", str(source)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(dumps(resolve)) == json.loads(as_json.stdout)
