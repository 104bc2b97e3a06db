"""wasmparser's limits on sizes, counts and nesting, and the check of a count.

In: the number of items a space holds and how many are being added.
Out: the `MAX_*` constants (wasmparser's, as in wasm-tools 1.262);
`check_max` returns when the count is within its limit.
Raises: `check_max` fails (`wasm_error`) with wasmparser's "multiple {desc}"
or "{desc} count exceeds limit of N".

Nesting is limited (`MAX_TYPE_NESTING`, `MAX_TYPE_DEPTH`), as in wasm-tools
1.262, so recursion stays shallow; every count read is bounded by the bytes
left, so no input makes the reader loop for long.
"""

from __future__ import annotations

from witgen.wasm.errors import wasm_error

MAX_STRING_SIZE = 100_000
MAX_TYPES = 1_000_000
MAX_EXPORTS = 1_000_000
MAX_FUNCTIONS = 1_000_000
MAX_FUNCTION_PARAMS = 1000
MAX_FUNCTION_RESULTS = 1000
MAX_START_ARGS = 1000
MAX_COMPONENT_TYPE_DECLS = 1_000_000
MAX_INSTANCE_TYPE_DECLS = 1_000_000
MAX_RECORD_FIELDS = 10_000
MAX_VARIANT_CASES = 10_000
MAX_TUPLE_TYPES = 10_000
MAX_FLAG_NAMES = 1000
MAX_ENUM_CASES = 10_000
MAX_FIXED_LIST_ELEMENTS = 1_073_741_824
MAX_TYPE_SIZE = 1_000_000
MAX_TYPE_DEPTH = 100
MAX_COMPONENTS = 1000
MAX_INSTANCES = 4096  # 1000 in 1.257's sources
MAX_MODULES = 1000
# Modules and components in the whole binary, nested ones and the outermost
# component included (wasm-tools 1.262; 1.257 counts each component's own).
MAX_MODULES_AND_COMPONENTS = 1000
MAX_VALUES = 1000
MAX_MODULE_SIZE = 1024 * 1024 * 1024
# How deeply component and instance type declarations may nest inside each
# other (wasm-tools 1.262 has this limit; 1.257's sources do not).
MAX_TYPE_NESTING = 100


def check_max(length: int, added: int, limit: int, desc: str, offset: int) -> None:
    if length + added > limit:
        if limit == 1:
            wasm_error(f"multiple {desc}", offset)
        wasm_error(f"{desc} count exceeds limit of {limit}", offset)
