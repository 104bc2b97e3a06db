"""The views of generated modules: what the templates print, every name,
annotation, codec expression and docstring already worked out.

In: what `planner.py` computes from the resolved model.  Out: frozen-ish
records the templates loop over, and the few literals they print (the
`SIGNATURES` dict, `__slots__`...).  Raises nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from witgen import ir
from witgen.codegen.imports import Registry
from witgen.codegen.layout import string
from witgen.codegen.names import PythonName


@dataclass(frozen=True)
class FieldView:
    """A record field, or a variant case (`annotation` None when it has no payload)."""

    name: PythonName
    wit_name: str
    annotation: str | None
    docs: str


@dataclass(frozen=True)
class TypeView:
    """A named type that becomes a class: record, variant, enum, flags."""

    kind: str
    name: PythonName
    wit_name: str
    docs: str
    deprecated: str | None
    fields: tuple[FieldView, ...] = ()  # record fields, or variant/enum/flags cases
    case_classes: tuple[PythonName, ...] = ()  # a variant's case classes


@dataclass(frozen=True)
class AliasView:
    """`Name: typing.TypeAlias = annotation`: a variant's union, a named
    structural type, a `use`d type."""

    name: PythonName
    annotation: str
    docs: str
    deprecated: str | None


@dataclass(frozen=True)
class ParamView:
    name: PythonName
    host_annotation: str
    guest_annotation: str


@dataclass(frozen=True)
class FunctionView:
    """A function as both directions see it."""

    wit_name: str  # the component-model name (`[method]r.m` for a method)
    name: PythonName  # in `Host`/`Exports`/`Imports`, or in its resource's class
    kind: str  # freestanding, constructor, method, static
    params: tuple[ParamView, ...]  # without a method's `self`
    host_result: str  # what the host implementation returns
    guest_result: str  # what a call into the component returns
    raises: str | None  # the `Err` payload annotation when the result is a `result`
    signature: PythonName  # the module variable holding its `rt_calls.Signature`
    call: PythonName  # the `Exports` attribute holding its bound call
    docs: str
    deprecated: str | None


@dataclass(frozen=True)
class ResourceView:
    name: PythonName  # the class of handles to a component's resource
    host_name: PythonName  # the protocol of a host's objects
    wit_name: str
    key: str  # identifies the resource type at run time
    docs: str
    deprecated: str | None
    constructor: FunctionView | None
    methods: tuple[FunctionView, ...]
    statics: tuple[FunctionView, ...]
    drop: PythonName  # the `Host`/`Imports` member told when a component drops one
    drop_param: PythonName  # its parameter
    guest: bool  # whether a component may define it (not a world's own)


@dataclass(frozen=True)
class InterfaceRef:
    """An interface as a world imports or exports it."""

    attribute: PythonName  # in `Imports`/`Exports`
    module: str  # the alias of its module
    wit_name: str  # how the world names it
    has_host_items: bool  # whether a host has anything to implement for it
    docs: str


@dataclass
class ModuleView:
    """One generated module."""

    path: tuple[str, ...]  # package parts, then the module name
    kind: str  # interface, world, package or root
    source: str  # the relative path of the WIT it comes from
    title: str
    docs: str
    use: Registry
    instance: str = ""  # the instance name of an interface
    package: str = ""  # the WIT package it belongs to
    reexports: list[tuple[PythonName, str]] = field(default_factory=list)
    classes: list[TypeView] = field(default_factory=list)
    resources: list[ResourceView] = field(default_factory=list)
    aliases: list[tuple[AliasView, frozenset[str]]] = field(default_factory=list)
    codecs: list[tuple[PythonName, str, frozenset[str]]] = field(default_factory=list)
    signatures: list[tuple[PythonName, str]] = field(default_factory=list)
    # (name in SIGNATURES, or "" for the interface; `rt_wit.Deprecated(...)`)
    deprecations: list[tuple[str, str]] = field(default_factory=list)
    functions: list[FunctionView] = field(default_factory=list)  # interface functions
    imported_functions: list[FunctionView] = field(default_factory=list)  # world
    exported_functions: list[FunctionView] = field(default_factory=list)  # world
    imported_interfaces: list[InterfaceRef] = field(default_factory=list)
    exported_interfaces: list[InterfaceRef] = field(default_factory=list)
    packages: list[tuple[str, str]] = field(default_factory=list)  # root: (module, title)

    @property
    def file_name(self) -> str:
        return "/".join(self.path) + ".py"

    @property
    def has_host_items(self) -> bool:
        return bool(self.functions or self.resources)

    def all_functions(self, direction: str = "") -> list[FunctionView]:
        """Every function of the module (for a world: the imports or the exports),
        resource functions included, in source order."""
        if self.kind == "world" and direction == "export":
            return list(self.exported_functions)
        result = list(self.functions if self.kind == "interface" else self.imported_functions)
        for resource in self.resources:
            if resource.constructor is not None:
                result.append(resource.constructor)
            result.extend(resource.methods)
            result.extend(resource.statics)
        return result

    def signatures_literal(self, direction: str = "") -> str:
        """`{wit name: signature variable}` of `all_functions(direction)`."""
        items = [f"{string(f.wit_name)}: {f.signature}" for f in self.all_functions(direction)]
        return "{" + ", ".join(items) + "}"

    def deprecated_literal(self) -> str:
        """`{wit name: rt_wit.Deprecated(...)}` of the deprecated items."""
        return "{" + ", ".join(f"{string(key)}: {expr}" for key, expr in self.deprecations) + "}"

    def interfaces_literal(self, direction: str) -> str:
        refs = self.imported_interfaces if direction == "import" else self.exported_interfaces
        return "{" + ", ".join(f"{string(ref.wit_name)}: {ref.module}" for ref in refs) + "}"

    def export_functions(self) -> list[FunctionView]:
        """What `Exports` has a method for: functions, constructors, statics.

        A world's own resources are imports (the host defines them), so a
        world's `Exports` has only the functions it exports."""
        if self.kind != "interface":
            return list(self.exported_functions)
        result = list(self.functions)
        for resource in self.resources:
            if resource.constructor is not None:
                result.append(resource.constructor)
            result.extend(resource.statics)
        return result

    def guest_resources_literal(self) -> str:
        """The keys of the resources an interface defines, as a frozenset."""
        if not self.resources:
            return "frozenset()"
        return f"frozenset({{{', '.join(string(r.key) for r in self.resources)}}})"

    def guest_resources_expr(self) -> str:
        """The resources a component of this world defines: those of its exports."""
        if not self.exported_interfaces:
            return "frozenset()"
        parts = [f"{ref.module}.GUEST_RESOURCES" for ref in self.exported_interfaces]
        return " | ".join(parts)

    def export_slots_expr(self) -> str:
        slots = self.export_slots()
        return tuple_expr([string(name) for name in slots]) if slots else "()"

    def export_slots(self) -> list[str]:
        slots = [ref.attribute for ref in self.exported_interfaces]
        slots += [function.call for function in self.export_functions()]
        return sorted(slots)

    def ordered_aliases(self) -> list[AliasView]:
        return _dependencies_first(
            [(view.name, view, deps) for view, deps in self.aliases],
        )

    def ordered_codecs(self) -> list[tuple[PythonName, str]]:
        return _dependencies_first([(name, (name, expr), deps) for name, expr, deps in self.codecs])


