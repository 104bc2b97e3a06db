"""The views of generated modules: what the templates print, with every name,
annotation, codec expression, docstring and import worked out.

In: what `planner.py` computes from the resolved model.  Out: frozen records
the templates loop over (`InterfaceModule`, `WorldModule`, `PackageModule`,
`RootModule` and their parts), and the few literals the templates print (the
`SIGNATURES` dict, `__slots__`...).  Annotations and expressions are
`imports.Code`, so each knows what it imports and which of the module's own
names it needs defined first.  Raises nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeVar

from witgen import ir
from witgen.codegen.imports import Code, Import, Name
from witgen.codegen.layout import string
from witgen.codegen.names import PythonName
from witgen.codegen.wasi import WASI_HTTP, WASIP2, Provider

# The annotation `None`: what a function that returns nothing returns.
NONE = Code.of("None")


@dataclass(frozen=True, slots=True)
class FieldView:
    """A record field, or a variant case (`annotation` None when it has no payload)."""

    name: PythonName
    wit_name: str
    annotation: Code | None
    docs: str


@dataclass(frozen=True, slots=True)
class ReexportView:
    """`Name = target`: another name for a class, the module's own or another
    module's (a `use`d type, another name for a resource)."""

    definition: ClassVar[Literal["reexport"]] = "reexport"
    name: PythonName
    target: Code

    @property
    def defines(self) -> frozenset[str]:
        return frozenset({self.name})

    @property
    def needs(self) -> frozenset[str]:
        """The module's own names it uses when the module is imported."""
        return self.target.locals


@dataclass(frozen=True, slots=True)
class TypeView:
    """A named type that becomes a class: record, variant, enum, flags."""

    definition: ClassVar[Literal["type"]] = "type"
    kind: Literal["record", "variant", "enum", "flags"]
    name: PythonName
    wit_name: str
    docs: str
    deprecated: str | None
    fields: tuple[FieldView, ...] = ()  # record fields, or variant/enum/flags cases
    case_classes: tuple[PythonName, ...] = ()  # a variant's case classes

    @property
    def defines(self) -> frozenset[str]:
        return frozenset({self.name, *self.case_classes})

    @property
    def needs(self) -> frozenset[str]:
        """Nothing: the annotations of a class's fields are not evaluated."""
        return frozenset()


@dataclass(frozen=True, slots=True)
class AliasView:
    """`Name: typing.TypeAlias = annotation`: a variant's union, a named
    structural type, a `use`d type."""

    definition: ClassVar[Literal["alias"]] = "alias"
    name: PythonName
    annotation: Code
    docs: str
    deprecated: str | None

    @property
    def defines(self) -> frozenset[str]:
        return frozenset({self.name})

    @property
    def needs(self) -> frozenset[str]:
        """The module's own names it uses when the module is imported."""
        return self.annotation.locals


@dataclass(frozen=True, slots=True)
class ParamView:
    name: PythonName
    host_annotation: Code
    guest_annotation: Code


@dataclass(frozen=True, slots=True)
class FunctionView:
    """A function as both directions see it."""

    wit_name: str  # the component-model name (`[method]r.m` for a method)
    name: PythonName  # in `Host`/`Exports`/`Imports`, or in its resource's class
    kind: ir.FunctionKindName  # freestanding, constructor, method, static
    params: tuple[ParamView, ...]  # without a method's `self`
    host_result: Code  # what the host implementation returns
    guest_result: Code  # what a call into the component returns
    raises: Code | None  # the `Err` payload annotation when the result is a `result`
    signature: PythonName  # the module variable holding its `rt_calls.Signature`
    call: PythonName  # the `Exports` attribute holding its bound call
    docs: str
    deprecated: str | None

    @property
    def guest_returns_none(self) -> bool:
        """Whether a call into the component returns nothing."""
        return self.guest_result == NONE


@dataclass(frozen=True, slots=True)
class UnbindableView:
    """A function wasmtime-py 50 can neither call nor define: left out of the
    bindings, listed with the reason in the module's `UNBINDABLE`."""

    wit_name: str  # the component-model name (`[method]r.m` for a method)
    reason: str
    trap: bool  # whether an import of it can be linked as a trap (not an async one)


@dataclass(frozen=True, slots=True)
class ResourceView:
    definition: ClassVar[Literal["resource"]] = "resource"
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

    def functions(self) -> list[FunctionView]:
        """Its constructor, methods and statics, in that order."""
        head = [self.constructor] if self.constructor is not None else []
        return [*head, *self.methods, *self.statics]

    @property
    def defines(self) -> frozenset[str]:
        """Its classes: handles to a component's (not for a world's own), the host's protocol."""
        return frozenset({self.name, self.host_name} if self.guest else {self.host_name})

    @property
    def needs(self) -> frozenset[str]:
        """Nothing: the annotations of its methods are not evaluated."""
        return frozenset()


# One named type's definitions, as a module holds them: a unit of its order.
DefinitionView = ReexportView | TypeView | ResourceView | AliasView


