"""Generating bindings for the codegen tests: the cases here and the corpus.

In: a WIT path.  Out: the generated files (by path) or the `WitError`, and a
package name for them that is a valid, unique Python identifier.
"""

from __future__ import annotations

import re
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
