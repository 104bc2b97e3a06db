"""The examples of docs/serve.md run: its guest is built, and served as the page says.

tests/docs runs every example a page can run by itself; the ones of docs/serve.md
that need a `wasi:http` component are marked `<!-- not-tested: ... -->` there with a
reason naming this file, because building one needs componentize-py and the WASI
http WIT (only in ../shared).  This file reads those blocks out of the page
(`docs.examples.collect`, never a copy) and runs them:

* the guest (the Python block defining `IncomingHandler`) is built with
  componentize-py for `wasi:http/proxy@0.2.0` (cached by content hash, as every
  test guest is), and the page's build command is the one the builder runs;
* `witgen serve app.wasm` runs as the page shows it (plus `--port`, on 127.0.0.1),
  and the page's `curl` commands get the output the page shows;
* the page's Python blocks run in order in one namespace in a folder holding
  `app.wasm` (the `TestClient` block checks itself); then `app` and the Starlette
  `site` are served on uvicorn and asked over 127.0.0.1;
* the page's `Component.toml` denies what the page says it denies, with the log
  line the page shows (the `denied` test guest makes the request).

Slow: builds a guest (about 10 s cold) and compiles it.  Skips without
componentize-py or the WIT.  The compiled component is kept in pytest's cache
(`XDG_CACHE_HOME` points there while the page's code runs).
"""

from __future__ import annotations

import logging
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from docs.examples import ROOT, Block, collect
from support.guests import build_guest, componentize_py_available
from support.http_guests import HTTP_WIT, HTTP_WORLD, http_wit_available
from support.http_serving import serving, upstream

from witgen.http.app import HttpConfig, WasiHttpApp

pytestmark = pytest.mark.slow

PAGE = ROOT / "docs" / "serve.md"
HERE = "tests/serve/test_docs_serve.py"


def marked_blocks() -> list[Block]:
    """The page's blocks that this file runs (their reason names it)."""
    return [block for block in collect(PAGE) if block.not_tested and HERE in block.not_tested]


def guest_block() -> Block:
    (block,) = [
        block
        for block in marked_blocks()
        if block.language == "python" and "class IncomingHandler" in block.code
    ]
    return block


def console_commands(block: Block) -> list[tuple[str, str]]:
    """A console block as (command, the output shown after it) pairs."""
    pairs: list[tuple[str, str]] = []
    for line in block.code.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], ""))
        elif pairs:
            pairs[-1] = (pairs[-1][0], pairs[-1][1] + line + "\n")
    return pairs


@pytest.fixture(scope="module")
def cache_home(request: pytest.FixtureRequest) -> Path:
    """What `XDG_CACHE_HOME` is while the page's code runs (the compile cache)."""
    return Path(request.config.cache.mkdir("witgen-docs-serve"))


