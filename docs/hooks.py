"""mkdocs hooks of witgen's documentation site (`hooks:` in mkdocs.yml).

In: mkdocs' configuration and each page's Markdown.  Out: `on_config` adds
the Python guest guide (docs/guests.md, written with `witgen generate
--guest`) to the Guides section of the navigation when that page exists, so
the site builds with and without it; `on_page_markdown` puts the CLI
reference (`render_cli_reference`: each command's `--help` from witgen's own
argument parser, at a fixed width, in the order the parser registers them)
in place of the placeholder line of docs/cli.md, so the published reference
cannot go stale.  Raises nothing of its own.

This file belongs to the site, not to the `witgen` package (it is loaded by
path, and left out of the pages by `exclude_docs`): it is the one place that
imports witgen's command line to document it.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from witgen.cli import build_parser

PLACEHOLDER = "<!-- witgen-cli-reference -->"
WIDTH = 100


def render_cli_reference(parser: argparse.ArgumentParser | None = None) -> str:
    """A `## witgen COMMAND` section with the help of every command."""
    if parser is None:
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


GUESTS_PAGE = "guests.md"
GUESTS_TITLE = "Python guests"


def on_config(config: Any, **_: Any) -> Any:
    """Add docs/guests.md to the Guides section when it exists."""
    add_guests_page(config["nav"], config["docs_dir"])
    return config


def add_guests_page(nav: list[Any] | None, docs_dir: str) -> None:
    if not nav or not os.path.isfile(os.path.join(docs_dir, GUESTS_PAGE)):
        return
    for entry in nav:
        if isinstance(entry, dict) and isinstance(entry.get("Guides"), list):
            guides = entry["Guides"]
            listed = any(GUESTS_PAGE in item.values() for item in guides if isinstance(item, dict))
            if not listed and GUESTS_PAGE not in guides:
                guides.insert(0, {GUESTS_TITLE: GUESTS_PAGE})
            return


def on_page_markdown(markdown: str, **_: Any) -> str:
    """The CLI reference in place of its placeholder line."""
    if PLACEHOLDER not in markdown:
        return markdown
    return markdown.replace(PLACEHOLDER, render_cli_reference())
