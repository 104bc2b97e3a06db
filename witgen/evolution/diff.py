"""Every change between two versions of WIT packages, with its semver verdict.

In: two `ir.Resolve`s, OLD and NEW, resolved with the same features.  Packages
are matched by namespace and name (their versions differ).  Out: a `Diff`,
with one `PackageDiff` per package found on both sides: each `Change` (a rule
from `RULES`, the item, a message and the place: in NEW, or in OLD for a
removal), the bump the changes require and whether NEW's version is enough.
Raises `DiffError` only for a `package` argument that is not a package name
or not on both sides.

What is breaking follows the component model's binary reality, not the WIT
text: a component is linked by its imports' and exports' *types*, which
wasmparser compares for equality (a record's fields, a variant's cases, a
function's parameter names); instance types are compared by name, so an
instance may offer more than a component asks for.  `wasm-tools component
targets NEW old.wasm`, which asks whether a component built against OLD still
conforms to NEW, is the oracle for the binary rules (tests/diff checks it).
The rules that are policy rather than binary reality are said so in `RULES`.

Types are compared structurally through aliases (`type a = b`, `use`), except
that a record, variant, enum, flags or resource is known by its name and its
owner (package, interface or world): a named type's content is compared once,
where it is defined, and a use of it only checks that it still names the same
type.  An owner in another package is known by its version's semver-compatible
part as well (`1` for 1.2.3, `0.2` for 0.2.3): a use of a type that moved to a
new major of its package is a different type.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol, assert_never

from witgen import ir
from witgen.conventions import capabilities, without_capability
from witgen.diagnostics import Span
from witgen.printer import print_kind, print_type
from witgen.version import Level, Version, VersionError, minimum_version

Verdict = Literal["breaking", "compatible", "patch"]
Side = Literal["old", "new"]

VERDICTS: tuple[Verdict, ...] = ("breaking", "compatible", "patch")
LEVELS: tuple[Level, ...] = ("none", "patch", "minor", "major")
LEVEL_OF: dict[Verdict, Level] = {"breaking": "major", "compatible": "minor", "patch": "patch"}


class DiffError(ValueError):
    """The diff cannot be made as asked: `package` is not a name, or not on both sides."""


# ---------------------------------------------------------------- the rules


@dataclass(frozen=True, slots=True)
class Rule:
    """A kind of change.  `policy` marks a breaking rule that is stricter than the binary check
    (`wasm-tools component targets` may accept a component built against OLD)."""

    verdict: Verdict
    what: str  # the change, in a few words
    why: str  # why it has this verdict
    policy: bool = False


_EXPORT_WHY = (
    "a component built against OLD does not export it, so it no longer conforms to NEW "
    "(`wasm-tools component targets`: missing expected export)"
)

RULES: dict[str, Rule] = {
    # Interfaces and worlds of a package.
    "interface-added": Rule(
        "compatible", "an interface added", "nothing that exists uses it; instances are by name"
    ),
    "interface-removed": Rule(
        "breaking", "an interface removed", "components importing it find nothing to link"
    ),
    "world-added": Rule("compatible", "a world added", "nothing that exists targets it"),
    "world-removed": Rule(
        "breaking", "a world removed", "components and hosts built for it lose their contract"
    ),
    # Functions.
    "function-added": Rule(
        "compatible",
        "a function added to an interface no world exports",
        "an instance may offer more than a component imports (instance subtyping); "
        "components built against OLD never ask for it",
    ),
    "function-added-to-export": Rule(
        "breaking",
        "a function added to an interface a world exports",
        "every component exporting the interface must now implement it: " + _EXPORT_WHY,
    ),
    "function-removed": Rule(
        "breaking",
        "a function removed",
        "components importing it no longer link; for an interface a world exports, hosts "
        "built against OLD call it (policy: `component targets` accepts an old component "
        "that exports more)",
        policy=True,
    ),
    "function-kind-changed": Rule(
        "breaking",
        "a function's kind changed (method, static, constructor, async)",
        "the kind is part of the function's name (`[method]r.f`) or type (async)",
    ),
    "param-added": Rule("breaking", "a parameter added", "function types must be equal"),
    "param-removed": Rule("breaking", "a parameter removed", "function types must be equal"),
    "param-renamed": Rule(
        "breaking",
        "a parameter renamed",
        "parameter names are part of a component function's type (wasmparser compares them)",
    ),
    "params-reordered": Rule(
        "breaking", "parameters reordered", "parameters are positional and named"
    ),
    "param-type-changed": Rule(
        "breaking", "a parameter's type changed", "function types must be equal"
    ),
    "result-changed": Rule(
        "breaking", "a result added, removed or changed", "function types must be equal"
    ),
    "handle-kind-changed": Rule(
        "breaking",
        "`own<r>` became `borrow<r>` or back",
        "ownership is part of the type, and of who drops the resource",
    ),
    # Types.
    "type-added": Rule(
        "compatible",
        "a type added to an interface no world exports (or a world's own types)",
        "a type nothing used before changes nothing that exists",
    ),
    "type-added-to-export": Rule(
        "breaking",
        "a type added to an interface a world exports",
        "the exported instance type now lists it: " + _EXPORT_WHY,
    ),
    "type-removed": Rule(
        "breaking",
        "a type removed",
        "WIT that uses it (`use i.{t}`) no longer resolves (policy: wit-component leaves "
        "types no function uses out of a component's imports, so the binary check may pass)",
        policy=True,
    ),
    "type-kind-changed": Rule(
        "breaking", "a type's kind changed (record to variant, ...)", "a different type"
    ),
    "type-changed": Rule(
        "breaking",
        "what an alias or a `list`/`option`/`tuple`/... type names changed",
        "a different type",
    ),
    "type-spelling-changed": Rule(
        "patch",
        "a type written differently, the same type (an alias for what it names)",
        "aliases are transparent in the binary",
    ),
    "field-added": Rule(
        "breaking",
        "a record field added",
        "a record's fields are its type: the component model has no optional fields, and "
        "a record is laid out from all of them",
    ),
    "field-removed": Rule("breaking", "a record field removed", "record types must be equal"),
    "field-type-changed": Rule(
        "breaking", "a record field's type changed", "record types must be equal"
    ),
    "fields-reordered": Rule("breaking", "record fields reordered", "fields are laid out in order"),
    "case-added": Rule(
        "breaking",
        "a variant or enum case added",
        "variant and enum types must be equal; an old component lifting the new case's "
        "discriminant traps",
    ),
    "case-removed": Rule(
        "breaking", "a variant or enum case removed", "variant and enum types must be equal"
    ),
    "case-type-changed": Rule(
        "breaking", "a variant case's payload changed", "variant types must be equal"
    ),
    "cases-reordered": Rule(
        "breaking", "variant or enum cases reordered", "a case is known by its discriminant"
    ),
    "flag-added": Rule(
        "breaking", "a flag added", "flags types must be equal (and a flag is a bit position)"
    ),
    "flag-removed": Rule("breaking", "a flag removed", "flags types must be equal"),
    "flags-reordered": Rule("breaking", "flags reordered", "a flag is a bit position"),
    # Worlds' imports and exports.
    "world-import-added": Rule(
        "breaking",
        "an import added to a world",
        "policy (issue 10): every host of the world must now provide it, and toolchains "
        "that import the whole world (componentize-py) make a rebuilt component require "
        "it; `component targets` alone would accept it",
        policy=True,
    ),
    "world-import-removed": Rule(
        "breaking",
        "an import removed from a world",
        "components built against OLD import it (`component targets`: missing import)",
    ),
    "world-export-added": Rule("breaking", "an export added to a world", _EXPORT_WHY),
    "world-export-removed": Rule(
        "breaking",
        "an export removed from a world",
        "policy: hosts built against OLD call it; kept breaking as wit/VERSIONING.md says",
        policy=True,
    ),
    "world-item-kind-changed": Rule(
        "breaking",
        "a world item became another kind (function, interface, type)",
        "a different item under the same name",
    ),
    "dependency-major-changed": Rule(
        "breaking",
        "a world imports or exports an interface of another major version",
        "a different interface: semver-compatible matching of import names stops at the major",
    ),
    "dependency-version-changed": Rule(
        "compatible",
        "a world imports or exports a newer compatible version of an interface",
        "import names match semver-compatibly (`@1.0.0` links to a host's `@1.1.0`)",
    ),
    # Gates, docs and capabilities.
    "deprecated-added": Rule(
        "compatible",
        "`@deprecated` added",
        "the item works as before; a deprecation is announced in a minor (VERSIONING.md)",
    ),
    "deprecated-removed": Rule(
        "compatible", "`@deprecated` removed", "the item works as before, and is kept"
    ),
    "deprecated-version-changed": Rule(
        "patch", "`@deprecated`'s version changed", "metadata: the binary is the same"
    ),
    "since-changed": Rule(
        "patch",
        "`@since` added, removed or changed",
        "metadata: wit-parser keeps every `@since` item released by the package's version",
    ),
    "stabilized": Rule(
        "compatible",
        "`@unstable` became `@since` (or no gate)",
        "the item now exists without opting in: an addition",
    ),
    "destabilized": Rule(
        "breaking",
        "a stable item became `@unstable`",
        "without the feature the item is gone",
    ),
    "feature-changed": Rule(
        "compatible",
        "an `@unstable` item moved to another feature",
        "`@unstable` items promise nothing (WIT.md)",
    ),
    "capability-added": Rule(
        "breaking",
        "a function's `Capability:` line names a grant it did not need",
        "components granted what OLD needed are now refused (VERSIONING.md)",
        policy=True,
    ),
    "capability-removed": Rule(
        "compatible", "a function needs fewer grants", "every call allowed before still is"
    ),
    "docs-changed": Rule("patch", "documentation changed", "docs are not in the binary"),
}


# ---------------------------------------------------------------- changes and results


@dataclass(frozen=True, slots=True)
class Change:
    """One change: `rule` (a key of `RULES`), the item it is about, and where.

    `side` says which tree `span` points into: "old" for removals, "new"
    otherwise.  `unstable` is set for a change to an item that is `@unstable`
    in OLD, which promises nothing: its verdict is at most compatible.
    """

    rule: str
    item: str
    message: str
    side: Side
    span: Span | None
    unstable: bool = False

    @property
    def verdict(self) -> Verdict:
        verdict = RULES[self.rule].verdict
        return "compatible" if self.unstable and verdict == "breaking" else verdict


def sort_key(change: Change) -> tuple[int, str, str, str]:
    return (VERDICTS.index(change.verdict), change.item, change.rule, change.message)


@dataclass(frozen=True, slots=True)
class PackageDiff:
    """The changes of one package, and what they require of its version."""

    name: str  # namespace:name
    old_version: Version | None
    new_version: Version | None
    changes: tuple[Change, ...]
    # OLD is a compiled component: the question is whether it still fits NEW
    # (no breaking change), not whether NEW's version covers its changes.
    fit: bool = False

    @property
    def required(self) -> Level:
        """The smallest bump the changes need: major for breaking, and so on."""
        return required_level(change.verdict for change in self.changes)

    @property
    def minimum(self) -> Version | None:
        """The smallest NEW version allowed, or None without versions (or for a pre-release)."""
        if self.old_version is None:
            return None
        return minimum_version(self.old_version, self.required)

    @property
    def problem(self) -> str | None:
        """Why NEW's version is wrong, or None when it is enough (or there is none);
        with `fit`, why the component does not fit NEW, or None when it does."""
        if self.fit:
            breaking = self.count("breaking")
            if not breaking:
                return None
            return (
                f"the component does not fit NEW ({breaking} breaking "
                f"change{'s' * (breaking != 1)})"
            )
        return version_problem(self.old_version, self.new_version, self.required)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def count(self, verdict: Verdict) -> int:
        return sum(1 for change in self.changes if change.verdict == verdict)


@dataclass(frozen=True, slots=True)
class Diff:
    packages: tuple[PackageDiff, ...]
    only_old: tuple[str, ...] = ()  # packages of OLD that NEW does not have (not compared)
    only_new: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(package.ok for package in self.packages)


# ---------------------------------------------------------------- semver


def required_level(verdicts: Iterable[Verdict]) -> Level:
    level: Level = "none"
    for verdict in verdicts:
        if LEVELS.index(LEVEL_OF[verdict]) > LEVELS.index(level):
            level = LEVEL_OF[verdict]
    return level


_WHAT_NEEDS = {"major": "breaking changes", "minor": "compatible changes", "patch": "patch changes"}


def version_problem(old: Version | None, new: Version | None, level: Level) -> str | None:
    """Why `new` is not a big enough step from `old` for `level`; None when it is.

    Nothing is checked when either side has no version.  Build metadata is
    ignored.  After a pre-release any later version will do.
    """
    if old is None or new is None:
        return None
    old_core, new_core = _without_build(old), _without_build(new)
    if new_core < old_core:
        return f"the version went down, from {old} to {new}"
    if level == "none":
        return None
    minimum = minimum_version(old, level)
    what = _WHAT_NEEDS[level]
    if minimum is None:
        if new_core > old_core:
            return None
        return f"{what} need a version after {old}, and {new} is the same"
    # A pre-release of a version at least `minimum` will do (2.0.0-rc.1 for 2.0.0).
    if (new.major, new.minor, new.patch) >= (minimum.major, minimum.minor, minimum.patch):
        return None
    return f"{what} need {minimum} or later, and {new} is too small"


def _without_build(version: Version) -> Version:
    return Version(version.major, version.minor, version.patch, version.pre)


def compatible_part(version: Version | None) -> str:
    """The part of a version that semver-compatible versions share: `1`, `0.2`, `0.0.3`."""
    if version is None:
        return ""
    if version.pre:
        return str(_without_build(version))
    if version.major:
        return str(version.major)
    if version.minor:
        return f"0.{version.minor}"
    return f"0.0.{version.patch}"


# ---------------------------------------------------------------- entry point


def diff_resolves(old: ir.Resolve, new: ir.Resolve, package: str | None = None) -> Diff:
    """Compare every package found in both `old` and `new` (or just `package`)."""
    old_packages = _packages_by_name(old)
    new_packages = _packages_by_name(new)
    keys = sorted(set(old_packages) & set(new_packages))
    only_old = sorted(str(old.packages[p].name) for k, p in old_packages.items() if k not in keys)
    only_new = sorted(str(new.packages[p].name) for k, p in new_packages.items() if k not in keys)
    if package is not None:
        key = _package_key(package)
        missing = [
            side
            for side, found in (("OLD", old_packages), ("NEW", new_packages))
            if key not in found
        ]
        if missing:
            raise DiffError(f"package `{key[0]}:{key[1]}` is not in {' or '.join(missing)}")
        keys, only_old, only_new = [key], [], []
    fit = is_component(old)
    results = []
    for key in keys:
        differ = _Differ(old, new, key)
        old_package = old.packages[old_packages[key]]
        new_package = new.packages[new_packages[key]]
        differ.package(old_package, new_package)
        changes = differ.changes
        if fit:  # what NEW adds, a component built against OLD never asks for
            changes = [c for c in changes if c.rule not in _NOT_ASKED_FOR]
        results.append(
            PackageDiff(
                f"{key[0]}:{key[1]}",
                old_package.name.version,
                new_package.name.version,
                tuple(sorted(changes, key=sort_key)),
                fit,
            )
        )
    return Diff(tuple(results), tuple(only_old), tuple(only_new))


# A compiled component's packages hold only the interfaces it imports and
# exports, and no worlds: NEW's other interfaces and its worlds are not changes.
_NOT_ASKED_FOR = frozenset({"interface-added", "world-added"})


def is_component(resolve: ir.Resolve) -> bool:
    """Whether `resolve` was read from a compiled component (its main package is
    wit-parser's `root:component`)."""
    name = resolve.packages[resolve.main].name
    return (name.namespace, name.name, name.version) == ("root", "component", None)


def _package_key(text: str) -> tuple[str, str]:
    name, _, version = text.partition("@")
    namespace, colon, package = name.partition(":")
    if not colon or not namespace or not package or "/" in package:
        raise DiffError(f"`{text}` is not a package name (namespace:name)")
    if version:
        try:
            Version.parse(version)
        except VersionError as error:
            raise DiffError(f"`{text}`: {error}") from None
    return (namespace, package)


def _packages_by_name(resolve: ir.Resolve) -> dict[tuple[str, str], ir.PackageId]:
    """Packages by (namespace, name): the main one, or the highest version, when several."""
    found: dict[tuple[str, str], ir.PackageId] = {}
    for index, package in enumerate(resolve.packages):
        key = (package.name.namespace, package.name.name)
        other = found.get(key)
        if other is None or index == resolve.main:
            found[key] = ir.PackageId(index)
            continue
        if other == resolve.main:
            continue
        old_version = resolve.packages[other].name.version
        if package.name.version is not None and (
            old_version is None or package.name.version > old_version
        ):
            found[key] = ir.PackageId(index)
    return found


# ---------------------------------------------------------------- identities


class _Names:
    """What identifies interfaces, worlds and named types of one resolve across versions.

    Owners in the package being compared (`home`) are known without their
    version; owners elsewhere with their version's compatible part.
    """

    def __init__(self, resolve: ir.Resolve, home: tuple[str, str]) -> None:
        self.resolve = resolve
        self.home = home
        self.inline: dict[ir.InterfaceId, tuple[str, ...]] = {}
        self.inline_text: dict[ir.InterfaceId, str] = {}
        for index, world in enumerate(resolve.worlds):
            for direction, items in (("import", world.imports), ("export", world.exports)):
                for key, item in items:
                    if not isinstance(item, ir.InterfaceItem):
                        continue
                    if resolve.interfaces[item.interface].name is not None:
                        continue
                    # An included world shares the interface: name it by the smallest
                    # identity, so that the order of the worlds does not matter.
                    label = resolve.world_key_name(key)
                    identity = (*self.world(ir.WorldId(index)), direction, label)
                    known = self.inline.get(item.interface)
                    if known is None or identity < known:
                        self.inline[item.interface] = identity
                        self.inline_text[item.interface] = f"{world.name}.{label}"

    def package(self, package: ir.PackageId | None) -> tuple[str, str, str]:
        if package is None:
            return ("", "", "")
        name = self.resolve.packages[package].name
        if (name.namespace, name.name) == self.home:
            return (name.namespace, name.name, "")
        return (name.namespace, name.name, compatible_part(name.version))

    def interface(self, interface: ir.InterfaceId) -> tuple[str, ...]:
        iface = self.resolve.interfaces[interface]
        if iface.name is None:
            return self.inline.get(interface, ("anonymous", str(interface)))
        return ("interface", *self.package(iface.package), iface.name)

    def is_home(self, interface: ir.InterfaceId) -> bool:
        package = self.resolve.interfaces[interface].package
        if package is None:
            return False
        name = self.resolve.packages[package].name
        return (name.namespace, name.name) == self.home

    def interface_key(self, interface: ir.InterfaceId) -> tuple[str, ...]:
        """The interface without its package's version: how world items are matched."""
        iface = self.resolve.interfaces[interface]
        if iface.name is None or iface.package is None:
            return self.interface(interface)
        name = self.resolve.packages[iface.package].name
        return ("interface", name.namespace, name.name, iface.name)

    def world(self, world: ir.WorldId) -> tuple[str, ...]:
        return (
            "world",
            *self.package(self.resolve.worlds[world].package),
            self.resolve.worlds[world].name,
        )

    def type(self, ty: ir.Type) -> tuple[str, ...] | None:
        """A named type's identity: its owner and name.  None for a primitive or anonymous type."""
        if isinstance(ty, str):
            return None
        typedef = self.resolve.types[ty]
        if typedef.name is None:
            return None
        owner = typedef.owner
        if isinstance(owner, ir.InterfaceOwner):
            return (*self.interface(owner.interface), typedef.name)
        if isinstance(owner, ir.WorldOwner):
            return (*self.world(owner.world), typedef.name)
        return ("unowned", typedef.name)

    def owner_text(self, ty: ir.TypeId) -> str:
        """`ns:pkg/iface@1.0.0` (or the world) that owns a named type, for messages."""
        owner = self.resolve.types[ty].owner
        if isinstance(owner, ir.InterfaceOwner):
            found = self.resolve.interface_id(owner.interface)
            return found if found is not None else self.inline_text.get(owner.interface, "?")
        if isinstance(owner, ir.WorldOwner):
            world = self.resolve.worlds[owner.world]
            if world.package is None:
                return world.name
            return f"{self.resolve.packages[world.package].name} world {world.name}"
        return "?"


def type_text(resolve: ir.Resolve, ty: ir.Type | None) -> str:
    """A type as WIT writes it (the printer's text: named types by name, `%` where a
    name is a keyword), an owned handle as `own<r>`; `nothing` for no type."""
    return "nothing" if ty is None else print_type(resolve, ty, explicit_own=True)


def _kind_text(resolve: ir.Resolve, kind: ir.StructuralKind) -> str:
    """A structural kind as `type x = ...` writes it, an owned handle as `own<r>`."""
    return print_kind(resolve, kind, explicit_own=True)


def _kind_word(kind: ir.TypeDefKind) -> str:
    """What a message calls a type of this kind: `record`, `fixed-size list`, `alias`."""
    match kind:
        case ir.RecordKind():
            return "record"
        case ir.ResourceKind():
            return "resource"
        case ir.HandleKind():
            return "handle"
        case ir.FlagsKind():
            return "flags"
        case ir.TupleKind():
            return "tuple"
        case ir.VariantKind():
            return "variant"
        case ir.EnumKind():
            return "enum"
        case ir.OptionKind():
            return "option"
        case ir.ResultKind():
            return "result"
        case ir.ListKind():
            return "list"
        case ir.MapKind():
            return "map"
        case ir.FixedListKind():
            return "fixed-size list"
        case ir.FutureKind():
            return "future"
        case ir.StreamKind():
            return "stream"
        case ir.AliasKind():
            return "alias"
        case _:
            assert_never(kind)


def _members(
    kind: ir.RecordKind | ir.VariantKind | ir.EnumKind | ir.FlagsKind,
) -> tuple[Literal["field", "case", "flag"], Sequence[_Labelled]]:
    """The members of a record, variant, enum or flags type, and what a message calls them."""
    match kind:
        case ir.RecordKind():
            return "field", kind.fields
        case ir.VariantKind() | ir.EnumKind():
            return "case", kind.cases
        case ir.FlagsKind():
            return "flag", kind.flags
        case _:
            assert_never(kind)


@dataclass(frozen=True, slots=True)
class _Mismatch:
    """Two types differ; `handle` when the difference is `own` against `borrow`."""

    old: str
    new: str
    handle: bool = False


def _outer(old: str, new: str, inner: _Mismatch) -> _Mismatch:
    """The mismatch of two enclosing types, or the inner one when they read the same."""
    if old == new:
        return inner
    return _Mismatch(old, new, inner.handle)


# ---------------------------------------------------------------- the walk


class _Labelled(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def docs(self) -> str | None: ...
    @property
    def span(self) -> Span | None: ...


class _Differ:
    """Walks one package's OLD and NEW side by side and records the changes."""

    def __init__(self, old: ir.Resolve, new: ir.Resolve, home: tuple[str, str]) -> None:
        self.old = old
        self.new = new
        self.old_names = _Names(old, home)
        self.new_names = _Names(new, home)
        self.changes: list[Change] = []
        self._unstable = False
        # Interfaces some world of NEW exports, with the first world that does.
        self.exported: dict[tuple[str, ...], str] = {}
        for world in new.worlds:
            for _, item in world.exports:
                if isinstance(item, ir.InterfaceItem):
                    identity = self.new_names.interface(item.interface)
                    self.exported.setdefault(identity, world.name)

    # -- recording

    def add(self, rule: str, item: str, message: str, side: Side, span: Span | None) -> None:
        assert rule in RULES, rule
        self.changes.append(Change(rule, item, message, side, span, self._unstable))

    @contextmanager
    def within(self, stability: ir.Stability) -> Iterator[None]:
        """Changes inside an item that is `@unstable` in OLD are marked so."""
        outer = self._unstable
        self._unstable = outer or isinstance(stability, ir.Unstable)
        try:
            yield
        finally:
            self._unstable = outer

    def docs(
        self, item: str, label: str, old: str | None, new: str | None, span: Span | None
    ) -> None:
        if (old or "") != (new or ""):
            self.add("docs-changed", item, f"docs of {label} changed", "new", span)

    def function_docs(
        self, item: str, label: str, old: str | None, new: str | None, span: Span | None
    ) -> None:
        before, after = capabilities(old), capabilities(new)
        for grant in sorted(after - before):
            self.add(
                "capability-added", item, f"{label} now needs the capability `{grant}`", "new", span
            )
        for grant in sorted(before - after):
            self.add(
                "capability-removed",
                item,
                f"{label} no longer needs the capability `{grant}`",
                "new",
                span,
            )
        if without_capability(old) != without_capability(new):
            self.add("docs-changed", item, f"docs of {label} changed", "new", span)

    def gates(
        self, item: str, label: str, old: ir.Stability, new: ir.Stability, span: Span | None
    ) -> None:
        old_unstable, new_unstable = isinstance(old, ir.Unstable), isinstance(new, ir.Unstable)
        if old_unstable and not new_unstable:
            self.add("stabilized", item, f"{label} is no longer `@unstable`", "new", span)
        elif new_unstable and not old_unstable:
            assert isinstance(new, ir.Unstable)
            self.add(
                "destabilized",
                item,
                f"{label} is now `@unstable(feature = {new.feature})`",
                "new",
                span,
            )
        elif isinstance(old, ir.Unstable) and isinstance(new, ir.Unstable):
            if old.feature != new.feature:
                self.add(
                    "feature-changed",
                    item,
                    f"{label} moved from feature `{old.feature}` to `{new.feature}`",
                    "new",
                    span,
                )
        else:
            old_since = old.since if isinstance(old, ir.Stable) else None
            new_since = new.since if isinstance(new, ir.Stable) else None
            if old_since != new_since:
                self.add(
                    "since-changed",
                    item,
                    f"`@since` of {label} changed from {_gate_text(old_since)} "
                    f"to {_gate_text(new_since)}",
                    "new",
                    span,
                )
        old_deprecated = old.deprecated if old is not None else None
        new_deprecated = new.deprecated if new is not None else None
        if old_deprecated is None and new_deprecated is not None:
            self.add(
                "deprecated-added", item, f"{label} deprecated in {new_deprecated}", "new", span
            )
        elif old_deprecated is not None and new_deprecated is None:
            self.add("deprecated-removed", item, f"{label} is no longer deprecated", "new", span)
        elif old_deprecated != new_deprecated:
            self.add(
                "deprecated-version-changed",
                item,
                f"{label} deprecated in {new_deprecated} instead of {old_deprecated}",
                "new",
                span,
            )

    # -- types

    def compare(self, old: ir.Type | None, new: ir.Type | None) -> _Mismatch | None:
        """How a use of `old` and a use of `new` differ, or None when they are the same type."""
        if old is None or new is None:
            if old is None and new is None:
                return None
            return self.mismatch(old, new)
        old_identity, new_identity = self.old_names.type(old), self.new_names.type(new)
        if old_identity is not None and old_identity == new_identity:
            return None  # the same named type: its content is compared where it is defined
        old_resolved, new_resolved = self.old.resolved(old), self.new.resolved(new)
        old_identity = self.old_names.type(old_resolved)
        new_identity = self.new_names.type(new_resolved)
        if old_identity is not None and old_identity == new_identity:
            return None
        if isinstance(old_resolved, str) or isinstance(new_resolved, str):
            return None if old_resolved == new_resolved else self.mismatch(old, new)
        old_kind = self.old.types[old_resolved].kind
        new_kind = self.new.types[new_resolved].kind
        if isinstance(old_kind, ir.NominalKind) or isinstance(new_kind, ir.NominalKind):
            return self.mismatch(old_resolved, new_resolved)
        found = self.compare_kinds(old_kind, new_kind)
        if found is None:
            return None
        return _outer(type_text(self.old, old), type_text(self.new, new), found)

    def compare_kinds(self, old: ir.StructuralKind, new: ir.StructuralKind) -> _Mismatch | None:
        """Compare two structural kinds (nominal kinds are known by name, not compared)."""
        mismatch = _Mismatch(_kind_text(self.old, old), _kind_text(self.new, new))
        if type(old) is not type(new):
            return mismatch
        pairs: list[tuple[ir.Type | None, ir.Type | None]]
        match old:
            case ir.HandleKind():
                assert isinstance(new, ir.HandleKind)
                if old.handle != new.handle:
                    return _Mismatch(mismatch.old, mismatch.new, handle=True)
                return self.compare(old.resource, new.resource)
            case ir.TupleKind():
                assert isinstance(new, ir.TupleKind)
                if len(old.types) != len(new.types):
                    return mismatch
                pairs = list(zip(old.types, new.types, strict=True))
            case (
                ir.OptionKind() | ir.ListKind() | ir.FutureKind() | ir.StreamKind() | ir.AliasKind()
            ):
                assert isinstance(
                    new, ir.OptionKind | ir.ListKind | ir.FutureKind | ir.StreamKind | ir.AliasKind
                )
                pairs = [(old.type, new.type)]
            case ir.FixedListKind():
                assert isinstance(new, ir.FixedListKind)
                if old.size != new.size:
                    return mismatch
                pairs = [(old.type, new.type)]
            case ir.ResultKind():
                assert isinstance(new, ir.ResultKind)
                pairs = [(old.ok, new.ok), (old.err, new.err)]
            case ir.MapKind():
                assert isinstance(new, ir.MapKind)
                pairs = [(old.key, new.key), (old.value, new.value)]
            case _:
                assert_never(old)
        for old_type, new_type in pairs:
            inner = self.compare(old_type, new_type)
            if inner is not None:
                return _outer(mismatch.old, mismatch.new, inner)
        return None

    def mismatch(self, old: ir.Type | None, new: ir.Type | None) -> _Mismatch:
        old_text, new_text = type_text(self.old, old), type_text(self.new, new)
        if old_text == new_text and isinstance(old, int) and isinstance(new, int):
            # The same name for different types: say whose they are.
            old_text = f"{old_text}` of `{self.old_names.owner_text(old)}"
            new_text = f"{new_text}` of `{self.new_names.owner_text(new)}"
        return _Mismatch(old_text, new_text)

    def spelled(self, old: ir.Type | None, new: ir.Type | None) -> tuple[str, str] | None:
        """The two spellings of the same type, when they differ."""
        old_text, new_text = type_text(self.old, old), type_text(self.new, new)
        return None if old_text == new_text else (old_text, new_text)

    def type_use(
        self,
        rule: str,
        item: str,
        what: str,
        old: ir.Type | None,
        new: ir.Type | None,
        *,
        span: Span | None,
    ) -> None:
        """Record how the type of a parameter, result, field or case changed, if it did."""
        found = self.compare(old, new)
        if found is not None:
            self.add(
                "handle-kind-changed" if found.handle else rule,
                item,
                f"the type of {what} changed from `{found.old}` to `{found.new}`",
                "new",
                span,
            )
            return
        spelled = self.spelled(old, new)
        if spelled is not None:
            self.add(
                "type-spelling-changed",
                item,
                f"{what} is now written `{spelled[1]}` instead of `{spelled[0]}`: the same type",
                "new",
                span,
            )

    def types(
        self,
        where: str,
        container: str,
        old: Sequence[tuple[str, ir.TypeId]],
        new: Sequence[tuple[str, ir.TypeId]],
        exported: str | None,
    ) -> set[str]:
        """Compare the named types of an interface; return the names of removed resources."""
        old_map, new_map = dict(old), dict(new)
        removed_resources: set[str] = set()
        for name, type_id in old:
            if name not in new_map:
                typedef = self.old.types[type_id]
                if isinstance(typedef.kind, ir.ResourceKind):
                    removed_resources.add(name)
                with self.within(typedef.stability):
                    self.add(
                        "type-removed",
                        f"{where}.{name}",
                        f"removed {_kind_word(typedef.kind)} `{name}` from {container}",
                        "old",
                        typedef.span,
                    )
        for name, type_id in new:
            if name in old_map:
                self.typedef(f"{where}.{name}", old_map[name], type_id)
                continue
            typedef = self.new.types[type_id]
            message = f"added {_kind_word(typedef.kind)} `{name}` to {container}"
            if exported is not None:
                self.add(
                    "type-added-to-export",
                    f"{where}.{name}",
                    f"{message}, which {exported}",
                    "new",
                    typedef.span,
                )
            else:
                self.add("type-added", f"{where}.{name}", message, "new", typedef.span)
        return removed_resources

    def typedef(self, item: str, old_id: ir.TypeId, new_id: ir.TypeId) -> None:
        old, new = self.old.types[old_id], self.new.types[new_id]
        old_kind, new_kind = old.kind, new.kind
        label = f"{_kind_word(new_kind)} `{new.name}`"
        with self.within(old.stability):
            self.gates(item, label, old.stability, new.stability, new.span)
            self.docs(item, label, old.docs, new.docs, new.span)
            if type(old_kind) is not type(new_kind):
                self.add(
                    "type-kind-changed",
                    item,
                    f"`{new.name}` changed from {_article(_kind_word(old_kind))} to "
                    f"{_article(_kind_word(new_kind))}",
                    "new",
                    new.span,
                )
                return
            match old_kind:
                case ir.RecordKind() | ir.VariantKind() | ir.EnumKind() | ir.FlagsKind():
                    assert isinstance(
                        new_kind, ir.RecordKind | ir.VariantKind | ir.EnumKind | ir.FlagsKind
                    )
                    noun, before = _members(old_kind)
                    after = _members(new_kind)[1]
                    self.members(item, label, noun, before, after, span=new.span)
                case ir.AliasKind():
                    assert isinstance(new_kind, ir.AliasKind)
                    self.type_use(
                        "type-changed", item, label, old_kind.type, new_kind.type, span=new.span
                    )
                case ir.ResourceKind():
                    pass  # known by its name; its functions are compared with the others
                case _:
                    assert isinstance(new_kind, ir.StructuralKind)
                    self.structural(item, label, old_kind, new_kind, new.span)

    def structural(
        self,
        item: str,
        label: str,
        old: ir.StructuralKind,
        new: ir.StructuralKind,
        span: Span | None,
    ) -> None:
        """What `type x = ...` names changed, or only how it is written."""
        found = self.compare_kinds(old, new)
        if found is not None:
            self.add(
                "handle-kind-changed" if found.handle else "type-changed",
                item,
                f"{label} changed from `{found.old}` to `{found.new}`",
                "new",
                span,
            )
            return
        before, after = _kind_text(self.old, old), _kind_text(self.new, new)
        if before != after:
            self.add(
                "type-spelling-changed",
                item,
                f"{label} is now written `{after}` instead of `{before}`: the same type",
                "new",
                span,
            )

    def members(
        self,
        item: str,
        label: str,
        noun: Literal["field", "case", "flag"],
        old: Sequence[_Labelled],
        new: Sequence[_Labelled],
        *,
        span: Span | None,
    ) -> None:
        """Fields of a record, cases of a variant or enum, flags of a flags type."""
        old_by = {member.name: member for member in old}
        new_by = {member.name: member for member in new}
        for member in old:
            if member.name not in new_by:
                self.add(
                    f"{noun}-removed",
                    f"{item}.{member.name}",
                    f"removed {noun} `{member.name}` from {label}",
                    "old",
                    member.span,
                )
        for member in new:
            if member.name not in old_by:
                self.add(
                    f"{noun}-added",
                    f"{item}.{member.name}",
                    f"added {noun} `{member.name}` to {label}",
                    "new",
                    member.span,
                )
        old_order = [m.name for m in old if m.name in new_by]
        new_order = [m.name for m in new if m.name in old_by]
        if old_order != new_order:
            self.add(
                f"{noun}s-reordered",
                item,
                f"{label}: {noun}s in another order: {', '.join(new_order)} "
                f"(was {', '.join(old_order)})",
                "new",
                span,
            )
        for member in new:
            before = old_by.get(member.name)
            if before is None:
                continue
            member_item = f"{item}.{member.name}"
            what = f"{noun} `{member.name}` of {label}"
            self.docs(member_item, what, before.docs, member.docs, member.span)
            if noun == "field":
                assert isinstance(before, ir.Field) and isinstance(member, ir.Field)
                self.type_use(
                    "field-type-changed",
                    member_item,
                    what,
                    before.type,
                    member.type,
                    span=member.span,
                )
            elif isinstance(member, ir.Case):
                assert isinstance(before, ir.Case)
                self.type_use(
                    "case-type-changed",
                    member_item,
                    what,
                    before.type,
                    member.type,
                    span=member.span,
                )

    # -- functions

    def functions(
        self,
        where: str,
        container: str,
        old: Sequence[tuple[str, ir.Function]],
        new: Sequence[tuple[str, ir.Function]],
        *,
        exported: str | None,
        removed_resources: set[str],
    ) -> None:
        old_by = {_function_key(self.old, function): function for _, function in old}
        new_by = {_function_key(self.new, function): function for _, function in new}
        for key, function in old_by.items():
            if key in new_by or (key[0] is not None and key[0] in removed_resources):
                continue  # a removed resource's functions go with it
            with self.within(function.stability):
                self.add(
                    "function-removed",
                    f"{where}.{_function_path(key)}",
                    f"removed {_function_label(self.old, function)} from {container}",
                    "old",
                    function.span,
                )
        for key, function in new_by.items():
            before = old_by.get(key)
            item = f"{where}.{_function_path(key)}"
            if before is not None:
                self.function(item, before, function)
                continue
            message = f"added {_function_label(self.new, function)} to {container}"
            if exported is not None:
                self.add(
                    "function-added-to-export",
                    item,
                    f"{message}, which {exported}",
                    "new",
                    function.span,
                )
            else:
                self.add("function-added", item, message, "new", function.span)

    def function(self, item: str, old: ir.Function, new: ir.Function) -> None:
        label = _function_label(self.new, new)
        with self.within(old.stability):
            self.gates(item, label, old.stability, new.stability, new.span)
            self.function_docs(item, label, old.docs, new.docs, new.span)
            if old.kind != new.kind:
                self.add(
                    "function-kind-changed",
                    item,
                    f"{label} was {_article(_KINDS[old.kind])}",
                    "new",
                    new.span,
                )
                return
            self.params(item, label, old, new)
            if (old.result is None) != (new.result is None):
                self.add(
                    "result-changed",
                    item,
                    f"the result of {label} changed from `{type_text(self.old, old.result)}` "
                    f"to `{type_text(self.new, new.result)}`",
                    "new",
                    new.span,
                )
            else:
                self.type_use(
                    "result-changed",
                    item,
                    f"the result of {label}",
                    old.result,
                    new.result,
                    span=new.span,
                )

    def params(self, item: str, label: str, old: ir.Function, new: ir.Function) -> None:
        old_names = [p.name for p in old.params]
        new_names = [p.name for p in new.params]
        common = set(old_names) & set(new_names)
        if [n for n in old_names if n in common] != [n for n in new_names if n in common]:
            self.add(
                "params-reordered",
                item,
                f"the parameters of {label} are in another order: {', '.join(new_names)} "
                f"(was {', '.join(old_names)})",
                "new",
                new.span,
            )
        pairs: list[tuple[ir.Param, ir.Param]] = []
        renamed: set[int] = set()
        for index, (before, after) in enumerate(zip(old.params, new.params, strict=False)):
            if before.name not in common and after.name not in common:
                renamed.add(index)
                self.add(
                    "param-renamed",
                    f"{item}({after.name})",
                    f"parameter {index + 1} of {label} renamed from `{before.name}` to "
                    f"`{after.name}`",
                    "new",
                    after.span,
                )
                pairs.append((before, after))
        for index, before in enumerate(old.params):
            if before.name not in common and index not in renamed:
                self.add(
                    "param-removed",
                    f"{item}({before.name})",
                    f"removed parameter `{before.name}` from {label}",
                    "old",
                    before.span,
                )
        for index, after in enumerate(new.params):
            if after.name not in common and index not in renamed:
                self.add(
                    "param-added",
                    f"{item}({after.name})",
                    f"added parameter `{after.name}` to {label}",
                    "new",
                    after.span,
                )
        old_by = {p.name: p for p in old.params}
        pairs += [(old_by[p.name], p) for p in new.params if p.name in common]
        for before, after in pairs:
            self.type_use(
                "param-type-changed",
                f"{item}({after.name})",
                f"parameter `{after.name}` of {label}",
                before.type,
                after.type,
                span=after.span,
            )

    # -- interfaces, worlds, packages

    def interface(
        self,
        item: str,
        label: str,
        old_id: ir.InterfaceId,
        new_id: ir.InterfaceId,
        exported: str | None,
    ) -> None:
        old, new = self.old.interfaces[old_id], self.new.interfaces[new_id]
        with self.within(old.stability):
            self.gates(item, label, old.stability, new.stability, new.span)
            self.docs(item, label, old.docs, new.docs, new.span)
            removed_resources = self.types(item, label, old.types, new.types, exported)
            self.functions(
                item,
                label,
                old.functions,
                new.functions,
                exported=exported,
                removed_resources=removed_resources,
            )

    def world(self, item: str, old_id: ir.WorldId, new_id: ir.WorldId) -> None:
        old, new = self.old.worlds[old_id], self.new.worlds[new_id]
        label = f"world `{new.name}`"
        with self.within(old.stability):
            self.gates(item, label, old.stability, new.stability, new.span)
            self.docs(item, label, old.docs, new.docs, new.span)
            self.world_items(item, "import", old, new)
            self.world_items(item, "export", old, new)

    def world_items(
        self, where: str, direction: Literal["import", "export"], old: ir.World, new: ir.World
    ) -> None:
        old_items = old.imports if direction == "import" else old.exports
        new_items = new.imports if direction == "import" else new.exports
        old_by = {self.world_key(self.old_names, key): (key, it) for key, it in old_items}
        new_by = {self.world_key(self.new_names, key): (key, it) for key, it in new_items}
        world = f"world `{new.name}`"
        for match, (key, it) in old_by.items():
            if match in new_by:
                continue
            name = self.old.world_key_name(key)
            item = f"{where}.{direction}.{_unversioned(name)}"
            span = _item_span(it) or old.span
            if isinstance(it, ir.TypeItem):
                typedef = self.old.types[it.type]
                self.add(
                    "type-removed",
                    item,
                    f"removed {_kind_word(typedef.kind)} `{name}` from {world}",
                    "old",
                    span,
                )
                continue
            with self.within(_item_stability(it)):
                self.add(
                    f"world-{direction}-removed",
                    item,
                    f"removed {direction} `{name}` from {world}",
                    "old",
                    span,
                )
        for match, (key, it) in new_by.items():
            name = self.new.world_key_name(key)
            item = f"{where}.{direction}.{_unversioned(name)}"
            span = _item_span(it) or new.span
            found = old_by.get(match)
            if found is not None:
                self.world_item(item, direction, world, found, (key, it), span=span)
                continue
            if isinstance(it, ir.TypeItem) and not isinstance(
                self.new.types[it.type].kind, ir.ResourceKind
            ):
                typedef = self.new.types[it.type]
                self.add(
                    "type-added",
                    item,
                    f"added {_kind_word(typedef.kind)} `{name}` to {world}",
                    "new",
                    span,
                )
                continue
            self.add(
                f"world-{direction}-added",
                item,
                f"added {direction} `{name}` to {world}",
                "new",
                span,
            )

    def world_key(self, names: _Names, key: ir.WorldKey) -> tuple[str, ...]:
        if isinstance(key, str):
            return ("name", key)
        return names.interface_key(key.interface)

    def world_item(
        self,
        item: str,
        direction: Literal["import", "export"],
        world: str,
        old: tuple[ir.WorldKey, ir.WorldItem],
        new: tuple[ir.WorldKey, ir.WorldItem],
        *,
        span: Span | None,
    ) -> None:
        old_key, old_item = old
        new_key, new_item = new
        name = self.new.world_key_name(new_key)
        label = f"{direction} `{name}`"
        if type(old_item) is not type(new_item) or (
            isinstance(old_item, ir.InterfaceItem)
            and isinstance(new_item, ir.InterfaceItem)
            and (self.old.interfaces[old_item.interface].name is None)
            != (self.new.interfaces[new_item.interface].name is None)
        ):
            self.add(
                "world-item-kind-changed",
                item,
                f"{label} changed from {_item_kind(self.old, old_item)} to "
                f"{_item_kind(self.new, new_item)}",
                "new",
                span,
            )
            return
        if isinstance(old_item, ir.FunctionItem):
            assert isinstance(new_item, ir.FunctionItem)
            self.function(item, old_item.function, new_item.function)
            return
        if isinstance(old_item, ir.TypeItem):
            assert isinstance(new_item, ir.TypeItem)
            self.typedef(item, old_item.type, new_item.type)
            return
        assert isinstance(old_item, ir.InterfaceItem) and isinstance(new_item, ir.InterfaceItem)
        with self.within(old_item.stability):
            self.gates(item, label, old_item.stability, new_item.stability, span)
            self.docs(item, label, old_item.docs, new_item.docs, span)
            if self.new.interfaces[new_item.interface].name is None:
                self.interface(
                    item,
                    f"interface `{name}`",
                    old_item.interface,
                    new_item.interface,
                    f"{world} exports" if direction == "export" else None,
                )
                return
            old_identity = self.old_names.interface(old_item.interface)
            new_identity = self.new_names.interface(new_item.interface)
            old_name = self.old.world_key_name(old_key)
            if self.new_names.is_home(new_item.interface):
                return  # an interface of this package: it is compared on its own
            if old_identity != new_identity:
                self.add(
                    "dependency-major-changed",
                    item,
                    f"{label} was `{old_name}`: another major version",
                    "new",
                    span,
                )
            elif old_name != name:
                self.add(
                    "dependency-version-changed", item, f"{label} was `{old_name}`", "new", span
                )

    def package(self, old: ir.Package, new: ir.Package) -> None:
        name = f"{new.name.namespace}:{new.name.name}"
        self.docs(name, f"package `{name}`", old.docs, new.docs, None)
        old_interfaces, new_interfaces = dict(old.interfaces), dict(new.interfaces)
        for key, interface_id in old.interfaces:
            if key not in new_interfaces:
                iface = self.old.interfaces[interface_id]
                with self.within(iface.stability):
                    self.add(
                        "interface-removed", key, f"removed interface `{key}`", "old", iface.span
                    )
        for key, interface_id in new.interfaces:
            if key in old_interfaces:
                identity = self.new_names.interface(interface_id)
                exporter = self.exported.get(identity)
                self.interface(
                    key,
                    f"interface `{key}`",
                    old_interfaces[key],
                    interface_id,
                    f"world `{exporter}` exports" if exporter is not None else None,
                )
            else:
                self.add(
                    "interface-added",
                    key,
                    f"added interface `{key}`",
                    "new",
                    self.new.interfaces[interface_id].span,
                )
        old_worlds, new_worlds = dict(old.worlds), dict(new.worlds)
        for key, world_id in old.worlds:
            if key not in new_worlds:
                removed = self.old.worlds[world_id]
                with self.within(removed.stability):
                    self.add(
                        "world-removed",
                        key,
                        f"removed world `{key}`",
                        "old",
                        removed.span,
                    )
        for key, world_id in new.worlds:
            if key in old_worlds:
                self.world(key, old_worlds[key], world_id)
            else:
                self.add(
                    "world-added",
                    key,
                    f"added world `{key}`",
                    "new",
                    self.new.worlds[world_id].span,
                )


# ---------------------------------------------------------------- small helpers

_KINDS: dict[ir.FunctionKindName, str] = {
    "freestanding": "function",
    "async-freestanding": "async function",
    "method": "method",
    "async-method": "async method",
    "static": "static function",
    "async-static": "async static function",
    "constructor": "constructor",
}


def _function_key(resolve: ir.Resolve, function: ir.Function) -> tuple[str | None, str]:
    """Functions are matched by resource and WIT name, so a kind change is one change."""
    if function.resource is None:
        return (None, function.name)
    resource = resolve.types[function.resource].name
    return (resource, function.item_name)


def _function_path(key: tuple[str | None, str]) -> str:
    return key[1] if key[0] is None else f"{key[0]}.{key[1]}"


def _function_label(resolve: ir.Resolve, function: ir.Function) -> str:
    key = _function_key(resolve, function)
    if function.kind == "constructor":
        return f"the constructor of `{key[0]}`"
    return f"{_KINDS[function.kind]} `{_function_path(key)}`"


def _article(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _gate_text(version: Version | None) -> str:
    return "none" if version is None else str(version)


def _unversioned(name: str) -> str:
    return name.partition("@")[0]


def _item_span(item: ir.WorldItem) -> Span | None:
    if isinstance(item, ir.FunctionItem):
        return item.function.span
    return item.span


def _item_stability(item: ir.WorldItem) -> ir.Stability:
    if isinstance(item, ir.FunctionItem):
        return item.function.stability
    if isinstance(item, ir.InterfaceItem):
        return item.stability
    return None


def _item_kind(resolve: ir.Resolve, item: ir.WorldItem) -> str:
    if isinstance(item, ir.FunctionItem):
        return "a function"
    if isinstance(item, ir.TypeItem):
        return "a type"
    if resolve.interfaces[item.interface].name is None:
        return "an inline interface"
    return "an interface"
