"""The airssys host under attack: what each hostile component costs the host.

    python bench/hostile.py [--rounds N]

Each attack of tests/host/test_hostile.py (issue 22) runs in a fresh Python
process of its own, so that its peak memory (`resource.getrusage`'s
`ru_maxrss`) is its own and not the sum of the ones before.  For each, the
table gives that peak, what the host answered (the exception, or the
attack's own result), whether another component loaded beside it still
answered afterwards, and how long the attack's call took.  The bulk
instructions under a 1 s deadline are run `--rounds` times, and their worst
overshoot of the deadline is printed at the end.  `baseline` is the same
process with two components and no attack: the peak every other row starts
from.

The components are small component WAT (tests/support/hostile.py),
assembled once with wasm-tools.  Nothing here asserts anything: the figures
are for reading, and the machines are noisy (run it twice).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MiB = 1 << 20


def _peak_mib() -> float:
    # Linux reports kilobytes, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (MiB if sys.platform == "darwin" else 1024)


def _attack(name: str, folder: Path, rounds: int) -> dict[str, Any]:
    """Run one attack in this process; what it did, as JSON-ready data."""
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from support.hostile import HostileShape, Op, build_hostile, operation, send_operation

    from witgen.host.airssys import AirssysHost, HostConfig

    components = folder / "components"
    lifecycle = 3000 if name == "slow-recipient" else 10_000
    config = HostConfig(
        cache_dir=folder / "compiled", restart_limit=1000, lifecycle_timeout_ms=lifecycle
    )
    shapes = {
        "nine-memories": HostileShape(extra_memories=8),
        "five-instances": HostileShape(extra_instances=4),
        "start-loop": HostileShape(start_loop=True),
        "too-many-tables": HostileShape(extra_tables=16),
    }
    shape = shapes.get(name, HostileShape())

    def manifest(component: str, body: str = "") -> Path:
        path = folder / f"{component}-{os.getpid()}.toml"
        path.write_text(f'[component]\nname = "{component}"\nversion = "0.1.0"\n{body}')
        return path

    result: dict[str, Any] = {"attack": name}
    with AirssysHost(config) as host:
        plain = build_hostile(HostileShape(), components)
        host.load(plain, manifest("bystander"))
        host.init("bystander")
        grant = '[capabilities.messaging]\nsend = ["attacker"]\n'
        host.load(plain, manifest("sender", grant))
        host.init("sender")

        def load_attacker(body: str = "") -> None:
            host.load(build_hostile(shape, components), manifest("attacker", body))
            host.init("attacker")

        def call(op: bytes, timeout_ms: int | None = None) -> Callable[[], object]:
            return lambda: host.execute("attacker", op, timeout_ms=timeout_ms)

        overshoots: list[float] = []
        actions: dict[str, Callable[[], object]] = {
            "baseline": lambda: None,
            "table-grow": call(Op.TABLE),
            "nine-memories": call(Op.MEMORY),
            "five-instances": call(Op.MEMORY),
            "memory-fill": call(Op.FILL, 1000),
            "memory-copy": call(Op.COPY, 1000),
            "table-fill": call(Op.TABLE_FILL, 1000),
            "infinite-loop": call(Op.LOOP, 1000),
            "result-2MB": call(operation(Op.BIG, 2_000_000)),
            "result-200MiB": call(operation(Op.BIG, 200 * MiB)),
            "start-loop": lambda: None,
            "too-many-tables": lambda: None,
            "deep-manifest": lambda: None,
            "slow-recipient": lambda: host.execute("sender", send_operation("attacker", b"L")),
        }
        began = time.perf_counter()
        try:
            if name == "deep-manifest":
                load_attacker("x = " + "[" * 500 + "]" * 500 + "\n")
            elif name != "baseline":
                load_attacker()
            repeat = rounds if name in ("memory-fill", "memory-copy", "table-fill") else 1
            for _ in range(repeat):
                began = time.perf_counter()
                try:
                    outcome = actions[name]()
                finally:
                    overshoots.append(time.perf_counter() - began - 1.0)
            result["answer"] = _describe(outcome)
        except Exception as error:  # noqa: BLE001 (the answer is what we report)
            result["answer"] = f"{type(error).__name__}: {_short(str(error))}"
        result["seconds"] = time.perf_counter() - began
        if name in ("memory-fill", "memory-copy", "table-fill", "infinite-loop"):
            result["worst_overshoot_ms"] = max(overshoots) * 1000
        if name == "slow-recipient":
            sender_done = time.perf_counter() - began
            result["answer"] = f"the sender's execute {_describe(outcome)}"
            result["seconds"] = sender_done
            result["busy_meanwhile"] = not host.wait_idle(0)
            host.wait_idle()
        others = host.execute("bystander", Op.ECHO + b"alive") == Op.ECHO + b"alive"
        result["others_ok"] = others and host.execute("sender", Op.ECHO) == Op.ECHO
        if "attacker" in host.component_names():
            result["attacker_ok"] = host.execute("attacker", Op.ECHO) == Op.ECHO
    result["peak_mib"] = _peak_mib()
    return result


def _describe(outcome: object) -> str:
    if isinstance(outcome, bytes):
        if len(outcome) in (4, 8) and not outcome.isascii():
            numbers = [
                int.from_bytes(outcome[i : i + 4], "little", signed=True)
                for i in range(0, len(outcome), 4)
            ]
            return f"returned {numbers}"
        return f"returned {len(outcome)} bytes" if len(outcome) > 16 else f"returned {outcome!r}"
    return "-" if outcome is None else repr(outcome)


def _short(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 110 else line[:107] + "..."


ATTACKS = [
    "baseline",
    "table-grow",
    "nine-memories",
    "five-instances",
    "memory-fill",
    "memory-copy",
    "table-fill",
    "infinite-loop",
    "start-loop",
    "too-many-tables",
    "result-2MB",
    "result-200MiB",
    "deep-manifest",
    "slow-recipient",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each bulk attack")
    parser.add_argument("--attack", help=argparse.SUPPRESS)  # one attack, in a child process
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attack is not None:
        print(json.dumps(_attack(args.attack, Path(args.folder), args.rounds)))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; one process per attack")
    rows = []
    with tempfile.TemporaryDirectory(prefix="witgen-hostile-") as tmp:
        for attack in ATTACKS:
            command = [sys.executable, __file__, "--attack", attack, "--folder", tmp]
            done = subprocess.run(
                [*command, "--rounds", str(args.rounds)],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0 or not done.stdout.strip():
                print(f"{attack}: the process failed ({done.returncode}):\n{done.stderr}")
                continue
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"\n{'attack':16} {'peak MiB':>8} {'others ok':>9} {'seconds':>8}  answer")
    for row in rows:
        others = "yes" if row.get("others_ok") else "NO"
        print(
            f"{row['attack']:16} {row['peak_mib']:8.0f} {others:>9} {row['seconds']:8.2f}  "
            f"{row['answer']}"
        )
    print("\nworst overshoot of a 1 s deadline (ms), over every round:")
    for row in rows:
        if "worst_overshoot_ms" in row:
            print(f"   {row['attack']:16} {row['worst_overshoot_ms']:8.0f}")
    slow = next((row for row in rows if row["attack"] == "slow-recipient"), None)
    if slow is not None:
        print(
            f"\nslow recipient (handle-message loops until its 3 s deadline): the sender's "
            f"execute took {slow['seconds'] * 1000:.0f} ms; the recipient was still busy "
            f"then: {slow.get('busy_meanwhile')}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
