"""Black, in-process, with one fixed mode.

In: Python source text.  Out: the same code as black formats it with
witgen's mode (never the user's configuration), with LF line endings.
Raises `black.InvalidInput` only for text that is not Python, which would be a
witgen bug.

Black is most of the cost of generating bindings, so a `Formatter` can
spread a large batch over worker processes (`PARALLEL_MIN_BYTES`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

# The least source text (characters to format, in all) worth worker processes.
# Forking them and importing black in each costs about 0.1 s of CPU: below
# this, one process formats faster in CPU time and about as fast in wall time
# (the airssys worlds, ~140 KB: 0.55 s CPU serially, 0.63 s with 2 workers).
PARALLEL_MIN_BYTES = 400_000


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
    """Formats batches of modules, in worker processes when that pays: when
    `parallel` is allowed, the machine has two cores or more, and a batch holds
    at least `PARALLEL_MIN_BYTES` of text.  Use it as a context manager (the
    workers are stopped at its end)."""

    def __init__(self, parallel: bool) -> None:
        self.workers = min(os.cpu_count() or 1, 4)
        self.parallel = (
            parallel and self.workers > 1 and "fork" in multiprocessing.get_all_start_methods()
        )
        self.pool: Any = None

    def __enter__(self) -> Formatter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def format_many(self, texts: Sequence[str]) -> list[str]:
        """`format_python` of each text, in order."""
        if not self.parallel or len(texts) < 2 or sum(map(len, texts)) < PARALLEL_MIN_BYTES:
            return [format_python(text) for text in texts]
        if self.pool is None:
            context = multiprocessing.get_context("fork")
            self.pool = context.Pool(self.workers, initializer=_warm_up)
        # Largest first, so that one big module does not finish last.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        formatted = self.pool.map(format_python, [texts[i] for i in order], chunksize=1)
        result = [""] * len(texts)
        for index, text in zip(order, formatted, strict=True):
            result[index] = text
        return result


def _warm_up() -> None:
    format_python("pass\n")
