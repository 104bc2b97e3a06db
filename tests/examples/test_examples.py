"""The example components (examples/), built with componentize-py and run on the host.

Each example is built once per content (see conftest.py) and loaded under its own
Component.toml, and each test checks what its README documents: its behaviour,
and one call its manifest denies, with the exact error the component sees (the
denial messages come from `witgen.permissions`, so the tests ask the same
validator for them).  Peers that receive messages are the probe guest
(tests/guests/probe), which records everything delivered to it.
"""

from __future__ import annotations

import base64
import http.server
import json
import logging
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from airssys_sdk import decode, encode_json, encode_msgpack
from support.guests import componentize_py_available

from witgen.host.airssys import AirssysHost
from witgen.permissions import PermissionDenied, PermissionValidator, load_manifest
from witgen.permissions.errors import quote
from witgen.runtime.wit import Err

from .paths import EXAMPLES

if not componentize_py_available():
    pytest.skip("componentize-py is not installed", allow_module_level=True)

pytestmark = [pytest.mark.xdist_group("examples"), pytest.mark.slow]

Build = Callable[[str], Path]


def start(
    host: AirssysHost,
    build_example: Build,
    name: str,
    manifest: str | Path = "Component.toml",
    *,
    config_data: bytes | None = None,
    **options: Any,
) -> str:
    """Load `examples/<name>` under one of its manifests and initialise it; its id."""
    runtime = host.load(build_example(name), EXAMPLES / name / manifest, **options)
    host.init(runtime.name, config_data=config_data)
    return runtime.name


def call(host: AirssysHost, component: str, operation: Any) -> Any:
    """`execute` with a JSON payload; the decoded answer."""
    return decode(host.execute(component, encode_json(operation)))


def peer(host: AirssysHost, probe: Path, folder: Path, name: str, send: tuple[str, ...]) -> None:
    """The probe, loaded as `name`, allowed to message `send`."""
    manifest = folder / f"{name}.toml"
    targets = ", ".join(json.dumps(target) for target in send)
    manifest.write_text(
        f'[component]\nname = "{name}"\nversion = "0.1.0"\n'
        f"[capabilities.messaging]\nsend = [{targets}]\n"
    )
    host.load(probe, manifest)
    host.init(name)


def probe_run(host: AirssysHost, name: str, command: dict[str, Any]) -> Any:
    return json.loads(host.execute(name, json.dumps(command).encode()))


def received(host: AirssysHost, name: str) -> list[tuple[str, bytes]]:
    """The messages the probe `name` was delivered: (sender, bytes), once the
    host has delivered everything sent so far."""
    assert host.wait_idle(30)
    messages = probe_run(host, name, {"op": "messages"})["messages"]
    return [(m["sender"], base64.b64decode(m["data-b64"])) for m in messages]


def denial(example: str, check: Callable[[PermissionValidator], object]) -> str:
    """The message `witgen.permissions` gives when `check` is denied under the
    example's Component.toml."""
    return denial_under(EXAMPLES / example / "Component.toml", check)


def denial_under(manifest: Path, check: Callable[[PermissionValidator], object]) -> str:
    validator = PermissionValidator(load_manifest(manifest))
    with pytest.raises(PermissionDenied) as denied:
        check(validator)
    return str(denied.value)


def refusals(caplog: pytest.LogCaptureFixture, component: str) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == f"witgen.component.{component}" and "refused" in record.getMessage()
    ]


# ---------------------------------------------------------------- hello_world


def test_hello_world_greets(
    host: AirssysHost, build_example: Build, caplog: pytest.LogCaptureFixture
) -> None:
    start(host, build_example, "hello_world")
    with caplog.at_level(logging.INFO, logger="witgen.component.hello-world"):
        assert host.execute("hello-world", b"Ada") == b"Hello, Ada!"
    (record,) = [r for r in caplog.records if r.getMessage() == "greeted"]
    assert record.context == {"name": "Ada"}  # type: ignore[attr-defined]
    with pytest.raises(Err) as refused:
        host.execute("hello-world", b"  ")
    assert type(refused.value.value).__name__ == "ExecutionError_InvalidInput"
    assert host.health("hello-world").healthy


