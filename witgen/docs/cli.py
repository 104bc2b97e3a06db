"""`witgen docs`: the command line of the Markdown reference.

In: arguments: PATH (a .wit file or a package folder), `--out DIR`, and
optionally `--world`, `--features`, `--all-features`, `--check`.  Out: the
pages under DIR (written only when changed; pages witgen docs wrote earlier
that are no longer produced are removed; a file without the header is never
touched), one line per file written or removed on standard output (or, with
`--check`, per stale file on standard error; `commands.print_changes`), and
the exit status: 0 success, 1 diagnostics (or stale pages with `--check`, or a
file in the way), 2 usage errors (a `--world` PATH does not have).  WIT
errors are raised as `WitError` for `witgen.cli` to print.

`add_docs_command` registers the command with `witgen`'s parser.  Like
`witgen.cli`, it imports the compiler inside the command so that
`witgen --help` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys

from witgen.commands import (
    EXIT_DIAGNOSTICS,
    add_feature_options,
    features_of,
    print_changes,
)


def add_docs_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `witgen docs` with `set_defaults(run=run_docs)`."""
    docs = commands.add_parser(
        "docs",
        help="write a Markdown reference of WIT packages",
        description=(
            "Resolve PATH and write a Markdown reference of it under DIR: an index, and one "
            "page per interface and world with each function's WIT signature, its Python "
            "signature in the bindings `witgen generate` writes, its doc comment, capability "
            "and gates, and every type with its fields and cases. Files are rewritten only "
            "when their content changes."
        ),
    )
    docs.add_argument("path", metavar="PATH", help="a .wit file or a package folder")
    docs.add_argument(
        "-o", "--out", "--output", metavar="DIR", required=True, help="the folder to write to"
    )
    docs.add_argument(
        "-w", "--world", metavar="W", help="document this world of PATH only (default: everything)"
    )
    docs.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list the pages that are not up to date and exit 1 if any",
    )
    add_feature_options(docs)
    docs.set_defaults(run=run_docs)


def run_docs(args: argparse.Namespace) -> int:
    """Run `witgen docs`; return the exit status."""
    from pathlib import Path

    from witgen.diagnostics import SourceMap
    from witgen.docs.reference import page_tree, render_reference
    from witgen.output import ForeignFileError, check_tree, write_tree
    from witgen.resolve.passes import resolve_path

    features = features_of(args)
    sources = SourceMap()
    resolve = resolve_path(args.path, features, args.all_features, sources=sources)
    source = Path(os.path.relpath(args.path)).as_posix()
    pages = render_reference(resolve, source, args.world, sources)
    out = Path(args.out)
    tree = page_tree(out, pages)
    try:
        changes = check_tree(tree) if args.check else write_tree(tree)
    except ForeignFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    return print_changes(out, changes, f"witgen docs {args.path} --out {args.out}")
