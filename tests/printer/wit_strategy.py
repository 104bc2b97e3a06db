"""A hypothesis strategy for valid WIT: random packages built to resolve.

Each drawn document is one package: interfaces whose types are built only
from primitives and types defined earlier (so there are no cycles), which
`use` types of earlier interfaces, with resources, functions and gates, and
worlds that import and export those interfaces and functions of their own.
Names are kebab-case, some of them keywords that need `%`.
"""

from __future__ import annotations

from hypothesis import strategies as st

PRIMITIVES = [
    "bool",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "f32",
    "f64",
    "char",
    "string",
]
WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "list",
    "type",
    "record",
    "data",
    "value",
    "item",
    "from",
    "own",
    "x",
    "y2",
    "big-deal",
    "http-client",
    "a0-b1",
]


def _escape(name: str) -> str:
    keywords = {"list", "type", "record", "from", "own"}
    return f"%{name}" if name in keywords else name


@st.composite
def _name(draw: st.DrawFn, taken: set[str]) -> str:
    base = draw(st.sampled_from(WORDS))
    name = base
    counter = 1
    while name.lower() in taken:
        counter += 1
        name = f"{base}{counter}"
    taken.add(name.lower())
    return name


@st.composite
def _type(draw: st.DrawFn, named: list[str], depth: int = 0) -> str:
    choices = ["primitive"] + (["named"] if named else [])
    if depth < 3:
        choices += ["list", "option", "result", "tuple", "fixed", "map"]
    kind = draw(st.sampled_from(choices))
    if kind == "primitive":
        return str(draw(st.sampled_from(PRIMITIVES)))
    if kind == "named":
        return _escape(draw(st.sampled_from(named)))
    inner = lambda: draw(_type(named, depth + 1))  # noqa: E731
    if kind == "list":
        return f"list<{inner()}>"
    if kind == "fixed":
        return f"list<{inner()}, {draw(st.integers(1, 8))}>"
    if kind == "option":
        return f"option<{inner()}>"
    if kind == "map":
        return f"map<{draw(st.sampled_from(['string', 'u32', 'char']))}, {inner()}>"
    if kind == "tuple":
        return "tuple<" + ", ".join(inner() for _ in range(draw(st.integers(1, 3)))) + ">"
    form = draw(st.sampled_from(["none", "ok", "err", "both"]))
    if form == "none":
        return "result"
    if form == "ok":
        return f"result<{inner()}>"
    if form == "err":
        return f"result<_, {inner()}>"
    return f"result<{inner()}, {inner()}>"


@st.composite
def _docs(draw: st.DrawFn, indent: str) -> str:
    if not draw(st.booleans()):
        return ""
    text = draw(st.sampled_from(["Does a thing.", "Two\n  lines.", "", "Uses `code` here."]))
    return "".join(f"{indent}/// {line}\n" for line in text.split("\n"))


@st.composite
def wit_package(draw: st.DrawFn) -> str:
    out = [draw(_docs("")), "package fuzz:pkg@1.0.0;\n\n"]
    interfaces: list[tuple[str, list[str]]] = []
    taken: set[str] = set()
    for _ in range(draw(st.integers(1, 4))):
        name = draw(_name(taken))
        scope: set[str] = set()
        types: list[str] = []
        body: list[str] = []
        if interfaces and draw(st.booleans()):
            source, exported = draw(st.sampled_from(interfaces))
            if exported:
                used = draw(st.sampled_from(exported))
                if used.lower() not in scope:
                    scope.add(used.lower())
                    body.append(f"  use {_escape(source)}.{{{_escape(used)}}};\n")
                    types.append(used)
        for _ in range(draw(st.integers(0, 5))):
            kind = draw(
                st.sampled_from(["alias", "record", "variant", "enum", "flags", "resource"])
            )
            type_name = draw(_name(scope))
            doc = draw(_docs("  "))
            gate = "  @since(version = 1.0.0)\n" if draw(st.booleans()) else ""
            if kind == "alias":
                body.append(f"{doc}{gate}  type {_escape(type_name)} = {draw(_type(types))};\n")
            elif kind == "record":
                fields = ", ".join(
                    f"f{i}: {draw(_type(types))}" for i in range(draw(st.integers(1, 3)))
                )
                body.append(f"{doc}{gate}  record {_escape(type_name)} {{ {fields} }}\n")
            elif kind == "variant":
                cases = ", ".join(
                    f"c{i}" + (f"({draw(_type(types))})" if draw(st.booleans()) else "")
                    for i in range(draw(st.integers(1, 3)))
                )
                body.append(f"{doc}{gate}  variant {_escape(type_name)} {{ {cases} }}\n")
            elif kind == "enum":
                cases = ", ".join(f"e{i}" for i in range(draw(st.integers(1, 4))))
                body.append(f"{doc}{gate}  enum {_escape(type_name)} {{ {cases} }}\n")
            elif kind == "flags":
                flags = ", ".join(f"g{i}" for i in range(draw(st.integers(1, 4))))
                body.append(f"{doc}{gate}  flags {_escape(type_name)} {{ {flags} }}\n")
            else:
                funcs = ""
                if draw(st.booleans()):
                    funcs = (
                        " {\n    constructor(x: u32);\n"
                        f"    get: func() -> {draw(_type(types))};\n"
                        f"    make: static func() -> {_escape(type_name)};\n  }}"
                    )
                body.append(
                    f"{doc}{gate}  resource {_escape(type_name)}{funcs}\n"
                    if funcs
                    else f"{doc}{gate}  resource {_escape(type_name)};\n"
                )
            types.append(type_name)
        for _ in range(draw(st.integers(0, 3))):
            func_name = draw(_name(scope))
            params = ", ".join(
                f"p{i}: {draw(_type(types))}" for i in range(draw(st.integers(0, 3)))
            )
            result = f" -> {draw(_type(types))}" if draw(st.booleans()) else ""
            is_async = "async " if draw(st.booleans()) else ""
            body.append(
                f"{draw(_docs('  '))}  {_escape(func_name)}: {is_async}func({params}){result};\n"
            )
        out.append(f"{draw(_docs(''))}interface {_escape(name)} {{\n{''.join(body)}}}\n\n")
        interfaces.append((name, types))
    for _ in range(draw(st.integers(0, 2))):
        world = draw(_name(taken))
        items = []
        names: set[str] = set()
        for interface, _ in interfaces:
            choice = draw(st.sampled_from(["import", "export", "skip"]))
            if choice != "skip":
                items.append(f"  {choice} {_escape(interface)};\n")
        for _ in range(draw(st.integers(0, 2))):
            func_name = draw(_name(names))
            direction = draw(st.sampled_from(["import", "export"]))
            items.append(f"  {direction} {_escape(func_name)}: func(x: u32) -> string;\n")
        out.append(f"world {_escape(world)} {{\n{''.join(items)}}}\n\n")
    return "".join(out)
