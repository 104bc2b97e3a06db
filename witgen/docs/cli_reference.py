"""The command-line reference of `witgen`, from its argparse parser.

In: the parser `witgen.cli` builds.  Out: `render_cli_reference()`, Markdown
with each command's (and subcommand's) `--help`, at a fixed width, in the
order the parser registers them; `PLACEHOLDER` is the line of docs/cli.md
that `witgen.docs.mkdocs_hooks` replaces with it when the site is built, so
the published reference comes from the parser and cannot go stale.  Raises
nothing.
"""

from __future__ import annotations

import argparse

PLACEHOLDER = "<!-- witgen-cli-reference -->"
WIDTH = 100


def render_cli_reference(parser: argparse.ArgumentParser | None = None) -> str:
    """A `## witgen COMMAND` section with the help of every command."""
    if parser is None:
        from witgen.cli import build_parser

        parser = build_parser()
    sections: list[str] = []
    _render(parser, sections, level=2)
    return "\n".join(sections)


def _render(parser: argparse.ArgumentParser, sections: list[str], level: int) -> None:
    parser.formatter_class = _formatter
    title = "#" * level + f" `{parser.prog}`"
    sections += [title, "", "```text", parser.format_help().rstrip("\n"), "```", ""]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for child in action.choices.values():
                if id(child) not in seen:  # aliases share a parser
                    seen.add(id(child))
                    _render(child, sections, level + 1)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog, width=WIDTH)
