"""Settings for the whole test suite.

The parse cache (`witgen.syntax.cache`) is pointed at a temporary folder made
for this run, so the tests neither depend on nor fill the user's cache; xdist's
workers (and every `witgen` the tests start) inherit it through the environment.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

from witgen.syntax.cache import DIR_VARIABLE

_MARK = "WITGEN_TESTS_PARSE_CACHE"  # set once the folder of this run is made


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(_MARK) == os.environ.get(DIR_VARIABLE) and os.environ.get(_MARK):
        return  # an xdist worker: its controller made the folder
    folder = tempfile.mkdtemp(prefix="witgen-parse-cache-")
    os.environ[_MARK] = os.environ[DIR_VARIABLE] = folder
    atexit.register(shutil.rmtree, folder, True)
