"""The command line of Python guests: `witgen build` and `witgen generate --guest`.

In: parsed arguments.  Out: messages on standard output (what was written or
built) and standard error (warnings, as soon as the manifest check made them,
before the build; errors; and, when standard error is a terminal, a line before
each long step and componentize-py's own output), and the exit status: 0 success,
1 diagnostics (WIT errors, manifest errors, a failed build), 2 usage errors (no
world to build for, an app folder that does not exist).  Raises nothing: every
error is printed once, as `error: ...`, never as a traceback.

`witgen generate --guest` also checks the author's files it kept (`app.py`, the
modules of exported resources) against the world (`witgen.guest.drift`): each
function that no longer matches is one mypy-like line on standard error, and
the status is 1.

`add_build_command` registers `witgen build` with `witgen`'s parser;
`run_generate_guest` is what `witgen generate --guest` runs.  Heavy modules are
imported inside the commands so that `witgen --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys

from witgen.commands import EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, print_changes, shown


def add_build_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `witgen build` with `set_defaults(run=run_build)`."""
    build = commands.add_parser(
        "build",
        help="build a Python app folder into a component, checking its Component.toml",
        description=(
            "Check the app's Component.toml against what a component of the world imports "
            "(errors: a manifest the host would refuse; warnings: an imported interface none "
            "of whose capabilities is granted, or a grant nothing needs), then run "
            "componentize-py to build the component. WIT and world default to what "
            "`witgen generate --guest` recorded in the app's wit_imports.py."
        ),
    )
    build.add_argument("app_dir", metavar="APP_DIR", help="the folder holding app.py")
    build.add_argument(
        "--wit",
        metavar="DIR",
        help=(
            "the WIT folder (default: as recorded; else as generate --guest finds it: "
            "[tool.witgen] wit, wit/, APP/wit/, or the airssys WIT witgen ships)"
        ),
    )
    build.add_argument("-w", "--world", metavar="W", help="the world (default: as recorded)")
    build.add_argument(
        "-o", "--output", metavar="OUT.wasm", help="the component (default: APP_DIR/app.wasm)"
    )
    build.add_argument(
        "--manifest", metavar="FILE", help="its Component.toml (default: APP_DIR/Component.toml)"
    )
    build.add_argument("--module", default="app", help="the app's module (default: app)")
    build.add_argument(
        "-p",
        "--python-path",
        action="append",
        default=[],
        metavar="DIR",
        help=(
            "another folder the app imports modules from (repeatable); the guest SDK, "
            "airssys_sdk, is always available"
        ),
    )
    build.set_defaults(run=run_build)


def run_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from witgen.guest.build import BuildError, build_component, recorded_defaults

    app_dir = Path(args.app_dir)
    if not app_dir.is_dir():
        print(f"witgen build: error: {args.app_dir}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    recorded = recorded_defaults(app_dir)
    world = args.world or recorded.get("WIT_WORLD")
    if world is None:
        print(
            "witgen build: error: no world: give --world W (or generate the app with "
            "`witgen generate --guest`, which records it)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.wit is None and "WIT_PATH" in recorded:
        wit = app_dir / recorded["WIT_PATH"]
    else:  # as `generate --guest` finds it: --wit, [tool.witgen], wit/, APP/wit/, bundled
        from witgen.codegen.generate import ConfigError
        from witgen.guest.generate import guest_wit

        try:
            wit = guest_wit(args.wit, app_dir, Path.cwd()).path
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_USAGE
    output = Path(args.output) if args.output else app_dir / f"{args.module}.wasm"
    manifest = Path(args.manifest) if args.manifest else app_dir / "Component.toml"
    # Progress and componentize-py's own output for a person at a terminal (a
    # build takes 10 s to minutes); quiet otherwise, so logs hold the result.
    terminal = sys.stderr.isatty()

    def warn(warning: str) -> None:
        print(f"warning: {warning}", file=sys.stderr)

    def progress(step: str) -> None:
        print(f"{step}...", file=sys.stderr, flush=True)

    try:
        built = build_component(
            app_dir,
            wit=wit,
            world=world,
            out=output,
            manifest=manifest,
            module=args.module,
            python_path=[Path(folder) for folder in args.python_path],
            warn=warn,
            progress=progress if terminal else None,
            relay=terminal,
        )
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    print(
        f"built {shown(built.wasm)} ({built.size / 1e6:.1f} MB in {built.seconds:.1f} s) "
        f"for world `{world}`"
    )
    return EXIT_OK


def run_generate_guest(args: argparse.Namespace, features: list[str]) -> int:
    """`witgen generate --guest [PATH] [--world W] [--out APP_DIR]`: with no world, the
    package's only one (with several, `WorldNotFound` lists them: `witgen.cli` prints it)."""
    from pathlib import Path

    from witgen.codegen.generate import ConfigError
    from witgen.guest.drift import check_app
    from witgen.guest.generate import WIT_COPY, generate_guest, guest_wit, write_guest
    from witgen.output import ForeignFileError

    if args.check:
        print("witgen generate: error: --guest and --check go separately", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out or "app")
    try:
        wit = guest_wit(args.path, out, Path.cwd())
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        files = generate_guest(
            wit.path,
            args.world,
            out,
            features=tuple(features),
            all_features=args.all_features,
            copy_wit=wit.bundled,
        )
        changes = write_guest(out, files)
    except ForeignFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    if wit.bundled:
        print(
            "note: no WIT given (no PATH, no `wit` in [tool.witgen], no wit/ here): using the "
            f"airssys WIT that ships with witgen, copied to {shown(out / WIT_COPY)}",
            file=sys.stderr,
        )
    status = print_changes(out, changes, "witgen generate --guest")
    kept = {name: files.authored[name] for name in changes.kept if name in files.authored}
    mismatches = check_app(out, kept)
    for mismatch in mismatches:
        print(mismatch.render(shown(out / mismatch.file)), file=sys.stderr)
    if mismatches:
        print(
            f"error: {len(mismatches)} place(s) of your files no longer match world "
            f"`{files.world}` (witgen never rewrites them: edit them to match)",
            file=sys.stderr,
        )
        return EXIT_DIAGNOSTICS
    return status
