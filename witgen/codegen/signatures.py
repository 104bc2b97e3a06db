"""Functions as the bindings see them: names, annotations of both sides, signatures.

In: a module's `TypeMapper`, its functions (an interface's, or what a world
imports or exports) and the scope of the class they become members of.  Out:
`Functions`: for each function it can bind, in the order it named them
(freestanding functions first, so that a function's own name wins over one
derived from a resource's), a `FunctionView` and the expression of its
`rt_calls.Signature`; and the functions wasmtime-py 50 can neither call nor
define (async ones, and those with a stream, a future, an error-context or a
fixed-size list anywhere in their signature), each with the reason and a
warning pointing at it, which claim no name.  Raises nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from witgen import ir
from witgen.codegen import names
from witgen.codegen.annotations import TypeMapper
from witgen.codegen.imports import RT_CALLS, Code
from witgen.codegen.layout import string
from witgen.codegen.names import Namespace, PythonName
from witgen.codegen.views import (
    NONE,
    FunctionView,
    ParamView,
    UnbindableView,
    deprecation,
    docstring_text,
)
from witgen.diagnostics import Diagnostic


@dataclass(frozen=True, slots=True)
class PlannedFunction:
    function: ir.Function
    resource: str | None  # the WIT name of its resource, for a resource's function
    view: FunctionView
    signature: Code  # `rt_calls.Signature(...)`


@dataclass(frozen=True, slots=True)
class Functions:
    planned: tuple[PlannedFunction, ...]  # in the order they were named
    unbindable: tuple[UnbindableView, ...]  # in source order
    warnings: tuple[Diagnostic, ...]  # one per unbindable function, pointing at it

    def freestanding(self) -> tuple[FunctionView, ...]:
        return tuple(p.view for p in self.planned if p.resource is None)

    def of_resource(self, resource: str) -> list[FunctionView]:
        return [p.view for p in self.planned if p.resource == resource]


def plan_functions(
    types: TypeMapper, functions: Sequence[ir.Function], members: Namespace
) -> Functions:
    """The functions the bindings can bind, and those they cannot (see the
    module's docstring).  Freestanding functions, constructors and statics are
    named in `members`; a resource's methods in its class."""
    unbindable: list[UnbindableView] = []
    warnings: list[Diagnostic] = []
    for function in functions:
        reason = unbindable_reason(types, function)
        if reason is not None:
            unbindable.append(UnbindableView(function.name, reason, trap=not function.is_async))
            warnings.append(
                Diagnostic(
                    f"{_shown(function)} cannot be bound: {reason}; witgen leaves it out of "
                    "the bindings (see `UNBINDABLE`)",
                    function.span,
                )
            )
    skipped = {view.wit_name for view in unbindable}
    planned: list[PlannedFunction] = []
    method_names: dict[str, Namespace] = {}
    # Freestanding functions claim their names first: a name derived from a
    # resource's (`blob_new`) gives way to a function's own (`blob-new`).
    for function in sorted(functions, key=lambda function: function.resource is not None):
        if function.name in skipped:
            continue
        resource = None
        if function.resource is not None:
            resource_id = types.resource_def(function.resource)
            assert resource_id is not None
            resource = types.resolve.types[resource_id].name
            assert resource is not None
        if function.kind == "method":
            assert resource is not None
            space = method_names.setdefault(resource, Namespace(names.RESOURCE_MEMBERS))
            python_name = space.claim(names.function_name(function.item_name))
        elif function.kind == "constructor":
            assert resource is not None
            python_name = members.claim(names.constructor_name(resource))
        elif function.kind == "static":
            assert resource is not None
            python_name = members.claim(names.static_name(resource, function.item_name))
        else:
            python_name = members.claim(names.function_name(function.name))
        planned.append(_plan_function(types, function, resource, python_name))
    return Functions(tuple(planned), tuple(unbindable), tuple(warnings))


def unbindable_reason(types: TypeMapper, function: ir.Function) -> str | None:
    """Why wasmtime-py 50 can neither call nor define `function`, or None when it can."""
    if function.is_async:
        return "it is async, and wasmtime-py 50 can neither call nor define async functions"
    for param in function.params:
        found = types.uncarried(param.type)
        if found is not None:
            return (
                f"parameter `{param.name}` holds {found}, which cannot cross wasmtime-py 50's "
                "component API"
            )
    if function.result is not None:
        found = types.uncarried(function.result)
        if found is not None:
            return f"its result holds {found}, which cannot cross wasmtime-py 50's component API"
    return None


def _shown(function: ir.Function) -> str:
    """A function as a message names it: `f`, `r.m`, the constructor of `r`."""
    if function.resource is None:
        return f"function `{function.name}`"
    resource = function.name[function.name.index("]") + 1 :].split(".")[0]
    if function.kind == "constructor":
        return f"the constructor of `{resource}`"
    return f"function `{resource}.{function.item_name}`"


def _plan_function(
    types: TypeMapper, function: ir.Function, resource: str | None, python_name: PythonName
) -> PlannedFunction:
    params = function.params[1:] if function.kind == "method" else function.params
    space = Namespace(frozenset({"self"}))
    param_views = []
    codecs: list[tuple[str, Code]] = []
    for param in params:
        param_views.append(
            ParamView(
                space.claim(names.parameter_name(param.name)),
                types.host_annotation(param.type),
                types.guest_annotation(param.type),
            )
        )
        codecs.append((param.name, types.codec(param.type)))
    if function.kind == "method":
        assert function.resource is not None
        resource_id = types.resource_def(function.resource)
        assert resource_id is not None
        codecs.insert(0, ("self", types.resource_codec(resource_id, True)))
    host_result = guest_result = NONE
    raises: Code | None = None
    result_codec = NONE
    result = function.result
    if result is not None:
        result_codec = types.codec(result)
        kind = types.resolve.types[result].kind if isinstance(result, int) else None
        host = types.host_annotation(result)
        guest = types.guest_annotation(result)
        if isinstance(kind, ir.ResultKind):
            # As componentize-py: a function whose result is a `result` returns
            # the `ok` payload and raises `Err` with the `err` payload.
            ok, err = kind.ok, kind.err
            host_result = types.annotation(ok, "host") if ok is not None else NONE
            guest_result = types.annotation(ok, "guest") if ok is not None else NONE
            raises = types.annotation(err, "guest") if err is not None else NONE
        else:
            host_result, guest_result = host, guest
    params_expr = Code.tuple_of(
        [Code.of(f"({string(name)}, ", codec, ")") for name, codec in codecs]
    )
    signature = Code.of(
        types.use(RT_CALLS).of("Signature"),
        f"({string(function.name)}, ",
        params_expr,
        ", ",
        result_codec,
        ")",
    )
    view = FunctionView(
        wit_name=function.name,
        name=python_name,
        kind=function.kind,
        params=tuple(param_views),
        host_result=host_result,
        guest_result=guest_result,
        raises=raises,
        signature=names.signature_variable(function),
        call=names.call_attribute(function),
        docs=docstring_text(function.docs, function.stability),
        deprecated=deprecation(function.stability),
    )
    return PlannedFunction(function, resource, view, signature)
