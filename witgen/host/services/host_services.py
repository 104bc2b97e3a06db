"""`airssys:host-core/host-services`: logging, time, messaging and the registry.

In: the component it serves (its name, `PermissionValidator` and logger) and
a `Broker`, the part of the host that delivers messages and requests and
knows the other components.  Out: `HostServices`, which implements the
generated `host_services.Host`.  Raises nothing into wasmtime: a denial or a
failure is the interface's error case (`messaging-error`,
`component-error`), and an unexpected host error is logged and answered with
the error case `delivery-failed` or `internal-error` (functions without an
error case answer as if nothing happened: a log line is dropped, a list is
empty).

Decisions:
- `log` writes to the component's Python logger at the matching level, with
  the context pairs as the record's `context` (a dict) and the component as
  `component`.
- `send-message` and `send-request` need the `messaging.send` grant for the
  target; a denial is `delivery-failed` naming the grant.  A target that is
  not loaded is `component-not-found`; a message over the host's size limit
  is `message-too-large`; a full mailbox is `delivery-failed`.
- `sleep-millis` never sleeps past the current call's deadline (nor past a
  minute): the deadline is the host's, and a sleeping component must not
  outlive it.
- `get-component-metadata` of an unknown component is `invalid-configuration`
  (component-error has no "not found" case).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from airssys_bindings.airssys_host_core import types

from witgen.permissions import PermissionDenied, PermissionValidator
from witgen.runtime.wit import Err

MAX_SLEEP_MS = 60_000

_LEVELS = {
    types.LogLevel.TRACE: 5,
    types.LogLevel.DEBUG: logging.DEBUG,
    types.LogLevel.INFO: logging.INFO,
    types.LogLevel.WARN: logging.WARNING,
    types.LogLevel.ERROR: logging.ERROR,
}


class Undeliverable(Exception):
    """Why a broker refused a message or request: its error case."""

    def __init__(self, case: types.MessagingError) -> None:
        super().__init__(case)
        self.case = case


class Broker(Protocol):
    """What host-services needs from the host."""

    def send_message(self, sender: str, target: str, message: bytes) -> None:
        """Queue `message` for `target`, or raise `Undeliverable`."""

    def send_request(self, sender: str, target: str, request: bytes, timeout_ms: int) -> str:
        """Queue a request for `target`'s `execute`; its id, or `Undeliverable`."""

    def cancel_request(self, sender: str, request_id: str) -> None:
        """Cancel a request `sender` made, or raise `Undeliverable`."""

    def component_names(self) -> list[str]: ...

    def metadata_of(self, name: str) -> types.ComponentMetadata | None: ...


class HostServices:
    """`host-services` for one component."""

    def __init__(
        self,
        component: str,
        validator: PermissionValidator,
        broker: Broker,
        logger: logging.Logger,
        deadline: Callable[[], float | None],
    ) -> None:
        self.component = component
        self.validator = validator
        self.broker = broker
        self.logger = logger
        # The current call's deadline (`time.monotonic()`), or None outside a call.
        self.deadline = deadline

    def log(
        self, level: types.LogLevel, message: str, context: list[tuple[str, str]] | None
    ) -> None:
        try:
            self.logger.log(
                _LEVELS.get(level, logging.INFO),
                "%s",
                message,
                extra={"component": self.component, "context": dict(context or ())},
            )
        except Exception:
            logging.getLogger(__name__).exception("logging for %s failed", self.component)

    def send_message(self, target: types.ComponentId, message: bytes) -> None:
        self._granted(target)
        try:
            self.broker.send_message(self.component, target, message)
        except Undeliverable as refused:
            raise Err(refused.case) from None
        except Exception as error:  # noqa: BLE001 (no host error may reach wasmtime)
            raise Err(self._failed("send-message", error)) from None

    def send_request(
        self, target: types.ComponentId, request: bytes, timeout_ms: int
    ) -> types.RequestId:
        self._granted(target)
        try:
            return self.broker.send_request(self.component, target, request, timeout_ms)
        except Undeliverable as refused:
            raise Err(refused.case) from None
        except Exception as error:  # noqa: BLE001 (no host error may reach wasmtime)
            raise Err(self._failed("send-request", error)) from None

    def cancel_request(self, request_id: types.RequestId) -> None:
        try:
            self.broker.cancel_request(self.component, request_id)
        except Undeliverable as refused:
            raise Err(refused.case) from None
        except Exception as error:  # noqa: BLE001 (no host error may reach wasmtime)
            raise Err(self._failed("cancel-request", error)) from None

    def current_time_millis(self) -> int:
        return time.time_ns() // 1_000_000

    def sleep_millis(self, duration: int) -> None:
        seconds = min(duration, MAX_SLEEP_MS) / 1000
        deadline = self.deadline()
        if deadline is not None:
            seconds = min(seconds, max(0.0, deadline - time.monotonic()))
        if seconds > 0:
            time.sleep(seconds)

    def list_components(self) -> list[types.ComponentId]:
        try:
            return sorted(self.broker.component_names())
        except Exception:
            logging.getLogger(__name__).exception("list-components for %s", self.component)
            return []

    def get_component_metadata(self, id: types.ComponentId) -> types.ComponentMetadata:
        try:
            found = self.broker.metadata_of(id)
        except Exception:
            logging.getLogger(__name__).exception("get-component-metadata for %s", self.component)
            raise Err(types.ComponentError_InternalError("the host could not look it up")) from None
        if found is None:
            raise Err(types.ComponentError_InvalidConfiguration(f"no component `{id}` is loaded"))
        return found

    def _granted(self, target: str) -> None:
        try:
            self.validator.check_messaging(target)
        except PermissionDenied as denied:
            raise Err(types.MessagingError_DeliveryFailed(str(denied))) from None

    def _failed(self, what: str, error: Exception) -> types.MessagingError:
        logging.getLogger(__name__).error(
            "%s for %s failed: %r", what, self.component, error, exc_info=error
        )
        return types.MessagingError_DeliveryFailed(f"the host failed to {what}")
