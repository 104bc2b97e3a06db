"""The parse cache (`witgen.syntax.cache`): a hit gives the tree a parse gives,
spans in the file it is loaded for; anything doubtful is a miss."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.corpus import WASI

from witgen.diagnostics import SourceMap, WitError
from witgen.syntax import cache
from witgen.syntax.parse import parse_file

WASI_HTTP = WASI / "http"

# Doc comments, gates, nested packages, non-ASCII text (spans are byte offsets).
SAMPLE = textwrap.dedent("""\
    /// The package: «café».
    package ex:sample@1.2.3-rc.1+build;

    /// An interface, with docs.
    @since(version = 1.0.0)
    interface types {
      /** A block doc — with dashes. */
      @unstable(feature = fancy)
      record point { x: s32, /// why
        y: option<list<u8, 4>> }
      variant shape { circle(f64), none }
      resource handle {
        constructor(name: string);
        @deprecated(version = 1.1.0)
        get: static func() -> result<point, string>;
      }
      f: async func(p: borrow<handle>) -> tuple<u32, string>;
    }

    world w {
      import types;
      @unstable(feature = fancy)
      export run: func();
      include other with { a as b }
    }

    package ex:nested {
      interface inner { use ex:sample/types@1.2.3-rc.1+build.{point as p}; }
    }
    """)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    here = tmp_path / "parsed"
    monkeypatch.setenv(cache.DIR_VARIABLE, str(here))
    monkeypatch.delenv(cache.OFF_VARIABLE, raising=False)
    return here


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths of the files actually parsed (cache misses)."""
    seen: list[str] = []
    real = cache._parse

    def counting(sources: SourceMap, file: int) -> object:
        seen.append(sources[file].path)
        return real(sources, file)

    monkeypatch.setattr(cache, "_parse", counting)
    yield seen


def _load(text: str, before: int = 0, path: str = "a.wit") -> tuple[SourceMap, int]:
    """A source map with `before` other files ahead of `text`."""
    sources = SourceMap()
    for n in range(before):
        sources.add(f"other{n}.wit", "package a:b;\n")
    return sources, sources.add(path, text)


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def test_a_hit_is_the_parse_with_spans_in_its_own_file(folder: Path, parses: list[str]) -> None:
    sources, file = _load(SAMPLE)
    first = cache.parse_file_cached(sources, file)
    assert parses == ["a.wit"] and len(_entries(folder)) == 1
    again, index = _load(SAMPLE, before=3, path="b.wit")
    hit = cache.parse_file_cached(again, index)
    assert parses == ["a.wit"]  # not parsed again
    fresh = parse_file(again, index)
    assert hit == fresh and repr(hit) == repr(fresh)
    assert hit.span.file == index == 3 and first.span.file == 0
    assert hit.header == fresh.header


@pytest.mark.skipif(not WASI_HTTP.is_dir(), reason=f"no WASI packages at {WASI_HTTP}")
def test_every_file_of_wasi_http_comes_back_equal(folder: Path, parses: list[str]) -> None:
    files = sorted(WASI_HTTP.rglob("*.wit"))
    for offset in (0, 5):
        for path in files:
            sources, file = _load(path.read_text(encoding="utf-8"), before=offset)
            assert repr(cache.parse_file_cached(sources, file)) == repr(parse_file(sources, file))
    assert len(parses) == len(files)


