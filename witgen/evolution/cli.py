"""`witgen diff`: the command line of the evolution checks.

In: arguments.  OLD and NEW are each a `.wit` file, a package folder (with its
`deps/`), or a git revision of a path, `REV:PATH` (`HEAD~1:wit`, `v1.0.0:wit`),
which is exported with `git archive` (a folder) or `git cat-file` (a file) into
a temporary folder and resolved there; places in it are shown as `REV:PATH/...`.
With `--since-last-tag NEW`, OLD is NEW at the newest git tag (`git describe
--tags --abbrev=0`); with no tag yet (a project before its first release) that
is said on standard output and the status is 0, so a pre-commit hook can run
from the first commit.
Out: the report on standard output (only the changes of the verdicts given
with `--only`, when it is given; a summary line last), errors on standard
error, and the exit
status: 0 when every compared package's version is big enough for its changes,
1 when one is too small or the WIT has errors, 2 for usage errors (an argument
that is neither a path nor a revision, an unknown `--package`).

`add_diff_command` registers the command with `witgen`'s parser; `run_diff`
is what it runs.  Like `witgen.cli`, this module imports the compiler inside
the command so that `witgen --help` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from typing import TYPE_CHECKING

from witgen.commands import (
    EXIT_DIAGNOSTICS,
    EXIT_OK,
    EXIT_USAGE,
    add_feature_options,
    features_of,
    print_wit_error,
)

if TYPE_CHECKING:
    from witgen import ir
    from witgen.diagnostics import SourceMap, WitError


class InputError(Exception):
    """OLD or NEW cannot be read as a path or as a git revision; the message says why."""


def add_diff_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `witgen diff` with `set_defaults(run=run_diff)`."""
    diff = commands.add_parser(
        "diff",
        help="classify the changes between two versions of WIT packages, with semver verdicts",
        description=(
            "Compare the packages of OLD and NEW, matched by namespace and name, and classify "
            "every change as breaking, compatible or patch, following the component model's "
            "binary rules (see docs/diff.md). For each package, report the smallest version "
            "bump the changes need; exit status 1 when NEW's version is smaller than that."
        ),
        epilog=(
            "OLD and NEW are .wit files, package folders, or REV:PATH, a git revision of a "
            "path in the current repository (HEAD~1:wit, v1.0.0:wit/app.wit)."
        ),
    )
    diff.add_argument("old", metavar="OLD", help="the earlier version: a path or REV:PATH")
    diff.add_argument("new", metavar="NEW", nargs="?", help="the later version: a path or REV:PATH")
    diff.add_argument(
        "--since-last-tag",
        action="store_true",
        help="compare the one path given with its version at the newest git tag "
        "(`git describe --tags --abbrev=0`); with no tag yet, say so and exit 0",
    )
    diff.add_argument(
        "--package", metavar="NAME", help="compare only this package (namespace:name)"
    )
    diff.add_argument("--json", action="store_true", help="print the report as JSON")
    diff.add_argument(
        "--only",
        action="append",
        choices=("breaking", "compatible", "patch"),
        metavar="VERDICT",
        help="list only the changes of this verdict: breaking, compatible or patch "
        "(repeatable); the counts, the summary and the exit status still cover every change",
    )
    add_feature_options(
        diff, "enable @unstable features on both sides (repeatable, comma-separated)"
    )
    diff.set_defaults(run=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    """Run `witgen diff`; return the exit status."""
    from witgen.diagnostics import WitError
    from witgen.evolution.diff import DiffError, Side, diff_resolves
    from witgen.evolution.report import render_json, render_problems, render_text

    if args.since_last_tag:
        if args.new is not None:
            print(
                "witgen diff: error: --since-last-tag takes one path (NEW), not OLD and NEW",
                file=sys.stderr,
            )
            return EXIT_USAGE
        try:
            baseline = last_tag_of(args.old)
        except InputError as error:
            print(f"witgen diff: error: {error}", file=sys.stderr)
            return EXIT_USAGE
        if baseline is None:
            print(f"witgen diff: no release tag yet, so nothing to compare {args.old} with")
            return EXIT_OK
        args.old, args.new = baseline, args.old
    elif args.new is None:
        print("witgen diff: error: give OLD and NEW (or --since-last-tag NEW)", file=sys.stderr)
        return EXIT_USAGE
    features = features_of(args)
    with ExitStack() as scratch:
        try:
            old, old_sources = load_tree(args.old, features, args.all_features, scratch)
            new, new_sources = load_tree(args.new, features, args.all_features, scratch)
        except InputError as error:
            print(f"witgen diff: error: {error}", file=sys.stderr)
            return EXIT_USAGE
        except WitError as error:
            print_wit_error(error)
            return EXIT_DIAGNOSTICS
    try:
        diff = diff_resolves(old, new, args.package)
    except DiffError as error:
        print(f"witgen diff: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not diff.packages:
        old_names = ", ".join(diff.only_old) or "none"
        new_names = ", ".join(diff.only_new) or "none"
        print(
            f"error: `{args.old}` and `{args.new}` have no package in common "
            f"(OLD: {old_names}; NEW: {new_names})",
            file=sys.stderr,
        )
        return EXIT_DIAGNOSTICS
    sources: dict[Side, SourceMap] = {"old": old_sources, "new": new_sources}
    if args.json:
        sys.stdout.write(render_json(diff, sources, args.only))
    else:
        sys.stdout.write(render_text(diff, sources, args.only))
        sys.stdout.flush()  # the report, then the errors, even on one terminal
        for line in render_problems(diff):
            print(line, file=sys.stderr)
    sys.stdout.flush()
    return EXIT_OK if diff.ok else EXIT_DIAGNOSTICS


def last_tag_of(path: str) -> str | None:
    """`TAG:PATH` for the newest tag reachable from HEAD (PATH from the top of
    the repository), or None when there is no tag yet.  Raises `InputError`
    outside a git repository."""
    import subprocess

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, check=False)
        except OSError as error:
            raise InputError(f"--since-last-tag: git cannot run: {error}") from None

    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise InputError("--since-last-tag: not in a git repository")
    described = git("describe", "--tags", "--abbrev=0")
    if described.returncode != 0:  # no tag reachable (or no commit yet)
        return None
    toplevel = top.stdout.strip()
    relative = os.path.relpath(os.path.realpath(path), os.path.realpath(toplevel))
    relative = "" if relative == os.curdir else relative.replace(os.sep, "/")
    return f"{described.stdout.strip()}:{relative}"


def load_tree(
    spec: str, features: list[str], all_features: bool, scratch: ExitStack
) -> tuple[ir.Resolve, SourceMap]:
    """Resolve OLD or NEW: a path, or `REV:PATH` exported into a folder `scratch` removes.

    Raises `InputError` for a revision git cannot read, `WitError` for bad WIT.
    """
    from witgen.diagnostics import SourceMap, WitError
    from witgen.resolve.passes import resolve_path

    sources = SourceMap()
    if os.path.exists(spec) or ":" not in spec:
        return resolve_path(spec, features, all_features, sources), sources
    local = export_revision(spec, scratch)
    try:
        resolve = resolve_path(local, features, all_features, sources)
    except WitError as error:
        raise _relabelled(error, local, spec) from None
    _relabel(sources, local, spec)
    return resolve, sources


def export_revision(spec: str, scratch: ExitStack) -> str:
    """Write the file or folder `REV:PATH` names into a temporary folder; return its path."""
    import io
    import subprocess
    import tarfile
    import tempfile

    def git(*args: str, cwd: str | None = None) -> bytes:
        try:
            done = subprocess.run(["git", *args], capture_output=True, check=False, cwd=cwd)
        except OSError as error:
            raise InputError(f"`{spec}` is not a path, and git cannot run: {error}") from None
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            why = reason[0].removeprefix("fatal: ") if reason else f"git {args[0]} failed"
            raise InputError(f"`{spec}` is neither a path nor a git revision of one: {why}")
        return done.stdout

    kind = git("cat-file", "-t", spec).decode().strip()
    path = spec.partition(":")[2].rstrip("/")
    name = os.path.basename(path) or "root"
    folder = scratch.enter_context(tempfile.TemporaryDirectory(prefix="witgen-diff-"))
    local = os.path.join(folder, name)
    if kind == "blob":
        with open(local, "wb") as handle:
            handle.write(git("cat-file", "blob", spec))
        return local
    if kind != "tree":
        raise InputError(f"`{spec}` names a git {kind}, not a file or a folder")
    os.mkdir(local)
    # The tree by its id, archived from the top: `git archive` run in a
    # subfolder archives only that subfolder's part of a tree (nothing of `REV:wit`).
    tree = git("rev-parse", spec).decode().strip()
    top = git("rev-parse", "--show-toplevel").decode().strip()
    archive = git("archive", "--format=tar", tree, cwd=top)
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(local, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise InputError(f"`{spec}` cannot be exported: {error}") from None
    return local


def _relabel(sources: SourceMap, local: str, spec: str) -> None:
    """Show files of an exported revision as `REV:PATH/file`, not their temporary path."""
    for source in sources.files:
        source.path = _shown(source.path, local, spec)


def _shown(text: str, local: str, spec: str) -> str:
    if local not in text:
        return text
    base = spec.rstrip("/")
    separator = "" if base.endswith(":") else "/"
    text = text.replace(local + os.sep, base + separator)
    return text.replace(local, base)


def _relabelled(error: WitError, local: str, spec: str) -> WitError:
    from witgen.diagnostics import Diagnostic, WitError

    _relabel(error.sources, local, spec)
    diagnostics = [
        Diagnostic(
            _shown(d.message, local, spec),
            d.span,
            tuple(_shown(part, local, spec) for part in d.context),
        )
        for d in error.diagnostics
    ]
    return WitError(diagnostics, error.sources)
