"""The whole resolver against wit-parser's test corpus and wasm-tools' outputs.

For every case of `../shared/conformance`: witgen accepts exactly the cases
wasm-tools accepts; for each of those it prints the same WIT and the same JSON
(byte for byte); for each rejected case it prints the same diagnostic.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.corpus import CONFORMANCE, Case, case_params, cases

from witgen.diagnostics import WitError, render
from witgen.json_view import dumps
from witgen.printer import print_resolve
from witgen.resolve.passes import resolve_path

ALL = cases()


@pytest.fixture(autouse=True)
def _in_corpus() -> Iterator[None]:
    if not CONFORMANCE.is_dir():
        yield
        return
    before = os.getcwd()
    os.chdir(CONFORMANCE)
    try:
        yield
    finally:
        os.chdir(before)


@pytest.mark.parametrize("case", case_params([c for c in ALL if c.expect == "fail"]))
def test_rejected_with_the_same_diagnostic(case: Case) -> None:
    with pytest.raises(WitError) as raised:
        resolve_path(case.path, ["active"])
    rendered = "\n".join(
        f"error: {render(d, raised.value.sources)}" for d in raised.value.diagnostics
    )
    assert rendered == case.error_text


@pytest.mark.parametrize("case", case_params([c for c in ALL if c.expect == "ok"]))
def test_accepted_with_the_same_wit_and_json(case: Case) -> None:
    resolve = resolve_path(case.path, ["active"])
    assert print_resolve(resolve) == case.print_text
    expected_json = (CONFORMANCE / "expected" / f"{case.path}.json").read_text()
    assert dumps(resolve) == expected_json
