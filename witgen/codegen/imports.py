"""The imports of generated Python files, and Python text that knows what it imports.

In: what generated text refers to: a module it imports whole (`typing`), a name
it imports from a module (`from witgen.runtime import wit as rt_wit`, `from
typing import List`), another module of the generated tree.  Out:

* `Code`: a piece of Python text (an annotation, a codec expression) kept as
  parts, some of which are `Name`s of imports or `Local`s (names the module
  defines itself), so that what it uses is known without reading the text
  again; `str()` prints it as the generated code does, `render()` as another
  reader spells it (the docs print `types.Point` where the code has
  `_pkg_types.Point`);
* `Registry`: the imports one file uses, recorded while its views are built
  and while its templates print (`{{ use.typing }}` prints `typing` and records
  it), printed last, as the file's import statements, in groups.

Used by the bindings (`planner.py`, `render.py`) and by the guest stubs
(`witgen.guest.views`).  Raises `KeyError` for an alias `Registry.use` does not
know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import assert_never

from witgen.codegen.names import module_alias

# ---------------------------------------------------------------- imports


@dataclass(frozen=True, slots=True)
class ImportModule:
    """`import module` (and `import module.sub` for each of `submodules`); the
    text names it `module`."""

    module: str
    group: int  # the block of statements it is printed in; blocks print in order
    submodules: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.module


@dataclass(frozen=True, slots=True)
class ImportFrom:
    """`from module import imported`, or `... as alias`; the text names it by
    its alias, else by `imported`.  Names imported from one module without an
    alias share one statement."""

    module: str
    imported: str
    group: int
    alias: str | None = None

    @property
    def name(self) -> str:
        return self.alias or self.imported


@dataclass(frozen=True, slots=True)
class ImportGenerated:
    """Another module of the same generated tree, imported relatively under its
    alias (`from . import types as _pkg_types`, `from ..other import types as
    _other_types`)."""

    path: tuple[str, ...]  # package parts, then the module name
    group: int

    @property
    def name(self) -> str:
        return module_alias(self.path)


Import = ImportModule | ImportFrom | ImportGenerated


# ---------------------------------------------------------------- code


@dataclass(frozen=True, slots=True)
class Name:
    """An imported name (`typing`, `List`) or an attribute of one (`rt_wit.Some`,
    `_pkg_types.Point`)."""

    source: Import
    attribute: str | None = None

    def __str__(self) -> str:
        if self.attribute is None:
            return self.source.name
        return f"{self.source.name}.{self.attribute}"

    def of(self, attribute: str) -> Name:
        """The attribute `attribute` of what this names."""
        return Name(self.source, attribute)


@dataclass(frozen=True, slots=True)
class Local:
    """A name the module defines itself: what refers to it is defined after it."""

    name: str

    def __str__(self) -> str:
        return self.name


Part = str | Name | Local


@dataclass(frozen=True, slots=True)
class Code:
    """Python text as parts: literal text, `Name`s and `Local`s."""

    parts: tuple[Part, ...]

    @classmethod
    def of(cls, *items: Part | Code) -> Code:
        """The concatenation of `items`."""
        parts: list[Part] = []
        for item in items:
            if isinstance(item, Code):
                parts.extend(item.parts)
            elif item != "":
                parts.append(item)
        return cls(tuple(parts))

    @classmethod
    def join(cls, separator: str, items: Iterable[Part | Code]) -> Code:
        """`items` with `separator` between them."""
        parts: list[Part | Code] = []
        for item in items:
            if parts:
                parts.append(separator)
            parts.append(item)
        return cls.of(*parts)

    @classmethod
    def tuple_of(cls, items: Sequence[Part | Code]) -> Code:
        """A tuple expression; a trailing comma only where Python needs one."""
        if len(items) == 1:
            return cls.of("(", items[0], ",)")
        return cls.of("(", cls.join(", ", items), ")")

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)

    def render(self, spell: Callable[[Name], str]) -> str:
        """The text, with each `Name` spelled by `spell`."""
        return "".join(spell(part) if isinstance(part, Name) else str(part) for part in self.parts)

    @property
    def imports(self) -> frozenset[Import]:
        """What the text needs imported."""
        return frozenset(part.source for part in self.parts if isinstance(part, Name))

    @property
    def locals(self) -> frozenset[str]:
        """The names of the module itself that the text refers to."""
        return frozenset(part.name for part in self.parts if isinstance(part, Local))


# ---------------------------------------------------------------- the registry


class Registry:
    """The imports one generated file uses.

    `add` records what views use; `use(alias)`, or attribute access
    (`use.typing`, as templates write it), records one of the `known` imports
    by the name the text gives it and returns that name.  `statements()` prints
    them all.
    """

    def __init__(
        self, here: tuple[str, ...] = (), known: Mapping[str, Import] | None = None
    ) -> None:
        self.here = here  # the file's own module path, which relative imports start from
        self.known: Mapping[str, Import] = known or {}
        self.used: set[Import] = set()

    def __getattr__(self, alias: str) -> str:
        if alias.startswith("__"):
            raise AttributeError(alias)
        return self.use(alias)

    def use(self, alias: str) -> str:
        """Record the known import named `alias`, and return its name."""
        imported = self.known.get(alias)
        if imported is None:
            raise KeyError(f"no import is known as {alias!r}")
        self.used.add(imported)
        return imported.name

    def add(self, *imports: Import) -> None:
        self.used.update(imports)

    def statements(self) -> list[list[str]]:
        """The import statements, in groups by `group`.  In a group: `import`
        statements by module, then `from` statements by module and alias
        (names imported from one module without an alias share one, sorted),
        then the generated modules by alias."""
        lines: dict[int, list[tuple[tuple[int, str, str], list[str]]]] = {}
        shared: dict[tuple[int, str], list[str]] = {}
        for imported in self.used:
            match imported:
                case ImportModule(module=module, submodules=submodules):
                    text = [f"import {module}", *(f"import {module}.{s}" for s in submodules)]
                    key = (0, module, "")
                case ImportFrom(alias=None):
                    shared.setdefault((imported.group, imported.module), []).append(
                        imported.imported
                    )
                    continue
                case ImportFrom(module=module, imported=name, alias=alias):
                    text = [f"from {module} import {name} as {alias}"]
                    key = (1, module, alias or "")
                case ImportGenerated(path=path):
                    text = [f"from {self._relative(path)} import {path[-1]} as {imported.name}"]
                    key = (2, imported.name, "")
                case _:
                    assert_never(imported)
            lines.setdefault(imported.group, []).append((key, text))
        for (group, module), names in shared.items():
            text = [f"from {module} import {', '.join(sorted(names))}"]
            lines.setdefault(group, []).append(((1, module, ""), text))
        return [
            [line for _, text in sorted(lines[group]) for line in text] for group in sorted(lines)
        ]

    def _relative(self, target: tuple[str, ...]) -> str:
        """Where a relative import of the generated module `target` starts."""
        package = self.here[:-1]
        if target[:-1] == package:
            return "."
        return "." * len(self.here) + ".".join(target[:-1])


# ---------------------------------------------------------------- the bindings' imports

# Groups of the bindings' import statements.
STANDARD_LIBRARY, THIRD_PARTY, RUNTIME, GENERATED = range(4)

DATACLASSES = ImportModule("dataclasses", STANDARD_LIBRARY)
ENUM = ImportModule("enum", STANDARD_LIBRARY)
TYPING = ImportModule("typing", STANDARD_LIBRARY)
TYPING_EXTENSIONS = ImportModule("typing_extensions", THIRD_PARTY)
WASMTIME = ImportModule("wasmtime", THIRD_PARTY, ("component",))
RT_CALLS = ImportFrom("witgen.runtime", "calls", RUNTIME, "rt_calls")
RT_CODEC = ImportFrom("witgen.runtime", "codec", RUNTIME, "rt_codec")
RT_RESOURCES = ImportFrom("witgen.runtime", "resources", RUNTIME, "rt_resources")
RT_WIT = ImportFrom("witgen.runtime", "wit", RUNTIME, "rt_wit")

# What the bindings' templates may `use`, by the name the text gives it.
BINDINGS: Mapping[str, Import] = {
    imported.name: imported
    for imported in (
        DATACLASSES,
        ENUM,
        TYPING,
        TYPING_EXTENSIONS,
        WASMTIME,
        RT_CALLS,
        RT_CODEC,
        RT_RESOURCES,
        RT_WIT,
    )
}


def generated_module(path: tuple[str, ...]) -> Name:
    """The generated module at `path`, as another generated module names it."""
    return Name(ImportGenerated(path, GENERATED))
