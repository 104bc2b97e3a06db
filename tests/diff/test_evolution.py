"""A real package evolution: airssys:host-core 1.0.0, 1.1.0 and 2.0.0 (under `evolution/`).

1.1.0 adds `now` (and its `timestamp` record) and deprecates `current-time-millis`;
2.0.0 removes it.  Each step is the bump its changes need; the same removal
released as a minor is an error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from witgen.evolution.diff import Diff, diff_resolves
from witgen.resolve.passes import resolve_path

EVOLUTION = Path(__file__).parent / "evolution"


def diff(old: Path | str, new: Path | str) -> Diff:
    return diff_resolves(resolve_path(str(old)), resolve_path(str(new)))


def version(name: str) -> Path:
    return EVOLUTION / f"host-core-{name}"


def rules(result: Diff) -> list[tuple[str, str, str]]:
    return [(c.verdict, c.rule, c.item) for p in result.packages for c in p.changes]


def test_1_0_to_1_1_is_a_minor() -> None:
    result = diff(version("1.0.0"), version("1.1.0"))
    (package,) = result.packages
    assert (package.name, package.required, str(package.minimum)) == (
        "airssys:host-core",
        "minor",
        "1.1.0",
    )
    assert package.ok
    assert rules(result) == [
        ("compatible", "deprecated-added", "host-services.current-time-millis"),
        ("compatible", "function-added", "host-services.now"),
        ("compatible", "type-added", "host-services.timestamp"),
        ("compatible", "type-added", "types.timestamp"),
        ("patch", "docs-changed", "host-services.current-time-millis"),
        ("patch", "since-changed", "host-services.current-time-millis"),
    ]


def test_1_1_to_2_0_is_a_major() -> None:
    result = diff(version("1.1.0"), version("2.0.0"))
    (package,) = result.packages
    assert (package.required, package.ok) == ("major", True)
    assert rules(result) == [
        ("breaking", "function-removed", "host-services.current-time-millis"),
    ]


def test_1_0_to_2_0_in_one_step() -> None:
    (package,) = diff(version("1.0.0"), version("2.0.0")).packages
    assert (package.required, package.ok) == ("major", True)


def test_a_removal_released_as_a_minor_is_an_error(tmp_path: Path) -> None:
    wrong = tmp_path / "host-core"
    shutil.copytree(version("2.0.0"), wrong)
    for path in wrong.glob("*.wit"):
        path.write_text(path.read_text().replace("@2.0.0;", "@1.1.0;"))
    (package,) = diff(version("1.0.0"), wrong).packages
    assert (str(package.new_version), package.required, package.ok) == ("1.1.0", "major", False)
    assert package.problem == "breaking changes need 2.0.0 or later, and 1.1.0 is too small"


def test_each_version_is_valid_for_the_reference_tool() -> None:
    import subprocess

    from support.corpus import wasm_tools

    tool = wasm_tools()
    if tool is None:
        return
    for name in ("1.0.0", "1.1.0", "2.0.0"):
        done = subprocess.run(
            [tool, "component", "wit", str(version(name))], capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr


def test_1_0_0_is_the_checked_in_host_core() -> None:
    checked_in = Path(__file__).parents[2] / "wit" / "deps" / "host-core"
    for path in checked_in.glob("*.wit"):
        assert (version("1.0.0") / path.name).read_text() == path.read_text()
