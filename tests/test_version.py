"""Semantic versions: parsing, errors worded as wasm-tools words them, ordering."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.corpus import wasm_tools

from witgen.diagnostics import WitError
from witgen.syntax.parse import parse_text
from witgen.version import Version, VersionError

WASM_TOOLS = wasm_tools()

# Versions as they may follow `@` in WIT, good and bad.
VERSIONS = [
    "1.2.3",
    "0.0.0",
    "1.2.3-rc.1",
    "1.2.3-rc.1+build.5",
    "1.2.3+20260101",
    "1.0.0-alpha-beta",
    "01.2.3",
    "1.02.3",
    "1.2.03",
    "1.2.3-01",
    "1.2.3-0a",
    "1.2.3-a..b",
    "1.2.3-a.",
    "1.2.3+a..b",
    "1.2.3+001",
    "18446744073709551615.0.0",
    "18446744073709551616.0.0",
    "1.2.3-rc tail",
    "1.2.3-+b",
    "1.2.3-rc+",
]


@pytest.mark.skipif(WASM_TOOLS is None, reason="needs wasm-tools")
@pytest.mark.parametrize("text", VERSIONS)
def test_version_verdicts_match_wasm_tools(tmp_path: Path, text: str) -> None:
    assert WASM_TOOLS is not None
    source = f"package a:b@{text};\n"
    (tmp_path / "v.wit").write_text(source)
    reference = subprocess.run(
        [WASM_TOOLS, "component", "wit", "v.wit"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        _, file = parse_text("v.wit", source)
    except WitError as error:
        assert reference.returncode == 1
        assert reference.stderr.splitlines()[0] == f"error: {error.diagnostics[0].message}"
    else:
        assert reference.returncode == 0, reference.stderr
        assert file.header is not None and file.header.name.version is not None
        assert f"package a:b@{file.header.name.version.version};" in reference.stdout


def test_parts() -> None:
    version = Version.parse("1.2.3-rc.1+build.5")
    assert (version.major, version.minor, version.patch) == (1, 2, 3)
    assert (version.pre, version.build) == ("rc.1", "build.5")
    assert str(version) == "1.2.3-rc.1+build.5"


def test_empty() -> None:
    with pytest.raises(VersionError, match="empty string, expected a semver version"):
        Version.parse("")


def test_precedence_follows_the_semver_spec() -> None:
    # The chain given in semver.org item 11, lowest first.
    chain = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    versions = [Version.parse(text) for text in chain]
    assert sorted(reversed(versions)) == versions
    assert Version.parse("1.0.0") == Version.parse("1.0.0")
