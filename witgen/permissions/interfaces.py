"""Interface-version checks: does this host provide what a component requires?

In: the packages a host provides (`ProvidedPackage`: name, version, interface
names; `AIRSSYS_PACKAGES` by default, the packages of this repository's
`wit/`) and a component's requirements: its import names as they appear in
the component (`airssys:host-core/host-services@1.0.0`), its `[dependencies]`
(a package or interface name and a Cargo-style requirement) and its
`api-version`.  Out: `InterfaceValidator.check()` lists every
`InterfaceProblem`; `validate()` raises `UnsupportedInterface`,
`VersionMismatch` or `MalformedVersion` (all `InterfaceError`s) for the first
one, with all of them attached.

An import at version V means "built against V": the host's version P must
satisfy `^V` (same major, P >= V; so a component built with 1.0 runs on a 1.5
host, one built with 1.5 does not run on a 1.0 host, and 2.x runs on neither).
An `api-version` V likewise requires `^V` of `airssys:component-core`.
Dependencies mean what their requirement says (see `versions`).  Versions are
strict: `1.2` is malformed.  Requirements are parsed once per call; the
manifest's were already checked when it was loaded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import semver

from witgen.permissions.errors import (
    INTERFACE_ERRORS,
    InterfaceProblem,
    InterfaceProblemKind,
)
from witgen.permissions.manifest import Manifest
from witgen.permissions.versions import (
    Requirement,
    built_against,
    parse_requirement,
    parse_version,
)

_WIT_ID = r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*"
_NAME = re.compile(rf"({_WIT_ID}:{_WIT_ID})(?:/({_WIT_ID}))?(?:@(.*))?", re.DOTALL)

UNSUPPORTED = InterfaceProblemKind.UNSUPPORTED
MISMATCH = InterfaceProblemKind.MISMATCH
MALFORMED = InterfaceProblemKind.MALFORMED


@dataclass(frozen=True, slots=True)
class ProvidedPackage:
    """A package the host implements: `namespace:name`, its version, its interfaces."""

    name: str
    version: str
    interfaces: frozenset[str]


AIRSSYS_PACKAGES: tuple[ProvidedPackage, ...] = (
    ProvidedPackage("airssys:component-core", "1.0.0", frozenset({"component-lifecycle"})),
    ProvidedPackage(
        "airssys:host-core", "1.0.0", frozenset({"types", "capabilities", "host-services"})
    ),
    ProvidedPackage(
        "airssys:host-extensions",
        "1.0.0",
        frozenset({"filesystem", "network", "process", "storage"}),
    ),
)
"""What an airssys 1.0 host provides; a test keeps it equal to `wit/`."""

API_PACKAGE = "airssys:component-core"

# WASI 0.2, which the airssys host links from wasmtime (`Linker.add_wasip2`) at any 0.2.x.
_WASI_02 = re.compile(r"wasi:[a-z0-9-]+/[a-z0-9-]+@0\.2\.[0-9]+")


def is_linked_wasi(name: str) -> bool:
    """Whether the import `name` is a WASI 0.2 interface (`wasi:cli/stdout@0.2.9`),
    which the host links from wasmtime, so no manifest grant or airssys
    package covers it (wasmtime's WASI is given no files, sockets or
    environment by the host)."""
    return _WASI_02.fullmatch(name) is not None


@functools.lru_cache(maxsize=256)
def _split_name(name: str) -> tuple[str, str | None, str | None] | None:
    """`namespace:package`, the interface and the version text of a name, if it is one."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    package, interface, version = match.groups()
    return package, interface, version


