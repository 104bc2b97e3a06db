"""`witgen fmt`: the command line of the formatter.

In: arguments: PATHs (a `.wit` file, or a package folder: its `*.wit` files,
and with `--deps` those of its `deps/` folder too), or `-` for standard input;
`--check`, `--diff`, `--stdin-filename`.  Out: the files rewritten in place
(only those whose text changes, each atomically through
`witgen.output.write_text`, keeping its permissions), `formatted PATH` lines
and a count on standard output; with `--check`, nothing written, `PATH: would
be reformatted` on standard error (and a unified diff on standard output with
`--diff`); with `-`, the formatted text on standard output.  A file that does
not parse is reported with the parser's diagnostic and never rewritten; the
other files are still formatted.  Exit status: 0 success, 1 diagnostics (a
file that does not parse or cannot be read, or with `--check` a file that
would change), 2 usage errors, 70 when the formatter itself fails (a bug: that
file is not written).

`add_fmt_command` registers the command with `witgen`'s parser.  Like
`witgen.cli`, it imports the formatter inside the command so that
`witgen --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

from witgen.commands import (
    EXIT_DIAGNOSTICS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    print_wit_error,
    shown,
)

DEFAULT_WIT = "wit"
STDIN = "-"


def add_fmt_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `witgen fmt` with `set_defaults(run=run_fmt)`."""
    fmt = commands.add_parser(
        "fmt",
        help="format WIT files in place, keeping their comments",
        description=(
            "Rewrite each PATH (a .wit file, or a package folder's .wit files) in the layout "
            "wasm-tools prints WIT in, keeping every comment, the order of items and the "
            "author's blank lines between groups. The formatted text resolves to the same "
            "package as the original. A file that does not parse is reported and left alone; "
            "files are written only when their text changes."
        ),
    )
    fmt.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        default=[DEFAULT_WIT],
        help=f"a .wit file, a package folder, or - for standard input (default: {DEFAULT_WIT})",
    )
    fmt.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list the files that would change and exit 1 if any",
    )
    fmt.add_argument(
        "--diff",
        action="store_true",
        help="like --check, and print a unified diff of each change on standard output",
    )
    fmt.add_argument(
        "--deps",
        action="store_true",
        help="also format the .wit files of a package folder's deps/ folder",
    )
    fmt.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="with -: the file name to show in messages (default: <stdin>)",
    )
    fmt.set_defaults(run=run_fmt)


class _Tally:
    """What a run did: the files it formatted, how many it left, its exit status.
    (A plain class: `witgen --help` imports this module, and dataclasses costs
    it 6 ms.)"""

    def __init__(self) -> None:
        self.formatted: list[str] = []
        self.unchanged = 0
        self.status = EXIT_OK

    def fail(self, status: int) -> None:
        self.status = max(self.status, status)


def run_fmt(args: argparse.Namespace) -> int:
    """Run `witgen fmt`; return the exit status."""
    check = args.check or args.diff
    if STDIN in args.paths:
        if len(args.paths) > 1:
            print("error: `-` (standard input) cannot be combined with paths", file=sys.stderr)
            return EXIT_USAGE
        return _run_stdin(args.stdin_filename or "<stdin>", check, args.diff)
    if args.stdin_filename is not None:
        print("error: --stdin-filename needs `-` as the PATH", file=sys.stderr)
        return EXIT_USAGE
    tally = _Tally()
    for path in _wit_files(args.paths, args.deps, tally):
        _format_file(path, check, args.diff, tally)
    if check:
        if tally.formatted:
            print(
                f"error: {len(tally.formatted)} file(s) would be reformatted; "
                f"run `witgen fmt {'--deps ' if args.deps else ''}{' '.join(args.paths)}`",
                file=sys.stderr,
            )
            tally.fail(EXIT_DIAGNOSTICS)
        return tally.status
    for name in tally.formatted:
        print(f"formatted {name}")
    print(f"{len(tally.formatted)} file(s) formatted, {tally.unchanged} unchanged")
    return tally.status


def _wit_files(paths: Iterable[str], deps: bool, tally: _Tally) -> list[Path]:
    """The files each PATH names: the file, or a folder's `*.wit` files (sorted,
    as wit-parser reads a package), then with `deps` those of its `deps/` folder."""
    from pathlib import Path

    from witgen.resolve.load import detect_wasm

    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if not path.is_dir():
            if not path.exists():
                print(f"error: failed to read `{text}`: No such file or directory", file=sys.stderr)
                tally.fail(EXIT_DIAGNOSTICS)
            else:
                found.append(path)
            continue
        found += _folder(path)
        if not deps or not (path / "deps").is_dir():
            continue
        for entry in sorted((path / "deps").iterdir()):
            if entry.is_dir():
                found += _folder(entry)
            elif entry.suffix == ".wit" and detect_wasm(entry.read_bytes()) is None:
                found.append(entry)
    return found


def _folder(path: Path) -> list[Path]:
    return sorted(entry for entry in path.glob("*.wit") if entry.is_file())


def _format_file(path: Path, check: bool, diff: bool, tally: _Tally) -> None:
    from witgen.output import write_text

    name = shown(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"error: failed to read `{name}`: {error.strerror}", file=sys.stderr)
        tally.fail(EXIT_DIAGNOSTICS)
        return
    formatted = _format(name, data, tally)
    if formatted is None:
        return
    original = data.decode("utf-8")
    if formatted == original:
        tally.unchanged += 1
        return
    tally.formatted.append(name)
    if check:
        print(f"{name}: would be reformatted", file=sys.stderr)
        if diff:
            _print_diff(name, original, formatted)
        return
    try:
        mode = path.stat().st_mode
        write_text(path, formatted)
        path.chmod(mode)  # the new file has the umask's mode: keep the old file's
    except OSError as error:
        print(f"error: failed to write `{name}`: {error.strerror}", file=sys.stderr)
        tally.fail(EXIT_DIAGNOSTICS)


def _run_stdin(name: str, check: bool, diff: bool) -> int:
    data = sys.stdin.buffer.read()
    tally = _Tally()
    formatted = _format(name, data, tally)
    if formatted is None:
        return tally.status
    if not check:
        sys.stdout.buffer.write(formatted.encode("utf-8"))
        sys.stdout.buffer.flush()
        return EXIT_OK
    original = data.decode("utf-8")
    if formatted == original:
        return EXIT_OK
    print(f"{name}: would be reformatted", file=sys.stderr)
    if diff:
        _print_diff(name, original, formatted)
    return EXIT_DIAGNOSTICS


def _format(name: str, data: bytes, tally: _Tally) -> str | None:
    """The formatted text of `data`, or None (said on standard error) when it
    is not UTF-8, does not parse, or the formatter fails."""
    from witgen.diagnostics import SourceMap, WitError
    from witgen.fmt.layout import FormatError, format_text
    from witgen.resolve.load import decode_source

    try:
        return format_text(name, decode_source(name, data, SourceMap()))
    except WitError as error:
        print_wit_error(error)
        tally.fail(EXIT_DIAGNOSTICS)
    except FormatError as error:
        print(
            f"error: internal error in witgen: {error}; the file is left as it is\n"
            "note: this is a bug in witgen",
            file=sys.stderr,
        )
        tally.fail(EXIT_INTERNAL)
    return None


def _print_diff(name: str, original: str, formatted: str) -> None:
    import difflib

    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        formatted.splitlines(keepends=True),
        fromfile=name,
        tofile=name,
    )
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    sys.stdout.buffer.write("".join(out).encode("utf-8"))
    sys.stdout.buffer.flush()
