"""The fingerprint of `witgen generate` covers everything the output depends on:
every witgen module the generator imports (so an edit to the resolver, the IR or
the naming fails `generate --check`, as it fails `test_checked_in`), the
templates and the grammar; and it is the same in every checkout."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from support.corpus import CONFORMANCE

from witgen.codegen.generate import Options, fingerprint, generator_sources
from witgen.codegen.templates import templates_path
from witgen.syntax.parse import grammar_path

ROOT = Path(__file__).resolve().parents[2]
KINDS_OF_DEPS = CONFORMANCE / "wit-parser-ui" / "kinds-of-deps"

# Generates, in a fresh interpreter, the bindings of a WIT folder and of a
# package whose dependencies are WebAssembly (text and binary), then lists the
# witgen modules that were imported, as files relative to the folder above witgen/.
_IMPORTED = """
import json, sys, tempfile
from pathlib import Path
import witgen
from witgen.codegen.generate import Options, generate_files
top = Path(witgen.__file__).resolve().parents[1]
for wit in json.loads(sys.argv[1]):
    with tempfile.TemporaryDirectory() as out:
        generate_files(Options(wit=Path(wit), out=Path(out)), reuse=False)
files = []
for module in list(sys.modules.values()):
    file = getattr(module, "__file__", None)
    if module.__name__.split(".")[0] == "witgen" and file is not None:
        files.append(Path(file).resolve().relative_to(top).as_posix())
print(json.dumps(sorted(files)))
"""


# A package whose dependency is WebAssembly text (`p:q/i` encoded as a component
# type), for when the corpus (and its kinds-of-deps case) is not there.
_WAT_DEP = (
    '(component (type (component (type (instance (type (func (param "a" u32)))'
    ' (export "f" (func (type 0))))) (export "p:q/i" (instance (type 0)))))'
    ' (export "i" (type 0)))'
)


def test_every_module_the_generator_imports_is_fingerprinted(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "deps").mkdir(parents=True)
    (package / "main.wit").write_text("package zz:main;\nworld w { import p:q/i; }\n")
    (package / "deps" / "q.wat").write_text(_WAT_DEP)
    inputs = [str(ROOT / "wit"), str(package)]
    if KINDS_OF_DEPS.is_dir():
        inputs.append(str(KINDS_OF_DEPS))
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTED, json.dumps(inputs)],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = set(json.loads(result.stdout))
    assert "witgen/resolve/decode.py" in imported  # the WebAssembly deps were read
    missing = sorted(imported - set(generator_sources()))
    assert missing == [], f"imported by the generator but not fingerprinted: {missing}"


def test_the_sources_are_named_relative_and_sorted() -> None:
    sources = generator_sources()
    assert list(sources) == sorted(sources)
    assert all(name.startswith("witgen/") and name.endswith(".py") for name in sources)
    for name in ("witgen/codegen/generate.py", "witgen/ir.py", "witgen/resolve/passes.py"):
        assert name in sources
    assert "witgen/cli.py" not in sources  # what imports the generator is not its input


def test_the_grammar_sits_beside_the_templates() -> None:
    assert templates_path().parent / "grammar" / "wit.lark" == grammar_path()


def test_the_fingerprint_does_not_depend_on_where_the_project_is(tmp_path: Path) -> None:
    prints = []
    for place in ("one", "two/deeper"):
        project = tmp_path / place
        shutil.copytree(ROOT / "wit", project / "wit")
        options = Options(wit=project / "wit", out=project / "out", base=project)
        prints.append(fingerprint(options))
    assert prints[0] is not None and prints[0] == prints[1]

    options = Options(wit=tmp_path / "one" / "wit", out=tmp_path / "out", base=tmp_path / "one")
    with_world = Options(wit=options.wit, out=options.out, world="component", base=options.base)
    assert fingerprint(with_world) != prints[0]
    (tmp_path / "one" / "wit" / "worlds.wit").write_text("// edited\n", encoding="utf-8")
    assert fingerprint(options) != prints[0]


def test_a_known_digest_stands_for_reading_the_file(tmp_path: Path) -> None:
    wit = tmp_path / "a.wit"
    wit.write_text("package a:b;\ninterface i {}\n")
    options = Options(wit=wit, out=tmp_path / "out", base=tmp_path)
    read = fingerprint(options)
    known = hashlib.sha256(wit.read_bytes()).hexdigest()
    assert fingerprint(dataclasses.replace(options, wit_digest=known)) == read
    # The digest given is what counts: the file is not read.
    assert fingerprint(dataclasses.replace(options, wit_digest="0" * 64)) != read
