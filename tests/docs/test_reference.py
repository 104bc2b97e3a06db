"""`witgen docs`: the checked-in reference of `wit/` is fresh, its Python
signatures are those of the generated bindings, and output is deterministic.

If `test_reference_is_fresh` fails, regenerate the reference at the top of
the project:

    witgen docs wit --out docs/reference
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from witgen.codegen.generate import Options, generate_files, write_files
from witgen.docs.reference import render_reference, stale_pages, write_pages
from witgen.resolve.passes import resolve_path
from witgen.runtime import wit as rt_wit

ROOT = Path(__file__).resolve().parents[2]
RICH = Path(__file__).parent / "cases" / "rich.wit"
SIGNATURE = re.compile(
    r"^- Python, in (?P<owners>.+?): `(?P<signature>def \w+\(self.*\) -> .*)`$", re.MULTILINE
)


def _reference_of_wit() -> dict[str, str]:
    return render_reference(resolve_path(str(ROOT / "wit"), [], False), "wit")


def test_reference_is_fresh() -> None:
    assert (
        stale_pages(ROOT / "docs" / "reference", _reference_of_wit()) == []
    ), "docs/reference is stale: run `witgen docs wit --out docs/reference`"


def _rich_pages() -> dict[str, str]:
    return render_reference(resolve_path(str(RICH), ["shiny"], False), "rich.wit")


def test_output_is_deterministic_and_rewritten_only_when_changed(tmp_path: Path) -> None:
    pages = _rich_pages()
    assert pages == _rich_pages()
    assert set(pages) == {
        "index.md",
        "test_rich/app.md",
        "test_rich/app_buffer.md",
        "test_rich/shapes.md",
    }
    first = write_pages(tmp_path, pages)
    assert sorted(first.written) == sorted(pages)
    assert write_pages(tmp_path, pages).written == ()
    (tmp_path / "mine.md").write_text("# not generated\n")
    (tmp_path / "test_rich" / "old.md").write_text(next(iter(pages.values())))
    again = write_pages(tmp_path, pages)
    assert again.written == () and again.removed == ("test_rich/old.md",)
    assert (tmp_path / "mine.md").exists()


def test_a_page_shows_signatures_docs_capabilities_gates_and_members() -> None:
    shapes = _rich_pages()["test_rich/shapes.md"]
    for expected in [
        "area: func(s: shape, %type: color) -> result<f64, string>;",
        "- Python, in `Host` and `Exports`: `def area(self, s: Shape, type: Color) -> float`",
        "- Error case: the call raises `Err(str)`",
        "- Capability: `storage.read`",
        "- Gates: `@since(version = 1.1.0)`, `@deprecated(version = 1.2.0)`",
        "- Gates: `@unstable(feature = shiny)`",
        "- Capability: `none`",
        "- Capability: not marked",
        "- `x-coord: s32` (Python `x_coord: int`): Across.",
        "- `circle(f32)` (Python `Shape_Circle(value: float)`): Round.",
        "- `not-found` (Python `Color.NOT_FOUND` = `'not-found'`)",
        "- `write-all` (Python `Access.WRITE_ALL` = `2`)",
        "A point &lt;in&gt; space &amp; time.",
        "- Python, in `Exports`: `def blob_merge(self, a: Borrow[Blob], b: Blob) -> Blob`",
        "- Python, in `HostBlob` and `Blob`: `def size(self) -> int`",
    ]:
        assert expected in shapes
    assert "Capability: storage.read\n" not in shapes  # shown apart, not in the prose


def test_a_capability_line_is_read_as_diff_and_build_read_it(tmp_path: Path) -> None:
    """The grants shown are the names `witgen.conventions` reads (what `witgen diff` and
    `witgen build` check), and the line leaves the prose as if it were not written."""
    wit = tmp_path / "p.wit"
    wit.write_text(
        "package t:p@1.0.0;\n\ninterface i {\n"
        "  /// Copies a file.\n"
        "  /// Capability: filesystem.read,filesystem.write\n"
        "  /// Fails when the file is absent.\n"
        "  copy: func(path: string);\n}\n"
    )
    page = render_reference(resolve_path(str(wit)), "p.wit")["t_p/i.md"]
    assert "- Capability: `filesystem.read, filesystem.write`\n" in page
    assert "\nCopies a file.\nFails when the file is absent.\n" in page


def _namespace(module: ModuleType, root: ModuleType) -> dict[str, Any]:
    """What a reader of the reference has in scope on the page of `module`:
    its module's names, its sibling modules, every package, and `witgen.runtime.wit`."""
    namespace: dict[str, Any] = dict(vars(module))
    package = importlib.import_module(module.__name__.rpartition(".")[0])
    for info in pkgutil.iter_modules(root.__path__):
        namespace[info.name] = importlib.import_module(f"{root.__name__}.{info.name}")
    for info in pkgutil.iter_modules(package.__path__):
        namespace[info.name] = importlib.import_module(f"{package.__name__}.{info.name}")
    for name in ("Some", "Ok", "Err", "Result", "Borrow"):
        namespace[name] = getattr(rt_wit, name)
    return namespace


