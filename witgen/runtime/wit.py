"""Python values for the WIT types that have no built-in Python equivalent.

In: nothing.  Out: `Some`, `Ok`, `Err`, `Result`, the `Borrow`/`Own`
markers, which generated bindings use in their signatures, and the opaque
handles `Stream`, `Future` and `ErrorContext`, which type what wasmtime-py 50
cannot carry.  They follow componentize-py's names, so host and guest code for
the same WIT reads alike.  Raises nothing.

* `option<T>` is `T | None`; where options nest (`option<option<T>>`) the
  outer `some` is `Some(value)`, so that `none` and `some(none)` differ.
* `result<T, E>` returned by a function is its `T`; the error case is raised
  as `Err(error)`.  Anywhere else a result is `Ok(value) | Err(error)`.
* `borrow<R>` parameters are annotated `Borrow[R]`, `own<R>` ones plain `R`:
  passing an owned handle gives it away, lending it does not.
* `stream<T>`, `future<T>` and `error-context` are `Stream[T]`, `Future[T]`
  and `ErrorContext`: types only, since wasmtime-py 50 cannot move them (a
  function that has one in its signature is not bound, see `UNBINDABLE` in the
  generated modules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, NamedTuple, TypeAlias, TypeVar

T = TypeVar("T")
E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Some(Generic[T]):
    """The `some` case of an option whose payload may itself be `None`."""

    value: T


@dataclass(frozen=True, slots=True)
class Ok(Generic[T]):
    """The `ok` case of a `result` that is a value (not a function's return)."""

    value: T


class Err(Exception, Generic[E]):
    """The `err` case of a `result`; raised when a function returns it."""

    def __init__(self, value: E) -> None:
        super().__init__(value)
        self.value = value

    def __repr__(self) -> str:
        return f"Err({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Err) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("Err", repr(self.value)))


Result: TypeAlias = Ok[T] | Err[E]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


BORROW = _Marker("borrow")

# `Borrow[R]`: a handle lent for the duration of one call.
Borrow: TypeAlias = Annotated[T, BORROW]


class Stream(Generic[T]):
    """A `stream<T>` handle (`Stream[None]` for `stream`): a type only.

    wasmtime-py 50 cannot move streams across the component boundary, so no
    value of this class is ever made; it types records and variants that hold
    one, whose other fields stay usable."""

    __slots__ = ()


class Future(Generic[T]):
    """A `future<T>` handle (`Future[None]` for `future`): a type only, as `Stream`."""

    __slots__ = ()


class ErrorContext:
    """An `error-context` handle: a type only, as `Stream`."""

    __slots__ = ()


class Deprecated(NamedTuple):
    """An interface or function gated `@deprecated` in the WIT of the bindings.

    `name` is the WIT name (`read-file`, `[method]r.get`, or the interface's
    name); `replacement` is what its doc comment says to use instead (the first
    ``use `name` `` of its `Deprecated:` line), and `removed_in` the version
    where it goes (the next major after `deprecated_in`; None after a
    pre-release).
    """

    kind: str  # interface or function
    name: str
    deprecated_in: str
    replacement: str | None
    removed_in: str | None

    def warning(self, component: str) -> str:
        """The host's warning when `component` uses the item (wit/VERSIONING.md)."""
        text = f"Component '{component}' uses deprecated {self.kind} '{self.name}'"
        text += f" (deprecated in {self.deprecated_in})."
        if self.replacement is not None:
            text += f" Use '{self.replacement}' instead."
        if self.removed_in is not None:
            text += f" Support will be removed in version {self.removed_in}."
        return text
