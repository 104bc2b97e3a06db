"""Formatting never changes what WIT means, and formatting twice changes nothing.

On every case of the conformance corpus that wasm-tools accepts, on every
package of the WASI 0.2.0 tree (each with its `deps/`), and on random packages
and corpus files with comments and whitespace in every position: each `.wit`
file is formatted, the formatted file formats to itself, keeps every comment in
order, and the formatted tree resolves to the same JSON as the original, as
`wasm-tools component wit --json` prints it (the real wasm-tools, the dev
dependency; witgen's own JSON, which matches it byte for byte on the corpus,
only where wasm-tools is not installed).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.corpus import CONFORMANCE, WASI, Case, case_params, cases, wasi_packages, wasm_tools

from witgen.diagnostics import WitError
from witgen.fmt.layout import format_text
from witgen.json_view import dumps
from witgen.resolve.passes import resolve_path

from .wit_comments import commented_wit, comments_of

WASM_TOOLS = wasm_tools()
ACCEPTED = [c for c in cases() if c.expect == "ok" and not c.path.endswith(".wat")]
PACKAGES = wasi_packages()
# The single-file cases, to draw from: they hold every form of the grammar
# (nested packages, includes, gates, versions, async, ...).
CORPUS_FILES = [
    (CONFORMANCE / c.path).read_text(encoding="utf-8") for c in ACCEPTED if c.kind == "file"
]


def resolved_json(path: Path, features: str = "") -> tuple[int, object]:
    """The exit status and the parsed JSON of `wasm-tools component wit --json`
    (or of `witgen print --json` without wasm-tools); JSON is None on failure."""
    if WASM_TOOLS is None:
        try:
            return 0, json.loads(
                dumps(resolve_path(str(path), features.split(",") if features else []))
            )
        except WitError:
            return 1, None
    command = [WASM_TOOLS, "component", "wit", "--json", str(path)]
    if features:
        command += ["--features", features]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return result.returncode, json.loads(result.stdout) if result.returncode == 0 else None


def format_tree(root: Path) -> int:
    """Format every `.wit` file under `root` in place, checking each as it goes;
    return how many changed."""
    changed = 0
    for path in sorted(root.rglob("*.wit")):
        text = path.read_text(encoding="utf-8")
        formatted = format_text(str(path), text)
        assert format_text(str(path), formatted) == formatted, f"{path}: not idempotent"
        assert comments_of(formatted) == comments_of(text), f"{path}: comments changed"
        if formatted != text:
            path.write_text(formatted, encoding="utf-8")
            changed += 1
    return changed


@pytest.mark.parametrize("case", case_params(ACCEPTED))
def test_corpus_case_keeps_its_model(case: Case, tmp_path: Path) -> None:
    original = CONFORMANCE / case.path
    copy = tmp_path / original.name
    if original.is_dir():
        shutil.copytree(original, copy)
    else:
        shutil.copy(original, copy)
    format_tree(tmp_path)
    expected = resolved_json(original, "active")
    assert expected[0] == 0
    assert resolved_json(copy, "active") == expected


@pytest.mark.parametrize(
    "package",
    PACKAGES or [pytest.param(None, marks=pytest.mark.skip(reason=f"no WASI tree at {WASI}"))],
    ids=[path.name for path in PACKAGES] or None,
)
def test_wasi_package_keeps_its_model(package: Path, tmp_path: Path) -> None:
    copy = tmp_path / package.name
    shutil.copytree(package, copy)
    assert format_tree(copy) > 0  # WASI's four-space indentation is reformatted
    assert resolved_json(copy) == resolved_json(package)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commented_wit())
def test_random_wit_with_comments_keeps_its_model(tmp_path: Path, text: str) -> None:
    formatted = format_text("random.wit", text)
    assert format_text("random.wit", formatted) == formatted
    assert comments_of(formatted) == comments_of(text)
    original, again = tmp_path / "original.wit", tmp_path / "formatted.wit"
    original.write_text(text, encoding="utf-8", newline="")
    again.write_text(formatted, encoding="utf-8", newline="")
    # The strategy can make a world wasm-tools rejects: then both must be rejected.
    assert resolved_json(again) == resolved_json(original)


@pytest.mark.skipif(not CORPUS_FILES, reason=f"no corpus at {CONFORMANCE}")
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_corpus_files_with_comments_keep_their_model(tmp_path: Path, data: st.DataObject) -> None:
    text = data.draw(commented_wit(st.sampled_from(CORPUS_FILES)))
    formatted = format_text("case.wit", text)
    assert format_text("case.wit", formatted) == formatted
    assert comments_of(formatted) == comments_of(text)
    original, again = tmp_path / "original.wit", tmp_path / "formatted.wit"
    original.write_text(text, encoding="utf-8", newline="")
    again.write_text(formatted, encoding="utf-8", newline="")
    assert resolved_json(again, "active") == resolved_json(original, "active")
