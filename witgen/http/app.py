"""An ASGI application that serves a `wasi:http/proxy` component.

In: a component file (an 18 MB componentize-py guest, or any component that
exports `wasi:http/incoming-handler`), optionally its `Component.toml`, and
`HttpConfig`.  Out: `WasiHttpApp`, an ASGI 3 application (http and lifespan
scopes) for any ASGI server, mountable in Starlette or FastAPI.  Raises
`ServeError` (`witgen.http.bindings`) when the component cannot be served,
from `load()` or the first request; `witgen.permissions` errors for a bad
manifest.

How a request runs, as `wasmtime serve` runs it: the component is compiled
once (and kept compiled on disk, `witgen.host.cache`); each request gets a
fresh store and instance, on a worker thread (at most `concurrency` at once),
under the request's limits: a deadline (epoch interruption for wasm, the
`RequestScope` deadline for waits in the host), linear memory, tables and
instances.  The body streams both ways: the request body is received from
the server only as the component reads it (`max_request_body` in all), and
what the component writes to the response body is sent as it is written
(`max_response_body` in all).  A component that traps, runs out of time or
returns without setting the response gets a 500 (logged on `witgen.http`);
one that fails after the response started has its connection closed (the
response is incomplete, never silently cut short).

Outgoing requests (`wasi:http/outgoing-handler`) go through
`witgen.http.client` with the grants of `Component.toml`'s
`[capabilities.network] outbound`; without a manifest every outgoing request
is denied (`HTTP-request-denied`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from wasmtime import Config, Engine, WasmtimeError
from wasmtime.component import Component, Linker

from witgen.host.cache import ComponentCache
from witgen.host.isolation import EpochClock, LineLog, StoreLimits, limited_store, ticks
from witgen.http.bindings import ServedBindings, ServeError, load_bindings
from witgen.http.client import OutgoingHead, Timeouts, send
from witgen.http.wasi import Hosts, WasiSettings, link
from witgen.http.wasi.http import (
    BODY_BUFFER,
    IncomingRequest,
    OutgoingResponse,
    ResponseOutparam,
    incoming_body,
    received_fields,
)
from witgen.http.wasi.scope import Pipe, RequestScope, entered
from witgen.permissions.manifest import load_manifest
from witgen.permissions.validator import PermissionValidator
from witgen.runtime.context import limit_host_objects, release_store

LOG = logging.getLogger("witgen.http")
MiB = 1 << 20

# The engine configuration, as the compile cache keys it (change it with the config).
ENGINE_CONFIG_NAME = "witgen-http-1:component-model,epoch-interruption"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HttpConfig:
    """What each request may use, and where compiled components are kept."""

    deadline_s: float = 30.0  # one request, from its start to the end of the component's call
    memory_limit: int = 256 * MiB  # linear memory of one memory of the request's instance
    max_request_body: int = 64 * MiB
    max_response_body: int = 1024 * MiB
    concurrency: int = 8  # requests whose component runs at once (threads)
    outgoing_workers: int = 64  # outgoing requests in flight at once, over all requests
    cache_dir: Path | None = None  # compiled components and bindings (None: the user's cache)
    environment: tuple[tuple[str, str], ...] = ()  # what `wasi:cli/environment` gives
    table_elements_limit: int = 100_000
    tables_limit: int = 16
    memories_limit: int = 16
    instances_limit: int = 100
    # Host objects (fields, bodies, streams, pollables, ...) one request's instance may hold
    # at once: each is Python memory the component could otherwise make without bound.
    host_objects_limit: int = 100_000
    output: Callable[[str, bytes], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.deadline_s <= 0 or self.concurrency < 1 or self.outgoing_workers < 1:
            raise ValueError("deadline_s, concurrency and outgoing_workers must be positive")
        if min(self.memory_limit, self.max_request_body, self.max_response_body) < 0:
            raise ValueError("limits must not be negative")
        if self.host_objects_limit < 1:
            raise ValueError("host_objects_limit must be positive")


@dataclass(slots=True)
class _Served:
    """A component ready to serve: compiled, its bindings imported, its imports linked."""

    engine: Engine
    clock: EpochClock
    component: Component
    bindings: ServedBindings
    hosts: Hosts
    linker: Linker
    guests: ThreadPoolExecutor
    outgoing: ThreadPoolExecutor
    limits: StoreLimits
    deadline_s: float
    name: str  # the component's, in the log


class WasiHttpApp:
    """The ASGI application serving `component` (see the module docstring)."""

    def __init__(
        self,
        component: str | os.PathLike[str],
        *,
        manifest: str | os.PathLike[str] | None = None,
        config: HttpConfig | None = None,
    ) -> None:
        self.component = Path(component)
        self.manifest = Path(manifest) if manifest is not None else None
        self.config = config or HttpConfig()
        self._served: _Served | None = None
        self._loading = threading.Lock()

    # ------------------------------------------------------------ loading

    def load(self) -> None:
        """Compile (or take from the cache) and link the component, once."""
        self._load()

    def _load(self) -> _Served:
        with self._loading:
            if self._served is None:
                self._served = self._prepare()
            return self._served

    def _prepare(self) -> _Served:
        config = self.config
        validator = None
        memory, deadline_s = config.memory_limit, config.deadline_s
        if self.manifest is not None:
            manifest = load_manifest(self.manifest)
            validator = PermissionValidator(manifest)
            if manifest.limits.memory is not None:
                memory = min(memory, manifest.limits.memory)
            if manifest.limits.timeout_ms is not None:
                deadline_s = min(deadline_s, manifest.limits.timeout_ms / 1000)
        engine_config = Config()
        engine_config.epoch_interruption = True
        engine = Engine(engine_config)
        cache = ComponentCache(config.cache_dir, ENGINE_CONFIG_NAME)
        try:
            loaded = cache.load(engine, self.component)
        except WasmtimeError as error:
            raise ServeError(
                f"{self.component}: not a component wasmtime can run: {error}"
            ) from None
        except OSError as error:
            raise ServeError(f"cannot read {self.component}: {error.strerror}") from None
        bindings = load_bindings(self.component, loaded.digest, cache.directory)
        if bindings.world.IMPORT_SIGNATURES:
            names = ", ".join(sorted(bindings.world.IMPORT_SIGNATURES))
            raise ServeError(
                f"the component imports functions witgen serve does not provide: {names}"
            )
        outgoing = ThreadPoolExecutor(config.outgoing_workers, thread_name_prefix="witgen-outgoing")
        name = validator.component if validator is not None else self.component.name

        def send_checked(
            head: OutgoingHead,
            body: Iterator[bytes] | None,
            timeouts: Timeouts,
            deadline: float | None,
        ) -> Any:
            return send(head, body, timeouts, validator, deadline=deadline)

        settings = WasiSettings(
            send=send_checked,
            executor=outgoing,
            output=config.output or LineLog(LOG, label=name),
            environment=config.environment,
        )
        hosts = Hosts(bindings, settings)
        linker = Linker(engine)
        link(linker, bindings, hosts)
        return _Served(
            engine,
            EpochClock(engine),
            loaded.component,
            bindings,
            hosts,
            linker,
            ThreadPoolExecutor(config.concurrency, thread_name_prefix="witgen-guest"),
            outgoing,
            StoreLimits(
                memory=memory,
                table_elements=config.table_elements_limit,
                tables=config.tables_limit,
                memories=config.memories_limit,
                instances=config.instances_limit,
            ),
            deadline_s,
            name,
        )

    def close(self) -> None:
        """Stop the worker threads and the epoch clock (requests in flight finish first)."""
        with self._loading:
            served, self._served = self._served, None
        if served is not None:
            served.guests.shutdown(wait=True)
            served.outgoing.shutdown(wait=True)
            served.clock.close()

    # ------------------------------------------------------------ ASGI

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        else:
            raise ServeError(f"witgen serves http requests, not {kind!r}")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await loop.run_in_executor(None, self._load)
                except Exception as error:  # noqa: BLE001 (reported to the server)
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await loop.run_in_executor(None, self.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        served = self._served
        if served is None:
            served = await loop.run_in_executor(None, self._load)
        request = _Request(self.config, served, scope, loop)
        pump = loop.create_task(request.pump(receive))
        work = loop.run_in_executor(served.guests, request.run)
        try:
            await request.respond(send, work)
        finally:
            pump.cancel()
            request.scope.close()
            failure = await work
            if failure is not None and not request.reported:
                LOG.warning(
                    "%s: the component failed after its response: %s", request.target, failure
                )


# What a path keeps unescaped when it is written from ASGI's decoded `path` (RFC 3986 pchar).
_PATH_SAFE = "/:@!$&'()*+,;=~"


def path_with_query(scope: Scope) -> str:
    """The request target the component sees: the path as received (`raw_path`,
    else `path` percent-encoded) below the prefix the app is mounted at
    (`root_path`, as Starlette's `Mount` sets it), and the query."""
    root = str(scope.get("root_path", "")).rstrip("/")
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        path = raw.decode("latin-1")
        root = quote(root, safe=_PATH_SAFE)
    else:
        path = quote(str(scope.get("path", "/")), safe=_PATH_SAFE)
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :] or "/"
    query = scope.get("query_string", b"")
    return path + ("?" + query.decode("latin-1") if query else "")


