"""Feature gates: which gated items a run keeps.

In: an item's `@since`/`@unstable` gate, its package, and the run's enabled
features.  Out: whether the item is kept.  Raises `Problem` where wit-parser
refuses a gate: a `@since` in a package without a version, or a `@since`
naming a version later than the package's own.
"""

from __future__ import annotations

from witgen import ir
from witgen.diagnostics import Span
from witgen.resolve.arena import Arena
from witgen.resolve.problems import fail


def include(
    arena: Arena, stability: ir.Stability, package: ir.PackageId, span: Span | None
) -> bool:
    """Whether an item with this gate is part of the resolved packages.

    `@deprecated` never removes anything; `@since` keeps the item once its
    version is released; `@unstable` keeps it only when its feature is enabled.
    """
    if stability is None:
        return True
    if isinstance(stability, ir.Unstable):
        return arena.all_features or stability.feature in arena.features
    name = arena.packages[package].name
    if name.version is None:
        fail(
            f"package [{name}] contains a feature gate with a version specifier, "
            "so it must have a version",
            span,
        )
    if stability.since > name.version:
        fail(
            f"feature gate cannot reference unreleased version {stability.since} of package "
            f"[{name}] (current version {name.version})",
            span,
        )
    return True