def test_a_changed_file_misses(folder: Path, parses: list[str]) -> None:
    cache.parse_file_cached(*_load(SAMPLE))
    changed = SAMPLE.replace("x: s32", "x: s64")
    sources, file = _load(changed)
    assert cache.parse_file_cached(sources, file) == parse_file(sources, file)
    assert len(parses) == 2 and len(_entries(folder)) == 2


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "foreign"])
def test_a_damaged_entry_is_a_miss_and_is_written_again(
    folder: Path, parses: list[str], damage: str
) -> None:
    cache.parse_file_cached(*_load(SAMPLE))
    (entry,) = _entries(folder)
    good = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(good[: len(good) // 2])
    elif damage == "flipped":
        entry.write_bytes(good[:-20] + bytes([good[-20] ^ 1]) + good[-19:])
    elif damage == "empty":
        entry.write_bytes(b"")
    else:  # a well-formed entry naming a class from outside the syntax tree
        import zlib

        payload = pickle.dumps(os.stat_result(range(10)))
        entry.write_bytes(b"witgen-ast\0" + zlib.crc32(payload).to_bytes(4, "big") + payload)
    sources, file = _load(SAMPLE)
    assert cache.parse_file_cached(sources, file) == parse_file(sources, file)
    assert len(parses) == 2
    assert entry.read_bytes() == good


def test_a_folder_others_may_write_is_not_trusted(
    folder: Path, parses: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    shared.chmod(0o770)
    monkeypatch.setenv(cache.DIR_VARIABLE, str(shared))
    assert cache.cache_folder() is None
    cache.parse_file_cached(*_load(SAMPLE))
    cache.parse_file_cached(*_load(SAMPLE))
    assert len(parses) == 2 and list(shared.iterdir()) == []


def test_an_entry_others_may_write_is_not_loaded(folder: Path, parses: list[str]) -> None:
    cache.parse_file_cached(*_load(SAMPLE))
    (entry,) = _entries(folder)
    entry.chmod(0o622)
    cache.parse_file_cached(*_load(SAMPLE))
    assert len(parses) == 2


def test_the_folder_is_made_private(folder: Path) -> None:
    cache.parse_file_cached(*_load(SAMPLE))
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(entry.stat().st_mode & 0o777 == 0o600 for entry in _entries(folder))


def test_the_cache_can_be_turned_off(
    folder: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.OFF_VARIABLE, "1")
    cache.parse_file_cached(*_load(SAMPLE))
    cache.parse_file_cached(*_load(SAMPLE))
    assert len(parses) == 2 and not folder.exists()


def test_a_file_with_an_error_is_never_stored(folder: Path, parses: list[str]) -> None:
    broken = "package a:b;\ninterface i { f: func(; }\n"
    messages = []
    for _ in range(2):
        with pytest.raises(WitError) as raised:
            cache.parse_file_cached(*_load(broken))
        messages.append(raised.value.diagnostics)
    assert messages[0] == messages[1] and len(parses) == 2
    assert not folder.exists() or _entries(folder) == []


def test_old_entries_are_pruned_at_most_once_a_day(folder: Path) -> None:
    cache.parse_file_cached(*_load(SAMPLE))
    cache.parse_file_cached(*_load(SAMPLE.replace("s32", "u32")))
    old, young = _entries(folder)
    now = time.time()
    long_ago = now - (cache.MAX_AGE_DAYS + 1) * 86400
    os.utime(old, (long_ago, long_ago))
    cache.prune(folder, now)  # pruned already today, by the writes above
    assert old.exists()
    cache.prune(folder, now + 2 * 86400)
    assert not old.exists() and young.exists()


LARK_CHECK = """
import sys
from witgen.cli import main
code = main(["check", sys.argv[1]])
print(code, "lark" in sys.modules, "regex" in sys.modules)
"""


def test_a_run_where_every_file_hits_never_imports_lark(folder: Path, tmp_path: Path) -> None:
    package = tmp_path / "wit"
    (package / "deps" / "dep").mkdir(parents=True)
    (package / "deps" / "dep" / "dep.wit").write_text(
        "package test:dep;\ninterface types {\n  record point { x: u32, y: u32 }\n}\n"
    )
    (package / "main.wit").write_text(
        "package test:main;\n/// A world.\nworld w {\n  import test:dep/types;\n}\n"
    )
    env = dict(os.environ)
    command = [sys.executable, "-c", LARK_CHECK, str(package)]
    cold = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert cold.stdout.split()[-3:] == ["0", "True", "True"]
    warm = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert warm.stdout.split()[-3:] == ["0", "False", "False"]
