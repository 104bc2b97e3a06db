"""`witgen generate --guest` over real worlds: every world of the WASI 0.2.0
packages (`../shared/wasi-0.2.0`) and of every accepted case of the conformance
corpus (`../shared/conformance`) that componentize-py 0.25.1 writes bindings of.

For each world: the stub generates, and every `.py` of it (`app.py`,
`wit_imports.py`, the modules of exported resources) passes `mypy --strict`
against componentize-py's own bindings of the world; or, where componentize-py
cannot build the world (a resource the world defines itself, an exported
interface with nothing in it), witgen refuses it with one located diagnostic per
place, and the test checks componentize-py's side of it.  A world
componentize-py refuses outright (no bindings) is skipped, with its reason.

A case is resolved with its default features, and with all features when that
fails (cases about `@unstable` gates need them); componentize-py gets the same.
componentize-py's bindings are cached by content hash (the WIT files, the world,
the features, componentize-py's version) under pytest's cache, with a mypy cache
beside them; the module takes 100-130 s cold and about 40 s warm on 2 shared
CPUs (hence `slow`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from support.corpus import CONFORMANCE, cases, have_corpus, wasi_packages
from support.guests import componentize_py_available, componentize_py_version

from witgen.diagnostics import SourceMap, WitError
from witgen.guest.build import componentize_py_command
from witgen.guest.generate import generate_guest, write_guest
from witgen.resolve.passes import resolve_path

if not componentize_py_available():
    pytest.skip("componentize-py is not installed", allow_module_level=True)

pytestmark = pytest.mark.slow

# Bumped when the way the bindings are made changes without their inputs changing.
_CACHE_SCHEMA = "witgen-test-guest-bindings/2"


def _inputs() -> list[Path]:
    found = list(wasi_packages())
    if have_corpus():
        found += [CONFORMANCE / case.path for case in cases() if case.expect == "ok"]
    return found


def _worlds() -> list[object]:
    """(WIT path, world, all features?) of every world of each input's main package."""
    params: list[object] = []
    for wit in _inputs():
        for all_features in (False, True):
            try:
                resolve = resolve_path(str(wit), (), all_features, SourceMap())
            except WitError:
                continue
            break
        else:
            continue  # gated in a way no switch here opens (test_conformance.py covers it)
        shown = wit.relative_to(wit.parents[1]).as_posix()
        for world in resolve.worlds:
            if world.package == resolve.main:
                params.append(
                    pytest.param(wit, world.name, all_features, id=f"{shown}:{world.name}")
                )
    if not params:
        params.append(pytest.param(None, "", False, marks=pytest.mark.skip(reason="no ../shared")))
    return params


def _wit_files(wit: Path) -> list[Path]:
    if wit.is_file():
        return [wit]
    return sorted(path for path in wit.rglob("*") if path.is_file())


def _bindings(cache: Path, wit: Path, world: str, all_features: bool) -> Path | str:
    """componentize-py's bindings of `world` (cached), or why it refuses the world."""
    digest = hashlib.sha256()
    for part in (_CACHE_SCHEMA, world, str(all_features), componentize_py_version()):
        digest.update(part.encode() + b"\0")
    for path in _wit_files(wit):
        digest.update(path.relative_to(wit.parent).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    folder = cache / digest.hexdigest()[:16]
    refused = folder / "refused.txt"
    if refused.is_file():
        return refused.read_text()
    if (folder / "bindings").is_dir():
        return folder / "bindings"
    command = componentize_py_command()
    assert command is not None
    folder.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=folder))
    features = ["--all-features"] if all_features else []
    done = subprocess.run(
        [*command, *features, "-d", str(wit), "-w", world, "bindings", str(temporary / "b")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        # its message: the Python exception's line, not the Rust backtrace after it
        lines = done.stderr.strip().splitlines()
        why = next((line for line in lines if re.match(r"\w+(Error|Exception): ", line)), None)
        why = why or (lines[-1] if lines else "(no message)")
        refused.write_text(why)
        shutil.rmtree(temporary)
        return why
    with contextlib.suppress(OSError):  # another worker put the same ones in place first
        os.replace(temporary / "b", folder / "bindings")
    shutil.rmtree(temporary, ignore_errors=True)
    return folder / "bindings"


@pytest.fixture(scope="module")
def cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config_cache = getattr(request.config, "cache", None)
    if config_cache is not None:
        return Path(config_cache.mkdir("witgen-guest-bindings"))
    return tmp_path_factory.mktemp("witgen-guest-bindings")


def _check_refusal(
    error: WitError, bindings: Path, *, wit: Path, world: str, all_features: bool, tmp_path: Path
) -> None:
    """A refusal is located, and componentize-py could not build the world either:
    a resource the world defines itself (its build looks for the class in
    `wit_world`, which its bindings never define), or an exported interface with
    nothing in it (its build fails, which a build of an empty app shows: it fails
    before it runs any Python, in about 3 s)."""
    assert error.diagnostics
    init = (bindings / "wit_world" / "__init__.py").read_text()
    empty_exports = False
    for diagnostic in error.diagnostics:
        assert diagnostic.span is not None, diagnostic.message
        resource = re.search(r"defines resource `([a-z0-9-]+)`", diagnostic.message)
        if resource is not None:
            name = "".join(word.capitalize() for word in resource[1].split("-"))
            assert f"class {name}" not in init
        else:
            assert "exported with no type and no function" in diagnostic.message
            empty_exports = True
    if empty_exports:
        command = componentize_py_command()
        assert command is not None
        (tmp_path / "empty").mkdir()
        (tmp_path / "empty" / "app.py").write_text("")
        features = ["--all-features"] if all_features else []
        app = ["-p", str(tmp_path / "empty"), "app", "-o", str(tmp_path / "x.wasm")]
        built = subprocess.run(
            [*command, *features, "-d", str(wit), "-w", world, "componentize", *app],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert built.returncode != 0
        assert "component index out of bounds" in built.stderr


@pytest.mark.parametrize(("wit", "world", "all_features"), _worlds())
def test_world_stub_passes_mypy_strict(
    wit: Path, world: str, all_features: bool, cache: Path, tmp_path: Path
) -> None:
    bindings = _bindings(cache, wit, world, all_features)
    if isinstance(bindings, str):
        pytest.skip(f"componentize-py 0.25.1 refuses it: {bindings}")
    app = tmp_path / "app"
    try:
        files = generate_guest(wit, world, app, all_features=all_features)
    except WitError as error:
        _check_refusal(
            error, bindings, wit=wit, world=world, all_features=all_features, tmp_path=tmp_path
        )
        return
    write_guest(app, files)
    sources = sorted(path.name for path in app.glob("*.py"))
    command = [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.11"]
    # errors inside componentize-py's own modules (its async support does not pass
    # mypy against typeshed) are not the stub's
    command += ["--follow-imports=silent", "--cache-dir", str(bindings.parent / "mypy")]
    env = {"MYPYPATH": str(bindings), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        command + sources, cwd=app, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
