"""Bindings for every corpus case that wasm-tools accepts.

Generation succeeds, warning only about functions the runtime cannot carry
(async, or futures, streams, error-context, fixed-size lists in their
signatures), which it leaves out; what is generated compiles, black leaves it
unchanged, and every module imports.  (`test_mypy.py` type-checks all of it.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.corpus import CONFORMANCE, Case, case_params, cases

from witgen.codegen.format import format_python
from witgen.codegen.generate import write_files

from .generated import generate, import_tree, package_name

ACCEPTED = [case for case in cases() if case.expect == "ok"]
CANNOT_CARRY = "cannot be bound: "


@pytest.mark.parametrize("case", case_params(ACCEPTED))
def test_generation(case: Case, tmp_path: Path) -> None:
    out = tmp_path / package_name(case.path)
    generated = generate(CONFORMANCE / case.path, out, CONFORMANCE)
    for warning in generated.warnings:
        assert CANNOT_CARRY in warning, warning
        assert "\n     --> " in warning, warning  # it points at the function
    for name, text in generated.files.items():
        compile(text, name, "exec")
        assert format_python(text) == text, f"black would change {name}"
    write_files(out, generated)
    modules = import_tree(tmp_path, out.name)
    assert len(modules) == sum(1 for name in generated.files if name.endswith(".py"))
