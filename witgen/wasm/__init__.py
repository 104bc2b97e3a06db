"""The WebAssembly reader: components in, the types they declare out.

In: the bytes of a WebAssembly binary, a component or a core module.
Out: `read_component(data, on_custom)` returns a `ComponentInfo`: the
top-level imports and exports of the component (`externs`), each with its
type, and the `Types` arena those types live in; custom sections are handed
to `on_custom` as they are met.  `parse_component_name` classifies an import
or export name (`a-b`, `[method]r.m`, `ns:pkg/iface@1.0.0`, ...).
Raises: `WasmError`, with wasmparser's message and byte offset, for a
malformed, truncated or invalid binary; `ComponentNameError` from
`parse_component_name`.  Nothing here imports the resolver: the arrow
points `resolve -> wasm`, and `resolve/decode.py` turns a `WasmError` into
a diagnostic.

This is the part of wasmparser that wit-parser's decoder relies on, a layer
of its own as wasmparser is a crate of its own under wit-parser; its one
consumer is `resolve/decode.py`, which turns what it returns into the IR.
The modules, from the bottom up:

- `errors.py`: `WasmError`, and `wasm_error`, how every module raises it;
- `limits.py`: wasmparser's size, count and nesting limits;
- `names.py`: import and export names (`ComponentName`, kebab case);
- `types.py`: the type model, as read and once validated, and the `Types`
  arena (wasmparser's `TypeAlloc`);
- `binary_reader.py`: the `BinaryReader` (integers, strings, counts);
- `binary.py`: the declarations of type, alias, import and export sections,
  as read;
- `naming.py`: the rules on import and export names, and on which types
  they must name;
- `validate.py`: the validator (wasmparser's `ComponentState`);
- `reader.py`: `read_component`, section by section (wasmparser's `Parser`).
"""

from witgen.wasm.errors import WasmError
from witgen.wasm.names import (
    ComponentName,
    ComponentNameError,
    NameKind,
    is_kebab,
    parse_component_name,
)
from witgen.wasm.reader import WASM_MAGIC, ComponentInfo, Extern, read_component
from witgen.wasm.types import (
    AnyId,
    BorrowType,
    ComponentEntity,
    ComponentType,
    DefinedType,
    Entity,
    EnumType,
    FixedListType,
    FlagsType,
    FuncEntity,
    FuncType,
    FutureType,
    InstanceEntity,
    InstanceType,
    Item,
    ListType,
    MapType,
    ModuleEntity,
    OptionType,
    OwnType,
    PrimitiveType,
    RecordType,
    ResultType,
    StreamType,
    TupleType,
    TypeEntity,
    Types,
    ValType,
    ValueEntity,
    VariantType,
)

__all__ = [
    "WASM_MAGIC",
    "AnyId",
    "BorrowType",
    "ComponentEntity",
    "ComponentInfo",
    "ComponentName",
    "ComponentNameError",
    "ComponentType",
    "DefinedType",
    "Entity",
    "EnumType",
    "Extern",
    "FixedListType",
    "FlagsType",
    "FuncEntity",
    "FuncType",
    "FutureType",
    "InstanceEntity",
    "InstanceType",
    "Item",
    "ListType",
    "MapType",
    "ModuleEntity",
    "NameKind",
    "OptionType",
    "OwnType",
    "PrimitiveType",
    "RecordType",
    "ResultType",
    "StreamType",
    "TupleType",
    "TypeEntity",
    "Types",
    "ValType",
    "ValueEntity",
    "VariantType",
    "WasmError",
    "is_kebab",
    "parse_component_name",
    "read_component",
]
