"""The imports of one generated module, recorded while it is built and printed.

In: the aliases that views and templates use (`typing`, `rt_codec`, ...) and
the generated modules they refer to.  Out: the import statements of the
module's header, in groups.  Raises `KeyError` for an alias it does not know.
"""

from __future__ import annotations

from typing import ClassVar


class Registry:
    """The imports a module's text uses, recorded while it is built.

    Views record what the expressions they build use; templates record what
    they print through attribute access (`{{ use.typing }}` prints `typing`
    and records it).  The header is printed last, from what was recorded.
    """

    STANDARD: ClassVar[dict[str, tuple[int, str]]] = {
        # alias: (group, import statement); groups print in order
        "dataclasses": (0, "import dataclasses"),
        "enum": (0, "import enum"),
        "typing": (0, "import typing"),
        "typing_extensions": (1, "import typing_extensions"),
        "wasmtime": (1, "import wasmtime\nimport wasmtime.component"),
        "rt_calls": (2, "from witgen.runtime import calls as rt_calls"),
        "rt_codec": (2, "from witgen.runtime import codec as rt_codec"),
        "rt_resources": (2, "from witgen.runtime import resources as rt_resources"),
        "rt_wit": (2, "from witgen.runtime import wit as rt_wit"),
    }

    def __init__(self, here: tuple[str, ...]) -> None:
        self.here = here
        self.used: set[str] = set()
        self.modules: dict[str, tuple[str, ...]] = {}  # alias -> module path

    def __getattr__(self, alias: str) -> str:
        if alias.startswith("__"):
            raise AttributeError(alias)
        return self.use(alias)

    def use(self, alias: str) -> str:
        if alias not in self.STANDARD:
            raise KeyError(f"no import is known as {alias!r}")
        self.used.add(alias)
        return alias

    def module(self, target: tuple[str, ...]) -> str:
        """The alias under which this module imports the generated module `target`."""
        alias = "_" + "_".join(target)
        self.modules[alias] = target
        return alias

    def statements(self) -> list[list[str]]:
        """The import statements, in groups."""
        groups: list[list[str]] = [[], [], [], []]
        for alias in sorted(self.used):
            group, statement = self.STANDARD[alias]
            groups[group].extend(statement.split("\n"))
        package = self.here[:-1]
        for alias, target in sorted(self.modules.items()):
            same = target[:-1] == package
            source = "." if same else "." * len(self.here) + ".".join(target[:-1])
            groups[3].append(f"from {source} import {target[-1]} as {alias}")
        return [group for group in groups if group]