class InterfaceValidator:
    """Knows the packages a host provides; checks components against them."""

    __slots__ = ("_links_wasi", "_packages")

    def __init__(
        self, packages: Iterable[ProvidedPackage] = AIRSSYS_PACKAGES, *, links_wasi: bool = False
    ) -> None:
        """`links_wasi`: the host also links WASI 0.2 from wasmtime (the airssys
        host does), so such imports (`is_linked_wasi`) are supported."""
        self._links_wasi = links_wasi
        self._packages: dict[str, tuple[semver.Version, frozenset[str], str]] = {}
        for package in packages:
            self._packages[package.name] = (
                parse_version(package.version),
                package.interfaces,
                package.version,
            )

    def check(
        self,
        imports: Iterable[str] = (),
        dependencies: Iterable[tuple[str, str | Requirement]] = (),
        api_version: str | None = None,
    ) -> tuple[InterfaceProblem, ...]:
        """Every problem with a component's imports, dependencies and api-version."""
        problems: list[InterfaceProblem] = []
        for name in imports:
            problem = self._check_import(name)
            if problem is not None:
                problems.append(problem)
        for name, requirement in dependencies:
            problem = self._check_dependency(name, requirement)
            if problem is not None:
                problems.append(problem)
        if api_version is not None:
            problem = self._check_built_against(
                f"api-version {api_version}", API_PACKAGE, None, api_version
            )
            if problem is not None:
                problems.append(problem)
        return tuple(problems)

    def validate(
        self,
        imports: Iterable[str] = (),
        dependencies: Iterable[tuple[str, str | Requirement]] = (),
        api_version: str | None = None,
    ) -> None:
        """Raise the `InterfaceError` of the first problem, if there is one."""
        problems = self.check(imports, dependencies, api_version)
        if problems:
            raise INTERFACE_ERRORS[problems[0].kind](problems)

    def check_manifest(
        self, manifest: Manifest, imports: Iterable[str] = ()
    ) -> tuple[InterfaceProblem, ...]:
        """`check()` with a manifest's dependencies and api-version."""
        dependencies = [(d.name, d.requirement) for d in manifest.dependencies]
        return self.check(imports, dependencies, manifest.component.api_version)

    def validate_manifest(self, manifest: Manifest, imports: Iterable[str] = ()) -> None:
        problems = self.check_manifest(manifest, imports)
        if problems:
            raise INTERFACE_ERRORS[problems[0].kind](problems)

    def _check_import(self, name: str) -> InterfaceProblem | None:
        if self._links_wasi and isinstance(name, str) and is_linked_wasi(name):
            return None  # the host links it from wasmtime
        parts = _split_name(name) if isinstance(name, str) else None
        if parts is None or parts[1] is None:
            return InterfaceProblem(
                UNSUPPORTED,
                str(name),
                "not an interface name (`namespace:package/interface@version`)",
            )
        package, interface, version = parts
        if version is None:
            found = self._packages.get(package)
            if found is not None:
                return InterfaceProblem(
                    MISMATCH, name, f"the import names no version; the host provides {found[2]}"
                )
        return self._check_built_against(name, package, interface, version)

    def _check_built_against(
        self, name: str, package: str, interface: str | None, version: str | None
    ) -> InterfaceProblem | None:
        problem = self._find(name, package, interface)
        if problem is not None:
            return problem
        try:
            requirement = built_against(version or "")
        except ValueError as error:
            return InterfaceProblem(MALFORMED, name, str(error))
        return self._satisfies(name, package, requirement, "built against")

    def _check_dependency(
        self, name: str, requirement: str | Requirement
    ) -> InterfaceProblem | None:
        match = _NAME.fullmatch(name) if isinstance(name, str) else None
        if match is None or match.group(3) is not None:
            return InterfaceProblem(
                UNSUPPORTED, str(name), "not a package or interface name without a version"
            )
        package, interface, _ = match.groups()
        problem = self._find(name, package, interface)
        if problem is not None:
            return problem
        if not isinstance(requirement, Requirement):
            try:
                requirement = parse_requirement(requirement)
            except ValueError as error:
                return InterfaceProblem(MALFORMED, name, str(error))
        return self._satisfies(name, package, requirement, "requires")

    def _find(self, name: str, package: str, interface: str | None) -> InterfaceProblem | None:
        found = self._packages.get(package)
        if found is None:
            known = ", ".join(f"{p}@{v[2]}" for p, v in self._packages.items()) or "none"
            return InterfaceProblem(
                UNSUPPORTED, name, f"the host provides no package {package} (it has: {known})"
            )
        if interface is not None and interface not in found[1]:
            listed = ", ".join(sorted(found[1]))
            return InterfaceProblem(
                UNSUPPORTED,
                name,
                f"{package} has no interface {interface} (it has: {listed})",
            )
        return None

    def _satisfies(
        self, name: str, package: str, requirement: Requirement, verb: str
    ) -> InterfaceProblem | None:
        provided, _, text = self._packages[package]
        if requirement.matches(provided):
            return None
        wanted = requirement.text[1:] if verb == "built against" else requirement.text
        return InterfaceProblem(
            MISMATCH,
            name,
            f"the component {verb} {wanted}, but the host provides {package}@{text}",
        )
