"""The views of every generated module, worked out from the resolved model.

In: an `ir.Resolve` and the world (or interfaces) to generate.  Out: one view
per generated module (`views.py`), with every name, annotation, codec
expression, docstring and import already computed, so that templates only
loop and print; and a warning (a `Diagnostic` pointing at it) for each function
wasmtime-py 50 can neither call nor define (async, or a stream, future,
error-context or fixed-size list in its signature), which the modules leave
out and list in `UNBINDABLE`.  Raises `WitError` for two WIT items that would
be one Python module, package or import alias (`module_clashes`), pointing at
each later one; `WorldNotFound` (`witgen.resolve.select`) for a world the tree
does not have.

The public face of the code generator: `plan_modules` for `witgen generate`;
`Planner` and `with_dependencies` for `witgen docs`, which plans every package.
A module's types are planned by `definitions.py` (their annotations and codecs
by `annotations.py`), its functions by `signatures.py`; this module places
them, names the modules and assembles each view once.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from witgen import ir
from witgen.codegen import names
from witgen.codegen.annotations import TypeMapper
from witgen.codegen.definitions import Definitions, claim_type_names, plan_definitions
from witgen.codegen.imports import BINDINGS, RT_WIT, Code, Name, Registry, generated_module
from witgen.codegen.layout import string
from witgen.codegen.names import Namespace, PythonName
from witgen.codegen.signatures import Functions, plan_functions
from witgen.codegen.views import (
    InterfaceModule,
    InterfaceRef,
    Module,
    PackageModule,
    ResourceView,
    RootModule,
    WorldModule,
    deprecation,
    docstring_text,
)
from witgen.codegen.wasi import Provider, choose_providers
from witgen.conventions import replacement
from witgen.diagnostics import Diagnostic, SourceMap, Span, WitError
from witgen.resolve.select import select_world
from witgen.version import minimum_version


@dataclass(frozen=True, slots=True)
class Plan:
    """What `plan_modules` planned: the modules, and a warning per function
    left out of them (in the order the modules were planned)."""

    modules: list[Module]
    warnings: list[Diagnostic]
    sources: SourceMap  # what the warnings point into


def plan_modules(
    resolve: ir.Resolve,
    sources: SourceMap,
    source: str,
    world_name: str | None,
    implement: Sequence[str] = (),
) -> Plan:
    """Every module for the world `world_name` (a world of the main package, or
    any world of the tree by its full name, `ns:pkg/world@1.0.0`) or, with None,
    for every world of the main package (every interface, when it has none).

    The WASI imports wasmtime implements are linked from wasmtime, but those
    the patterns of `implement` name (`wasi.py`), which the host implements."""
    planner = Planner(resolve, source, implement)
    main = resolve.packages[resolve.main]
    if world_name is not None:
        worlds = [select_world(resolve, world_name)]
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
    interfaces = with_dependencies(resolve, interfaces)
    clashes = module_clashes(planner, interfaces, worlds)
    if clashes:
        raise WitError(clashes, sources)
    warnings: list[Diagnostic] = []
    for interface_id in interfaces:
        warnings.extend(planner.interface(interface_id))
    for world_id in worlds:
        warnings.extend(planner.world(world_id))
    errors = planner.errors + [
        Diagnostic(
            f"`--implement {pattern}` names no import that wasmtime implements in the "
            "world(s) generated"
        )
        for pattern in implement
        if pattern not in planner.implemented
    ]
    if errors:
        raise WitError(errors, sources)
    return Plan(planner.finish(), warnings, sources)


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


def module_clashes(
    planner: Planner, interfaces: Sequence[ir.InterfaceId], worlds: Sequence[ir.WorldId]
) -> list[Diagnostic]:
    """Where two WIT items would be generated as one Python module, package
    or import alias, one error each, pointing at the later item.

    Python names lose what WIT spells with `-`, `:` and `/` (`a:b-c` and `a-b:c`
    are both the package `a_b_c`; world `w`'s inline `x` and interface `w-x`
    are both the module `w_x`), and a module must never silently stand for two.
    """
    owners: list[ir.Owner] = [ir.InterfaceOwner(i) for i in interfaces]
    owners += [ir.WorldOwner(w) for w in worlds]
    problems: list[Diagnostic] = []
    packages: dict[str, str] = {}
    modules: dict[tuple[str, ...], tuple[ir.Owner, str]] = {}
    aliases: dict[str, tuple[str, ...]] = {}
    refused: set[str] = set()
    for owner in owners:
        path = planner.path_of(owner)
        assert path is not None
        package, what, span = _described(planner, owner)
        module = ".".join(path)
        alias = names.module_alias(path)
        first_package = packages.setdefault(path[0], package)
        if first_package != package:
            if package not in refused:
                refused.add(package)
                problems.append(
                    Diagnostic(
                        f"package `{package}` cannot be generated as the Python package"
                        f" `{path[0]}`: package `{first_package}` already is; rename one of them",
                        span,
                    )
                )
            continue
        first_owner, first = modules.setdefault(path, (owner, what))
        if first_owner != owner:
            clash = f"{first} already is"
        elif aliases.setdefault(alias, path) != path:
            clash = f"the module `{'.'.join(aliases[alias])}` is imported as `{alias}` too"
        else:
            continue
        problems.append(
            Diagnostic(
                f"{what} cannot be generated as the Python module `{module}`: {clash};"
                " rename one of them",
                span,
            )
        )
    return problems


def _described(planner: Planner, owner: ir.Owner) -> tuple[str, str, Span | None]:
    """An interface's or a world's package name, how errors name it, and its span."""
    resolve = planner.resolve
    if isinstance(owner, ir.InterfaceOwner):
        interface = resolve.interfaces[owner.interface]
        wit_id = resolve.interface_id(owner.interface)
        if wit_id is not None:
            what = f"interface `{wit_id}`"
        else:
            world_name, key = planner._inline_owner(owner.interface)
            what = f"interface `{key}` of world `{world_name}`"
        package_id, span = interface.package, interface.span
    else:
        assert isinstance(owner, ir.WorldOwner)
        world = resolve.worlds[owner.world]
        home = resolve.packages[world.package] if world.package is not None else None
        what = f"world `{home.name.interface_id(world.name) if home else world.name}`"
        package_id, span = world.package, world.span
    package = str(resolve.packages[package_id].name) if package_id is not None else ""
    return package, what, span


def _used_from(resolve: ir.Resolve, type_id: ir.TypeId) -> ir.InterfaceId | None:
    """The interface a `use`d type comes from."""
    typedef = resolve.types[type_id]
    if isinstance(typedef.kind, ir.AliasKind) and isinstance(typedef.kind.type, int):
        other = resolve.types[typedef.kind.type]
        if other.owner != typedef.owner and isinstance(other.owner, ir.InterfaceOwner):
            return other.owner.interface
    return None


class Planner:
    """Builds the module views: `interface()` and `world()` add one (returning a
    warning per function it cannot bind), `finish()` gives them all.  `plan_modules` drives it for
    `witgen generate`; `witgen docs` drives it over every package."""

    def __init__(self, resolve: ir.Resolve, source: str, implement: Sequence[str] = ()) -> None:
        self.resolve = resolve
        self.source = source
        self.implement = implement  # `--implement` patterns (`wasi.py`)
        self.implemented: set[str] = set()  # the patterns that named an import
        self.errors: list[Diagnostic] = []  # choices of `implement` wasmtime cannot honour
        self.modules: dict[tuple[str, ...], InterfaceModule | WorldModule] = {}
        # The Python names of every named type planned so far, in its own module.
        self.type_names: dict[ir.TypeId, PythonName] = {}
        self.host_names: dict[ir.TypeId, PythonName] = {}  # resources: the host protocol
        self.codec_names: dict[ir.TypeId, PythonName] = {}
        self.package_docs: dict[str, str] = {}
        # Packages the tree holds in two versions: their Python names carry the version.
        self.versioned = names.versioned_packages(resolve)

    def finish(self) -> list[Module]:
        packages: dict[str, str] = {}
        for module in self.modules.values():
            packages.setdefault(module.path[0], module.package)
        result: list[Module] = list(self.modules.values())
        for package, title in packages.items():
            result.append(
                PackageModule(
                    path=(package, "__init__"),
                    source=self.source,
                    title=f"Package `{title}`",
                    docs=self.package_docs.get(package, ""),
                )
            )
        result.append(
            RootModule(
                path=("__init__",), source=self.source, packages=tuple(sorted(packages.items()))
            )
        )
        return sorted(result, key=lambda module: module.path)

    def interface_module(self, interface_id: ir.InterfaceId) -> InterfaceModule:
        """The view of an interface `interface()` planned."""
        module = self.modules[self.interface_path(interface_id)]
        assert isinstance(module, InterfaceModule)
        return module

    def world_module(self, world_id: ir.WorldId) -> WorldModule:
        """The view of a world `world()` planned."""
        module = self.modules[self.world_path(world_id)]
        assert isinstance(module, WorldModule)
        return module

    # -- where things live

    def package_of(self, package_id: ir.PackageId | None) -> str:
        assert package_id is not None
        package = self.resolve.packages[package_id]
        name = package.name
        module = names.package_module(name, (name.namespace, name.name) in self.versioned)
        self.package_docs[module] = docstring_text(package.docs, None)
        return module

    def interface_path(self, interface_id: ir.InterfaceId) -> tuple[str, ...]:
        interface = self.resolve.interfaces[interface_id]
        package = self.package_of(interface.package)
        if interface.name is not None:
            return (package, names.module_name(interface.name))
        world, key = self._inline_owner(interface_id)
        if self._shadowed_export(interface_id):
            # `import y: interface {..}` and `export y: interface {..}`: two interfaces.
            key = f"{key}-export"
        return (package, names.inline_module_name(world, key))

    def _shadowed_export(self, interface_id: ir.InterfaceId) -> bool:
        """Whether an inline interface is exported under a name its world also imports."""
        for world in self.resolve.worlds:
            for key, item in world.exports:
                if isinstance(item, ir.InterfaceItem) and item.interface == interface_id:
                    return any(other == key for other, _ in world.imports)
        return False

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
        uses = Registry(path, BINDINGS)  # what the module's views use
        deprecations: list[tuple[str, Code]] = []
        if interface.stability is not None and interface.stability.deprecated is not None:
            notice = _deprecated_expr(uses, "interface", interface.name or instance, interface)
            deprecations.append(("", notice))
        types = TypeMapper(self, path, ir.InterfaceOwner(interface_id), uses)
        definitions = self._definitions(types, interface.types)
        members = Namespace(names.HOST_MEMBERS)
        functions = plan_functions(types, [f for _, f in interface.functions], members)
        resources = self._resources(types, definitions, functions, members)
        deprecations += self._deprecated_functions(uses, functions)
        self.modules[path] = InterfaceModule(
            path=path,
            source=self.source,
            title=f"Interface `{wit_id}`" if wit_id else f"Interface `{instance}` (inline)",
            docs=docstring_text(interface.docs, interface.stability),
            imports=frozenset(uses.used),
            package=(
                str(resolve.packages[interface.package].name)
                if interface.package is not None
                else ""
            ),
            definitions=definitions.ordered({view.wit_name: view for view in resources}),
            codecs=definitions.codecs,
            signatures=_signatures(functions),
            instance=instance,
            deprecations=tuple(deprecations),
            functions=functions.freestanding(),
            unbindable=functions.unbindable,
        )
        return list(functions.warnings)

    # -- worlds

    def world(self, world_id: ir.WorldId) -> list[Diagnostic]:
        resolve = self.resolve
        world = resolve.worlds[world_id]
        path = self.world_path(world_id)
        package = resolve.packages[world.package] if world.package is not None else None
        uses = Registry(path, BINDINGS)  # what the module's views use
        types = TypeMapper(self, path, ir.WorldOwner(world_id), uses)
        definitions = self._definitions(
            types,
            [
                (key, item.type)
                for key, item in world.imports
                if isinstance(item, ir.TypeItem) and isinstance(key, str)
            ],
        )
        import_members = Namespace(names.HOST_MEMBERS)
        export_members = Namespace(names.HOST_MEMBERS)
        providers, problems = choose_providers(
            resolve,
            world_id,
            [item.interface for _, item in world.imports if isinstance(item, ir.InterfaceItem)],
            self.implement,
            self.implemented,
        )
        self.errors.extend(problems)
        imported_interfaces = self._interface_refs(uses, world.imports, import_members, providers)
        exported_interfaces = self._interface_refs(uses, world.exports, export_members, {})
        imported = plan_functions(
            types,
            [item.function for _, item in world.imports if isinstance(item, ir.FunctionItem)],
            import_members,
        )
        resources = self._resources(types, definitions, imported, import_members)
        exported = plan_functions(
            types,
            [item.function for _, item in world.exports if isinstance(item, ir.FunctionItem)],
            export_members,
        )
        self.modules[path] = WorldModule(
            path=path,
            source=self.source,
            title=(
                f"World `{package.name.interface_id(world.name)}`"
                if package
                else f"World `{world.name}`"
            ),
            docs=docstring_text(world.docs, world.stability),
            imports=frozenset(uses.used),
            package=str(package.name) if package else "",
            definitions=definitions.ordered({view.wit_name: view for view in resources}),
            codecs=definitions.codecs,
            signatures=_signatures(imported) + _signatures(exported),
            imported_functions=imported.freestanding(),
            exported_functions=exported.freestanding(),
            imported_interfaces=imported_interfaces,
            exported_interfaces=exported_interfaces,
            unbindable_imports=imported.unbindable,
            unbindable_exports=exported.unbindable,
        )
        return [*imported.warnings, *exported.warnings]

    def _interface_refs(
        self,
        uses: Registry,
        items: tuple[tuple[ir.WorldKey, ir.WorldItem], ...],
        members: Namespace,
        providers: dict[ir.InterfaceId, Provider],
    ) -> tuple[InterfaceRef, ...]:
        """The interfaces among a world's imports (or exports) `items`, their
        attributes named in `members` (but those wasmtime implements, `providers`)."""
        return tuple(
            self._interface_ref(
                uses, key, item, items, members, provider=providers.get(item.interface)
            )
            for key, item in items
            if isinstance(item, ir.InterfaceItem)
        )

    def _interface_ref(
        self,
        uses: Registry,
        key: ir.WorldKey,
        item: ir.InterfaceItem,
        siblings: tuple[tuple[ir.WorldKey, ir.WorldItem], ...],
        members: Namespace,
        *,
        provider: Provider | None,
    ) -> InterfaceRef:
        resolve = self.resolve
        target = self.interface_path(item.interface)
        module = generated_module(target)
        uses.add(module.source)
        interface = resolve.interfaces[item.interface]
        short = key if isinstance(key, str) else interface.name
        assert short is not None
        # The attribute is the interface's name unless another item of the world
        # has the same one; then it is qualified by its package (and version).
        clashes = sum(
            1
            for other_key, other in siblings
            if _short_name(resolve, other_key, other) == names.snake(short)
        )
        qualified = clashes > 1 and isinstance(key, ir.InterfaceKey)
        attribute = names.world_attribute(short, target[0] if qualified else None)
        return InterfaceRef(
            attribute=attribute if provider is not None else members.claim(attribute),
            module=module,
            wit_name=resolve.world_key_name(key),
            has_host_items=self.interface_module(item.interface).has_host_items,
            docs=docstring_text(item.docs, item.stability),
            provider=provider,
        )

    # -- what a module holds

    def _deprecated_functions(self, uses: Registry, functions: Functions) -> list[tuple[str, Code]]:
        """`(name in SIGNATURES, rt_wit.Deprecated(...))` of the deprecated functions."""
        notices = []
        for planned in functions.planned:
            function = planned.function
            if function.stability is not None and function.stability.deprecated is not None:
                shown = function.name
                if function.resource is not None:
                    owner = self.resolve.types[function.resource].name
                    shown = f"{owner}.{function.item_name}"
                notices.append((function.name, _deprecated_expr(uses, "function", shown, function)))
        return notices

    def _definitions(
        self, types: TypeMapper, named: Sequence[tuple[str, ir.TypeId]]
    ) -> Definitions:
        """The module's named types, named first so that they can refer to each
        other in any order."""
        claim_type_names(types, Namespace(names.MODULE_GLOBALS), named)
        return plan_definitions(types, named)

    def _resources(
        self,
        types: TypeMapper,
        definitions: Definitions,
        functions: Functions,
        members: Namespace,
    ) -> tuple[ResourceView, ...]:
        """The views of the module's own resources, with their functions; each
        resource's drop is named in `members` after every function."""
        resolve = self.resolve
        views = []
        for slot in definitions.resources:
            wit_name, type_id = slot.wit_name, slot.type_id
            typedef = resolve.types[type_id]
            resource_functions = functions.of_resource(wit_name)
            views.append(
                ResourceView(
                    name=self.type_names[type_id],
                    host_name=self.host_names[type_id],
                    wit_name=wit_name,
                    key=types.resource_key(type_id),
                    docs=docstring_text(typedef.docs, typedef.stability),
                    deprecated=deprecation(typedef.stability),
                    constructor=next(
                        (v for v in resource_functions if v.kind == "constructor"), None
                    ),
                    methods=tuple(v for v in resource_functions if v.kind == "method"),
                    statics=tuple(v for v in resource_functions if v.kind == "static"),
                    drop=members.claim(names.drop_name(wit_name)),
                    drop_param=names.parameter_name(wit_name),
                    guest=isinstance(types.owner, ir.InterfaceOwner),
                )
            )
        return tuple(views)


def _signatures(functions: Functions) -> tuple[tuple[PythonName, Code], ...]:
    return tuple((planned.view.signature, planned.signature) for planned in functions.planned)


def _short_name(resolve: ir.Resolve, key: ir.WorldKey, item: ir.WorldItem) -> str | None:
    if isinstance(key, str):
        return names.snake(key)
    if isinstance(item, ir.InterfaceItem):
        name = resolve.interfaces[item.interface].name
        return names.snake(name) if name is not None else None
    return None


def _deprecated_expr(
    uses: Registry, kind: str, name: str, item: ir.Interface | ir.Function
) -> Code:
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
    uses.add(RT_WIT)
    return Code.of(Name(RT_WIT, "Deprecated"), f"({', '.join(args)})")
