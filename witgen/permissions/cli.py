"""`witgen manifest check`: the command line of the capability manifests.

In: arguments: a `Component.toml` and optional queries (`--fs read:/data/x`,
`--net outbound:api.example.com:443`, ...).  Out: the manifest's problems or a
summary of what it grants, or one answer per query, on standard output and
standard error; the exit status: 0 when the manifest is valid (and every
query is allowed), 1 when it has problems or a query is denied, 2 for a
query that cannot be read.

`add_manifest_command` registers the command with `witgen`'s parser; it
imports the rest of `witgen.permissions` inside the command so that
`witgen --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys

from witgen.commands import EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE


def add_manifest_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `witgen manifest check`."""
    manifest = commands.add_parser(
        "manifest",
        help="check a component's capability manifest (Component.toml)",
        description="Check a component's capability manifest (Component.toml).",
    )
    manifest.set_defaults(usage_parser=manifest)
    manifest_commands = manifest.add_subparsers(title="commands", metavar="COMMAND")
    check = manifest_commands.add_parser(
        "check",
        help="report a manifest's problems, or what it grants; answer queries",
        description=(
            "Load MANIFEST and print each problem with its key path (exit status 1), or a "
            "summary of what it grants. With queries, answer each on one line: `allow` and the "
            "rule that matched, or `deny` and the reason with a grant that would allow it; exit "
            "status 0 only if every query is allowed."
        ),
    )
    check.add_argument("manifest", metavar="MANIFEST", help="the Component.toml to check")
    queries = (
        ("--fs", "fs", "ACTION:PATH", "read:/data/x.txt (read, write, delete, list)"),
        ("--net", "net", "ACTION:HOST:PORT", "outbound:api.example.com:443 (or inbound)"),
        ("--storage", "storage", "ACTION:NAMESPACE", "read:myapp:config"),
        ("--process", "process", "COMMAND", "/usr/bin/echo"),
        ("--message", "message", "COMPONENT", "other-component"),
    )
    for flag, kind, metavar, example in queries:

        def tagged(text: str, kind: str = kind, flag: str = flag) -> tuple[str, str, str]:
            return kind, flag, text  # queries keep their order across options

        check.add_argument(
            flag,
            dest="queries",
            action="append",
            default=[],
            metavar=metavar,
            type=tagged,
            help=f"may the component do this? e.g. {example}",
        )
    check.set_defaults(run=run_manifest_check)


def run_manifest_check(args: argparse.Namespace) -> int:
    from witgen.permissions import (
        ManifestError,
        PermissionValidator,
        answer,
        interface_problems,
        load_manifest,
        parse_query,
        summarize,
    )

    queries = []
    for kind, flag, text in args.queries:
        try:
            queries.append(parse_query(kind, text))
        except ValueError as error:
            print(f"witgen manifest check: error: {flag} {text}: {error}", file=sys.stderr)
            return EXIT_USAGE
    try:
        manifest = load_manifest(args.manifest)
    except ManifestError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    for warning in manifest.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if queries:
        validator = PermissionValidator(manifest)
        answers = [answer(validator, query) for query in queries]
        for result in answers:
            print(result)
        return EXIT_OK if all(result.allowed for result in answers) else EXIT_DIAGNOSTICS
    problems = interface_problems(manifest)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_DIAGNOSTICS
    for line in summarize(manifest):
        print(line)
    return EXIT_OK