def _check_signatures(pages: dict[str, str], root: ModuleType) -> int:
    """Every Python signature of `pages` is the generated one; the number checked."""
    checked = 0
    for path, text in pages.items():
        if path == "index.md":
            continue
        module = importlib.import_module(f"{root.__name__}.{path[:-3].replace('/', '.')}")
        namespace = _namespace(module, root)
        for match in SIGNATURE.finditer(text):
            tree = ast.parse(match["signature"] + ": ...").body[0]
            assert isinstance(tree, ast.FunctionDef)
            for owner in re.findall(r"`(\w+)`", match["owners"]):
                function = getattr(getattr(module, owner), tree.name)
                hints = function.__annotations__
                params = [arg.arg for arg in tree.args.args[1:]]
                where = f"{path}: {owner}.{tree.name}"
                assert params == [name for name in hints if name != "return"], where
                for arg in tree.args.args[1:]:
                    assert arg.annotation is not None
                    documented = eval(ast.unparse(arg.annotation), namespace)
                    generated = eval(hints[arg.arg], vars(module))
                    assert documented == generated, f"{where}({arg.arg})"
                assert tree.returns is not None
                documented = eval(ast.unparse(tree.returns), namespace)
                assert documented == eval(hints["return"], vars(module)), f"{where} result"
                checked += 1
    return checked


def test_signatures_are_those_of_the_checked_in_bindings() -> None:
    sys.path.insert(0, str(ROOT / "generated"))
    try:
        root = importlib.import_module("airssys_bindings")
        assert _check_signatures(_reference_of_wit(), root) > 40
    finally:
        sys.path.remove(str(ROOT / "generated"))


def test_signatures_are_those_of_generated_bindings(tmp_path: Path) -> None:
    out = tmp_path / "rich_bindings"
    options = Options(wit=RICH, out=out, features=("shiny",), base=RICH.parent)
    write_files(out, generate_files(options))
    sys.path.insert(0, str(tmp_path))
    try:
        root = importlib.import_module("rich_bindings")
        assert _check_signatures(_rich_pages(), root) >= 12
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith("rich_bindings")]:
            del sys.modules[name]


def test_an_unknown_world_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="World `nope` not found in package"):
        render_reference(resolve_path(str(RICH), [], False), "rich.wit", "nope")


def test_one_world() -> None:
    pages = render_reference(resolve_path(str(ROOT / "wit"), [], False), "wit", "component")
    assert "airssys_component_core/extended_component.md" not in pages
    assert "airssys_host_extensions/filesystem.md" not in pages
    assert "airssys_host_core/host_services.md" in pages


def test_cli_writes_checks_and_never_touches_a_file_it_did_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from witgen.cli import main

    monkeypatch.chdir(tmp_path)
    argv = ["docs", str(RICH), "--features", "shiny", "--out", "ref"]
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines() == [f"wrote ref/{name}" for name in _rich_pages()]
    assert main([*argv, "--check"]) == 0
    assert capsys.readouterr() == ("Success: ref is up to date\n", "")

    shapes = tmp_path / "ref" / "test_rich" / "shapes.md"
    shapes.write_text(shapes.read_text() + "edited\n")
    (tmp_path / "ref" / "index.md").unlink()
    (tmp_path / "ref" / "old.md").write_text("<!-- @generated by witgen docs from x. -->\n")
    assert main([*argv, "--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "ref/index.md: missing",
        "ref/test_rich/shapes.md: out of date",
        "ref/old.md: no longer generated",
        f"error: 3 generated file(s) are stale; run `witgen docs {RICH} --out ref`",
    ]
    assert main(argv) == 0
    assert sorted(capsys.readouterr().out.splitlines()) == [
        "removed ref/old.md",
        "wrote ref/index.md",
        "wrote ref/test_rich/shapes.md",
    ]

    for foreign in (b"# my notes\n", "<!-- @generated by witgen docs -->\xe9\n".encode("latin-1")):
        shapes.write_bytes(foreign)
        assert main(argv) == 1
        assert "shapes.md: exists and was not generated by witgen; not touching it" in (
            capsys.readouterr().err
        )
        assert shapes.read_bytes() == foreign
