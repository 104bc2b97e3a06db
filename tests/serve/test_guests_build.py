"""Every `wasi:http/proxy` test guest of `tests/guests/http/` builds with
componentize-py (cached by content hash, `support.http_guests`), and witgen's own
component reader (`witgen.resolve.decode.decode_binary`, what `witgen print
GUEST.wasm` shows) finds the proxy world in it: it exports
`wasi:http/incoming-handler@0.2.0` and imports `wasi:http/outgoing-handler`
(componentize-py 0.25.1 imports the WASI 0.2.9 interfaces).  Slow on a cold cache
(7-20 s a guest); skipped without componentize-py or `../shared`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.http_guests import HTTP_GUESTS

from witgen.resolve.decode import decode_binary

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("http-guests")]


def _imports_and_exports(wasm: Path) -> tuple[set[str], set[str]]:
    decoded = decode_binary(wasm.read_bytes())
    assert decoded.is_component and decoded.world is not None
    world = decoded.arena.worlds[decoded.world]
    names = decoded.arena.world_key_name
    return {names(key) for key in world.imports}, {names(key) for key in world.exports}


@pytest.mark.parametrize("name", HTTP_GUESTS)
def test_guest_builds_as_a_proxy(name: str, http_guest: Callable[[str], Path]) -> None:
    wasm = http_guest(name)
    assert wasm.stat().st_size > 1_000_000  # a whole CPython inside
    imports, exports = _imports_and_exports(wasm)
    assert "wasi:http/incoming-handler@0.2.0" in exports
    assert any(item.startswith("wasi:http/outgoing-handler@0.2.") for item in imports)
    assert any(item.startswith("wasi:http/types@0.2.") for item in imports)
