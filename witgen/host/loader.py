"""The checks a component passes before it is instantiated.

In: a compiled component (its type, read without instantiating it), its
manifest, and what the host provides (the generated bindings of the airssys
worlds and the interface versions).  Out: a `Report` with one `Verdict` per
check, in order; `Report.problems()` lists what failed, each naming the
component, the item and the reason.  Raises nothing: `witgen inspect` prints
every verdict, and the host refuses to load a component with any problem.

The checks:

1. `manifest`: the manifest loads (a manifest with any problem is refused,
   fail closed);
2. `imports`: every import is something the host provides: an airssys
   interface in a version the host supports (semver, with the manifest's
   `[dependencies]` and `api-version`, by the interface validator), or WASI
   0.2 (linked with nothing granted);
3. `types`: every function the component imports from an airssys interface
   has exactly the type the host's bindings implement, and every function of
   an airssys interface it exports has the type the host calls it with
   (wasmtime itself does not compare host functions with what a component
   imports);
4. `lifecycle`: the component exports `airssys:component-core/component-lifecycle`.

Besides the verdicts, `Report.deprecated` lists every `@deprecated` interface
or function (as the host's bindings mark them) that the component imports, for
the host's load-time warnings; using one is not a problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from wasmtime import Engine
from wasmtime.component import Component, ComponentInstanceType, FuncType, ResourceType

from witgen.host.typecheck import check_function
from witgen.permissions import (
    AIRSSYS_PACKAGES,
    InterfaceValidator,
    Manifest,
    ProvidedPackage,
    is_linked_wasi,
)
from witgen.runtime.calls import InterfaceModule
from witgen.runtime.wit import Deprecated

LIFECYCLE = "airssys:component-core/component-lifecycle"
_NAME = re.compile(r"([a-z0-9-]+):([a-z0-9-]+)/([a-z0-9-]+)(?:@([0-9A-Za-z.+-]+))?")


@dataclass(frozen=True, slots=True)
class Verdict:
    check: str  # manifest, imports, types, lifecycle
    ok: bool
    details: tuple[str, ...] = ()  # the problems (when not ok), or what was checked


@dataclass
class Report:
    component: str
    verdicts: list[Verdict] = field(default_factory=list)
    # (import name, item) of each deprecated item the component imports, in order
    deprecated: list[tuple[str, Deprecated]] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """One warning per deprecated item the component imports (wit/VERSIONING.md's form)."""
        return [item.warning(self.component) for _, item in self.deprecated]

    @property
    def ok(self) -> bool:
        return all(verdict.ok for verdict in self.verdicts)

    def problems(self) -> list[str]:
        """Every problem, as `component `x`: item: reason`."""
        return [
            f"component `{self.component}`: {detail}"
            for verdict in self.verdicts
            if not verdict.ok
            for detail in verdict.details
        ]


def split_name(name: str) -> tuple[str, str, str | None] | None:
    """(`ns:pkg`, interface, version) of an interface name, or None."""
    found = _NAME.fullmatch(name)
    if found is None:
        return None
    namespace, package, interface, version = found.groups()
    return f"{namespace}:{package}", interface, version


def unversioned(name: str) -> str:
    return name.partition("@")[0]


def check_component(
    name: str,
    *,
    engine: Engine,
    component: Component,
    manifest: Manifest | None,
    manifest_problems: Iterable[str],
    imports: dict[str, InterfaceModule],
    exports: dict[str, InterfaceModule],
    packages: tuple[ProvidedPackage, ...] = AIRSSYS_PACKAGES,
) -> Report:
    """Run every check (see the module docstring).

    `imports` and `exports` are the generated interface modules the host
    links and calls, by instance name (a world's `IMPORTED_INTERFACES` and
    `EXPORTED_INTERFACES`).
    """
    report = Report(name)
    manifest_problems = tuple(manifest_problems)
    manifest_ok = manifest is not None and not manifest_problems
    report.verdicts.append(Verdict("manifest", manifest_ok, manifest_problems))
    component_type = component.type
    imported = component_type.imports(engine)
    exported = component_type.exports(engine)

    provided = {unversioned(key): module for key, module in imports.items()}
    import_problems: list[str] = []
    airssys_imports: list[str] = []
    for key in imported:
        parts = split_name(key)
        if is_linked_wasi(key):
            continue
        if parts is not None and parts[0].startswith("wasi:"):
            import_problems.append(f"import `{key}`: the host links WASI 0.2 only")
            continue
        if parts is None or unversioned(key) not in provided:
            import_problems.append(f"import `{key}`: the host does not provide it")
            continue
        airssys_imports.append(key)
    validator = InterfaceValidator(packages, links_wasi=True)
    if manifest is not None:
        interface_problems = validator.check_manifest(manifest, airssys_imports)
    else:
        interface_problems = validator.check(airssys_imports)
    import_problems += [
        f"`{problem.name}`: {problem.kind.value}: {problem.message}"
        for problem in interface_problems
    ]
    report.verdicts.append(
        Verdict("imports", not import_problems, tuple(import_problems) or tuple(imported))
    )

    type_problems: list[str] = []
    for key in airssys_imports:
        module = provided[unversioned(key)]
        type_problems += _check_instance(
            engine, f"import `{key}`", imported[key].ty, module, "imports"
        )
        report.deprecated += _deprecated_uses(engine, key, imported[key].ty, module)
    expected_exports = {unversioned(key): module for key, module in exports.items()}
    exported_by_name = {unversioned(key): key for key in exported}
    for plain, module in expected_exports.items():
        export_key = exported_by_name.get(plain)
        if export_key is not None:
            type_problems += _check_instance(
                engine, f"export `{export_key}`", exported[export_key].ty, module, "exports"
            )
    report.verdicts.append(Verdict("types", not type_problems, tuple(type_problems)))

    lifecycle = exported_by_name.get(LIFECYCLE)
    report.verdicts.append(
        Verdict(
            "lifecycle",
            lifecycle is not None,
            (
                (f"exports `{lifecycle}`",)
                if lifecycle is not None
                else (f"export `{LIFECYCLE}`: the component does not export it",)
            ),
        )
    )
    return report


def _deprecated_uses(
    engine: Engine, key: str, ty: object, module: InterfaceModule
) -> list[tuple[str, Deprecated]]:
    """The deprecated interface `key` names, and its deprecated functions the component imports."""
    if not module.DEPRECATED:
        return []
    found = [(key, module.DEPRECATED[""])] if "" in module.DEPRECATED else []
    if isinstance(ty, ComponentInstanceType):
        for function_name in ty.exports(engine):
            item = module.DEPRECATED.get(function_name)
            if function_name and item is not None:
                found.append((key, item))
    return found


def _check_instance(
    engine: Engine, where: str, ty: object, module: InterfaceModule, direction: str
) -> list[str]:
    if not isinstance(ty, ComponentInstanceType):
        return [f"{where}: is not an instance of functions"]
    problems: list[str] = []
    items = ty.exports(engine)
    for function_name, item in items.items():
        item_ty = item.ty
        if isinstance(item_ty, ResourceType) or not isinstance(item_ty, FuncType):
            continue  # a type the instance exports: checked through the functions using it
        signature = module.SIGNATURES.get(function_name)
        if signature is None:
            problems.append(f"{where}: function `{function_name}`: the host does not provide it")
            continue
        for problem in check_function(signature, item_ty):
            problems.append(f"{where}: function `{function_name}`: {problem}")
    if direction == "exports":
        missing = sorted(set(module.SIGNATURES) - set(items))
        problems += [f"{where}: function `{name}`: missing" for name in missing]
    return problems
