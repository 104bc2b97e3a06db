"""The report of a `Diff`: text for people, JSON for machines.

In: a `diff.Diff` and the source maps of OLD and NEW (a change's span points
into the one its `side` names), and optionally the verdicts to list (`only`).
Out: `render_text()`, one block per package with each change rendered the way
wit-parser renders a diagnostic, prefixed by its verdict and rule
(`breaking[function-removed]: ...`), and a closing `summary:` line (the counts
of every verdict and which versions are too small); `render_problems()`,
the `error:` lines for versions that are too small; `render_json()`, the same
content as stable, sorted JSON.  Raises nothing.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

from witgen.diagnostics import Diagnostic, SourceMap, render
from witgen.evolution.diff import VERDICTS, Change, Diff, PackageDiff, Side, Verdict

Sources = Mapping[Side, SourceMap]
Only = Collection[Verdict] | None  # the verdicts whose changes are listed (None: all)

_BUMP = {"major": "a major bump", "minor": "a minor bump", "patch": "a patch bump"}

JSON_FORMAT = 1
"""The version of the JSON document's layout; it changes only when a key changes meaning."""


def render_text(diff: Diff, sources: Sources, only: Only = None) -> str:
    """The human report: a header per package, then its changes (those of the
    verdicts in `only`, or all), breaking first; the summary line last."""
    blocks: list[str] = []
    for package in diff.packages:
        lines = [header(package)]
        lines += [render_change(change, sources) for change in _listed(package, only)]
        blocks.append("\n\n".join(lines))
    if diff.only_old:
        blocks.append("only in OLD, not compared: " + ", ".join(diff.only_old))
    if diff.only_new:
        blocks.append("only in NEW, not compared: " + ", ".join(diff.only_new))
    if diff.packages:
        blocks.append(summary(diff, only))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def summary(diff: Diff, only: Only = None) -> str:
    """The closing line: `summary: 2 breaking, 1 patch in 1 package; t:p needs
    a major bump (2.0.0 or later): version too small` (or `every version covers
    its changes`), and which verdicts were listed when not all were."""
    counts = ", ".join(
        f"{total} {verdict}"
        for verdict in VERDICTS
        if (total := sum(package.count(verdict) for package in diff.packages))
    )
    compared = len(diff.packages)
    text = f"summary: {counts or 'no changes'} in {compared} package{'s' * (compared != 1)}"
    wrong = [package for package in diff.packages if not package.ok]
    if wrong:
        text += "; " + ", ".join(
            (
                f"{package.name} {_need(package, why=False)}: version too small"
                if package.minimum is not None and package.changes and not package.fit
                else f"{package.name}: {package.problem}"
            )
            for package in wrong
        )
    elif counts and any(package.fit for package in diff.packages):
        text += "; the component fits NEW"
    elif counts:
        text += "; every version covers its changes"
    if only is not None and set(only) != set(VERDICTS):
        text += f" (listed: {', '.join(v for v in VERDICTS if v in only)} changes only)"
    return text


def _listed(package: PackageDiff, only: Only) -> list[Change]:
    return [change for change in package.changes if only is None or change.verdict in only]


def header(package: PackageDiff) -> str:
    """`t:p 1.0.0 -> 1.1.0: 1 compatible: needs a minor bump (1.1.0 or later): ok`."""
    versions = f"{_version(package.old_version)} -> {_version(package.new_version)}"
    if not package.changes:
        status = "no changes" if package.ok else f"no changes: {package.problem}"
        return f"{package.name} {versions}: {status}"
    counts = ", ".join(
        f"{package.count(verdict)} {verdict}" for verdict in VERDICTS if package.count(verdict)
    )
    if package.fit:
        return f"{package.name} {versions}: {counts}: {'fits' if package.ok else 'does not fit'}"
    if package.old_version is None or package.new_version is None:
        return f"{package.name} {versions}: {counts}: {_need(package)}"
    status = "ok" if package.ok else "version too small"
    return f"{package.name} {versions}: {counts}: {_need(package)}: {status}"


def _need(package: PackageDiff, *, why: bool = True) -> str:
    """`needs a minor bump (1.1.0 or later)`; in 0.x, the bump the version
    really takes: `needs a minor (0.x) bump (0.3.0 or later: in 0.x a breaking
    change bumps the minor)` (without `why`, no reason after the colon)."""
    need = _BUMP[package.required]
    old = package.old_version
    if old is None or package.new_version is None:
        return f"needs {need} (no version to check)"
    minimum = package.minimum
    if minimum is None:
        return f"needs {need} (any version after {old}: a pre-release promises nothing)"
    reason = ""
    if old.major == 0 and old.minor == 0 and package.required != "patch":
        need, reason = "a patch (0.0.x) bump", "in 0.0.x every change bumps the patch"
    elif old.major == 0 and package.required == "major":
        need, reason = "a minor (0.x) bump", "in 0.x a breaking change bumps the minor"
    elif old.major == 0 and package.required == "minor":
        need, reason = "a patch (0.x) bump", "in 0.x an addition bumps the patch"
    if reason and why:
        return f"needs {need} ({minimum} or later: {reason})"
    return f"needs {need} ({minimum} or later)"


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


def render_json(diff: Diff, sources: Sources, only: Only = None) -> str:
    """The report as JSON: keys sorted, packages by name, changes breaking first
    (those of the verdicts in `only`, or all; the counts are of all)."""
    document = {
        "format": JSON_FORMAT,
        "ok": diff.ok,
        "packages": [_package_json(package, sources, only) for package in diff.packages],
        "only_in_old": list(diff.only_old),
        "only_in_new": list(diff.only_new),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _package_json(package: PackageDiff, sources: Sources, only: Only) -> dict[str, object]:
    return {
        "name": package.name,
        "old_version": _optional(package.old_version),
        "new_version": _optional(package.new_version),
        "required": package.required,
        "minimum_version": _optional(package.minimum),
        "ok": package.ok,
        "problem": package.problem,
        "counts": {verdict: package.count(verdict) for verdict in VERDICTS},
        "changes": [_change_json(change, sources) for change in _listed(package, only)],
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
