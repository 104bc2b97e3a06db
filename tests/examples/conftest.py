"""Fixtures for the example components: built once (cached by content), compiled once.

`build_example(name)` builds `examples/<name>` with componentize-py against the
world of its own `wit/` folder, with the guest SDK (`sdk/`) on its python path,
through `support.guests.build_guest`; builds are kept in pytest's cache folder
(`witgen-guests`, shared with the runtime tests) and compiled components in
`witgen-host-cache`, so only the first run pays for them.  `host` is a fresh
`AirssysHost` per test with a filesystem root and a key-value store in the
test's temporary folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from support.guests import build_guest

from witgen.host.airssys import AirssysHost, HostConfig

from .paths import EXAMPLES, ROOT, SDK, world_of


def _pytest_cache(
    request: pytest.FixtureRequest, factory: pytest.TempPathFactory, sub: str
) -> Path:
    cache_ = getattr(request.config, "cache", None)
    if cache_ is not None:
        return Path(cache_.mkdir(sub))
    return factory.getbasetemp().parent / sub


@pytest.fixture(scope="session")
def guest_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _pytest_cache(request, tmp_path_factory, "witgen-guests")


@pytest.fixture(scope="session")
def compiled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The host's compile cache, shared by the session (and kept between runs)."""
    return _pytest_cache(request, tmp_path_factory, "witgen-host-cache")


@pytest.fixture(scope="session")
def build_example(guest_cache: Path) -> Callable[[str], Path]:
    @cache
    def build(name: str) -> Path:
        app = EXAMPLES / name
        return build_guest(app, world_of(name), app / "wit", guest_cache, python_path=[SDK])

    return build


@pytest.fixture(scope="session")
def probe(guest_cache: Path) -> Path:
    """The test probe (tests/guests/probe): a peer that records what it receives."""
    return build_guest(
        ROOT / "tests" / "guests" / "probe", "extended-component", ROOT / "wit", guest_cache
    )


@pytest.fixture
def host(tmp_path: Path, compiled: Path) -> Iterator[AirssysHost]:
    config = HostConfig(
        cache_dir=compiled,
        fs_root=tmp_path / "roots",
        storage_path=tmp_path / "kv.sqlite",
        lifecycle_timeout_ms=20_000,
    )
    with AirssysHost(config) as running:
        yield running
