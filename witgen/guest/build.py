"""`witgen build`: a Python app folder to a component, its manifest checked first.

In: the app folder (its module, `app` by default, and what it imports), the WIT
folder and world (by default, what `wit_imports.py` in the app folder records),
the output path and the component's `Component.toml`.  Out: a `Built` (the
`.wasm` path, its size, the seconds componentize-py took, the warnings).

Before componentize-py runs, `check_manifest` compares the manifest with what a
component of the world imports (componentize-py imports the whole world), with
the checks the host makes when it loads the component
(`witgen.permissions`: the manifest loads; `InterfaceValidator.check_manifest`
accepts the imports, `[dependencies]` and `api-version`), so a build never makes
a component the host would refuse.  Grants are compared with the `Capability:`
lines of the imported functions:

* an imported interface whose calls all need grants the manifest does not give
  is a *warning*, not an error: componentize-py imports every interface of the
  world, used or not, and the host denies each such call at run time;
* a grant for a capability that nothing imported needs is a warning too (least
  privilege: remove it).

Raises `BuildError` (componentize-py missing, or failed: the message holds its
stderr; the manifest has errors: the message lists them; the app folder has no
module), `WitError` for WIT that does not resolve, `OSError` for I/O.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# The componentize-py that witgen is tested with: what `pip install 'witgen[guest]'`
# installs (pyproject.toml's `guest` extra pins the same version).
COMPONENTIZE_PY = "componentize-py==0.25.1"
INSTALL_HINT = (
    f"install it with `pip install 'witgen[guest]'` ({COMPONENTIZE_PY}, the version witgen "
    "is tested with)"
)

# A build that takes longer than this is stuck (a normal one takes 6-25 s).
BUILD_TIMEOUT_S = 600
# What never goes into a component from the app folder: bytecode, components
# built earlier (the default output is in the app folder), their compiled forms.
IGNORED = ("__pycache__", "*.wasm", "*.cwasm", "*.cwasm.sha256", "*.lock", "*.witgen-tmp")


class BuildError(Exception):
    """The build cannot go on; the message says why (and holds componentize-py's stderr)."""


@dataclass(frozen=True, slots=True)
class ImportedInterface:
    """An interface a world imports, and the grants its functions need."""

    name: str  # `ns:pkg/name@version`
    needs: tuple[str, ...]  # every capability a function's `Capability:` line names
    every_call_needs_one: bool  # no function of it works without a grant


@dataclass(frozen=True, slots=True)
class ManifestReport:
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Built:
    wasm: Path
    size: int  # bytes
    seconds: float  # componentize-py's wall time
    warnings: tuple[str, ...]


# ---------------------------------------------------------------- componentize-py


@cache
def componentize_py_command() -> tuple[str, ...] | None:
    """How to run componentize-py: the console script beside the interpreter, or
    the interpreter running the module's entry point; None when neither works."""
    script = Path(sys.executable).parent / "componentize-py"
    if script.is_file() and os.access(script, os.X_OK):
        return (str(script),)
    module = (
        sys.executable,
        "-c",
        "import sys; from componentize_py import script; "
        "sys.argv[0] = 'componentize-py'; sys.exit(script())",
    )
    try:
        probe = subprocess.run(
            [*module, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return module if probe.returncode == 0 else None


def run_componentize(
    command: Sequence[str],
    *,
    app_dir: Path,
    world: str,
    wit_dir: Path,
    module: str,
    out: Path,
    python_path: Sequence[Path] = (),
    packages: Sequence[Path] = (),
    ignore: Sequence[str] = IGNORED,
    relay: bool = False,
) -> None:
    """Run `componentize-py -d wit_dir -w world componentize module -p <copy of app_dir>
    [-p <copy of a python_path folder>...] [-p <copies of the packages>] -o out`;
    `BuildError` with its command line and stderr when it fails.  `packages` are
    package folders (such as the installed `airssys_sdk`) copied into one folder
    of their own, so that what sits beside them (a site-packages) stays out.

    It builds from copies of the folders (without `ignore`d files): the guest
    interpreter writes `__pycache__` into its python path during the build.  Only
    that folder goes into the component: no virtualenv's site-packages
    (componentize-py adds `$VIRTUAL_ENV`'s) and no current folder (the default
    python path is `.`, so componentize-py runs in an empty folder).

    With `relay`, componentize-py runs without `--quiet` and what it prints goes
    to this process's standard error as it comes (a person at a terminal sees
    the build going on); otherwise it is quiet and its output is captured."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["RUST_BACKTRACE"] = "0"  # the error, not pages of native backtrace
    with tempfile.TemporaryDirectory(prefix="witgen-guest-") as workdir:
        app_copy = Path(workdir) / "app"
        shutil.copytree(app_dir, app_copy, ignore=shutil.ignore_patterns(*ignore))
        extra: list[str] = []
        for index, folder in enumerate(python_path):
            copy = Path(workdir) / f"path{index}"
            shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(*ignore))
            extra += ["-p", str(copy)]
        if packages:
            shared = Path(workdir) / "packages"
            for package in packages:
                shutil.copytree(
                    package, shared / package.name, ignore=shutil.ignore_patterns(*ignore)
                )
            extra += ["-p", str(shared)]
        empty = Path(workdir) / "cwd"
        empty.mkdir()
        argv = [
            *command,
            *(() if relay else ("--quiet",)),
            "-d",
            str(wit_dir.resolve()),
            "-w",
            world,
            "componentize",
            module,
            "-p",
            str(app_copy),
            *extra,
            "-o",
            str(out.resolve()),
        ]
        try:
            sys.stderr.flush()
            done = subprocess.run(
                argv,
                cwd=empty,
                env=env,
                stdout=sys.stderr.fileno() if relay else subprocess.PIPE,
                stderr=None if relay else subprocess.PIPE,
                text=True,
                timeout=BUILD_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise BuildError(f"{' '.join(argv)}: {error}") from error
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        output = (done.stderr or "").strip() or (done.stdout or "").strip()
        raise BuildError(
            f"componentize-py failed (exit {done.returncode}): {' '.join(argv)}\n"
            f"{'(its output is above)' if relay else output}"
        )


# ---------------------------------------------------------------- the manifest


def check_manifest(manifest_path: Path, imports: Sequence[ImportedInterface]) -> ManifestReport:
    """The manifest against what a world imports (see the module docstring)."""
    from witgen.permissions import (
        CAPABILITIES,
        InterfaceValidator,
        ManifestError,
        load_manifest,
    )

    try:
        manifest = load_manifest(manifest_path)
    except ManifestError as error:
        return ManifestReport(tuple(str(problem) for problem in error.problems), ())
    except OSError as error:
        return ManifestReport((f"{manifest_path}: {error.strerror}",), ())
    warnings = [str(warning) for warning in manifest.warnings]
    errors = [
        f"{manifest.file}: `{problem.name}`: {problem.kind.value}: {problem.message}"
        for problem in InterfaceValidator(links_wasi=True).check_manifest(
            manifest, [i.name for i in imports]
        )
    ]
    needed: set[str] = set()
    for interface in imports:
        needed.update(interface.needs)
        if interface.every_call_needs_one and not any(
            granted(manifest, capability) for capability in interface.needs
        ):
            warnings.append(
                f"{manifest.file}: the component imports `{interface.name}`, whose calls "
                f"need {', '.join(interface.needs)}, and the manifest grants none of them: "
                "the host will deny every call to it"
            )
    for capability in sorted(CAPABILITIES - needed):
        if granted(manifest, capability):
            warnings.append(
                f"{manifest.file}: grants {capability}, which nothing the component imports "
                "needs; remove the grant (least privilege)"
            )
    return ManifestReport(tuple(errors), tuple(warnings))


def granted(manifest: object, capability: str) -> bool:
    """Whether `manifest` (a `witgen.permissions.Manifest`) grants `capability` at all."""
    from witgen.permissions import Manifest

    assert isinstance(manifest, Manifest)
    kind, _, action = capability.partition(".")
    if kind == "filesystem":
        return bool(getattr(manifest.filesystem, action, ()))
    if kind == "network":
        return any(grant.action == action for grant in manifest.network)
    if kind == "storage":
        return bool(manifest.storage.namespaces)
    if kind == "process":
        return bool(manifest.process)
    if kind == "messaging":
        return bool(manifest.messaging)
    return False


# ---------------------------------------------------------------- the build


_RECORDED = re.compile(r'^(WIT_WORLD|WIT_PATH) = "([^"\\]*)"', re.MULTILINE)


def recorded_defaults(app_dir: Path) -> dict[str, str]:
    """`WIT_WORLD` and `WIT_PATH` as `witgen generate --guest` recorded them in
    `wit_imports.py` (the path relative to the app folder); {} without one."""
    try:
        text = (app_dir / "wit_imports.py").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return dict(_RECORDED.findall(text))


def world_imports(
    wit: Path, world: str, features: Sequence[str] = (), all_features: bool = False
) -> list[ImportedInterface]:
    """Every interface `world` of the WIT at `wit` imports, with the grants it needs."""
    from witgen import ir
    from witgen.conventions import capabilities
    from witgen.diagnostics import SourceMap
    from witgen.resolve.passes import resolve_path
    from witgen.resolve.select import select_world

    sources = SourceMap()
    shown = os.path.relpath(wit)
    resolve = resolve_path(
        str(wit) if shown.startswith("..") else shown, features, all_features, sources
    )
    found = []
    for key, item in resolve.worlds[select_world(resolve, world)].imports:
        if isinstance(item, ir.InterfaceItem):
            interface = resolve.interfaces[item.interface]
            needs = [capabilities(function.docs) for _, function in interface.functions]
            found.append(
                ImportedInterface(
                    resolve.world_key_name(key),
                    tuple(sorted(set().union(*needs))),
                    bool(needs) and all(needs),
                )
            )
    return found


def sdk_folder() -> Path | None:
    """The folder of the installed guest SDK package, `airssys_sdk` (None without it)."""
    import importlib.util

    spec = importlib.util.find_spec("airssys_sdk")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def build_component(
    app_dir: Path,
    *,
    wit: Path,
    world: str,
    out: Path,
    manifest: Path,
    module: str = "app",
    python_path: Sequence[Path] = (),
    warn: Callable[[str], None] | None = None,
    progress: Callable[[str], None] | None = None,
    relay: bool = False,
) -> Built:
    """Check the manifest, then build (see the module docstring).

    The app can import modules from `python_path` folders and the guest SDK,
    `airssys_sdk`, which is installed with witgen.  `warn` is called with each
    of the manifest's warnings as soon as the check made them (before the
    build; `Built.warnings` lists them too), `progress` with a line before each
    long step, and `relay` lets componentize-py print (see `run_componentize`)."""
    if not (app_dir / f"{module}.py").is_file() and not (app_dir / module).is_dir():
        raise BuildError(f"{app_dir}: no module `{module}` (no {module}.py) to build")
    if progress is not None:
        progress(f"checking {manifest} against world `{world}`")
    report = check_manifest(manifest, world_imports(wit, world))
    if warn is not None:
        for warning in report.warnings:
            warn(warning)
    if report.errors:
        lines = "\n".join(f"  {error}" for error in report.errors)
        raise BuildError(f"the manifest does not fit the component:\n{lines}")
    command = componentize_py_command()
    if command is None:
        raise BuildError(
            f"componentize-py is not installed beside {sys.executable}; {INSTALL_HINT}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.witgen-tmp")
    started = time.perf_counter()
    if progress is not None:
        progress(f"building {out} with componentize-py (this takes 10 s to a few minutes)")
    try:
        sdk = sdk_folder()
        run_componentize(
            command,
            app_dir=app_dir,
            world=world,
            wit_dir=wit,
            module=module,
            out=temporary,
            python_path=python_path,
            packages=[sdk] if sdk is not None else [],
            relay=relay,
        )
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    return Built(out, out.stat().st_size, seconds, report.warnings)
