"""The `witgen` command line.

In: arguments.  Out: output on stdout, diagnostics on stderr, and the exit
status: 0 success, 1 diagnostics (the input is wrong), 2 usage errors.  Only
the command modules print (this one, `commands.py` which they share, and the
`cli.py` of `evolution`, `docs`, `guest`, `host` and `permissions`, whose
commands it registers); the rest of witgen raises `WitError`.  Heavy modules
are imported inside each command so that `witgen --help` is fast.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from witgen import __version__
from witgen.commands import (
    EXIT_DIAGNOSTICS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    add_color_option,
    add_feature_options,
    colored_stderr,
    features_of,
    print_wit_error,
    print_world_not_found,
)
from witgen.docs.cli import add_docs_command
from witgen.evolution.cli import add_diff_command
from witgen.fmt.cli import add_fmt_command
from witgen.guest.cli import add_build_command
from witgen.host.cli import add_host_commands
from witgen.http.cli import add_serve_command
from witgen.permissions.cli import add_manifest_command

DEFAULT_WIT = "wit"


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    args, extras = parser.parse_known_args(arguments)
    if extras:  # said by the command's own parser, with its usage (argparse uses the top one)
        command_parser(parser, arguments).error(f"unrecognized arguments: {' '.join(extras)}")
    if not hasattr(args, "run"):
        getattr(args, "usage_parser", parser).print_help(sys.stderr)
        return EXIT_USAGE
    # `resolve_path` pauses the cyclic collector while it works; `check` and
    # `print` end right after it, so they keep it paused to the end too (else
    # re-enabling it costs one walk over everything resolved, ~6% of a large check).
    pause_gc = args.run in (_check, _print) and gc.isenabled()
    if pause_gc:
        gc.disable()
    try:
        with colored_stderr(args.color):
            return _dispatch(args)
    finally:
        if pause_gc:
            gc.enable()


def _dispatch(args: argparse.Namespace) -> int:
    """Run the chosen command; turn what it raises into a message and an exit status."""
    from witgen.diagnostics import WitError
    from witgen.resolve.select import WorldNotFound

    try:
        return int(args.run(args))
    except WitError as error:
        print_wit_error(error)
        return EXIT_DIAGNOSTICS
    except WorldNotFound as error:  # `--world` (or `[tool.witgen] world`) names no world
        print_world_not_found(error.message, error.worlds)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except RecursionError:
        print("error: input nests too deeply for witgen to process", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    except Exception as error:  # a bug must not show users a traceback
        if os.environ.get("WITGEN_TRACEBACK"):
            raise
        print(
            f"error: internal error in witgen: {type(error).__name__}: {error}\n"
            "note: this is a bug in witgen; set WITGEN_TRACEBACK=1 to see where it happened",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def command_parser(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser of the (sub)command `argv` names: `witgen manifest check ...`
    gives the parser of `manifest check`."""
    for word in argv:
        parser = _children(parser).get(word, parser)
    return parser


