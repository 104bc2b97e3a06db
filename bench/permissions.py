"""Permission-check and interface-validation speed, against naive versions run alongside.

    python bench/permissions.py [--rounds N]

Prints the median time of one call (over N rounds of many calls each, timed
with `time.perf_counter_ns`) for:
* filesystem, network and storage checks against a 20-rule manifest, both for a
  request seen before (answered from the validator's decision cache) and for a
  new request every call (normalized, canonicalised and matched in full);
* the same filesystem check done naively: normalize, then compile every
  pattern of the action with `wcmatch.glob.globmatch` on each call;
* one interface validation of a component with the 7 imports of the
  `extended-component` world, 2 dependencies and an api-version (with the
  parse caches warm, and emptied before every call), and the naive version
  that parses every requirement with `semantic_version.NpmSpec` per call.

Targets: a check below 1 us (the plan's limit is 5 us), an interface
validation below 100 us (the plan's limit is 1 ms).  Nothing here asserts a
speed: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MANIFEST = """\
[component]
name = "bench"
version = "1.0.0"
api-version = "1.0.0"

[capabilities.filesystem]
read = ["/data/**", "/etc/myapp/config.toml", "/tmp/cache/*.json", "/srv/www/**/*.{html,css}",
        "/var/lib/app/**", "/opt/tools/*/share/**"]
write = ["/var/data/output/**", "/tmp/myapp/cache/*", "/home/*/out/**"]
delete = ["/tmp/myapp/**"]
list = ["/data/**", "/var/data/**"]

[[capabilities.network]]
action = "outbound"
host = "api.example.com"
port = 443

[[capabilities.network]]
action = "outbound"
host = "*.cdn.example.com"
port = 443

[[capabilities.network]]
action = "outbound"
host = "10.0.0.1"

[[capabilities.network]]
action = "inbound"
host = "127.0.0.1"
port = 8080

[capabilities.storage]
namespaces = ["myapp:*", "shared:public"]
max-size = "100MB"

[capabilities.process]
spawn = ["/usr/bin/echo"]

[capabilities.messaging]
send = ["other-component"]

[dependencies]
"airssys:component-core" = "^1.0.0"
"airssys:host-core" = "~1.0"
"""

IMPORTS = [
    "airssys:host-core/capabilities@1.0.0",
    "airssys:host-core/types@1.0.0",
    "airssys:host-extensions/filesystem@1.0.0",
    "airssys:host-extensions/network@1.0.0",
    "airssys:host-extensions/process@1.0.0",
    "airssys:host-extensions/storage@1.0.0",
    "airssys:host-core/host-services@1.0.0",
]


def median_ns(call: Callable[[], object], rounds: int, per_round: int) -> float:
    """The median, over `rounds`, of the mean time of one of `per_round` calls."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(per_round):
            call()
        times.append((time.perf_counter_ns() - start) / per_round)
    return statistics.median(times)


