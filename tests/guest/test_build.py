"""`witgen build`: the manifest checked against the world's imports before
componentize-py runs, componentize-py's failures reported with its stderr, and
never a traceback.

componentize-py itself is replaced by a small script that records how it was
called (a real build takes 7-25 s; `test_stub_runs.py` builds for real, through
the same `run_componentize`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from witgen.cli import main
from witgen.guest import build
from witgen.guest.generate import generate_guest, write_guest

ROOT = Path(__file__).resolve().parents[2]

FAKE = """
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_RECORD"], "w") as record:
    paths = [args[i + 1] for i, arg in enumerate(args) if arg == "-p"]
    json.dump({"args": args, "cwd": os.getcwd(),
               "files": sorted(os.listdir(args[args.index("-p") + 1])),
               "paths": [sorted(os.listdir(path)) for path in paths]}, record)
if "--quiet" not in args:
    print("Component built successfully")
if os.environ.get("FAKE_FAIL"):
    print("error: app.py: something is wrong in the guest", file=sys.stderr)
    sys.exit(1)
with open(args[args.index("-o") + 1], "wb") as out:
    out.write(b"\\0asm\\x0d\\0\\x01\\0")
"""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """componentize-py replaced by `FAKE`; returns where it records its call."""
    script = tmp_path / "fake_componentize.py"
    script.write_text(FAKE)
    record = tmp_path / "record.json"
    monkeypatch.setenv("FAKE_RECORD", str(record))
    monkeypatch.setattr(build, "componentize_py_command", lambda: (sys.executable, str(script)))
    return record


def app_of(tmp_path: Path, world: str, manifest: str | None = None) -> Path:
    app = tmp_path / "app"
    write_guest(app, generate_guest(ROOT / "wit", world, app))
    if manifest is not None:
        (app / "Component.toml").write_text(manifest)
    return app


def test_build_runs_componentize_py_with_the_recorded_world(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_of(tmp_path, "component")
    (app / "old.wasm").write_bytes(b"a component built earlier")
    assert main(["build", str(app)]) == 0
    out, err = capsys.readouterr()
    assert "built" in out and "app.wasm" in out and "for world `component`" in out
    assert err == ""  # the stub's manifest grants nothing, and the world needs nothing
    assert (app / "app.wasm").read_bytes().startswith(b"\0asm")
    call = json.loads(fake.read_text())
    args = call["args"]
    assert args[args.index("-w") + 1] == "component"
    assert Path(args[args.index("-d") + 1]) == (ROOT / "wit").resolve()
    assert args[args.index("componentize") + 1] == "app"
    assert call["files"] == ["Component.toml", "app.py", "wit_imports.py"]  # no .wasm
    assert Path(call["cwd"]).name == "cwd" and not list(Path(call["cwd"]).glob("*"))


def test_the_sdk_and_other_python_paths(tmp_path: Path, fake: Path) -> None:
    app = app_of(tmp_path, "component")
    extra = tmp_path / "shared"
    extra.mkdir()
    (extra / "helpers.py").write_text("X = 1\n")
    assert main(["build", str(app), "-p", str(extra)]) == 0
    paths = json.loads(fake.read_text())["paths"]
    # the app, the extra folder, and the SDK alone (never what is installed beside it)
    assert paths == [
        ["Component.toml", "app.py", "wit_imports.py"],
        ["helpers.py"],
        ["airssys_sdk"],
    ]


def test_build_options(tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = app_of(tmp_path, "extended-component")
    manifest = tmp_path / "elsewhere.toml"
    manifest.write_text('[component]\nname = "x"\nversion = "0.1.0"\n')
    out = tmp_path / "dist" / "x.wasm"
    argv = ["build", str(app), "--wit", str(ROOT / "wit"), "--world", "component"]
    assert main([*argv, "-o", str(out), "--manifest", str(manifest)]) == 0
    assert out.is_file()
    args = json.loads(fake.read_text())["args"]
    assert args[args.index("-w") + 1] == "component"


def test_warnings_for_imports_nothing_grants(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_of(tmp_path, "extended-component")
    assert main(["build", str(app)]) == 0
    err = capsys.readouterr().err
    for interface in ("filesystem", "network", "storage"):
        assert f"imports `airssys:host-extensions/{interface}@1.0.0`" in err
    # Some calls of these need no grant (`get-env`, `log`): no warning.
    assert "process" not in err and "host-services" not in err
    assert "the host will deny every call to it" in err
    assert "Traceback" not in err


def test_a_grant_quiets_its_warning_and_an_unneeded_grant_warns(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    granted = '[component]\nname = "app"\nversion = "0.1.0"\n'
    granted += '[capabilities.filesystem]\nread = ["/data/**"]\n'
    app = app_of(tmp_path / "a", "extended-component", granted)
    assert main(["build", str(app)]) == 0
    assert "filesystem" not in capsys.readouterr().err
    app = app_of(tmp_path / "b", "component", granted)
    assert main(["build", str(app)]) == 0
    err = capsys.readouterr().err
    assert "grants filesystem.read, which nothing the component imports needs" in err


def test_manifest_mismatch_stops_the_build(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = '[component]\nname = "app"\nversion = "0.1.0"\n'
    wrong += '[dependencies]\n"airssys:host-extensions" = "^2.0.0"\n'
    app = app_of(tmp_path, "extended-component", wrong)
    assert main(["build", str(app)]) == 1
    err = capsys.readouterr().err
    assert "error: the manifest does not fit the component" in err
    assert "airssys:host-extensions" in err
    assert "Traceback" not in err
    assert not fake.exists()  # componentize-py never ran
    assert not (app / "app.wasm").exists()


def test_invalid_manifest_stops_the_build(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_of(tmp_path, "component", '[component]\nversion = "0.1.0"\n')
    assert main(["build", str(app)]) == 1
    err = capsys.readouterr().err
    assert "component.name" in err and "Traceback" not in err
    assert not fake.exists()
    (app / "Component.toml").unlink()
    assert main(["build", str(app)]) == 1
    assert "Component.toml" in capsys.readouterr().err


def test_componentize_py_failure_shows_its_stderr(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_FAIL", "1")
    app = app_of(tmp_path, "component")
    assert main(["build", str(app)]) == 1
    err = capsys.readouterr().err
    assert "error: componentize-py failed (exit 1)" in err
    assert "something is wrong in the guest" in err
    assert "Traceback" not in err
    assert sorted(path.name for path in app.iterdir()) == [
        "Component.toml",
        "app.py",
        "wit_imports.py",
    ]  # no output, no temporary file left behind


def test_the_manifest_warnings_come_before_the_build(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check runs first, so its warnings are printed then: a failed build
    still shows them, before its error."""
    monkeypatch.setenv("FAKE_FAIL", "1")
    app = app_of(tmp_path, "extended-component")
    assert main(["build", str(app)]) == 1
    err = capsys.readouterr().err
    assert "warning: " in err
    assert err.index("warning: ") < err.index("error: componentize-py failed")