def _children(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands of `parser` by name (aliases too)."""
    children: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # argparse keeps its subcommands nowhere public
        if isinstance(action, argparse._SubParsersAction):
            children.update(action.choices)
    return children


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="witgen",
        description="WIT (WebAssembly Interface Types) tooling for Python.",
    )
    parser.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"witgen {__version__}",
        help="print the version",
    )
    add_color_option(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check that WIT files and packages are valid",
        description=(
            "Parse and resolve each PATH (a .wit file, a WIT package encoded as WebAssembly, or a "
            "package folder with its deps/ folder) and report errors the way wasm-tools does. "
            "Exit status 1 when any PATH has errors."
        ),
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        default=[DEFAULT_WIT],
        help=f"a .wit file or a package folder (default: {DEFAULT_WIT})",
    )
    check.add_argument(
        "--deny-deprecated",
        action="store_true",
        help="also fail when a world of PATH imports or exports an item gated @deprecated",
    )
    check.add_argument(
        "-w",
        "--world",
        metavar="W",
        help="with --deny-deprecated: look at this world only (default: every world)",
    )
    add_feature_options(check)
    check.set_defaults(run=_check)
    add_manifest_command(commands)
    add_host_commands(commands)
    add_serve_command(commands)
    add_diff_command(commands)
    add_build_command(commands)
    add_docs_command(commands)
    add_fmt_command(commands)

    generate = commands.add_parser(
        "generate",
        help="generate typed Python bindings of a WIT world",
        description=(
            "Generate typed Python bindings (types, host protocols, export callers) of the "
            "worlds of a WIT package. Options not given come from [tool.witgen] in the "
            "nearest pyproject.toml. Files are rewritten only when their content changes; "
            "files witgen generated that the WIT no longer produces are removed; files "
            "without witgen's header are never touched."
        ),
    )
    generate.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a .wit file or a package folder (default: `wit` from [tool.witgen], or wit)",
    )
    generate.add_argument("-w", "--world", metavar="W", help="the world to generate (default: all)")
    generate.add_argument(
        "-o", "--out", "--output", metavar="DIR", help="the output package directory"
    )
    generate.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list the files that are not up to date and exit 1 if any",
    )
    generate.add_argument(
        "--guest",
        action="store_true",
        help=(
            "write the typed starting point of a Python component of --world (default: the "
            "package's only world) into --out "
            "(default: app): app.py and Component.toml when missing, wit_imports.py always; "
            "with no WIT given or found, the airssys WIT witgen ships, copied to the app's wit/"
        ),
    )
    generate.add_argument(
        "--implement",
        action="append",
        default=[],
        metavar="PATTERN",
        help=(
            "implement this WASI import in Python (the world's Imports asks for it) instead "
            "of linking wasmtime's: `wasi:cli/environment`, `wasi:cli/environment@0.2.0`, "
            "`wasi:cli/*` (repeatable; default: `implement` in [tool.witgen])"
        ),
    )
    generate.add_argument(
        "--deny-unbindable",
        action="store_true",
        help=(
            "fail (exit 1, nothing written) when a function of the world cannot be bound "
            "(async, or a stream, future, error-context or fixed-size list in its "
            "signature); by default each is a warning and is left out of the bindings"
        ),
    )
    add_feature_options(generate)
    generate.set_defaults(run=_generate)

    print_command = commands.add_parser(
        "print",
        help="print resolved WIT in canonical form, or as JSON",
        description=(
            "Resolve PATH and print its package, followed by its dependencies as nested "
            "packages, exactly as `wasm-tools component wit` prints them; with --json, print "
            "the resolved model as `wasm-tools component wit --json` does."
        ),
    )
    print_command.add_argument(
        "path", metavar="PATH", nargs="?", default=DEFAULT_WIT, help="default: wit"
    )
    print_command.add_argument("--json", action="store_true", help="print the model as JSON")
    print_command.add_argument("--no-docs", action="store_true", help="leave out doc comments")
    print_command.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    add_feature_options(print_command)
    print_command.set_defaults(run=_print)
    for subcommand in _subcommands(parser):  # `witgen check --color always` too, as wasm-tools
        add_color_option(subcommand, hidden=True)
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every (sub)command's parser under `parser`, nested ones too, each once."""
    found: list[argparse.ArgumentParser] = []
    for child in dict.fromkeys(_children(parser).values()):  # aliases share a parser
        found += [child, *_subcommands(child)]
    return found


def _check(args: argparse.Namespace) -> int:
    from witgen.diagnostics import SourceMap, WitError
    from witgen.resolve.passes import resolve_path
    from witgen.resolve.select import WorldNotFound

    status = EXIT_OK
    packages = 0
    for path in args.paths:
        sources = SourceMap()
        try:
            resolve = resolve_path(path, features_of(args), args.all_features, sources)
            packages += len(resolve.packages)
            if args.deny_deprecated:
                from witgen.evolution.deprecation import check_deprecated

                check_deprecated(resolve, sources, args.world)
        except WitError as error:
            print_wit_error(error)
            status = EXIT_DIAGNOSTICS
        except WorldNotFound as error:
            print_world_not_found(error.message, error.worlds)
            status = EXIT_USAGE
    if status == EXIT_OK:  # one line, as mypy and ruff say it
        where = args.paths[0] if len(args.paths) == 1 else f"{len(args.paths)} paths"
        plural = "" if packages == 1 else "s"
        print(f"Success: no problems found in {where} ({packages} package{plural})")
    return status


def _print(args: argparse.Namespace) -> int:
    from witgen.resolve.passes import resolve_path

    resolve = resolve_path(args.path, features_of(args), args.all_features)
    if args.json:
        from witgen.json_view import dumps

        text = dumps(resolve)
    else:
        from witgen.printer import print_resolve

        text = print_resolve(resolve, docs=not args.no_docs)
    if args.output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as error:
            print(f"error: failed to write `{args.output}`: {error.strerror}", file=sys.stderr)
            return EXIT_DIAGNOSTICS
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.guest:
        from witgen.guest.cli import run_generate_guest

        return run_generate_guest(args, features_of(args))

    from witgen.codegen.generate import (
        ConfigError,
        generate_files,
        options_from,
        output_tree,
        up_to_date,
    )
    from witgen.commands import print_changes, print_up_to_date
    from witgen.output import ForeignFileError, check_tree, write_tree

    try:
        options = options_from(
            wit=args.path,
            out=args.out,
            world=args.world,
            features=features_of(args),
            all_features=args.all_features,
            cwd=Path.cwd(),
            implement=args.implement,
        )
        if up_to_date(options):
            print_up_to_date(options.out)
            return EXIT_OK
        generated = generate_files(options, parallel=True)
        level = "error" if args.deny_unbindable else "warning"
        for warning in generated.warnings:
            print(f"{level}: {warning}", file=sys.stderr)
        if generated.warnings and args.deny_unbindable:
            return EXIT_DIAGNOSTICS
        tree = output_tree(options.out, generated)
        changes = check_tree(tree) if args.check else write_tree(tree)
    except ConfigError as error:  # the command line or [tool.witgen]: as mypy and ruff, 2
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ForeignFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    return print_changes(options.out, changes, "witgen generate")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
