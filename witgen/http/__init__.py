"""Serving `wasi:http/proxy` components from Python (`witgen serve`).

In: a component that exports `wasi:http/incoming-handler`, its Component.toml
(the grants its outgoing requests are checked against) and the host's
configuration (`HttpConfig`).  Out: `WasiHttpApp`, an ASGI application that
runs the component once per request (`app.py`); the Python implementations of
the WASI interfaces the component imports (`wasi/`), linked through witgen
bindings generated from the component's own types (`bindings.py`); and
`client`, the HTTP client the component's `wasi:http/outgoing-handler.handle`
sends through.  Raises: each module says what it raises; `ServeError` for a
component that cannot be served; an outgoing request fails as
`client.HttpFailure`, which carries the `wasi:http` `error-code` case the
component sees.

The names below are imported on first use (PEP 562), so that `witgen --help`
does not load wasmtime.  The ASGI server and the HTTP client are the `serve`
extra (`pip install 'witgen[serve]'`: uvicorn, urllib3), imported only where
used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from witgen.http.app import HttpConfig, WasiHttpApp
    from witgen.http.bindings import ServeError

__all__ = ["HttpConfig", "ServeError", "WasiHttpApp"]

_HOMES = {
    "HttpConfig": "witgen.http.app",
    "WasiHttpApp": "witgen.http.app",
    "ServeError": "witgen.http.bindings",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
