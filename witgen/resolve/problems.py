"""How resolver passes report problems.

A pass raises `Problem` for the first error it finds, as wit-parser stops at
its first; the driver (`passes.py`) catches it at once, puts the context of
the stage in front ("failed to parse dependency directory: ..."), and raises
a `WitError` with that one diagnostic.  The messages are wit-parser's, word
for word where practical.
"""

from __future__ import annotations

from typing import NoReturn

from witgen.diagnostics import Diagnostic, Span


class Problem(Exception):
    """One diagnostic that stops the current item."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def fail(message: str, span: Span | None) -> NoReturn:
    raise Problem(Diagnostic(message, span))


def not_found(kind: str, name: str, span: Span | None, hint: str | None = None) -> NoReturn:
    """wit-parser's `ItemNotFound`: "{kind} `{name}` does not exist"."""
    message = f"{kind} `{name}` does not exist"
    if hint is not None:
        message += f"\n{hint}"
    fail(message, span)
