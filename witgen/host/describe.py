"""A compiled component's imports and exports, written in WIT notation.

In: a component's type (wasmtime reads it without instantiating anything).
Out: text for `witgen inspect`: one block per imported or exported instance
(and one line per function or type imported or exported at the top level),
each function with its WIT signature.  A type the instance exports under a
name is written by that name where the signature uses it, and defined once
at the top of the block.  Raises nothing.

wasmtime describes types structurally; names survive only where the
component exports a type by name, so an anonymous record shows its fields
inline (`record { a: u32 }`), which is WIT notation rather than valid WIT.
"""

from __future__ import annotations

from wasmtime import Engine
from wasmtime.component import (
    BorrowType,
    Component,
    ComponentInstanceType,
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    OptionType,
    OwnType,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    VariantType,
)

from witgen.host.typecheck import describe_type, result_notation

_NAMED = (RecordType, VariantType, EnumType, FlagsType)


def describe_component(engine: Engine, component: Component) -> str:
    component_type = component.type
    lines: list[str] = []
    for direction, items in (
        ("import", component_type.imports(engine)),
        ("export", component_type.exports(engine)),
    ):
        for name, item in items.items():
            ty = item.ty
            if isinstance(ty, ComponentInstanceType):
                lines += _instance(engine, direction, name, ty)
            elif isinstance(ty, FuncType):
                lines.append(f"{direction} {name}: {_func(ty, [])};")
            elif isinstance(ty, ResourceType):
                lines.append(f"{direction} {name}: resource;")
            else:
                lines.append(f"{direction} {name}: {type(ty).__name__};")
    return "\n".join(lines) + "\n"


def _instance(engine: Engine, direction: str, name: str, ty: ComponentInstanceType) -> list[str]:
    items = ty.exports(engine)
    named: list[tuple[str, object]] = []
    lines = [f"{direction} {name} {{"]
    for item_name, item in items.items():
        item_ty = item.ty
        if isinstance(item_ty, ResourceType):
            named.append((item_name, item_ty))
            lines.append(f"  resource {item_name};")
        elif isinstance(item_ty, _NAMED):
            lines.append(f"  type {item_name} = {_type(item_ty, named)};")
            named.append((item_name, item_ty))
    for item_name, item in items.items():
        item_ty = item.ty
        if isinstance(item_ty, FuncType):
            lines.append(f"  {item_name}: {_func(item_ty, named)};")
    lines.append("}")
    return lines


def _func(ty: FuncType, named: list[tuple[str, object]]) -> str:
    params = ", ".join(f"{name}: {_type(param, named, False)}" for name, param in ty.params)
    result = ty.result
    arrow = f" -> {_type(result, named, False)}" if result is not None else ""
    return f"func({params}){arrow}"


def _type(ty: object, named: list[tuple[str, object]], top: bool = True) -> str:
    """`ty` in WIT notation, by name where it equals a named type of the instance
    (`top`: the definition of a named type itself, written out)."""
    if not top or not isinstance(ty, _NAMED):
        for name, other in named:
            if type(other) is type(ty) and _equal(other, ty):
                return name
    if isinstance(ty, RecordType):
        fields = ", ".join(f"{name}: {_type(t, named, False)}" for name, t in ty.fields)
        return f"record {{ {fields} }}"
    if isinstance(ty, VariantType):
        cases = ", ".join(
            name if t is None else f"{name}({_type(t, named, False)})" for name, t in ty.cases
        )
        return f"variant {{ {cases} }}"
    if isinstance(ty, EnumType):
        return f"enum {{ {', '.join(ty.names)} }}"
    if isinstance(ty, FlagsType):
        return f"flags {{ {', '.join(ty.names)} }}"
    if isinstance(ty, ListType):
        return f"list<{_type(ty.element, named, False)}>"
    if isinstance(ty, TupleType):
        return f"tuple<{', '.join(_type(e, named, False) for e in ty.elements)}>"
    if isinstance(ty, OptionType):
        return f"option<{_type(ty.payload, named, False)}>"
    if isinstance(ty, ResultType):
        return result_notation(
            _type(ty.ok, named, False) if ty.ok is not None else None,
            _type(ty.err, named, False) if ty.err is not None else None,
        )
    if isinstance(ty, OwnType | BorrowType):
        word = "own" if isinstance(ty, OwnType) else "borrow"
        resource = next((n for n, other in named if other == ty.ty), "resource")
        return f"{word}<{resource}>"
    return describe_type(ty)


def _equal(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 (wasmtime compares types of different kinds by raising)
        return False
