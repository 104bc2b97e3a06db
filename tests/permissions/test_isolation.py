"""witgen.permissions stands apart from the compiler.

A host application imports it to run components; it must not need the WIT
grammar or the code generator (no witgen.syntax, witgen.resolve, lark, jinja2,
black), only the standard library, wcmatch, idna and semver.  Its command
module (`cli.py`, `witgen manifest check`) also uses what the commands share,
`witgen.commands`, which imports nothing of the compiler.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import witgen.permissions

PACKAGE = Path(witgen.permissions.__file__).parent
ALLOWED = {"wcmatch", "bracex", "idna", "semver"}


def test_imports_in_the_source_are_stdlib_or_allowed() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: use absolute imports"
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ok = (
                    name == "witgen.permissions"
                    or name.startswith("witgen.permissions.")
                    or top in ALLOWED
                    or top in sys.stdlib_module_names
                    or name == "__future__"
                    or (path.name == "cli.py" and name == "witgen.commands")
                )
                assert ok, f"{path.name} imports {name}"


def test_importing_loads_no_compiler_module() -> None:
    script = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import witgen.permissions\n"
        "for name in witgen.permissions.__all__: getattr(witgen.permissions, name)\n"
        "print('\\n'.join(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = result.stdout.split()
    tops = {name.split(".")[0] for name in loaded}
    assert tops - set(sys.stdlib_module_names) <= ALLOWED | {"witgen"}
    witgen_modules = {name for name in loaded if name.startswith("witgen")}
    assert all(name == "witgen" or name.startswith("witgen.permissions") for name in witgen_modules)
