"""Messages and requests between components, from inside a component.

In: values to send (encoded with `encoding.py`), and the callbacks the host
delivers.  Out: `send_message(target, value)`; `Requests`, which sends a
request and remembers what to do with its answer, so that
`handle_callback` only has to call `Requests.dispatch`.  Raises
`RequestError` when the host refuses a message or a request (the
`messaging-error` case is in its `.case`), and `EncodingError` for a value
that cannot be encoded.

A component answers a request in `execute`; the host routes what `execute`
returns (or its error, its timeout, or a cancellation) to the sender's
`handle-callback` under the request id that `send-request` returned.
"""

from __future__ import annotations

from collections.abc import Callable

from airssys_sdk import _host
from airssys_sdk.encoding import Encoding, decode, encode


class RequestError(Exception):
    """The host refused a message or a request, or a request failed."""

    def __init__(self, message: str, case: object = None) -> None:
        super().__init__(message)
        self.case = case


def _refused(error: Exception) -> RequestError:
    case = getattr(error, "value", error)
    name = type(case).__name__
    detail = getattr(case, "value", None)
    text = name if detail is None else f"{name}: {detail}"
    return RequestError(f"the host refused: {text}", case)


def send_message(target: str, value: object, encoding: Encoding = "json") -> None:
    """Send `value` to `target`'s `handle-message` (delivered after this call returns)."""
    try:
        _host.host_services().send_message(target, encode(value, encoding))
    except Exception as error:
        if type(error).__name__ == "Err":
            raise _refused(error) from None
        raise


Callback = Callable[[object], None]
Failure = Callable[[str], None]


class Requests:
    """Requests this component sent and has not heard back about."""

    def __init__(self) -> None:
        self.pending: dict[str, tuple[Callback, Failure | None]] = {}

    def send(
        self,
        target: str,
        value: object,
        on_result: Callback,
        on_error: Failure | None = None,
        *,
        timeout_ms: int = 5000,
        encoding: Encoding = "json",
    ) -> str:
        """Send a request to `target`; `on_result(decoded answer)` or
        `on_error(reason)` runs when the host delivers its callback.  The request id."""
        try:
            request_id = str(
                _host.host_services().send_request(target, encode(value, encoding), timeout_ms)
            )
        except Exception as error:
            if type(error).__name__ == "Err":
                raise _refused(error) from None
            raise
        self.pending[request_id] = (on_result, on_error)
        return request_id

    def cancel(self, request_id: str) -> None:
        self.pending.pop(request_id, None)
        try:
            _host.host_services().cancel_request(request_id)
        except Exception as error:
            if type(error).__name__ == "Err":
                raise _refused(error) from None
            raise

    def dispatch(self, request_id: str, result: object) -> bool:
        """Run the handler of `request_id` with `result` (componentize-py's
        `Ok(bytes)` or `Err(str)`); False when the id is not pending."""
        handlers = self.pending.pop(request_id, None)
        if handlers is None:
            return False
        on_result, on_error = handlers
        if type(result).__name__ == "Err":
            if on_error is not None:
                on_error(str(getattr(result, "value", result)))
            return True
        payload = getattr(result, "value", result)
        on_result(decode(payload) if isinstance(payload, (bytes, bytearray)) else payload)
        return True
