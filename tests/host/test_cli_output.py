"""What `witgen inspect` and `witgen run` print for people: the summary of a
world (`witgen.host.cli.world_summary`: interfaces grouped by package with
their counts, and what the world names itself, one a line) and the end of
`run`'s output (`write_result`)."""

from __future__ import annotations

import io
from pathlib import Path

from witgen.host.cli import world_summary, write_result
from witgen.resolve.passes import resolve_path

WIT = """\
package my:app@0.1.0;

interface api {
  run: func();
}

world app {
  import wasi:clocks/wall-clock@0.2.0;
  import wasi:clocks/monotonic-clock@0.2.0;
  import api;
  type id = u32;
  import log: func(message: string);
  export tools: interface {
    first: func();
    second: func();
  }
}

world empty {}

package wasi:clocks@0.2.0 {
  interface wall-clock {}
  interface monotonic-clock {}
}
"""


def test_a_world_is_summarised_by_package(tmp_path: Path) -> None:
    source = tmp_path / "app.wit"
    source.write_text(WIT)
    assert world_summary(resolve_path(str(source))) == [
        "world my:app@0.1.0/app",
        "  imports (3 interfaces, 1 function, 1 type):",
        "    wasi:clocks@0.2.0: wall-clock, monotonic-clock",
        "    my:app@0.1.0: api",
        "    id (a type)",
        "    log (a function)",
        "  exports (1 interface):",
        "    tools (an interface of 2 functions)",
        "world my:app@0.1.0/empty",
        "  imports: nothing",
        "  exports: nothing",
        "(`witgen inspect --wit` prints the whole world as WIT)",
    ]


def test_run_ends_its_output_with_a_newline_on_a_terminal_only() -> None:
    """`witgen run --execute` on a terminal: the prompt starts on its own line;
    piped, the bytes are exactly what `execute` returned."""
    for result, terminal, written in (
        (b"hello", True, b"hello\n"),
        (b"hello\n", True, b"hello\n"),
        (b"", True, b""),
        (b"hello", False, b"hello"),
    ):
        out = io.BytesIO()
        write_result(result, out, terminal=terminal)
        assert out.getvalue() == written
