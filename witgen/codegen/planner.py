"""What the templates print, worked out from the resolved model.

In: an `ir.Resolve` and the world (or interfaces) to generate.  Out: one
`ModuleView` per generated module, with every name, annotation, codec
expression, docstring and import already computed, so that templates only
loop and print.  Raises `WitError` for an item the runtime cannot carry
(futures, streams, error-context, fixed-size lists, async functions), naming
the item and pointing at it.

Layout (a public API, documented in docs/bindings.md): under the output
package, one package per WIT package (`names.package_module`), one module per
interface (`names.module_name`) and per world; an interface a world defines
inline is the module `<world>_<name>`.  An interface module has the
interface's types, `Host` (the protocol a host implements when a world imports
the interface) with `add_to_linker`, and `Exports` (typed calls into an
instance that exports it).  A world module has `Imports`/`add_to_linker` for
what the world imports (its own functions and every imported interface), and
`Exports`/`instantiate` for what it exports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from witgen import ir
from witgen.codegen import names
from witgen.codegen.imports import Registry
from witgen.codegen.layout import string
from witgen.codegen.names import Namespace, PythonName
from witgen.codegen.views import (
    AliasView,
    FieldView,
    FunctionView,
    InterfaceRef,
    ModuleView,
    ParamView,
    ResourceView,
    TypeView,
    deprecation,
    docstring_text,
    tuple_expr,
)
from witgen.conventions import replacement
from witgen.diagnostics import Diagnostic, SourceMap, WitError
from witgen.version import minimum_version

# ---------------------------------------------------------------- planning


class Unsupported(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def plan_modules(
    resolve: ir.Resolve, sources: SourceMap, source: str, world_name: str | None
) -> list[ModuleView]:
    """Every module for the world `world_name` of the main package or, with None,
    for every world of it (every interface, when it has no world)."""
    planner = Planner(resolve, source)
    main = resolve.packages[resolve.main]
    if world_name is not None:
        world_id = main.world_named(world_name)
        if world_id is None:
            known = ", ".join(f"`{name}`" for name, _ in main.worlds) or "none"
            raise WitError(
                [
                    Diagnostic(
                        f"package `{main.name}` has no world `{world_name}` (worlds: {known})"
                    )
                ],
                sources,
            )
        worlds = [world_id]
    else:
        worlds = [world_id for _, world_id in main.worlds]
    interfaces: list[ir.InterfaceId] = []
    if worlds:
        for world_id in worlds:
            world = resolve.worlds[world_id]
            for _, item in (*world.imports, *world.exports):
                if isinstance(item, ir.InterfaceItem):
                    interfaces.append(item.interface)
    else:
        interfaces = [interface_id for _, interface_id in main.interfaces]
    problems: list[Diagnostic] = []
    for interface_id in with_dependencies(resolve, interfaces):
        problems.extend(planner.interface(interface_id))
    for world_id in worlds:
        problems.extend(planner.world(world_id))
    if problems:
        raise WitError(problems, sources)
    return planner.finish()


def with_dependencies(
    resolve: ir.Resolve, interfaces: Iterable[ir.InterfaceId]
) -> list[ir.InterfaceId]:
    """The interfaces and every interface whose types they use, dependencies first."""
    order: list[ir.InterfaceId] = []
    seen: set[ir.InterfaceId] = set()
    for root in interfaces:
        stack = [(root, False)]
        while stack:
            interface_id, expanded = stack.pop()
            if interface_id in seen:
                continue
            if expanded:
                seen.add(interface_id)
                order.append(interface_id)
                continue
            stack.append((interface_id, True))
            for _, type_id in reversed(resolve.interfaces[interface_id].types):
                dep = _used_from(resolve, type_id)
                if dep is not None and dep not in seen:
                    stack.append((dep, False))
    return order


def _used_from(resolve: ir.Resolve, type_id: ir.TypeId) -> ir.InterfaceId | None:
    """The interface a `use`d type comes from."""
    typedef = resolve.types[type_id]
    if isinstance(typedef.kind, ir.AliasKind) and isinstance(typedef.kind.type, int):
        other = resolve.types[typedef.kind.type]
        if other.owner != typedef.owner and isinstance(other.owner, ir.InterfaceOwner):
            return other.owner.interface
    return None


class Planner:
    """Builds the module views: `interface()` and `world()` add one (returning what
    cannot be bound), `finish()` gives them all.  `plan_modules` drives it for
    `witgen generate`; `witgen docs` drives it over every package."""

    def __init__(self, resolve: ir.Resolve, source: str) -> None:
        self.resolve = resolve
        self.source = source
        self.modules: dict[tuple[str, ...], ModuleView] = {}
        self.type_names: dict[ir.TypeId, PythonName] = {}
        self.host_names: dict[ir.TypeId, PythonName] = {}
        self.codec_names: dict[ir.TypeId, PythonName] = {}
        self.package_docs: dict[str, str] = {}

    def finish(self) -> list[ModuleView]:
        packages: dict[str, str] = {}
        for module in self.modules.values():
            packages.setdefault(module.path[0], module.package)
        result = list(self.modules.values())
        for package, title in packages.items():
            path = (package, "__init__")
            docs = self.package_docs.get(package, "")
            result.append(
                ModuleView(path, "package", self.source, f"Package `{title}`", docs, Registry(path))
            )
        root = ModuleView(("__init__",), "root", self.source, "", "", Registry(("__init__",)))
        root.packages = sorted(packages.items())
        result.append(root)
        return sorted(result, key=lambda module: module.path)

    # -- where things live

    def package_of(self, package_id: ir.PackageId | None) -> str:
        assert package_id is not None
        package = self.resolve.packages[package_id]
        module = names.package_module(package.name)
        self.package_docs[module] = docstring_text(package.docs, None)
        return module

    def interface_path(self, interface_id: ir.InterfaceId) -> tuple[str, ...]:
        interface = self.resolve.interfaces[interface_id]
        package = self.package_of(interface.package)
        if interface.name is not None:
            return (package, names.module_name(interface.name))
        world, key = self._inline_owner(interface_id)
        return (package, names.module_name(f"{world}-{key}"))

    def _inline_owner(self, interface_id: ir.InterfaceId) -> tuple[str, str]:
        for world in self.resolve.worlds:
            for key, item in (*world.imports, *world.exports):
                if (
                    isinstance(item, ir.InterfaceItem)
                    and item.interface == interface_id
                    and isinstance(key, str)
                ):
                    return world.name, key
        raise AssertionError("an inline interface belongs to a world")

    def world_path(self, world_id: ir.WorldId) -> tuple[str, ...]:
        world = self.resolve.worlds[world_id]
        return (self.package_of(world.package), names.module_name(world.name))

    def path_of(self, owner: ir.Owner) -> tuple[str, ...] | None:
        if isinstance(owner, ir.InterfaceOwner):
            return self.interface_path(owner.interface)
        if isinstance(owner, ir.WorldOwner):
            return self.world_path(owner.world)
        return None

    # -- interfaces

    def interface(self, interface_id: ir.InterfaceId) -> list[Diagnostic]:
        path = self.interface_path(interface_id)
        if path in self.modules:
            return []
        resolve = self.resolve
        interface = resolve.interfaces[interface_id]
        wit_id = resolve.interface_id(interface_id)
        instance = wit_id if wit_id is not None else self._inline_owner(interface_id)[1]
        module = ModuleView(
            path=path,
            kind="interface",
            source=self.source,
            title=f"Interface `{wit_id}`" if wit_id else f"Interface `{instance}` (inline)",
            docs=docstring_text(interface.docs, interface.stability),
            use=Registry(path),
            instance=instance,
            package=(
                str(resolve.packages[interface.package].name)
                if interface.package is not None
                else ""
            ),
        )
        if interface.stability is not None and interface.stability.deprecated is not None:
            notice = _deprecated_expr(
                module.use.rt_wit, "interface", interface.name or instance, interface
            )
            module.deprecations.append(("", notice))
        types = _Types(self, module, ir.InterfaceOwner(interface_id))
        problems = types.named_types(interface.types)
        members = Namespace(names.HOST_MEMBERS)
        problems += types.functions(
            [function for _, function in interface.functions], members, module.functions
        )
        self.modules[path] = module
        return problems

    # -- worlds

    def world(self, world_id: ir.WorldId) -> list[Diagnostic]:
        resolve = self.resolve
        world = resolve.worlds[world_id]
        path = self.world_path(world_id)
        package = resolve.packages[world.package] if world.package is not None else None
        module = ModuleView(
            path=path,
            kind="world",
            source=self.source,
            title=(
                f"World `{package.name.interface_id(world.name)}`"
                if package
                else f"World `{world.name}`"
            ),
            docs=docstring_text(world.docs, world.stability),
            use=Registry(path),
            package=str(package.name) if package else "",
        )
        types = _Types(self, module, ir.WorldOwner(world_id))
        problems = types.named_types(
            [
                (key, item.type)
                for key, item in world.imports
                if isinstance(item, ir.TypeItem) and isinstance(key, str)
            ]
        )
        imports = Namespace(names.HOST_MEMBERS)
        exports = Namespace(names.HOST_MEMBERS)
        for ref, namespace, target in (
            (world.imports, imports, module.imported_interfaces),
            (world.exports, exports, module.exported_interfaces),
        ):
            for key, item in ref:
                if isinstance(item, ir.InterfaceItem):
                    target.append(self._interface_ref(module, key, item, ref, namespace))
        problems += types.functions(
            [item.function for _, item in world.imports if isinstance(item, ir.FunctionItem)],
            imports,
            module.imported_functions,
        )
        problems += types.functions(
            [item.function for _, item in world.exports if isinstance(item, ir.FunctionItem)],
            exports,
            module.exported_functions,
        )
        self.modules[path] = module
        return problems

    def _interface_ref(
        self,
        module: ModuleView,
        key: ir.WorldKey,
        item: ir.InterfaceItem,
        siblings: tuple[tuple[ir.WorldKey, ir.WorldItem], ...],
        namespace: Namespace,
    ) -> InterfaceRef:
        resolve = self.resolve
        target = self.interface_path(item.interface)
        alias = module.use.module(target)
        interface = resolve.interfaces[item.interface]
        wit_name = resolve.world_key_name(key)
        short = key if isinstance(key, str) else interface.name
        assert short is not None
        # The attribute is the interface's name unless another item of the world
        # has the same one; then it is qualified by its package (and version).
        clashes = sum(
            1
            for other_key, other in siblings
            if _short_name(resolve, other_key, other) == names.snake(short)
        )
        if clashes > 1 and isinstance(key, ir.InterfaceKey):
            attribute = names.function_name(f"{target[0]}-{short}")
        else:
            attribute = names.function_name(short)
        target_module = self.modules[target]
        return InterfaceRef(
            attribute=namespace.claim(attribute),
            module=alias,
            wit_name=wit_name,
            has_host_items=target_module.has_host_items,
            docs=docstring_text(item.docs, item.stability),
        )


def _short_name(resolve: ir.Resolve, key: ir.WorldKey, item: ir.WorldItem) -> str | None:
    if isinstance(key, str):
        return names.snake(key)
    if isinstance(item, ir.InterfaceItem):
        name = resolve.interfaces[item.interface].name
        return names.snake(name) if name is not None else None
    return None


# ---------------------------------------------------------------- types


class _Types:
    """Annotations, codecs and classes of types, as one module sees them."""

    def __init__(self, planner: Planner, module: ModuleView, owner: ir.Owner) -> None:
        self.planner = planner
        self.resolve = planner.resolve
        self.module = module
        self.owner = owner
        self.use = module.use
        self.globals = Namespace(names.MODULE_GLOBALS)
        # The Python names of every named type planned so far, in its own module.
        self.local = planner.type_names
        self.local_host = planner.host_names  # resources: the host protocol
        self.codec_names = planner.codec_names
        self.deps: set[str] = set()  # what the codec or alias being built refers to

    # -- where a named type is defined

    def home(self, type_id: ir.TypeId) -> ir.TypeId:
        """The type `type_id` names, following `use` (not `type a = b`)."""
        resolve = self.resolve
        while True:
            typedef = resolve.types[type_id]
            kind = typedef.kind
            if not (isinstance(kind, ir.AliasKind) and isinstance(kind.type, int)):
                return type_id
            target = resolve.types[kind.type]
            if target.name is None or target.owner == typedef.owner:
                return type_id
            type_id = kind.type

    def _qualified(self, type_id: ir.TypeId, local: str) -> str:
        """`local` as this module reaches it: itself, or through its module's alias."""
        home = self.planner.path_of(self.resolve.types[type_id].owner)
        if home is None or home == self.module.path:
            return local
        return f"{self.use.module(home)}.{local}"

    # -- annotations

    def annotation(self, ty: ir.Type, side: str) -> str:
        """The Python type of `ty`; resources are `side`'s ("host" or "guest") objects."""
        if isinstance(ty, str):
            if ty == "error-context":
                raise Unsupported(_cannot("error-context"))
            return _PRIMITIVE_ANNOTATIONS[ty]
        typedef = self.resolve.types[ty]
        if typedef.name is None:
            return self.kind_annotation(typedef.kind, side)
        resource = self.resource_def(ty)
        if resource is not None:
            named = ty if typedef.owner == self.owner else resource
            return self._resource_annotation(named, resource, side)
        if typedef.owner != self.owner:
            ty = self.home(ty)
        else:
            self.deps.add(self.local[ty])
        return self._qualified(ty, self.local[ty])

    def resource_def(self, ty: ir.Type) -> ir.TypeId | None:
        """The resource `ty` names, through any aliases and `use`s, if it names one."""
        target = self.resolve.resolved(ty)
        if isinstance(target, int) and isinstance(self.resolve.types[target].kind, ir.ResourceKind):
            return target
        return None

    def _resource_annotation(self, named: ir.TypeId, resource: ir.TypeId, side: str) -> str:
        """`named` (a name for `resource`) as each side sees it.

        A host sees its own objects.  A caller of a component sees handles to
        the component's resources, but where the resource comes from another
        interface (which a world may import) or from a world, it may be the
        host's own object too."""
        host = self._qualified(named, self.local_host[named])
        owner = self.resolve.types[resource].owner
        if side == "host" or isinstance(owner, ir.WorldOwner):
            return host  # a world's own resources are the host's
        guest = self._qualified(named, self.local[named])
        if self.resolve.types[resource].owner == self.owner and isinstance(
            self.owner, ir.InterfaceOwner
        ):
            return guest
        return f"{guest} | {host}"

    def kind_annotation(self, kind: ir.TypeDefKind, side: str) -> str:
        """The Python type of an anonymous type, or of a named one's definition."""
        if isinstance(kind, ir.AliasKind):
            return self.annotation(kind.type, side)
        if isinstance(kind, ir.HandleKind):
            inner = self.annotation(kind.resource, side)
            if kind.handle == "borrow" and side == "guest":
                return f"{self.use.rt_wit}.Borrow[{inner}]"
            return inner
        if isinstance(kind, ir.ListKind):
            if kind.type == "u8":
                return "bytes"
            return f"list[{self.annotation(kind.type, side)}]"
        if isinstance(kind, ir.OptionKind):
            inner = self.annotation(kind.type, side)
            if self.admits_none(kind.type):
                return f"{self.use.rt_wit}.Some[{inner}] | None"
            return f"{inner} | None"
        if isinstance(kind, ir.ResultKind):
            ok = self.annotation(kind.ok, side) if kind.ok is not None else "None"
            err = self.annotation(kind.err, side) if kind.err is not None else "None"
            return f"{self.use.rt_wit}.Result[{ok}, {err}]"
        if isinstance(kind, ir.TupleKind):
            return f"tuple[{', '.join(self.annotation(t, side) for t in kind.types)}]"
        if isinstance(kind, ir.MapKind):
            key = self.annotation(kind.key, side)
            return f"dict[{key}, {self.annotation(kind.value, side)}]"
        raise Unsupported(_cannot_kind(kind))

    def admits_none(self, ty: ir.Type) -> bool:
        """Whether Python writes a value of `ty` as None (an option, through aliases)."""
        ty = self.resolve.resolved(ty)
        return isinstance(ty, int) and isinstance(self.resolve.types[ty].kind, ir.OptionKind)

    def either_side(self, ty: ir.Type) -> str:
        """A field or payload: a resource there may be either side's object."""
        host = self.annotation(ty, "host")
        guest = self.annotation(ty, "guest")
        return guest if host == guest else f"{guest} | {host}"

    # -- codecs

    def codec(self, ty: ir.Type) -> str:
        if isinstance(ty, str):
            if ty == "error-context":
                raise Unsupported(_cannot("error-context"))
            return f"{self.use.rt_codec}.{_PRIMITIVE_CODECS[ty]}"
        typedef = self.resolve.types[ty]
        if typedef.name is None:
            return self.kind_codec(typedef.kind)
        resource = self.resource_def(ty)
        if resource is not None:
            return self._resource_codec(resource, borrow=False)
        home = self.home(ty)
        if self.resolve.types[home].owner == self.owner:
            self.deps.add(self.codec_names[home])
        return self._qualified(home, self.codec_names[home])

    def kind_codec(self, kind: ir.TypeDefKind) -> str:
        """The codec of an anonymous type, or of a named one's definition."""
        rt_codec = self.use.rt_codec
        if isinstance(kind, ir.AliasKind):
            return self.codec(kind.type)
        if isinstance(kind, ir.HandleKind):
            resource = self.resource_def(kind.resource)
            assert resource is not None
            return self._resource_codec(resource, kind.handle == "borrow")
        if isinstance(kind, ir.ListKind):
            if kind.type == "u8":
                return f"{rt_codec}.BytesCodec()"
            return f"{rt_codec}.ListCodec({self.codec(kind.type)})"
        if isinstance(kind, ir.OptionKind):
            return f"{rt_codec}.OptionCodec({self.codec(kind.type)}, {self.admits_none(kind.type)})"
        if isinstance(kind, ir.ResultKind):
            ok = self.codec(kind.ok) if kind.ok is not None else "None"
            err = self.codec(kind.err) if kind.err is not None else "None"
            return f"{rt_codec}.ResultCodec({ok}, {err})"
        if isinstance(kind, ir.TupleKind):
            return f"{rt_codec}.TupleCodec({tuple_expr([self.codec(t) for t in kind.types])})"
        if isinstance(kind, ir.MapKind):
            return f"{rt_codec}.MapCodec({self.codec(kind.key)}, {self.codec(kind.value)})"
        raise Unsupported(_cannot_kind(kind))

    def _resource_codec(self, resource: ir.TypeId, borrow: bool) -> str:
        # A world's own resources are the host's: no component handle class.
        owner = self.resolve.types[resource].owner
        cls = (
            "None"
            if isinstance(owner, ir.WorldOwner)
            else self._qualified(resource, self.local[resource])
        )
        key = self.resource_key(resource)
        return f"{self.use.rt_resources}.ResourceCodec({string(key)}, {cls}, {borrow})"

    def resource_key(self, resource: ir.TypeId) -> str:
        home = self.planner.path_of(self.resolve.types[resource].owner) or ()
        return f"{'.'.join(home)}#{self.resolve.types[resource].name}"

    # -- named types

    def named_types(self, types: Iterable[tuple[str, ir.TypeId]]) -> list[Diagnostic]:
        """Views of the module's named types; what cannot be bound, as diagnostics."""
        types = list(types)
        # Names first, so that types can refer to each other in any order.
        for name, type_id in types:
            typedef = self.resolve.types[type_id]
            home = self.home(type_id)
            self.local[type_id] = self.globals.claim(names.type_name(name))
            if self.resource_def(type_id) is not None:
                self.local_host[type_id] = self.globals.claim(names.resource_host_name(name))
            elif home == type_id:
                self.codec_names[type_id] = _codec_variable(name)
            if isinstance(typedef.kind, ir.VariantKind):
                for case in typedef.kind.cases:
                    self.globals.claim(names.case_class_name(name, case.name))
        problems: list[Diagnostic] = []
        for name, type_id in types:
            typedef = self.resolve.types[type_id]
            try:
                self._named(name, type_id)
            except Unsupported as problem:
                problems.append(Diagnostic(f"type `{name}`: {problem.message}", typedef.span))
        return problems

    def _named(self, wit_name: str, type_id: ir.TypeId) -> None:
        module = self.module
        typedef = self.resolve.types[type_id]
        kind = typedef.kind
        name = self.local[type_id]
        docs = docstring_text(typedef.docs, typedef.stability)
        deprecated = deprecation(typedef.stability)
        home = self.home(type_id)
        resource = self.resource_def(type_id)
        if resource is not None and resource != type_id:
            # Another name for a resource: its classes, under this name too.
            module.reexports.append((name, self._qualified(resource, self.local[resource])))
            target = self._qualified(resource, self.local_host[resource])
            module.reexports.append((self.local_host[type_id], target))
            return
        if home != type_id:
            # A `use`d type: the defining module's names, reachable from here too.
            module.reexports.append((name, self._qualified(home, self.local[home])))
            return
        rt_codec = self.use.rt_codec
        codec_name = self.codec_names.get(type_id)
        self.deps = set()
        if isinstance(kind, ir.RecordKind):
            fields = Namespace(frozenset())
            views = tuple(
                FieldView(
                    fields.claim(names.function_name(f.name)),
                    f.name,
                    self._member(f"field `{f.name}`", self.either_side, f.type),
                    docstring_text(f.docs, None),
                )
                for f in kind.fields
            )
            self.deps = set()
            codecs = tuple_expr(
                [
                    f"({string(v.name)}, {string(v.wit_name)}, {self.codec(f.type)})"
                    for v, f in zip(views, kind.fields, strict=True)
                ]
            )
            module.classes.append(TypeView("record", name, wit_name, docs, deprecated, views))
            expr = f"{rt_codec}.RecordCodec({string(wit_name)}, {name}, {codecs})"
        elif isinstance(kind, ir.VariantKind):
            views = tuple(
                FieldView(
                    names.case_class_name(wit_name, c.name),
                    c.name,
                    (
                        None
                        if c.type is None
                        else self._member(f"case `{c.name}`", self.either_side, c.type)
                    ),
                    docstring_text(c.docs, None),
                )
                for c in kind.cases
            )
            classes = tuple(v.name for v in views)
            module.classes.append(
                TypeView("variant", name, wit_name, docs, deprecated, views, classes)
            )
            union = " | ".join(classes)
            module.aliases.append((AliasView(name, union, docs, deprecated), frozenset()))
            self.deps = set()
            cases = tuple_expr(
                [
                    f"({v.name}, {string(v.wit_name)}, "
                    f"{'None' if c.type is None else self.codec(c.type)})"
                    for v, c in zip(views, kind.cases, strict=True)
                ]
            )
            expr = f"{rt_codec}.VariantCodec({string(wit_name)}, {cases})"
        elif isinstance(kind, ir.EnumKind | ir.FlagsKind):
            members = Namespace(frozenset())
            items = kind.cases if isinstance(kind, ir.EnumKind) else kind.flags
            views = tuple(
                FieldView(
                    members.claim(names.constant_name(m.name)),
                    m.name,
                    None,
                    docstring_text(m.docs, None),
                )
                for m in items
            )
            word = "enum" if isinstance(kind, ir.EnumKind) else "flags"
            module.classes.append(TypeView(word, name, wit_name, docs, deprecated, views))
            if word == "enum":
                expr = f"{rt_codec}.EnumCodec({string(wit_name)}, {name})"
            else:
                flags = tuple_expr([string(m.wit_name) for m in views])
                expr = f"{rt_codec}.FlagsCodec({string(wit_name)}, {name}, {flags})"
        elif isinstance(kind, ir.ResourceKind):
            self._resource(wit_name, type_id, name, docs, deprecated)
            return
        else:
            # `type a = b`, or a named structural type (`type bytes = list<u8>`).
            annotation = self.kind_annotation(kind, "guest")
            alias_deps = frozenset(self.deps)
            module.aliases.append((AliasView(name, annotation, docs, deprecated), alias_deps))
            self.deps = set()
            expr = self.kind_codec(kind)
        assert codec_name is not None
        module.codecs.append((codec_name, expr, frozenset(self.deps)))

    def _member(self, where: str, build: Callable[[ir.Type], str], ty: ir.Type) -> str:
        try:
            return build(ty)
        except Unsupported as problem:
            raise Unsupported(f"{where}: {problem.message}") from None

    def _resource(
        self,
        wit_name: str,
        type_id: ir.TypeId,
        name: PythonName,
        docs: str,
        deprecated: str | None,
    ) -> None:
        # Filled in by `functions`, which meets the resource's functions.
        self.module.resources.append(
            ResourceView(
                name=name,
                host_name=self.local_host[type_id],
                wit_name=wit_name,
                key=self.resource_key(type_id),
                docs=docs,
                deprecated=deprecated,
                constructor=None,
                methods=(),
                statics=(),
                drop=PythonName(""),
                drop_param=names.parameter_name(wit_name),
                guest=isinstance(self.owner, ir.InterfaceOwner),
            )
        )

    # -- functions

    def functions(
        self, functions: list[ir.Function], members: Namespace, target: list[FunctionView]
    ) -> list[Diagnostic]:
        """Views of `functions`; freestanding ones go to `target`, resource
        functions to their resource's view.  `members` holds the names of the
        class they become members of."""
        problems: list[Diagnostic] = []
        by_resource: dict[str, list[FunctionView]] = {}
        method_names: dict[str, Namespace] = {}
        # Freestanding functions claim their names first: a name derived from a
        # resource's (`blob_new`) gives way to a function's own (`blob-new`).
        functions = sorted(functions, key=lambda function: function.resource is not None)
        for function in functions:
            if function.is_async:
                problems.append(
                    Diagnostic(
                        f"function `{function.name}` is async, and wasmtime-py 50 can neither "
                        "call nor define async functions, so witgen cannot bind it",
                        function.span,
                    )
                )
                continue
            resource = None
            if function.resource is not None:
                resource_id = self.resource_def(function.resource)
                assert resource_id is not None
                resource = self.resolve.types[resource_id].name
                assert resource is not None
            if function.kind == "method":
                assert resource is not None
                space = method_names.setdefault(resource, Namespace(names.RESOURCE_MEMBERS))
                python_name = space.claim(names.function_name(function.item_name))
            elif function.kind == "constructor":
                assert resource is not None
                python_name = members.claim(names.function_name(f"{resource}-new"))
            elif function.kind == "static":
                assert resource is not None
                python_name = members.claim(names.function_name(f"{resource}-{function.item_name}"))
            else:
                python_name = members.claim(names.function_name(function.name))
            try:
                view = self._function(function, python_name)
            except Unsupported as problem:
                problems.append(
                    Diagnostic(f"function `{function.name}`: {problem.message}", function.span)
                )
                continue
            if resource is None:
                target.append(view)
            else:
                by_resource.setdefault(resource, []).append(view)
        resources = self.module.resources
        for index, resource_view in enumerate(resources):
            if resource_view.drop:
                continue
            views = by_resource.get(resource_view.wit_name, [])
            resources[index] = ResourceView(
                name=resource_view.name,
                host_name=resource_view.host_name,
                wit_name=resource_view.wit_name,
                key=resource_view.key,
                docs=resource_view.docs,
                deprecated=resource_view.deprecated,
                constructor=next((v for v in views if v.kind == "constructor"), None),
                methods=tuple(v for v in views if v.kind == "method"),
                statics=tuple(v for v in views if v.kind == "static"),
                drop=members.claim(names.function_name(f"{resource_view.wit_name}-drop")),
                drop_param=resource_view.drop_param,
                guest=resource_view.guest,
            )
        return problems

    def _function(self, function: ir.Function, python_name: PythonName) -> FunctionView:
        params = function.params[1:] if function.kind == "method" else function.params
        space = Namespace(frozenset({"self"}))
        param_views = []
        codecs = []
        for param in params:
            where = f"parameter `{param.name}`"
            param_views.append(
                ParamView(
                    space.claim(names.parameter_name(param.name)),
                    self._member(where, lambda t: self.annotation(t, "host"), param.type),
                    self._member(where, lambda t: self.annotation(t, "guest"), param.type),
                )
            )
            codecs.append((param.name, self.codec(param.type)))
        if function.kind == "method":
            assert function.resource is not None
            resource = self.resource_def(function.resource)
            assert resource is not None
            codecs.insert(0, ("self", self._resource_codec(resource, True)))
        host_result = guest_result = "None"
        raises: str | None = None
        result_codec = "None"
        result = function.result
        if result is not None:
            result_codec = self.codec(result)
            kind = self.resolve.types[result].kind if isinstance(result, int) else None
            host = self._member("result", lambda t: self.annotation(t, "host"), result)
            guest = self._member("result", lambda t: self.annotation(t, "guest"), result)
            if isinstance(kind, ir.ResultKind):
                # As componentize-py: a function whose result is a `result` returns
                # the `ok` payload and raises `Err` with the `err` payload.
                ok, err = kind.ok, kind.err
                host_result = self.annotation(ok, "host") if ok is not None else "None"
                guest_result = self.annotation(ok, "guest") if ok is not None else "None"
                raises = self.annotation(err, "guest") if err is not None else "None"
            else:
                host_result, guest_result = host, guest
        signature = _signature_variable(function)
        stability = function.stability
        deprecated = stability is not None and stability.deprecated is not None
        if deprecated and self.module.kind == "interface":
            shown = function.name
            if function.resource is not None:
                shown = f"{self.resolve.types[function.resource].name}.{function.item_name}"
            notice = _deprecated_expr(self.use.rt_wit, "function", shown, function)
            self.module.deprecations.append((function.name, notice))
        params_expr = tuple_expr([f"({string(name)}, {codec})" for name, codec in codecs])
        self.module.signatures.append(
            (
                signature,
                f"{self.use.rt_calls}.Signature("
                f"{string(function.name)}, {params_expr}, {result_codec})",
            )
        )
        return FunctionView(
            wit_name=function.name,
            name=python_name,
            kind=function.kind,
            params=tuple(param_views),
            host_result=host_result,
            guest_result=guest_result,
            raises=raises,
            signature=signature,
            call=PythonName("_call" + signature[4:]),
            docs=docstring_text(function.docs, function.stability),
            deprecated=deprecation(function.stability),
        )


