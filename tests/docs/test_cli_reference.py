"""The CLI reference (docs/cli.md) is built from witgen's own parser by an
mkdocs hook, so it cannot go stale; this checks that the hook covers every
command and leaves other pages alone, and that the guest guide joins the
navigation exactly when docs/guests.md exists."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

from witgen.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]

# The hooks are the site's, loaded by path as mkdocs loads them.
_spec = importlib.util.spec_from_file_location("site_hooks", ROOT / "docs" / "hooks.py")
assert _spec is not None and _spec.loader is not None
hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hooks)
PLACEHOLDER = hooks.PLACEHOLDER
render_cli_reference = hooks.render_cli_reference
add_guests_page = hooks.add_guests_page
on_page_markdown = hooks.on_page_markdown


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    found = [parser.prog]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += _commands(child)
    return found


def test_every_command_has_a_section_with_its_help() -> None:
    text = render_cli_reference()
    headings = re.findall(r"^#+ `(.+)`$", text, re.MULTILINE)
    assert headings == _commands(build_parser())
    assert {"witgen docs", "witgen generate", "witgen manifest check"} <= set(headings)
    assert "usage: witgen docs [-h] -o DIR" in text


def test_the_help_reads_without_scrolling_sideways() -> None:
    """Wrapped at the hook's width (78), inside what the theme shows of a code block."""
    text = render_cli_reference()
    blocks = re.findall(r"^```text\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    assert len(blocks) == len(_commands(build_parser()))
    wide = [line for block in blocks for line in block.splitlines() if len(line) > hooks.WIDTH]
    assert hooks.WIDTH <= 80 and wide == []


def test_the_hook_fills_in_the_placeholder_of_docs_cli_md_only() -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert PLACEHOLDER in page
    assert "## `witgen generate`" in on_page_markdown(page)
    assert on_page_markdown("# other\n") == "# other\n"


def test_the_guest_guide_joins_the_guides_only_when_it_exists(tmp_path: Path) -> None:
    nav: list[object] = [{"Home": "index.md"}, {"Guides": [{"Capabilities": "capabilities.md"}]}]
    add_guests_page(nav, str(tmp_path))
    assert nav[1] == {"Guides": [{"Capabilities": "capabilities.md"}]}
    (tmp_path / "guests.md").write_text("# Guests\n")
    add_guests_page(nav, str(tmp_path))
    add_guests_page(nav, str(tmp_path))
    assert nav[1] == {
        "Guides": [{"Python guests": "guests.md"}, {"Capabilities": "capabilities.md"}]
    }
