"""Which functions of the author's files no longer match the world.

In: the app folder and the `GuestFiles` that `generate_guest` made for the
world as it is now.  The author's Python files (`app.py`, the modules of
exported resources) are never rewritten; this compares each of them that
exists with the stub witgen would have created (both parsed with `ast`, never
imported).  Out: a list of `Mismatch`, in file and line order, printed like
mypy's messages (`app.py:12: error: ...  [witgen-missing]`):

* `missing`: a class the world wants (an exported interface, the world's own
  functions, an exported resource) or a method of one is not there (a class of
  the stub with neither, such as `State`, is the author's to drop);
* `extra`: a method of such a class, or a class that implements a protocol of
  the bindings (its base is imported from `wit_world`), that the world no
  longer has;
* `signature`: a method whose parameters (their number and annotations), result
  annotation, `async` or `@classmethod` differ from the world's.

Annotations are compared as written, less module qualifiers (`types.Fields` and
`Fields` are the same) and with `List`/`Tuple` as `list`/`tuple`; a parameter
the author left unannotated matches any type.  Methods whose names start with
`_` (other than `__init__`) are the author's own helpers and never extra.
Raises nothing: a file that does not parse is one mismatch (its syntax error).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MismatchKind = Literal["missing", "extra", "signature", "syntax"]


@dataclass(frozen=True, slots=True)
class Mismatch:
    file: str  # relative to the app folder
    line: int
    kind: MismatchKind
    message: str

    def __str__(self) -> str:
        return self.render(self.file)

    def render(self, path: str) -> str:
        """The mismatch as mypy prints an error, with the file shown as `path`."""
        return f"{path}:{self.line}: error: {self.message}  [witgen-{self.kind}]"


@dataclass(frozen=True, slots=True)
class _Method:
    name: str
    line: int
    is_async: bool
    is_classmethod: bool
    names: tuple[str, ...]  # the parameters, without `self` / `cls`
    params: tuple[str | None, ...]  # their annotations, normalised; None when not annotated
    returns: str | None

    def shown(self) -> str:
        head = "@classmethod " if self.is_classmethod else ""
        head += "async def" if self.is_async else "def"
        first = "cls" if self.is_classmethod else "self"
        pairs = zip(self.names, self.params, strict=True)
        params = ", ".join([first] + [n if p is None else f"{n}: {p}" for n, p in pairs])
        result = "" if self.returns is None else f" -> {self.returns}"
        return f"{head} {self.name}({params}){result}"


@dataclass(frozen=True, slots=True)
class _Class:
    name: str
    line: int
    implements: bool  # its base comes from componentize-py's bindings
    methods: dict[str, _Method]


def check_app(out: Path, authored: dict[str, str]) -> list[Mismatch]:
    """The mismatches of the author's Python files under `out` against the stubs
    in `authored` (file name -> the text witgen would create)."""
    found: list[Mismatch] = []
    for name, stub in sorted(authored.items()):
        path = out / name
        if not name.endswith(".py") or not path.is_file():
            continue
        try:
            actual = _classes(ast.parse(path.read_text(encoding="utf-8"), name))
        except SyntaxError as error:
            message = f"cannot check it against the world: {error.msg}"
            found.append(Mismatch(name, error.lineno or 1, "syntax", message))
            continue
        except (OSError, UnicodeDecodeError, ValueError) as error:
            found.append(Mismatch(name, 1, "syntax", f"cannot read it: {error}"))
            continue
        expected = _classes(ast.parse(stub, name))
        found += _compare(name, expected, actual)
    return sorted(found, key=lambda m: (m.file, m.line))


def _compare(file: str, expected: dict[str, _Class], actual: dict[str, _Class]) -> list[Mismatch]:
    found: list[Mismatch] = []
    for name, want in expected.items():
        if not want.implements and not want.methods:
            continue  # the stub's own (`State`), not the world's
        have = actual.get(name)
        if have is None:
            message = f'class "{name}" is missing: the world has it'
            found.append(Mismatch(file, 1, "missing", message))
            continue
        for method_name, method in want.methods.items():
            mine = have.methods.get(method_name)
            if mine is None:
                message = (
                    f'"{name}" has no method "{method_name}": the world wants `{method.shown()}`'
                )
                found.append(Mismatch(file, have.line, "missing", message))
            elif not _same(mine, method):
                message = (
                    f'"{name}.{method_name}" is `{mine.shown()}`; the world wants '
                    f"`{method.shown()}`"
                )
                found.append(Mismatch(file, mine.line, "signature", message))
        for method_name, mine in have.methods.items():
            private = method_name.startswith("_") and method_name != "__init__"
            if method_name not in want.methods and not private:
                message = f'"{name}.{method_name}" is not a function of the world (any more)'
                found.append(Mismatch(file, mine.line, "extra", message))
    for name, have in actual.items():
        if name not in expected and have.implements:
            message = f'class "{name}" implements no interface or resource of the world (any more)'
            found.append(Mismatch(file, have.line, "extra", message))
    return found


def _same(mine: _Method, want: _Method) -> bool:
    if (mine.is_async, mine.is_classmethod) != (want.is_async, want.is_classmethod):
        return False
    if len(mine.params) != len(want.params):
        return False
    pairs = [*zip(mine.params, want.params, strict=True), (mine.returns, want.returns)]
    return all(a is None or a == b for a, b in pairs)


def _bindings_names(tree: ast.Module) -> set[str]:
    """The names a module binds by importing from componentize-py's `wit_world`."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "wit_world":
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "wit_world":
                    names.add(alias.asname or alias.name.split(".")[0])
    return names


def _classes(tree: ast.Module) -> dict[str, _Class]:
    bindings = _bindings_names(tree)
    classes: dict[str, _Class] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        roots = {_root(base) for base in node.bases}
        methods: dict[str, _Method] = {}
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                methods[item.name] = _method(item)
        classes[node.name] = _Class(node.name, node.lineno, bool(roots & bindings), methods)
    return classes


def _root(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _method(node: ast.FunctionDef | ast.AsyncFunctionDef) -> _Method:
    decorators = {_root(d) for d in node.decorator_list}
    positional = [*node.args.posonlyargs, *node.args.args][1:]  # without self / cls
    return _Method(
        name=node.name,
        line=node.lineno,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        is_classmethod="classmethod" in decorators,
        names=tuple(arg.arg for arg in positional),
        params=tuple(_annotation(arg.annotation) for arg in positional),
        returns=_annotation(node.returns),
    )


_QUALIFIER = re.compile(r"\b[A-Za-z_][A-Za-z_0-9]*\.")
_GENERICS = {"List": "list", "Tuple": "tuple"}


def _annotation(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    text = ast.unparse(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value  # a string annotation
    text = _QUALIFIER.sub("", text)
    return re.sub(r"\b(List|Tuple)\b", lambda m: _GENERICS[m[1]], text)