def test_quiet_when_standard_error_is_not_a_terminal(
    tmp_path: Path, fake: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    app = app_of(tmp_path, "component")
    assert main(["build", str(app)]) == 0
    out, err = capfd.readouterr()
    assert err == "" and out.startswith("built ")
    assert "--quiet" in json.loads(fake.read_text())["args"]


def test_progress_and_componentize_py_output_on_a_terminal(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """On a terminal: a line before each long step, and componentize-py's own
    output (not `--quiet`) on standard error; standard output is the result."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    app = app_of(tmp_path, "component")
    assert main(["build", str(app)]) == 0
    out, err = capfd.readouterr()
    assert out.startswith("built ") and out.count("\n") == 1
    lines = err.splitlines()
    assert lines[0].startswith("checking ") and "against world `component`" in lines[0]
    assert lines[1].startswith("building ") and "with componentize-py" in lines[1]
    assert lines[2:] == ["Component built successfully"]
    assert "--quiet" not in json.loads(fake.read_text())["args"]


def test_componentize_py_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(build, "componentize_py_command", lambda: None)
    app = app_of(tmp_path, "component")
    assert main(["build", str(app)]) == 1
    err = capsys.readouterr().err
    assert "componentize-py is not installed" in err
    assert "install it with `pip install 'witgen[guest]'` (componentize-py==0.25.1," in err


def test_the_guest_extra_pins_the_componentize_py_the_tests_use() -> None:
    """`pip install 'witgen[guest]'` installs the componentize-py of the `dev`
    extra (the one the tests build with), and the install hint names it."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    pins = [spec for spec in extras["dev"] if spec.startswith("componentize-py")]
    assert extras["guest"] == pins == [build.COMPONENTIZE_PY]
    assert "==" in build.COMPONENTIZE_PY


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "nothing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "app.py").write_text("")
    assert main(["build", str(tmp_path / "bare")]) == 2
    assert "no world" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    argv = ["build", str(tmp_path / "empty"), "--world", "component", "--wit", str(ROOT / "wit")]
    assert main(argv) == 1
    assert "no module `app`" in capsys.readouterr().err


def test_wit_errors_are_diagnostics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = app_of(tmp_path, "component")
    assert main(["build", str(app), "--world", "nope"]) == 2
    assert "World `nope` not found in package" in capsys.readouterr().err


def test_a_wasi_world_builds(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """WASI 0.2 imports are linked by the host from wasmtime: no manifest grant or
    airssys package covers them, and the build check does not refuse them."""
    from support.corpus import WASI

    if not (WASI / "cli").is_dir():
        pytest.skip("the WASI 0.2.0 packages are not in WITGEN_SHARED")
    app = tmp_path / "app"
    write_guest(app, generate_guest(WASI / "cli", "command", app))
    (app / "Component.toml").write_text('[component]\nname = "app"\nversion = "0.1.0"\n')
    assert main(["build", str(app)]) == 0, capsys.readouterr().err
    assert "unsupported interface" not in capsys.readouterr().err
    assert fake.exists()
