"""Generating bindings for the codegen tests: the cases here and the corpus.

In: a WIT path.  Out: the generated files (by path) or the `WitError`, and a
package name for them that is a valid, unique Python identifier;
`import_tree` imports every module of a tree written to disk, and
`run_mypy` type-checks many trees in one mypy process.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from witgen.codegen.generate import Generated, Options, generate_files

CASES = Path(__file__).parent / "cases"

# The cases' features: `docs.wit` gates a function behind `shiny`.
FEATURES = ("shiny", "active")


def generate(wit: Path, out: Path, base: Path) -> Generated:
    return generate_files(Options(wit=wit, out=out, features=FEATURES, base=base), reuse=False)


def package_name(text: str) -> str:
    return "b_" + re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_")


def joined(files: dict[str, str]) -> str:
    """Every file of one case in one text, each under a line naming it."""
    return "".join(f"# ===== {name}\n{text}" for name, text in sorted(files.items()))


def import_tree(directory: Path, package: str) -> list[str]:
    """Import every module of the generated package `directory / package` (each
    package's `__init__` first) and return their names; the modules are
    removed from `sys.modules` again, so that another tree may reuse names."""
    root = directory / package
    names = []
    for path in sorted(root.rglob("*.py"), key=lambda p: (len(p.parts), p.name != "__init__.py")):
        parts = path.relative_to(directory).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    before = set(sys.modules)
    sys.path.insert(0, str(directory))
    try:
        importlib.invalidate_caches()
        for name in names:
            importlib.import_module(name)
    finally:
        sys.path.remove(str(directory))
        for name in set(sys.modules) - before:
            if name == package or name.startswith(package + "."):
                del sys.modules[name]
    return names


def run_mypy(directory: Path, packages: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """`mypy --strict` over the generated `packages` under `directory`, in one process."""
    (directory / "mypy.ini").write_text("[mypy]\nstrict = True\npython_version = 3.11\n")
    command = [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental"]
    for name in packages:
        command += ["-p", name]
    return subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
