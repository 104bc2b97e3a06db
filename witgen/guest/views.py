"""What the guest templates print: the world as componentize-py's bindings see it.

In: an `ir.Resolve`, the name of a world of its main package, and the name of
the component.  Out: a `GuestView`:

* one `ExportClassView` per exported interface (plus `WitWorld` for functions
  the world exports itself), for `app.py`, with every method's
  componentize-py annotation and the kind of body its stub gets;
* one `ResourceModuleView` per exported interface that defines resources: the
  module componentize-py imports the classes of those resources from (named
  like the interface's module, `<name>.py` beside `app.py`), a class per
  resource with its constructor (`__init__`), methods and statics
  (`@classmethod`s);
* one `ImportView` per imported interface that has functions (and one,
  `WitWorld`, for the functions the world imports itself), for the typed
  wrappers of `wit_imports.py`: a static method per function and a nested
  class per resource, whose static methods take the resource first.

Raises `WitError` with one diagnostic per place (and its location) that uses
what componentize-py 0.25.1 cannot build: maps, fixed-size lists,
`error-context` (its build panics), an exported interface with no type and no
function (its build fails), resources a world defines itself (used or not: its
build looks for the class in `wit_world`, which its bindings never define), an
exported resource without functions (its bindings are not valid Python), and an
exported resource whose module would hide another module.  A world that
exports nothing gets an `app.py` with no class.

Names (made in `witgen.codegen.names`) and annotations are exactly
componentize-py 0.25's (`src/summary.rs`): interface modules
`wit_world.imports.<name>` and `wit_world.exports.<name>`, where `<name>` is the
interface's name, or `<ns>-<pkg>-<name>[-<version>]` when two packages of the
world have an interface of that name; a named type is `<module>.<Type>`, taken
from `wit_world.imports` when the world imports the interface too;
`list<u8>` is `bytes`, `option<T>` is `T | None` (`Some[T] | None` when T is
itself an option), a `result` parameter is `Result[T, E]`, a function
returning a `result` returns its ok type and raises `Err(E)`; a handle
(`own<r>`, `borrow<r>`) is the resource's class, `Self` in the resource's own
functions; `stream<u8>` is `ByteStreamReader`, `stream<T>` `StreamReader[T]`,
`future<T>` `FutureReader[T]` (`componentize_py_async_support`),
`error-context` an `int`; an `async func` is a coroutine (`async def`).
Annotations and default values are `Code` (`witgen.codegen.imports`), so each
file imports exactly what its code uses, through the same import registry as
the bindings.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, assert_never

from witgen import ir
from witgen.codegen.imports import Code, Import, ImportFrom, ImportModule, Name, Registry
from witgen.codegen.names import (
    GUEST_IMPORT_CONSTRUCTOR,
    GUEST_WORLD_CLASS,
    GUEST_WORLD_MODULE,
    Namespace,
    PythonName,
    guest_case_class_name,
    guest_constant_name,
    guest_function_name,
    guest_interface_names,
    guest_module_name,
    guest_type_name,
)
from witgen.conventions import capabilities
from witgen.diagnostics import Diagnostic, SourceMap, Span, WitError
from witgen.resolve.select import select_world

LIFECYCLE = ("airssys", "component-core", "component-lifecycle")

# Modules an exported resource's module must not be named like: the app's own
# (componentize-py's main module, witgen's wrappers), componentize-py's, and those
# of the standard library of the CPython componentize-py 0.25.1 bundles (3.14):
# it imports those first, so a class in a module of the app of that name is never
# found (`module 'types' has no attribute 'Thing'`).
APP_MODULES = frozenset({"app", "wit_imports"})
COMPONENTIZE_PY_MODULES = frozenset(
    {
        GUEST_WORLD_MODULE,
        "componentize_py_types",
        "componentize_py_runtime",
        "componentize_py_async_support",
        "poll_loop",
    }
)
# This interpreter's list, less what 3.12 and 3.13 removed (PEP 594, PEP 632), plus
# what 3.14 added.
_REMOVED_BY_3_14 = frozenset(
    {
        "aifc", "asynchat", "asyncore", "audioop", "cgi", "cgitb", "chunk", "crypt",
        "distutils", "imghdr", "imp", "lib2to3", "mailcap", "msilib", "nis", "nntplib",
        "ossaudiodev", "pipes", "smtpd", "sndhdr", "spwd", "sunau", "telnetlib", "uu",
        "xdrlib",
    }
)  # fmt: skip
GUEST_STDLIB_MODULES = frozenset(sys.stdlib_module_names) - _REMOVED_BY_3_14 | {
    "annotationlib",
    "compression",
}

# Body kinds a stub method gets (the templates print one per kind).
#   init       keep the configuration in `State` and accept it
#   echo       return the operation unchanged (`execute`)
#   reject     refuse with the error case `error` (messages nobody asked for)
#   noop       do nothing and succeed (the contract allows it)
#   healthy    report healthy
#   value      return `value` (metadata)
#   raise-err  raise `Err(error)`: the function is not written yet, and the WIT
#              error type says so (a string, or a case such as `unsupported`)
#   unwritten  raise `NotImplementedError` naming the function: no WIT error case
#              can say it is not written yet
BodyKind = Literal["init", "echo", "reject", "noop", "healthy", "value", "raise-err", "unwritten"]
BODY_KINDS: tuple[BodyKind, ...] = (
    "init",
    "echo",
    "reject",
    "noop",
    "healthy",
    "value",
    "raise-err",
    "unwritten",
)

# How a stub method is defined: `def f(self, ...)`, `def __init__(self, ...)`, or
# `@classmethod def f(cls, ...)` (componentize-py's protocols make a resource's
# static functions class methods).
MethodKind = Literal["method", "constructor", "static"]

# Error cases that say "not written yet" without a message.
NOT_WRITTEN_CASES = (
    "unsupported",
    "not-supported",
    "not-implemented",
    "unimplemented",
    "internal-error",
    "internal",
)

# ---------------------------------------------------------------- imports

# What the files import, as componentize-py's bindings are imported: `typing`'s
# generics first, in a group of their own (`List`, not `list`, which a method
# of the same name would hide), then the bindings and their types.
_TYPING, _BINDINGS = 0, 1
LIST = Name(ImportFrom("typing", "List", _TYPING))
TUPLE = Name(ImportFrom("typing", "Tuple", _TYPING))
SELF = Name(ImportFrom("typing", "Self", _TYPING))
ERR = Name(ImportFrom("componentize_py_types", "Err", _BINDINGS))
OK = Name(ImportFrom("componentize_py_types", "Ok", _BINDINGS))
RESULT = Name(ImportFrom("componentize_py_types", "Result", _BINDINGS))
SOME = Name(ImportFrom("componentize_py_types", "Some", _BINDINGS))
_STREAMS = "componentize_py_async_support.streams"
BYTE_STREAM_READER = Name(ImportFrom(_STREAMS, "ByteStreamReader", _BINDINGS))
STREAM_READER = Name(ImportFrom(_STREAMS, "StreamReader", _BINDINGS))
FUTURE_READER = Name(ImportFrom("componentize_py_async_support.futures", "FutureReader", _BINDINGS))
WIT_WORLD = Name(ImportModule(GUEST_WORLD_MODULE, _BINDINGS))
EXPORTS = Name(ImportFrom(GUEST_WORLD_MODULE, "exports", _BINDINGS))

# The names those imports bind, which a wrapper's parameter must not hide.
IMPORTED_NAMES = frozenset(
    {
        "List",
        "Tuple",
        "Self",
        "Err",
        "Ok",
        "Result",
        "Some",
        "ByteStreamReader",
        "StreamReader",
        "FutureReader",
        GUEST_WORLD_MODULE,
        "exports",
    }
)


def interface_module(name: str, exported: bool) -> Name:
    """componentize-py's module of an interface: `wit_world.exports.<name>` or
    `wit_world.imports.<name>`."""
    package = f"{GUEST_WORLD_MODULE}.exports" if exported else f"{GUEST_WORLD_MODULE}.imports"
    return Name(ImportFrom(package, name, _BINDINGS))


def qualified_module(name: str, exported: bool) -> Name:
    """The same module imported whole (`import wit_world.exports.<name>`), for a
    file that needs both the exported and the imported module of one interface."""
    package = f"{GUEST_WORLD_MODULE}.exports" if exported else f"{GUEST_WORLD_MODULE}.imports"
    return Name(ImportModule(f"{package}.{name}", _BINDINGS))


NONE = Code.of("None")
BYTES = Code.of("bytes")
INT = Code.of("int")


# ---------------------------------------------------------------- views


@dataclass(frozen=True, slots=True)
class ParamView:
    name: PythonName
    annotation: Code


@dataclass(frozen=True, slots=True)
class MethodView:
    """A method of a class the author writes (`app.py`, a resource module)."""

    name: PythonName  # `__init__` for a constructor
    wit_name: str  # the component-model name: `f`, `[method]r.m`, `[constructor]r`
    kind: MethodKind
    is_async: bool
    params: tuple[ParamView, ...]  # without `self` / `cls`
    returns: Code  # the annotation of what the Python function returns
    error: Code | None  # the annotation of the `Err` value it may raise
    docs: str
    body: BodyKind
    value: Code | None = None  # `value`: the expression; `raise-err`, `reject`: the error
    config_param: PythonName | None = None  # body `init`: the parameter to keep
    echo_param: PythonName | None = None  # body `echo`: the parameter to return

    @property
    def first(self) -> str:
        """The implicit first parameter: `cls` for a static function, else `self`."""
        return "cls" if self.kind == "static" else "self"

    def codes(self) -> Iterable[Code]:
        """Every piece of code the method prints."""
        yield from (param.annotation for param in self.params)
        yield self.returns
        if self.value is not None:
            yield self.value


@dataclass(frozen=True, slots=True)
class ExportClassView:
    """A class the author writes: an exported interface (`app.py`), the world's
    own functions (`WitWorld`), or an exported resource (its module)."""

    name: PythonName  # the class (and the protocol of `wit_world` it implements)
    # `exports.ComponentLifecycle`, `wit_world.WitWorld`, `counters.Counter`; None
    # where componentize-py writes no protocol (see `_Planner._has_protocol`)
    base: Name | None
    wit_name: str  # the interface, the world, or the resource's name
    docs: str
    methods: tuple[MethodView, ...]
    interface: str | None = None  # an exported resource's interface

    def imports(self) -> set[Import]:
        used: set[Import] = set() if self.base is None else {self.base.source}
        for method in self.methods:
            for code in method.codes():
                used.update(code.imports)
            if method.body in ("reject", "raise-err"):
                used.add(ERR.source)
        return used


@dataclass(frozen=True, slots=True)
class ResourceModuleView:
    """The module componentize-py imports an exported interface's resources from."""

    module: PythonName  # `counters`: the file is `counters.py`
    wit_name: str  # the interface
    classes: tuple[ExportClassView, ...]

    @property
    def file(self) -> str:
        return f"{self.module}.py"

    def module_imports(self) -> list[list[str]]:
        """The import statements of the module, in groups: what its code uses."""
        registry = Registry()
        for view in self.classes:
            registry.add(*view.imports())
        return registry.statements()


