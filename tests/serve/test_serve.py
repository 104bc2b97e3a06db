"""`WasiHttpApp` serving real componentize-py guests (tests/guests/http) on uvicorn.

Every request goes over 127.0.0.1 with a real HTTP client (httpx, or a raw
socket where the test must see bytes as they stream); the guests' outgoing
requests go to a local upstream server.  Slow: each guest is built once per
content (componentize-py) and compiled once (kept in pytest's cache).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version as distribution_version
from pathlib import Path

import httpx
import pytest
from support.http_serving import call, serving, upstream

from witgen.http.app import HttpConfig, WasiHttpApp

pytestmark = pytest.mark.slow


def wasmtime_version() -> tuple[int, ...]:
    return tuple(int(part) for part in distribution_version("wasmtime").split(".")[:2])


@pytest.fixture(scope="module")
def cache_dir(request: pytest.FixtureRequest) -> Path:
    return Path(request.config.cache.mkdir("witgen-http"))


def app_of(
    http_guest: Callable[[str], Path],
    cache_dir: Path,
    name: str,
    manifest: Path | None = None,
    **config: object,
) -> WasiHttpApp:
    settings = HttpConfig(cache_dir=cache_dir, **config)  # type: ignore[arg-type]
    return WasiHttpApp(http_guest(name), manifest=manifest, config=settings)


def grant(tmp_path: Path, host: str, port: int) -> Path:
    """A Component.toml granting outbound requests to `host` on `port`."""
    manifest = tmp_path / "Component.toml"
    manifest.write_text(
        '[component]\nname = "proxy"\nversion = "0.1.0"\napi-version = "1.0.0"\n\n'
        f'[[capabilities.network]]\naction = "outbound"\nhost = "{host}"\nport = {port}\n'
    )
    return manifest


# ---------------------------------------------------------------- echo


def test_echo_answers_a_get(http_guest: Callable[[str], Path], cache_dir: Path) -> None:
    with serving(app_of(http_guest, cache_dir, "echo")) as url:
        response = httpx.get(url + "/")
        assert response.status_code == 200
        assert response.text == "hello from wasm"
        assert response.headers["content-type"] == "text/plain"
        assert response.headers["content-length"] == "15"
        assert httpx.delete(url + "/").status_code == 404


def test_echo_streams_a_body_back_while_it_is_still_arriving(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    with serving(app_of(http_guest, cache_dir, "echo")) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                b"POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: text/x-test\r\n"
                b"transfer-encoding: chunked\r\n\r\n" + b"6\r\nfirst!\r\n"
            )
            seen = b""
            while b"first!" not in seen:  # the first chunk comes back before the body ends
                data = sock.recv(65536)
                assert data, f"connection closed early: {seen!r}"
                seen += data
            assert seen.startswith(b"HTTP/1.1 200 ")
            assert b"content-type: text/x-test" in seen.lower()
            sock.sendall(b"6\r\nsecond\r\n0\r\n\r\n")
            while not seen.endswith(b"0\r\n\r\n"):
                data = sock.recv(65536)
                assert data
                seen += data
            assert b"second" in seen


def test_echo_of_ten_mebibytes_is_byte_identical(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    payload = bytes(range(256)) * (10 * 4096)  # 10 MiB

    def pieces() -> object:
        for start in range(0, len(payload), 100_000):
            yield payload[start : start + 100_000]

    with serving(app_of(http_guest, cache_dir, "echo")) as url:
        response = httpx.post(url + "/", content=pieces(), timeout=60)  # type: ignore[arg-type]
        assert response.status_code == 200
        assert response.content == payload


def test_concurrent_requests_each_get_their_own_answer(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    # Stores made and freed on eight threads at once: a store must never see another's
    # host objects (an address-reuse race once answered 500 about once in 2,000).
    def client(index: int) -> list[bytes]:
        with httpx.Client(timeout=30) as session:
            return [
                session.post(url + "/", content=b"%d-%d" % (index, turn)).content
                for turn in range(40)
            ]

    with (
        serving(app_of(http_guest, cache_dir, "echo", concurrency=8)) as url,
        ThreadPoolExecutor(8) as pool,
    ):
        answers = list(pool.map(client, range(8)))
    assert answers == [[b"%d-%d" % (index, turn) for turn in range(40)] for index in range(8)]


def test_a_request_body_over_the_limit_fails_the_components_read(
    http_guest: Callable[[str], Path], cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The echo's read past 100,000 bytes fails; the guest traps, mid-response.
    app = app_of(http_guest, cache_dir, "echo", max_request_body=100_000)
    received = 0
    with (
        serving(app) as url,
        caplog.at_level(logging.WARNING, logger="witgen.http"),
    ):
        with (
            pytest.raises(httpx.TransportError),
            httpx.stream("POST", url + "/", content=b"x" * 1_000_000, timeout=30) as response,
        ):
            for chunk in response.iter_bytes():
                received += len(chunk)
        assert httpx.get(url + "/").status_code == 200  # the server is fine
    assert received <= 100_000  # never more than the component could read
    assert any("the component failed" in record.getMessage() for record in caplog.records)


# ---------------------------------------------------------------- headers


def test_headers_status_and_body(http_guest: Callable[[str], Path], cache_dir: Path) -> None:
    with serving(app_of(http_guest, cache_dir, "headers")) as url:
        response = httpx.get(url + "/p?status=202", headers={"x-one": "1", "X-Two": "zwei"})
        assert response.status_code == 202
        assert response.headers["x-wasm"] == "yes"
        assert response.headers["x-echo-x-one"] == "1"
        assert response.headers["x-echo-x-two"] == "zwei"
        # The component never sees the hop-by-hop headers or `host` (its authority() has it).
        assert "x-echo-host" not in response.headers
        assert "x-echo-connection" not in response.headers
        port = url.rsplit(":", 1)[1]
        assert response.text == (
            f"method: GET\nscheme: http\nauthority: 127.0.0.1:{port}\npath: /p?status=202\n"
        )
        assert httpx.get(url + "/?status=nope").status_code == 400


def test_trailers_reach_a_server_that_offers_them(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    app = app_of(http_guest, cache_dir, "headers")
    offered = call(app, "GET", "/", extensions={"http.response.trailers": {}})
    assert offered[0]["type"] == "http.response.start" and offered[0]["trailers"] is True
    assert offered[-1] == {
        "type": "http.response.trailers",
        "headers": [(b"x-trailer", b"done")],
        "more_trailers": False,
    }
    plain = call(app, "GET", "/")  # uvicorn offers none: they are left out
    assert plain[0]["trailers"] is False
    assert plain[-1]["type"] == "http.response.body" and not plain[-1]["more_body"]
    app.close()


def test_a_mounted_app_gives_the_component_the_path_below_its_mount(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    app = app_of(http_guest, cache_dir, "headers")
    sent = call(app, "GET", "/wasm/a%20b?status=200", root_path="/wasm")
    body = b"".join(message.get("body", b"") for message in sent)
    assert b"path: /a%20b?status=200\n" in body
    app.close()


# ---------------------------------------------------------------- outgoing requests


@pytest.mark.xfail(
    wasmtime_version() < (51,),
    reason="wasmtime-py 50 traps when a host function gets a list of two or more borrows "
    "(poll over several pollables): 'BUG: deferred host scope has no call context'; "
    "fixed in wasmtime 51",
    strict=True,
)
def test_fanout_makes_its_requests_at_once(
    http_guest: Callable[[str], Path], cache_dir: Path, tmp_path: Path
) -> None:
    routes = {f"/slow{index}": (200, b"x" * (index + 1), 0.5) for index in range(4)}
    routes["/missing-here"] = (404, b"", 0.0)
    with upstream(routes) as up:
        manifest = grant(tmp_path, "127.0.0.1", int(up.url.rsplit(":", 1)[1]))
        urls = [f"{up.url}/slow{index}" for index in range(4)] + [f"{up.url}/missing-here"]
        with serving(app_of(http_guest, cache_dir, "fanout", manifest)) as url:
            started = time.monotonic()
            response = httpx.get(url + "/", params={"urls": ",".join(urls)}, timeout=30)
            took = time.monotonic() - started
        assert response.status_code == 200
        assert response.text == "200 1\n200 2\n200 3\n200 4\n404 0\n"
        assert took < 1.5, f"four 0.5 s requests took {took:.2f} s: not concurrent"
        expected = [("GET", f"/slow{index}") for index in range(4)]
        assert sorted(up.seen) == sorted([*expected, ("GET", "/missing-here")])


def test_a_request_the_grants_refuse_is_denied_and_logged(
    http_guest: Callable[[str], Path],
    cache_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with upstream({"/secret": (200, b"secret", 0.0)}) as up:
        manifest = grant(tmp_path, "api.example.com", 443)
        with (
            serving(app_of(http_guest, cache_dir, "denied", manifest)) as url,
            caplog.at_level(logging.WARNING, logger="witgen.http"),
        ):
            response = httpx.get(url + "/", params={"url": up.url + "/secret"}, timeout=30)
        assert response.text == "error HTTP-request-denied\n"
        assert up.seen == []  # nothing was sent
        assert any("denied" in record.getMessage().lower() for record in caplog.records)


def test_without_a_manifest_every_outgoing_request_is_denied(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    with upstream({"/": (200, b"ok", 0.0)}) as up:
        with serving(app_of(http_guest, cache_dir, "denied")) as url:
            response = httpx.get(url + "/", params={"url": up.url + "/"}, timeout=30)
        assert response.text == "error HTTP-request-denied\n"
        assert up.seen == []


def test_a_private_address_needs_a_grant_that_names_it(
    http_guest: Callable[[str], Path], cache_dir: Path, tmp_path: Path
) -> None:
    # `localhost` is granted, but it resolves to a loopback address the grant does
    # not name (D4): refused before any connection.
    with upstream({"/": (200, b"ok", 0.0)}) as up:
        port = up.url.rsplit(":", 1)[1]
        manifest = grant(tmp_path, "localhost", int(port))
        with serving(app_of(http_guest, cache_dir, "denied", manifest)) as url:
            target = f"http://localhost:{port}/"
            response = httpx.get(url + "/", params={"url": target}, timeout=30)
        assert response.text == "error destination-IP-prohibited\n"
        assert up.seen == []


def test_a_refused_connection_is_connection_refused(
    http_guest: Callable[[str], Path], cache_dir: Path, tmp_path: Path
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        manifest = grant(tmp_path, "127.0.0.1", port)
        with serving(app_of(http_guest, cache_dir, "denied", manifest)) as url:
            target = f"http://127.0.0.1:{port}/"
            response = httpx.get(url + "/", params={"url": target}, timeout=30)
    assert response.text == "error connection-refused\n"


# ---------------------------------------------------------------- hostile guests


def test_a_component_that_never_responds_gets_a_500(
    http_guest: Callable[[str], Path], cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        serving(app_of(http_guest, cache_dir, "silent")) as url,
        caplog.at_level(logging.WARNING, logger="witgen.http"),
    ):
        response = httpx.get(url + "/", timeout=30)
    assert response.status_code == 500
    assert any("without setting a response" in record.getMessage() for record in caplog.records)


def test_a_component_that_spins_is_stopped_at_the_deadline(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    with serving(app_of(http_guest, cache_dir, "spin", deadline_s=1.0)) as url:
        started = time.monotonic()
        response = httpx.get(url + "/", timeout=30)
        took = time.monotonic() - started
    assert response.status_code == 500
    assert 0.9 < took < 3.0


def test_a_request_over_the_memory_limit_is_a_500(
    http_guest: Callable[[str], Path], cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # An 18 MB componentize-py guest does not fit in 8 MiB of linear memory.
    app = app_of(http_guest, cache_dir, "echo", memory_limit=8 << 20)
    with (
        serving(app) as url,
        caplog.at_level(logging.WARNING, logger="witgen.http"),
    ):
        assert httpx.get(url + "/", timeout=30).status_code == 500
    assert any("exceeds memory limits" in record.getMessage() for record in caplog.records)


def test_a_request_holding_too_many_host_objects_is_a_500(
    http_guest: Callable[[str], Path], cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The echo makes fields, a response, a body and a stream: more than 3 host objects.
    app = app_of(http_guest, cache_dir, "echo", host_objects_limit=3)
    with (
        serving(app) as url,
        caplog.at_level(logging.WARNING, logger="witgen.http"),
    ):
        assert httpx.get(url + "/", timeout=30).status_code == 500
    assert any("holds 3 host objects" in record.getMessage() for record in caplog.records)


def test_a_body_that_never_ends_is_cut_at_the_deadline(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    with serving(app_of(http_guest, cache_dir, "echo", deadline_s=1.0)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                b"POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\n"
                b"3\r\nabc\r\n"  # ... and nothing more: the component waits for the rest
            )
            started = time.monotonic()
            seen = b""
            while data := sock.recv(65536):
                seen += data
            took = time.monotonic() - started
        assert seen.startswith(b"HTTP/1.1 200 ") and b"abc" in seen  # it streamed what came
        assert not seen.endswith(b"0\r\n\r\n")  # but the response was never completed
        assert took < 5.0


def test_a_trap_mid_body_cuts_the_connection(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    with serving(app_of(http_guest, cache_dir, "trap")) as url:
        for _ in range(2):  # the server lives on: the next request is served (and cut) too
            received = b""
            with (
                pytest.raises(httpx.RemoteProtocolError),
                httpx.stream("GET", url + "/", timeout=30) as response,
            ):
                assert response.status_code == 200
                for chunk in response.iter_bytes():
                    received += chunk
            assert received == b"partial body\n"  # what was written before the trap, no more


def test_a_body_past_the_response_limit_is_cut(
    http_guest: Callable[[str], Path], cache_dir: Path
) -> None:
    app = app_of(http_guest, cache_dir, "flood", max_response_body=1 << 20)
    with serving(app) as url:
        for _ in range(2):  # each request a fresh instance, each cut at the limit
            received = 0
            with (
                pytest.raises(httpx.RemoteProtocolError),
                httpx.stream("GET", url + "/", timeout=30) as response,
            ):
                assert response.status_code == 200
                for chunk in response.iter_bytes():
                    received += len(chunk)
            assert 0 < received <= 1 << 20
