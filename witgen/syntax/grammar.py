"""Where the WIT grammar is.

In: nothing.  Out: the path of `wit.lark` (which need not exist: reading it
raises `OSError` then), as a `Path` (`grammar_path`) or a string
(`grammar_file`).  Raises nothing.  Kept apart from `parse.py` so that finding
the grammar imports neither Lark nor (for the parse cache) `pathlib`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def grammar_file() -> str:
    """`wit.lark`: inside the installed package, or at the top of a source checkout."""
    # The package's folder, as `importlib.resources.files("witgen")` finds it
    # (whose import costs `witgen check` 5-10 ms).
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    packaged = os.path.join(package, "grammar", "wit.lark")
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(package), "grammar", "wit.lark")


def grammar_path() -> Path:
    """`grammar_file()` as a `Path`."""
    from pathlib import Path

    return Path(grammar_file())
