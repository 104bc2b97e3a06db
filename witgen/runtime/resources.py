"""Resource handles: guest-defined ones as Python objects, host-defined ones in per-store tables.

In: resource values crossing the boundary in either direction.  Out:

* `GuestResource`, the base of the generated class of every resource a
  component defines (`Counter`): it holds the handle, calls the resource's
  methods through the export binding it came from, and is dropped
  deterministically (`drop()`, or use it as a context manager);
* host-defined resources: any Python object the host implementation returns
  (typed by the generated `Host<Name>` protocol).  wasmtime knows it by an
  integer ("rep"); `StoreTables` maps reps to objects, one table per store,
  freed with the store;
* `ResourceCodec`, which lowers and lifts `own<R>`/`borrow<R>` and tells the
  two kinds apart at run time (the same interface may be imported, so the host
  defines `R`, and exported, so the component does).

Raises `Invalid` (see `codec.py`) for a dropped handle, a value of the wrong
class, or a handle wasmtime does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmtime import WasmtimeError
from wasmtime import _ffi as ffi
from wasmtime._store import Storelike
from wasmtime.component import LinkerInstance, ResourceAny, ResourceHost, ResourceType

from witgen.runtime.calls import define_resource
from witgen.runtime.codec import BOOL, RESOURCE, Codec, Invalid, describe
from witgen.runtime.context import Context, tables_for


class GuestResource:
    """A handle to a resource the component defines.

    Generated classes subclass it.  An owned handle must be dropped, which
    runs the component's destructor: use the object as a context manager or
    call `drop()`.  Passing it where the WIT says `own` gives it away;
    afterwards it cannot be used.
    """

    __slots__ = ("_handle", "_owner")

    # The export instance that holds the resource's functions; set by each
    # generated subclass.
    _instance: str = ""

    def __init__(self, owner: Any, handle: ResourceAny) -> None:
        # `owner` is the `calls.Bound` (store and instance) the handle came from.
        self._owner = owner
        self._handle: ResourceAny | None = handle

    def _live(self) -> ResourceAny:
        if self._handle is None:
            raise Invalid(ValueError, f"this {type(self).__name__} was dropped or given away")
        return self._handle

    def drop(self) -> None:
        """Drop the resource now (runs the component's destructor); idempotent."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.drop(self._owner.store)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()

    def __repr__(self) -> str:
        state = "dropped" if self._handle is None else "live"
        return f"<{type(self).__name__} ({state})>"


# ---------------------------------------------------------------- host tables

_TYPE_IDS: dict[str, int] = {}


def host_type_id(key: str) -> int:
    """The number wasmtime knows the host resource `key` by (one per process)."""
    found = _TYPE_IDS.get(key)
    if found is None:
        found = _TYPE_IDS[key] = len(_TYPE_IDS) + 1
    return found


def define_host_resource(
    instance: LinkerInstance, name: str, key: str, on_drop: Callable[[Any], None]
) -> None:
    """Declare the host resource `name` in `instance`; `on_drop(obj)` runs when the
    component drops the last handle to `obj`."""
    type_id = host_type_id(key)

    def destroy(store: Storelike, rep: int) -> None:
        found = tables_for(store).objects.pop(rep, None)
        if found is not None:
            on_drop(found[1])

    define_resource(instance, name, ResourceType.host(type_id), destroy)


# ---------------------------------------------------------------- the codec


def _take(val: Any) -> ResourceAny:
    """Move the resource handle out of `val`, leaving an empty `bool` behind."""
    pointer = ffi.take_pointer(val.of, "resource")
    val.kind = BOOL
    return ResourceAny._from_ptr(pointer)


class ResourceCodec(Codec):
    """`own<R>` or `borrow<R>`, for a resource either side may define.

    `guest_class` is the class of handles to the component's own `R`; None for
    a resource only the host can define (one a world declares)."""

    __slots__ = ("borrow", "guest_class", "host_type", "key", "name", "type_id")

    def __init__(self, key: str, guest_class: type[GuestResource] | None, borrow: bool) -> None:
        self.key = key
        self.name = key.rpartition("#")[2]
        self.type_id = host_type_id(key)
        self.host_type: ResourceType | None = None  # made when first needed
        self.guest_class = guest_class
        self.borrow = borrow

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if isinstance(value, GuestResource):
            if self.guest_class is None or not isinstance(value, self.guest_class):
                raise Invalid(TypeError, f"expected {self._expected()}, got {describe(value)}")
            handle = value._live()
            if self.borrow:
                out.of.resource = ffi.wasmtime_component_resource_any_clone(handle.ptr())
            else:
                value._handle = None
                out.of.resource = handle._consume()
            out.kind = RESOURCE
            return
        if value is None:
            raise Invalid(TypeError, f"expected a `{self.name}`, got None")
        if cx.owner is not None and self.key in cx.owner.guest:
            raise Invalid(TypeError, f"expected {self._expected()}, got {describe(value)}")
        tables = cx.tables()
        rep = tables.add(self.type_id, value)
        if self.borrow:
            cx.lent.append(rep)
        make = ResourceHost.borrow if self.borrow else ResourceHost.own
        try:
            handle = make(rep, self.type_id).to_any(cx.store)
        except WasmtimeError as error:
            tables.objects.pop(rep, None)
            raise Invalid(ValueError, str(error)) from None
        out.of.resource = handle._consume()
        out.kind = RESOURCE

    def _expected(self) -> str:
        if self.guest_class is None:
            return f"the host's own `{self.name}` object"
        return f"a {self.guest_class.__name__}"

    def lift(self, val: Any, cx: Context) -> object:
        handle = _take(val)
        if cx.owner is not None and self.guest_class is not None:
            if self.host_type is None:
                self.host_type = ResourceType.host(self.type_id)
            if handle.type != self.host_type:
                return self.guest_class(cx.owner, handle)
        try:
            host = handle.to_host(cx.store)
        except WasmtimeError:
            raise Invalid(TypeError, f"the component passed a `{self.name}` it defines") from None
        rep = host.rep
        objects = cx.tables().objects
        found = objects.get(rep)
        if found is None or found[0] != self.type_id or host.type != self.type_id:
            raise Invalid(ValueError, f"no live `{self.name}` has handle {rep}")
        if host.owned:
            # The handle comes back to the host: the component holds it no more.
            del objects[rep]
        return found[1]
