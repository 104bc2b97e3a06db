"""What a module's named types put in it: classes, aliases, codecs, re-exports.

In: a module's `TypeMapper` and its named types (WIT name, type id), in source
order.  Out: first (`claim_type_names`) the Python names of every type, so that
types can refer to each other in any order; then (`plan_definitions`) a
`Definitions`: a class per record, variant, enum and flags type, a type alias
per variant and other named type, a codec per type the module defines, the
names of other modules' types it re-exports, and its own resources (whose
views need their functions, `signatures.py`), all in source order;
`Definitions.ordered` puts them in the order the module is written in: source
order, except that a definition comes after those its value uses (`type
headers = fields;` after the class of `fields`).  Every type is bound (a
stream, a future, an error-context as an opaque handle).  Raises nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import assert_never

from witgen import ir
from witgen.codegen import names
from witgen.codegen.annotations import TypeMapper
from witgen.codegen.imports import RT_CODEC, Code, Local
from witgen.codegen.layout import string
from witgen.codegen.names import Namespace, PythonName
from witgen.codegen.views import (
    AliasView,
    DefinitionView,
    FieldView,
    ReexportView,
    ResourceView,
    TypeView,
    deprecation,
    docstring_text,
    in_dependency_order,
)


@dataclass(frozen=True, slots=True)
class ResourceSlot:
    """Where one of the module's own resources goes among its definitions (its
    view, which needs the resource's functions, is built by the planner)."""

    wit_name: str
    type_id: ir.TypeId


Entry = ReexportView | TypeView | AliasView | ResourceSlot


@dataclass(frozen=True, slots=True)
class Definitions:
    """What a module's named types put in it, in source order."""

    entries: tuple[Entry, ...]
    codecs: tuple[tuple[PythonName, Code], ...]  # (codec variable, codec expression)

    @property
    def resources(self) -> tuple[ResourceSlot, ...]:
        """The module's own resources."""
        return tuple(entry for entry in self.entries if isinstance(entry, ResourceSlot))

    def ordered(self, resources: Mapping[str, ResourceView]) -> tuple[DefinitionView, ...]:
        """The definitions, each resource's view (by WIT name) in its place, in
        the order the module is written in: source order, except that each
        comes after the definitions whose names its value uses."""
        views = [
            resources[entry.wit_name] if isinstance(entry, ResourceSlot) else entry
            for entry in self.entries
        ]
        return tuple(in_dependency_order([(v.defines, v.needs, v) for v in views]))


def claim_type_names(
    types: TypeMapper, scope: Namespace, named: Sequence[tuple[str, ir.TypeId]]
) -> None:
    """Give each of the module's named types its names in `scope` (the module's):
    its class, a resource's host protocol, a variant's case classes; and a type
    the module defines its codec variable."""
    places = types.places
    for name, type_id in named:
        typedef = types.resolve.types[type_id]
        places.type_names[type_id] = scope.claim(names.type_name(name))
        if types.resource_def(type_id) is not None:
            places.host_names[type_id] = scope.claim(names.resource_host_name(name))
        elif types.home(type_id) == type_id:
            places.codec_names[type_id] = names.codec_variable(name)
        if isinstance(typedef.kind, ir.VariantKind):
            for case in typedef.kind.cases:
                scope.claim(names.case_class_name(name, case.name))


def plan_definitions(types: TypeMapper, named: Sequence[tuple[str, ir.TypeId]]) -> Definitions:
    """The definitions of the module's named types (named by `claim_type_names`)."""
    found = _Found()
    for name, type_id in named:
        _named(types, name, type_id, found)
    return Definitions(entries=tuple(found.entries), codecs=tuple(found.codecs))


@dataclass(slots=True)
class _Found:
    """What `plan_definitions` has found so far, in source order."""

    entries: list[Entry] = field(default_factory=list)
    codecs: list[tuple[PythonName, Code]] = field(default_factory=list)


