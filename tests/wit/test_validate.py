"""Every package folder of wit/ validates with the reference wasm-tools, and real
components can be built against its worlds."""

from __future__ import annotations

from pathlib import Path

import pytest

from witgen.permissions import InterfaceValidator

from .layout import PACKAGE_FOLDERS, WIT, folders_with_wit, resolve_json, wasm_tools


@pytest.mark.parametrize("folder", PACKAGE_FOLDERS, ids=lambda path: str(path.relative_to(WIT)))
def test_package_folder_validates(folder: Path) -> None:
    result = wasm_tools("component", "wit", folder)
    assert result.returncode == 0, result.stderr


def test_every_folder_outside_deps_is_a_package_folder() -> None:
    outside = [path for path in folders_with_wit() if "deps" not in path.relative_to(WIT).parts]
    assert outside == sorted([WIT, WIT / "examples"])
    assert set(outside) <= set(PACKAGE_FOLDERS)


def test_top_folder_holds_the_package_components_target() -> None:
    resolved = resolve_json(WIT)
    names = {package["name"] for package in resolved["packages"]}
    assert names == {
        "airssys:component-core@1.0.0",
        "airssys:host-core@1.0.0",
        "airssys:host-extensions@1.0.0",
    }
    (core,) = [p for p in resolved["packages"] if p["name"] == "airssys:component-core@1.0.0"]
    assert set(core["worlds"]) == {"component", "extended-component"}


def test_dependencies_run_one_way() -> None:
    """host-core uses nothing; host-extensions uses host-core; component-core uses both."""
    for folder, allowed in (
        (WIT / "deps" / "host-core", set()),
        (WIT / "deps" / "host-extensions", {"airssys:host-core"}),
        (WIT, {"airssys:host-core", "airssys:host-extensions"}),
    ):
        text = "".join(path.read_text() for path in folder.glob("*.wit"))
        used = {
            word.split("/")[0]
            for word in text.replace(";", " ").replace("{", " ").split()
            if word.startswith("airssys:") and "/" in word
        }
        assert used == allowed, folder


@pytest.mark.parametrize(
    ("folder", "world"),
    [(WIT, "component"), (WIT, "extended-component"), (WIT / "examples", "basic-component")],
)
def test_a_component_targets_the_world(tmp_path: Path, folder: Path, world: str) -> None:
    """Build a (dummy) component for the world; the host accepts its imports."""
    core = tmp_path / "core.wasm"
    component = tmp_path / "component.wasm"
    result = wasm_tools("component", "embed", "--dummy", folder, "-w", world, "-o", core)
    assert result.returncode == 0, result.stderr
    result = wasm_tools("component", "new", core, "-o", component)
    assert result.returncode == 0, result.stderr
    assert wasm_tools("validate", component).returncode == 0
    imports = import_names(component)
    assert "airssys:host-core/host-services@1.0.0" in imports
    InterfaceValidator().validate(imports)


def import_names(component: Path) -> list[str]:
    """The interface import names of a component, as they appear in it."""
    resolved = resolve_json(component)
    (world,) = [w for w in resolved["worlds"] if w["name"] == "root"]  # what `new` names it
    names = []
    for item in world["imports"].values():
        if "interface" not in item:
            continue
        interface = resolved["interfaces"][item["interface"]["id"]]
        package = resolved["packages"][interface["package"]]["name"]
        namespace_name, version = package.split("@")
        names.append(f"{namespace_name}/{interface['name']}@{version}")
    return names
