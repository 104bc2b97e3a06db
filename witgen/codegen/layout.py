"""Long statements laid out the way black lays them out, before black runs.

In: one generated statement on one line: an assignment, a `return` or a bare
call whose value is built of calls (positional and keyword arguments),
tuples, sets, dicts, `|` unions, names, attributes and constants.  Out: the same statement
split over lines as black splits it.  Raises nothing; a statement it does not
understand comes back as it was.

Black is most of the cost of generating bindings, and most of black's work is
splitting long lines.  Templates pass their longest statements through here
(the `layout` filter), which roughly halves black's time.  Black still formats
every module afterwards, so this never decides the output, only how much work
black has left; the tests check that black changes nothing.
"""

from __future__ import annotations

import ast

WIDTH = 100
INDENT = "    "


def layout(statement: str, depth: int = 0) -> str:
    """`statement`, indented `depth` levels, split as black would split it.

    The first line is not indented (the template has indented it already).
    """
    indent = INDENT * depth
    if len(indent) + len(statement) <= WIDTH:
        return statement
    prefix, source = _split_statement(statement)
    if source is None:
        return statement
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return statement
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        lines = _lay_union(prefix, node, depth)
    else:
        lines = _lay(prefix, node, "", depth)
    return "\n".join(lines)[len(indent) :]


def _split_statement(statement: str) -> tuple[str, str | None]:
    """(`name = ` or `return ` or ``, the expression), if the statement is one."""
    if statement.startswith("return "):
        return "return ", statement[len("return ") :]
    head, equals, tail = statement.partition(" = ")
    if equals and head.replace(".", "").replace(":", "").replace(" ", "").isidentifier():
        return head + " = ", tail
    return "", statement


def _lay(prefix: str, node: ast.expr, suffix: str, depth: int) -> list[str]:
    indent = INDENT * depth
    flat = prefix + source(node) + suffix
    if len(indent) + len(flat) <= WIDTH:
        return [indent + flat]
    one_tuple = False
    if isinstance(node, ast.Call):
        opener = prefix + source(node.func) + "("
        items = [source(arg) for arg in node.args]
        items += [f"{keyword.arg}={source(keyword.value)}" for keyword in node.keywords]
        nodes: list[ast.expr | None] = [*node.args, *(None for _ in node.keywords)]
    elif isinstance(node, ast.Tuple):
        opener = prefix + "("
        items = [source(item) for item in node.elts]
        nodes = list(node.elts)
        one_tuple = len(items) == 1
    elif isinstance(node, ast.Set):
        opener = prefix + "{"
        items = [source(item) for item in node.elts]
        nodes = list(node.elts)
    elif isinstance(node, ast.Dict) and None not in node.keys:
        opener = prefix + "{"
        items = [
            f"{source(key)}: {source(value)}"  # type: ignore[arg-type]
            for key, value in zip(node.keys, node.values, strict=True)
        ]
        nodes = [None] * len(items)
    else:
        return [indent + flat]
    closer = ("}" if isinstance(node, ast.Set | ast.Dict) else ")") + suffix
    if not items or any(keyword.arg is None for keyword in getattr(node, "keywords", [])):
        return [indent + flat]
    body = ", ".join(items) + ("," if one_tuple else "")
    inner = INDENT * (depth + 1)
    if len(inner) + len(body) <= WIDTH:
        return [indent + opener, inner + body, indent + closer]
    lines = [indent + opener]
    for text, item in zip(items, nodes, strict=True):
        if item is None:
            lines.append(f"{inner}{text},")
        else:
            lines += _lay("", item, ",", depth + 1)
    lines.append(indent + closer)
    return lines


def _lay_union(prefix: str, node: ast.BinOp, depth: int) -> list[str]:
    """`A | B | C` as black writes it when too long: in parentheses, one per line."""
    members: list[ast.expr] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        members.insert(0, node.right)
        node = node.left  # type: ignore[assignment]
    members.insert(0, node)
    indent = INDENT * depth
    inner = INDENT * (depth + 1)
    body = " | ".join(source(member) for member in members)
    if len(inner) + len(body) <= WIDTH:
        return [f"{indent}{prefix}(", inner + body, f"{indent})"]
    lines = [f"{indent}{prefix}(", inner + source(members[0])]
    lines += [f"{inner}| {source(member)}" for member in members[1:]]
    lines.append(f"{indent})")
    return lines


def string(text: str) -> str:
    """A string literal as black writes it: in double quotes where that is plain."""
    if '"' not in text and "\\" not in text and text.isprintable():
        return f'"{text}"'
    return repr(text)


def source(node: ast.expr) -> str:
    """`node` as black writes it on one line (double-quoted strings)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return string(node.value)
    if isinstance(node, ast.Call):
        arguments = [source(arg) for arg in node.args]
        arguments += [f"{keyword.arg}={source(keyword.value)}" for keyword in node.keywords]
        return f"{source(node.func)}({', '.join(arguments)})"
    if isinstance(node, ast.Tuple):
        items = ", ".join(source(item) for item in node.elts)
        return f"({items},)" if len(node.elts) == 1 else f"({items})"
    if isinstance(node, ast.Set):
        return "{" + ", ".join(source(item) for item in node.elts) + "}"
    if isinstance(node, ast.Dict) and None not in node.keys:
        pairs = zip(node.keys, node.values, strict=True)
        return "{" + ", ".join(f"{source(k)}: {source(v)}" for k, v in pairs) + "}"  # type: ignore[arg-type]
    return ast.unparse(node)
