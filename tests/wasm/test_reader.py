"""The reader (`witgen.wasm.reader`): what `read_component` returns, and how it fails.

A WIT package, a core module and a real component (core modules, nested
components, resources with a representation, canonical functions) each read
as what they are, a component with its top-level imports and exports;
custom sections reach `on_custom` in order.  A malformed, truncated or
foreign binary (`support.wasm_binaries.MALFORMED`) raises `WasmError` with
the message wasm-tools prints for it.  Random mutations of encoded WIT
packages read, or raise `WasmError`: never another exception.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.wasm_binaries import (
    MALFORMED,
    PACKAGE,
    REAL_COMPONENT,
    component,
    custom,
    mutants,
)

from witgen.wasm import (
    ComponentEntity,
    InstanceEntity,
    TypeEntity,
    WasmError,
    read_component,
)

from .harness import (
    WASM_TOOLS,
    needs_wasm_tools,
    reader_says,
    wasm_tools_says,
    wat,
)

# The WIT inputs of the decoder's round trips, encoded as seeds for mutation.
WIT_CASES = Path(__file__).parents[1] / "resolve" / "decode"


def _ignore(name: str, contents: bytes) -> None:
    pass


def test_a_wit_package_reads_as_its_export() -> None:
    info = read_component(PACKAGE, _ignore)
    assert info.is_component
    [extern] = info.externs
    assert (extern.name, extern.is_import) == ("x", False)
    entity = extern.item.entity
    assert isinstance(entity, TypeEntity) and entity.created.kind == "component"
    package = info.types.component_type(entity.created)
    assert list(package.imports) == []
    [(name, item)] = package.exports.items()
    assert name == "a:b/x" and isinstance(item.entity, InstanceEntity)
    assert info.types.instance_type(item.entity.id).exports == {}


def test_custom_sections_reach_on_custom_in_order() -> None:
    seen: list[tuple[str, bytes]] = []
    data = PACKAGE + component(custom(b"one", b"\x01"), custom(b"two", b""))[8:]
    read_component(data, lambda name, contents: seen.append((name, contents)))
    assert seen == [("one", b"\x01"), ("two", b"")]


def test_a_core_module_is_not_a_component() -> None:
    seen: list[str] = []
    data = b"\0asm\x01\x00\x00\x00" + component(custom(b"name", b""))[8:]
    info = read_component(data, lambda name, contents: seen.append(name))
    assert not info.is_component and info.externs == ()
    assert seen == ["name"]


@pytest.mark.parametrize(
    ("text", "externs"),
    [
        ("(component (core module))", []),
        ("(component (component))", []),
        ("(component (type (resource (rep i32))))", []),
        ('(component (core type (module)) (type (func)) (export "f" (type 0)))', [("f", False)]),
        (
            '(component (import "i" (func)) (component (import "x" (func)))'
            ' (instance (instantiate 0 (with "x" (func 0)))) (export "j" (instance 0)))',
            [("i", True), ("j", False)],
        ),
    ],
)
def test_a_real_component_reads_with_its_imports_and_exports(
    text: str, externs: list[tuple[str, bool]]
) -> None:
    info = read_component(wat(text), _ignore)
    assert info.is_component
    assert [(extern.name, extern.is_import) for extern in info.externs] == externs


def test_an_import_has_its_type() -> None:
    text = '(component (type (component)) (import "c" (component (type 0))))'
    info = read_component(wat(text), _ignore)
    [extern] = info.externs
    assert extern.is_import and isinstance(extern.item.entity, ComponentEntity)


@needs_wasm_tools
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_binary_fails_like_wasm_tools(case: str, tmp_path: Path) -> None:
    expected = wasm_tools_says(MALFORMED[case], tmp_path)
    assert expected.startswith("error: ")
    assert reader_says(MALFORMED[case]) == expected


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """The decoder's WIT cases, encoded by wasm-tools."""
    assert WASM_TOOLS is not None
    folder = tmp_path_factory.mktemp("seeds")
    encode = [WASM_TOOLS, "component", "wit", "--features", "active", "--wasm"]
    encoded = [PACKAGE]
    for source in sorted(WIT_CASES.iterdir()):
        out = folder / f"{source.stem}.wasm"
        subprocess.run([*encode, str(source), "-o", str(out)], check=True, capture_output=True)
        encoded.append(out.read_bytes())
    return encoded


@needs_wasm_tools
def test_mutated_binaries_raise_only_wasm_error(seeds: list[bytes]) -> None:
    for data in mutants(seeds, 1000, seed=3):
        try:
            read_component(data, _ignore)
        except WasmError as error:
            assert str(error).endswith(f" (at offset 0x{error.offset:x})")


def test_a_real_component_reads_whole() -> None:
    info = read_component(wat(REAL_COMPONENT), _ignore)
    assert [(extern.name, extern.is_import) for extern in info.externs] == [
        ("host", True),
        ("api", False),
    ]
    api = info.externs[1].item.entity
    assert isinstance(api, InstanceEntity)
    assert list(info.types.instance_type(api.id).exports) == ["g2"]


@needs_wasm_tools
def test_every_prefix_of_a_real_component_reads_as_wasm_tools_validates_it(
    tmp_path: Path,
) -> None:
    """Cut anywhere (inside a nested module's code section too), a component
    is what `wasm-tools validate` says: valid where the cut falls between two
    sections, else its error at its offset; never another exception."""
    assert WASM_TOOLS is not None
    data = wat(REAL_COMPONENT)
    path = tmp_path / "cut.wasm"
    for end in range(8, len(data)):
        path.write_bytes(data[:end])
        result = subprocess.run(
            [WASM_TOOLS, "validate", str(path)], capture_output=True, text=True, check=False
        )
        # (wasm-tools warns about DWARF first: the message is the last line.)
        expected = "ok" if result.returncode == 0 else result.stderr.splitlines()[-1]
        assert reader_says(data[:end]) == expected, end


def test_mutated_real_components_raise_only_wasm_error() -> None:
    for data in mutants([wat(REAL_COMPONENT)], 2000, seed=17):
        try:
            read_component(data, _ignore)
        except WasmError as error:
            assert str(error).endswith(f" (at offset 0x{error.offset:x})")


OUTER_ALIASES = {
    # count 0 names the component's own scope (it read past the scope list)
    "own-scope": "(component (type u8) (alias outer 0 0 (type)))",
    "enclosing-component": "(component (type u8) (component (alias outer 1 0 (type))))",
    "enclosing-instance-type": (
        "(component (type u8)"
        ' (type (instance (alias outer 1 0 (type)) (export "t" (type (eq 0))))))'
    ),
}


@needs_wasm_tools
@pytest.mark.parametrize("case", sorted(OUTER_ALIASES))
def test_outer_aliases_read_as_wasm_tools_validates_them(case: str, tmp_path: Path) -> None:
    assert WASM_TOOLS is not None
    data = wat(OUTER_ALIASES[case])
    path = tmp_path / "c.wasm"
    path.write_bytes(data)
    result = subprocess.run(
        [WASM_TOOLS, "validate", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr  # each is a valid component
    assert reader_says(data) == "ok"
