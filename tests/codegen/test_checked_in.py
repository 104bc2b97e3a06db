"""The checked-in bindings of the project's `wit/` (`generated/`) are fresh:
regenerating them from scratch changes nothing (the "codegen is clean" test).
If this fails, run `witgen generate` at the top of the project."""

from __future__ import annotations

from pathlib import Path

from witgen.codegen.generate import generate_files, options_from, stale_files

ROOT = Path(__file__).resolve().parents[2]


def test_generated_bindings_are_fresh() -> None:
    options = options_from(
        wit=None, out=None, world=None, features=[], all_features=False, cwd=ROOT
    )
    assert options.out == ROOT / "generated" / "airssys_bindings"
    generated = generate_files(options, reuse=False)
    assert stale_files(options.out, generated) == []