@pytest.fixture(scope="module")
def page_wasm(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page's guest, built (or found in the cache)."""
    if not componentize_py_available():
        pytest.skip("componentize-py is not installed")
    if not http_wit_available():
        pytest.skip(f"no WASI http WIT at {HTTP_WIT}")
    app_dir = tmp_path_factory.mktemp("serve-page-guest")
    (app_dir / "app.py").write_text(guest_block().code, encoding="utf-8")
    return build_guest(
        app_dir, HTTP_WORLD, HTTP_WIT, Path(request.config.cache.mkdir("witgen-guests"))
    )


@pytest.fixture
def workspace(
    page_wasm: Path, cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A folder holding the page's `app.wasm`, the current folder while a test runs."""
    shutil.copyfile(page_wasm, tmp_path / "app.wasm")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    return tmp_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_curl(command: str, port: int) -> str:
    """What the page's `curl` command prints, asked with httpx (curl may be absent):
    `curl URL` and `curl --data-binary DATA URL`, the page's port replaced."""
    words = shlex.split(command.replace("127.0.0.1:8000", f"127.0.0.1:{port}"))
    assert words[0] == "curl", command
    data: bytes | None = None
    url = None
    rest = iter(words[1:])
    for word in rest:
        if word == "--data-binary":
            data = next(rest).encode()
        else:
            assert not word.startswith("-"), f"{command}: an option this test cannot run"
            url = word
    assert url is not None and url.startswith(f"http://127.0.0.1:{port}/"), command
    if data is None:
        response = httpx.get(url, timeout=30)
    else:
        response = httpx.post(url, content=data, timeout=30)
    return response.text


@pytest.fixture
def witgen_serve(workspace: Path) -> Iterator[tuple[int, Path]]:
    """The page's `witgen serve` line, run on a free port; its port and its log."""
    (serve_block,) = [block for block in marked_blocks() if "$ witgen serve" in block.code]
    command = next(c for c, _ in console_commands(serve_block) if c.startswith("witgen serve"))
    words = shlex.split(command)
    words[0] = str(Path(sys.executable).parent / "witgen")
    port = free_port()
    log = workspace / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [*words, "--port", str(port)], cwd=workspace, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 120  # the first run compiles the component
        while True:
            assert process.poll() is None, log.read_text()
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield port, log
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_the_build_command_is_the_one_the_tests_build_with() -> None:
    (build,) = [block for block in marked_blocks() if block.code.startswith("componentize-py")]
    assert build.code.split() == [
        "componentize-py", "-d", "wit", "-w", HTTP_WORLD, "componentize", "app", "-o", "app.wasm"
    ]  # fmt: skip


def test_witgen_serve_as_the_page_runs_it(witgen_serve: tuple[int, Path]) -> None:
    port, log = witgen_serve
    (curl_block,) = [block for block in marked_blocks() if "$ curl" in block.code]
    pairs = console_commands(curl_block)
    assert len(pairs) >= 2
    for command, shown in pairs:  # curl prints no newline the body does not end with
        assert run_curl(command, port).rstrip("\n") == shown.rstrip("\n"), command
    time.sleep(0.5)  # the log is written by the server process
    said = log.read_text()
    assert "witgen serve: no Component.toml: every outgoing request will be denied" in said
    assert "INFO:     app.wasm stdout: handling /hello" in said, said
    assert '"GET /hello HTTP/1.1" 200 OK' in said, said


# Starlette 1.x prefers httpx2 for its TestClient and warns when it finds only httpx
# (the tests' client); the page's TestClient block works with either.
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_the_python_examples_serve_the_component(
    workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    namespace: dict[str, object] = {"__name__": "__docs_example__"}
    blocks = [
        block
        for block in marked_blocks()
        if block.language == "python" and "class IncomingHandler" not in block.code
    ]
    assert len(blocks) == 3, [b.where for b in blocks]
    for block in blocks:  # the last one (TestClient) checks the mounted component itself
        exec(compile(block.code, block.where, "exec"), namespace)
    app, site = namespace["app"], namespace["site"]
    assert isinstance(app, WasiHttpApp) and app.config.deadline_s == 10

    payload = bytes(range(256)) * 4096  # 1 MiB, streamed in pieces

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(payload), 50_000):
            yield payload[start : start + 50_000]

    with (
        caplog.at_level(logging.INFO, logger="witgen.http"),
        serving(app) as url,
    ):
        assert httpx.get(url + "/hello", timeout=30).text == "hello from wasm at /hello\n"
        response = httpx.post(url + "/", content=pieces(), timeout=60)
        assert response.status_code == 200 and response.content == payload
    assert any(
        record.getMessage() == "app.wasm stdout: handling /hello" for record in caplog.records
    )

    # Mounted: the component sees the path below the mount, as the page says.
    with serving(site) as url:
        assert httpx.get(url + "/", timeout=30).text == "hello from Python\n"
        assert httpx.get(url + "/wasm/hello", timeout=30).text == "hello from wasm at /hello\n"


def test_the_pages_manifest_denies_what_the_page_says(
    http_guest: Callable[[str], Path],
    cache_home: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (manifest_block,) = [
        block for block in collect(PAGE) if block.runs and "cat > Component.toml" in block.code
    ]
    toml = manifest_block.code.split("<<'TOML'\n", 1)[1].split("\nTOML\n", 1)[0]
    manifest = tmp_path / "Component.toml"
    manifest.write_text(toml + "\n", encoding="utf-8")
    (shown,) = [
        line.split("WARNING:  ", 1)[1]
        for block in collect(PAGE)
        if block.language == "text"
        for line in block.code.splitlines()
        if line.startswith("WARNING:  outgoing request denied")
    ]
    config = HttpConfig(cache_dir=cache_home / "witgen" / "components")
    app = WasiHttpApp(http_guest("denied"), manifest=manifest, config=config)
    with upstream({"/": (200, b"ok", 0.0)}) as up:
        with (
            caplog.at_level(logging.WARNING, logger="witgen.http"),
            serving(app) as url,
        ):
            response = httpx.get(url + "/", params={"url": up.url + "/"}, timeout=30)
        assert response.text == "error HTTP-request-denied\n"
        assert up.seen == []
    host = up.url.removeprefix("http://").rsplit(":", 1)[0]
    expected = (
        f'outgoing request denied: component "proxy": GET "{up.url}/": '
        f"no outbound grant matches {host}"
    )
    assert expected in [record.getMessage() for record in caplog.records]
    # The page's line has the same shape, for its own URL.
    assert shown.startswith('outgoing request denied: component "proxy": GET "https://')
    assert shown.endswith("no outbound grant matches example.org")
