"""Where the Jinja templates are.

In: nothing.  Out: the `templates/` folder, inside the installed package or at
the top of a source checkout.  Raises nothing.  Kept apart from `render.py`
so that `witgen generate --check` can fingerprint the templates without
importing Jinja.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def templates_path() -> Path:
    packaged = resources.files("witgen") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "templates"
