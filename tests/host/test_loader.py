"""What the host checks before it instantiates a component (`witgen.host.loader`),
on components whose type is exactly a variant of the airssys WIT (built with
wasm-tools' dummy core module: every function traps, so only the checks run)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.components import build_dummy_component, find_wasm_tools

from witgen.host.airssys import AirssysHost, HostConfig, LoadError

if find_wasm_tools() is None:
    pytest.skip("wasm-tools is not installed in the venv", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = '[component]\nname = "probe"\nversion = "0.1.0"\n'


@pytest.fixture(scope="session")
def cache_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("witgen-components"))
    return tmp_path_factory.getbasetemp().parent / "witgen-components"


@pytest.fixture
def host(tmp_path: Path) -> Iterator[AirssysHost]:
    with AirssysHost(HostConfig(cache_dir=tmp_path / "cache")) as running:
        yield running


Edit = Callable[[Path], None]


def variant(tmp_path: Path, cache_dir: Path, world: str = "component", *edits: Edit) -> Path:
    """A component of the airssys WIT with `edits` applied to a copy of `wit/`."""
    wit = tmp_path / "wit"
    shutil.copytree(ROOT / "wit", wit, ignore=shutil.ignore_patterns("examples", "*.md", "*.sh"))
    for edit in edits:
        edit(wit)
    return build_dummy_component(wit, world, cache_dir=cache_dir)


def replace(relative: str, old: str, new: str) -> Edit:
    def edit(wit: Path) -> None:
        for path in [wit / relative, *wit.glob(f"deps/*/deps/*/{Path(relative).name}")]:
            if path.is_file() and old in path.read_text():
                path.write_text(path.read_text().replace(old, new))

    return edit


def manifest(tmp_path: Path, text: str = MANIFEST) -> Path:
    path = tmp_path / "Component.toml"
    path.write_text(text)
    return path


def test_a_component_of_the_airssys_world_passes_every_check(
    host: AirssysHost, tmp_path: Path, cache_dir: Path
) -> None:
    wasm = variant(tmp_path, cache_dir)
    report, _ = host.inspect(wasm.read_bytes(), manifest(tmp_path))
    assert [(v.check, v.ok) for v in report.verdicts] == [
        ("manifest", True),
        ("imports", True),
        ("types", True),
        ("lifecycle", True),
    ]
    # Its functions trap, so loading stops at the metadata call, after the checks.
    with pytest.raises(LoadError) as failed:
        host.load(wasm, manifest(tmp_path))
    assert failed.value.problems[0].startswith("component `probe`: metadata failed:")
    assert "probe" not in host.components


def test_the_extended_world_passes_too(host: AirssysHost, tmp_path: Path, cache_dir: Path) -> None:
    report, _ = host.inspect(
        variant(tmp_path, cache_dir, "extended-component").read_bytes(), manifest(tmp_path)
    )
    assert report.ok, report.problems()


def test_an_import_of_another_type_is_refused_before_instantiation(
    host: AirssysHost, tmp_path: Path, cache_dir: Path
) -> None:
    wasm = variant(
        tmp_path,
        cache_dir,
        "component",
        replace(
            "deps/host-core/host.wit",
            "sleep-millis: func(duration: u64);",
            "sleep-millis: func(duration: u32);",
        ),
    )
    with pytest.raises(LoadError) as refused:
        host.load(wasm, manifest(tmp_path))
    assert refused.value.problems == [
        "component `probe`: import `airssys:host-core/host-services@1.0.0`: function "
        "`sleep-millis`: parameter `duration`: is u32, where the host expects u64"
    ]


def test_an_export_of_another_type_is_refused(
    host: AirssysHost, tmp_path: Path, cache_dir: Path
) -> None:
    wasm = variant(
        tmp_path,
        cache_dir,
        "component",
        replace("lifecycle.wit", "health: func() -> health-status;", "health: func() -> bool;"),
    )
    report, _ = host.inspect(wasm.read_bytes(), manifest(tmp_path))
    (types,) = [v for v in report.verdicts if v.check == "types"]
    assert not types.ok
    assert types.details == (
        "export `airssys:component-core/component-lifecycle@1.0.0`: function `health`: "
        "result: is bool, where the host expects record `health-status`",
    )


def test_a_record_with_other_fields_is_refused(
    host: AirssysHost, tmp_path: Path, cache_dir: Path
) -> None:
    wasm = variant(
        tmp_path,
        cache_dir,
        "component",
        replace(
            "deps/host-core/types.wit",
            "request-id: request-id,\n        timeout-ms: u64,",
            "request-id: request-id,\n        deadline-ms: u64,",
        ),
    )
    problems = host.inspect(wasm.read_bytes(), manifest(tmp_path))[0].problems()
    assert (
        "component `probe`: export `airssys:component-core/component-lifecycle@1.0.0`: function "
        "`execute`: parameter `context`: fields (request-id, deadline-ms), where the host expects "
        "(request-id, timeout-ms)"
    ) in problems


def test_an_interface_the_host_does_not_provide(
    host: AirssysHost, tmp_path: Path, cache_dir: Path
) -> None:
    def add_import(wit: Path) -> None:
        (wit / "extra.wit").write_text(
            "package airssys:component-core@1.0.0;\ninterface extra { ping: func(); }\n"
        )
        worlds = wit / "worlds.wit"
        worlds.write_text(
            worlds.read_text().replace(
                "export component-lifecycle;", "export component-lifecycle;\n    import extra;"
            )
        )

    wasm = variant(tmp_path, cache_dir, "component", add_import)
    problems = host.inspect(wasm.read_bytes(), manifest(tmp_path))[0].problems()
    assert problems == [
        "component `probe`: import `airssys:component-core/extra@1.0.0`: the host does not "
        "provide it"
    ]


def test_a_version_the_host_does_not_provide(
    host: AirssysHost, tmp_path: Path, cache_dir: Path
) -> None:
    def bump(wit: Path) -> None:
        for path in wit.rglob("*.wit"):
            path.write_text(
                path.read_text()
                .replace("host-core@1.0.0", "host-core@1.4.0")
                .replace("host-core/types@1.0.0", "host-core/types@1.4.0")
                .replace("host-services@1.0.0", "host-services@1.4.0")
                .replace("capabilities@1.0.0", "capabilities@1.4.0")
            )

    wasm = variant(tmp_path, cache_dir, "component", bump)
    problems = host.inspect(wasm.read_bytes(), manifest(tmp_path))[0].problems()
    assert problems
    assert all("1.4.0" in problem for problem in problems), problems
    assert any("version mismatch" in problem for problem in problems), problems


def test_no_lifecycle_export(host: AirssysHost, tmp_path: Path, cache_dir: Path) -> None:
    wasm = variant(
        tmp_path,
        cache_dir,
        "component",
        replace("worlds.wit", "export component-lifecycle;", ""),
    )
    report, _ = host.inspect(wasm.read_bytes(), manifest(tmp_path))
    assert report.problems() == [
        "component `probe`: export `airssys:component-core/component-lifecycle`: the component "
        "does not export it"
    ]


def test_a_bad_manifest_fails_closed(host: AirssysHost, tmp_path: Path, cache_dir: Path) -> None:
    wasm = variant(tmp_path, cache_dir)
    bad = manifest(tmp_path, MANIFEST + "[capabilities.network]\nhost = 3\n")
    with pytest.raises(LoadError) as refused:
        host.load(wasm, bad)
    assert "capabilities.network" in str(refused.value)
    report, _ = host.inspect(wasm.read_bytes(), bad)
    assert [v.check for v in report.verdicts if not v.ok] == ["manifest"]


def test_not_a_component(host: AirssysHost, tmp_path: Path) -> None:
    with pytest.raises(LoadError) as refused:
        host.load(b"\0asm garbage", manifest(tmp_path))
    assert refused.value.problems[0].startswith("component `probe`: not a valid component:")


def _inspect(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "witgen", "inspect", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"XDG_CACHE_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin"},
    )


VERDICTS = "manifest: ok\nimports: ok\ntypes: ok\nlifecycle: ok\n"


def test_inspect_command(tmp_path: Path, cache_dir: Path) -> None:
    """The verdicts first, then the world as a summary: its interfaces by
    package, with their counts (issue 19: not 290 lines of WASI first)."""
    wasm = variant(tmp_path, cache_dir)
    result = _inspect(tmp_path, str(wasm), "--manifest", str(manifest(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == VERDICTS + (
        "\n"
        "world root:component/root\n"
        "  imports (3 interfaces):\n"
        "    airssys:host-core@1.0.0: capabilities, types, host-services\n"
        "  exports (1 interface):\n"
        "    airssys:component-core@1.0.0: component-lifecycle\n"
        "(`witgen inspect --wit` prints the whole world as WIT)\n"
    )


def test_inspect_command_prints_the_world_as_wit_with_wit(tmp_path: Path, cache_dir: Path) -> None:
    wasm = variant(tmp_path, cache_dir)
    result = _inspect(tmp_path, str(wasm), "--manifest", str(manifest(tmp_path)), "--wit")
    assert result.returncode == 0, result.stderr
    # The component's world, exactly as wasm-tools prints it (issue 17: one
    # description of a component), after the checks.
    wasm_tools = find_wasm_tools()
    assert wasm_tools is not None
    printed = subprocess.run(
        [wasm_tools, "component", "wit", str(wasm)], capture_output=True, text=True, check=True
    ).stdout
    assert "import airssys:host-core/host-services@1.0.0;" in printed
    assert result.stdout == VERDICTS + "\n" + printed


def test_inspect_says_it_compiles_once_on_a_terminal(tmp_path: Path, cache_dir: Path) -> None:
    """A first load compiles (seconds to minutes for a real guest): one line on
    standard error when it is a terminal, nothing once the component is cached
    (and nothing when standard error is not a terminal: `test_inspect_command`)."""
    import os
    import pty

    wasm = variant(tmp_path, cache_dir)
    notices = []
    for _ in range(2):
        leader, follower = pty.openpty()
        with os.fdopen(leader, "rb", buffering=0) as terminal:
            result = subprocess.run(
                [sys.executable, "-m", "witgen", "inspect", str(wasm)],
                stdout=subprocess.PIPE,
                stderr=follower,
                check=False,
                env={"XDG_CACHE_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin"},
            )
            os.close(follower)
            written = b""
            try:
                while chunk := terminal.read(4096):
                    written += chunk
            except OSError:  # EIO: the terminal's other end is closed
                pass
        assert result.returncode == 1  # no manifest
        notices.append(written.decode().replace("\r\n", "\n"))
    assert notices == [f"compiling {wasm} (first load; cached afterwards)\n", ""]


def test_inspect_command_sends_wit_source_to_check_and_print(tmp_path: Path) -> None:
    """A `.wit` file or a folder is WIT source, not a component: a usage error
    that names the commands for WIT, not an attempt to read it as WAT."""
    for source in (ROOT / "wit" / "worlds.wit", ROOT / "wit"):
        result = _inspect(tmp_path, str(source))
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        assert "inspect takes a compiled component (.wasm)" in result.stderr
        assert "`witgen check`" in result.stderr and "`witgen print`" in result.stderr


def test_inspect_command_rejects_what_is_not_a_component(tmp_path: Path) -> None:
    """Not a component: one line from the decoder, exit status 1, no traceback."""
    for name, data in (("core.wasm", b"\0asm\x01\x00\x00\x00"), ("cut.wasm", b"\0asm\x0d\x00")):
        wasm = tmp_path / name
        wasm.write_bytes(data)
        result = subprocess.run(
            [sys.executable, "-m", "witgen", "inspect", str(wasm)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1, result.stderr
        assert result.stdout == ""
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
