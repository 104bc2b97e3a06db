"""The report of a `Diff`: text for people, JSON for machines.

In: a `diff.Diff` and the source maps of OLD and NEW (a change's span points
into the one its `side` names).  Out: `render_text()`, one block per package
with each change rendered the way wit-parser renders a diagnostic, prefixed by
its verdict and rule (`breaking[function-removed]: ...`); `render_problems()`,
the `error:` lines for versions that are too small; `render_json()`, the same
content as stable, sorted JSON.  Raises nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from witgen.diagnostics import Diagnostic, SourceMap, render
from witgen.evolution.diff import VERDICTS, Change, Diff, PackageDiff, Side

Sources = Mapping[Side, SourceMap]

_BUMP = {"major": "a major bump", "minor": "a minor bump", "patch": "a patch bump"}

JSON_FORMAT = 1
"""The version of the JSON document's layout; it changes only when a key changes meaning."""


def render_text(diff: Diff, sources: Sources) -> str:
    """The human report: a header per package, then its changes, breaking first."""
    blocks: list[str] = []
    for package in diff.packages:
        lines = [header(package)]
        lines += [render_change(change, sources) for change in package.changes]
        blocks.append("\n\n".join(lines))
    if diff.only_old:
        blocks.append("only in OLD, not compared: " + ", ".join(diff.only_old))
    if diff.only_new:
        blocks.append("only in NEW, not compared: " + ", ".join(diff.only_new))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def header(package: PackageDiff) -> str:
    """`t:p 1.0.0 -> 1.1.0: 1 compatible: needs a minor bump (1.1.0 or later): ok`."""
    versions = f"{_version(package.old_version)} -> {_version(package.new_version)}"
    if not package.changes:
        status = "no changes" if package.ok else f"no changes: {package.problem}"
        return f"{package.name} {versions}: {status}"
    counts = ", ".join(
        f"{package.count(verdict)} {verdict}" for verdict in VERDICTS if package.count(verdict)
    )
    need = _BUMP[package.required]
    old = package.old_version
    if old is None or package.new_version is None:
        return f"{package.name} {versions}: {counts}: needs {need} (no version to check)"
    minimum = package.minimum
    if minimum is None:
        need += f" (any version after {old}: a pre-release promises nothing)"
    elif old.major == 0 and package.required == "major":
        need += f" ({minimum} or later: in 0.x a breaking change bumps the minor)"
    elif old.major == 0 and old.minor == 0:
        need += f" ({minimum} or later: in 0.0.x every change bumps the patch)"
    else:
        need += f" ({minimum} or later)"
    status = "ok" if package.ok else "version too small"
    return f"{package.name} {versions}: {counts}: needs {need}: {status}"


def render_change(change: Change, sources: Sources) -> str:
    """A change as wit-parser renders a diagnostic, with its verdict and rule in front."""
    text = render(Diagnostic(change.message, change.span), sources[change.side])
    return f"{change.verdict}[{change.rule}]: {text}"


def render_problems(diff: Diff) -> list[str]:
    """One `error:` line per package whose version is too small (for standard error)."""
    return [
        f"error: {package.name}: {package.problem}"
        for package in diff.packages
        if package.problem is not None
    ]


def render_json(diff: Diff, sources: Sources) -> str:
    """The report as JSON: keys sorted, packages by name, changes breaking first."""
    document = {
        "format": JSON_FORMAT,
        "ok": diff.ok,
        "packages": [_package_json(package, sources) for package in diff.packages],
        "only_in_old": list(diff.only_old),
        "only_in_new": list(diff.only_new),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _package_json(package: PackageDiff, sources: Sources) -> dict[str, object]:
    return {
        "name": package.name,
        "old_version": _optional(package.old_version),
        "new_version": _optional(package.new_version),
        "required": package.required,
        "minimum_version": _optional(package.minimum),
        "ok": package.ok,
        "problem": package.problem,
        "counts": {verdict: package.count(verdict) for verdict in VERDICTS},
        "changes": [_change_json(change, sources) for change in package.changes],
    }


def _change_json(change: Change, sources: Sources) -> dict[str, object]:
    location: dict[str, object] | None = None
    if change.span is not None:
        source = sources[change.side][change.span.file]
        line, column = source.line_col(change.span.start)
        location = {
            "side": change.side,
            "path": source.path,
            "line": line + 1,
            "column": column + 1,
        }
    return {
        "verdict": change.verdict,
        "rule": change.rule,
        "item": change.item,
        "message": change.message,
        "unstable": change.unstable,
        "location": location,
    }


def _version(version: object | None) -> str:
    return "(no version)" if version is None else str(version)


def _optional(value: object | None) -> str | None:
    return None if value is None else str(value)
