"""The `includes` pass: the cases under `cases/includes/`, judged by wasm-tools (harness.py)."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from .harness import case_params, check_case


@pytest.mark.parametrize("case", case_params("includes"))
def test_case(case: str, snapshot: SnapshotAssertion) -> None:
    check_case(case, snapshot)
