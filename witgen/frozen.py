"""`@frozen`: what `@dataclass(frozen=True, slots=True)` makes, made cheaply.

In: a class body of annotated fields (with or without defaults) and methods.
Out: that class as `dataclasses.dataclass(frozen=True, slots=True)` (and
`order=True` with `@frozen(order=True)`) would return it: the same `__init__`,
`__repr__`, `__eq__`, `__hash__`, ordering, `__match_args__`, `__slots__`,
pickling, `FrozenInstanceError` on assignment, and real dataclass fields, so
`dataclasses.fields`, `replace` and `asdict` work on it.  Raises nothing.

Why: the standard decorator compiles six functions per class, and
`witgen.syntax.ast` and `witgen.ir` hold about 135 classes: 30 ms of every
`witgen check`.  Here `dataclasses.dataclass` still collects the fields, but
only `__init__` is compiled, and only when the class is first instantiated
(most runs use a fraction of the classes); the other methods are shared
functions over the field names.  Classes that inherit fields are not supported
(nothing here needs them).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T", bound=type)


@overload
def frozen(cls: _T, /) -> _T: ...
@overload
def frozen(*, order: bool = False) -> Callable[[_T], _T]: ...


@dataclass_transform(frozen_default=True)
def frozen(cls: _T | None = None, /, *, order: bool = False) -> _T | Callable[[_T], _T]:
    """The class decorated (see the module doc)."""
    if cls is None:
        return lambda cls: _make(cls, order)
    return _make(cls, order)


def _make(cls: _T, order: bool) -> _T:
    documented = cls.__dict__.get("__doc__") is not None
    if not documented:
        cls.__doc__ = "-"  # spares dataclass() an inspect.signature of the wrong __init__
    dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = tuple(dataclasses.fields(cls))
    names = tuple(field.name for field in fields)

    body = dict(cls.__dict__)
    body["__slots__"] = names
    for name in names:
        body.pop(name, None)
    body.pop("__dict__", None)
    body.pop("__weakref__", None)
    new: Any = type(cls)(cls.__name__, cls.__bases__, body)
    new.__qualname__ = cls.__qualname__
    # What `@dataclass(frozen=True, slots=True, order=order)` records; the class's
    # constructor takes more arguments from one Python version to the next, so
    # the record dataclass() made is copied and set.
    params = copy.copy(cls.__dict__["__dataclass_params__"])
    params.init, params.repr, params.eq, params.order = True, True, True, order
    params.unsafe_hash, params.frozen = False, True
    if hasattr(params, "slots"):  # Python 3.12 and later
        params.slots = True
    new.__dataclass_params__ = params

    signature = _signature(fields)
    new.__init__ = _lazy_init(new, fields)
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    new.__init__.__signature__ = signature.replace(
        parameters=[self_parameter, *signature.parameters.values()]
    )
    new.__repr__ = _repr(names)
    if not names:
        values: Callable[[Any], tuple[Any, ...]] = lambda self: ()  # noqa: E731
    elif len(names) == 1:
        one = attrgetter(names[0])
        values = lambda self: (one(self),)  # noqa: E731
    else:
        values = attrgetter(*names)
    new.__eq__ = _compare(new, values, lambda a, b: a == b, "__eq__")
    new.__hash__ = _named(lambda self: hash(values(self)), new, "__hash__")
    if order:
        new.__lt__ = _compare(new, values, lambda a, b: a < b, "__lt__")
        new.__le__ = _compare(new, values, lambda a, b: a <= b, "__le__")
        new.__gt__ = _compare(new, values, lambda a, b: a > b, "__gt__")
        new.__ge__ = _compare(new, values, lambda a, b: a >= b, "__ge__")
    new.__setattr__, new.__delattr__ = _frozen(new, frozenset(names))
    new.__getstate__, new.__setstate__ = _state(names)
    if not documented:
        new.__doc__ = new.__name__ + str(signature).replace(" -> None", "")
    result: _T = new
    return result


def _named(function: Any, cls: type, name: str) -> Any:
    function.__name__ = name
    function.__qualname__ = f"{cls.__qualname__}.{name}"
    return function


def _signature(fields: tuple[dataclasses.Field[Any], ...]) -> inspect.Signature:
    parameters = [
        inspect.Parameter(
            field.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=field.default,
            annotation=field.type,
        )
        if field.default is not dataclasses.MISSING
        else inspect.Parameter(
            field.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=field.type
        )
        for field in fields
    ]
    return inspect.Signature(parameters, return_annotation=None)


def _lazy_init(cls: Any, fields: tuple[dataclasses.Field[Any], ...]) -> Any:
    """An `__init__` that compiles the real one, as dataclass() writes it, at its first call."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init = _compile_init(cls, fields)
        cls.__init__ = init
        init(self, *args, **kwargs)

    return _named(__init__, cls, "__init__")


def _compile_init(cls: Any, fields: tuple[dataclasses.Field[Any], ...]) -> Any:
    namespace: dict[str, Any] = {"__object_setattr": object.__setattr__}
    parameters = []
    for field in fields:
        if field.default is dataclasses.MISSING:
            parameters.append(field.name)
        else:
            namespace[f"__default_{field.name}"] = field.default
            parameters.append(f"{field.name}=__default_{field.name}")
    lines = [f"  __object_setattr(self, {field.name!r}, {field.name})" for field in fields]
    source = f"def __init__(self, {', '.join(parameters)}):\n" + ("\n".join(lines) or "  pass")
    exec(source, namespace)
    init = namespace["__init__"]
    init.__annotations__ = {field.name: field.type for field in fields} | {"return": None}
    return _named(init, cls, "__init__")


def _repr(names: tuple[str, ...]) -> Any:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inside = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({inside})"

    return __repr__


def _compare(
    cls: Any,
    values: Callable[[Any], tuple[Any, ...]],
    test: Callable[[Any, Any], bool],
    name: str,
) -> Any:
    def compare(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return test(values(self), values(other))
        return NotImplemented

    return _named(compare, cls, name)


def _frozen(cls: Any, names: frozenset[str]) -> tuple[Any, Any]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return _named(__setattr__, cls, "__setattr__"), _named(__delattr__, cls, "__delattr__")


def _state(names: tuple[str, ...]) -> tuple[Any, Any]:
    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, name) for name in names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            object.__setattr__(self, name, value)

    return __getstate__, __setstate__