@dataclass(frozen=True, slots=True)
class ImportFunctionView:
    """A typed wrapper of an imported function (a static method)."""

    name: PythonName
    params: tuple[ParamView, ...]
    returns: Code  # what componentize-py's function returns
    error: Code | None  # with a WIT error case, the wrapper returns Result[returns, error]
    docs: str
    is_async: bool
    call: Code  # the call of componentize-py's function, with the parameters

    @property
    def returns_none(self) -> bool:
        return str(self.returns) == "None"

    def codes(self) -> Iterable[Code]:
        yield from (param.annotation for param in self.params)
        yield self.returns
        yield self.call
        if self.error is not None:
            yield self.error


@dataclass(frozen=True, slots=True)
class ImportResourceView:
    """The wrappers of an imported resource's functions: a class nested in its
    interface's, named like the resource."""

    name: PythonName
    wit_name: str
    docs: str
    functions: tuple[ImportFunctionView, ...]


@dataclass(frozen=True, slots=True)
class ImportView:
    name: PythonName  # the wrapper class
    wit_name: str
    docs: str
    functions: tuple[ImportFunctionView, ...]
    resources: tuple[ImportResourceView, ...] = ()

    def all_functions(self) -> Iterable[ImportFunctionView]:
        yield from self.functions
        for resource in self.resources:
            yield from resource.functions


