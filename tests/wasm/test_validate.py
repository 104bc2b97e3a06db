"""The validator (`witgen.wasm.validate`): a declaration that wasmparser
rejects gets wasmparser's message, at the offset of the section item that
holds it, as wasm-tools prints it.

Each case is one small component in WebAssembly text, one check of the
validator: names in records, variants, enums, flags and parameters; empty
and oversized types; index spaces; handles; function results; aliases;
imports and exports, named types, and the resource functions of `[method]`,
`[static]` and `[constructor]` names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import needs_wasm_tools, reader_says, wasm_tools_says, wat

_FLAGS_33 = " ".join(f'"f{i}"' for i in range(33))
_RESOURCE = '(import "r" (type (sub resource)))'

INVALID: dict[str, str] = {
    "empty-record": "(type (record))",
    "record-field-clash": '(type (record (field "a" u8) (field "A" u8)))',
    "record-field-not-kebab": '(type (record (field "a-" u8)))',
    "record-field-empty": '(type (record (field "" u8)))',
    "empty-variant": "(type (variant))",
    "variant-case-clash": '(type (variant (case "a") (case "A" u8)))',
    "empty-enum": "(type (enum))",
    "enum-case-clash": '(type (enum "a" "a"))',
    "empty-flags": "(type (flags))",
    "too-many-flags": f"(type (flags {_FLAGS_33}))",
    "flag-clash": '(type (flags "a" "A"))',
    "empty-tuple": "(type (tuple))",
    "unknown-type": "(type (list 5))",
    "not-a-defined-type": "(type (func)) (type (list 0))",
    "not-a-resource": "(type u8) (type (own 0))",
    "parameter-clash": '(type (func (param "a" u8) (param "a" u8)))',
    "parameter-not-kebab": '(type (func (param "A-" u8)))',
    "borrow-in-result": f"{_RESOURCE} (type (borrow 0)) (type (func (result 1)))",
    "stream-of-char": "(type (stream char))",
    "instance-export-clash": (
        '(type (instance (type (instance)) (export "a" (instance (type 0)))'
        ' (export "A" (instance (type 0)))))'
    ),
    "import-clash": '(import "a" (func)) (import "A" (func))',
    "alias-of-missing-export": '(type (instance)) (import "a" (instance (type 0)))'
    ' (alias export 0 "x" (type))',
    "alias-of-wrong-kind": '(type (instance (export "x" (type (sub resource)))))'
    ' (import "a" (instance (type 0))) (alias export 0 "x" (func))',
    "outer-alias-too-far": "(type (instance (alias outer 5 0 (type))))",
    "unnamed-record-exported": '(type (record (field "a" u8))) (type (list 0))'
    ' (export "l" (type 1))',
    "unknown-function": '(type (func)) (export "f" (func 0))',
    "unknown-module": '(export "m" (core module 0))',
    "constructor-of-another-resource": f"{_RESOURCE} (type (own 0)) (type (func (result 1)))"
    ' (import "[constructor]s" (func (type 2)))',
    "async-constructor": '(type (func async)) (import "[constructor]r" (func (type 0)))',
    "method-without-self": f'{_RESOURCE} (type (borrow 0)) (type (func (param "x" 1)))'
    ' (import "[method]r.m" (func (type 2)))',
    "method-owning-self": f'{_RESOURCE} (type (own 0)) (type (func (param "self" 1)))'
    ' (import "[method]r.m" (func (type 2)))',
    "static-of-unknown-resource": '(import "[static]r.m" (func))',
}


@needs_wasm_tools
@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_declaration_fails_like_wasm_tools(case: str, tmp_path: Path) -> None:
    data = wat(f"(component {INVALID[case]})")
    expected = wasm_tools_says(data, tmp_path)
    assert expected.startswith("error: ")
    assert reader_says(data) == expected
