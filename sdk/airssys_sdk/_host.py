"""The component's own bindings of the host interfaces, for the SDK's modules.

componentize-py generates them (`wit_world.imports`) when it builds the component,
and a component can import only the modules componentize-py saw imported during the
build: so they are imported here, when the SDK is.  Outside a component (tests,
type checks) there are none; `host_services()` and `types()` then look them up at
each call, which lets tests put stand-ins in `sys.modules`.  Raises `ImportError`
from those functions when there are none at all.
"""

from __future__ import annotations

import importlib
from typing import Any

try:
    from wit_world.imports import (  # type: ignore[import-not-found]
        host_services as _built_host_services,
    )
    from wit_world.imports import types as _built_types
except ImportError:
    _built_host_services = _built_types = None


def host_services() -> Any:
    """The `host-services` interface module."""
    if _built_host_services is not None:
        return _built_host_services
    return importlib.import_module("wit_world.imports").host_services


def types() -> Any:
    """The `types` interface module."""
    if _built_types is not None:
        return _built_types
    return importlib.import_module("wit_world.imports").types
