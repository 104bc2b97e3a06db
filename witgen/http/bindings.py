"""The bindings of the component being served: generated from its own types.

In: a component file and a cache folder.  Out: `ServedBindings`, the
generated witgen bindings of the component's world with every WASI import
implemented in Python (`witgen generate COMPONENT.wasm --implement 'wasi:*'`),
imported: the world module (its `IMPORTED_INTERFACES`), and the module of each
interface it imports or exports, by name without version
(`"wasi:http/types"`).  Raises `ServeError` for a component that is not one
(a decoding error, with wit-parser's message), one that does not export
`wasi:http/incoming-handler`, or a cache folder that cannot be written.

Why generate at all, and from the component: the component says exactly
which WASI it imports (componentize-py 0.25 imports 0.2.9, others 0.2.0 to
0.2.x) and the types of every function; bindings made from its own types
link every import at the version it asks for, and no copy of the WASI WIT
ships with witgen.  The bindings are written under
`<cache>/http-bindings/<digest16>/witgen_served_<digest16>/` (the digest is
the component's sha256) and regenerated only when `witgen generate` would
(`codegen.generate.up_to_date`: witgen's version and generator changed); two
processes generating at once take turns on a lock file.
"""

from __future__ import annotations

import fcntl
import importlib
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from witgen.codegen.generate import Options, generate_files, up_to_date, write_files
from witgen.diagnostics import WitError

# Every WASI interface the component imports is linked from Python (`witgen.http.wasi`).
IMPLEMENT = ("wasi:*",)
INCOMING_HANDLER = "wasi:http/incoming-handler"

_IMPORTING = threading.Lock()


class ServeError(Exception):
    """The component cannot be served (the message says why)."""


@dataclass(frozen=True, slots=True)
class ServedBindings:
    world: ModuleType  # the world module: IMPORTED_INTERFACES, EXPORTED_INTERFACES
    imports: dict[str, ModuleType]  # "wasi:io/streams" -> the interface module
    versions: dict[str, str]  # "wasi:io/streams" -> "wasi:io/streams@0.2.9"
    handler: ModuleType  # the module of the exported wasi:http/incoming-handler

    def interface(self, name: str) -> ModuleType:
        """The module of the imported interface `name` (`ns:pkg/iface`, no version)."""
        module = self.imports.get(name)
        if module is None:
            raise ServeError(f"the component does not import `{name}`")
        return module


def unversioned(name: str) -> str:
    """`wasi:io/streams@0.2.9` -> `wasi:io/streams`."""
    return name.partition("@")[0]


def load_bindings(component: Path, digest: str, cache_dir: Path) -> ServedBindings:
    """The bindings of `component` (whose sha256 is `digest`), generated into
    `cache_dir` when they are not there yet, and imported."""
    tag = digest[:16]
    folder = cache_dir / "http-bindings" / tag
    package = f"witgen_served_{tag}"
    options = Options(
        wit=component.resolve(),
        out=folder / package,
        base=folder,
        implement=IMPLEMENT,
        wit_digest=digest,  # the compile cache hashed the component already
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            if not up_to_date(options):
                write_files(options.out, generate_files(options))
    except WitError as error:
        raise ServeError(f"{component}: not a component witgen can read: {error}") from None
    except OSError as error:
        raise ServeError(f"cannot write the bindings of {component} to {folder}: {error}") from None
    world_file = _world_module(options.out)
    with _IMPORTING:
        if str(folder) not in sys.path:
            sys.path.append(str(folder))
        importlib.invalidate_caches()
        world = importlib.import_module(f"{package}.{world_file}")
    return _collect(component, world)


def _world_module(out: Path) -> str:
    """The dotted name (under the package) of the world module of generated bindings:
    the one module that defines `instantiate_with`."""
    for path in sorted(out.rglob("*.py")):
        if "\ndef instantiate_with(" in path.read_text(encoding="utf-8"):
            return ".".join(path.relative_to(out).with_suffix("").parts)
    raise ServeError(f"no world module in the bindings at {out}")


def _collect(component: Path, world: Any) -> ServedBindings:
    imports: dict[str, ModuleType] = {}
    versions: dict[str, str] = {}
    for name, module in world.IMPORTED_INTERFACES.items():
        imports[unversioned(name)] = module
        versions[unversioned(name)] = name
    handlers = [
        module
        for name, module in world.EXPORTED_INTERFACES.items()
        if unversioned(name) == INCOMING_HANDLER
    ]
    if not handlers:
        exported = ", ".join(sorted(world.EXPORTED_INTERFACES)) or "nothing"
        raise ServeError(
            f"{component} does not export `{INCOMING_HANDLER}` (it exports {exported}): "
            "witgen serve runs components of the `wasi:http/proxy` world"
        )
    return ServedBindings(world, imports, versions, handlers[0])
