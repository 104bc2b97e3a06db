"""Generated bindings for tests: written into a temporary package and imported.

In: a WIT file or folder and a package name.  Out: the imported root package
of its bindings (`witgen generate`'s output), importable as
`<package>.<wit package module>.<module>`.  Raises what generation raises.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

from witgen.codegen.generate import Options, generate_files, write_files


def generate_into(wit: Path, directory: Path, package: str, world: str | None = None) -> Path:
    """Write the bindings of `wit` as the package `package` under `directory`."""
    out = directory / package
    write_files(out, generate_files(Options(wit=wit, out=out, world=world, base=wit.parent)))
    return out


def import_bindings(wit: Path, directory: Path, package: str, module: str) -> ModuleType:
    """Generate (see `generate_into`) and import `<package>.<module>`."""
    generate_into(wit, directory, package)
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    importlib.invalidate_caches()
    return importlib.import_module(f"{package}.{module}")
