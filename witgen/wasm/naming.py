"""What names a component's imports and exports may have, and which types they must name.

In: the `Types` arena, and an import or export: its parsed name and entity,
or the type it refers to and the types named so far.
Out: `check_name` returns what is wrong with a name (wasmparser's
`ComponentNameContext::validate`: `[method]r.m` must take a `borrow<r>`, an
interface name's version must parse, ...) or None; `named`, `named_func` and
`named_valtype` say whether every type that must be named is
(`all_valtypes_named`, `type_named_valtype`).
Raises nothing: `validate.py` turns what these return into wasmparser's
messages.
"""

from __future__ import annotations

from typing import assert_never

from witgen.version import VersionError
from witgen.wasm.names import ComponentName
from witgen.wasm.types import (
    AnyId,
    BorrowType,
    ComponentEntity,
    DefinedType,
    Entity,
    EnumType,
    FlagsType,
    FuncEntity,
    InstanceEntity,
    ModuleEntity,
    OwnType,
    PrimitiveType,
    RecordType,
    ResultType,
    TypeEntity,
    Types,
    ValType,
    ValueEntity,
    VariantType,
    defined_members,
)


def check_name(
    types: Types,
    name: ComponentName,
    suffix: str | None,
    entity: Entity,
    resources: dict[AnyId, str],
) -> str | None:
    """What is wrong with giving `entity` this name (wasmparser's `validate`);
    `resources` names the resources imported or exported so far."""
    if name.kind == "interface":
        try:
            name.version(suffix)
        except VersionError as error:
            return f"invalid interface version: {error}"
        return None
    if name.kind not in ("constructor", "method", "static"):
        return None
    if not isinstance(entity, FuncEntity):
        return "item is not a func"
    func = types.func_type(entity.id)
    if name.kind == "constructor":
        if func.is_async:
            return "constructor function cannot be async"
        if func.result is None:
            return "function should return one value"
        result = func.result
        if isinstance(result, AnyId):
            inner = types.defined_type(result)
            if isinstance(inner, ResultType) and isinstance(inner.ok, AnyId):
                inner = types.defined_type(inner.ok)
            if isinstance(inner, OwnType):
                return _check_resource(inner.resource, name.resource, resources)
        return "function should return `(own $T)` or `(result (own $T))`"
    if name.kind == "method":
        if not func.params:
            return "function should have at least one argument"
        param_name, param = func.params[0]
        if param_name != "self":
            return "function should have a first argument called `self`"
        borrowed = types.defined_type(param) if isinstance(param, AnyId) else None
        if not isinstance(borrowed, BorrowType):
            return "function should take a first argument of `(borrow $T)`"
        return _check_resource(borrowed.resource, name.resource, resources)
    if name.resource not in resources.values():
        return "static resource name is not known in this context"
    return None


def named(types: Types, id: AnyId, names: set[AnyId]) -> bool:
    """`all_valtypes_named`: whether the parts of `id` that must be named are."""
    if id.kind == "defined":
        ty = types.defined_type(id)
        return all(named_valtype(types, t, names) for t in defined_members(ty)) and all(
            r in names for r in _resources(ty)
        )
    if id.kind == "func":
        return named_func(types, id, names)
    if id.kind == "instance":
        for item in types.instance_type(id).exports.values():
            entity = item.entity
            match entity:
                case FuncEntity():
                    ok = named_func(types, entity.id, names)
                case TypeEntity():
                    ok = named(types, entity.created, names)
                case ValueEntity():
                    ok = isinstance(entity.type, str) or named(types, entity.type, names)
                case InstanceEntity():
                    ok = named(types, entity.id, names)
                case ModuleEntity() | ComponentEntity():
                    ok = True
                case _:
                    assert_never(entity)
            if not ok:
                return False
    return True


def named_func(types: Types, id: AnyId, names: set[AnyId]) -> bool:
    func = types.func_type(id)
    members = [t for _, t in func.params] + ([func.result] if func.result is not None else [])
    return all(named_valtype(types, t, names) for t in members)


def named_valtype(types: Types, ty: ValType, names: set[AnyId]) -> bool:
    """`type_named_valtype`: records, variants, flags and enums must be named
    themselves; other types only in their parts."""
    if isinstance(ty, str):
        return True
    defined = types.defined_type(ty)
    if isinstance(defined, PrimitiveType):
        return True
    if isinstance(defined, (FlagsType, EnumType, RecordType, VariantType)):
        return ty in names
    return all(named_valtype(types, t, names) for t in defined_members(defined)) and all(
        r in names for r in _resources(defined)
    )


def _check_resource(resource: AnyId, name: str, resources: dict[AnyId, str]) -> str | None:
    """`validate_resource_name`: the function's resource must be named `name` here."""
    expected = resources.get(resource)
    if expected is None:
        return "resource used in function does not have a name in this context"
    if expected != name:
        return f"function does not match expected resource name `{expected}`"
    return None


def _resources(ty: DefinedType[AnyId]) -> list[AnyId]:
    return [ty.resource] if isinstance(ty, (OwnType, BorrowType)) else []