@dataclass(frozen=True, slots=True)
class GuestView:
    world: str  # `ns:pkg/world@version`
    world_name: str  # its name in its package, as componentize-py's `-w` takes it
    world_docs: str
    component: str  # the component's name (the manifest's, the metadata's)
    source: str  # the WIT path, relative to the app folder, for the header
    exports: tuple[ExportClassView, ...]
    resource_modules: tuple[ResourceModuleView, ...]
    imports: tuple[ImportView, ...]
    state_type: Code | None  # what `init` keeps (its parameter's annotation), if it does
    grants: tuple[tuple[str, tuple[str, ...]], ...]
    caught: PythonName  # what a wrapper calls the `Err` it catches (never a module's name)

    def app_imports(self) -> list[list[str]]:
        """The import statements of `app.py`, in groups: what its code uses."""
        registry = Registry()
        if self.state_type is not None:
            registry.add(*self.state_type.imports)
        for export in self.exports:
            registry.add(*export.imports())
        return registry.statements()

    def wrapper_imports(self) -> list[list[str]]:
        """The import statements of `wit_imports.py`, in groups: what its code uses."""
        registry = Registry()
        for item in self.imports:
            for function in item.all_functions():
                for code in function.codes():
                    registry.add(*code.imports)
                if function.error is not None:
                    registry.add(OK.source, ERR.source, RESULT.source)
        return registry.statements()


def plan_guest(
    resolve: ir.Resolve, sources: SourceMap, world_name: str | None, component: str, source: str
) -> GuestView:
    """The view of `world_name` of the main package, or of its only world with `None`
    (see the module docstring)."""
    world_id = select_world(resolve, world_name)
    return _Planner(resolve, sources, world_id, component, source).plan()


