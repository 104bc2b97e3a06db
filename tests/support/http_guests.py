"""The `wasi:http/proxy@0.2.0` test guests of `tests/guests/http/`, built on demand.

Each guest is a folder `tests/guests/http/<name>/` holding one componentize-py
`app.py` (what each one does: `tests/guests/http/README.md`).  They are built
against the official WASI 0.2.0 http WIT in `../shared` (`support.corpus.WASI /
"http"`, with its `deps/`), world `wasi:http/proxy@0.2.0`, by
`support.guests.build_guest`, so a build is cached by content hash and happens at
most once per content (7-20 s each; about 18 MB).

Public names
------------
`HTTP_GUESTS`
    The guest names, in a fixed order.
`http_wit_available() -> bool`
    Whether the WASI http WIT is there (it is not on a user's machine).
`build_http_guest(name, cache_dir) -> Path`
    The component of guest `name` (`ValueError` for an unknown name;
    `support.guests.GuestBuildError` when componentize-py is missing or fails).
`http_guest` (pytest fixture, session scope)
    A function `name -> Path` that builds into pytest's cache
    (`.pytest_cache/d/witgen-guests`) and skips the test cleanly when
    componentize-py or the WIT is absent.  `tests/serve/conftest.py` provides it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from support.corpus import WASI
from support.guests import build_guest, componentize_py_available

__all__ = [
    "HTTP_GUESTS",
    "HTTP_WIT",
    "HTTP_WORLD",
    "build_http_guest",
    "http_guest",
    "http_wit_available",
]

GUESTS = Path(__file__).resolve().parents[1] / "guests" / "http"
HTTP_WIT = WASI / "http"
HTTP_WORLD = "wasi:http/proxy@0.2.0"
HTTP_GUESTS = ("echo", "fanout", "headers", "silent", "trap", "spin", "flood", "denied")


def http_wit_available() -> bool:
    """Whether `../shared` holds the WASI http WIT (with its deps)."""
    return (HTTP_WIT / "proxy.wit").is_file() and (HTTP_WIT / "deps").is_dir()


def build_http_guest(name: str, cache_dir: Path) -> Path:
    """The component of guest `name`, built (or found) in `cache_dir`."""
    if name not in HTTP_GUESTS:
        raise ValueError(f"no http guest `{name}` (there are: {', '.join(HTTP_GUESTS)})")
    return build_guest(GUESTS / name, HTTP_WORLD, HTTP_WIT, Path(cache_dir))


@pytest.fixture(scope="session")
def http_guest(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Path]:
    """`http_guest("echo")`: the built component, or the test skipped without the tools."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        cache_dir = Path(cache.mkdir("witgen-guests"))
    else:  # `-p no:cacheprovider`
        cache_dir = tmp_path_factory.getbasetemp().parent / "witgen-guests"

    def build(name: str) -> Path:
        if not componentize_py_available():
            pytest.skip("componentize-py is not installed")
        if not http_wit_available():
            pytest.skip(f"no WASI http WIT at {HTTP_WIT}")
        return build_http_guest(name, cache_dir)

    return build
