"""Hostile components against the airssys host: small component WAT assembled
with wasm-tools (tests/support/hostile.py), no builds.  For each attack: the
host survives, other components keep working, the error is clear and nothing
is lost.  The figures (peak host memory per attack, deadline overshoot) are
bench/hostile.py's; nothing here asserts a tight time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.components import find_wasm_tools
from support.hostile import HostileShape, Op, build_hostile, operation, send_operation

from witgen.host.airssys import (
    MAX_VALUE_LIMIT,
    AirssysHost,
    ComponentBusy,
    ComponentTrapped,
    HostConfig,
    LoadError,
    ValueTooLarge,
)

if find_wasm_tools() is None:
    pytest.skip("wasm-tools is not installed", allow_module_level=True)

MiB = 1 << 20


@pytest.fixture(scope="session")
def components(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the assembled components are kept (between runs too)."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("witgen-hostile"))
    return tmp_path_factory.getbasetemp().parent / "witgen-hostile"


@pytest.fixture
def host(tmp_path: Path) -> Iterator[AirssysHost]:
    with AirssysHost(HostConfig(cache_dir=tmp_path / "compiled")) as running:
        yield running


def manifest(folder: Path, name: str, body: str = "") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'[component]\nname = "{name}"\nversion = "0.1.0"\n{body}')
    return path


PLAIN = HostileShape()


def start(
    host: AirssysHost,
    components: Path,
    folder: Path,
    name: str,
    *,
    shape: HostileShape = PLAIN,
    body: str = "",
) -> None:
    host.load(build_hostile(shape, components), manifest(folder, name, body))
    host.init(name)


def i32s(data: bytes) -> list[int]:
    return [int.from_bytes(data[i : i + 4], "little", signed=True) for i in range(0, len(data), 4)]


def still_working(host: AirssysHost, *names: str) -> None:
    for name in names:
        assert host.execute(name, Op.ECHO + b"alive") == Op.ECHO + b"alive"


# ---------------------------------------------------------------- tables


def test_a_table_cannot_grow_past_its_limit(
    host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    """One `table.grow` by 10^9 elements took the host past 5 GB: now it is refused."""
    start(host, components, tmp_path, "attacker")
    start(host, components, tmp_path, "bystander")
    refused, gained = i32s(host.execute("attacker", Op.TABLE))
    assert refused == -1  # the 10^9 grow
    assert 0 < gained <= host.config.table_elements_limit
    still_working(host, "attacker", "bystander")


def test_the_table_limit_is_configurable(components: Path, tmp_path: Path) -> None:
    config = HostConfig(cache_dir=tmp_path / "compiled", table_elements_limit=25_000)
    with AirssysHost(config) as host:
        start(host, components, tmp_path, "attacker")
        refused, gained = i32s(host.execute("attacker", Op.TABLE))
        assert refused == -1 and gained == 20_000  # 1 + 20,000 fit; 30,001 do not


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        (HostileShape(extra_tables=16), "table count too high"),  # 17 (the limit is 16)
        (HostileShape(extra_memories=16), "memory count too high"),  # 17
        (HostileShape(extra_instances=100), "instance count too high"),  # over 100
        (HostileShape(initial_pages=4097), "exceeds memory limits"),  # 256 MiB + 64 KiB
    ],
    ids=["tables", "memories", "instances", "initial-memory"],
)
def test_a_component_that_needs_more_than_its_limits_is_refused_at_load(
    components: Path, tmp_path: Path, shape: HostileShape, expected: str
) -> None:
    # Each extra instance has a memory: let the instance count be what refuses it.
    memories = 1000 if shape.extra_instances else 16
    config = HostConfig(cache_dir=tmp_path / "compiled", memories_limit=memories)
    with AirssysHost(config) as host:
        start(host, components, tmp_path, "bystander")
        with pytest.raises(LoadError, match=f"instantiation failed: .*{expected}") as refused:
            host.load(build_hostile(shape, components), manifest(tmp_path, "attacker"))
        assert refused.value.component == "attacker"
        assert host.component_names() == ["bystander"]
        still_working(host, "bystander")


def test_a_start_function_that_never_returns_is_stopped_at_load(
    components: Path, tmp_path: Path
) -> None:
    config = HostConfig(cache_dir=tmp_path / "compiled", lifecycle_timeout_ms=300)
    with AirssysHost(config) as host:
        start(host, components, tmp_path, "bystander")
        with pytest.raises(LoadError, match="start functions ran past the 300 ms deadline"):
            host.load(
                build_hostile(HostileShape(start_loop=True), components),
                manifest(tmp_path, "attacker"),
            )
        still_working(host, "bystander")


# ---------------------------------------------------------------- memory


@pytest.mark.parametrize(
    "shape",
    [PLAIN, HostileShape(extra_memories=8), HostileShape(extra_instances=4)],
    ids=["one-memory", "nine-memories", "five-instances"],
)
def test_the_memory_limit_is_for_all_the_memories_of_a_component(
    host: AirssysHost, components: Path, tmp_path: Path, shape: HostileShape
) -> None:
    """Nine memories grown until refused held 2.1 GiB against a 256 MiB limit:
    the limit was per memory.  Now it holds for all of them, in all instances."""
    body = '[limits]\nmemory = "32MiB"\n'
    start(host, components, tmp_path, "attacker", shape=shape, body=body)
    start(host, components, tmp_path, "bystander")
    runtime = host.component("attacker")
    before = runtime.memory.used
    (pages,) = i32s(host.execute("attacker", Op.MEMORY))
    assert pages > 0
    assert before + pages * 64 * 1024 == runtime.memory.used <= 32 * MiB
    assert runtime.memory.used > 31 * MiB  # it got what the limit allows, no less
    still_working(host, "attacker", "bystander")


def test_memories_that_start_too_big_together_are_refused_at_load(
    host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    """Four memories of 62.5 MiB each: every one fits the limit, not all four."""
    shape = HostileShape(extra_memories=4, extra_memory_pages=1000)
    with pytest.raises(LoadError, match=r"memory limit \(134217728 bytes in all"):
        host.load(
            build_hostile(shape, components),
            manifest(tmp_path, "attacker", '[limits]\nmemory = "128MiB"\n'),
        )
    start(host, components, tmp_path, "attacker", shape=shape)  # 256 MiB: it fits
    assert host.component("attacker").memory.used == 4 * 1000 * 64 * 1024 + 64 * 1024


def test_an_infinite_loop_leaves_the_others_alone(
    host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    start(host, components, tmp_path, "attacker")
    start(host, components, tmp_path, "bystander")
    with pytest.raises(ComponentTrapped, match="ran past its 200 ms deadline"):
        host.execute("attacker", Op.LOOP, timeout_ms=200)
    still_working(host, "attacker", "bystander")


def test_the_hosts_engine_makes_memories_only_for_a_component_store() -> None:
    """A memory is always charged to some component; none is made outside one."""
    from wasmtime import Store, WasmtimeError
    from wasmtime.component import Component, Linker

    from witgen.host.isolation import make_engine

    engine = make_engine()
    component = Component(
        engine,
        "(component (core module $m (memory 1)) (core instance (instantiate $m)))",
    )
    with pytest.raises(WasmtimeError, match="outside a component's store"):
        Linker(engine).instantiate(Store(engine), component)


# ---------------------------------------------------------------- deadlines


@pytest.mark.parametrize("op", [Op.FILL, Op.COPY, Op.TABLE_FILL], ids=["fill", "copy", "table"])
def test_bulk_instructions_stop_at_the_deadline(
    host: AirssysHost, components: Path, tmp_path: Path, op: bytes
) -> None:
    """Epoch interruption cannot stop one `memory.fill` halfway, so a bulk
    instruction's time is bounded by what it can touch: memory and tables are
    bounded (256 MiB, 100,000 elements), so the deadline holds within about one
    instruction's time.  (bench/hostile.py measures the overshoot.)"""
    start(host, components, tmp_path, "attacker")
    start(host, components, tmp_path, "bystander")
    began = time.monotonic()
    (size,) = i32s(host.execute("attacker", Op.FILL_ONCE))  # one fill of all it can get
    one_fill = time.monotonic() - began
    assert size > 255 * MiB
    began = time.monotonic()
    with pytest.raises(ComponentTrapped, match="ran past its 1000 ms deadline"):
        host.execute("attacker", op, timeout_ms=1000)
    overshoot = time.monotonic() - began - 1.0
    assert overshoot < 10 * one_fill + 5.0  # loose: the machine is shared and noisy
    still_working(host, "attacker", "bystander")


