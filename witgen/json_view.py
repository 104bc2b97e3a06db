"""The resolved model as the JSON document `wasm-tools component wit --json` prints.

In: an `ir.Resolve`.  Out: `to_json()`, a JSON-ready dict with wit-parser's
document shape (the arenas `worlds`, `interfaces`, `types` and `packages`,
ids as arena indices, the same keys, kinds, owners, docs and gates, fields
left out where wit-parser leaves them out), and `dumps()`, its text as
serde_json's pretty printer writes it.  Raises nothing.
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from witgen import ir

Json = Any


def dumps(resolve: ir.Resolve) -> str:
    """The JSON text: two-space indentation, UTF-8, no final newline."""
    return json.dumps(to_json(resolve), indent=2, ensure_ascii=False)


def to_json(resolve: ir.Resolve) -> dict[str, Json]:
    return {
        "worlds": [_world(w) for w in resolve.worlds],
        "interfaces": [_interface(i) for i in resolve.interfaces],
        "types": [_typedef(t) for t in resolve.types],
        "packages": [_package(p) for p in resolve.packages],
    }


def _world(world: ir.World) -> dict[str, Json]:
    out: dict[str, Json] = {
        "name": world.name,
        "imports": {_key(k): _world_item(v) for k, v in world.imports},
        "exports": {_key(k): _world_item(v) for k, v in world.exports},
        "package": world.package,
    }
    _docs(out, world.docs)
    _stability(out, world.stability)
    return out


def _key(key: ir.WorldKey) -> str:
    return key if isinstance(key, str) else f"interface-{key.interface}"


def _world_item(item: ir.WorldItem) -> dict[str, Json]:
    if isinstance(item, ir.InterfaceItem):
        inner: dict[str, Json] = {"id": item.interface}
        _stability(inner, item.stability)
        if item.external_id is not None:
            inner["external_id"] = item.external_id
        _docs(inner, item.docs)
        return {"interface": inner}
    if isinstance(item, ir.FunctionItem):
        return {"function": _function(item.function)}
    return {"type": item.type}


def _interface(interface: ir.Interface) -> dict[str, Json]:
    out: dict[str, Json] = {
        "name": interface.name,
        "types": dict(interface.types),
        "functions": {name: _function(f) for name, f in interface.functions},
    }
    _docs(out, interface.docs)
    _stability(out, interface.stability)
    out["package"] = interface.package
    if interface.clone_of is not None:
        out["clone_of"] = interface.clone_of
    return out


def _typedef(typedef: ir.TypeDef) -> dict[str, Json]:
    out: dict[str, Json] = {
        "name": typedef.name,
        "kind": _kind(typedef.kind),
        "owner": _owner(typedef.owner),
    }
    _docs(out, typedef.docs)
    _stability(out, typedef.stability)
    if typedef.external_id is not None:
        out["external_id"] = typedef.external_id
    return out


def _kind(kind: ir.TypeDefKind) -> Json:
    match kind:
        case ir.RecordKind():
            return {"record": {"fields": [_field(f) for f in kind.fields]}}
        case ir.ResourceKind():
            return "resource"
        case ir.HandleKind():
            return {"handle": {kind.handle: kind.resource}}
        case ir.FlagsKind():
            return {"flags": {"flags": [_named(f.name, f.docs) for f in kind.flags]}}
        case ir.TupleKind():
            return {"tuple": {"types": list(kind.types)}}
        case ir.VariantKind():
            return {"variant": {"cases": [_case(c) for c in kind.cases]}}
        case ir.EnumKind():
            return {"enum": {"cases": [_named(c.name, c.docs) for c in kind.cases]}}
        case ir.OptionKind():
            return {"option": kind.type}
        case ir.ResultKind():
            return {"result": {"ok": kind.ok, "err": kind.err}}
        case ir.ListKind():
            return {"list": kind.type}
        case ir.MapKind():
            return {"map": [kind.key, kind.value]}
        case ir.FixedListKind():
            return {"fixed-length-list": [kind.type, kind.size]}
        case ir.FutureKind():
            return {"future": kind.type}
        case ir.StreamKind():
            return {"stream": kind.type}
        case ir.AliasKind():
            return {"type": kind.type}
        case _:
            assert_never(kind)


def _owner(owner: ir.Owner) -> Json:
    if isinstance(owner, ir.InterfaceOwner):
        return {"interface": owner.interface}
    if isinstance(owner, ir.WorldOwner):
        return {"world": owner.world}
    return None


def _field(field: ir.Field) -> dict[str, Json]:
    out: dict[str, Json] = {"name": field.name, "type": field.type}
    _docs(out, field.docs)
    return out


def _case(case: ir.Case) -> dict[str, Json]:
    out: dict[str, Json] = {"name": case.name, "type": case.type}
    _docs(out, case.docs)
    return out


def _named(name: str, docs: str | None) -> dict[str, Json]:
    out: dict[str, Json] = {"name": name}
    _docs(out, docs)
    return out


def _function(function: ir.Function) -> dict[str, Json]:
    kind: Json = function.kind
    if function.resource is not None:
        kind = {function.kind: function.resource}
    out: dict[str, Json] = {
        "name": function.name,
        "kind": kind,
        "params": [_param(p) for p in function.params],
    }
    if function.result is not None:
        out["result"] = function.result
    _docs(out, function.docs)
    _stability(out, function.stability)
    if function.external_id is not None:
        out["external_id"] = function.external_id
    return out


def _param(param: ir.Param) -> dict[str, Json]:
    out: dict[str, Json] = {}
    if param.name:
        out["name"] = param.name
    out["type"] = param.type
    return out


def _package(package: ir.Package) -> dict[str, Json]:
    out: dict[str, Json] = {"name": str(package.name)}
    _docs(out, package.docs)
    out["interfaces"] = dict(package.interfaces)
    out["worlds"] = dict(package.worlds)
    return out


def _docs(out: dict[str, Json], docs: str | None) -> None:
    if docs is not None:
        out["docs"] = {"contents": docs}


def _stability(out: dict[str, Json], stability: ir.Stability) -> None:
    if isinstance(stability, ir.Stable):
        inner: dict[str, Json] = {"since": str(stability.since)}
        if stability.deprecated is not None:
            inner["deprecated"] = str(stability.deprecated)
        out["stability"] = {"stable": inner}
    elif isinstance(stability, ir.Unstable):
        inner = {"feature": stability.feature}
        if stability.deprecated is not None:
            inner["deprecated"] = str(stability.deprecated)
        out["stability"] = {"unstable": inner}
