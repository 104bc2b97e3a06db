"""Black, in-process, with one fixed mode.

In: Python source text.  Out: the same code as black formats it with
witgen's mode (never the user's configuration), with LF line endings.
Raises `black.InvalidInput` only for text that is not Python, which would be a
witgen bug.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _mode() -> Any:
    import black
    from black.mode import TargetVersion

    return black.Mode(
        target_versions={TargetVersion.PY311},
        line_length=100,
        string_normalization=True,
        magic_trailing_comma=True,
        preview=False,
    )


def format_python(text: str) -> str:
    import black

    return str(black.format_str(text, mode=_mode()))
