"""The airssys WIT that ships with witgen.

In: nothing.  Out: `airssys_wit()`, the folder of the airssys interfaces
(`airssys:component-core` with its worlds `component` and
`extended-component`, and its `deps/`: `host-core`, `host-extensions`), inside
the installed package (the wheel carries it as `witgen/wit`) or at the top of a
source checkout (`wit/`); `wit_files(folder)`, the `.wit` files under a folder.
Raises nothing.

Commands that need the airssys WIT and are given no path use it (`witgen
generate --guest`, `witgen build`), so a guest author needs no checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def airssys_wit() -> Path:
    """The folder of the airssys WIT package (`worlds.wit`, `lifecycle.wit`, `deps/`)."""
    packaged = resources.files("witgen") / "wit"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "wit"


def wit_files(folder: Path) -> dict[str, str]:
    """The `.wit` files of the package folder `folder`: its own and every one under
    its `deps/`, by POSIX path relative to it, in path order: what a copy of the
    package needs (other folders, such as a checkout's `examples/`, stay out)."""
    paths = [*folder.glob("*.wit"), *(folder / "deps").rglob("*.wit")]
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(paths)
        if path.is_file()
    }