@dataclass(frozen=True, slots=True)
class _Body:
    """What a stub method does (`MethodView`'s fields of the same names)."""

    body: BodyKind
    value: Code | None = None
    config_param: PythonName | None = None
    echo_param: PythonName | None = None


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a type is used: for diagnostics (`where`, `span`) and for `Self`
    (the resource whose own function it is, in a class that implements or
    stands for it)."""

    where: str
    span: Span | None
    self_resource: ir.TypeId | None = None


@dataclass(frozen=True, slots=True)
class _Signature:
    params: tuple[ParamView, ...]
    returns: Code
    error: Code | None  # the `Err` value's annotation, for a function returning a result
    is_result: bool
    err_type: ir.Type | None


class _Planner:
    def __init__(
        self,
        resolve: ir.Resolve,
        sources: SourceMap,
        world_id: ir.WorldId,
        component: str,
        source: str,
    ) -> None:
        self.resolve = resolve
        self.sources = sources
        self.world = resolve.worlds[world_id]
        package = resolve.packages[resolve.main].name
        self.world_text = package.interface_id(self.world.name)
        self.component = component
        self.source = source
        self.state_type: Code | None = None
        self.problems: list[Diagnostic] = []
        self.modules = guest_interface_names(resolve, self.world)
        # Names a wrapper's parameter must not take: the modules and names
        # `wit_imports.py` imports, which its bodies call.
        module_names = {guest_module_name(name) for name in self.modules.values()}
        self.caught = PythonName("error_" if "error" in module_names else "error")
        self.reserved = frozenset(IMPORTED_NAMES | module_names | {self.caught})

    def _types_exported(self, interface_id: ir.InterfaceId) -> bool:
        """Whether componentize-py puts the interface's types in `wit_world.exports`:
        when the world exports it and does not import it too (its
        `interface_package`)."""

        def among(items: tuple[tuple[ir.WorldKey, ir.WorldItem], ...]) -> bool:
            return any(
                isinstance(item, ir.InterfaceItem) and item.interface == interface_id
                for _, item in items
            )

        return among(self.world.exports) and not among(self.world.imports)

    def _problem(self, message: str, span: Span | None) -> None:
        diagnostic = Diagnostic(message, span)
        if diagnostic not in self.problems:
            self.problems.append(diagnostic)

    def _unsupported(self, place: _Place, what: str) -> None:
        self._problem(
            f"{place.where}: uses {what}, which componentize-py 0.25.1 does not support, "
            "so no stub of it can build",
            place.span,
        )

    # ------------------------------------------------------------ annotations

    def annotation(self, ty: ir.Type, place: _Place) -> Code:
        """`ty` as componentize-py annotates it."""
        if not isinstance(ty, int):
            if ty == "error-context":  # its bindings are an `int`; its build panics
                self._unsupported(place, "`error-context`")
            return Code.of(_PRIMITIVE_ANNOTATIONS.get(ty, "int"))
        typedef = self.resolve.types[ty]
        kind = typedef.kind
        match kind:
            case ir.AliasKind():
                return self.annotation(kind.type, place)
            case ir.RecordKind() | ir.VariantKind() | ir.EnumKind() | ir.FlagsKind():
                return Code.of(self._named(typedef))
            case ir.ResourceKind():
                return self._handle(ty, place)
            case ir.HandleKind():
                return self._handle(kind.resource, place)
            case ir.OptionKind():
                inner = self.annotation(kind.type, place)
                if self._is_option(kind.type):
                    return Code.of(SOME, "[", inner, "] | None")
                return Code.of(inner, " | None")
            case ir.ResultKind():
                ok = self.annotation(kind.ok, place) if kind.ok is not None else NONE
                err = self.annotation(kind.err, place) if kind.err is not None else NONE
                return Code.of(RESULT, "[", ok, ", ", err, "]")
            case ir.ListKind():
                if kind.type in ("u8", "s8"):
                    return BYTES
                return Code.of(LIST, "[", self.annotation(kind.type, place), "]")
            case ir.TupleKind():
                items = [self.annotation(t, place) for t in kind.types]
                return Code.of(TUPLE, "[", Code.join(", ", items), "]")
            case ir.StreamKind():
                if kind.type in ("u8", "s8"):
                    return Code.of(BYTE_STREAM_READER)
                inner = NONE if kind.type is None else self.annotation(kind.type, place)
                return Code.of(STREAM_READER, "[", inner, "]")
            case ir.FutureKind():
                inner = NONE if kind.type is None else self.annotation(kind.type, place)
                return Code.of(FUTURE_READER, "[", inner, "]")
            case ir.MapKind():
                self._unsupported(place, "a map (`map<K, V>`)")
                return Code.of("object")
            case ir.FixedListKind():
                self._unsupported(place, "a fixed-size list (`list<T, N>`)")
                return Code.of("object")
            case _:
                assert_never(kind)

    def _handle(self, resource: ir.TypeId, place: _Place) -> Code:
        """A handle of `resource` (`own` and `borrow` alike): its class, `Self` in
        its own functions."""
        resolved = self.resource_of(resource)
        if resolved == place.self_resource:
            return Code.of(SELF)
        typedef = self.resolve.types[resolved]
        if isinstance(typedef.owner, ir.WorldOwner):
            self._world_resource(typedef)
        return Code.of(self._named(typedef))

    def _world_resource(self, typedef: ir.TypeDef) -> None:
        self._problem(
            f"world `{self.world_text}` defines resource `{typedef.name}`, which "
            "componentize-py 0.25.1 does not support (its build looks for the class "
            "in `wit_world`, which its bindings never define), so no stub of it can build",
            typedef.span,
        )

    def resource_of(self, ty: ir.TypeId) -> ir.TypeId:
        """The resource definition `ty` names, through `use` and `type` aliases."""
        resolved = self.resolve.resolved(ty)
        assert isinstance(resolved, int)
        return resolved

    def _is_option(self, ty: ir.Type) -> bool:
        resolved = self.resolve.resolved(ty)
        return isinstance(resolved, int) and isinstance(
            self.resolve.types[resolved].kind, ir.OptionKind
        )

    def _named(self, typedef: ir.TypeDef, member: str | None = None) -> Name:
        """A named type's class (or `member`, another class of its module) as
        componentize-py's bindings have it."""
        assert typedef.name is not None
        name = member if member is not None else guest_type_name(typedef.name)
        owner = typedef.owner
        if isinstance(owner, ir.InterfaceOwner):
            module = self._module_of(owner.interface)
            return interface_module(module, self._types_exported(owner.interface)).of(name)
        return WIT_WORLD.of(name)

    def _module_of(self, interface_id: ir.InterfaceId) -> PythonName:
        interface = self.resolve.interfaces[interface_id]
        return guest_module_name(self.modules.get(interface_id, interface.name or ""))

    def _case_class(self, typedef: ir.TypeDef, case: ir.Case) -> Name:
        """The class of a variant's case."""
        assert typedef.name is not None
        return self._named(typedef, guest_case_class_name(typedef.name, case.name))

    def _signature(
        self, function: ir.Function, where: str, self_resource: ir.TypeId | None
    ) -> _Signature:
        """Parameters (without a method's `self`) and result as componentize-py
        types them; a constructor returns None (it is `__init__`)."""
        declared = function.params[1:] if function.kind.endswith("method") else function.params
        params = tuple(
            ParamView(
                guest_function_name(param.name),
                self.annotation(param.type, _Place(where, param.span, self_resource)),
            )
            for param in declared
        )
        place = _Place(where, function.span, self_resource)
        result = function.result
        if result is None:
            return _Signature(params, NONE, None, False, None)
        kind = self.resolve.types[result].kind if isinstance(result, int) else None
        if isinstance(kind, ir.ResultKind):
            ok = self.annotation(kind.ok, place) if kind.ok is not None else NONE
            err = self.annotation(kind.err, place) if kind.err is not None else NONE
            if function.kind == "constructor":
                ok = NONE
            return _Signature(params, ok, err, True, kind.err)
        if function.kind == "constructor":
            return _Signature(params, NONE, None, False, None)
        return _Signature(params, self.annotation(result, place), None, False, None)

    # ------------------------------------------------------------ bodies

    def default_value(self, ty: ir.Type, overrides: dict[str, str]) -> Code:
        """A Python expression of a plain value of `ty` (`""`, `0`, `[]`, the first
        case); `overrides` gives a record field's value by its WIT name."""
        ty = self.resolve.resolved(ty)
        if not isinstance(ty, int):
            return Code.of(_PRIMITIVE_DEFAULTS.get(ty, "0"))
        typedef = self.resolve.types[ty]
        annotation = self.annotation(ty, _Place("metadata", typedef.span))
        kind = typedef.kind
        match kind:
            case ir.RecordKind():
                fields = []
                for f in kind.fields:
                    default = self.default_value(f.type, overrides)
                    value = overrides.get(f.name, default)
                    fields.append(Code.of(f"{guest_function_name(f.name)}=", value))
                return Code.of(annotation, "(", Code.join(", ", fields), ")")
            case ir.EnumKind():
                return Code.of(annotation, f".{guest_constant_name(kind.cases[0].name)}")
            case ir.FlagsKind():
                return Code.of(annotation, "(0)")
            case ir.VariantKind():
                case = kind.cases[0]
                payload = "" if case.type is None else self.default_value(case.type, overrides)
                return Code.of(self._case_class(typedef, case), "(", payload, ")")
            case ir.ListKind():
                return Code.of('b""' if kind.type in ("u8", "s8") else "[]")
            case ir.TupleKind():
                items = [self.default_value(t, overrides) for t in kind.types]
                return Code.tuple_of(items)
            case (
                ir.OptionKind()
                | ir.ResultKind()
                | ir.AliasKind()
                | ir.ResourceKind()
                | ir.HandleKind()
                | ir.MapKind()
                | ir.FixedListKind()
                | ir.FutureKind()
                | ir.StreamKind()
            ):
                return NONE
            case _:
                assert_never(kind)

    def error_case(
        self, error: ir.Type | None, preferred: tuple[str, ...], message: str
    ) -> Code | None:
        """`Err(...)`'s value that says "not written yet" for an error of type
        `error`: the message itself for a string; for a variant, the first of the
        `preferred` cases carrying a string or nothing, else its first case carrying
        a string (with the message); for an enum, the first `preferred` case.  None
        when no value of the type says it (`result<T>`, other types, an enum
        without such a case): a wrong error would pass for a real one."""
        if error is None:
            return None
        error = self.resolve.resolved(error)
        if error == "string":
            return Code.of(repr(message))
        if not isinstance(error, int):
            return None
        typedef = self.resolve.types[error]
        annotation = self.annotation(error, _Place("error", typedef.span))
        kind = typedef.kind
        match kind:
            case ir.EnumKind():
                case_names = [case.name for case in kind.cases]
                chosen = next((name for name in preferred if name in case_names), None)
                if chosen is None:
                    return None
                return Code.of(annotation, f".{guest_constant_name(chosen)}")
            case ir.VariantKind():
                usable = {
                    case.name: case
                    for case in kind.cases
                    if case.type is None or self.resolve.resolved(case.type) == "string"
                }
                found = next((usable[name] for name in preferred if name in usable), None)
                if found is None:
                    found = next((case for case in usable.values() if case.type is not None), None)
                if found is None:
                    return None
                payload = "" if found.type is None else repr(message)
                return Code.of(self._case_class(typedef, found), f"({payload})")
            case (
                ir.RecordKind()
                | ir.FlagsKind()
                | ir.OptionKind()
                | ir.ResultKind()
                | ir.ListKind()
                | ir.TupleKind()
                | ir.AliasKind()
                | ir.ResourceKind()
                | ir.HandleKind()
                | ir.MapKind()
                | ir.FixedListKind()
                | ir.FutureKind()
                | ir.StreamKind()
            ):
                return None
            case _:
                assert_never(kind)

    def method(
        self,
        function: ir.Function,
        interface: str,
        lifecycle: bool = False,
        resource: ir.TypeId | None = None,
    ) -> MethodView:
        """The stub of an exported function: of an interface or the world, or (given
        `resource`) of an exported resource's class."""
        where = f"`{interface}` function `{function.name}`"
        signature = self._signature(function, where, resource)
        params, returns = signature.params, signature.returns
        message = f"{interface}: `{function.name}` is not written yet"
        body = None
        if lifecycle:
            body = self._lifecycle_body(function, params, returns, signature.err_type)
        if body is None:
            value = None
            if signature.is_result:
                value = self.error_case(signature.err_type, NOT_WRITTEN_CASES, message)
            if value is not None:
                body = _Body("raise-err", value)
            else:
                body = _Body("unwritten", Code.of(repr(message)))
        kind: MethodKind = "method"
        name = guest_function_name(function.item_name)
        if function.kind == "constructor":
            kind, name = "constructor", PythonName("__init__")
        elif function.kind.endswith("static"):
            kind = "static"
        return MethodView(
            name=name,
            wit_name=function.name,
            kind=kind,
            is_async=function.is_async,
            params=params,
            returns=returns,
            error=signature.error,
            docs=(function.docs or "").strip(),
            body=body.body,
            value=body.value,
            config_param=body.config_param,
            echo_param=body.echo_param,
        )

    def _lifecycle_body(
        self,
        function: ir.Function,
        params: tuple[ParamView, ...],
        returns: Code,
        err_type: ir.Type | None,
    ) -> _Body | None:
        """The airssys lifecycle's defaults, where the contract allows one."""
        name = function.name
        if name == "init" and len(params) == 1 and returns == NONE:
            self.state_type = params[0].annotation
            return _Body("init", config_param=params[0].name)
        if name == "execute" and params and returns == BYTES:
            return _Body("echo", echo_param=params[0].name)
        if name in ("handle-callback", "shutdown") and returns == NONE:
            return _Body("noop")
        if name == "handle-message" and returns == NONE:
            message = f"{self.component} accepts no messages"
            value = self.error_case(err_type, ("delivery-failed",), message)
            return _Body("reject", value) if value is not None else None
        if name == "health" and isinstance(function.result, int) and not params:
            return _Body("healthy", self._healthy(function.result))
        if name == "metadata" and function.result is not None and not params:
            return _Body("value", self._metadata(function.result))
        return None

    def _healthy(self, ty: ir.Type) -> Code:
        return self.default_value(ty, {"healthy": "True"})

    def _metadata(self, ty: ir.Type) -> Code:
        package = self.resolve.packages[self.resolve.main].name
        overrides = {
            "name": repr(self.component),
            "version": '"0.1.0"',
            "description": repr(f"{self.component}: a Python component"),
            "language": '"python"',
            "api-version": repr(str(package.version or "1.0.0")),
            "supported-operations": '["echo"]',
            "stateful": "True",
            "min-memory-bytes": "16 << 20",
            "max-memory-bytes": "256 << 20",
            "preferred-memory-bytes": "64 << 20",
        }
        return self.default_value(ty, overrides)

    # ------------------------------------------------------------ exports

    def _resources(self, interface: ir.Interface) -> list[tuple[ir.TypeId, ir.TypeDef]]:
        """The resources an interface defines, in source order."""
        found = []
        for _, type_id in interface.types:
            typedef = self.resolve.types[type_id]
            if isinstance(typedef.kind, ir.ResourceKind):
                found.append((type_id, typedef))
        return found

    def _has_protocol(self, key: ir.WorldKey, interface: ir.Interface) -> bool:
        """Whether componentize-py 0.25.1 writes a protocol class for an exported
        interface: when it defines a record, variant, enum, flags or resource (an
        alias defines nothing), or, for an interface of a package (not one written
        inline in the world), when it has a function.  An inline interface's
        functions are in no protocol (nor are its imported functions bound)."""
        defines = any(
            isinstance(
                self.resolve.types[type_id].kind,
                ir.RecordKind | ir.VariantKind | ir.EnumKind | ir.FlagsKind | ir.ResourceKind,
            )
            for _, type_id in interface.types
        )
        return defines or (not isinstance(key, str) and bool(interface.functions))

    def export_interface(
        self, key: ir.WorldKey, interface_id: ir.InterfaceId
    ) -> tuple[ExportClassView | None, ResourceModuleView | None]:
        """The class of an exported interface (None when it has no function and
        componentize-py writes no protocol for it), and the module of its resources."""
        interface = self.resolve.interfaces[interface_id]
        wit_name = self.resolve.world_key_name(key)
        lifecycle = self._is_lifecycle(interface)
        methods = tuple(
            self.method(function, wit_name, lifecycle)
            for _, function in interface.functions
            if function.resource is None
        )
        module = self._module_of(interface_id)
        class_name = guest_type_name(self.modules[interface_id])
        protocol = self._has_protocol(key, interface)
        if not interface.types and not interface.functions:
            self._problem(
                f"`{wit_name}`: exported with no type and no function, which "
                "componentize-py 0.25.1 does not support (its build fails: `unknown "
                "component: component index out of bounds`), so no stub of it can build",
                interface.span,
            )
        view: ExportClassView | None = None
        if protocol or methods:
            view = ExportClassView(
                name=class_name,
                base=EXPORTS.of(class_name) if protocol else None,
                wit_name=wit_name,
                docs=(interface.docs or "").strip(),
                methods=methods,
            )
        classes = []
        for type_id, typedef in self._resources(interface):
            classes.append(self.export_resource(interface, wit_name, module, type_id, typedef))
        if not classes:
            return view, None
        taken = _module_owner(module)
        if taken is not None:
            self._problem(
                f"`{wit_name}`: componentize-py 0.25.1 imports the classes of its exported "
                f"resources from a module `{module}`, which {taken} already has, "
                "so no stub of it can build",
                interface.span,
            )
        return view, ResourceModuleView(module, wit_name, tuple(classes))

    def export_resource(
        self,
        interface: ir.Interface,
        wit_name: str,
        module: PythonName,
        type_id: ir.TypeId,
        typedef: ir.TypeDef,
    ) -> ExportClassView:
        """The class of an exported resource, subclassing componentize-py's protocol
        (`wit_world.exports.<module>.<Resource>`)."""
        assert typedef.name is not None
        functions = [f for _, f in interface.functions if f.resource == type_id]
        if not functions:
            self._problem(
                f"`{wit_name}`: exports resource `{typedef.name}` without a constructor, "
                "method or static function, which componentize-py 0.25.1 does not support "
                "(its bindings of it are not valid Python), so no stub of it can build",
                typedef.span,
            )
        name = guest_type_name(typedef.name)
        if self._types_exported(self._owner_interface(typedef)):
            base = interface_module(module, exported=True).of(name)
        else:  # the file also imports `wit_world.imports.<module>` by that name
            base = qualified_module(module, exported=True).of(name)
        return ExportClassView(
            name=name,
            base=base,
            wit_name=typedef.name,
            docs=(typedef.docs or "").strip(),
            methods=tuple(self.method(f, wit_name, resource=type_id) for f in functions),
            interface=wit_name,
        )

    def _owner_interface(self, typedef: ir.TypeDef) -> ir.InterfaceId:
        assert isinstance(typedef.owner, ir.InterfaceOwner)
        return typedef.owner.interface

    # ------------------------------------------------------------ imports

    def import_function(
        self,
        function: ir.Function,
        where: str,
        module: Name,
        resource: ir.TypeDef | None = None,
    ) -> ImportFunctionView:
        """The wrapper of an imported function: a static method calling
        `module.f(...)`, or for a resource's function `module.R(...)`,
        `module.R.s(...)` or `<the resource>.m(...)`."""
        signature = self._signature(function, f"`{where}` function `{function.name}`", None)
        names = Namespace(self.reserved)
        params: list[ParamView] = []
        receiver: PythonName | None = None
        if resource is not None and function.kind.endswith("method"):
            assert resource.name is not None
            receiver = names.claim(guest_function_name(resource.name))
            own = function.params[0]
            place = _Place(where, own.span)
            params.append(ParamView(receiver, self.annotation(own.type, place)))
        for param in signature.params:
            params.append(ParamView(names.claim(param.name), param.annotation))
        arguments = Code.join(", ", [p.name for p in params[1 if receiver else 0 :]])
        returns = signature.returns
        if resource is None:
            callee = Code.of(module.of(guest_function_name(function.name)))
        else:
            assert resource.name is not None
            owner = module.of(guest_type_name(resource.name))
            if function.kind == "constructor":
                callee = Code.of(owner)
                returns = Code.of(owner)
            elif receiver is not None:
                callee = Code.of(receiver, ".", guest_function_name(function.item_name))
            else:
                callee = Code.of(owner, ".", guest_function_name(function.item_name))
        name = guest_function_name(function.item_name)
        if function.kind == "constructor":
            name = GUEST_IMPORT_CONSTRUCTOR
        return ImportFunctionView(
            name=name,
            params=tuple(params),
            returns=returns,
            error=signature.error,
            docs=(function.docs or "").strip(),
            is_async=function.is_async,
            call=Code.of(callee, "(", arguments, ")"),
        )

    def import_interface(self, key: ir.WorldKey, interface_id: ir.InterfaceId) -> ImportView | None:
        """The wrappers of an imported interface's functions; None when it has none,
        or when it is written inline in the world (componentize-py 0.25.1 binds no
        function of an inline interface)."""
        interface = self.resolve.interfaces[interface_id]
        if not interface.functions or isinstance(key, str):
            return None
        wit_name = self.resolve.world_key_name(key)
        module = interface_module(self._module_of(interface_id), exported=False)
        functions = tuple(
            self.import_function(function, wit_name, module)
            for _, function in interface.functions
            if function.resource is None
        )
        resources = []
        for type_id, typedef in self._resources(interface):
            assert typedef.name is not None
            names = Namespace(frozenset())
            wrappers = []
            for _, function in interface.functions:
                if function.resource == type_id:
                    wrapper = self.import_function(function, wit_name, module, typedef)
                    claimed = names.claim(wrapper.name)
                    if claimed != wrapper.name:
                        wrapper = dataclasses.replace(wrapper, name=claimed)
                    wrappers.append(wrapper)
            if wrappers:
                resources.append(
                    ImportResourceView(
                        name=guest_type_name(typedef.name),
                        wit_name=typedef.name,
                        docs=(typedef.docs or "").strip(),
                        functions=tuple(wrappers),
                    )
                )
        return ImportView(
            name=guest_type_name(self.modules[interface_id]),
            wit_name=wit_name,
            docs=(interface.docs or "").strip(),
            functions=functions,
            resources=tuple(resources),
        )

    # ------------------------------------------------------------ the world

    def plan(self) -> GuestView:
        exports: list[ExportClassView] = []
        resource_modules: list[ResourceModuleView] = []
        world_functions: list[MethodView] = []
        for key, item in self.world.exports:
            match item:
                case ir.FunctionItem():
                    world_functions.append(self.method(item.function, self.world_text))
                case ir.InterfaceItem():
                    view, resources = self.export_interface(key, item.interface)
                    if view is not None:
                        exports.append(view)
                    if resources is not None:
                        resource_modules.append(resources)
                case ir.TypeItem():
                    pass  # a world exports no types
                case _:
                    assert_never(item)
        world_docs = (self.world.docs or "").strip()
        if world_functions:
            exports.append(
                ExportClassView(
                    name=GUEST_WORLD_CLASS,
                    base=WIT_WORLD.of(GUEST_WORLD_CLASS),
                    wit_name=self.world_text,
                    docs=world_docs,
                    methods=tuple(world_functions),
                )
            )
        imports: list[ImportView] = []
        grants: list[tuple[str, tuple[str, ...]]] = []
        world_imports: list[ImportFunctionView] = []
        for key, item in self.world.imports:
            match item:
                case ir.InterfaceItem():
                    wrappers = self.import_interface(key, item.interface)
                    if wrappers is None:
                        continue
                    imports.append(wrappers)
                    interface = self.resolve.interfaces[item.interface]
                    grants.append((wrappers.wit_name, self._capabilities(interface)))
                case ir.FunctionItem():
                    world_imports.append(
                        self.import_function(item.function, self.world_text, WIT_WORLD)
                    )
                case ir.TypeItem():
                    typedef = self.resolve.types[item.type]
                    if isinstance(typedef.kind, ir.ResourceKind):
                        self._world_resource(typedef)
                case _:
                    assert_never(item)
        if world_imports:
            imports.append(
                ImportView(
                    name=GUEST_WORLD_CLASS,
                    wit_name=self.world_text,
                    docs=world_docs,
                    functions=tuple(world_imports),
                )
            )
        if self.problems:
            raise WitError(self.problems, self.sources)
        return GuestView(
            world=self.world_text,
            world_name=self.world.name,
            world_docs=world_docs,
            component=self.component,
            source=self.source,
            exports=tuple(exports),
            resource_modules=tuple(resource_modules),
            imports=tuple(imports),
            state_type=self.state_type,
            grants=tuple(grants),
            caught=self.caught,
        )

    def _is_lifecycle(self, interface: ir.Interface) -> bool:
        if interface.package is None:
            return False
        package = self.resolve.packages[interface.package].name
        return (package.namespace, package.name, interface.name) == LIFECYCLE

    def _capabilities(self, interface: ir.Interface) -> tuple[str, ...]:
        """The grants the functions of an imported interface name (`Capability:` lines)."""
        found: set[str] = set()
        for _, function in interface.functions:
            found |= capabilities(function.docs)
        return tuple(sorted(found))


def _module_owner(module: str) -> str | None:
    """Who else has a top-level module `module` in a component: the app,
    componentize-py, the standard library; None when nobody does."""
    if module in APP_MODULES:
        return "the app"
    if module in COMPONENTIZE_PY_MODULES:
        return "componentize-py"
    if module in GUEST_STDLIB_MODULES:
        return "Python's standard library"
    return None


_PRIMITIVE_ANNOTATIONS = {
    "bool": "bool",
    "f32": "float",
    "f64": "float",
    "char": "str",
    "string": "str",
}
_PRIMITIVE_DEFAULTS = {
    "bool": "False",
    "f32": "0.0",
    "f64": "0.0",
    "char": '"\\0"',
    "string": '""',
}
