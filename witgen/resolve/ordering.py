"""Pass: put every package parsed from text in dependency order.

In: groups of unresolved packages (one group per package source: its nested
packages, then its main package).  Out: the packages, each after the
packages it refers to.  Raises `Problem`: a package defined twice (naming
both places), or packages that depend on each other in a cycle.

As in wit-parser's `sort_unresolved_packages`, packages are visited in the
order of their names, each after its dependencies in the order it mentions
them; a dependency that no group defines is left for the link pass to report.
"""

from __future__ import annotations

from collections.abc import Sequence

from witgen import ir
from witgen.diagnostics import SourceMap
from witgen.resolve.problems import fail
from witgen.resolve.unresolved import UnresolvedPackage


def dependency_order(
    groups: Sequence[list[UnresolvedPackage]], sources: SourceMap
) -> list[UnresolvedPackage]:
    by_name: dict[ir.PackageName, UnresolvedPackage] = {}
    for group in groups:
        for package in group:
            previous = by_name.get(package.name)
            if previous is not None:
                fail(
                    f"package `{package.name}` is defined in two different locations:"
                    f"\n  * {sources.location(package.name_span)}"
                    f"\n  * {sources.location(previous.name_span)}",
                    None,
                )
            by_name[package.name] = package

    order: list[UnresolvedPackage] = []
    done: set[ir.PackageName] = set()
    for name in sorted(by_name, key=_name_key):
        if name not in done:
            _visit(by_name[name], by_name, order, done)
    return order


def _visit(
    root: UnresolvedPackage,
    by_name: dict[ir.PackageName, UnresolvedPackage],
    order: list[UnresolvedPackage],
    done: set[ir.PackageName],
) -> None:
    """wit-parser's recursive `visit`, with an explicit stack: a chain of
    packages may be longer than Python's recursion limit."""
    visiting: set[ir.PackageName] = set()
    # A frame: the package, the index of its dependency being visited, and
    # whether that dependency has been entered (and must be left next).
    stack: list[list[object]] = [[root, 0, False]]
    while stack:
        frame = stack[-1]
        package = frame[0]
        assert isinstance(package, UnresolvedPackage)
        index = frame[1]
        assert isinstance(index, int)
        deps = list(package.foreign_deps)
        if frame[2]:
            visiting.discard(deps[index])
            frame[1], frame[2] = index + 1, False
            continue
        if index == len(deps):
            stack.pop()
            done.add(package.name)
            order.append(package)
            continue
        dep = deps[index]
        if dep in visiting:
            fail(f"package `{dep}` creates a dependency cycle", package.foreign_dep_spans[index])
        visiting.add(dep)
        frame[2] = True
        target = by_name.get(dep)
        if target is not None and target.name not in done:
            stack.append([target, 0, False])


def _name_key(name: ir.PackageName) -> tuple[object, ...]:
    # Rust orders `Option<Version>` with None first.
    return (name.namespace, name.name, name.version is not None, name.version or 0)
