"""Serving `wasi:http/proxy` components from Python (`witgen serve`).

In: a component that exports `wasi:http/incoming-handler`, its Component.toml
(the grants its outgoing requests are checked against) and the host's
configuration.  Out: an ASGI application that runs the component once per
request, the Python implementations of the WASI interfaces the proxy world
imports, and `client`, the HTTP client the component's
`wasi:http/outgoing-handler.handle` sends through.  Raises: each module says
what it raises; an outgoing request fails as `client.HttpFailure`, which
carries the `wasi:http` `error-code` case the component sees.

The ASGI server and the HTTP client are the `serve` extra
(`pip install 'witgen[serve]'`: uvicorn, urllib3), imported only where used.
"""

from __future__ import annotations