def _codec_variable(name: str) -> PythonName:
    return PythonName("_codec_" + name.replace("-", "_"))


def _signature_variable(function: ir.Function) -> PythonName:
    """`_sig_f`, `_sig_r__constructor`, `_sig_r__m`: distinct for distinct functions."""
    name = function.name
    if function.resource is not None:
        resource = name[name.index("]") + 1 :].split(".")[0]
        name = f"{resource}--{function.item_name}"
    return PythonName("_sig_" + name.replace("-", "_"))


def _cannot(what: str) -> str:
    return f"{what} cannot cross wasmtime-py 50's component API, so witgen cannot bind it"


def _cannot_kind(kind: ir.TypeDefKind) -> str:
    what = {
        ir.FutureKind: "a future",
        ir.StreamKind: "a stream",
        ir.FixedListKind: "a fixed-size list",
    }.get(type(kind), type(kind).__name__)
    return _cannot(what)


_PRIMITIVE_ANNOTATIONS = {
    "bool": "bool",
    "u8": "int",
    "u16": "int",
    "u32": "int",
    "u64": "int",
    "s8": "int",
    "s16": "int",
    "s32": "int",
    "s64": "int",
    "f32": "float",
    "f64": "float",
    "char": "str",
    "string": "str",
}
_PRIMITIVE_CODECS = {
    "bool": "BOOL_CODEC",
    "u8": "U8_CODEC",
    "u16": "U16_CODEC",
    "u32": "U32_CODEC",
    "u64": "U64_CODEC",
    "s8": "S8_CODEC",
    "s16": "S16_CODEC",
    "s32": "S32_CODEC",
    "s64": "S64_CODEC",
    "f32": "F32_CODEC",
    "f64": "F64_CODEC",
    "char": "CHAR_CODEC",
    "string": "STRING_CODEC",
}


# ---------------------------------------------------------------- docs


def _deprecated_expr(rt_wit: str, kind: str, name: str, item: ir.Interface | ir.Function) -> str:
    """`rt_wit.Deprecated(...)` for a deprecated interface or function."""
    assert item.stability is not None and item.stability.deprecated is not None
    deprecated = item.stability.deprecated
    found, _ = replacement(item.docs)
    removed = minimum_version(deprecated, "major")
    args = [
        string(kind),
        string(name),
        string(str(deprecated)),
        string(found) if found is not None else "None",
        string(str(removed)) if removed is not None else "None",
    ]
    return f"{rt_wit}.Deprecated({', '.join(args)})"
