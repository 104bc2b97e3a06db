"""The before/after examples of docs/fmt.md are what `witgen fmt` does.

Each ```wit block titled "Before" is followed by one titled "After": the
formatter turns the first into the second, the second formats to itself, and
both resolve to the same model.  (The page's shell examples run in
`tests/docs/test_examples.py`.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docs.examples import DOCS, Block, collect

from witgen.fmt.layout import format_text
from witgen.json_view import dumps
from witgen.resolve.passes import resolve_path

PAGE = DOCS / "fmt.md"
TITLES = [b for b in collect(PAGE) if b.language == "wit" and "title=" in b.info]
PAIRS = list(zip(TITLES[::2], TITLES[1::2], strict=True))


def test_the_page_has_before_and_after_pairs() -> None:
    assert len(PAIRS) >= 2
    for before, after in PAIRS:
        assert (before.info, after.info) == ('wit title="Before"', 'wit title="After"')


@pytest.mark.parametrize(("before", "after"), PAIRS, ids=[b.where for b, _ in PAIRS])
def test_before_formats_to_after(before: Block, after: Block, tmp_path: Path) -> None:
    assert format_text("before.wit", before.code) == after.code
    assert format_text("after.wit", after.code) == after.code
    (tmp_path / "before.wit").write_text(before.code)
    (tmp_path / "after.wit").write_text(after.code)
    assert dumps(resolve_path(str(tmp_path / "after.wit"))) == dumps(
        resolve_path(str(tmp_path / "before.wit"))
    )
