"""The conventions of airssys doc comments: `Capability:` and `Deprecated:` lines.

In: a doc comment as the IR keeps it (`docs` of an `ir` item, None for none).
Out: what its convention lines say.  Raises nothing.

One parser per convention, used by every stage that reads them (`witgen diff`,
`witgen docs`, the bindings, the guest stubs and `witgen build`), so that they
cannot read the same comment two ways:

* `Capability: <name>` (wit/README.md, "Capability marks"): the grant the host
  checks before a function acts, one of `witgen.permissions.CAPABILITIES`, or
  `none` for a function that needs no grant.  The convention is one line with
  one name; a line may name several, separated by commas or white space, and
  several lines add up.  `capability_mark()` gives the names as written
  (`("none",)` included, None when the comment has no such line: "nobody
  marked it"), `capabilities()` the grants they need, `without_capability()`
  the comment as if its `Capability:` lines were not there.
* `Deprecated: use `x` instead.` (wit/VERSIONING.md, "Deprecation"):
  `replacement()` gives the item named as the replacement and the line's text.

This module is a leaf: it imports nothing of witgen.
"""

from __future__ import annotations

import re

# What a `Capability:` line says for a function that needs no grant
# (`witgen.permissions.NO_CAPABILITY`; this leaf does not import it).
NO_CAPABILITY = "none"

# A whole `Capability:` line, with its line break; group 1 is what follows the colon.
_CAPABILITY_LINE = re.compile(r"^[ \t]*Capability:[ \t]*(.*?)[ \t]*(?:\n|\Z)", re.MULTILINE)
_NAME_SEPARATOR = re.compile(r"[,\s]+")

_DEPRECATED_LINE = re.compile(r"^[ \t]*Deprecated\b[ \t]*[:.]?[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_REPLACEMENT = re.compile(r"\buse[ \t]+`([^`]+)`", re.IGNORECASE)


def capability_mark(docs: str | None) -> tuple[str, ...] | None:
    """The names a doc comment's `Capability:` lines give, in order and each once
    (`("none",)` for `Capability: none`); None for a comment without such a line."""
    lines = _CAPABILITY_LINE.findall(docs or "")
    if not lines:
        return None
    names: dict[str, None] = {}
    for line in lines:
        names.update((name, None) for name in _NAME_SEPARATOR.split(line) if name)
    return tuple(names)


def capabilities(docs: str | None) -> frozenset[str]:
    """The grants a function's `Capability:` lines name (`none` names none, and so
    does a comment without a `Capability:` line)."""
    return frozenset(capability_mark(docs) or ()) - {NO_CAPABILITY}


def without_capability(docs: str | None) -> str:
    """The doc comment as if its `Capability:` lines (each with its line break)
    were not written, without leading and trailing white space."""
    return _CAPABILITY_LINE.sub("", docs or "").strip()


def replacement(docs: str | None) -> tuple[str | None, str | None]:
    """The replacement a doc comment names, and its `Deprecated:` line (each None if absent).

    The replacement is the first ``use `name` `` of the `Deprecated:` line, or
    else of the whole comment.
    """
    if not docs:
        return None, None
    line = _DEPRECATED_LINE.search(docs)
    note = (line.group(1) or None) if line is not None else None
    for text in (note, docs):
        if text:
            found = _REPLACEMENT.search(text)
            if found is not None:
                return found.group(1), note
    return None, note
