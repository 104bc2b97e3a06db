"""The type model and its arena (`witgen.wasm.types`): type identity.

Every type definition gets an id of its own, even when it is written the same
as another; a type exported with an `(eq T)` bound gets a fresh alias id that
peels back to T's; and importing an instance type that defines resources
freshens them: each import gets new resources, and the types that mention
them are rewritten (wasmparser's `Remap`).
"""

from __future__ import annotations

from witgen.wasm import (
    AnyId,
    FuncEntity,
    InstanceEntity,
    InstanceType,
    OwnType,
    TypeEntity,
    Types,
    read_component,
)

from .harness import wat

INSTANCE_TWICE = """
(component
  (type $i (instance
    (export "r" (type (sub resource)))
    (type (own 0))
    (type (func (result 1)))
    (export "make" (func (type 2)))
    (type (list u8))
    (type (list u8))
    (export "a" (type (eq 3)))
    (export "b" (type (eq 4)))
    (export "c" (type (eq 3)))))
  (import "x" (instance (type $i)))
  (import "y" (instance (type $i))))
"""


def _imports() -> tuple[Types, InstanceType, InstanceType]:
    info = read_component(wat(INSTANCE_TWICE), lambda name, contents: None)
    x, y = (extern.item.entity for extern in info.externs)
    assert isinstance(x, InstanceEntity) and isinstance(y, InstanceEntity)
    return info.types, info.types.instance_type(x.id), info.types.instance_type(y.id)


def _type(instance: InstanceType, name: str) -> TypeEntity:
    entity = instance.exports[name].entity
    assert isinstance(entity, TypeEntity)
    return entity


def _made_resource(types: Types, instance: InstanceType) -> AnyId:
    """The resource that `make` returns an `own` of."""
    entity = instance.exports["make"].entity
    assert isinstance(entity, FuncEntity)
    result = types.func_type(entity.id).result
    assert isinstance(result, AnyId)
    own = types.defined_type(result)
    assert isinstance(own, OwnType)
    return own.resource


def test_each_definition_is_a_type_of_its_own() -> None:
    _, x, _ = _imports()
    assert _type(x, "a").referenced != _type(x, "b").referenced
    assert _type(x, "a").referenced == _type(x, "c").referenced


def test_an_eq_bound_makes_an_alias_that_peels_back() -> None:
    types, x, _ = _imports()
    a, c = _type(x, "a"), _type(x, "c")
    assert a.created not in (a.referenced, c.created)
    assert types.peel_alias(a.created) == a.referenced
    assert types.peel_alias(c.created) == a.referenced
    assert types.peel_alias(a.referenced) is None


def test_importing_an_instance_type_freshens_its_resources() -> None:
    types, x, y = _imports()
    rx, ry = _type(x, "r").created, _type(y, "r").created
    assert rx.kind == ry.kind == "resource" and rx != ry
    assert _made_resource(types, x) == rx
    assert _made_resource(types, y) == ry
    # Types that mention no resource are shared.
    assert _type(x, "a").referenced == _type(y, "a").referenced