# ---------------------------------------------------------------- messaging


def messaging(target: str) -> str:
    return f'[capabilities.messaging]\nsend = ["{target}"]\n'


def send(host: AirssysHost, sender: str, target: str, message: bytes) -> bytes:
    return host.execute(sender, send_operation(target, message))


@pytest.fixture
def slow_host(tmp_path: Path) -> Iterator[AirssysHost]:
    """Handlers may take 3 s: the deadline of every delivery."""
    config = HostConfig(cache_dir=tmp_path / "compiled", lifecycle_timeout_ms=3000)
    with AirssysHost(config) as running:
        yield running


def test_a_slow_recipient_delays_neither_the_sender_nor_anyone_else(
    slow_host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    """`execute` used to deliver what the component sent before returning: one
    caller waited 10 s behind another component's `handle-message`.  Now the
    host delivers on its own threads, under the recipient's deadline."""
    host = slow_host
    start(host, components, tmp_path, "sender", body=messaging("slow"))
    start(host, components, tmp_path, "slow")
    start(host, components, tmp_path, "bystander")
    assert send(host, "sender", "slow", b"L") == b"ok"  # its handler never returns
    # The handler runs for 3 s; everyone else goes on meanwhile.
    assert not host.wait_idle(0)
    still_working(host, "sender", "bystander")
    assert send(host, "sender", "slow", b"x") == b"ok"  # queued behind the first
    assert not host.wait_idle(0)
    # The handler is stopped at its own deadline; the component is restarted,
    # and the next message reaches the new instance.
    assert host.wait_idle(30)
    assert host.component("slow").restarts == 1
    assert host.execute("slow", Op.RECEIVED) == b"x"
    still_working(host, "sender", "slow", "bystander")


def test_a_caller_of_a_busy_recipient_waits_only_within_its_own_deadline(
    slow_host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    host = slow_host
    start(host, components, tmp_path, "sender", body=messaging("slow"))
    start(host, components, tmp_path, "slow")
    assert send(host, "sender", "slow", b"W" + (2000).to_bytes(4, "little")) == b"ok"
    time.sleep(0.3)  # let the delivery start (it sleeps 2 s, within its deadline)
    with pytest.raises(ComponentBusy, match="300 ms deadline"):
        host.execute("slow", Op.ECHO + b"now", timeout_ms=300)
    assert host.wait_idle(30)
    runtime = host.component("slow")
    assert runtime.restarts == 0 and runtime.state == "ready"  # nothing trapped
    still_working(host, "slow")


def test_messages_arrive_in_order_and_the_mailbox_is_bounded(
    components: Path, tmp_path: Path
) -> None:
    config = HostConfig(cache_dir=tmp_path / "compiled", mailbox_limit=3)
    with AirssysHost(config) as host:
        start(host, components, tmp_path, "sender", body=messaging("recipient"))
        start(host, components, tmp_path, "recipient")
        # Keep the recipient busy, so that what follows waits in its mailbox.
        assert send(host, "sender", "recipient", b"W" + (1000).to_bytes(4, "little")) == b"ok"
        time.sleep(0.3)
        answers = [send(host, "sender", "recipient", bytes([c])) for c in b"abcde"]
        assert answers == [b"ok", b"ok", b"ok", b"err3", b"err3"]  # delivery-failed: full
        assert host.wait_idle(30)
        assert host.execute("recipient", Op.RECEIVED) == b"abc"
        assert send(host, "sender", "recipient", b"f") == b"ok"  # room again
        assert host.wait_idle(30)
        assert host.execute("recipient", Op.RECEIVED) == b"abcf"


def test_a_caller_calling_again_and_again_never_starves_the_mail(
    host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    """Callers go before waiting deliveries, but a delivery that waited through
    a call goes next: polling a component lets its mail in."""
    start(host, components, tmp_path, "sender", body=messaging("polled"))
    start(host, components, tmp_path, "polled")
    for letter in b"abc":
        assert send(host, "sender", "polled", bytes([letter])) == b"ok"
    seen = b""
    for _ in range(10_000):
        seen = host.execute("polled", Op.RECEIVED)
        if seen == b"abc":
            break
    assert seen == b"abc"


def test_components_run_side_by_side(host: AirssysHost, components: Path, tmp_path: Path) -> None:
    """Calls from several threads: each component one call at a time, none
    waiting for another (and a trap in one is that one's alone)."""
    import threading

    start(host, components, tmp_path, "looper")
    start(host, components, tmp_path, "worker")
    trapped: list[BaseException] = []

    def loop() -> None:
        try:
            host.execute("looper", Op.LOOP, timeout_ms=1500)
        except ComponentTrapped as error:
            trapped.append(error)

    thread = threading.Thread(target=loop)
    thread.start()
    calls = 0
    while thread.is_alive():
        still_working(host, "worker")
        calls += 1
    thread.join()
    assert calls > 10 and len(trapped) == 1
    assert host.component("worker").restarts == 0
    still_working(host, "looper", "worker")


# ---------------------------------------------------------------- manifests


@pytest.mark.parametrize(
    "body",
    [
        "[capabilities.filesystem]\nread = " + "[" * 500 + "]" * 500,
        "[capabilities.filesystem]\nread = " + "[" * 400 + '"/x"' + "]" * 400,
        '[capabilities.filesystem]\nread = ["/' + "{" * 2000 + "a" + "}" * 2000 + '"]',
    ],
    ids=["toml", "message", "braces"],
)
def test_a_deeply_nested_manifest_is_a_load_error(
    host: AirssysHost, components: Path, tmp_path: Path, body: str
) -> None:
    """These raised RecursionError through `AirssysHost.load`."""
    with pytest.raises(LoadError) as refused:
        host.load(build_hostile(PLAIN, components), manifest(tmp_path, "attacker", body + "\n"))
    assert "attacker.toml" in str(refused.value)
    report, _ = host.inspect(build_hostile(PLAIN, components), tmp_path / "attacker.toml")
    assert not report.ok


# ---------------------------------------------------------------- large values


def test_a_result_over_the_value_limit_is_refused_and_the_component_keeps_its_state(
    host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    start(host, components, tmp_path, "sender", body=messaging("big"))
    start(host, components, tmp_path, "big")
    assert send(host, "sender", "big", b"k") == b"ok"
    assert host.wait_idle(30)
    with pytest.raises(ValueTooLarge, match=r"its result is 2000000 bytes; .* limit is 1048576"):
        host.execute("big", operation(Op.BIG, 2_000_000))
    runtime = host.component("big")
    assert runtime.restarts == 0 and runtime.state == "ready"
    assert host.execute("big", Op.RECEIVED) == b"k"  # its state is intact
    assert len(host.execute("big", operation(Op.BIG, 1 << 20))) == 1 << 20  # at the limit


def test_a_result_larger_than_wasmtime_lets_cross_is_not_a_trap(
    host: AirssysHost, components: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A valid 200 MiB result trapped with wasmtime's "fuel allocated for
    hostcalls has been exhausted" and marked the component trapped.  wasmtime
    still refuses it (and leaves the store unusable): the host says why,
    starts the component again and does not count it as a trap."""
    start(host, components, tmp_path, "big", body='[limits]\nmemory = "256MiB"\n')
    start(host, components, tmp_path, "bystander")
    with pytest.raises(ValueTooLarge, match="larger than wasmtime lets cross"):
        host.execute("big", operation(Op.BIG, 200 * MiB))
    runtime = host.component("big")
    assert runtime.restarts == 0 and runtime.state == "ready"
    assert not [r for r in caplog.records if "trapped" in r.getMessage()]
    still_working(host, "big", "bystander")


def test_an_operation_over_the_value_limit_never_reaches_the_component(
    host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    start(host, components, tmp_path, "big")
    with pytest.raises(ValueTooLarge, match="the operation is 1048577 bytes"):
        host.execute("big", Op.ECHO + bytes(1 << 20))
    assert host.component("big").restarts == 0
    still_working(host, "big")


def test_the_value_limit_is_configurable_up_to_what_wasmtime_lets_cross(
    components: Path, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="value_limit must be from 1 to 2796201"):
        HostConfig(value_limit=MAX_VALUE_LIMIT + 1)
    config = HostConfig(cache_dir=tmp_path / "compiled", value_limit=MAX_VALUE_LIMIT)
    with AirssysHost(config) as host:
        start(host, components, tmp_path, "big")
        assert len(host.execute("big", operation(Op.BIG, MAX_VALUE_LIMIT))) == MAX_VALUE_LIMIT
    config = HostConfig(cache_dir=tmp_path / "compiled", value_limit=100)
    with AirssysHost(config) as host:
        start(host, components, tmp_path, "big")
        with pytest.raises(ValueTooLarge, match="its result is 101 bytes"):
            host.execute("big", operation(Op.BIG, 101))


# ---------------------------------------------------------------- unloading


def test_an_unloaded_component_is_freed(
    host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    """Each host function sat in a process-wide table that held the runtime,
    so a load/unload cycle kept its store, 4 GiB of reserved address space and
    every linear memory until the process ended."""
    import gc
    import weakref

    gone = []
    for round_ in range(3):
        start(host, components, tmp_path, f"c{round_}")
        runtime = host.component(f"c{round_}")
        gone += [weakref.ref(runtime), weakref.ref(runtime.store), weakref.ref(runtime.linker)]
        still_working(host, f"c{round_}")
        del runtime
        host.unload(f"c{round_}")
    gc.collect()
    assert [ref() for ref in gone] == [None] * len(gone)


def test_unloading_during_a_call_frees_the_component_when_the_call_ends(
    host: AirssysHost, components: Path, tmp_path: Path
) -> None:
    """The store may not be freed under a running call: it goes when the call
    returns (here, when its deadline stops it)."""
    import gc
    import threading
    import weakref

    start(host, components, tmp_path, "looper")
    runtime = host.component("looper")
    store = weakref.ref(runtime.store)
    outcome: list[BaseException] = []

    def loop() -> None:
        try:
            host.execute("looper", Op.LOOP, timeout_ms=500)
        except Exception as error:  # noqa: BLE001 (the test reads it)
            outcome.append(error)

    thread = threading.Thread(target=loop)
    thread.start()
    while runtime.deadline is None:  # the call has started
        time.sleep(0.001)
    host.unload("looper")
    assert store() is not None  # the call is still running in it
    thread.join()
    assert len(outcome) == 1 and isinstance(outcome[0], ComponentTrapped)
    assert runtime.restarts == 0  # not started again once unloaded
    outcome.clear()  # its traceback holds the call's frames, and they the store
    del runtime
    gc.collect()
    assert store() is None
    start(host, components, tmp_path, "after")
    still_working(host, "after")
