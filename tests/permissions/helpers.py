"""Building manifests and validators for the permission tests."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from witgen.permissions import Manifest, PermissionDenied, PermissionValidator, parse_manifest

HEADER = '[component]\nname = "{name}"\nversion = "1.0.0"\n'


def manifest(body: str = "", name: str = "test-component") -> Manifest:
    """A manifest of `body` (TOML) under a minimal `[component]` table."""
    return parse_manifest(HEADER.format(name=name) + body)


def validator(body: str = "", name: str = "test-component") -> PermissionValidator:
    return PermissionValidator(manifest(body, name))


def fs(**patterns: list[str]) -> PermissionValidator:
    """A validator granting filesystem `patterns` by action (`list_` for `list`)."""
    lines = [f"{action.rstrip('_')} = {json.dumps(items)}" for action, items in patterns.items()]
    return validator("[capabilities.filesystem]\n" + "\n".join(lines) + "\n")


def net(*grants: dict[str, object]) -> PermissionValidator:
    """A validator with one `[[capabilities.network]]` table per grant."""
    body = ""
    for grant in grants:
        body += "[[capabilities.network]]\n"
        for key, value in grant.items():
            body += f"{key} = {json.dumps(value)}\n"
    return validator(body)


def denied(check: Callable[[], object]) -> PermissionDenied:
    """The `PermissionDenied` raised by `check()`."""
    with pytest.raises(PermissionDenied) as caught:
        check()
    return caught.value