@dataclass(frozen=True, slots=True)
class InterfaceRef:
    """An interface as a world imports or exports it."""

    attribute: PythonName  # in `Imports`/`Exports`
    module: Name  # its module, as the world's module imports it
    wit_name: str  # how the world names it
    has_host_items: bool  # whether a host has anything to implement for it
    docs: str
    # An import wasmtime implements: the `Linker` method that links it
    # (`codegen.wasi`); None for one the host implements.
    provider: Provider | None = None


# ---------------------------------------------------------------- modules


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleView:
    """What every generated module has."""

    kind: ClassVar[Literal["interface", "world", "package", "root"]]
    path: tuple[str, ...]  # package parts, then the module name
    source: str  # the relative path of the WIT it comes from
    title: str = ""
    docs: str = ""
    # What its views use; the templates add what they print themselves.
    imports: frozenset[Import] = frozenset()

    @property
    def file_name(self) -> str:
        return "/".join(self.path) + ".py"


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageModule(ModuleView):
    """The `__init__` of a WIT package's Python package: its docs only."""

    kind: ClassVar[Literal["package"]] = "package"


@dataclass(frozen=True, slots=True, kw_only=True)
class RootModule(ModuleView):
    """The `__init__` of the output package: which Python package is which WIT package."""

    kind: ClassVar[Literal["root"]] = "root"
    packages: tuple[tuple[str, str], ...] = ()  # (Python package, WIT package)


