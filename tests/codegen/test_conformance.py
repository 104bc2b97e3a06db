"""Bindings for every corpus case that wasm-tools accepts.

Generation succeeds, or fails only with diagnostics about constructs the
runtime cannot carry (futures, streams, error-context, fixed-size lists, async
functions); what is generated compiles, black leaves it unchanged, and every
module imports.  (`test_mypy.py` type-checks all of it.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.corpus import CONFORMANCE, Case, case_params, cases

from witgen.codegen.format import format_python
from witgen.codegen.generate import write_files
from witgen.diagnostics import WitError

from .generated import generate, import_tree, package_name

ACCEPTED = [case for case in cases() if case.expect == "ok"]
CANNOT_CARRY = ("so witgen cannot bind it",)


@pytest.mark.parametrize("case", case_params(ACCEPTED))
def test_generation(case: Case, tmp_path: Path) -> None:
    out = tmp_path / package_name(case.path)
    try:
        generated = generate(CONFORMANCE / case.path, out, CONFORMANCE)
    except WitError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert any(text in diagnostic.message for text in CANNOT_CARRY), diagnostic.message
            assert diagnostic.span is not None
        return
    for name, text in generated.files.items():
        compile(text, name, "exec")
        assert format_python(text) == text, f"black would change {name}"
    write_files(out, generated)
    modules = import_tree(tmp_path, out.name)
    assert len(modules) == sum(1 for name in generated.files if name.endswith(".py"))
