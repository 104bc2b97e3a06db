"""Black, in-process, with one fixed mode.

In: Python source text.  Out: the same code as black formats it with
witgen's mode (never the user's configuration), with LF line endings.
Raises `black.InvalidInput` only for text that is not Python, which would be a
witgen bug.

Black is most of the cost of generating bindings, so a `Formatter` can
spread a batch over worker processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
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


class Formatter:
    """Formats batches of modules, in worker processes when that pays.

    Use it as a context manager, and create it before the expensive work that
    produces the text: the workers fork at once and import black while the
    caller parses and renders, so black's import costs no wall time.
    """

    def __init__(self, parallel: bool) -> None:
        workers = min(os.cpu_count() or 1, 4)
        self.pool: Any = None
        if parallel and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self.pool = context.Pool(workers, initializer=_warm_up)

    def __enter__(self) -> Formatter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def format_many(self, texts: Sequence[str]) -> list[str]:
        """`format_python` of each text, in order."""
        if self.pool is None or len(texts) < 2:
            return [format_python(text) for text in texts]
        # Largest first, so that one big module does not finish last.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        formatted = self.pool.map(format_python, [texts[i] for i in order], chunksize=1)
        result = [""] * len(texts)
        for index, text in zip(order, formatted, strict=True):
            result[index] = text
        return result


def _warm_up() -> None:
    format_python("pass\n")
