"""mkdocs hooks of the documentation site (`hooks:` in mkdocs.yml).

In: mkdocs' configuration and each page's Markdown.  Out: `on_config` adds
the Python guest guide (docs/guests.md, written with `witgen generate
--guest`) to the Guides section of the navigation when that page exists, so
the site builds with and without it; `on_page_markdown` puts the CLI
reference (`cli_reference.render_cli_reference`) in place of its placeholder
line in docs/cli.md.  Raises nothing of its own.
"""

from __future__ import annotations

import os
from typing import Any

from witgen.docs.cli_reference import PLACEHOLDER, render_cli_reference

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
