"""`witgen diff` on the command line: exit statuses, the report, --json, git revisions.

The command is registered by `add_diff_command`, as `witgen.cli` does; these tests
build a parser of their own so that they do not depend on that wiring.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from witgen.evolution.cli import add_diff_command

EVOLUTION = Path(__file__).parent / "evolution"
CASES = Path(__file__).parent / "cases"


def witgen_diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="witgen")
    add_diff_command(parser.add_subparsers())
    parsed = parser.parse_args(["diff", *args])
    status = parsed.run(parsed)
    out, err = capsys.readouterr()
    return status, out, err


def host_core(version: str) -> str:
    return str(EVOLUTION / f"host-core-{version}")


def test_a_minor_with_compatible_changes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = witgen_diff(capsys, host_core("1.0.0"), host_core("1.1.0"))
    assert (status, err) == (0, "")
    assert out.startswith(
        "airssys:host-core 1.0.0 -> 1.1.0: 4 compatible, 2 patch: "
        "needs a minor bump (1.1.0 or later): ok\n\n"
    )
    assert "compatible[function-added]: added function `now` to interface `host-services`\n" in out
    assert "/host-core-1.1.0/host.wit:" in out


def test_a_removal_is_shown_where_it_was(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = witgen_diff(capsys, host_core("1.1.0"), host_core("2.0.0"))
    assert status == 0
    lines = out.splitlines()
    at = lines.index(
        "breaking[function-removed]: removed function `current-time-millis` "
        "from interface `host-services`"
    )
    assert lines[at + 1].startswith("     --> ")
    assert lines[at + 1].endswith("/host-core-1.1.0/host.wit:63:5")
    assert lines[at + 3] == "   63 |     current-time-millis: func() -> u64;"
    assert lines[at + 4] == "      |     ^------------------"


def test_a_version_too_small_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES / "version-too-small"
    status, out, err = witgen_diff(capsys, str(case / "old.wit"), str(case / "new.wit"))
    assert status == 1
    assert out.startswith(
        "t:p 1.2.0 -> 1.3.0: 1 breaking: needs a major bump (2.0.0 or later): version too small"
    )
    assert err == "error: t:p: breaking changes need 2.0.0 or later, and 1.3.0 is too small\n"


def test_0x_says_what_a_breaking_change_needs(capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES / "zero-x-breaking-patch-bump"
    status, out, _ = witgen_diff(capsys, str(case / "old.wit"), str(case / "new.wit"))
    assert status == 1
    assert out.splitlines()[0] == (
        "t:p 0.2.0 -> 0.2.1: 1 breaking: needs a minor (0.x) bump "
        "(0.3.0 or later: in 0.x a breaking change bumps the minor): version too small"
    )
    assert out.splitlines()[-1] == (
        "summary: 1 breaking in 1 package; t:p needs a minor (0.x) bump (0.3.0 or later): "
        "version too small"
    )


def test_0x_names_the_bump_the_version_really_takes(capsys: pytest.CaptureFixture[str]) -> None:
    """In 0.x an addition bumps the patch, and in 0.0.x every change does: the
    header says so rather than calling it a minor (or major) bump."""
    expected = {
        "zero-x-compatible-patch-bump": "t:p 0.2.0 -> 0.2.1: 1 compatible: needs a patch (0.x) "
        "bump (0.2.1 or later: in 0.x an addition bumps the patch): ok",
        "zero-zero-breaking-patch-bump": "t:p 0.0.1 -> 0.0.2: 1 breaking: needs a patch (0.0.x) "
        "bump (0.0.2 or later: in 0.0.x every change bumps the patch): ok",
    }
    for name, header in expected.items():
        case = CASES / name
        status, out, _ = witgen_diff(capsys, str(case / "old.wit"), str(case / "new.wit"))
        assert (status, out.splitlines()[0]) == (0, header)


def test_only_lists_the_changes_of_some_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    """`--only` (repeatable) filters what is listed; the header's counts, the
    summary and the exit status still cover every change."""
    status, full, _ = witgen_diff(capsys, host_core("1.0.0"), host_core("1.1.0"))
    assert full.splitlines()[-1] == (
        "summary: 4 compatible, 2 patch in 1 package; every version covers its changes"
    )
    status, out, err = witgen_diff(
        capsys, host_core("1.0.0"), host_core("1.1.0"), "--only", "patch"
    )
    assert (status, err) == (0, "")
    verdicts = [line.split("[")[0] for line in out.splitlines() if "[" in line.split(":")[0]]
    assert verdicts == ["patch", "patch"]
    assert out.splitlines()[0].startswith("airssys:host-core 1.0.0 -> 1.1.0: 4 compatible, 2 patch")
    assert out.splitlines()[-1] == (
        "summary: 4 compatible, 2 patch in 1 package; every version covers its changes "
        "(listed: patch changes only)"
    )
    _, both, _ = witgen_diff(
        capsys, host_core("1.0.0"), host_core("1.1.0"), "--only", "patch", "--only", "compatible"
    )
    assert both.splitlines()[:-1] == full.splitlines()[:-1]
    _, document, _ = witgen_diff(
        capsys, host_core("1.0.0"), host_core("1.1.0"), "--json", "--only", "compatible"
    )
    (package,) = json.loads(document)["packages"]
    assert {change["verdict"] for change in package["changes"]} == {"compatible"}
    assert package["counts"] == {"breaking": 0, "compatible": 4, "patch": 2}


def test_only_takes_a_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        witgen_diff(capsys, host_core("1.0.0"), host_core("1.1.0"), "--only", "major")
    assert exit.value.code == 2
    assert "invalid choice: 'major'" in capsys.readouterr().err


def test_identical_trees(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = witgen_diff(capsys, host_core("1.0.0"), host_core("1.0.0"))
    assert (status, out, err) == (
        0,
        "airssys:host-core 1.0.0 -> 1.0.0: no changes\n\nsummary: no changes in 1 package\n",
        "",
    )


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = witgen_diff(capsys, host_core("1.0.0"), host_core("2.0.0"), "--json")
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert out == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert document["ok"] is True
    assert document["format"] == 1
    (package,) = document["packages"]
    assert {key: package[key] for key in ("name", "old_version", "new_version")} == {
        "name": "airssys:host-core",
        "old_version": "1.0.0",
        "new_version": "2.0.0",
    }
    assert (package["required"], package["minimum_version"], package["ok"]) == (
        "major",
        "2.0.0",
        True,
    )
    assert package["counts"] == {"breaking": 1, "compatible": 3, "patch": 0}
    first = package["changes"][0]
    assert {key: first[key] for key in ("verdict", "rule", "item", "unstable")} == {
        "verdict": "breaking",
        "rule": "function-removed",
        "item": "host-services.current-time-millis",
        "unstable": False,
    }
    assert first["location"]["side"] == "old"
    assert first["location"]["path"].endswith("host-core-1.0.0/host.wit")
    assert (first["location"]["line"], first["location"]["column"]) == (59, 5)
    # The same input gives the same bytes.
    assert witgen_diff(capsys, host_core("1.0.0"), host_core("2.0.0"), "--json")[1] == out


def test_json_exit_status_follows_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES / "version-too-small"
    status, out, err = witgen_diff(capsys, str(case / "old.wit"), str(case / "new.wit"), "--json")
    assert (status, err) == (1, "")
    document = json.loads(out)
    assert document["ok"] is False
    assert document["packages"][0]["problem"] == (
        "breaking changes need 2.0.0 or later, and 1.3.0 is too small"
    )


def dependency_case() -> tuple[str, str]:
    case = CASES / "dependency-change-too-small"
    return str(case / "old"), str(case / "new")


def test_every_package_of_a_folder_with_deps(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = witgen_diff(capsys, *dependency_case())
    assert status == 1
    assert "d:x 1.0.0 -> 1.0.0: 1 breaking" in out
    assert "t:app 1.0.0 -> 1.0.1: no changes" in out
    assert err == "error: d:x: breaking changes need 2.0.0 or later, and 1.0.0 is too small\n"


def test_package_restricts_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = witgen_diff(capsys, *dependency_case(), "--package", "t:app")
    assert (status, out) == (
        0,
        "t:app 1.0.0 -> 1.0.1: no changes\n\nsummary: no changes in 1 package\n",
    )
    status, out, _ = witgen_diff(capsys, *dependency_case(), "--package", "t:app@9.9.9")
    assert status == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no:such", "witgen diff: error: package `no:such` is not in OLD or NEW\n"),
        ("nocolon", "witgen diff: error: `nocolon` is not a package name (namespace:name)\n"),
    ],
)
def test_an_unknown_package_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    status, out, err = witgen_diff(capsys, *dependency_case(), "--package", name)
    assert (status, out, err) == (2, "", message)


def test_features_apply_to_both_sides(capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES / "unstable-added-with-feature"
    old, new = str(case / "old.wit"), str(case / "new.wit")
    assert "function-added" not in witgen_diff(capsys, old, new)[1]
    assert "function-added" in witgen_diff(capsys, old, new, "--features", "turbo")[1]
    assert "function-added" in witgen_diff(capsys, old, new, "--all-features")[1]


def test_bad_wit_is_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "bad.wit").write_text("package a:b;\ninterface i {\n  f: func(x: nope);\n}\n")
    status, out, err = witgen_diff(capsys, host_core("1.0.0"), str(tmp_path / "bad.wit"))
    assert (status, out) == (1, "")
    assert err.startswith("error: name `nope` does not exist\n     --> ")


def test_a_missing_path_is_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = witgen_diff(capsys, str(tmp_path / "nothing"), host_core("1.0.0"))
    assert status == 1
    assert err.startswith("error: failed to read")


def test_no_package_in_common(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "other.wit").write_text("package o:ther@1.0.0;\ninterface i {}\n")
    status, out, err = witgen_diff(capsys, host_core("1.0.0"), str(tmp_path / "other.wit"))
    assert (status, out) == (1, "")
    assert err == (
        f"error: `{host_core('1.0.0')}` and `{tmp_path / 'other.wit'}` have no package in "
        "common (OLD: airssys:host-core@1.0.0; NEW: o:ther@1.0.0)\n"
    )


def test_missing_arguments_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        witgen_diff(capsys)
    assert raised.value.code == 2


# ---------------------------------------------------------------- git revisions

GIT = shutil.which("git")


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


APP = """package my:app@{version};

