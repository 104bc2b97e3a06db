"""The pre-commit hooks witgen offers, and the project's own configuration."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
@pytest.mark.parametrize(
    ("command", "file"),
    [
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ],
)
def test_hook_files_are_valid(command: str, file: str) -> None:
    assert PRE_COMMIT is not None
    result = subprocess.run(
        [PRE_COMMIT, command, file], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hooks_run_witgen_commands() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    for entry in (
        "entry: witgen check",
        "entry: witgen generate",
        "entry: witgen generate --check",
        "entry: witgen diff",
    ):
        assert entry in text
