"""Python guest components for tests, built with componentize-py and cached.

A guest is a folder holding a componentize-py app (`app.py` and the modules it
imports).  componentize-py generates the guest bindings of the world itself at build
time (module `wit_world`), so the folder holds no generated code.

Public functions
----------------
`build_guest(app_dir, world, wit_dir, cache_dir, module="app", *, python_path=()) -> Path`
    Runs `componentize-py -d <wit_dir> -w <world> componentize <module> -p <app_dir>`
    (then `-p <folder>` for each folder of `python_path`, such as the guest SDK's
    `sdk/`) and returns the component's path, `<cache_dir>/<world>-<hash16>.wasm`
    (a fully qualified world has its `:`, `/` and `@` written `-` there:
    `wasi-http-proxy-0.2.0-<hash16>.wasm`).
    The hash (sha256) covers every file under `app_dir` (relative path and bytes;
    `__pycache__` left out), every file under `wit_dir` and under each `python_path`
    folder, the world, the module name and the componentize-py version, so any
    change rebuilds and nothing else does.  A build
    takes 6-7 s on 2 idle CPUs (12-24 s when other work shares them) and gives a
    component of about 18.6 MB; componentize-py's output is not byte-for-byte
    reproducible, which is why the key is the inputs.
`load_guest(engine, wasm_path, *, flavour="") -> wasmtime.component.Component`
    Compiles `wasm_path` once (5-7 s for a componentize-py guest on idle CPUs) and keeps the
    serialized artifact beside it, `<stem>.wasmtime-<version>[-<flavour>].cwasm`;
    later loads map that file (`Component.deserialize_file`, about 2 ms, after checking
    its sha256 against `<artifact>.sha256`, written with it: about 30 ms for 33 MB).
    Deserializing runs the machine code in the file, so an artifact whose digest does
    not match (damaged, or not written here) is compiled afresh and rewritten, never
    given to wasmtime; one that wasmtime refuses (another wasmtime, an engine
    configured differently) is too.  Engines with different `Config`s should pass
    different `flavour`s, or they keep overwriting each other's artifact.
`componentize_py_available() -> bool`
    Whether componentize-py can be run, so that tests can skip without it.
`componentize_py_version() -> str`
`guest_hash(app_dir, world, wit_dir, module="app", *, python_path=()) -> str`
`artifact_path(wasm_path, flavour="")`
    The cache key of a build, and where `load_guest` keeps a compiled component.

Concurrency: pytest-xdist workers may ask for the same build or compile at once.
Each holds an exclusive `fcntl.flock` on `<cache_dir>/<hash16>.lock` (a build) or
`<stem>.wasmtime-<version>[-<flavour>].lock` (a compile) while it works, looks at the
cache again once it has the lock, and writes to a temporary file in the same folder
that `os.replace` puts in place, so nobody ever sees a partial file.

Errors: `GuestBuildError` (componentize-py is missing, or failed: the message holds
its command line and stderr); `wasmtime.WasmtimeError` from `load_guest` when the
component does not compile.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as distribution_version
from pathlib import Path

from wasmtime import Engine, WasmtimeError
from wasmtime.component import Component

from witgen.guest.build import BuildError, componentize_py_command, run_componentize

__all__ = [
    "GuestBuildError",
    "artifact_path",
    "build_guest",
    "componentize_py_available",
    "componentize_py_version",
    "guest_hash",
    "load_guest",
]

# Bumped when the way a guest is built changes without its inputs changing.
_CACHE_SCHEMA = "witgen-test-guests/1"

# A build that takes longer than this is stuck (a normal one takes 6-25 s).
_BUILD_TIMEOUT_S = 600


class GuestBuildError(RuntimeError):
    """componentize-py is missing or failed; the message holds its stderr."""


# ---------------------------------------------------------------- componentize-py


def _componentize_py_command() -> tuple[str, ...] | None:
    """How to run componentize-py (`witgen.guest.build.componentize_py_command`)."""
    return componentize_py_command()


def componentize_py_available() -> bool:
    """Whether componentize-py can be run from this interpreter."""
    return _componentize_py_command() is not None


@cache
def componentize_py_version() -> str:
    """The version of componentize-py (`GuestBuildError` if it is missing)."""
    try:
        return distribution_version("componentize-py")
    except PackageNotFoundError:
        pass
    command = _componentize_py_command()
    if command is None:
        raise GuestBuildError("componentize-py is not installed beside " + sys.executable)
    done = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise GuestBuildError(f"componentize-py --version failed:\n{done.stderr}")
    return done.stdout.strip().rpartition(" ")[2]


# ---------------------------------------------------------------- caching


def _files(root: Path) -> list[Path]:
    """Every file under `root`, sorted, without `__pycache__` folders."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.relative_to(root).parts
    )


def _feed(update: Callable[[bytes], None], *parts: bytes) -> None:
    """Feed `parts` to a hash, each prefixed by its length (so no two splits collide)."""
    for part in parts:
        update(len(part).to_bytes(8, "little"))
        update(part)


def _hash_tree(update: Callable[[bytes], None], label: str, root: Path) -> None:
    for path in _files(root):
        _feed(update, label.encode(), path.relative_to(root).as_posix().encode())
        _feed(update, path.read_bytes())


