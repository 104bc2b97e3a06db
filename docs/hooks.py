"""mkdocs hooks of witgen's documentation site (`hooks:` in mkdocs.yml).

In: mkdocs' configuration and each page's Markdown.  Out: `on_config` adds
the Python guest guide (docs/guests.md, written with `witgen generate
--guest`) to the Guides section of the navigation when that page exists, so
the site builds with and without it, and turns the nav's entry of the WIT
reference (docs/reference/index.md, written by `witgen docs`) into a section
holding every page of the reference, a subsection per package in the index's
order (`add_reference_pages`), so no generated page is left out of the
navigation whatever `witgen docs` names it; `on_page_markdown` puts the CLI
reference (`render_cli_reference`: each command's `--help` from witgen's own
argument parser, wrapped at `WIDTH` columns so it reads without scrolling
sideways, in the order the parser registers them) in place of the placeholder
line of docs/cli.md, so the published reference cannot go stale.  Raises
nothing of its own.

This file belongs to the site, not to the `witgen` package (it is loaded by
path, and left out of the pages by `exclude_docs`): it is the one place that
imports witgen's command line to document it.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

from witgen.cli import build_parser

PLACEHOLDER = "<!-- witgen-cli-reference -->"
# Material shows a code block about 80 characters wide without a scroll bar at its
# narrowest with both sidebars (its 61rem grid less two 12.1rem sidebars, in
# 0.85em Roboto Mono); argparse wraps at WIDTH, a little inside that.
WIDTH = 78


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
    """Add docs/guests.md to the Guides section when it exists, and every page of
    the WIT reference to its section."""
    add_guests_page(config["nav"], config["docs_dir"])
    add_reference_pages(config["nav"], config["docs_dir"])
    return config


REFERENCE_INDEX = "reference/index.md"
_PACKAGE = re.compile(r"^## Package `(?P<name>[^`]+)`", re.MULTILINE)
_LINK = re.compile(r"\[`(?P<title>[^`]+)`\]\((?P<path>[^)#]+\.md)\)")


def add_reference_pages(nav: list[Any] | None, docs_dir: str) -> None:
    """Replace the nav's entry `TITLE: reference/index.md` with the section `TITLE`:
    the index first (with `navigation.indexes`, the section's own page), then a
    subsection per package of the index with a page per interface and world, by
    the names the index gives them; pages under docs/reference/ the index does not
    link come last, so none is left out."""
    folder = Path(docs_dir) / "reference"
    index = folder / "index.md"
    if not nav or not index.is_file():
        return
    text = index.read_text(encoding="utf-8")
    packages: list[dict[str, list[dict[str, str]]]] = []
    linked: set[str] = set()
    starts = [*_PACKAGE.finditer(text)]
    for number, start in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(text)
        pages = []
        for link in _LINK.finditer(text, start.end(), end):
            path = f"reference/{link['path']}"
            if path not in linked and (Path(docs_dir) / path).is_file():
                linked.add(path)
                pages.append({link["title"]: path})
        if pages:
            packages.append({start["name"]: pages})
    others = sorted(
        path.relative_to(docs_dir).as_posix()
        for path in folder.rglob("*.md")
        if path != index and path.relative_to(docs_dir).as_posix() not in linked
    )
    section: list[Any] = [REFERENCE_INDEX, *packages, *others]
    _replace_entry(nav, REFERENCE_INDEX, section)


def _replace_entry(nav: list[Any], page: str, section: list[Any]) -> bool:
    """Put `section` in place of the page of the entry `{TITLE: page}` in `nav`."""
    for entry in nav:
        if not isinstance(entry, dict):
            continue
        for title, value in entry.items():
            if value == page:
                entry[title] = section
                return True
            if isinstance(value, list) and _replace_entry(value, page, section):
                return True
    return False


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
