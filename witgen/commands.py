"""What every `witgen` command shares: exit statuses, feature options, error output.

In: argparse parsers and namespaces, `WitError`s, paths.  Out: the options
registered on a parser, the feature list as wasm-tools reads it, diagnostics on
standard error, paths as users typed them.  Raises nothing.  `witgen.cli` and the
command modules of the other stages (`evolution.cli`, `docs.cli`, `guest.cli`)
import it; it imports nothing of witgen at module level, so that `witgen --help`
stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from witgen.diagnostics import WitError

EXIT_OK = 0
EXIT_DIAGNOSTICS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


def add_feature_options(
    parser: argparse.ArgumentParser,
    features_help: str = "enable @unstable features (repeatable, comma-separated)",
) -> None:
    """`--features NAME[,NAME...]` (repeatable) and `--all-features`."""
    parser.add_argument(
        "--features", action="append", default=[], metavar="NAME[,NAME...]", help=features_help
    )
    parser.add_argument(
        "--all-features", action="store_true", help="enable every @unstable feature"
    )


def features_of(args: argparse.Namespace) -> list[str]:
    """`--features "a,b c" --features d` as wasm-tools reads it: split on spaces and commas."""
    return [
        name
        for option in args.features
        for word in option.split()
        for name in word.split(",")
        if name
    ]


def print_wit_error(error: WitError) -> None:
    """Each diagnostic of `error`, rendered like wit-parser's, on standard error."""
    from witgen.diagnostics import render

    for diagnostic in error.diagnostics:
        print(f"error: {render(diagnostic, error.sources)}", file=sys.stderr)


def shown(path: object) -> str:
    """A path as the user gave it: relative to the current directory when under it."""
    text = str(path)
    relative = os.path.relpath(text)
    return text if relative.startswith("..") else relative
