"""Calling components and being called by them, with typed values.

In: a `Signature` per WIT function (its parameter and result codecs, built by
generated bindings) and wasmtime objects.  Out: `ExportCall`, which calls a
component's exported function with Python values and returns a Python value;
`define_host_function`, which registers a Python callable as a component's
import; and `define_unbindable`, which links an import the bindings cannot
bind as a trap that says why.  Raises: `TypeError`/`ValueError` naming the
function and parameter for a bad argument (before wasmtime sees anything);
`Err` for a function whose WIT result is `result<T, E>` and that returned its
error case; `Unbindable` from the call into the component during which it
called an unbindable import; wasmtime's errors for traps.

A function returning `result<T, E>` returns `T` in Python and raises
`Err(e)` for the error case, both ways: a host implementation raises `Err`
to return the error case to the component.  The function type is checked once,
when the binding is made, never per call.

A host function's exception reaches the call into the component that made
it, re-raised there, on the same thread: it is kept per thread, never in
wasmtime-py's one global slot, so components called from several threads at
once never see each other's exceptions.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from wasmtime import StoreContext, WasmtimeError, _bindings
from wasmtime import _ffi as ffi
from wasmtime._store import Storelike
from wasmtime.component import Func, Instance, LinkerInstance, ResourceType

from witgen.runtime.codec import Codec, Invalid, ResultCodec, Val, delete
from witgen.runtime.context import Context
from witgen.runtime.wit import Deprecated, Err


class BadValue(Exception):
    """A value a WIT type does not admit, found by the bindings (not wasmtime).

    Raised as `BadTypeError` (a `TypeError`) or `BadValueError` (a
    `ValueError`).  `function` and `place` say where: `argument `x`` (the
    caller's value: nothing reached wasmtime), `result` (what a component
    returned) or `returned value` (what a host implementation returned).
    """

    function: str
    place: str


class BadTypeError(TypeError, BadValue):
    pass


class BadValueError(ValueError, BadValue):
    pass


class Unbindable(Exception):
    """A component called an import the bindings could not bind (`UNBINDABLE`
    in the generated module says which and why); the component trapped.
    `function` is its component-model name, `reason` why it is not bound."""

    def __init__(self, function: str, reason: str) -> None:
        super().__init__(
            f"a component called `{function}`, which witgen's bindings do not bind: {reason}"
        )
        self.function = function
        self.reason = reason


class Signature:
    """A WIT function's name, parameters and result, as codecs.

    `returns_result` is set when the result is a `result<T, E>` that maps to
    "return T, raise Err(E)".
    """

    __slots__ = ("name", "param_codecs", "param_names", "result", "returns_result")

    def __init__(
        self, name: str, params: Sequence[tuple[str, Codec]], result: Codec | None
    ) -> None:
        self.name = name
        self.param_names = tuple(name for name, _ in params)
        self.param_codecs = tuple(codec for _, codec in params)
        self.result = result
        self.returns_result = isinstance(result, ResultCodec)

    def error(self, problem: Invalid, place: str) -> BadValue:
        kind = BadTypeError if problem.kind is TypeError else BadValueError
        error = kind(f"{self.name}: {place}: {problem.describe()}")
        error.function = self.name
        error.place = place
        return error

    def lift_result(self, val: Any, cx: Context) -> object:
        assert self.result is not None
        try:
            if isinstance(self.result, ResultCodec):
                is_ok, payload = self.result.lift_case(val, cx)
                if not is_ok:
                    raise Err(payload)
                return payload
            return self.result.lift(val, cx)
        except Invalid as problem:
            raise self.error(problem, "result") from None

    def lower_result(self, value: object, out: Any, cx: Context, error: Err[Any] | None) -> None:
        assert self.result is not None
        try:
            if isinstance(self.result, ResultCodec):
                if error is not None:
                    self.result.lower_case(False, error.value, out, cx)
                else:
                    self.result.lower_case(True, value, out, cx)
            else:
                self.result.lower(value, out, cx)
        except Invalid as problem:
            raise self.error(problem, "returned value") from None


class InterfaceModule(Protocol):
    """What the generated module of an interface provides at run time.

    `DEPRECATED` maps the WIT names of the interface's deprecated functions
    (keys of `SIGNATURES`), and `""` for the interface itself, to what the
    host warns about.
    """

    INSTANCE: str
    GUEST_RESOURCES: frozenset[str]
    SIGNATURES: dict[str, Signature]
    DEPRECATED: dict[str, Deprecated]


class ExportCall:
    """One exported function of one instance, ready to call with Python values.

    The value arrays are made once and reused by every call; a call made while
    another of the same function is in flight (from inside a host function)
    gets arrays of its own, so no call ever writes into a buffer another
    still reads.
    """

    __slots__ = (
        "busy",
        "context",
        "count",
        "cx",
        "func",
        "make_params",
        "owned",
        "params",
        "result",
        "result_owns",
        "signature",
    )

    def __init__(self, bound: Bound, func: Func, signature: Signature) -> None:
        self.func = ctypes.byref(func._func)
        self.signature = signature
        self.cx = Context(bound.store, bound)
        self.context = bound.store._context()
        self.count = count = len(signature.param_codecs)
        self.make_params = Val * count if count else None
        self.params = self.make_params() if self.make_params is not None else None
        self.result = Val() if signature.result is not None else None
        # Only values that own memory need deleting (scalars do not).
        self.owned = tuple(i for i, codec in enumerate(signature.param_codecs) if codec.owns)
        self.result_owns = signature.result is not None and signature.result.owns
        self.busy = False

    def __call__(self, *args: object) -> Any:
        nested = self.busy
        params: Any
        result: Any
        cx = self.cx
        if nested:  # re-entered: this call gets arrays, and lends borrows, of its own
            params = self.make_params() if self.make_params is not None else None
            result = Val() if self.result is not None else None
            cx = Context(cx.store, cx.owner)
        else:
            params, result = self.params, self.result
            self.busy = True
        signature = self.signature
        try:
            _raised.error = None
            if len(args) != self.count:
                raise TypeError(
                    f"{signature.name} takes {self.count} arguments ({len(args)} given)"
                )
            try:
                if params is not None:
                    index = 0
                    try:
                        for codec in signature.param_codecs:
                            codec.lower(args[index], params[index], cx)
                            index += 1
                    except Invalid as problem:
                        place = f"argument `{signature.param_names[index]}`"
                        raise signature.error(problem, place) from None
                error = _func_call(
                    self.func,
                    self.context,
                    params,
                    self.count,
                    None if result is None else ctypes.byref(result),
                    0 if result is None else 1,
                )
            finally:
                for index in self.owned:
                    value = params[index]
                    delete(value)
                    value.kind = 0  # a `bool`: nothing to free if the next call fails early
                if cx.lent:
                    cx.end_call()
            if error:
                # As wasmtime-py's `enter_wasm`: a host function's exception first.
                raised = WasmtimeError._from_ptr(error)
                host_error = _raised.error
                if host_error is not None:
                    _raised.error = None
                    raise host_error
                raise raised
            if result is None:
                return None
            try:
                return signature.lift_result(result, cx)
            finally:
                if self.result_owns:
                    delete(result)
                    result.kind = 0
        finally:
            if not nested:
                self.busy = False


# The C function itself: wasmtime-py's wrapper adds a Python call per call.
_func_call = _bindings._wasmtime_component_func_call


class Bound:
    """A component instance in its store: where typed calls into it start.

    Generated `Exports` classes hold one; the handles of the component's own
    resources keep it, to call their methods and to drop them.  Functions are
    looked up once, when first needed.
    """

    __slots__ = ("_calls", "guest", "instance", "store")

    def __init__(self, store: Storelike, instance: Instance, guest: frozenset[str]) -> None:
        self.store = store
        self.instance = instance
        # The resources the component defines (their keys), which a host object
        # can never stand for.
        self.guest = guest
        self._calls: dict[tuple[str | None, str], ExportCall] = {}

    def export(self, interface: str | None, signature: Signature) -> ExportCall:
        """The exported function of `signature` (inside the exported instance `interface`)."""
        key = (interface, signature.name)
        call = self._calls.get(key)
        if call is None:
            func = lookup_export(self.instance, self.store, signature.name, interface)
            call = self._calls[key] = ExportCall(self, func, signature)
        return call


def lookup_export(instance: Instance, store: Storelike, name: str, interface: str | None) -> Func:
    """The exported function `name` (in the exported instance `interface`, if given)."""
    parent = None
    if interface is not None:
        parent = instance.get_export_index(store, interface)
        if parent is None:
            raise WasmtimeError(f"the component does not export `{interface}`")
    index = instance.get_export_index(store, name, parent)
    func = instance.get_func(store, index) if index is not None else None
    if func is None:
        where = f"`{interface}`" if interface is not None else "the component"
        raise WasmtimeError(f"{where} does not export the function `{name}`")
    return func


# ---------------------------------------------------------------- host functions

_HOST_FUNCTIONS: dict[int, tuple[Signature, Callable[..., Any]]] = {}
_KEYS = itertools.count(1)


class _Raised(threading.local):
    error: BaseException | None = None


# The exception a host function raised, for the call into wasm on its thread.
_raised = _Raised()


def _call_host(  # noqa: PLR0917 (wasmtime's callback signature)
    data: int | None,
    context: Any,
    func_type: Any,
    args: Any,
    nargs: int,
    results: Any,
    nresults: int,
) -> int:
    """Run one host function (`data` says which), as wasmtime-py's
    `catch_exceptions` does, with the exception kept per thread.

    wasmtime owns `args` and `results` and frees both after this returns (on
    failure too), so nothing here deletes them.
    """
    signature, implementation = _HOST_FUNCTIONS[data or 0]
    store = StoreContext(context)
    try:
        cx = Context(store, None)
        values = []
        index = 0
        try:
            for codec in signature.param_codecs:
                values.append(codec.lift(args[index], cx))
                index += 1
        except Invalid as problem:
            place = f"argument `{signature.param_names[index]}`"
            raise signature.error(problem, place) from None
        error: Err[Any] | None = None
        try:
            value = implementation(*values)
        except Err as raised:
            if not signature.returns_result:
                raise
            error, value = raised, None
        if signature.result is None:
            if value is not None:
                raise TypeError(f"{signature.name} has no result, but its host returned {value!r}")
        else:
            signature.lower_result(value, results[0], cx, error)
    except Exception as raised_error:  # noqa: BLE001 (re-raised from the call into wasm)
        return _failure(raised_error)
    finally:
        store._invalidate()
    return 0


def _failure(error: Exception) -> int:
    """The error pointer a callback returns to wasmtime for `error`: a
    `WasmtimeError` as it is; any other exception is kept for the call into
    wasm on this thread to raise (`Bound.__call__`), as wasmtime-py's
    `catch_exceptions` does, but per thread."""
    if not isinstance(error, WasmtimeError):
        _raised.error = error
        error = WasmtimeError("python exception")
    return ctypes.cast(error._consume(), ctypes.c_void_p).value or 0


def _forget_host_function(data: int | None) -> None:
    _HOST_FUNCTIONS.pop(data or 0, None)


# The C callbacks wasmtime calls: one for every host function (`data` says which).
_trampoline = ffi.wasmtime_component_func_callback_t(_call_host)
_finalize = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(_forget_host_function)


# The host resources' destructors, by the key wasmtime passes back (`define_resource`).
_DESTRUCTORS: dict[int, Callable[[StoreContext, int], None]] = {}


def define_resource(
    instance: LinkerInstance,
    name: str,
    resource_type: ResourceType,
    destroy: Callable[[StoreContext, int], None],
) -> None:
    """Declare the host resource `name` of `resource_type` in `instance`;
    `destroy(store, rep)` runs when a component drops its last handle.

    As a host function's, an exception `destroy` raises comes out of the call
    into wasm that dropped the handle, on its thread (wasmtime-py's own
    `add_resource` keeps it in a process-wide variable instead)."""
    key = next(_KEYS)
    _DESTRUCTORS[key] = destroy
    encoded = name.encode("utf-8")
    error = ffi.wasmtime_component_linker_instance_add_resource(
        instance.ptr(),
        ctypes.create_string_buffer(encoded),
        len(encoded),
        resource_type.ptr(),
        _destructor,
        key,
        _finalize_destructor,
    )
    if error:
        _DESTRUCTORS.pop(key, None)
        raise WasmtimeError._from_ptr(error)


def _run_destructor(data: int | None, context: Any, rep: int) -> int:
    store = StoreContext(context)
    try:
        _DESTRUCTORS[data or 0](store, rep)
    except Exception as raised_error:  # noqa: BLE001 (re-raised from the call into wasm)
        return _failure(raised_error)
    finally:
        store._invalidate()
    return 0


def _forget_destructor(data: int | None) -> None:
    _DESTRUCTORS.pop(data or 0, None)


_destructor = ffi.wasmtime_component_resource_destructor_t(_run_destructor)
_finalize_destructor = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(_forget_destructor)


def define_host_method(instance: LinkerInstance, signature: Signature, method: str) -> None:
    """Make the import `signature.name` (`[method]r.m`) call `method` on the host
    object its `self` argument stands for."""

    def call(self: Any, *args: object) -> Any:
        return getattr(self, method)(*args)

    define_host_function(instance, signature, call)


def define_unbindable(instance: LinkerInstance, name: str, reason: str) -> None:
    """Make the import `name` in `instance` a trap: a component that calls it
    traps, and the call into the component raises `Unbindable(name, reason)`.

    For a function the bindings cannot bind (`reason` says why), so that a
    component importing it still instantiates.  Its arguments are never read.
    """

    def trap(*args: object) -> None:
        raise Unbindable(name, reason)

    define_host_function(instance, Signature(name, (), None), trap)


def define_host_function(
    instance: LinkerInstance, signature: Signature, implementation: Callable[..., Any]
) -> None:
    """Make `implementation` the component's import `signature.name` in `instance`.

    It is called with the lifted arguments; its return value is lowered as the
    result (raise `Err(e)` for the error case of a `result`).
    """
    name = signature.name
    key = next(_KEYS)
    _HOST_FUNCTIONS[key] = (signature, implementation)
    encoded = name.encode("utf-8")
    error = ffi.wasmtime_component_linker_instance_add_func(
        instance.ptr(),
        ctypes.create_string_buffer(encoded),
        len(encoded),
        _trampoline,
        key,
        _finalize,
    )
    if error:
        _HOST_FUNCTIONS.pop(key, None)
        raise WasmtimeError._from_ptr(error)
