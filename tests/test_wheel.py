"""witgen as a new user gets it: the wheel, installed into a fresh virtual environment,
used in an empty folder with no checkout in sight (issue 19).

The wheel is built from this checkout (`pip wheel`, hatchling) and installed with its
dependencies the ordinary way (`pip install`); then, in an empty folder: `witgen
--version`, bindings of the airssys WIT that ships inside the wheel (`witgen.airssys_wit()`)
imported by a program, and a guest generated with no WIT path at all, whose copy of the WIT
checks.  About 10 s on a quiet machine (the install is most of it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from witgen import __version__

ROOT = Path(__file__).resolve().parents[1]
# One worker builds and installs the wheel once for both tests.
pytestmark = pytest.mark.xdist_group("wheel")


def run(
    command: list[str | Path], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The `bin/` folder of a fresh virtual environment with the wheel installed, and
    the environment to run it in (no PYTHONPATH: nothing of the checkout leaks in)."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    run([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-w", dist, "-q"], base)
    (wheel,) = dist.glob("witgen-*.whl")
    venv.EnvBuilder(with_pip=True).create(base / "venv")
    bin_dir = base / "venv" / ("Scripts" if os.name == "nt" else "bin")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["NO_COLOR"] = "1"
    run([bin_dir / "python", "-m", "pip", "install", "-q", wheel], base, env)
    return bin_dir, env


def test_a_new_user_in_an_empty_folder(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    python, witgen = bin_dir / "python", bin_dir / "witgen"

    assert run([witgen, "--version"], tmp_path, env).stdout == f"witgen {__version__}\n"

    where = run([python, "-c", "import witgen; print(witgen.airssys_wit())"], tmp_path, env)
    wit = Path(where.stdout.strip())
    assert wit.is_relative_to(bin_dir.parent), "the WIT must come from the wheel"
    assert (wit / "worlds.wit").is_file() and (wit / "deps" / "host-core").is_dir()

    run([witgen, "generate", wit, "-w", "component", "-o", "bindings"], tmp_path, env)
    program = (
        "import importlib, pkgutil, witgen, bindings\n"
        "names = [m.name for m in pkgutil.walk_packages(bindings.__path__, 'bindings.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(witgen.__file__)\n"
        "print(*sorted(name.rsplit('.', 1)[-1] for name in names))\n"
    )
    imported = run([python, "-c", program], tmp_path, env).stdout.splitlines()
    assert Path(imported[0]).is_relative_to(bin_dir.parent)
    assert "component_lifecycle" in imported[1].split()

    made = run([witgen, "generate", "--guest", "-w", "component", "-o", "app"], tmp_path, env)
    assert "airssys WIT that ships with witgen" in made.stderr
    assert (tmp_path / "app" / "wit" / "worlds.wit").read_text(encoding="utf-8") == (
        wit / "worlds.wit"
    ).read_text(encoding="utf-8")
    recorded = (tmp_path / "app" / "wit_imports.py").read_text(encoding="utf-8")
    assert 'WIT_PATH = "wit"' in recorded
    run([witgen, "check", "app/wit"], tmp_path, env)


@pytest.mark.slow
def test_a_guest_of_the_bundled_wit_builds_with_no_checkout(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """The guest's own copy of the WIT is all `witgen build` needs (componentize-py
    installed beside witgen, as a guest author installs it; about 20 s)."""
    bin_dir, env = installed
    python, witgen = bin_dir / "python", bin_dir / "witgen"
    run([python, "-m", "pip", "install", "-q", "componentize-py==0.25.1"], tmp_path, env)
    run([witgen, "generate", "--guest", "-w", "component", "-o", "app"], tmp_path, env)
    built = run([witgen, "build", "app"], tmp_path, env)
    assert built.stdout.startswith("built app/app.wasm")
    assert (tmp_path / "app" / "app.wasm").stat().st_size > 1_000_000
