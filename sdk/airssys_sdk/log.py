"""The host's structured log, from inside a component.

`log.info("stored", key="k")` calls `host-services.log` with level `info`,
the message, and the keyword arguments as context pairs (values turned into
text).  Levels: `trace`, `debug`, `info`, `warn`, `error`.  Raises nothing
the host could refuse (logging has no error case).
"""

from __future__ import annotations

from typing import Any

from airssys_sdk import _host


def _send(level: str, message: str, context: dict[str, object]) -> None:
    pairs = [(str(key), str(value)) for key, value in context.items()] or None
    _host.host_services().log(getattr(_host.types().LogLevel, level.upper()), message, pairs)


def trace(message: str, **context: Any) -> None:
    _send("trace", message, context)


def debug(message: str, **context: Any) -> None:
    _send("debug", message, context)


def info(message: str, **context: Any) -> None:
    _send("info", message, context)


def warn(message: str, **context: Any) -> None:
    _send("warn", message, context)


def error(message: str, **context: Any) -> None:
    _send("error", message, context)
