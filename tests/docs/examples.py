"""The code examples of the documentation, read from its Markdown.

In: the Markdown pages under `docs/`.  Out: `collect(page)`, every fenced
block of the page with its language, the line its code starts on and what
the line before the fence says about it.  Raises nothing.

The convention (docs/contributing.md says the same):

* every ```python, ```sh, ```bash and ```console block runs, unless the line
  just before its fence is `<!-- not-tested: <reason> -->`;
* a shell block must exit 0, unless the line before its fence is
  `<!-- exit-status: N -->`;
* in a ```console block only the lines starting with `$ ` run (the rest is
  output, shown but not compared);
* the blocks of one page run in order, in one temporary folder holding a copy
  of the project's `wit/` (and nothing else: no `pyproject.toml`); files one block
  writes are there for the next, and Python blocks share one namespace, so a
  page can build an example step by step.  Every page starts afresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
RUN = frozenset({"python", "sh", "bash", "console"})

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_MARK = re.compile(
    r"^[ \t]*<!--[ \t]*(?P<key>not-tested|exit-status):[ \t]*(?P<value>.*?)[ \t]*-->"
)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the first line of code
    language: str
    info: str  # the fence's whole info string: `wit title="Before"`
    code: str
    not_tested: str | None  # the reason, when marked
    exit_status: int

    @property
    def runs(self) -> bool:
        return self.language in RUN and self.not_tested is None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT).as_posix()}:{self.line}"


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def collect(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").split("\n")
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        fence, indent = match["fence"], match["indent"]
        language = match["info"].split()[0].lower() if match["info"].split() else ""
        mark = _MARK.match(lines[index - 1]) if index else None
        start = index + 1
        end = start
        while end < len(lines) and not (
            lines[end].strip().startswith(fence) and lines[end].strip().strip(fence[0]) == ""
        ):
            end += 1
        body = [
            line[len(indent) :] if line.startswith(indent) else line for line in lines[start:end]
        ]
        blocks.append(
            Block(
                page=page,
                line=start + 1,
                language=language,
                info=match["info"].strip(),
                code="\n".join(body) + "\n",
                not_tested=mark["value"] if mark and mark["key"] == "not-tested" else None,
                exit_status=int(mark["value"]) if mark and mark["key"] == "exit-status" else 0,
            )
        )
        index = end + 1
    return blocks


def shell_script(block: Block) -> str:
    """What a shell block runs: the block, or a console block's `$ ` lines."""
    if block.language != "console":
        return block.code
    return "".join(line[2:] + "\n" for line in block.code.splitlines() if line.startswith("$ "))