T = TypeVar("T")


def _dependencies_first(items: list[tuple[str, T, frozenset[str]]]) -> list[T]:
    """`items` in source order, except that each comes after what it depends on."""
    by_name = {name: (value, deps) for name, value, deps in items}
    done: set[str] = set()
    order: list[T] = []
    for root, _, _ in items:
        stack = [(root, False)]
        while stack:
            name, expanded = stack.pop()
            if name in done or name not in by_name:
                continue
            value, deps = by_name[name]
            if expanded:
                done.add(name)
                order.append(value)
                continue
            stack.append((name, True))
            stack.extend((dep, False) for dep in sorted(deps, reverse=True) if dep not in done)
    return order


def tuple_expr(items: list[str]) -> str:
    """A tuple expression; a trailing comma only where Python needs one."""
    if len(items) == 1:
        return f"({items[0]},)"
    return f"({', '.join(items)})"


def docstring_text(docs: str | None, stability: ir.Stability) -> str:
    """The docstring body of an item: its doc comment, then its gates."""
    lines = docs.split("\n") if docs else []
    gates = []
    if isinstance(stability, ir.Stable):
        gates.append(f"@since(version = {stability.since})")
    elif isinstance(stability, ir.Unstable):
        gates.append(f"@unstable(feature = {stability.feature})")
    if stability is not None and stability.deprecated is not None:
        gates.append(f"@deprecated(version = {stability.deprecated})")
    if gates:
        lines += ["", *gates] if lines else gates
    return "\n".join(lines).strip("\n")


def deprecation(stability: ir.Stability) -> str | None:
    if stability is None or stability.deprecated is None:
        return None
    return f"deprecated since version {stability.deprecated}"
