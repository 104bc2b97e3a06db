"""Which imports of a world wasmtime-py 50 implements itself (WASI 0.2).

In: an `ir.Resolve`, a world's imported interfaces, and the `--implement`
patterns (`[tool.witgen] implement`) naming those the user implements in
Python instead.  Out: for each imported interface, the wasmtime call that
links it (`WASIP2`: `Linker.add_wasip2()`; `WASI_HTTP`:
`Linker.add_wasi_http()`), or None when the host implements it in Python; and
the diagnostics of a choice wasmtime cannot honour.  Raises nothing.

What wasmtime-py 50 provides, at every 0.2.x version (wasmtime matches a
component's `@0.2.N` import by semver): every interface of `wasi:io`,
`wasi:clocks` (but the unstable `timezone`), `wasi:random`, `wasi:cli` (but
`run`, which components export), `wasi:filesystem` and `wasi:sockets` through
`add_wasip2()`; `wasi:http/types` and `wasi:http/outgoing-handler` through
`add_wasi_http()`.  Nothing of WASI 0.3 (0.3 is async: `signatures.py`).

A pattern is `ns:pkg/iface` (any version), `ns:pkg/iface@1.2.3`, or has
shell wildcards (`wasi:cli/*`).  An interface the user implements must not share
a resource with one wasmtime implements (a `wasi:io/streams` of Python's and
a `wasi:cli/stdout` of wasmtime's would pass each other handles neither can
read): such a split is a diagnostic pointing at the world.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from typing import Literal

from witgen import ir
from witgen.diagnostics import Diagnostic

# The `wasmtime.component.Linker` method that links an interface.
Provider = Literal["add_wasip2", "add_wasi_http"]
WASIP2: Provider = "add_wasip2"
WASI_HTTP: Provider = "add_wasi_http"  # after `add_wasip2()`

# (package, interfaces) that wasmtime-py 50 implements, at any 0.2.x version.
_PROVIDED: dict[str, tuple[Provider, frozenset[str]]] = {
    "io": (WASIP2, frozenset({"error", "poll", "streams"})),
    "clocks": (WASIP2, frozenset({"monotonic-clock", "wall-clock"})),
    "random": (WASIP2, frozenset({"random", "insecure", "insecure-seed"})),
    "cli": (
        WASIP2,
        frozenset(
            {
                "environment",
                "exit",
                "stdin",
                "stdout",
                "stderr",
                "terminal-input",
                "terminal-output",
                "terminal-stdin",
                "terminal-stdout",
                "terminal-stderr",
            }
        ),
    ),
    "filesystem": (WASIP2, frozenset({"types", "preopens"})),
    "sockets": (
        WASIP2,
        frozenset(
            {
                "network",
                "instance-network",
                "udp",
                "udp-create-socket",
                "tcp",
                "tcp-create-socket",
                "ip-name-lookup",
            }
        ),
    ),
    "http": (WASI_HTTP, frozenset({"types", "outgoing-handler"})),
}


def wasmtime_provider(resolve: ir.Resolve, interface_id: ir.InterfaceId) -> Provider | None:
    """The wasmtime call that implements the interface, or None when it does not."""
    interface = resolve.interfaces[interface_id]
    if interface.name is None or interface.package is None:
        return None
    name = resolve.packages[interface.package].name
    version = name.version
    if name.namespace != "wasi" or version is None:
        return None
    if (version.major, version.minor, version.pre) != (0, 2, ""):
        return None
    provided = _PROVIDED.get(name.name)
    if provided is None or interface.name not in provided[1]:
        return None
    return provided[0]


def matches(pattern: str, full_name: str) -> bool:
    """Whether `--implement pattern` names the interface `full_name`
    (`ns:pkg/iface@version`): without `@`, any version matches."""
    if "@" in pattern:
        return fnmatchcase(full_name, pattern)
    return fnmatchcase(full_name.split("@", 1)[0], pattern)


def choose_providers(
    resolve: ir.Resolve,
    world_id: ir.WorldId,
    imported: Iterable[ir.InterfaceId],
    implement: Sequence[str],
    used: set[str],
) -> tuple[dict[ir.InterfaceId, Provider], list[Diagnostic]]:
    """Which of the world's `imported` interfaces wasmtime links (those it
    provides that no pattern of `implement` names), and a diagnostic per
    interface the user would implement that shares a resource with one
    wasmtime links.  The patterns that named an interface are added to `used`."""
    providers: dict[ir.InterfaceId, Provider] = {}
    python: list[ir.InterfaceId] = []
    for interface_id in imported:
        provider = wasmtime_provider(resolve, interface_id)
        full_name = resolve.interface_id(interface_id)
        if provider is None or full_name is None:
            python.append(interface_id)
            continue
        chosen = [pattern for pattern in implement if matches(pattern, full_name)]
        used.update(chosen)
        if chosen:
            python.append(interface_id)
        else:
            providers[interface_id] = provider
    problems = []
    for mine in python:
        for theirs in providers:
            shared = _shared_resource(resolve, mine, theirs) or _shared_resource(
                resolve, theirs, mine
            )
            if shared is not None:
                world = resolve.worlds[world_id]
                problems.append(
                    Diagnostic(
                        f"world `{world.name}`: `{resolve.interface_id(mine)}` cannot be "
                        f"implemented in Python while wasmtime implements "
                        f"`{resolve.interface_id(theirs)}`: they share the resource "
                        f"`{shared}`, whose handles only one side can read; implement both "
                        "(`--implement` each) or neither",
                        world.span,
                    )
                )
                break
    return providers, problems


def _shared_resource(
    resolve: ir.Resolve, user: ir.InterfaceId, owner: ir.InterfaceId
) -> str | None:
    """The name of a resource of `owner` that `user` uses (`use owner.{r}`), if any."""
    for _, type_id in resolve.interfaces[user].types:
        target = resolve.resolved(type_id)
        if not isinstance(target, int) or target == type_id:
            continue
        typedef = resolve.types[target]
        if isinstance(typedef.kind, ir.ResourceKind) and typedef.owner == ir.InterfaceOwner(owner):
            return typedef.name
    return None