def test_hello_world_greets_back_the_visitor_only(
    host: AirssysHost,
    build_example: Build,
    probe: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    start(host, build_example, "hello_world")
    peer(host, probe, tmp_path, "visitor", ("hello-world",))
    peer(host, probe, tmp_path, "stranger", ("hello-world",))
    probe_run(host, "visitor", {"op": "send-message", "target": "hello-world", "data": "Ada"})
    assert received(host, "visitor") == [("hello-world", b"Hello, Ada!")]
    with caplog.at_level(logging.WARNING, logger="witgen.component.hello-world"):
        probe_run(host, "stranger", {"op": "send-message", "target": "hello-world", "data": "Bob"})
    assert received(host, "stranger") == []
    expected = denial("hello_world", lambda v: v.check_messaging("stranger"))
    assert refusals(caplog, "hello-world") == [f"message refused: delivery-failed: {expected}"]


# ---------------------------------------------------------------- echo_service


def test_echo_service_answers_with_the_payload(host: AirssysHost, build_example: Build) -> None:
    start(host, build_example, "echo_service")
    for payload in (encode_json({"hello": ["wor", "ld"]}), encode_msgpack([1, b"\xff", None])):
        assert host.execute("echo-service", payload) == payload
    with pytest.raises(Err) as refused:
        host.execute("echo-service", b"\x01\x02 no prefix")
    assert refused.value.value.value == (
        "unknown payload prefix 0x01 0x02 (known: 0x02 0x00 JSON, 0x02 0x01 MessagePack)"
    )


def test_echo_service_answers_requests_and_echoes_messages_to_its_client_only(
    host: AirssysHost,
    build_example: Build,
    probe: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    start(host, build_example, "echo_service")
    peer(host, probe, tmp_path, "echo-client", ("echo-service",))
    peer(host, probe, tmp_path, "stranger", ("echo-service",))
    payload = encode_msgpack({"n": 1})
    data = {"data-b64": base64.b64encode(payload).decode()}
    sent = probe_run(host, "echo-client", {"op": "send-request", "target": "echo-service", **data})
    assert host.wait_idle(30)
    (callback,) = probe_run(host, "echo-client", {"op": "messages"})["callbacks"]
    assert callback["request-id"] == sent["request-id"] and callback["ok"] is True
    assert decode(base64.b64decode(callback["data-b64"])) == {"n": 1}
    probe_run(host, "echo-client", {"op": "send-message", "target": "echo-service", **data})
    assert received(host, "echo-client") == [("echo-service", payload)]
    with caplog.at_level(logging.WARNING, logger="witgen.component.echo-service"):
        probe_run(host, "stranger", {"op": "send-message", "target": "echo-service", **data})
        assert host.wait_idle(30)
    assert received(host, "stranger") == []
    expected = denial("echo_service", lambda v: v.check_messaging("stranger"))
    assert refusals(caplog, "echo-service") == [f"message refused: delivery-failed: {expected}"]


# ---------------------------------------------------------------- counter_service


def test_counter_service_keeps_its_count_across_calls(
    host: AirssysHost, build_example: Build
) -> None:
    start(host, build_example, "counter_service", config_data=encode_json({"start": 10}))
    for expected in (11, 12, 17):
        by = 1 if expected < 17 else 5
        assert call(host, "counter-service", {"op": "increment", "by": by}) == {
            "count": expected,
            "refused": {},
        }
    assert call(host, "counter-service", {"op": "get"}) == {"count": 17, "watchers": []}
    assert call(host, "counter-service", {"op": "reset"})["count"] == 0
    with pytest.raises(Err) as refused:
        call(host, "counter-service", {"op": "increment", "by": "two"})
    assert refused.value.value.value == "`by` is an integer, not 'two'"


def test_counter_service_tells_the_dashboard_only(
    host: AirssysHost, build_example: Build, probe: Path, tmp_path: Path
) -> None:
    start(host, build_example, "counter_service")
    peer(host, probe, tmp_path, "dashboard", ())
    call(host, "counter-service", {"op": "watch", "component": "dashboard"})
    call(host, "counter-service", {"op": "watch", "component": "stranger"})
    answer = call(host, "counter-service", {"op": "increment"})
    expected = denial("counter_service", lambda v: v.check_messaging("stranger"))
    assert answer == {
        "count": 1,
        "refused": {"stranger": {"case": "delivery-failed", "value": expected}},
    }
    assert [(s, decode(m)) for s, m in received(host, "dashboard")] == [
        ("counter-service", {"count": 1})
    ]


# ---------------------------------------------------------------- message_processor


def test_message_processor_forwards_events_to_the_sink(
    host: AirssysHost, build_example: Build
) -> None:
    start(host, build_example, "message_processor")
    start(
        host,
        build_example,
        "message_processor",
        "Sink.toml",
        config_data=encode_json({"forward-to": None}),
    )
    host.send_message("shop", "message-processor", encode_json({"type": "order.created", "id": 7}))
    host.send_message("shop", "message-processor", encode_msgpack({"type": "order.paid", "id": 7}))
    host.send_message("shop", "message-processor", encode_json(["not", "an", "event"]))
    assert host.wait_idle(30)
    processor = call(host, "message-processor", {"op": "stats"})
    assert {key: processor[key] for key in ("received", "forwarded", "rejected")} == {
        "received": 3,
        "forwarded": 2,
        "rejected": 1,
    }
    assert processor["last-error"] is None
    sink = call(host, "event-sink", {"op": "stats"})
    assert sink["kept"] == [
        {"type": "order.created", "id": 7, "seq": 1, "trail": ["shop", "message-processor"]},
        {"type": "order.paid", "id": 7, "seq": 2, "trail": ["shop", "message-processor"]},
    ]
    assert sink["forwarded"] == 0


def test_message_processor_may_not_forward_elsewhere(
    host: AirssysHost, build_example: Build, caplog: pytest.LogCaptureFixture
) -> None:
    start(
        host,
        build_example,
        "message_processor",
        config_data=encode_json({"forward-to": "billing"}),
    )
    with caplog.at_level(logging.WARNING, logger="witgen.component.message-processor"):
        host.send_message("shop", "message-processor", encode_json({"type": "order.created"}))
        assert host.wait_idle(30)
    expected = denial("message_processor", lambda v: v.check_messaging("billing"))
    stats = call(host, "message-processor", {"op": "stats"})
    assert stats["last-error"] == {"case": "delivery-failed", "value": expected}
    assert stats["forwarded"] == 0
    assert refusals(caplog, "message-processor") == [
        f"message refused: delivery-failed: {expected}"
    ]


# ---------------------------------------------------------------- request_response


def test_request_response_between_two_components(host: AirssysHost, build_example: Build) -> None:
    start(host, build_example, "request_response")
    start(host, build_example, "request_response", "Calculator.toml")
    assert call(host, "calculator", {"op": "add", "numbers": [1, 2, 3]}) == {"sum": 6}
    first = call(host, "client", {"op": "ask", "peer": "calculator", "numbers": [1, 2, 3]})
    second = call(host, "client", {"op": "ask", "peer": "calculator", "numbers": [0.5, "x"]})
    assert host.wait_idle(30)  # the host delivers the requests, then the answers
    assert call(host, "client", {"op": "answers"}) == {
        "answers": [
            {"request-id": first["request-id"], "sum": 6},
            {
                "request-id": second["request-id"],
                "error": "invalid-input: `numbers` is a list of numbers",
            },
        ],
        "pending": [],
    }


def test_request_response_may_ask_the_calculator_only(
    host: AirssysHost, build_example: Build
) -> None:
    start(host, build_example, "request_response")
    asked = call(host, "client", {"op": "ask", "peer": "billing", "numbers": [1]})
    expected = denial("request_response", lambda v: v.check_messaging("billing"))
    assert asked == {"error": {"case": "delivery-failed", "value": expected}}
    assert call(host, "client", {"op": "answers"}) == {"answers": [], "pending": []}


# ---------------------------------------------------------------- http_client


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "agent": self.headers.get("X-Agent")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def server() -> Iterator[int]:
    """A local HTTP server on a free port of 127.0.0.1; its port."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def http_manifest(folder: Path, port: int) -> Path:
    """The example's Component.toml with the server's port instead of 8080."""
    text = (EXAMPLES / "http_client" / "Component.toml").read_text()
    assert text.count("port = 8080\n") == 1
    manifest = folder / "Component.toml"
    manifest.write_text(text.replace("port = 8080\n", f"port = {port}\n"))
    return manifest


def test_http_client_fetches_from_the_granted_server(
    host: AirssysHost, build_example: Build, server: int, tmp_path: Path
) -> None:
    start(host, build_example, "http_client", http_manifest(tmp_path, server))
    answer = call(
        host,
        "http-client",
        {"url": f"http://127.0.0.1:{server}/status?x=1", "headers": {"X-Agent": "example"}},
    )
    assert answer["status"] == 200
    assert ["Content-Type", "application/json"] in answer["headers"]
    assert json.loads(answer["body"]) == {"path": "/status?x=1", "agent": "example"}


def test_http_client_may_not_reach_another_port_or_host(
    host: AirssysHost, build_example: Build, server: int, tmp_path: Path
) -> None:
    manifest = http_manifest(tmp_path, server)
    start(host, build_example, "http_client", manifest)
    other = server + 1 if server < 65535 else server - 1
    for url in (f"http://127.0.0.1:{other}/", f"http://localhost:{server}/"):
        expected = denial_under(manifest, partial(PermissionValidator.check_url, url=url))
        assert call(host, "http-client", {"url": url}) == {
            "error": {"case": "permission-denied", "value": expected}
        }


# ---------------------------------------------------------------- file_processor


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A filesystem root with two text files and a note in /input."""
    root = tmp_path / "root"
    (root / "input").mkdir(parents=True)
    (root / "input" / "a.txt").write_text("one two\nthree\n")
    (root / "input" / "b.txt").write_text("héllo")
    (root / "input" / "notes.md").write_text("# private")
    return root


def test_file_processor_summarises_the_input(
    host: AirssysHost, build_example: Build, files: Path
) -> None:
    start(host, build_example, "file_processor", fs_root=files)
    answer = call(host, "file-processor", {"op": "summarise-all"})
    a = {"path": "/input/a.txt", "output": "/output/a.json", "lines": 2, "words": 3, "chars": 14}
    b = {"path": "/input/b.txt", "output": "/output/b.json", "lines": 1, "words": 1, "chars": 5}
    assert answer == {"summaries": [a, b]}
    assert json.loads((files / "output" / "a.json").read_text()) == a
    assert json.loads((files / "output" / "b.json").read_text()) == b


def test_file_processor_may_not_read_outside_its_glob(
    host: AirssysHost, build_example: Build, files: Path
) -> None:
    start(host, build_example, "file_processor", fs_root=files)
    for path in ("/input/notes.md", "/input/../input/notes.md", "/etc/passwd"):
        check = partial(PermissionValidator.check_filesystem, path=path, action="read")
        expected = denial("file_processor", check)
        assert call(host, "file-processor", {"op": "summarise", "path": path}) == {
            "error": {"op": "read-file", "case": "permission-denied", "value": expected}
        }
    assert not (files / "output").exists()


# ---------------------------------------------------------------- kv_store


def test_kv_store_keeps_values(host: AirssysHost, build_example: Build) -> None:
    start(host, build_example, "kv_store")
    assert call(host, "kv-store", {"op": "set", "key": "b", "value": {"n": [1, 2]}}) == {}
    assert call(host, "kv-store", {"op": "set", "key": "a", "value": "text"}) == {}
    assert call(host, "kv-store", {"op": "get", "key": "b"}) == {
        "found": True,
        "value": {"n": [1, 2]},
    }
    assert call(host, "kv-store", {"op": "keys"}) == {"keys": ["a", "b"]}
    assert call(host, "kv-store", {"op": "delete", "key": "b"}) == {}
    assert call(host, "kv-store", {"op": "get", "key": "b"}) == {"found": False, "value": None}


def test_kv_store_may_not_use_another_namespace_or_pass_its_quota(
    host: AirssysHost, build_example: Build
) -> None:
    start(host, build_example, "kv_store")
    other = {"op": "set", "namespace": "secrets:keys", "key": "k", "value": 1}
    expected = denial("kv_store", lambda v: v.check_storage("secrets:keys", "write"))
    assert call(host, "kv-store", other) == {
        "error": {"case": "permission-denied", "value": expected}
    }
    assert call(host, "kv-store", {"op": "set", "key": "small", "value": "v"}) == {}
    used = len("small") + len(encode_json("v"))
    growth = len("big") + len(encode_json("x" * 1000))
    message = (
        f"set {quote('kv:data')} {quote('big')}: storing {growth} more bytes would make "
        f"{used + growth} bytes; the component uses {used} of its 1000-byte max-size"
    )
    assert call(host, "kv-store", {"op": "set", "key": "big", "value": "x" * 1000}) == {
        "error": {"case": "quota-exceeded", "value": message}
    }
    assert call(host, "kv-store", {"op": "keys"}) == {"keys": ["small"]}
