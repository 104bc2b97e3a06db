"""Every Python and shell example of the documentation runs.

The examples are read from docs/**/*.md (`examples.collect`), never copied
here; the convention (which blocks run, the markers, what one page's blocks
share) is in `examples` and in docs/contributing.md.  One test per page: its
blocks run in order in a fresh temporary folder with a copy of `wit/`, with
the project's virtual environment first on PATH (so `witgen` and
`wasm-tools` are the project's).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docs.examples import ROOT, Block, collect, pages, shell_script

HINT = (
    "\n(an example that cannot run here, one that needs a built component for one, is "
    "marked `<!-- not-tested: <reason> -->` on the line before its fence: see "
    "docs/contributing.md)"
)
PAGES = [page for page in pages() if any(block.runs for block in collect(page))]


def _workspace(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "wit", tmp_path / "wit", ignore=ignore)
    return tmp_path


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(["."] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("COLUMNS", None)
    return env


def _run_shell(block: Block, cwd: Path) -> None:
    script = "set -euo pipefail\n" + shell_script(block)
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == block.exit_status, (
        f"{block.where}: exit status {result.returncode}, expected {block.exit_status}\n"
        f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}{HINT}"
    )


def _run_python(block: Block, namespace: dict[str, object]) -> None:
    code = compile(block.code, block.where, "exec")
    try:
        exec(code, namespace)
    except BaseException as error:
        error.add_note(f"in the example at {block.where}{HINT}")
        raise


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_page_examples(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = _workspace(tmp_path)
    monkeypatch.chdir(cwd)
    monkeypatch.syspath_prepend(str(cwd))
    monkeypatch.setenv("PATH", _environment()["PATH"])
    before = set(sys.modules)
    namespace: dict[str, object] = {"__name__": "__docs_example__"}
    try:
        for block in collect(page):
            if not block.runs:
                continue
            if block.language == "python":
                _run_python(block, namespace)
            else:
                _run_shell(block, cwd)
    finally:
        # Modules the examples imported from their folder (generated bindings)
        # must not leak into the next page, which may generate others.
        for name in set(sys.modules) - before:
            path = getattr(sys.modules[name], "__file__", None) or ""
            if path.startswith(str(tmp_path)):
                del sys.modules[name]


def test_the_convention_is_followed() -> None:
    """Markers name a reason; only runnable languages carry `exit-status`."""
    for page in pages():
        for block in collect(page):
            if block.not_tested is not None:
                assert block.not_tested, f"{block.where}: `not-tested:` needs a reason"
            if block.exit_status:
                assert block.language in {"sh", "bash", "console"}, block.where
