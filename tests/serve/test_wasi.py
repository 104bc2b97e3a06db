"""The Python WASI of `witgen.http.wasi`, call by call, against the rules of the WASI spec.

The value classes come from bindings generated from a real component, made by
`wasm-tools component embed --dummy` + `component new` from the official WIT
0.2.0 (componentize-py's components import 0.2.9): a world that includes
`wasi:http/proxy@0.2.0` and `wasi:cli/imports@0.2.0`, so it imports what a
componentize-py component imports (sockets and filesystem too).  The same
component is then served: its functions trap (a dummy), so every request is a
500, through the 0.2.0 names.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.http_serving import serving

from witgen.http.app import HttpConfig, WasiHttpApp
from witgen.http.bindings import ServedBindings, load_bindings
from witgen.http.client import OutgoingHead, Timeouts
from witgen.http.wasi import missing_imports
from witgen.http.wasi.http import (
    FIELDS_LIMIT,
    Fields,
    HttpTrap,
    HttpTypesHost,
    OutgoingHandlerHost,
    Values,
    incoming_body,
)
from witgen.http.wasi.io import InputStream, OutputStream, PollHost, StreamTrap, errors
from witgen.http.wasi.scope import Condition, DeadlineExceeded, Pipe, RequestScope, entered
from witgen.http.wasi.system import MonotonicClockHost, RandomHost, SocketsHost
from witgen.runtime.wit import Err, Ok


@pytest.fixture(scope="module")
def bindings(dummy: Path, tmp_path_factory: pytest.TempPathFactory) -> ServedBindings:
    return load_bindings(dummy, "d" * 64, tmp_path_factory.mktemp("cache"))


@pytest.fixture
def scope() -> Iterator[RequestScope]:
    request = RequestScope(time.monotonic() + 10)
    with entered(request):
        yield request
    request.close()


def case(value: object) -> str:
    return type(value).__name__


# ---------------------------------------------------------------- bindings


def test_every_import_a_proxy_may_have_has_a_host(bindings: ServedBindings) -> None:
    assert missing_imports(bindings) == []
    assert bindings.versions["wasi:http/types"] == "wasi:http/types@0.2.0"
    assert "wasi:sockets/tcp" in bindings.imports
    assert "wasi:filesystem/preopens" in bindings.imports


# ---------------------------------------------------------------- streams


def test_a_write_past_check_write_traps(bindings: ServedBindings, scope: RequestScope) -> None:
    stream = OutputStream(Pipe(scope, capacity=10), errors(bindings))
    assert stream.check_write() == 10
    stream.write(b"x" * 10)
    assert stream.check_write() == 0
    with pytest.raises(StreamTrap, match="check-write"):
        stream.write(b"y")


def test_blocking_write_and_flush_takes_at_most_4096_bytes(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    pipe = Pipe(scope, capacity=1 << 20)
    stream = OutputStream(pipe, errors(bindings))
    with pytest.raises(StreamTrap, match="4096"):
        stream.blocking_write_and_flush(b"x" * 4097)
    with pytest.raises(StreamTrap, match="4096"):
        stream.blocking_write_zeroes_and_flush(4097)

    def drain() -> None:
        time.sleep(0.05)
        pipe.take(1 << 20)

    threading.Thread(target=drain).start()
    stream.blocking_write_and_flush(b"x" * 4096)  # returns once the reader took it all
    assert pipe.size == 0


def test_blocking_write_waits_for_room(bindings: ServedBindings, scope: RequestScope) -> None:
    pipe = Pipe(scope, capacity=100)
    stream = OutputStream(pipe, errors(bindings))
    taken: list[bytes] = []

    def reader() -> None:
        while sum(map(len, taken)) < 1000:
            scope.wait_any([Condition(lambda: pipe.size > 0)])
            taken.append(pipe.take(30))

    thread = threading.Thread(target=reader)
    thread.start()
    stream.blocking_write_and_flush(bytes(range(256)) * 3 + b"z" * 232)
    thread.join(5)
    assert b"".join(taken) == bytes(range(256)) * 3 + b"z" * 232


def test_a_read_error_is_reported_once_then_closed(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    pipe = Pipe(scope, capacity=100)
    stream = InputStream(pipe, errors(bindings))
    pipe.put(b"abc")
    assert stream.read(2) == b"ab"
    assert stream.read(0) == b""
    pipe.fail("the client went away")
    assert stream.read(10) == b"c"  # what was buffered comes first
    with pytest.raises(Err) as failed:
        stream.read(10)
    assert case(failed.value.value) == "StreamError_LastOperationFailed"
    assert failed.value.value.value.to_debug_string() == "the client went away"
    with pytest.raises(Err) as closed:
        stream.blocking_read(10)
    assert case(closed.value.value) == "StreamError_Closed"


def test_a_read_with_nothing_buffered_returns_nothing(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    pipe = Pipe(scope, capacity=100)
    stream = InputStream(pipe, errors(bindings))
    assert stream.read(10) == b""
    assert not stream.subscribe().ready()
    pipe.end()
    assert stream.subscribe().ready()
    with pytest.raises(Err) as closed:
        stream.read(10)
    assert case(closed.value.value) == "StreamError_Closed"


def test_a_write_to_a_stream_whose_reader_left_is_closed(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    pipe = Pipe(scope, capacity=100)
    stream = OutputStream(pipe, errors(bindings))
    pipe.leave()
    with pytest.raises(Err) as closed:
        stream.check_write()
    assert case(closed.value.value) == "StreamError_Closed"


def test_a_body_past_its_limit_fails_the_writer(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    pipe = Pipe(scope, capacity=100, limit=150)
    stream = OutputStream(pipe, errors(bindings))
    stream.write(b"x" * 100)
    pipe.take(100)
    stream.write(b"x" * 51)
    with pytest.raises(Err) as failed:
        stream.check_write()
    assert case(failed.value.value) == "StreamError_LastOperationFailed"
    assert "150" in failed.value.value.value.to_debug_string()


# ---------------------------------------------------------------- poll and clocks


def test_poll_waits_for_the_first_ready_timer(scope: RequestScope) -> None:
    clock = MonotonicClockHost()
    slow, fast = clock.subscribe_duration(2_000_000_000), clock.subscribe_duration(50_000_000)
    started = time.monotonic()
    assert PollHost().poll([slow, fast]) == [1]
    assert 0.04 < time.monotonic() - started < 1.5
    assert not slow.ready() and fast.ready()
    with pytest.raises(StreamTrap, match="empty"):
        PollHost().poll([])


def test_a_wait_past_the_deadline_ends_the_call() -> None:
    scope = RequestScope(time.monotonic() + 0.1)
    with entered(scope):
        pollable = MonotonicClockHost().subscribe_duration(10_000_000_000)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            pollable.block()
        assert time.monotonic() - started < 1.0


def test_random_bytes_are_bounded() -> None:
    random = RandomHost()
    assert len(random.get_random_bytes(32)) == 32
    assert random.get_random_bytes(32) != random.get_random_bytes(32)
    with pytest.raises(StreamTrap):
        random.get_random_bytes(1 << 40)


def test_sockets_are_denied(bindings: ServedBindings) -> None:
    sockets = SocketsHost(bindings)
    network = sockets.instance_network()
    for call in (
        lambda: sockets.create_tcp_socket(None),
        lambda: sockets.create_udp_socket(None),
        lambda: sockets.resolve_addresses(network, "example.com"),
    ):
        with pytest.raises(Err) as denied:
            call()
        assert denied.value.value.name == "ACCESS_DENIED"


# ---------------------------------------------------------------- fields


# wasmtime-wasi-http's `DEFAULT_FORBIDDEN_HEADERS` (crates/wasi-http), the reference.
WASMTIME_FORBIDDEN = (
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
    "http2-settings",
)


def fields(bindings: ServedBindings, entries: list[tuple[str, bytes]] | None = None) -> Fields:
    return HttpTypesHost(bindings).fields_from_list(entries or [])


def test_field_names_are_case_insensitive(bindings: ServedBindings) -> None:
    headers = fields(bindings, [("Content-Type", b"text/plain"), ("X-A", b"1")])
    assert headers.get("content-type") == [b"text/plain"]
    assert headers.has("x-a")
    headers.append("x-a", b"2")
    assert headers.get("X-A") == [b"1", b"2"]
    headers.set("x-a", [b"3"])
    assert headers.entries() == [("content-type", b"text/plain"), ("x-a", b"3")]
    headers.delete("X-A")
    assert not headers.has("x-a")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("bad name", b"v", "HeaderError_InvalidSyntax"),
        ("", b"v", "HeaderError_InvalidSyntax"),
        ("x-ok", b"line\r\nx-injected: 1", "HeaderError_InvalidSyntax"),
        ("x-ok", b"nul\x00", "HeaderError_InvalidSyntax"),
        *[(name, b"v", "HeaderError_Forbidden") for name in sorted(WASMTIME_FORBIDDEN)],
        ("Connection", b"close", "HeaderError_Forbidden"),
    ],
)
def test_bad_and_forbidden_fields_are_refused(
    bindings: ServedBindings, name: str, value: bytes, expected: str
) -> None:
    host = HttpTypesHost(bindings)
    with pytest.raises(Err) as refused:
        host.fields_from_list([(name, value)])
    assert case(refused.value.value) == expected
    with pytest.raises(Err) as appended:
        host.fields_new().append(name, value)
    assert case(appended.value.value) == expected


def test_a_fields_holds_at_most_a_mebibyte(bindings: ServedBindings) -> None:
    host = HttpTypesHost(bindings)
    headers = host.fields_new()
    value = b"v" * 1000
    for _ in range(1040):  # 1040 * (3 + 1000) bytes: under FIELDS_LIMIT
        headers.append("x-a", value)
    with pytest.raises(Err) as refused:
        for _ in range(10):
            headers.append("x-a", value)
    assert case(refused.value.value) == "HeaderError_Forbidden"
    assert headers.size <= FIELDS_LIMIT
    headers.delete("x-a")  # room again
    headers.set("x-a", [value] * 1000)
    with pytest.raises(Err):
        headers.set("x-a", [value] * 1100)
    assert len(headers.get("x-a")) == 1000  # unchanged by the refused set
    with pytest.raises(Err):
        host.fields_from_list([("x-a", value)] * 1100)


def test_other_hop_by_hop_looking_headers_are_the_components(bindings: ServedBindings) -> None:
    # wasmtime forbids exactly its nine; `te`, `trailer` and `expect` pass (as there).
    headers = fields(bindings, [("te", b"trailers"), ("trailer", b"x-a"), ("expect", b"x")])
    assert [name for name, _ in headers.entries()] == ["te", "trailer", "expect"]


def test_tab_and_latin1_values_are_allowed(bindings: ServedBindings) -> None:
    headers = fields(bindings, [("x-a", b"a\tb \xe9")])
    assert headers.get("x-a") == [b"a\tb \xe9"]


def test_the_headers_of_a_response_are_immutable(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    host = HttpTypesHost(bindings)
    response = host.outgoing_response_new(fields(bindings, [("x-a", b"1")]))
    with pytest.raises(Err) as refused:
        response.headers().set("x-a", [b"2"])
    assert case(refused.value.value) == "HeaderError_Immutable"
    copy = response.headers().clone()
    copy.set("x-a", [b"2"])  # a clone is the component's own
    assert response.headers().get("x-a") == [b"1"]


def test_status_codes_outside_100_to_599_are_refused(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    response = HttpTypesHost(bindings).outgoing_response_new(fields(bindings))
    assert response.status_code() == 200
    for bad in (0, 99, 600, 65535):
        with pytest.raises(Err):
            response.set_status_code(bad)
    response.set_status_code(418)
    assert response.status_code() == 418


# ---------------------------------------------------------------- bodies


def test_a_body_is_taken_once_and_finished_after_its_stream(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    host = HttpTypesHost(bindings)
    response = host.outgoing_response_new(fields(bindings, [("content-length", b"3")]))
    body = response.body()
    with pytest.raises(Err):
        response.body()
    stream = body.write()
    with pytest.raises(Err):
        body.write()
    stream.write(b"abc")
    with pytest.raises(HttpTrap, match="still alive"):
        host.outgoing_body_finish(body, None)
    stream.dropped = True  # what `wasi:io/streams`' drop of the stream does
    host.outgoing_body_finish(body, fields(bindings, [("x-trailer", b"done")]))
    assert body.pipe.ended
    assert body.trailers == [("x-trailer", b"done")]


def test_a_body_that_disagrees_with_content_length_fails_at_finish(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    host = HttpTypesHost(bindings)
    response = host.outgoing_response_new(fields(bindings, [("content-length", b"5")]))
    body = response.body()
    stream = body.write()
    stream.write(b"abc")
    stream.dropped = True
    with pytest.raises(Err) as failed:
        host.outgoing_body_finish(body, None)
    assert case(failed.value.value) == "ErrorCode_HttpResponseBodySize"
    assert failed.value.value.value == 3
    assert body.pipe.failure is not None  # the server cuts the response


def test_a_body_dropped_unfinished_fails_its_reader(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    host = HttpTypesHost(bindings)
    body = host.outgoing_response_new(fields(bindings)).body()
    host.outgoing_body_drop(body)
    assert body.pipe.failure == "the response body was dropped before it was finished"


def test_incoming_trailers_are_ready_once_the_body_ended(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    values = Values(bindings)
    pipe = Pipe(scope, capacity=100)
    body = incoming_body(values, pipe)
    stream = body.stream()
    with pytest.raises(Err):
        body.stream()
    stream.dropped = True
    future = body.finish()
    assert future.get() is None
    pipe.end()
    assert future.subscribe().ready()
    assert future.get() == Ok(Ok(None))
    assert future.get() == Err(None)  # taken


# ---------------------------------------------------------------- outgoing requests


def test_an_outgoing_request_carries_what_the_component_set(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    values = Values(bindings)
    host = HttpTypesHost(bindings)
    sent: list[tuple[OutgoingHead, bytes, Timeouts]] = []

    def send(head: OutgoingHead, body: Any, timeouts: Timeouts, deadline: float | None) -> Any:
        sent.append((head, b"".join(body or []), timeouts))
        raise RuntimeError("no network in this test")

    request = host.outgoing_request_new(fields(bindings, [("x-a", b"1")]))
    request.set_method(values.method("PUT"))
    request.set_scheme(values.scheme("http"))
    request.set_authority("127.0.0.1:9")
    request.set_path_with_query("/p?q=1")
    body = request.body()
    stream = body.write()
    stream.write(b"payload")
    stream.dropped = True
    host.outgoing_body_finish(body, None)
    options = host.request_options_new()
    options.set_connect_timeout(2_000_000_000)
    with ThreadPoolExecutor(1) as executor:
        handler = OutgoingHandlerHost(bindings, send, executor)
        future = handler.handle(request, options)
        future.subscribe().block()
    head, data, timeouts = sent[0]
    assert head == OutgoingHead("PUT", "http", "127.0.0.1:9", "/p?q=1", [("x-a", b"1")])
    assert data == b"payload"
    assert timeouts.connect_s == 2.0
    result = future.get()
    assert isinstance(result, Ok) and isinstance(result.value, Err)
    assert case(result.value.value) == "ErrorCode_InternalError"


def test_an_outgoing_request_without_authority_is_refused(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    host = HttpTypesHost(bindings)
    request = host.outgoing_request_new(fields(bindings))
    with ThreadPoolExecutor(1) as executor:
        handler = OutgoingHandlerHost(bindings, lambda *args: None, executor)
        with pytest.raises(Err) as refused:
            handler.handle(request, None)
    assert case(refused.value.value) == "ErrorCode_HttpRequestUriInvalid"


def test_request_fields_the_component_may_not_set(
    bindings: ServedBindings, scope: RequestScope
) -> None:
    values = Values(bindings)
    request = HttpTypesHost(bindings).outgoing_request_new(fields(bindings))
    with pytest.raises(Err):
        request.set_method(values.method("BAD METHOD"))
    with pytest.raises(Err):
        request.set_path_with_query("no-slash")
    with pytest.raises(Err):
        request.set_authority("a b")
    with pytest.raises(Err):
        request.headers().append("x-a", b"1")  # immutable once the request has them


# ---------------------------------------------------------------- serving the dummy


def test_a_component_that_traps_gets_a_500_through_the_0_2_0_names(
    dummy: Path, tmp_path: Path
) -> None:
    app = WasiHttpApp(dummy, config=HttpConfig(cache_dir=tmp_path))
    with serving(app) as url:
        response = httpx.get(url + "/", timeout=30)
    assert response.status_code == 500
