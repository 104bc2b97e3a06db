"""The ceiling of bench/serve.py: the echo guest's handler as a plain ASGI 3 app.

In: an ASGI `http` scope (any method and path) and its body events.  Out: status 200,
`content-type: application/octet-stream`, and each body chunk sent back as soon as it
is received (`more_body` until the request's last chunk), the same streaming echo as
bench/serve_echo/app.py does inside a component, with no wasm in between.  Lifespan
events are acknowledged.  Raises nothing; a client that goes away ends the echo.

Run under the same server as `witgen serve`:
`python -m uvicorn --app-dir bench serve_ceiling:app --port 8000`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

HEADERS = [(b"content-type", b"application/octet-stream")]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body = message.get("body", b"")
        more = bool(message.get("more_body", False))
        if body or not more:
            await send({"type": "http.response.body", "body": body, "more_body": more})
        if not more:
            return
