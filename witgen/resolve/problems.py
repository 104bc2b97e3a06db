"""How resolver passes report problems.

A pass raises `Problem` for an error that stops the item it is working on;
the driver (`passes.py`) records it, puts the right context in front, and
raises one `WitError` with every diagnostic once the passes are done.  The
messages are wit-parser's, word for word where practical.
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
