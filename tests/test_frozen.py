"""`@frozen` makes what `@dataclass(frozen=True, slots=True)` makes: each class is
built both ways here and every behaviour compared."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import dataclass
from typing import Any

import pytest

from witgen.diagnostics import Span
from witgen.frozen import frozen


@dataclass(frozen=True, slots=True)
class DocsA:
    """Docs."""

    comments: tuple[str, ...] = ()
    span: Span | None = None

    @property
    def count(self) -> int:
        return len(self.comments)


@frozen
class DocsB:
    """Docs."""

    comments: tuple[str, ...] = ()
    span: Span | None = None

    @property
    def count(self) -> int:
        return len(self.comments)


@dataclass(frozen=True, slots=True)
class LiteralA:
    version: str
    span: Span


@frozen
class LiteralB:
    version: str
    span: Span


@dataclass(frozen=True, slots=True)
class OneA:
    x: int


@frozen
class OneB:
    x: int


@dataclass(frozen=True, slots=True, order=True)
class OrderedA:
    a: int
    b: str


@frozen(order=True)
class OrderedB:
    a: int
    b: str


PAIRS: list[tuple[Any, Any, tuple[Any, ...]]] = [
    (DocsA, DocsB, (("a", "b"), Span(0, 1, 2))),
    (LiteralA, LiteralB, ("1.0.0", Span(0, 1, 2))),
    (OneA, OneB, (5,)),
    (OrderedA, OrderedB, (1, "z")),
]


def _renamed(text: str) -> str:
    return text.replace("B(", "(").replace("A(", "(")


@pytest.mark.parametrize(("a", "b", "args"), PAIRS, ids=lambda p: getattr(p, "__name__", ""))
def test_same_class_behaviour(a: Any, b: Any, args: tuple[Any, ...]) -> None:
    assert b.__slots__ == a.__slots__
    assert b.__match_args__ == a.__match_args__
    assert _renamed(b.__doc__) == _renamed(a.__doc__)
    assert str(inspect.signature(b)) == str(inspect.signature(a))
    assert [f.name for f in dataclasses.fields(b)] == [f.name for f in dataclasses.fields(a)]
    assert b.__dataclass_params__.frozen and b.__dataclass_params__.eq
    x, y = a(*args), b(*args)
    assert _renamed(repr(y)) == _renamed(repr(x))
    assert hash(y) == hash(x)
    assert y == b(*args)
    assert y != x
    assert dataclasses.asdict(y) == dataclasses.asdict(x)
    assert dataclasses.replace(y) == y
    assert pickle.loads(pickle.dumps(y)) == y
    # What dataclass() records about the class (its constructor differs between
    # Python versions: a copy made with 3.11's arguments broke 3.12's import).
    assert repr(b.__dataclass_params__) == repr(a.__dataclass_params__)
    assert b.__init__.__annotations__ == a.__init__.__annotations__
    name = dataclasses.fields(b)[0].name
    for target in (x, y):
        with pytest.raises(
            dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"
        ):
            setattr(target, name, 1)
        with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot delete field '{name}'"):
            delattr(target, name)
    with pytest.raises(TypeError, match="positional argument"):
        b(*args, *args, 1)


def test_defaults_and_properties() -> None:
    assert DocsB() == DocsB((), None)
    assert DocsB(("x",)).count == 1
    assert dataclasses.replace(DocsB(), comments=("y",)).comments == ("y",)


def test_order() -> None:
    pairs = [(2, "a"), (1, "b"), (1, "a")]
    assert [(o.a, o.b) for o in sorted(OrderedB(*p) for p in pairs)] == sorted(pairs)
    assert OrderedB(1, "a") <= OrderedB(1, "a") < OrderedB(1, "b")
    assert OrderedB(2, "a") >= OrderedB(1, "z") > OrderedB(1, "y")
    with pytest.raises(TypeError):
        assert OrderedB(1, "a") < OrderedA(1, "a")
