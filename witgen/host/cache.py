"""Compiled components, kept on disk so a component compiles once.

In: a component's bytes, an engine and the name of its configuration.  Out:
a `wasmtime.component.Component`, loaded with `Component.deserialize_file`
(about 2 ms for an 18 MB componentize-py guest, against 5-7 s to compile it)
when the cache has it, compiled and stored otherwise.  Raises
`wasmtime.WasmtimeError` for bytes that are not a valid component.

An entry is keyed by the SHA-256 of the component, wasmtime's version and
the engine configuration, and stored with a seal beside it: the SHA-256 of
the compiled artifact and the file's identity when it was written (device,
inode, size, modification time).  Deserializing runs the machine code in the
artifact, so an entry is used only when the file is still the one written
(same identity) or still has that hash (hashing an 18 MB guest's 33 MB
artifact takes about 25 ms, so it is done only when the identity changed): a
truncated, corrupted or foreign file is compiled afresh and replaced, never
trusted.
`on_compile`, when set, is called before a component is compiled (not when it
is taken from the cache): a command tells its user why the first load of a
component takes seconds to minutes.
Entries are written to a temporary file and renamed, so concurrent loaders
(threads, processes) never see half an entry.  The last few components
loaded are also kept in memory (`KEPT`), so a component loaded again (another
instance, a reload) is not deserialized again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as distribution_version
from pathlib import Path

from wasmtime import Engine, WasmtimeError
from wasmtime.component import Component

from witgen.caching import cache_root, write_atomically


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/witgen/components` (`~/.cache/witgen/components`)."""
    return Path(cache_root(), "components")


@functools.cache
def _wasmtime_version() -> str:
    try:
        return distribution_version("wasmtime")
    except PackageNotFoundError:  # pragma: no cover - a source checkout of wasmtime-py
        return "unknown"


KEPT = 4  # components kept in memory, the most recently loaded


@dataclass(frozen=True, slots=True)
class Loaded:
    component: Component
    digest: str  # SHA-256 of the component's bytes
    from_cache: bool  # False when it was compiled by this call


class ComponentCache:
    """Compiled components in `directory`, for engines configured as `config_name` says.

    `config_name` must change whenever the engine configuration changes (an
    artifact compiled under another configuration does not load).
    """

    def __init__(self, directory: str | os.PathLike[str] | None, config_name: str) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.config_name = config_name
        # The digests of component files read before, by their identity: a file
        # loaded again (a restart, another instance) is not read or hashed again.
        self._digests: dict[tuple[str, int, int, int, int], str] = {}
        # The last `KEPT` components, by cache key, with their engine (a
        # `Component` is immutable and may be instantiated in any number of
        # stores of its engine).
        self._kept: OrderedDict[str, tuple[Engine, Component]] = OrderedDict()
        self.on_compile: Callable[[], None] | None = None

    def load(self, engine: Engine, source: bytes | str | os.PathLike[str]) -> Loaded:
        """The component in `source` (its bytes, or its file), from the cache or
        compiled (and then cached)."""
        data: bytes | None = None
        path = ""
        if isinstance(source, bytes):
            data = source
            digest = hashlib.sha256(data).hexdigest()
        else:
            path = os.path.realpath(source)
            stat = os.stat(path)
            identity = (path, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
            memo = self._digests.get(identity)
            if memo is None:
                data = Path(path).read_bytes()
                memo = self._digests[identity] = hashlib.sha256(data).hexdigest()
            digest = memo
        key = hashlib.sha256(
            f"{digest}\0{_wasmtime_version()}\0{self.config_name}".encode()
        ).hexdigest()
        kept = self._kept.get(key)
        if kept is not None and kept[0] is engine:
            self._kept.move_to_end(key)
            return Loaded(kept[1], digest, True)
        artifact = self.directory / f"{key[:32]}.cwasm"
        seal = artifact.with_suffix(".seal")
        component = self._trusted(engine, artifact, seal)
        if component is not None:
            return Loaded(self._keep(key, engine, component), digest, True)
        if data is None:
            data = Path(path).read_bytes()
            if hashlib.sha256(data).hexdigest() != digest:  # changed in place since: start over
                self._digests.clear()
                return self.load(engine, data)
        if self.on_compile is not None:
            self.on_compile()
        component = Component(engine, data)
        self._store(component, artifact, seal)
        return Loaded(self._keep(key, engine, component), digest, False)

    def _keep(self, key: str, engine: Engine, component: Component) -> Component:
        self._kept[key] = (engine, component)
        self._kept.move_to_end(key)
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)
        return component

    def _trusted(self, engine: Engine, artifact: Path, seal: Path) -> Component | None:
        try:
            recorded = json.loads(seal.read_text(encoding="utf-8"))
            expected = str(recorded["sha256"])
            identity = os.stat(artifact)
            if _identity(identity) != recorded.get("identity"):
                with open(artifact, "rb") as handle:
                    if hashlib.file_digest(handle, "sha256").hexdigest() != expected:
                        return None
                write_atomically(seal, _seal(expected, os.stat(artifact)), 0o644)
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            return None
        try:
            return Component.deserialize_file(engine, str(artifact))
        except WasmtimeError:
            return None  # another wasmtime or configuration after all: compile again

    def _store(self, component: Component, artifact: Path, seal: Path) -> None:
        """Write the entry; a cache that cannot be written is only a slower start."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = bytes(component.serialize())
            write_atomically(artifact, data, 0o644)
            digest = hashlib.sha256(data).hexdigest()
            write_atomically(seal, _seal(digest, os.stat(artifact)), 0o644)
        except OSError:
            pass


def _identity(stat: os.stat_result) -> list[int]:
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns]


def _seal(digest: str, stat: os.stat_result) -> bytes:
    return json.dumps({"sha256": digest, "identity": _identity(stat)}).encode() + b"\n"