def _named(types: TypeMapper, wit_name: str, type_id: ir.TypeId, found: _Found) -> None:
    places = types.places
    typedef = types.resolve.types[type_id]
    kind = typedef.kind
    name = places.type_names[type_id]
    docs = docstring_text(typedef.docs, typedef.stability)
    deprecated = deprecation(typedef.stability)
    home = types.home(type_id)
    resource = types.resource_def(type_id)
    if resource is not None and resource != type_id:
        # Another name for a resource: its classes, under this name too (a
        # world's own resources have only the host's).
        if not isinstance(types.resolve.types[resource].owner, ir.WorldOwner):
            handles = types.qualified(resource, places.type_names[resource])
            found.entries.append(ReexportView(name, Code.of(handles)))
        host = types.qualified(resource, places.host_names[resource])
        found.entries.append(ReexportView(places.host_names[type_id], Code.of(host)))
        return
    if home != type_id:
        # A `use`d type: the defining module's names, reachable from here too.
        target = Code.of(types.qualified(home, places.type_names[home]))
        found.entries.append(ReexportView(name, target))
        return
    # Every module that defines a type imports the codecs (a resource's too).
    codecs = types.use(RT_CODEC)
    match kind:
        case ir.RecordKind():
            scope = Namespace(frozenset())
            fields = tuple(
                FieldView(
                    scope.claim(names.function_name(f.name)),
                    f.name,
                    types.either_side(f.type),
                    docstring_text(f.docs, None),
                )
                for f in kind.fields
            )
            field_codecs = Code.tuple_of(
                [
                    Code.of(f"({string(v.name)}, {string(v.wit_name)}, ", types.codec(f.type), ")")
                    for v, f in zip(fields, kind.fields, strict=True)
                ]
            )
            found.entries.append(TypeView("record", name, wit_name, docs, deprecated, fields))
            expr = Code.of(
                codecs.of("RecordCodec"),
                f"({string(wit_name)}, ",
                Local(name),
                ", ",
                field_codecs,
                ")",
            )
        case ir.VariantKind():
            cases = tuple(
                FieldView(
                    names.case_class_name(wit_name, c.name),
                    c.name,
                    (None if c.type is None else types.either_side(c.type)),
                    docstring_text(c.docs, None),
                )
                for c in kind.cases
            )
            classes = tuple(v.name for v in cases)
            found.entries.append(
                TypeView("variant", name, wit_name, docs, deprecated, cases, classes)
            )
            union = Code.join(" | ", [Local(case_class) for case_class in classes])
            found.entries.append(AliasView(name, union, docs, deprecated))
            case_codecs = Code.tuple_of(
                [
                    Code.of(
                        "(",
                        Local(v.name),
                        f", {string(v.wit_name)}, ",
                        "None" if c.type is None else types.codec(c.type),
                        ")",
                    )
                    for v, c in zip(cases, kind.cases, strict=True)
                ]
            )
            expr = Code.of(codecs.of("VariantCodec"), f"({string(wit_name)}, ", case_codecs, ")")
        case ir.EnumKind():
            found.entries.append(
                TypeView("enum", name, wit_name, docs, deprecated, _members(kind.cases))
            )
            expr = Code.of(codecs.of("EnumCodec"), f"({string(wit_name)}, ", Local(name), ")")
        case ir.FlagsKind():
            flags = _members(kind.flags)
            found.entries.append(TypeView("flags", name, wit_name, docs, deprecated, flags))
            wit_names = Code.tuple_of([string(m.wit_name) for m in flags])
            expr = Code.of(
                codecs.of("FlagsCodec"), f"({string(wit_name)}, ", Local(name), ", ", wit_names, ")"
            )
        case ir.ResourceKind():
            found.entries.append(ResourceSlot(wit_name, type_id))
            return
        case (
            ir.AliasKind()
            | ir.HandleKind()
            | ir.TupleKind()
            | ir.OptionKind()
            | ir.ResultKind()
            | ir.ListKind()
            | ir.MapKind()
            | ir.FixedListKind()
            | ir.FutureKind()
            | ir.StreamKind()
        ):
            # `type a = b`, or a named structural type (`type bytes = list<u8>`).
            annotation = types.kind_annotation(kind, "guest")
            found.entries.append(AliasView(name, annotation, docs, deprecated))
            expr = types.kind_codec(kind)
        case _:
            assert_never(kind)
    codec_name = places.codec_names[type_id]
    found.codecs.append((codec_name, expr))


def _members(items: Sequence[ir.EnumCase | ir.Flag]) -> tuple[FieldView, ...]:
    """The members of an enum or flags type: SHOUT_CASE names, in one scope."""
    scope = Namespace(frozenset())
    return tuple(
        FieldView(
            scope.claim(names.constant_name(m.name)), m.name, None, docstring_text(m.docs, None)
        )
        for m in items
    )
