"""The documentation site as a reader finds it (issue 19): every page reachable from the
navigation, the generated WIT reference included; no literal `\\|` in the code of a table;
the home page's "Where to go" naming every page as the navigation does.  The site is built
with `mkdocs build --strict` (under a second)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
yaml = pytest.importorskip("yaml")
pytest.importorskip("mkdocs")

_spec = importlib.util.spec_from_file_location("site_hooks", ROOT / "docs" / "hooks.py")
assert _spec is not None and _spec.loader is not None
hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hooks)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The built site's folder and what mkdocs said."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    return out, said


def test_every_page_is_in_the_nav(site: tuple[Path, str]) -> None:
    out, said = site
    assert "not included in the" not in said, said
    home = (out / "index.html").read_text(encoding="utf-8")
    nav = home[home.index("md-nav--primary") :]
    for page in sorted((ROOT / "docs").rglob("*.md")):
        url = page.relative_to(ROOT / "docs").with_suffix("").as_posix()
        url = "." if url == "index" else url.removesuffix("/index") + "/"
        assert f'href="{url}"' in nav, f"{page.name}: not linked from the navigation"


def test_the_wit_reference_is_a_section_of_its_pages(site: tuple[Path, str]) -> None:
    out, _ = site
    (types,) = (out / "reference").glob("*host_core*/types/index.html")  # whatever its folder
    page = types.read_text(encoding="utf-8")
    # Highlighted in the sidebar: the page, under its package, under the WIT reference.
    active = [
        re.sub(r"<[^>]+>", " ", page[found.end() : found.end() + 600]).split()[0]
        for found in re.finditer(r'<li class="[^"]*md-nav__item--active[^"]*">', page)
    ]
    assert active == ["Reference", "WIT", "airssys:host-core@1.0.0", "types"]


def test_no_backslash_before_a_pipe_in_code(site: tuple[Path, str]) -> None:
    out, _ = site
    for page in sorted(out.rglob("*.html")):
        for code in re.findall(r"<code>(.*?)</code>", page.read_text(encoding="utf-8"), re.S):
            assert "\\|" not in code, f"{page.relative_to(out)}: <code>{code}</code>"


def _leaves(nav: list[object]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entry in nav:
        if isinstance(entry, dict):
            for title, value in entry.items():
                if isinstance(value, str):
                    found.append((title, value))
                elif isinstance(value, list):
                    found += _leaves(value)
    return found


def test_where_to_go_names_every_page_as_the_nav_does() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = [leaf for leaf in _leaves(config["nav"]) if leaf[1] != "index.md"]
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    table = home[home.index("## Where to go") :]
    links = [
        (title.strip("`"), path)
        for title, path in re.findall(r"^\|[^|]*\| \[([^\]]+)\]\(([^)]+)\) \|$", table, re.M)
    ]
    assert links == pages


def test_the_reference_entry_becomes_a_section_of_every_page(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    for name in ("a_v1/i.md", "a_v1/w.md", "b/j.md", "stray/x.md"):
        (reference / name).parent.mkdir(parents=True, exist_ok=True)
        (reference / name).write_text("# page\n")
    (reference / "index.md").write_text(
        "# WIT reference\n\n## Package `a:a@1.0.0`\n\n| [`i`](a_v1/i.md) | . |\n"
        "| [`w`](a_v1/w.md#x) | . |\n\n## Package `b:b`\n\n| [`j`](b/j.md) | . |\n"
    )
    nav: list[object] = [{"Reference": [{"CLI": "cli.md"}, {"WIT": "reference/index.md"}]}]
    hooks.add_reference_pages(nav, str(tmp_path))
    assert nav == [
        {
            "Reference": [
                {"CLI": "cli.md"},
                {
                    "WIT": [
                        "reference/index.md",
                        {"a:a@1.0.0": [{"i": "reference/a_v1/i.md"}]},
                        {"b:b": [{"j": "reference/b/j.md"}]},
                        "reference/a_v1/w.md",
                        "reference/stray/x.md",
                    ]
                },
            ]
        }
    ]
