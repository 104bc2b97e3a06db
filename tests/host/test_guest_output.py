"""A Python guest's output as `witgen run` shows it: WASI chunks joined into
lines (`isolation.LineLog`), and a traceback naming the user's files without
the Rust panic after it (`host.cli.GuestOutput`).

The chunks are those a componentize-py 0.25.1 guest (tests/guests/probe)
writes when `execute` raises `RuntimeError("boom")`."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from witgen.host.cli import GuestOutput
from witgen.host.isolation import LineLog

CHUNKS = [
    b"Traceback (most recent call last):\n",
    b'  File "/0/app.py", line 3, in execute\n',
    b'  File "/0/app.py", line 6, in run\n',
    b'  File "/1/helpers.py", line 9, in boom\n',
    b"RuntimeError",
    b": ",
    b"boom",
    b"\n",
    b"thread '<unnamed>' (1) panicked at runtime/src/lib.rs:1293:29:\n"
    b"Python function threw an unexpected exception\n"
    b"note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
]

APP = """\
class Component:
    def execute(self, operation):
        return run(operation)

def run(operation):
    raise RuntimeError("boom")
"""


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


def logged(chunks: list[bytes], stream: str = "stderr") -> list[tuple[int, str]]:
    logger = logging.getLogger("witgen.component.test-guest-output")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    records = Records()
    logger.addHandler(records)
    try:
        output = LineLog(logger)
        for chunk in chunks:
            output(stream, chunk)
        output.flush()
    finally:
        logger.removeHandler(records)
    return records.lines


def test_chunks_are_joined_into_lines() -> None:
    lines = logged(CHUNKS)
    assert {level for level, _ in lines} == {logging.WARNING}
    assert [text for _, text in lines][3:5] == [
        '  File "/1/helpers.py", line 9, in boom',
        "RuntimeError: boom",
    ]
    assert len(lines) == 8


def test_what_is_left_is_written_on_flush_and_stdout_is_info() -> None:
    assert logged([b"no newline", b" at all"], "stdout") == [(logging.INFO, "no newline at all")]
    assert logged([b"\n\n  \n"]) == []  # blank lines are not records


def test_a_traceback_names_the_users_files_and_drops_the_panic(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    out = io.StringIO()
    handler = GuestOutput(str(tmp_path), out)
    for _, line in logged(CHUNKS):
        handler.emit(logging.makeLogRecord({"msg": line, "levelno": logging.WARNING}))
    app = tmp_path / "app.py"
    assert out.getvalue().splitlines() == [
        "Traceback (most recent call last):",
        f'  File "{app}", line 3, in execute',
        "    return run(operation)",
        f'  File "{app}", line 6, in run',
        '    raise RuntimeError("boom")',
        '  File "/1/helpers.py", line 9, in boom',  # not the app folder: as it was
        "RuntimeError: boom",
    ]


def test_without_the_app_file_or_a_traceback_lines_stay_as_they_came(tmp_path: Path) -> None:
    handler = GuestOutput(str(tmp_path))
    assert handler.lines('  File "/0/app.py", line 3, in execute') == [
        '  File "/0/app.py", line 3, in execute'
    ]
    panic = "thread '<unnamed>' (1) panicked at runtime/src/lib.rs:1293:29:"
    assert handler.lines(panic) == [panic]  # no traceback before it: kept