world app {{
  import airssys:host-core/host-services@{core};
}}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose `wit/` moves from host-core 1.0.0 (HEAD~1) to 2.0.0 (HEAD)."""
    if GIT is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    for index, (app, core) in enumerate((("1.0.0", "1.0.0"), ("1.1.0", "2.0.0"))):
        wit = tmp_path / "wit"
        shutil.rmtree(wit, ignore_errors=True)
        # Fresh modification times: a copy keeping them could look unchanged to git.
        shutil.copytree(
            EVOLUTION / f"host-core-{core}", wit / "deps" / "host-core", copy_function=shutil.copy
        )
        (wit / "app.wit").write_text(APP.format(version=app, core=core))
        git(tmp_path, "add", "-A")
        git(tmp_path, "commit", "-q", "-m", f"version {index}")
    return tmp_path


def test_a_git_revision_of_a_folder_with_deps(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    status, out, err = witgen_diff(capsys, "HEAD~1:wit", "wit")
    assert status == 1
    assert "airssys:host-core 1.0.0 -> 2.0.0: 1 breaking, 3 compatible: " in out
    # The world now imports host-services, and the types and capabilities it uses, at 2.0.0.
    assert "my:app 1.0.0 -> 1.1.0: 3 breaking: needs a major bump" in out
    assert "breaking[dependency-major-changed]: import `airssys:host-core/types@2.0.0` was " in out
    # Places in the revision are shown as REV:PATH/file.
    assert "     --> HEAD~1:wit/deps/host-core/host.wit:59:5\n" in out
    assert "     --> wit/app.wit:3:7\n" in out
    assert err == "error: my:app: breaking changes need 2.0.0 or later, and 1.1.0 is too small\n"


def test_two_revisions(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    status, out, _ = witgen_diff(capsys, "HEAD~1:wit", "HEAD:wit", "--package", "airssys:host-core")
    assert status == 0
    assert out.startswith("airssys:host-core 1.0.0 -> 2.0.0")


def test_a_git_revision_of_a_file(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    status, out, _ = witgen_diff(
        capsys, "HEAD~1:wit/deps/host-core/capabilities.wit", "wit/deps/host-core/capabilities.wit"
    )
    assert (status, out) == (
        0,
        "airssys:host-core 1.0.0 -> 2.0.0: no changes\n\nsummary: no changes in 1 package\n",
    )
    (repo / "wit" / "deps" / "host-core" / "capabilities.wit").write_text(
        "package airssys:host-core@2.0.0;\n\ninterface capabilities {}\n"
    )
    status, out, _ = witgen_diff(
        capsys, "HEAD:wit/deps/host-core/capabilities.wit", "wit/deps/host-core/capabilities.wit"
    )
    assert status == 1
    assert "     --> HEAD:wit/deps/host-core/capabilities.wit:9:12\n" in out


@pytest.mark.parametrize("spec", ["HEAD~7:wit", "HEAD:nowhere", "no-such-branch:wit"])
def test_a_bad_revision_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], repo: Path, spec: str
) -> None:
    status, out, err = witgen_diff(capsys, spec, "wit")
    assert (status, out) == (2, "")
    assert err.startswith(f"witgen diff: error: `{spec}` is neither a path nor a git revision")


def test_a_revision_outside_a_repository(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    status, _, err = witgen_diff(capsys, "HEAD:wit", host_core("1.0.0"))
    assert status == 2
    assert "not a git repository" in err


def test_a_revision_with_bad_wit_is_shown_by_revision(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    (repo / "wit" / "app.wit").write_text("package my:app@1.2.0;\nworld app {\n  import x;\n}\n")
    git(repo, "commit", "-q", "-am", "broken")
    status, _, err = witgen_diff(capsys, "HEAD:wit", "HEAD~1:wit")
    assert status == 1
    assert "--> HEAD:wit/app.wit:3:10" in err
    assert "witgen-diff-" not in err


def test_since_last_tag_without_a_tag_says_so_and_passes(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """A project before its first release: the pre-commit hook
    (`witgen diff --since-last-tag wit`) has nothing to compare, and passes."""
    status, out, err = witgen_diff(capsys, "--since-last-tag", "wit")
    assert (status, err) == (0, "")
    assert out == "witgen diff: no release tag yet, so nothing to compare wit with\n"


def test_since_last_tag_compares_with_the_newest_tag(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    git(repo, "tag", "v1.0.0", "HEAD~1")
    status, out, _ = witgen_diff(capsys, "--since-last-tag", "wit")
    assert status == 1
    assert "my:app 1.0.0 -> 1.1.0: 3 breaking: needs a major bump" in out
    assert "     --> v1.0.0:wit/deps/host-core/host.wit:59:5\n" in out
    # From a folder below the top: the path is the one given, the tag's is the same path.
    os.chdir(repo / "wit")
    status, again, _ = witgen_diff(capsys, "--since-last-tag", ".")
    assert status == 1
    assert "     --> v1.0.0:wit/deps/host-core/host.wit:59:5\n" in again


def test_since_last_tag_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert witgen_diff(capsys, "--since-last-tag", "a", "b")[:2] == (2, "")
    assert witgen_diff(capsys, "wit")[0] == 2
    monkeypatch.chdir(tmp_path)  # no repository here (tmp_path is outside the checkout)
    status, _, err = witgen_diff(capsys, "--since-last-tag", "wit")
    assert status == 2 and "not in a git repository" in err


def test_the_diff_hook_passes_before_the_first_tag() -> None:
    """The hook offered to other repositories runs `--since-last-tag` by default."""
    yaml = pytest.importorskip("yaml")
    root = Path(__file__).resolve().parents[2]
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())
    }
    assert hooks["witgen-diff"]["entry"] == "witgen diff"
    assert hooks["witgen-diff"]["args"] == ["--since-last-tag", "wit"]
