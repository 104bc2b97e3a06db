"""`witgen serve`: run a `wasi:http/proxy` component on an HTTP server.

In: arguments: a component (`.wasm`), its `Component.toml` (`-m`; default:
the one beside the component, if any), where to listen, how many server
processes (`--workers`) and how many requests each runs at once
(`--concurrency`).  Out: uvicorn serving `witgen.http.WasiHttpApp`, logging
each request as uvicorn does and witgen's own events (a component's
failures, denied outgoing requests, what it writes to stdout and stderr) in
the same format, until interrupted.  Exit status 0 after a clean shutdown, 1
when the component cannot be served (not a component, not a `wasi:http`
one, a bad manifest), 2 for usage errors (uvicorn missing: the `serve` extra).

The component is compiled (or taken from the cache) and its bindings
generated before the server starts, so that errors are reported at once and
`--workers` processes start from a warm cache.  With more than one worker,
uvicorn imports the application by name (`app_from_environment`, its
settings passed in `WITGEN_SERVE`).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from witgen.commands import EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from witgen.http.app import WasiHttpApp

ENVIRONMENT = "WITGEN_SERVE"


def add_serve_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `witgen serve`."""
    serve = commands.add_parser(
        "serve",
        help="serve a wasi:http/proxy component over HTTP",
        description=(
            "Run a component that exports wasi:http/incoming-handler (the wasi:http/proxy "
            "world) on uvicorn: each request gets a fresh instance, bodies stream both ways, "
            "and the component's outgoing requests are checked against the network grants of "
            "its Component.toml (without one, every outgoing request is denied). Needs the "
            "serve extra: pip install 'witgen[serve]'."
        ),
    )
    serve.add_argument("component", metavar="COMPONENT.wasm")
    serve.add_argument(
        "-m",
        "--manifest",
        metavar="FILE",
        help="its Component.toml (default: the one beside the component, if there is one)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on")
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N", help="server processes (default: 1)"
    )
    serve.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="requests each process runs the component for at once (default: 8)",
    )
    serve.add_argument(
        "--deadline",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="the most one request may take (default: 30; the manifest's "
        "limits.timeout-ms when lower)",
    )
    serve.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable of the component's environment (repeatable)",
    )
    for option, default, what in (
        ("--memory", "256MiB", "the linear memory of each memory of a request's instance"),
        ("--max-request-body", "64MiB", "the largest request body a component may read"),
        ("--max-response-body", "1GiB", "the largest response body a component may write"),
    ):
        serve.add_argument(
            option, default=default, metavar="SIZE", help=f"{what} (default: {default})"
        )
    serve.add_argument("--cache-dir", metavar="DIR", help="compiled components and bindings")
    serve.set_defaults(run=_serve)


def _settings(args: argparse.Namespace) -> dict[str, Any] | str:
    """The app's settings from the arguments, or what is wrong with them."""
    from witgen.permissions.storage import parse_size

    manifest = args.manifest
    if manifest is None:
        beside = os.path.join(os.path.dirname(os.path.abspath(args.component)), "Component.toml")
        manifest = beside if os.path.isfile(beside) else None
    environment = []
    for item in args.env:
        name, equals, value = item.partition("=")
        if not equals or not name:
            return f"--env {item!r}: expected NAME=VALUE"
        environment.append((name, value))
    if args.workers < 1 or args.concurrency < 1 or args.deadline <= 0:
        return "--workers, --concurrency and --deadline must be positive"
    if not 0 <= args.port <= 65535:
        return f"--port {args.port}: expected 0 to 65535"
    sizes = {}
    for option in ("memory", "max_request_body", "max_response_body"):
        text = getattr(args, option)
        try:
            sizes[option] = parse_size(text)
        except ValueError as error:
            return f"--{option.replace('_', '-')} {text!r}: {error}"
    return {
        "component": os.path.abspath(args.component),
        "manifest": os.path.abspath(manifest) if manifest is not None else None,
        "deadline_s": args.deadline,
        "concurrency": args.concurrency,
        "environment": environment,
        "cache_dir": os.path.abspath(args.cache_dir) if args.cache_dir else None,
        **sizes,
    }


def app_from_settings(settings: dict[str, Any]) -> WasiHttpApp:
    """The application `settings` (`_settings`) describe."""
    from pathlib import Path

    from witgen.http.app import HttpConfig, WasiHttpApp

    config = HttpConfig(
        deadline_s=settings["deadline_s"],
        concurrency=settings["concurrency"],
        environment=tuple((name, value) for name, value in settings["environment"]),
        cache_dir=Path(settings["cache_dir"]) if settings["cache_dir"] else None,
        memory_limit=settings["memory"],
        max_request_body=settings["max_request_body"],
        max_response_body=settings["max_response_body"],
    )
    return WasiHttpApp(settings["component"], manifest=settings["manifest"], config=config)


def app_from_environment() -> WasiHttpApp:
    """The application of a `--workers` process (uvicorn's factory)."""
    return app_from_settings(json.loads(os.environ[ENVIRONMENT]))


def _log_config() -> dict[str, Any]:
    """uvicorn's logging set-up, with witgen's events in the same format."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["witgen"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        print(
            "witgen serve: error: needs uvicorn: pip install 'witgen[serve]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from witgen.http.bindings import ServeError
    from witgen.permissions.errors import ManifestError

    settings = _settings(args)
    if isinstance(settings, str):
        print(f"witgen serve: error: {settings}", file=sys.stderr)
        return EXIT_USAGE
    app = app_from_settings(settings)
    if sys.stderr.isatty():
        print(f"witgen serve: loading {args.component} ...", file=sys.stderr)
    try:
        app.load()
    except (ServeError, ManifestError) as error:
        print(f"witgen serve: error: {error}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    if settings["manifest"] is None:
        print(
            "witgen serve: no Component.toml: every outgoing request will be denied",
            file=sys.stderr,
        )
    if args.workers == 1:
        uvicorn.run(app, host=args.host, port=args.port, log_config=_log_config())
    else:
        app.close()
        os.environ[ENVIRONMENT] = json.dumps(settings)
        uvicorn.run(
            "witgen.http.cli:app_from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=_log_config(),
        )
    return EXIT_OK