def cycle(items: list[str]) -> Callable[[], str]:
    iterator: Iterator[str] = iter(())

    def following() -> str:
        nonlocal iterator
        try:
            return next(iterator)
        except StopIteration:
            iterator = iter(items)
            return next(iterator)

    return following


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=31)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import semantic_version  # type: ignore[import-untyped]
    from wcmatch import glob

    from witgen.permissions import InterfaceValidator, PermissionValidator, parse_manifest, versions
    from witgen.permissions import interfaces as interfaces_module
    from witgen.permissions.paths import GLOB_FLAGS, normalize_path
    from witgen.permissions.validator import CACHE_SIZE

    manifest = parse_manifest(MANIFEST, "bench.toml")
    rules = (
        sum(len(manifest.filesystem.patterns(a)) for a in ("read", "write", "delete", "list"))
        + len(manifest.network)
        + len(manifest.storage.namespaces)
        + len(manifest.process)
        + len(manifest.messaging)
    )
    validator = PermissionValidator(manifest)
    rounds = args.rounds

    # More distinct requests than the cache holds, so each one misses it.
    new_paths = cycle([f"/data/project-{i}/file-{i}.txt" for i in range(4 * CACHE_SIZE)])
    new_hosts = cycle([f"node-{i}.cdn.example.com" for i in range(4 * CACHE_SIZE)])
    new_spaces = cycle([f"myapp:space-{i}" for i in range(4 * CACHE_SIZE)])
    read_patterns = [pattern.text for pattern in manifest.filesystem.read]

    def naive() -> bool:
        path = normalize_path(new_paths())
        return bool(glob.globmatch(path, read_patterns, flags=GLOB_FLAGS))

    def next_path() -> str:
        return validator.check_filesystem(new_paths(), "read")

    def next_host() -> str:
        return validator.check_network(new_hosts(), 443)

    def next_space() -> str:
        return validator.check_storage(new_spaces(), "write")

    figures = [
        (
            "filesystem read, a path seen before",
            median_ns(lambda: validator.check_filesystem("/data/a/b.txt", "read"), rounds, 20000),
        ),
        ("filesystem read, a new path each call", median_ns(next_path, rounds, 4000)),
        (
            "network outbound, a host seen before",
            median_ns(lambda: validator.check_network("img.cdn.example.com", 443), rounds, 20000),
        ),
        ("network outbound, a new host each call", median_ns(next_host, rounds, 4000)),
        (
            "storage write, a namespace seen before",
            median_ns(lambda: validator.check_storage("myapp:cache", "write"), rounds, 20000),
        ),
        ("storage write, a new namespace each call", median_ns(next_space, rounds, 4000)),
    ]
    naive_ns = median_ns(naive, max(5, rounds // 3), 200)
    seen, new = figures[0][1], figures[1][1]

    print(f"permission checks against a {rules}-rule manifest (median of {rounds} rounds):")
    for label, nanoseconds in figures:
        print(f"  {label:<44} {nanoseconds / 1000:8.3f} us")
    print(f"  {'naive: normalize + globmatch every call':<44} {naive_ns / 1000:8.3f} us")
    print(
        f"  naive / ours: {naive_ns / new:.0f}x for a new path, {naive_ns / seen:.0f}x for a path "
        "seen before"
    )

    host = InterfaceValidator()
    dependencies = [(d.name, d.requirement.text) for d in manifest.dependencies]
    api_version = manifest.component.api_version

    def interfaces() -> None:
        host.validate(IMPORTS, dependencies, api_version)

    provided = semantic_version.Version("1.0.0")

    def interfaces_naively() -> bool:
        requirements = [f"^{name.rsplit('@', 1)[1]}" for name in IMPORTS]
        requirements += [text for _, text in dependencies] + [f"^{api_version}"]
        return all(semantic_version.NpmSpec(text).match(provided) for text in requirements)

    def interfaces_cold() -> None:
        versions._parse_version.cache_clear()
        versions._parse_requirement.cache_clear()
        interfaces_module._split_name.cache_clear()
        host.validate(IMPORTS, dependencies, api_version)

    ours = median_ns(interfaces, rounds, 500)
    cold = median_ns(interfaces_cold, rounds, 200)
    theirs = median_ns(interfaces_naively, max(5, rounds // 3), 100)
    print(
        f"interface validation ({len(IMPORTS)} imports, {len(dependencies)} dependencies, "
        "api-version):"
    )
    print(f"  {'InterfaceValidator.validate':<44} {ours / 1000:8.3f} us")
    print(f"  {'the same, parse caches emptied every call':<44} {cold / 1000:8.3f} us")
    print(f"  {'naive: NpmSpec parsed per requirement':<44} {theirs / 1000:8.3f} us")
    print(f"  naive / ours: {theirs / ours:.1f}x, {theirs / cold:.1f}x with empty caches")
    print("targets: a check < 1 us (plan: 5 us); an interface validation < 100 us (plan: 1 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
