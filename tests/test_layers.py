"""The import graph of the witgen package reads one way (STYLE.md, docs/contributing.md):

    cli -> {guest, docs, evolution, fmt, codegen, host, http} -> resolve -> {syntax, wasm}
        -> ir -> diagnostics

with `runtime` (what generated bindings import) and `permissions` standing apart from the
compiler, and `host` above them.  Every import statement of every module is read (those inside
functions too), so an arrow that runs back up fails here, as does a module importing another
module's private name.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "witgen"

# What each part may import, besides itself.  A part is a subpackage or a top-level module.
FOUNDATION = {"diagnostics", "version", "rust", "frozen", "caching"}
COMPILER_CORE = FOUNDATION | {"ir", "syntax", "wasm", "resolve", "printer", "conventions"}
ALLOWED: dict[str, set[str]] = {
    "rust": set(),
    "frozen": set(),
    "caching": set(),
    "bundled": set(),
    "diagnostics": set(),
    "version": {"rust"},
    "conventions": set(),
    "output": set(),
    "ir": {"diagnostics", "version", "frozen"},
    "syntax": FOUNDATION,
    "wasm": FOUNDATION,
    "resolve": FOUNDATION | {"ir", "syntax", "wasm"},
    "printer": FOUNDATION | {"ir"},
    "json_view": FOUNDATION | {"ir"},
    "commands": {"diagnostics", "output"},
    "codegen": COMPILER_CORE | {"output"},
    "evolution": COMPILER_CORE | {"commands"},
    "docs": COMPILER_CORE | {"codegen", "output", "commands"},
    "fmt": COMPILER_CORE | {"output", "commands"},
    "guest": COMPILER_CORE | {"codegen", "output", "commands", "permissions", "bundled"},
    "runtime": set(),
    "permissions": {"commands"},
    "host": {"runtime", "permissions", "commands", "caching"},
    # Serving wasi:http components: it generates the WASI bindings of the component it
    # serves (codegen), links Python's WASI (runtime) and checks grants (permissions, host).
    "http": COMPILER_CORE | {"codegen", "output", "runtime", "permissions", "host", "commands"},
    "cli": COMPILER_CORE
    | {"commands", "output", "json_view", "codegen", "evolution", "docs", "fmt", "guest", "host"}
    | {"permissions", "http"},
    "__main__": {"cli"},
}
# One module more than its part: `witgen inspect` (a command of the host) reads
# a component's type with the compiler and prints it with the printer, as every
# other command does (cli -> host -> resolve); the rest of the host never does.
MODULE_ALLOWED: dict[str, set[str]] = {"witgen.host.cli": COMPILER_CORE}
# Outside witgen: the checked-in bindings are the host's to import.
OUTSIDE = {"airssys_bindings": {"host"}}


def part_of(module: str) -> str:
    """`witgen.resolve.link` -> `resolve`; `witgen.cli` -> `cli`."""
    return module.split(".")[1]


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1:
            found.append((".".join(parts), path))
    return found


def imports(module: str, path: Path) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import in `path`."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                # `from witgen import ir` imports the module witgen.ir (but
                # `from witgen import __version__` a name of the package).
                if target == "witgen" and not alias.name.startswith("__"):
                    found.append((f"witgen.{alias.name}", None, node.lineno))
                else:
                    found.append((target, alias.name, node.lineno))
    return found


MODULES = modules()


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_imports_flow_one_way(module: str, path: Path) -> None:
    part = part_of(module)
    assert part in ALLOWED, f"{module}: a new part of witgen needs a place in ALLOWED"
    wrong = []
    for target, _, line in imports(module, path):
        top = target.split(".")[0]
        if top == "witgen" and target != "witgen":
            other = part_of(target)
            allowed = ALLOWED[part] | MODULE_ALLOWED.get(module, set())
            if other != part and other not in allowed:
                wrong.append(f"{path.name}:{line}: {part} -> {other} ({target})")
        elif top in OUTSIDE and part not in OUTSIDE[top]:
            wrong.append(f"{path.name}:{line}: {part} -> {top}")
    assert wrong == []


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_private_name_of_another_module(module: str, path: Path) -> None:
    wrong = [
        f"{path.name}:{line}: {target}.{name}"
        for target, name, line in imports(module, path)
        if target.startswith("witgen")
        and target != module
        and (
            (name is not None and name.startswith("_") and not name.startswith("__"))
            or any(part.startswith("_") and not part.startswith("__") for part in target.split("."))
        )
    ]
    assert wrong == []


def test_the_runtime_imports_only_itself_and_wasmtime() -> None:
    """What generated bindings import: a program that only uses bindings needs no compiler,
    no host services and no permission checks."""
    for module, path in MODULES:
        if part_of(module) != "runtime":
            continue
        for target, _, line in imports(module, path):
            top = target.split(".")[0]
            allowed = {"witgen", "wasmtime", "__future__"} | sys.stdlib_module_names
            assert top in allowed, f"{path.name}:{line}: {target}"
