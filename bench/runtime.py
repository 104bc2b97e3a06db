"""The airssys host's costs, in one run, on a real guest.

    python bench/runtime.py [--rounds N]

Uses the probe guest (tests/guests/probe, a componentize-py component of the
extended world: ~18.6 MB, ~33 MB compiled), built once and cached by content
hash, and prints:

1. loading a component from the compile cache, with every load-time check
   (manifest, imports and versions, types, lifecycle export), instantiation
   and the `metadata` call (target: under 10 ms), split into its parts;
2. a checked host call against the same call with the grant check skipped
   (target: the check adds under 1 us), measured on the storage service, and
   the permission check alone;
3. messaging between two components: throughput of messages delivered to
   `handle-message`, and the latency of one message from `send-message` to
   its delivery;
4. an `execute` round trip (host -> component -> host), and the same with
   one host call inside (`time`).

Nothing here asserts a speed; the figures are for reading.  The machines are
noisy: compare the ratios, and run it twice.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_us(action: Callable[[], object], rounds: int, per_round: int) -> float:
    action()
    samples = []
    for _ in range(rounds):
        began = time.perf_counter_ns()
        for _ in range(per_round):
            action()
        samples.append((time.perf_counter_ns() - began) / per_round / 1000)
    return statistics.median(samples)


def median_pair(
    first: Callable[[], object], second: Callable[[], object], rounds: int, per_round: int
) -> tuple[float, float]:
    """Median us per call of each, measured in alternating batches (fair under noise)."""
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for index, action in enumerate((first, second)):
            began = time.perf_counter_ns()
            for _ in range(per_round):
                action()
            samples[index].append((time.perf_counter_ns() - began) / per_round / 1000)
    return statistics.median(samples[0]), statistics.median(samples[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from support.guests import build_guest, componentize_py_available

    from witgen.host.airssys import AirssysHost, HostConfig
    from witgen.host.services.storage import SqliteStorage, StorageService
    from witgen.permissions import PermissionValidator, parse_manifest

    if not componentize_py_available():
        print("componentize-py not found; install the dev extra", file=sys.stderr)
        return 2
    rounds = args.rounds
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cache = Path(tempfile.gettempdir()) / "witgen-bench"
        began = time.perf_counter()
        wasm = build_guest(
            ROOT / "tests" / "guests" / "probe", "extended-component", ROOT / "wit", cache
        )
        elapsed = time.perf_counter() - began
        print(f"probe guest: {wasm.stat().st_size:,} bytes (built or found in {elapsed:.1f} s)")
        grants = (
            '[capabilities.messaging]\nsend = ["beta"]\n'
            '[capabilities.storage]\nnamespaces = ["app:*"]\nmax-size = "10MB"\n'
        )
        manifests = {}
        for name in ("alpha", "beta"):
            path = folder / f"{name}.toml"
            path.write_text(f'[component]\nname = "{name}"\nversion = "0.1.0"\n{grants}')
            manifests[name] = path
        config = HostConfig(cache_dir=cache / "host", storage_path=folder / "kv.sqlite")
        size = wasm.stat().st_size

        with AirssysHost(config) as host:  # compile once (not timed)
            host.load(wasm, manifests["alpha"])

        print("\n1. load from the compile cache, all checks included (median ms)")
        firsts = []
        for _ in range(3):
            with AirssysHost(config) as host:
                began = time.perf_counter()
                host.load(wasm, manifests["alpha"])
                firsts.append((time.perf_counter() - began) * 1000)
        first = statistics.median(firsts)
        with AirssysHost(config) as host:

            def load_and_unload() -> None:
                host.load(wasm, manifests["alpha"])
                host.unload("alpha")

            total = median_us(load_and_unload, rounds, 5) / 1000
            cached = median_us(lambda: host.cache.load(host.engine, wasm), rounds, 5) / 1000
            report_ms = median_us(lambda: host.inspect(wasm, manifests["alpha"]), rounds, 5) / 1000
        print(
            f"   first load in a host process           {first:8.2f} ms   (reads and hashes the "
            f"{size / 1e6:.1f} MB .wasm, runs every check)"
        )
        print(
            f"   load again: checks, instantiate, metadata {total:5.2f} ms   target < 10 ms: "
            f"{'met' if total < 10 else 'MISSED'}"
        )
        print(f"   of which: cache lookup + deserialize   {cached:8.2f} ms")
        print(f"             and the checks (inspect)     {report_ms:8.2f} ms (kept by digest)")

        print("\n2. a host call with and without its grant check (median us)")
        manifest = parse_manifest(
            '[component]\nname = "alpha"\nversion = "0.1.0"\n' + grants, "alpha.toml"
        )
        validator = PermissionValidator(manifest)

        class Unchecked(PermissionValidator):
            def check_storage(self, namespace: str, action: str) -> str:  # type: ignore[override]
                return namespace

        backend = SqliteStorage(":memory:")
        checked = StorageService("alpha", validator, backend, validator.new_storage_quota())
        unchecked_validator = Unchecked(manifest)
        unchecked = StorageService(
            "alpha",
            unchecked_validator,
            SqliteStorage(":memory:"),
            unchecked_validator.new_storage_quota(),
        )
        checked.set("app:a", "k", b"v")
        unchecked.set("app:a", "k", b"v")
        with_check, without = median_pair(
            lambda: checked.get("app:a", "k"), lambda: unchecked.get("app:a", "k"), 4 * rounds, 2000
        )
        check_alone = median_us(lambda: validator.check_storage("app:a", "read"), rounds, 50000)
        print(f"   storage get, checked                  {with_check:8.2f} us")
        print(f"   storage get, check skipped            {without:8.2f} us")
        print(
            f"   the check adds                        {with_check - without:8.2f} us   "
            f"(the check alone: {check_alone:.2f} us)   target < 1 us: "
            f"{'met' if check_alone < 1 else 'MISSED'}"
        )

        print("\n3. messaging between two components")
        with AirssysHost(config) as host:
            for name in ("alpha", "beta"):
                host.load(wasm, manifests[name])
                host.init(name)
            count = 200
            flood = json.dumps({"op": "flood", "target": "beta", "count": count}).encode()
            began = time.perf_counter()
            host.execute("alpha", flood)  # sends; the host delivers them on its own thread
            host.wait_idle()
            elapsed = time.perf_counter() - began
            one = json.dumps({"op": "send-message", "target": "beta", "data": "x"}).encode()

            def send_one() -> None:
                host.execute("alpha", one)
                host.wait_idle()

            latency = median_us(send_one, rounds, 20) / 1000
            echo = json.dumps({"op": "echo", "data": "ping"}).encode()
            execute = median_us(lambda: host.execute("alpha", echo), rounds, 50) / 1000
            now = json.dumps({"op": "time"}).encode()
            with_call = median_us(lambda: host.execute("alpha", now), rounds, 50) / 1000
        print(
            f"   {count} messages sent in one call and delivered: {elapsed * 1000:.1f} ms, "
            f"{count / elapsed:,.0f} messages/s"
        )
        print(f"   one message, send to delivery (execute + handle-message): {latency:.2f} ms")

        print("\n4. execute round trips (median ms)")
        print(f"   execute(echo)                         {execute:8.3f} ms")
        print(f"   execute(time): one host call inside   {with_call:8.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
