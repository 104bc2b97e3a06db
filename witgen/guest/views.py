"""What the guest templates print: the world as componentize-py's bindings see it.

In: an `ir.Resolve`, the name of a world of its main package, and the name of
the component.  Out: a `GuestView`: one `ExportClassView` per exported interface
(plus `WitWorld` for functions the world exports itself) with every method's
componentize-py annotation and the kind of body its stub gets, and one
`ImportView` per imported interface that has functions, for the typed wrappers.
Raises `WitError` for a world it cannot stub: no such world, or an export or
import that uses resources, futures, streams, maps or fixed-size lists (a
componentize-py feature the stubs do not cover yet).

Names (made in `witgen.codegen.names`) and annotations are exactly
componentize-py 0.25's (`src/summary.rs`): interface modules
`wit_world.imports.<name>` and `wit_world.exports.<name>`, where `<name>` is the
interface's name, or `<ns>-<pkg>-<name>[-<version>]` when two packages of the
world have an interface of that name; a named type is `<module>.<Type>`;
`list<u8>` is `bytes`, `option<T>` is `T | None` (`Some[T] | None` when T is
itself an option), a `result` parameter is `Result[T, E]`, and a function
returning a `result` returns its ok type and raises `Err(E)`.  Annotations and
default values are `Code` (`witgen.codegen.imports`), so each file imports
exactly what its code uses, through the same import registry as the bindings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, assert_never

from witgen import ir
from witgen.codegen.imports import Code, ImportFrom, ImportModule, Name, Registry
from witgen.codegen.names import (
    GUEST_WORLD_CLASS,
    PythonName,
    guest_case_class_name,
    guest_constant_name,
    guest_function_name,
    guest_interface_names,
    guest_type_name,
)
from witgen.conventions import capabilities
from witgen.diagnostics import Diagnostic, SourceMap, WitError
from witgen.resolve.select import select_world

LIFECYCLE = ("airssys", "component-core", "component-lifecycle")

# Body kinds a stub method gets (the templates print one per kind).
#   init       keep the configuration in `State` and accept it
#   echo       return the operation unchanged (`execute`)
#   reject     refuse with the error case `error` (messages nobody asked for)
#   noop       do nothing and succeed (the contract allows it)
#   healthy    report healthy
#   value      return `value` (metadata)
#   raise-err  raise `Err(error)`: the function is not written yet
#   unwritten  raise `NotImplementedError`: no WIT error case to report it with
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

# ---------------------------------------------------------------- imports

# What the files import, as componentize-py's bindings are imported: `typing`'s
# generics first, in a group of their own (`List`, not `list`, which a method
# of the same name would hide), then the bindings and their types.
_TYPING, _BINDINGS = 0, 1
LIST = Name(ImportFrom("typing", "List", _TYPING))
TUPLE = Name(ImportFrom("typing", "Tuple", _TYPING))
ERR = Name(ImportFrom("componentize_py_types", "Err", _BINDINGS))
OK = Name(ImportFrom("componentize_py_types", "Ok", _BINDINGS))
RESULT = Name(ImportFrom("componentize_py_types", "Result", _BINDINGS))
SOME = Name(ImportFrom("componentize_py_types", "Some", _BINDINGS))
WIT_WORLD = Name(ImportModule("wit_world", _BINDINGS))
EXPORTS = Name(ImportFrom("wit_world", "exports", _BINDINGS))


def interface_module(name: str, exported: bool) -> Name:
    """componentize-py's module of an interface: `wit_world.exports.<name>` or
    `wit_world.imports.<name>`."""
    package = "wit_world.exports" if exported else "wit_world.imports"
    return Name(ImportFrom(package, name, _BINDINGS))


NONE = Code.of("None")
BYTES = Code.of("bytes")


# ---------------------------------------------------------------- kinds

# The kinds of types the stubs cover.
Stubbed = (
    ir.AliasKind
    | ir.RecordKind
    | ir.VariantKind
    | ir.EnumKind
    | ir.FlagsKind
    | ir.OptionKind
    | ir.ResultKind
    | ir.ListKind
    | ir.TupleKind
)


def stubbed(kind: ir.TypeDefKind) -> Stubbed | None:
    """`kind`, if the stubs cover it; None for resources, handles, maps, fixed-size
    lists, futures and streams (a componentize-py feature the stubs do not cover)."""
    match kind:
        case (
            ir.AliasKind()
            | ir.RecordKind()
            | ir.VariantKind()
            | ir.EnumKind()
            | ir.FlagsKind()
            | ir.OptionKind()
            | ir.ResultKind()
            | ir.ListKind()
            | ir.TupleKind()
        ):
            return kind
        case (
            ir.ResourceKind()
            | ir.HandleKind()
            | ir.MapKind()
            | ir.FixedListKind()
            | ir.FutureKind()
            | ir.StreamKind()
        ):
            return None
        case other:
            assert_never(other)


# ---------------------------------------------------------------- views


@dataclass(frozen=True, slots=True)
class ParamView:
    name: PythonName
    annotation: Code


@dataclass(frozen=True, slots=True)
class MethodView:
    name: PythonName
    wit_name: str
    params: tuple[ParamView, ...]
    returns: Code  # the annotation of what the Python function returns
    error: Code | None  # the annotation of the `Err` value it may raise
    docs: str
    body: BodyKind
    value: Code | None = None  # `value`: the expression; `raise-err`, `reject`: the error
    config_param: PythonName | None = None  # body `init`: the parameter to keep
    echo_param: PythonName | None = None  # body `echo`: the parameter to return


@dataclass(frozen=True, slots=True)
class ExportClassView:
    name: PythonName  # the class (and the protocol of `wit_world.exports` it implements)
    base: Name  # `exports.ComponentLifecycle`, or `wit_world.WitWorld`
    wit_name: str
    docs: str
    methods: tuple[MethodView, ...]


@dataclass(frozen=True, slots=True)
class ImportFunctionView:
    name: PythonName
    params: tuple[ParamView, ...]
    returns: Code  # what componentize-py's function returns
    error: Code | None  # with a WIT error case, the wrapper returns Result[returns, error]
    docs: str

    @property
    def arguments(self) -> str:
        return ", ".join(param.name for param in self.params)

    @property
    def returns_none(self) -> bool:
        return str(self.returns) == "None"


@dataclass(frozen=True, slots=True)
class ImportView:
    name: PythonName  # the wrapper class
    module: Name  # the componentize-py module, `wit_world.imports.<module>`
    wit_name: str
    docs: str
    functions: tuple[ImportFunctionView, ...]


@dataclass(frozen=True, slots=True)
class GuestView:
    world: str  # `ns:pkg/world@version`
    world_name: str  # its name in its package, as componentize-py's `-w` takes it
    world_docs: str
    component: str  # the component's name (the manifest's, the metadata's)
    source: str  # the WIT path, relative to the app folder, for the header
    exports: tuple[ExportClassView, ...]
    imports: tuple[ImportView, ...]
    state_type: Code | None  # what `init` keeps (its parameter's annotation), if it does
    grants: tuple[tuple[str, tuple[str, ...]], ...]

    def app_imports(self) -> list[list[str]]:
        """The import statements of `app.py`, in groups: what its code uses."""
        registry = Registry()
        if self.state_type is not None:
            registry.add(*self.state_type.imports)
        for export in self.exports:
            registry.add(export.base.source)
            for method in export.methods:
                for code in (*(param.annotation for param in method.params), method.returns):
                    registry.add(*code.imports)
                if method.value is not None:
                    registry.add(*method.value.imports)
                if method.body in ("reject", "raise-err"):
                    registry.add(ERR.source)
        return registry.statements()

    def wrapper_imports(self) -> list[list[str]]:
        """The import statements of `wit_imports.py`, in groups: what its code uses."""
        registry = Registry()
        for item in self.imports:
            registry.add(item.module.source)
            for function in item.functions:
                for code in (*(param.annotation for param in function.params), function.returns):
                    registry.add(*code.imports)
                if function.error is not None:
                    registry.add(*function.error.imports, OK.source, ERR.source, RESULT.source)
        return registry.statements()


def plan_guest(
    resolve: ir.Resolve, sources: SourceMap, world_name: str, component: str, source: str
) -> GuestView:
    """The view of `world_name` of the main package (see the module docstring)."""
    world_id = select_world(resolve, world_name)
    return _Planner(resolve, sources, world_id, component, source).plan()


@dataclass(frozen=True, slots=True)
class _Body:
    """What a stub method does (`MethodView`'s fields of the same names)."""

    body: BodyKind
    value: Code | None = None
    config_param: PythonName | None = None
    echo_param: PythonName | None = None


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

    def _problem(self, message: str) -> None:
        self.problems.append(Diagnostic(message))

    # ------------------------------------------------------------ annotations

    def annotation(self, ty: ir.Type, where: str) -> Code:
        """`ty` as componentize-py annotates it."""
        if not isinstance(ty, int):
            return Code.of(_PRIMITIVE_ANNOTATIONS.get(ty, "int"))
        typedef = self.resolve.types[ty]
        kind = stubbed(typedef.kind)
        match kind:
            case None:
                what = type(typedef.kind).__name__.removesuffix("Kind").lower()
                self._problem(
                    f"{where}: uses a {what}, which `witgen generate --guest` does not stub "
                    "yet; write this part of the component by hand"
                )
                return Code.of("object")
            case ir.AliasKind():
                return self.annotation(kind.type, where)
            case ir.RecordKind() | ir.VariantKind() | ir.EnumKind() | ir.FlagsKind():
                return Code.of(self._named(typedef))
            case ir.OptionKind():
                inner = self.annotation(kind.type, where)
                if self._is_option(kind.type):
                    return Code.of(SOME, "[", inner, "] | None")
                return Code.of(inner, " | None")
            case ir.ResultKind():
                ok = self.annotation(kind.ok, where) if kind.ok is not None else NONE
                err = self.annotation(kind.err, where) if kind.err is not None else NONE
                return Code.of(RESULT, "[", ok, ", ", err, "]")
            case ir.ListKind():
                if kind.type in ("u8", "s8"):
                    return BYTES
                return Code.of(LIST, "[", self.annotation(kind.type, where), "]")
            case ir.TupleKind():
                items = [self.annotation(t, where) for t in kind.types]
                return Code.of(TUPLE, "[", Code.join(", ", items), "]")
            case _:
                assert_never(kind)

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
            interface = self.resolve.interfaces[owner.interface]
            module = guest_function_name(self.modules.get(owner.interface, interface.name or ""))
            return interface_module(module, self._types_exported(owner.interface)).of(name)
        return WIT_WORLD.of(name)

    def _case_class(self, typedef: ir.TypeDef, case: ir.Case) -> Name:
        """The class of a variant's case."""
        assert typedef.name is not None
        return self._named(typedef, guest_case_class_name(typedef.name, case.name))

    def _signature(
        self, function: ir.Function, where: str
    ) -> tuple[tuple[ParamView, ...], Code, Code | None]:
        if function.kind != "freestanding":
            self._problem(
                f"{where}: is a{'n' if function.kind.startswith('async') else ''} "
                f"{function.kind} function, which `witgen generate --guest` does not stub yet"
            )
        params = tuple(
            ParamView(guest_function_name(param.name), self.annotation(param.type, where))
            for param in function.params
        )
        result = function.result
        if result is None:
            return params, NONE, None
        if isinstance(result, int):
            kind = self.resolve.types[result].kind
            if isinstance(kind, ir.ResultKind):
                ok = self.annotation(kind.ok, where) if kind.ok is not None else NONE
                err = self.annotation(kind.err, where) if kind.err is not None else NONE
                return params, ok, err
        return params, self.annotation(result, where), None

    # ------------------------------------------------------------ bodies

    def default_value(self, ty: ir.Type, overrides: dict[str, str]) -> Code:
        """A Python expression of a plain value of `ty` (`""`, `0`, `[]`, the first
        case); `overrides` gives a record field's value by its WIT name."""
        ty = self.resolve.resolved(ty)
        if not isinstance(ty, int):
            return Code.of(_PRIMITIVE_DEFAULTS.get(ty, "0"))
        typedef = self.resolve.types[ty]
        annotation = self.annotation(ty, "metadata")
        match kind := stubbed(typedef.kind):
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
            case ir.OptionKind():
                return NONE
            case ir.ListKind():
                return Code.of('b""' if kind.type in ("u8", "s8") else "[]")
            case ir.TupleKind():
                items = [self.default_value(t, overrides) for t in kind.types]
                return Code.of("(", Code.join(", ", items), "," if len(items) == 1 else "", ")")
            case ir.ResultKind() | ir.AliasKind() | None:
                return NONE
            case _:
                assert_never(kind)

    def error_case(
        self, error: ir.Type | None, preferred: tuple[str, ...], message: str
    ) -> Code | None:
        """`Err(...)`'s value for an error of type `error` (None: `result<T>`): the first
        of the `preferred` cases that carries a string or nothing, else the first such
        case; None if there is none."""
        if error is None:
            return NONE
        error = self.resolve.resolved(error)
        if error == "string":
            return Code.of(repr(message))
        if not isinstance(error, int):
            return None
        typedef = self.resolve.types[error]
        annotation = self.annotation(error, "error")
        match kind := stubbed(typedef.kind):
            case ir.EnumKind():
                case_names = [case.name for case in kind.cases]
                chosen = next((name for name in preferred if name in case_names), case_names[0])
                return Code.of(annotation, f".{guest_constant_name(chosen)}")
            case ir.VariantKind():
                usable = [
                    case
                    for case in kind.cases
                    if case.type is None or self.resolve.resolved(case.type) == "string"
                ]
                if not usable:
                    return None
                by_name = {case.name: case for case in usable}
                case = next((by_name[name] for name in preferred if name in by_name), usable[0])
                payload = "" if case.type is None else repr(message)
                return Code.of(self._case_class(typedef, case), f"({payload})")
            case (
                ir.RecordKind()
                | ir.FlagsKind()
                | ir.OptionKind()
                | ir.ResultKind()
                | ir.ListKind()
                | ir.TupleKind()
                | ir.AliasKind()
                | None
            ):
                return None
            case _:
                assert_never(kind)

    def method(self, function: ir.Function, interface: str, lifecycle: bool) -> MethodView:
        where = f"`{interface}` function `{function.name}`"
        params, returns, error = self._signature(function, where)
        is_result, err_type = self._error_type(function)
        message = f"{interface}: `{function.name}` is not written yet"
        body = self._lifecycle_body(function, params, returns, err_type) if lifecycle else None
        if body is None:
            preferred = (
                "unsupported",
                "not-supported",
                "not-implemented",
                "internal-error",
                "internal",
            )
            value = self.error_case(err_type, preferred, message) if is_result else None
            if value is not None:
                body = _Body("raise-err", value)
            else:
                body = _Body("unwritten", Code.of(repr(message)))
        return MethodView(
            name=guest_function_name(function.name),
            wit_name=function.name,
            params=params,
            returns=returns,
            error=error,
            docs=(function.docs or "").strip(),
            body=body.body,
            value=body.value,
            config_param=body.config_param,
            echo_param=body.echo_param,
        )

    def _error_type(self, function: ir.Function) -> tuple[bool, ir.Type | None]:
        """Whether `function` returns a `result`, and its error type."""
        if isinstance(function.result, int):
            kind = self.resolve.types[function.result].kind
            if isinstance(kind, ir.ResultKind):
                return True, kind.err
        return False, None

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

    # ------------------------------------------------------------ the world

    def plan(self) -> GuestView:
        exports: list[ExportClassView] = []
        world_functions: list[MethodView] = []
        for key, item in self.world.exports:
            if isinstance(item, ir.FunctionItem):
                world_functions.append(self.method(item.function, self.world_text, False))
                continue
            if not isinstance(item, ir.InterfaceItem):
                continue
            interface = self.resolve.interfaces[item.interface]
            wit_name = self.resolve.world_key_name(key)
            lifecycle = self._is_lifecycle(interface)
            methods = tuple(
                self.method(function, wit_name, lifecycle) for _, function in interface.functions
            )
            for type_name, type_id in interface.types:
                if isinstance(self.resolve.types[type_id].kind, ir.ResourceKind):
                    self._problem(
                        f"`{wit_name}`: exports resource `{type_name}`, which "
                        "`witgen generate --guest` does not stub yet"
                    )
            class_name = guest_type_name(self.modules[item.interface])
            exports.append(
                ExportClassView(
                    name=class_name,
                    base=EXPORTS.of(class_name),
                    wit_name=wit_name,
                    docs=(interface.docs or "").strip(),
                    methods=methods,
                )
            )
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
        for key, item in self.world.imports:
            if not isinstance(item, ir.InterfaceItem):
                continue
            interface = self.resolve.interfaces[item.interface]
            if not interface.functions:
                continue
            wit_name = self.resolve.world_key_name(key)
            functions = []
            for _, function in interface.functions:
                params, returns, error = self._signature(
                    function, f"`{wit_name}` function `{function.name}`"
                )
                functions.append(
                    ImportFunctionView(
                        name=guest_function_name(function.name),
                        params=params,
                        returns=returns,
                        error=error,
                        docs=(function.docs or "").strip(),
                    )
                )
            module = guest_function_name(self.modules[item.interface])
            imports.append(
                ImportView(
                    name=guest_type_name(self.modules[item.interface]),
                    module=interface_module(module, exported=False),
                    wit_name=wit_name,
                    docs=(interface.docs or "").strip(),
                    functions=tuple(functions),
                )
            )
            grants.append((wit_name, self._capabilities(interface)))
        if not exports:
            self._problem(f"world `{self.world_text}` exports nothing: there is nothing to stub")
        if self.problems:
            raise WitError(self.problems, self.sources)
        return GuestView(
            world=self.world_text,
            world_name=self.world.name,
            world_docs=world_docs,
            component=self.component,
            source=self.source,
            exports=tuple(exports),
            imports=tuple(imports),
            state_type=self.state_type,
            grants=tuple(grants),
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
