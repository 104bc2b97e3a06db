"""Where the WIT grammar is.

In: nothing.  Out: `grammar_path()`, the path of `wit.lark` (which need not
exist: reading it raises `OSError` then).  Raises nothing.  Kept apart from
`parse.py` so that finding the grammar does not import Lark.
"""

from __future__ import annotations

from pathlib import Path


def grammar_path() -> Path:
    """`wit.lark`: inside the installed package, or at the top of a source checkout."""
    # The package's folder, as `importlib.resources.files("witgen")` finds it
    # (whose import costs `witgen check` 5-10 ms).
    package = Path(__file__).resolve().parents[1]
    packaged = package / "grammar" / "wit.lark"
    if packaged.is_file():
        return packaged
    return package.parent / "grammar" / "wit.lark"
