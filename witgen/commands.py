"""What every `witgen` command shares: exit statuses, feature options, error output.

In: argparse parsers and namespaces, `WitError`s, paths, the `Changes` a
command made to a generated tree.  Out: the options registered on a parser, the
feature list as wasm-tools reads it, diagnostics on standard error, paths as
users typed them, the lines that say what was written or is stale.  Raises
nothing.

Colour (`--color auto|always|never`, `colored_stderr`): as wasm-tools, a line of
standard error that starts with `error: ` or `warning: ` gets the severity in
bold red or yellow and the rest of the line in bold, whichever command printed
it; `auto` colours only a terminal, and not when `NO_COLOR` is set
(https://no-color.org); `always` and `never` override both.

`witgen.cli` and the command modules of the other stages (`evolution.cli`,
`docs.cli`, `guest.cli`) import it; it imports nothing of witgen at module
level, so that `witgen --help` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from pathlib import Path

    from witgen.diagnostics import WitError
    from witgen.output import Changes

EXIT_OK = 0
EXIT_DIAGNOSTICS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


COLOR_CHOICES = ("auto", "always", "never")


def add_color_option(parser: argparse.ArgumentParser, *, hidden: bool = False) -> None:
    """`--color auto|always|never`; `hidden`: accepted (after a subcommand, as
    wasm-tools takes it) but neither shown in the help nor given a default, so the
    top-level parser's value stands unless this one is given."""
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default=argparse.SUPPRESS if hidden else "auto",
        help=(
            argparse.SUPPRESS
            if hidden
            else (
                "colour `error` and `warning` on standard error: auto (on a terminal, unless "
                "NO_COLOR is set), always, never (default: auto)"
            )
        ),
    )


def color_wanted(choice: str, stream: object, environ: Mapping[str, str]) -> bool:
    """Whether `--color CHOICE` colours `stream`: `always` and `never` say so; `auto`
    colours a terminal unless `NO_COLOR` is set and not empty, or `TERM` is `dumb`."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed stream
        return False


_LABEL = re.compile(r"(error|warning): ")


class ColorStream:
    """A text stream that colours the `error: ` and `warning: ` at the start of a
    line written to it (`diagnostics.colored_label`) and passes everything else on."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.line_start = True
        self.bold = False

    def write(self, text: str) -> int:
        from witgen.diagnostics import RESET, colored_label

        out: list[str] = []
        for line in text.splitlines(keepends=True):
            label = _LABEL.match(line) if self.line_start else None
            rest = line
            if label is not None:
                out.append(colored_label(label[1]))
                rest = line[label.end() :]
                self.bold = True
            if self.bold and rest.endswith("\n"):
                rest += RESET  # after the line break, where wasm-tools puts it
                self.bold = False
            out.append(rest)
            self.line_start = line.endswith("\n")
        self.stream.write("".join(out))
        return len(text)

    def flush(self) -> None:
        if self.bold:  # a line left open: end its bold before anything else is written
            from witgen.diagnostics import RESET

            self.stream.write(RESET)
            self.bold = False
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, buffer, ...
        return getattr(self.stream, name)


@contextlib.contextmanager
def colored_stderr(choice: str) -> Iterator[None]:
    """Standard error in colour while the block runs, when `color_wanted` says so."""
    if not color_wanted(choice, sys.stderr, os.environ):
        yield
        return
    plain = sys.stderr
    colored = ColorStream(plain)
    sys.stderr = colored
    try:
        yield
    finally:
        colored.flush()
        if sys.stderr is colored:
            sys.stderr = plain


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


def print_world_not_found(message: str, worlds: Sequence[str]) -> None:
    """wit-parser's words for a world specifier that names no world (`message`), and
    the worlds there are (`resolve.select.WorldNotFound`'s two fields)."""
    print(f"error: {message}", file=sys.stderr)
    if worlds:
        print("note: the worlds of the WIT:", file=sys.stderr)
        for name in worlds:
            print(f"  {name}", file=sys.stderr)
    else:
        print("note: the WIT has no world", file=sys.stderr)


def shown(path: object) -> str:
    """A path as the user gave it: relative to the current directory when under it."""
    text = str(path)
    relative = os.path.relpath(text)
    return text if relative.startswith("..") else relative


def print_changes(out: Path, changes: Changes, rerun: str) -> int:
    """Say what a command did to the tree under `out`, or with `--check` what is
        stale in it, and return the exit status (1 when anything is stale).

        On standard output, one line per file: `wrote PATH`, `created PATH`,
        `kept PATH (yours: witgen does not rewrite it)`, `removed PATH`, or one
    `Success: PATH is up to date` when nothing changed.  On standard
        error, `PATH: WHY` per stale file and a last line naming `rerun`, the command
        that brings the tree up to date.  `witgen generate` (bindings and `--guest`)
        and `witgen docs` all print through here.
    """
    if changes.stale:
        for name, why in changes.stale:
            print(f"{shown(out / name)}: {why}", file=sys.stderr)
        print(
            f"error: {len(changes.stale)} generated file(s) are stale; run `{rerun}`",
            file=sys.stderr,
        )
        return EXIT_DIAGNOSTICS
    for name in changes.written:
        print(f"wrote {shown(out / name)}")
    for name in changes.created:
        print(f"created {shown(out / name)}")
    for name in changes.kept:
        print(f"kept {shown(out / name)} (yours: witgen does not rewrite it)")
    for name in changes.removed:
        print(f"removed {shown(out / name)}")
    if not (changes.written or changes.created or changes.removed):
        print_up_to_date(out)
    return EXIT_OK


def print_up_to_date(out: Path) -> None:
    """The one line a command that had nothing to change prints (as mypy and ruff do)."""
    print(f"Success: {shown(out)} is up to date")
