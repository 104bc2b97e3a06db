"""Topological order of named things, as wit-parser computes it.

In: a map from each name to the names it depends on, in source order.
Out: the names, dependencies first; among the names ready at any moment the
one earliest in source order comes first (wit-parser's stable sort, which
keeps printed output stable).  Raises `Problem`: "`kind` `x` does not exist"
for a dependency that is not a key (with `hint(x)` on a second line, if any),
"`kind` `x` depends on itself" for a cycle, each at the span of the offending
reference.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence

from witgen.diagnostics import Span
from witgen.resolve.problems import fail, not_found


def toposort(
    kind: str,
    deps: Mapping[str, Sequence[tuple[str, Span | None]]],
    hint: Callable[[str], str | None] | None = None,
) -> list[str]:
    names = list(deps)
    index = {name: i for i, name in enumerate(names)}
    remaining = [0] * len(names)
    reverse: list[list[int]] = [[] for _ in names]
    for i, name in enumerate(names):
        edges = deps[name]
        remaining[i] = len(edges)
        for dep, span in edges:
            j = index.get(dep)
            if j is None:
                not_found(kind, dep, span, hint(dep) if hint is not None else None)
            reverse[j].append(i)

    order: list[str] = []
    ready = [i for i in range(len(names)) if remaining[i] == 0]
    heapq.heapify(ready)
    while ready:
        i = heapq.heappop(ready)
        order.append(names[i])
        for j in reverse[i]:
            remaining[j] -= 1
            if remaining[j] == 0:
                heapq.heappush(ready, j)
        reverse[i] = []
    if len(order) == len(names):
        return order

    for i, name in enumerate(names):
        if remaining[i] == 0:
            continue
        for dep, span in deps[name]:
            if remaining[index[dep]] != 0:
                fail(f"{kind} `{dep}` depends on itself", span)
    raise AssertionError("a cycle must have been found")
