"""What the guest templates print: the world as componentize-py's bindings see it.

In: an `ir.Resolve`, the name of a world of its main package, and the name of
the component.  Out: a `GuestView`: one `ExportClassView` per exported interface
(plus `WitWorld` for functions the world exports itself) with every method's
componentize-py annotation and the kind of body its stub gets, and one
`ImportView` per imported interface that has functions, for the typed wrappers.
Raises `WitError` for a world it cannot stub: no such world, or an export or
import that uses resources, futures, streams, maps or fixed-size lists (a
componentize-py feature the stubs do not cover yet).

Names and annotations are exactly componentize-py 0.25's (`src/summary.rs`):
interface modules `wit_world.imports.<name>` and `wit_world.exports.<name>`,
where `<name>` is the interface's name, or `<ns>-<pkg>-<name>[-<version>]` when
two packages of the world have an interface of that name; a named type is
`<module>.<Type>`; `list<u8>` is `bytes`, `option<T>` is `T | None` (`Some[T] |
None` when T is itself an option), a `result` parameter is `Result[T, E]`, and a
function returning a `result` returns its ok type and raises `Err(E)`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from witgen import ir
from witgen.codegen.names import (
    PythonName,
    guest_constant_name,
    guest_function_name,
    guest_type_name,
)
from witgen.conventions import capabilities
from witgen.diagnostics import Diagnostic, SourceMap, WitError

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
BODY_KINDS = ("init", "echo", "reject", "noop", "healthy", "value", "raise-err", "unwritten")


@dataclass(frozen=True)
class ParamView:
    name: PythonName
    annotation: str


@dataclass(frozen=True)
class MethodView:
    name: PythonName
    wit_name: str
    params: tuple[ParamView, ...]
    returns: str  # the annotation of what the Python function returns
    error: str | None  # the annotation of the `Err` value it may raise
    docs: str
    body: str  # one of BODY_KINDS
    value: str = ""  # body `value`: the expression; `raise-err`, `reject`: the error
    config_param: PythonName | None = None  # body `init`: the parameter to keep
    echo_param: PythonName | None = None  # body `echo`: the parameter to return


@dataclass(frozen=True)
class ExportClassView:
    name: PythonName  # the class (and the protocol of `wit_world.exports` it implements)
    base: str  # `exports.ComponentLifecycle`, or `wit_world.WitWorld`
    wit_name: str
    docs: str
    methods: tuple[MethodView, ...]


@dataclass(frozen=True)
class ImportFunctionView:
    name: PythonName
    params: tuple[ParamView, ...]
    returns: str  # what componentize-py's function returns
    error: str | None  # with a WIT error case, the wrapper returns Result[returns, error]
    docs: str

    @property
    def arguments(self) -> str:
        return ", ".join(param.name for param in self.params)


@dataclass(frozen=True)
class ImportView:
    name: PythonName  # the wrapper class
    module: PythonName  # the componentize-py module, `wit_world.imports.<module>`
    wit_name: str
    docs: str
    functions: tuple[ImportFunctionView, ...]


@dataclass
class GuestView:
    world: str  # `ns:pkg/world@version`
    world_name: str  # its name in its package, as componentize-py's `-w` takes it
    world_docs: str
    component: str  # the component's name (the manifest's, the metadata's)
    source: str  # the WIT path, relative to the app folder, for the header
    exports: list[ExportClassView] = field(default_factory=list)
    imports: list[ImportView] = field(default_factory=list)
    # The `wit_world.imports` and `wit_world.exports` modules annotations may name.
    import_modules: set[str] = field(default_factory=set)
    export_modules: set[str] = field(default_factory=set)
    state_type: str = ""  # what `init` keeps (its parameter's annotation), if it does
    grants: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def app(self) -> Uses:
        """What `app.py` imports."""
        texts = [self.state_type]
        for export in self.exports:
            texts.append(export.base)
            for method in export.methods:
                texts += [param.annotation for param in method.params]
                texts += [method.returns, method.value]
                if method.body in ("reject", "raise-err"):
                    texts.append("Err(")
        return self._uses(texts)

    @property
    def wrappers(self) -> Uses:
        """What `wit_imports.py` imports."""
        texts = []
        for item in self.imports:
            texts.append(f"{item.module}.")
            for function in item.functions:
                texts += [param.annotation for param in function.params]
                texts += [function.returns, function.error or ""]
                if function.error is not None:
                    texts.append("Ok( Err( Result[")
        return self._uses(texts)

    def _uses(self, texts: list[str]) -> Uses:
        text = " ".join(texts)
        words = set(_WORD.findall(text))
        prefixes = set(_PREFIX.findall(text))
        return Uses(
            typing=tuple(name for name in ("List", "Tuple") if name in words),
            types=tuple(name for name in ("Err", "Ok", "Result", "Some") if name in words),
            world="wit_world" in prefixes,
            exports="exports" in prefixes,
            export_modules=tuple(sorted(self.export_modules & prefixes)),
            import_modules=tuple(sorted(self.import_modules & prefixes)),
        )


_WORD = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_PREFIX = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.")


@dataclass(frozen=True)
class Uses:
    """The imports one generated file needs."""

    typing: tuple[str, ...]  # from typing (`List`, not `list`, which a method may shadow)
    types: tuple[str, ...]  # from componentize_py_types
    world: bool  # import wit_world
    exports: bool  # from wit_world import exports
    export_modules: tuple[str, ...]  # from wit_world.exports import ...
    import_modules: tuple[str, ...]  # from wit_world.imports import ...


def plan_guest(
    resolve: ir.Resolve, sources: SourceMap, world_name: str, component: str, source: str
) -> GuestView:
    """The view of `world_name` of the main package (see the module docstring)."""
    main = resolve.packages[resolve.main]
    world_id = main.world_named(world_name)
    if world_id is None:
        known = ", ".join(f"`{name}`" for name, _ in main.worlds) or "none"
        message = f"package `{main.name}` has no world `{world_name}` (worlds: {known})"
        raise WitError([Diagnostic(message)], sources)
    return _Planner(resolve, sources, world_id, component, source).plan()


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
        self.world_id = world_id
        self.world = resolve.worlds[world_id]
        package = resolve.packages[resolve.main].name
        self.view = GuestView(
            world=package.interface_id(self.world.name),
            world_name=self.world.name,
            world_docs=(self.world.docs or "").strip(),
            component=component,
            source=source,
        )
        self.problems: list[Diagnostic] = []
        self.modules = self._module_names()

    # ------------------------------------------------------------ names

    def _module_names(self) -> dict[ir.InterfaceId, str]:
        """componentize-py's (kebab-case) name of each interface of the world
        (`interface_names`): its module is the snake-case form, an exported one's
        protocol the Pascal-case form."""
        interfaces = [
            item.interface
            for _, item in (*self.world.imports, *self.world.exports)
            if isinstance(item, ir.InterfaceItem)
        ]
        keys: dict[ir.InterfaceId, str] = {}
        for _, item in (*self.world.imports, *self.world.exports):
            if isinstance(item, ir.InterfaceItem):
                keys.setdefault(item.interface, "")
        for key, item in (*self.world.imports, *self.world.exports):
            if isinstance(item, ir.InterfaceItem) and isinstance(key, str):
                keys[item.interface] = key  # an inline interface goes by its key
        packages: dict[str, set[tuple[str, str]]] = {}
        versions: Counter[tuple[str, str, str]] = Counter()
        for interface_id in interfaces:
            interface = self.resolve.interfaces[interface_id]
            if interface.package is None or interface.name is None:
                continue
            name = self.resolve.packages[interface.package].name
            packages.setdefault(interface.name, set()).add((name.namespace, name.name))
            versions[(interface.name, name.namespace, name.name)] += 1
        result: dict[ir.InterfaceId, str] = {}
        for interface_id in interfaces:
            interface = self.resolve.interfaces[interface_id]
            if interface.package is None or interface.name is None:
                result[interface_id] = keys[interface_id]
                continue
            package = self.resolve.packages[interface.package].name
            text = interface.name
            if versions[(interface.name, package.namespace, package.name)] > 1:
                text = f"{package.namespace}-{package.name}-{interface.name}"
                if package.version is not None:
                    text += "-" + str(package.version).replace(".", "-")
            elif len(packages[interface.name]) > 1:
                text = f"{package.namespace}-{package.name}-{interface.name}"
            result[interface_id] = text
        return result

    def _exported(self, interface_id: ir.InterfaceId) -> bool:
        return any(
            isinstance(item, ir.InterfaceItem) and item.interface == interface_id
            for _, item in self.world.exports
        )

    def _problem(self, message: str) -> None:
        self.problems.append(Diagnostic(message))

    # ------------------------------------------------------------ annotations

    def annotation(self, ty: ir.Type, where: str) -> str:
        """`ty` as componentize-py annotates it."""
        if not isinstance(ty, int):
            return {
                "bool": "bool",
                "f32": "float",
                "f64": "float",
                "char": "str",
                "string": "str",
            }.get(ty, "int")
        typedef = self.resolve.types[ty]
        kind = typedef.kind
        if isinstance(kind, ir.AliasKind):
            return self.annotation(kind.type, where)
        if isinstance(kind, ir.RecordKind | ir.VariantKind | ir.EnumKind | ir.FlagsKind):
            assert typedef.name is not None
            return self._named(typedef, guest_type_name(typedef.name))
        if isinstance(kind, ir.OptionKind):
            inner = self.annotation(kind.type, where)
            if self._is_option(kind.type):
                return f"Some[{inner}] | None"
            return f"{inner} | None"
        if isinstance(kind, ir.ResultKind):
            ok = self.annotation(kind.ok, where) if kind.ok is not None else "None"
            err = self.annotation(kind.err, where) if kind.err is not None else "None"
            return f"Result[{ok}, {err}]"
        if isinstance(kind, ir.ListKind):
            if kind.type in ("u8", "s8"):
                return "bytes"
            return f"List[{self.annotation(kind.type, where)}]"
        if isinstance(kind, ir.TupleKind):
            return f"Tuple[{', '.join(self.annotation(t, where) for t in kind.types)}]"
        what = type(kind).__name__.removesuffix("Kind").lower()
        self._problem(
            f"{where}: uses a {what}, which `witgen generate --guest` does not stub yet; "
            "write this part of the component by hand"
        )
        return "object"

    def _is_option(self, ty: ir.Type) -> bool:
        resolved = self.resolve.resolved(ty)
        return isinstance(resolved, int) and isinstance(
            self.resolve.types[resolved].kind, ir.OptionKind
        )

    def _named(self, typedef: ir.TypeDef, name: PythonName) -> str:
        owner = typedef.owner
        if isinstance(owner, ir.InterfaceOwner):
            interface = self.resolve.interfaces[owner.interface]
            module = guest_function_name(self.modules.get(owner.interface, interface.name or ""))
            if self._exported(owner.interface):
                self.view.export_modules.add(module)
            else:
                self.view.import_modules.add(module)
            return f"{module}.{name}"
        return f"wit_world.{name}"

    def _signature(
        self, function: ir.Function, where: str
    ) -> tuple[tuple[ParamView, ...], str, str | None]:
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
            return params, "None", None
        if isinstance(result, int):
            kind = self.resolve.types[result].kind
            if isinstance(kind, ir.ResultKind):
                ok = self.annotation(kind.ok, where) if kind.ok is not None else "None"
                err = self.annotation(kind.err, where) if kind.err is not None else "None"
                return params, ok, err
        return params, self.annotation(result, where), None

    # ------------------------------------------------------------ bodies

    def default_value(self, ty: ir.Type, overrides: dict[str, str]) -> str:
        """A Python expression of a plain value of `ty` (`""`, `0`, `[]`, the first case)."""
        ty = self.resolve.resolved(ty)
        if not isinstance(ty, int):
            return {
                "bool": "False",
                "f32": "0.0",
                "f64": "0.0",
                "char": '"\\0"',
                "string": '""',
            }.get(ty, "0")
        kind = self.resolve.types[ty].kind
        annotation = self.annotation(ty, "metadata")
        if isinstance(kind, ir.RecordKind):
            fields = ", ".join(
                f"{guest_function_name(f.name)}="
                + overrides.get(f.name, self.default_value(f.type, overrides))
                for f in kind.fields
            )
            return f"{annotation}({fields})"
        if isinstance(kind, ir.EnumKind):
            return f"{annotation}.{guest_constant_name(kind.cases[0].name)}"
        if isinstance(kind, ir.FlagsKind):
            return f"{annotation}(0)"
        if isinstance(kind, ir.VariantKind):
            case = kind.cases[0]
            module, _, variant = annotation.rpartition(".")
            prefix = f"{module}." if module else ""
            payload = "" if case.type is None else self.default_value(case.type, overrides)
            return f"{prefix}{variant}_{guest_type_name(case.name)}({payload})"
        if isinstance(kind, ir.OptionKind):
            return "None"
        if isinstance(kind, ir.ListKind):
            return 'b""' if kind.type in ("u8", "s8") else "[]"
        if isinstance(kind, ir.TupleKind):
            items = [self.default_value(t, overrides) for t in kind.types]
            return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
        return "None"

    def error_case(self, error: ir.Type | None, preferred: tuple[str, ...], message: str) -> str:
        """`Err(...)`'s value for an error of type `error` (None: `result<T>`): the first
        of the `preferred` cases that carries a string or nothing, else the first such
        case; "" if there is none."""
        if error is None:
            return "None"
        error = self.resolve.resolved(error)
        if error == "string":
            return repr(message)
        if not isinstance(error, int):
            return ""
        kind = self.resolve.types[error].kind
        annotation = self.annotation(error, "error")
        if isinstance(kind, ir.EnumKind):
            names = [case.name for case in kind.cases]
            chosen = next((name for name in preferred if name in names), names[0])
            return f"{annotation}.{guest_constant_name(chosen)}"
        if not isinstance(kind, ir.VariantKind):
            return ""
        usable = [
            case
            for case in kind.cases
            if case.type is None or self.resolve.resolved(case.type) == "string"
        ]
        if not usable:
            return ""
        by_name = {case.name: case for case in usable}
        case = next((by_name[name] for name in preferred if name in by_name), usable[0])
        module, _, variant = annotation.rpartition(".")
        prefix = f"{module}." if module else ""
        payload = "" if case.type is None else repr(message)
        return f"{prefix}{variant}_{guest_type_name(case.name)}({payload})"

    def method(self, function: ir.Function, interface: str, lifecycle: bool) -> MethodView:
        where = f"`{interface}` function `{function.name}`"
        params, returns, error = self._signature(function, where)
        name = guest_function_name(function.name)
        is_result, err_type = self._error_type(function)
        docs = (function.docs or "").strip()
        message = f"{interface}: `{function.name}` is not written yet"
        method = MethodView(
            name=name,
            wit_name=function.name,
            params=params,
            returns=returns,
            error=error,
            docs=docs,
            body="unwritten",
            value=repr(message),
        )
        if lifecycle:
            body = self._lifecycle_body(function, params, returns, err_type)
            if body is not None:
                return replace(method, **body)
        preferred = (
            "unsupported",
            "not-supported",
            "not-implemented",
            "internal-error",
            "internal",
        )
        value = self.error_case(err_type, preferred, message) if is_result else ""
        return replace(method, body="raise-err", value=value) if value else method

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
        returns: str,
        err_type: ir.Type | None,
    ) -> dict[str, Any] | None:
        """The airssys lifecycle's defaults, where the contract allows one: the
        `MethodView` fields of its body."""
        name = function.name
        if name == "init" and len(params) == 1 and returns == "None":
            self.view.state_type = params[0].annotation
            return {"body": "init", "config_param": params[0].name}
        if name == "execute" and params and returns == "bytes":
            return {"body": "echo", "echo_param": params[0].name}
        if name in ("handle-callback", "shutdown") and returns == "None":
            return {"body": "noop"}
        if name == "handle-message" and returns == "None":
            message = f"{self.view.component} accepts no messages"
            value = self.error_case(err_type, ("delivery-failed",), message)
            return {"body": "reject", "value": value} if value else None
        if name == "health" and isinstance(function.result, int) and not params:
            return {"body": "healthy", "value": self._healthy(function.result)}
        if name == "metadata" and function.result is not None and not params:
            return {"body": "value", "value": self._metadata(function.result)}
        return None

    def _healthy(self, ty: ir.Type) -> str:
        return self.default_value(ty, {"healthy": "True"})

    def _metadata(self, ty: ir.Type) -> str:
        package = self.resolve.packages[self.resolve.main].name
        overrides = {
            "name": repr(self.view.component),
            "version": '"0.1.0"',
            "description": repr(f"{self.view.component}: a Python component"),
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
        world_functions: list[MethodView] = []
        for key, item in self.world.exports:
            if isinstance(item, ir.FunctionItem):
                world_functions.append(self.method(item.function, self.view.world, False))
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
            self.view.exports.append(
                ExportClassView(
                    name=guest_type_name(self.modules[item.interface]),
                    base=f"exports.{guest_type_name(self.modules[item.interface])}",
                    wit_name=wit_name,
                    docs=(interface.docs or "").strip(),
                    methods=methods,
                )
            )
        if world_functions:
            self.view.exports.append(
                ExportClassView(
                    name=PythonName("WitWorld"),
                    base="wit_world.WitWorld",
                    wit_name=self.view.world,
                    docs=self.view.world_docs,
                    methods=tuple(world_functions),
                )
            )
        for key, item in self.world.imports:
            if not isinstance(item, ir.InterfaceItem):
                continue
            interface = self.resolve.interfaces[item.interface]
            if not interface.functions:
                continue
            wit_name = self.resolve.world_key_name(key)
            module = guest_function_name(self.modules[item.interface])
            self.view.import_modules.add(module)
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
            self.view.imports.append(
                ImportView(
                    name=guest_type_name(self.modules[item.interface]),
                    module=module,
                    wit_name=wit_name,
                    docs=(interface.docs or "").strip(),
                    functions=tuple(functions),
                )
            )
            self.view.grants.append((wit_name, self._capabilities(interface)))
        if not self.view.exports:
            self._problem(f"world `{self.view.world}` exports nothing: there is nothing to stub")
        if self.problems:
            raise WitError(self.problems, self.sources)
        return self.view

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
