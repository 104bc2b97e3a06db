"""The pre-commit hooks witgen offers, and the project's own configuration."""

from __future__ import annotations

import re
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
        "entry: witgen fmt",
        "entry: witgen fmt --check",
    ):
        assert entry in text


@pytest.mark.parametrize("hook", ["witgen-fmt", "witgen-fmt-check"])
def test_the_fmt_hooks_take_the_wit_files_outside_deps(hook: str) -> None:
    yaml = pytest.importorskip("yaml")
    hooks = {
        entry["id"]: entry
        for entry in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    files, exclude = re.compile(hooks[hook]["files"]), re.compile(hooks[hook]["exclude"])
    assert hooks[hook].get("pass_filenames", True)
    for path, taken in [
        ("wit/app.wit", True),
        ("app.wit", True),
        ("wit/deps/io/streams.wit", False),
        ("deps/io/streams.wit", False),
        ("wit/README.md", False),
        ("wit/dependencies.wit", True),
    ]:
        assert (files.search(path) is not None and exclude.search(path) is None) == taken, path
