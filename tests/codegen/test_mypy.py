"""`mypy --strict` on all generated code, in one run: the cases in `cases/`,
the end-to-end worlds, the project's `wit/` (the checked-in `generated/`) and
every corpus case (functions the runtime cannot carry are left out, and their
types are opaque handles that type-check)."""

from __future__ import annotations

from pathlib import Path

from support.corpus import CONFORMANCE, cases, have_corpus

from witgen.codegen.generate import write_files

from .generated import CASES, generate, package_name, run_mypy


def test_generated_code_passes_mypy_strict(tmp_path: Path) -> None:
    inputs = [(path, CASES) for path in sorted(CASES.glob("*.wit"))]
    inputs.append((Path(__file__).parent / "e2e" / "echo.wit", Path(__file__).parent))
    root = Path(__file__).resolve().parents[2]
    inputs.append((root / "wit", root))  # what generated/ holds
    if have_corpus():
        inputs += [(CONFORMANCE / c.path, CONFORMANCE) for c in cases() if c.expect == "ok"]
    packages = []
    for wit, base in inputs:
        name = package_name(str(wit.relative_to(base)))
        generated = generate(wit, tmp_path / name, base)
        write_files(tmp_path / name, generated)
        packages.append(name)
    assert len(packages) >= 6
    result = run_mypy(tmp_path, packages)
    assert result.returncode == 0, result.stdout + result.stderr
