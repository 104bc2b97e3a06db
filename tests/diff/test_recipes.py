"""The pre-commit recipe of this repository (`witgen-diff`), run as pre-commit runs it.

The hook's `entry` is read from `.pre-commit-config.yaml` and run with `sh -c` in a
scratch git repository whose `wit/` evolves: no release tag (nothing to check), a
tag `v1.0.0` and then a compatible 1.1.0 (passes), and a breaking change released
as 1.2.0 (fails, naming the version it needs).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVOLUTION = Path(__file__).parent / "evolution"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def hook_entry() -> str:
    text = (ROOT / ".pre-commit-config.yaml").read_text()
    found = re.search(r"- id: witgen-diff\n(?:\s+\w+: .*\n)*?\s+entry: (.*)\n", text)
    assert found is not None, "no witgen-diff hook in .pre-commit-config.yaml"
    entry = found.group(1)
    assert entry.startswith("sh -c '") and entry.endswith("'")
    return entry.removeprefix("sh -c '").removesuffix("'")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def put_wit(repo: Path, version: str, *, as_version: str | None = None) -> None:
    shutil.rmtree(repo / "wit", ignore_errors=True)
    # Fresh mtimes: copies keeping the source's mtime and size look unchanged to git.
    shutil.copytree(EVOLUTION / f"host-core-{version}", repo / "wit", copy_function=shutil.copy)
    if as_version is not None:
        for file in (repo / "wit").glob("*.wit"):
            text = file.read_text().replace(f"@{version};", f"@{as_version};")
            file.write_text(text)


def run_hook(repo: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        ["sh", "-c", hook_entry()], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def test_the_witgen_diff_hook_against_the_last_release(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    put_wit(repo, "1.0.0")
    git(repo, "add", "wit")
    git(repo, "commit", "-q", "-m", "1.0.0")
    untagged = run_hook(repo)
    assert (untagged.returncode, untagged.stdout) == (0, ""), untagged.stderr

    git(repo, "tag", "v1.0.0")
    put_wit(repo, "1.1.0")
    compatible = run_hook(repo)
    assert compatible.returncode == 0, compatible.stderr
    assert compatible.stdout.startswith("airssys:host-core 1.0.0 -> 1.1.0: ")
    assert "--> wit/host.wit:" in compatible.stdout  # an addition: where it is now

    git(repo, "add", "-A", "wit")
    git(repo, "commit", "-q", "-m", "1.1.0")
    git(repo, "tag", "v1.1.0")
    put_wit(repo, "2.0.0", as_version="1.2.0")
    breaking = run_hook(repo)
    assert breaking.returncode == 1
    assert "breaking[function-removed]" in breaking.stdout
    assert "--> v1.1.0:wit/host.wit:" in breaking.stdout  # a removal: where it was
    assert "2.0.0" in breaking.stderr


def test_the_offered_witgen_diff_hook_passes_before_the_first_tag(tmp_path: Path) -> None:
    """The hook other repositories use (`.pre-commit-hooks.yaml`: its entry and
    default args), run as pre-commit runs it: no tag yet passes, saying so; after
    a tag, a breaking change released as a minor fails."""
    yaml = pytest.importorskip("yaml")
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    argv = [*hooks["witgen-diff"]["entry"].split(), *hooks["witgen-diff"]["args"]]
    assert argv[0] == "witgen"
    command = [sys.executable, "-m", "witgen", *argv[1:]]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    put_wit(repo, "1.1.0")
    git(repo, "add", "wit")
    git(repo, "commit", "-q", "-m", "1.1.0")
    untagged = subprocess.run(
        command, cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert untagged.returncode == 0, untagged.stderr
    assert "no release tag yet" in untagged.stdout

    git(repo, "tag", "v1.1.0")
    put_wit(repo, "2.0.0", as_version="1.2.0")
    breaking = subprocess.run(
        command, cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert breaking.returncode == 1
    assert "--> v1.1.0:wit/host.wit:" in breaking.stdout
