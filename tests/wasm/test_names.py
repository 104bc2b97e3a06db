"""Import and export names (`witgen.wasm.names`).

`parse_component_name` classifies a name as wasmparser does and gives the
decoder its parts; a name the validator rejects gets wasm-tools' message,
whether it fails to parse or does not fit what it names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from witgen.version import Version
from witgen.wasm import ComponentNameError, is_kebab, parse_component_name

from .harness import needs_wasm_tools, reader_says, wasm_tools_says, wat


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a-b", "label"),
        ("A-B", "label"),
        ("a1-b2", "label"),
        ("[constructor]r", "constructor"),
        ("[method]r.m", "method"),
        ("[static]r.m", "static"),
        ("a:b/c", "interface"),
        ("a:b/c@1.0.0-rc.1+build", "interface"),
    ],
)
def test_kind(name: str, kind: str) -> None:
    assert parse_component_name(name).kind == kind


def test_parts_of_an_interface_name() -> None:
    name = parse_component_name("wasi:io/streams@0.2.0")
    assert (name.namespace, name.package, name.interface) == ("wasi", "io", "streams")
    assert name.version(None) == Version.parse("0.2.0")
    assert name.version("-rc.1") == Version.parse("0.2.0-rc.1")
    assert parse_component_name("a:b/c").version(None) is None


def test_nested_names_need_the_flag() -> None:
    """`cm-nested-names`: the validator allows them, wit-parser's decoder does not."""
    assert parse_component_name("a:b:c/d/e", nested=True).kind == "interface"
    with pytest.raises(ComponentNameError, match=r"^expected `/` after package name$"):
        parse_component_name("a:b:c/d")
    with pytest.raises(ComponentNameError, match=r"^trailing characters found: `/e`$"):
        parse_component_name("a:b/d/e")


def test_resource_of_a_function_name() -> None:
    assert parse_component_name("[constructor]r-1").resource == "r-1"
    assert parse_component_name("[method]r.m").resource == "r"


def test_names_that_clash() -> None:
    """Kebab names ignore ASCII case; `[method]r.m` and `[static]r.m` clash, and so
    do `r` and `[method]r.r`."""

    def key(name: str) -> tuple[str, str]:
        return parse_component_name(name).key()

    assert key("a-b") == key("A-B")
    assert key("[method]r.m") == key("[static]r.m")
    assert key("r") == key("[method]r.r")
    assert key("[method]r.m") != key("[method]r.n")
    assert key("a:b/c") != key("a:b/C")


@pytest.mark.parametrize(
    ("text", "kebab"),
    [
        *[("a", True), ("a-b-c", True), ("ABC-def", True), ("a1", True), ("a-1", True)],
        *[("", False), ("1a", False), ("a--b", False), ("a-", False), ("aB", False), ("é", False)],
    ],
)
def test_kebab_case(text: str, kebab: bool) -> None:
    assert is_kebab(text) is kebab


# Names the validator rejects, each imported as an instance and as a function.
REJECTED = [
    "1a",
    "a--b",
    "a-",
    "-a",
    "",
    "a b",
    "aB",
    "é",
    "A:b/c",
    "a:b",
    "a:b/c@",
    "a:b/c@1.0",
    "[method]r",
    "[method]a.b.c",
    "[constructor]r",
    "[method]r.m",
    "[static]r.m",
]


@needs_wasm_tools
@pytest.mark.parametrize("kind", ["instance", "func"])
@pytest.mark.parametrize("name", REJECTED)
def test_rejected_name_fails_like_wasm_tools(name: str, kind: str, tmp_path: Path) -> None:
    data = wat(f'(component (import "{name}" ({kind})))')
    expected = wasm_tools_says(data, tmp_path)
    assert expected.startswith("error: import name ")
    assert reader_says(data) == expected
