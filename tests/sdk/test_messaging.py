"""Request/callback correlation in the guest SDK (outside a component, with a
stand-in for the component's generated bindings)."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from typing import Any

import pytest
from airssys_sdk import Requests, decode, encode_json, send_message
from airssys_sdk.messaging import RequestError


@dataclass
class Ok:
    value: Any


class Err(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


@dataclass
class DeliveryFailed:
    value: str


class FakeHostServices:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.requests: list[tuple[str, bytes, int]] = []
        self.cancelled: list[str] = []
        self.refuse = False

    def send_message(self, target: str, message: bytes) -> None:
        if self.refuse:
            raise Err(DeliveryFailed("mailbox full"))
        self.sent.append((target, message))

    def send_request(self, target: str, request: bytes, timeout_ms: int) -> str:
        self.requests.append((target, request, timeout_ms))
        return f"req-{len(self.requests)}"

    def cancel_request(self, request_id: str) -> None:
        self.cancelled.append(request_id)


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> FakeHostServices:
    fake = FakeHostServices()
    imports = types.ModuleType("wit_world.imports")
    imports.host_services = fake  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "wit_world", types.ModuleType("wit_world"))
    monkeypatch.setitem(sys.modules, "wit_world.imports", imports)
    return fake


def test_send_message(host: FakeHostServices) -> None:
    send_message("beta", {"n": 1})
    assert host.sent == [("beta", encode_json({"n": 1}))]
    send_message("beta", [1], encoding="msgpack")
    assert decode(host.sent[1][1]) == [1]


def test_a_refusal_is_a_request_error(host: FakeHostServices) -> None:
    host.refuse = True
    with pytest.raises(
        RequestError, match="the host refused: DeliveryFailed: mailbox full"
    ) as refused:
        send_message("beta", {})
    assert refused.value.case == DeliveryFailed("mailbox full")


def test_requests_are_matched_with_their_callbacks(host: FakeHostServices) -> None:
    requests = Requests()
    results: list[object] = []
    errors: list[str] = []
    first = requests.send("beta", {"q": 1}, results.append, errors.append, timeout_ms=250)
    second = requests.send("beta", {"q": 2}, results.append, errors.append)
    assert host.requests[0] == ("beta", encode_json({"q": 1}), 250)
    assert requests.dispatch(second, Err("timeout-exceeded"))
    assert requests.dispatch(first, Ok(encode_json({"a": 1})))
    assert results == [{"a": 1}] and errors == ["timeout-exceeded"]
    assert not requests.dispatch(first, Ok(b""))  # answered already
    third = requests.send("beta", {}, results.append)
    requests.cancel(third)
    assert host.cancelled == [third] and not requests.dispatch(third, Ok(b""))