def guest_hash(
    app_dir: Path,
    world: str,
    wit_dir: Path,
    module: str = "app",
    *,
    python_path: Sequence[Path] = (),
) -> str:
    """The sha256 (hex) a build of these inputs is cached under."""
    digest = hashlib.sha256()
    parts = (_CACHE_SCHEMA, world, module, componentize_py_version())
    _feed(digest.update, *(part.encode() for part in parts))
    _hash_tree(digest.update, "app", app_dir)
    _hash_tree(digest.update, "wit", wit_dir)
    for index, folder in enumerate(python_path):  # none: the hash of a build without them
        _hash_tree(digest.update, f"path{index}", folder)
    return digest.hexdigest()


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on `lock_path` (created if needed)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _temporary_beside(path: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=path.parent)
    os.fchmod(fd, 0o644)  # mkstemp's 0600 would keep the cache from other users
    os.close(fd)
    return Path(name)


# ---------------------------------------------------------------- building


def build_guest(
    app_dir: Path,
    world: str,
    wit_dir: Path,
    cache_dir: Path,
    module: str = "app",
    *,
    python_path: Sequence[Path] = (),
) -> Path:
    """The component componentize-py makes of `module` in `app_dir` (importing from
    `python_path` too) for `world` of the WIT in `wit_dir`, built at most once per
    content (see the module docstring)."""
    app_dir, wit_dir, cache_dir = Path(app_dir), Path(wit_dir), Path(cache_dir)
    python_path = [Path(folder) for folder in python_path]
    if not (app_dir / f"{module}.py").is_file() and not (app_dir / module).is_dir():
        raise GuestBuildError(f"{app_dir} has no module `{module}`")
    command = _componentize_py_command()
    if command is None:
        raise GuestBuildError("componentize-py is not installed beside " + sys.executable)
    hash16 = guest_hash(app_dir, world, wit_dir, module, python_path=python_path)[:16]
    target = cache_dir / f"{_file_stem(world)}-{hash16}.wasm"
    if target.is_file():
        return target
    with _locked(cache_dir / f"{hash16}.lock"):
        if target.is_file():  # another worker built it while we waited
            return target
        temporary = _temporary_beside(target, ".wasm")
        try:
            _componentize(
                command,
                app_dir=app_dir,
                python_path=python_path,
                world=world,
                wit_dir=wit_dir,
                module=module,
                out=temporary,
            )
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    return target


def _file_stem(world: str) -> str:
    """`world` as part of a file name: a specifier such as `wasi:http/proxy@0.2.0`
    would name a folder (`/`), so `:`, `/` and `@` become `-`; plain names (every
    world the other guests build) are unchanged, and so are their cache entries."""
    return world.replace(":", "-").replace("/", "-").replace("@", "-")


def _componentize(
    command: tuple[str, ...],
    *,
    app_dir: Path,
    python_path: Sequence[Path] = (),
    world: str,
    wit_dir: Path,
    module: str,
    out: Path,
) -> None:
    # `witgen build` runs componentize-py the same way (from a copy of the app
    # folder, in an empty folder, without the virtualenv's site-packages).
    try:
        run_componentize(
            command,
            app_dir=app_dir,
            world=world,
            wit_dir=wit_dir,
            module=module,
            out=out,
            python_path=python_path,
            ignore=("__pycache__",),
        )
    except BuildError as error:
        raise GuestBuildError(str(error)) from error


# ---------------------------------------------------------------- loading


def artifact_path(wasm_path: Path, flavour: str = "") -> Path:
    """Where `load_guest` keeps the compiled form of `wasm_path`."""
    wasmtime_version = distribution_version("wasmtime")
    suffix = f"-{flavour}" if flavour else ""
    return wasm_path.with_name(f"{wasm_path.stem}.wasmtime-{wasmtime_version}{suffix}.cwasm")


def _digest_path(artifact: Path) -> Path:
    return artifact.with_name(artifact.name + ".sha256")


def _file_digest(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _deserialize(engine: Engine, artifact: Path) -> Component | None:
    """The artifact, if it is the one `load_guest` wrote (its digest matches) and it
    deserializes for `engine`; `None` otherwise.

    Deserializing runs the machine code in the file, so a file whose digest does not
    match what was recorded when it was written is not even opened by wasmtime.
    """
    try:
        recorded = _digest_path(artifact).read_text().strip()
        if _file_digest(artifact) != recorded:
            return None
        return Component.deserialize_file(engine, str(artifact))
    except (OSError, WasmtimeError):
        return None  # missing, damaged, another wasmtime or engine config: compile afresh


def load_guest(engine: Engine, wasm_path: Path, *, flavour: str = "") -> Component:
    """`wasm_path` compiled for `engine`, through a serialized artifact beside it."""
    wasm_path = Path(wasm_path)
    artifact = artifact_path(wasm_path, flavour)
    component = _deserialize(engine, artifact)
    if component is not None:
        return component
    with _locked(artifact.with_suffix(".lock")):
        component = _deserialize(engine, artifact)  # another worker may have written it
        if component is not None:
            return component
        component = Component.from_file(engine, str(wasm_path))
        data = bytes(component.serialize())
        _write_atomically(artifact, data)
        _write_atomically(_digest_path(artifact), hashlib.sha256(data).hexdigest().encode())
    return component


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = _temporary_beside(path, path.suffix)
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