def _target(scope: Scope) -> str:
    return f"{scope['method']} {path_with_query(scope)}"


class _Request:
    """One request: its scope, its body pipes, the component's call and the response."""

    def __init__(
        self, config: HttpConfig, served: _Served, scope: Scope, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.config = config
        self.served = served
        self.loop = loop
        self.target = _target(scope)
        self.asgi_scope = scope
        self.scope = RequestScope(time.monotonic() + served.deadline_s)
        self.reported = False
        values = served.hosts.http_types.values
        # The request body: taken from the server only as the component reads it.
        self.body = Pipe(self.scope, BODY_BUFFER, config.max_request_body)
        self.wanted = asyncio.Event()
        self.wanted.set()
        self.body.on_take = lambda: _soon(loop, self.wanted.set)
        headers = [(name.decode("latin-1"), value) for name, value in scope.get("headers", [])]
        authority = next((value for name, value in headers if name.lower() == "host"), None)
        self.request = IncomingRequest(
            values.method(scope["method"]),
            values.scheme(scope.get("scheme", "http")),
            authority.decode("latin-1") if authority is not None else None,
            path_with_query(scope),
            received_fields(values, headers),
            incoming_body(values, self.body),
        )
        self.head: asyncio.Future[tuple[OutgoingResponse | None, object]] = loop.create_future()
        self.outparam = ResponseOutparam(self._deliver)
        self.response_pipes: list[Pipe] = []
        self.scope.response_pipe = self._response_pipe

    def _deliver(self, response: OutgoingResponse | None, error: object) -> None:
        def settle() -> None:
            if not self.head.done():
                self.head.set_result((response, error))

        self.loop.call_soon_threadsafe(settle)

    def _response_pipe(self) -> Pipe:
        pipe = Pipe(self.scope, BODY_BUFFER, self.config.max_response_body)
        self.response_pipes.append(pipe)
        return pipe

    # ------------------------------------------------------------ the component's side

    def run(self) -> BaseException | None:
        """Instantiate the component in a fresh store and call `handle` (a worker thread)."""
        served = self.served
        # By default what the component prints goes to the log a line at a time
        # (CPython writes a line in pieces), each request's lines its own.
        lines = LineLog(LOG, label=served.name) if self.config.output is None else None
        self.scope.output = lines
        with entered(self.scope):
            store = limited_store(served.engine, served.limits)
            # Its own host objects, bounded, before anything runs in it.
            limit_host_objects(store, self.config.host_objects_limit)
            deadline = self.scope.deadline or time.monotonic()
            store.set_epoch_deadline(ticks(max(0.0, deadline - time.monotonic()) * 1000))
            failure: BaseException | None = None
            try:
                instance = served.linker.instantiate(store, served.component)
                handler = served.bindings.handler.Exports(store, instance)
                handler.handle(self.request, self.outparam)
            except Exception as error:  # noqa: BLE001 (the server answers for it)
                failure = error
            finally:
                why = (
                    "the component returned without finishing the response body"
                    if failure is None
                    else f"the component failed: {_describe(failure)}"
                )
                for pipe in self.response_pipes:
                    pipe.fail(why)
                self._deliver(None, None)
                if lines is not None:
                    lines.flush()
                # Free the instance's memory now, not when the collector finds
                # the store's cycles (RSS grew to 480 MB under load without it);
                # its tables first, as its address may be the next store's.
                release_store(store)
                store.close()
        return failure

    # ------------------------------------------------------------ the server's side

    async def pump(self, receive: Receive) -> None:
        """Move the request body from the server into its pipe, as it is wanted."""
        body = self.body
        while True:
            await self.wanted.wait()
            message = await receive()
            if message["type"] == "http.disconnect":
                body.fail("the client went away")
                return
            body.put(message.get("body", b""))
            if body.failure is not None:
                return
            if not message.get("more_body", False):
                body.end()
                return
            if body.room() == 0:
                self.wanted.clear()

    async def respond(self, send: Send, work: asyncio.Future[BaseException | None]) -> None:
        response, error = await self.head
        if response is None:
            failure = await work if error is None else None
            self.reported = True
            if error is not None:
                why = f"the component answered with the error {error}"
            elif failure is not None:
                why = f"the component failed: {_describe(failure)}"
            else:
                why = "the component returned without setting a response"
            LOG.warning("%s: 500: %s", self.target, why)
            await _plain(send, 500, "500 Internal Server Error\n")
            return
        body = response.taken_body()
        headers = [(name.encode("latin-1"), value) for name, value in response.headers_.entries_]
        # Trailers reach the client only through a server that offers them (ASGI's
        # `http.response.trailers` extension; uvicorn does not): else they are dropped.
        trailers = "http.response.trailers" in scope_extensions(self.asgi_scope)
        start = {"type": "http.response.start", "status": response.status_code()}
        await send({**start, "headers": headers, "trailers": trailers})
        if body is None:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            if trailers:
                await send(
                    {"type": "http.response.trailers", "headers": [], "more_trailers": False}
                )
            return
        pipe = body.pipe
        ready = asyncio.Event()
        pipe.on_put = lambda: _soon(self.loop, ready.set)
        try:
            while True:
                ready.clear()
                data = pipe.take(BODY_BUFFER)
                if data:
                    await send({"type": "http.response.body", "body": data, "more_body": True})
                    continue
                with self.scope.cv:
                    ended, broken = pipe.ended, pipe.failure
                if broken is not None:
                    self.reported = True
                    LOG.warning("%s: response cut short: %s", self.target, broken)
                    raise ResponseIncomplete(broken)
                if ended:
                    break
                await ready.wait()
        except BaseException:
            pipe.leave()
            raise
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if trailers:
            fields = [(name.encode("latin-1"), value) for name, value in body.trailers or []]
            await send(
                {"type": "http.response.trailers", "headers": fields, "more_trailers": False}
            )


def scope_extensions(scope: Scope) -> dict[str, Any]:
    extensions = scope.get("extensions")
    return extensions if isinstance(extensions, dict) else {}


class ResponseIncomplete(Exception):
    """The component failed after its response started: the connection is closed."""


def _soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    """Run `callback` on `loop`'s thread (from any thread)."""
    loop.call_soon_threadsafe(callback)


def _describe(error: BaseException) -> str:
    """One line about a failure: for a trap, its cause (wasmtime's message
    leads with a backtrace)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if "Caused by:" in lines and lines.index("Caused by:") + 1 < len(lines):
        return lines[lines.index("Caused by:") + 1]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


async def _plain(send: Send, status: int, text: str) -> None:
    data = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data, "more_body": False})
