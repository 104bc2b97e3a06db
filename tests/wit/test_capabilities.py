"""Every function of wit/ says which capability it needs, in one fixed form.

The form is one doc-comment line `Capability: <name>`, where the name is one of
`witgen.permissions.CAPABILITIES` (`filesystem.read`, `network.outbound`, ...)
or `none` for a function that needs no grant, so a tool can tell a function
that needs nothing from one nobody marked.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from witgen.permissions import AIRSSYS_PACKAGES, CAPABILITIES, NO_CAPABILITY

from .layout import PACKAGE_FOLDERS, SOURCES, WIT, package_of, resolve_json

CAPABILITY_LINE = re.compile(r"Capability: ([a-z]+(?:\.[a-z]+)?)")
FUNCTION = re.compile(r"^\s*(?:(?:import|export)\s+)?(%?[a-z][a-z0-9-]*)\s*:\s*(?:async\s+)?func\b")
KNOWN = CAPABILITIES | {NO_CAPABILITY}

NOT_IN_WIT_YET = {"network.inbound"}
"""Grantable actions no airssys function uses yet: nothing in wit/ listens."""


def functions_by_text(path: Path) -> list[tuple[str, list[str]]]:
    """Each function declared in a file, with the doc-comment lines before it."""
    found = []
    docs: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("///"):
            docs.append(stripped[3:].strip())
            continue
        if not stripped or stripped.startswith("@"):
            continue
        match = FUNCTION.match(line)
        if match is not None:
            found.append((f"{path.relative_to(WIT)}: {match.group(1)}", docs))
        docs = []
    return found


def all_functions() -> list[tuple[str, list[str]]]:
    return [item for path in sorted(WIT.rglob("*.wit")) for item in functions_by_text(path)]


def capability_of(name: str, docs: list[str]) -> str:
    marked = [line for line in docs if line.startswith("Capability")]
    assert len(marked) == 1, f"{name} has {len(marked)} `Capability` lines: {marked}"
    match = CAPABILITY_LINE.fullmatch(marked[0])
    assert match is not None, f"{name}: {marked[0]!r} is not `Capability: <name>`"
    assert match.group(1) in KNOWN, f"{name}: unknown capability {match.group(1)!r}"
    return match.group(1)


def test_every_function_has_exactly_one_capability_line() -> None:
    functions = all_functions()
    assert len(functions) > 20
    for name, docs in functions:
        capability_of(name, docs)


def test_capabilities_in_wit_match_the_permission_actions() -> None:
    used = {capability_of(name, docs) for name, docs in all_functions()} - {NO_CAPABILITY}
    assert used == CAPABILITIES - NOT_IN_WIT_YET


def test_capabilities_of_the_host_functions() -> None:
    """The plan's requirements, spot-checked function by function."""
    marks = {
        name.split(": ")[1]: capability_of(name, docs)
        for name, docs in all_functions()
        if name.startswith("deps/host")
    }
    assert marks["log"] == marks["current-time-millis"] == marks["list-components"] == "none"
    assert marks["send-message"] == marks["send-request"] == "messaging.send"
    assert marks["read-file"] == marks["stat-file"] == "filesystem.read"
    assert marks["write-file"] == marks["create-directory"] == "filesystem.write"
    assert marks["delete-file"] == "filesystem.delete"
    assert marks["list-directory"] == "filesystem.list"
    assert marks["http-request"] == "network.outbound"
    assert marks["spawn-process"] == "process.spawn"
    assert (marks["get"], marks["set"], marks["delete"], marks["list-keys"]) == (
        "storage.read",
        "storage.write",
        "storage.delete",
        "storage.list",
    )


@pytest.mark.parametrize("folder", PACKAGE_FOLDERS, ids=lambda path: str(path.relative_to(WIT)))
def test_reference_parser_sees_the_same_marks(folder: Path) -> None:
    """What wasm-tools reads as docs agrees: one `Capability:` line per function."""
    resolved = resolve_json(folder)
    counted: Counter[str] = Counter()
    functions = [
        function
        for interface in resolved["interfaces"]
        for function in interface["functions"].values()
    ] + [
        item["function"]
        for world in resolved["worlds"]
        for items in (world["imports"], world["exports"])
        for item in items.values()
        if "function" in item
    ]
    assert functions
    for function in functions:
        lines = function.get("docs", {}).get("contents", "").splitlines()
        counted[capability_of(function["name"], lines)] += 1
    assert set(counted) <= KNOWN


def test_nothing_is_deprecated_yet() -> None:
    for path in WIT.rglob("*.wit"):
        text = path.read_text(encoding="utf-8")
        assert "@deprecated" not in text and "Deprecated:" not in text, path


def test_host_packages_constant_matches_wit() -> None:
    """`AIRSSYS_PACKAGES` (what an airssys host provides) is what wit/ defines."""
    found = {}
    for folder in SOURCES:
        name, version = package_of(folder).split("@")
        interfaces = {
            match.group(1)
            for path in folder.glob("*.wit")
            for match in re.finditer(r"^interface\s+([a-z-]+)", path.read_text(), re.MULTILINE)
        }
        found[name] = (version, frozenset(interfaces))
    assert found == {p.name: (p.version, p.interfaces) for p in AIRSSYS_PACKAGES}
