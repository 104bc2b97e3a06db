"""`witgen inspect` and `witgen run`: the command line of the airssys host.

In: arguments: a component (`.wasm`) and its `Component.toml`.  Out: for
`inspect`, each load check's verdict, then the component's world as a summary
(the interfaces it imports and exports, by package) or, with `--wit`, as
`wasm-tools component wit` prints it (the component decoded by the compiler's
`resolve`, written by `printer`: the one place the host's commands join the
compiler); for `run`, what the component's `execute` returns, written to
standard output.  Errors go to standard error; the exit status is 0 on
success, 1 when a check fails, the component is no component, traps or
returns an error, 2 for usage errors (a WIT file or folder given to
`inspect`).  When standard error is a terminal, both say so there before they
compile a component that is not in the cache (seconds to minutes).

`add_host_commands` registers both commands with `witgen`'s parser; the host
(wasmtime, the services, the bindings) is imported inside each command so
that `witgen --help` stays fast.
"""

from __future__ import annotations

import argparse
import linecache
import logging
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, TextIO

from witgen.commands import EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, shown

if TYPE_CHECKING:
    from witgen import ir


def add_host_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `witgen inspect` and `witgen run`."""
    inspect = commands.add_parser(
        "inspect",
        help="show a component's imports and exports, and whether it would load",
        description=(
            "Print each check the airssys host makes before loading a compiled component "
            "(manifest, imports and versions, types, lifecycle export) with its verdict, then "
            "a summary of its world: the interfaces it imports and exports, by package. "
            "Exit status 1 when a check fails. For WIT source, use `witgen check` or "
            "`witgen print`."
        ),
    )
    inspect.add_argument("component", metavar="COMPONENT.wasm")
    inspect.add_argument(
        "--wit",
        action="store_true",
        help="print the whole world as WIT (what `wasm-tools component wit` prints) "
        "instead of the summary",
    )
    inspect.add_argument(
        "--manifest", metavar="FILE", help="its Component.toml (default: beside the component)"
    )
    inspect.set_defaults(run=_inspect)

    run = commands.add_parser(
        "run",
        help="load a component, initialise it and call its execute",
        description=(
            "Load a component with its Component.toml (every check, every grant enforced), "
            "call init, then execute with DATA, and write what execute returns to standard "
            "output (on a terminal, with a newline after it when it has none). Exit status 1 "
            "when it fails a check, traps or returns an error."
        ),
    )
    run.add_argument("component", metavar="COMPONENT.wasm")
    run.add_argument("--manifest", metavar="FILE", help="default: Component.toml beside it")
    run.add_argument(
        "--fs-root", metavar="DIR", help="the folder that is the component's / (default: none)"
    )
    run.add_argument("--storage", metavar="FILE", help="the key-value store (default: in memory)")
    run.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="the component's env"
    )
    data = run.add_mutually_exclusive_group()
    data.add_argument("--execute", metavar="DATA", help="the operation, as UTF-8 text")
    data.add_argument("--execute-file", metavar="FILE", help="the operation, read from a file")
    run.add_argument("--timeout-ms", type=int, metavar="MS", help="execute's deadline")
    run.set_defaults(run=_run)


def _manifest_for(component: str, manifest: str | None) -> str:
    if manifest is not None:
        return manifest
    return os.path.join(os.path.dirname(os.path.abspath(component)), "Component.toml")


def _inspect(args: argparse.Namespace) -> int:
    # The one command that joins the compiler and the host: the component's
    # type is read as every command reads it (`witgen.wasm` and
    # `resolve/decode.py`) and written by the canonical printer.
    from witgen.diagnostics import WitError
    from witgen.host.airssys import AirssysHost
    from witgen.printer import print_resolve
    from witgen.resolve.passes import resolve_path

    if os.path.isdir(args.component) or args.component.endswith(".wit"):
        print(
            f"witgen inspect: error: {args.component} is WIT source; inspect takes a compiled "
            "component (.wasm): use `witgen check` to check WIT, `witgen print` to print it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        with open(args.component, "rb") as handle:
            data = handle.read()
    except OSError as error:
        print(f"error: {args.component}: {error.strerror}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    try:
        resolve = resolve_path(args.component)
    except WitError as error:
        print(f"error: {error.render()}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    manifest = _manifest_for(args.component, args.manifest)
    from wasmtime import WasmtimeError

    with AirssysHost() as host:
        host.cache.on_compile = _compiling_notice(args.component)
        try:
            report, _ = host.inspect(
                data, manifest if os.path.exists(manifest) or args.manifest else None
            )
        except WasmtimeError as error:
            print(f"error: {args.component}: not a valid component: {error}", file=sys.stderr)
            return EXIT_DIAGNOSTICS
    for verdict in report.verdicts:
        print(f"{verdict.check}: {'ok' if verdict.ok else 'FAILED'}")
        if not verdict.ok:
            for detail in verdict.details:
                print(f"  {detail}")
    for warning in report.warnings():
        print(f"warning: {warning}")
    print()
    if args.wit:
        sys.stdout.write(print_resolve(resolve))
    else:
        for line in world_summary(resolve):
            print(line)
    return EXIT_OK if report.ok else EXIT_DIAGNOSTICS


def world_summary(resolve: ir.Resolve) -> list[str]:
    """Each world of the main package (a component has one): the interfaces it
    imports and exports, grouped by package (`wasi:io@0.2.9: poll, error,
    streams`), with their counts; functions and types by name."""
    lines: list[str] = []
    package = resolve.packages[resolve.main]
    for name, world_id in package.worlds:
        world = resolve.worlds[world_id]
        lines.append(f"world {package.name}/{name}")
        for label, items in (("imports", world.imports), ("exports", world.exports)):
            lines.extend(_items_summary(resolve, label, items))
    lines.append("(`witgen inspect --wit` prints the whole world as WIT)")
    return lines


def _items_summary(
    resolve: ir.Resolve, label: str, items: tuple[tuple[ir.WorldKey, ir.WorldItem], ...]
) -> list[str]:
    from witgen import ir  # here, not at the top, so that `witgen --help` stays fast

    by_package: dict[str, list[str]] = {}
    own: list[str] = []  # what the world names itself: inline interfaces, functions, types
    counts = {"interface": 0, "function": 0, "type": 0}
    for key, item in items:
        if isinstance(item, ir.InterfaceItem):
            counts["interface"] += 1
            interface = resolve.interfaces[item.interface]
            if isinstance(key, ir.InterfaceKey) and interface.package is not None:
                owner = resolve.packages[interface.package].name
                version = f"@{owner.version}" if owner.version is not None else ""
                group = f"{owner.namespace}:{owner.name}{version}"
                by_package.setdefault(group, []).append(interface.name or "")
            else:
                functions = len(interface.functions)
                own.append(f"{key} (an interface of {_plural(functions, 'function')})")
        elif isinstance(item, ir.FunctionItem):
            counts["function"] += 1
            own.append(f"{key} (a function)")
        else:
            counts["type"] += 1
            own.append(f"{key} (a type)")
    if not items:
        return [f"  {label}: nothing"]
    total = ", ".join(_plural(n, kind) for kind, n in counts.items() if n)
    lines = [f"  {label} ({total}):"]
    lines += [f"    {group}: {', '.join(names)}" for group, names in by_package.items()]
    lines += [f"    {entry}" for entry in own]
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _compiling_notice(component: str) -> Callable[[], None] | None:
    """What the host calls before it compiles a component it has not cached:
    one line on standard error when that is a terminal (a first load takes
    seconds to minutes), nothing otherwise (tests and CI logs stay clean)."""
    if not sys.stderr.isatty():
        return None

    def notice() -> None:
        print(f"compiling {component} (first load; cached afterwards)", file=sys.stderr)

    return notice


class GuestOutput(logging.Handler):
    """What components write on their standard error (and the host's records of
    them), for `witgen run`: one line each on standard error, a Python guest's
    traceback made readable.

    componentize-py puts the app folder at `/0` inside the component, so a
    traceback names `File "/0/app.py"`: when that file is in `app_dir` (the
    component's folder: `witgen build` writes `app.wasm` into the app folder by
    default), the line names the user's file and is followed by its source line,
    as CPython prints a traceback.  The Rust panic that ends a guest's uncaught
    exception (`thread '<unnamed>' panicked at runtime/src/lib.rs`, its message,
    the `RUST_BACKTRACE` note) says nothing the traceback does not, and is left
    out after one.  Anything else is written as it came."""

    _FILE = re.compile(r'^(\s*File )"/0/([^"]+)"(, line (\d+).*)$')
    _PANIC = (
        re.compile(r"^thread '[^']*'( \(\d+\))? panicked at "),
        re.compile(r"^Python function threw an unexpected exception$"),
        re.compile(r"^note: run with `RUST_BACKTRACE=1`"),
    )

    def __init__(self, app_dir: str, stream: TextIO | None = None) -> None:
        super().__init__(logging.WARNING)
        self.app_dir = app_dir
        self.stream = stream
        self.in_traceback = False

    def lines(self, line: str) -> list[str]:
        """What one line the component wrote becomes (nothing, itself, or two)."""
        if line.startswith("Traceback (most recent call last):"):
            self.in_traceback = True
        if self.in_traceback and any(pattern.match(line) for pattern in self._PANIC):
            return []
        match = self._FILE.match(line)
        if match is None:
            return [line]
        path = os.path.join(self.app_dir, match[2])
        if not os.path.isfile(path):
            return [line]
        source = linecache.getline(path, int(match[4])).strip()
        mapped = f'{match[1]}"{shown(path)}"{match[3]}'
        return [mapped, f"    {source}"] if source else [mapped]

    def emit(self, record: logging.LogRecord) -> None:
        stream = self.stream if self.stream is not None else sys.stderr
        try:
            for line in self.lines(record.getMessage()):
                stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: as logging does
            self.handleError(record)


def write_result(result: bytes, out: BinaryIO, *, terminal: bool) -> None:
    """What `execute` returned, byte for byte; on a terminal, with a newline
    after it when it has none, so that the shell's prompt starts on a line of
    its own (piped or redirected, the bytes stay exactly the component's)."""
    out.write(result)
    if terminal and result and not result.endswith(b"\n"):
        out.write(b"\n")
    out.flush()


def _run(args: argparse.Namespace) -> int:
    import gc
    from pathlib import Path

    from witgen.host.airssys import (
        AirssysHost,
        ComponentBusy,
        ComponentFailed,
        ComponentTrapped,
        HostConfig,
        LoadError,
        ValueTooLarge,
    )
    from witgen.runtime.wit import Err

    env = {}
    for pair in args.env:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            print(f"witgen run: error: --env {pair}: expected NAME=VALUE", file=sys.stderr)
            return EXIT_USAGE
        env[name] = value
    if args.execute_file is not None:
        try:
            operation = Path(args.execute_file).read_bytes()
        except OSError as error:
            print(f"error: {args.execute_file}: {error.strerror}", file=sys.stderr)
            return EXIT_DIAGNOSTICS
    else:
        operation = (args.execute or "").encode("utf-8")
    config = HostConfig(
        storage_path=Path(args.storage) if args.storage is not None else None,
    )
    status = EXIT_OK
    host = AirssysHost(config)
    host.cache.on_compile = _compiling_notice(args.component)
    output = GuestOutput(os.path.dirname(os.path.abspath(args.component)))
    components = logging.getLogger("witgen.component")
    components.addHandler(output)
    try:
        runtime = host.load(
            args.component,
            _manifest_for(args.component, args.manifest),
            env=env,
            fs_root=args.fs_root,
        )
        host.init(runtime.name)
        result = host.execute(runtime.name, operation, timeout_ms=args.timeout_ms)
        write_result(result, sys.stdout.buffer, terminal=sys.stdout.isatty())
        host.shutdown(runtime.name)
    except LoadError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        status = EXIT_DIAGNOSTICS
    except Err as refused:
        print(f"error: the component returned {refused.value!r}", file=sys.stderr)
        status = EXIT_DIAGNOSTICS
    except (ComponentTrapped, ComponentFailed, ComponentBusy, ValueTooLarge) as error:
        print(f"error: {error}", file=sys.stderr)
        status = EXIT_DIAGNOSTICS
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        status = EXIT_DIAGNOSTICS
    finally:
        host.close()
        del host
        gc.collect()  # wasmtime's WASI threads end before the interpreter does
        components.removeHandler(output)
    return status