@dataclass(frozen=True, slots=True, kw_only=True)
class BindingsModule(ModuleView):
    """What the modules of interfaces and worlds have: their named types and the
    module variables that carry values (codecs, signatures)."""

    package: str  # the WIT package it belongs to
    # Its named types' definitions, in the order they are written (`in_dependency_order`).
    definitions: tuple[DefinitionView, ...] = ()
    codecs: tuple[tuple[PythonName, Code], ...] = ()
    signatures: tuple[tuple[PythonName, Code], ...] = ()

    @property
    def reexports(self) -> tuple[tuple[PythonName, Code], ...]:
        """`(name, target)` of its other names for classes (`use`d types among them)."""
        return tuple((d.name, d.target) for d in self.definitions if isinstance(d, ReexportView))

    @property
    def classes(self) -> tuple[TypeView, ...]:
        return tuple(d for d in self.definitions if isinstance(d, TypeView))

    @property
    def resources(self) -> tuple[ResourceView, ...]:
        return tuple(d for d in self.definitions if isinstance(d, ResourceView))

    @property
    def aliases(self) -> tuple[AliasView, ...]:
        return tuple(d for d in self.definitions if isinstance(d, AliasView))

    def resource_functions(self) -> list[FunctionView]:
        return [function for resource in self.resources for function in resource.functions()]

    def ordered_codecs(self) -> list[tuple[PythonName, Code]]:
        """The codecs in source order, except that each comes after those it uses."""
        return in_dependency_order(
            [(frozenset({name}), expr.locals, (name, expr)) for name, expr in self.codecs]
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class InterfaceModule(BindingsModule):
    """An interface: its types, `Host`, `add_to_linker` and `Exports`."""

    kind: ClassVar[Literal["interface"]] = "interface"
    instance: str  # the name components import and export it under
    # (name in SIGNATURES, or "" for the interface itself; `rt_wit.Deprecated(...)`)
    deprecations: tuple[tuple[str, Code], ...] = ()
    functions: tuple[FunctionView, ...] = ()
    unbindable: tuple[UnbindableView, ...] = ()

    @property
    def has_host_items(self) -> bool:
        return bool(self.functions or self.resources)

    @property
    def has_traps(self) -> bool:
        """Whether `add_to_linker` links a function it leaves out as a trap."""
        return any(view.trap for view in self.unbindable)

    def all_functions(self) -> list[FunctionView]:
        """Every function of the interface, resource functions included."""
        return [*self.functions, *self.resource_functions()]

    def signatures_literal(self) -> str:
        """`{wit name: signature variable}` of every function."""
        return _signatures_literal(self.all_functions())

    def unbindable_literal(self) -> str:
        """`{wit name: reason}` of the functions left out of the bindings."""
        return _unbindable_literal(self.unbindable)

    def deprecated_literal(self) -> str:
        """`{wit name: rt_wit.Deprecated(...)}` of the deprecated items."""
        return "{" + ", ".join(f"{string(key)}: {expr}" for key, expr in self.deprecations) + "}"

    def export_functions(self) -> list[FunctionView]:
        """What `Exports` has a method for: functions, constructors, statics."""
        result = list(self.functions)
        for resource in self.resources:
            if resource.constructor is not None:
                result.append(resource.constructor)
            result.extend(resource.statics)
        return result

    def guest_resources_literal(self) -> str:
        """The keys of the resources the interface defines, as a frozenset."""
        if not self.resources:
            return "frozenset()"
        return f"frozenset({{{', '.join(string(r.key) for r in self.resources)}}})"

    def export_slots_expr(self) -> str:
        return _slots([function.call for function in self.export_functions()])


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldModule(BindingsModule):
    """A world: `Imports`, `add_to_linker`, `Exports` and `instantiate`."""

    kind: ClassVar[Literal["world"]] = "world"
    imported_functions: tuple[FunctionView, ...] = ()
    exported_functions: tuple[FunctionView, ...] = ()
    imported_interfaces: tuple[InterfaceRef, ...] = ()
    exported_interfaces: tuple[InterfaceRef, ...] = ()
    unbindable_imports: tuple[UnbindableView, ...] = ()  # its own functions and its resources'
    unbindable_exports: tuple[UnbindableView, ...] = ()

    @property
    def has_traps(self) -> bool:
        """Whether `add_to_linker` links a function it leaves out as a trap."""
        return any(view.trap for view in self.unbindable_imports)

    @property
    def has_host_imports(self) -> bool:
        """Whether the host implements anything of what the world imports."""
        return bool(
            self.imported_functions
            or self.resources
            or any(ref.has_host_items and ref.provider is None for ref in self.imported_interfaces)
        )

    def wasmtime_calls(self) -> list[str]:
        """The `Linker` methods that link the imports wasmtime implements, in order."""
        providers = {ref.provider for ref in self.imported_interfaces} - {None}
        calls: list[str] = [WASIP2] if providers else []  # `add_wasi_http` needs it too
        if WASI_HTTP in providers:
            calls.append(WASI_HTTP)
        return calls

    def wasmtime_literal(self) -> str:
        """`{import name: Linker method}` of the imports wasmtime implements."""
        items = [
            f"{string(ref.wit_name)}: {string(ref.provider)}"
            for ref in self.imported_interfaces
            if ref.provider is not None
        ]
        return "{" + ", ".join(items) + "}"

    def unbindable_literal(self, direction: Literal["import", "export"]) -> str:
        """`{wit name: reason}` of the functions of `direction` left out of the bindings."""
        views = self.unbindable_imports if direction == "import" else self.unbindable_exports
        return _unbindable_literal(views)

    def all_functions(self, direction: Literal["import", "export"]) -> list[FunctionView]:
        """Every function the world imports (its resources' included) or exports."""
        if direction == "export":
            return list(self.exported_functions)
        return [*self.imported_functions, *self.resource_functions()]

    def signatures_literal(self, direction: Literal["import", "export"]) -> str:
        """`{wit name: signature variable}` of `all_functions(direction)`."""
        return _signatures_literal(self.all_functions(direction))

    def interfaces_literal(self, direction: Literal["import", "export"]) -> str:
        refs = self.imported_interfaces if direction == "import" else self.exported_interfaces
        return "{" + ", ".join(f"{string(ref.wit_name)}: {ref.module}" for ref in refs) + "}"

    def export_functions(self) -> list[FunctionView]:
        """What `Exports` has a method for: the functions the world exports.

        A world's own resources are imports (the host defines them), so a
        world's `Exports` has only the functions it exports."""
        return list(self.exported_functions)

    def guest_resources_expr(self) -> str:
        """The resources a component of this world defines: those of its exports."""
        if not self.exported_interfaces:
            return "frozenset()"
        return " | ".join(f"{ref.module}.GUEST_RESOURCES" for ref in self.exported_interfaces)

    def export_slots_expr(self) -> str:
        slots = [ref.attribute for ref in self.exported_interfaces]
        return _slots(slots + [function.call for function in self.export_functions()])


Module = InterfaceModule | WorldModule | PackageModule | RootModule


def _signatures_literal(functions: list[FunctionView]) -> str:
    items = [f"{string(f.wit_name)}: {f.signature}" for f in functions]
    return "{" + ", ".join(items) + "}"


def _unbindable_literal(views: Sequence[UnbindableView]) -> str:
    return "{" + ", ".join(f"{string(v.wit_name)}: {string(v.reason)}" for v in views) + "}"


def _slots(slots: Sequence[str]) -> str:
    """A `__slots__` tuple of `slots`, sorted."""
    return str(Code.tuple_of([string(name) for name in sorted(slots)])) if slots else "()"


T = TypeVar("T")


def in_dependency_order(items: Sequence[tuple[frozenset[str], frozenset[str], T]]) -> list[T]:
    """The values of `items` (`(names it defines, names it needs, value)`) in
    their order, except that each comes after the items defining what it needs
    (a depth-first topological order, so it is stable: an item moves only when
    something it needs comes later).  Needs that no item defines are ignored,
    and so is a need that would close a cycle (WIT has none among the
    definitions a module evaluates)."""
    definer: dict[str, int] = {}
    for index, (defines, _, _) in enumerate(items):
        for name in defines:
            definer.setdefault(name, index)
    done: set[int] = set()
    started: set[int] = set()
    order: list[T] = []
    for root in range(len(items)):
        stack = [(root, False)]
        while stack:
            index, expanded = stack.pop()
            if index in done or (index in started and not expanded):
                continue
            if expanded:
                done.add(index)
                order.append(items[index][2])
                continue
            started.add(index)
            stack.append((index, True))
            needed = sorted({definer[name] for name in items[index][1] if name in definer})
            stack.extend((dep, False) for dep in reversed(needed) if dep not in started)
    return order


# ---------------------------------------------------------------- docs


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
