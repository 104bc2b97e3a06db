"""Storage namespaces, size limits and the bytes a component has stored.

In: namespace grants and `max-size` from Component.toml; namespaces from
requests; byte counts from the host's key-value store.  Out:
`parse_namespace_grant()`, `check_namespace()`, `parse_size()`, and
`StorageQuota`, which accounts the bytes each component holds.  Raises:
`ValueError` (load-error message) for a bad grant or size, `InvalidNamespace`
for a request no grant can allow, `PermissionDenied` from `StorageQuota` when a
write would pass the limit.

Namespaces are exactly `category:name`, each segment `[a-z0-9][a-z0-9_-]*`
(at most 64 characters).  A grant is exact, or `category:*`, which matches any
one name of that category and nothing deeper (D6: `shared:*` does not match
`shared:a:b`, which is not even a valid namespace).  There is no allow-all
grant.  A namespace grant allows all four storage actions (read, write,
delete, list); the manifest has no per-action storage keys.

Sizes (D7): `100MB` is 100 * 10^6 bytes; `100MiB` is 100 * 2^20.  Units are
B, kB (or KB), MB, GB, TB, KiB, MiB, GiB, TiB; the number is a whole number.
The limit counts every byte a component stores across all its namespaces
(a per-namespace limit would be no limit with `category:*`), and it is
inclusive: a component may hold exactly `max-size` bytes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from witgen.permissions.errors import PermissionDenied, quote

_SEGMENT = r"[a-z0-9][a-z0-9_-]{0,63}"
_NAMESPACE = re.compile(rf"{_SEGMENT}:{_SEGMENT}")
_GRANT = re.compile(rf"({_SEGMENT}):({_SEGMENT}|\*)")
_SIZE = re.compile(r"(0|[1-9][0-9]{0,17})(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")
UNITS = {
    "B": 1,
    "kB": 10**3,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
    "TiB": 2**40,
}


class InvalidNamespace(ValueError):
    """A request namespace that no grant can allow; the message says why."""


@dataclass(frozen=True, slots=True)
class NamespaceGrant:
    """`category:name`, or `category:*` when `name` is None."""

    text: str
    category: str
    name: str | None

    def matches(self, namespace: str) -> bool:
        if self.name is not None:
            return namespace == self.text
        return namespace.startswith(f"{self.category}:")


def parse_namespace_grant(text: str) -> NamespaceGrant:
    """Check a grant: exact `category:name` or `category:*`."""
    match = _GRANT.fullmatch(text)
    if match is None:
        raise ValueError(
            "a namespace grant is `category:name` or `category:*`, each part lower-case "
            "letters, digits, `_` and `-`, starting with a letter or digit"
        )
    category, name = match.groups()
    return NamespaceGrant(text, category, None if name == "*" else name)


def check_namespace(namespace: str) -> str:
    """A request namespace, checked: exactly `category:name`."""
    if not isinstance(namespace, str) or _NAMESPACE.fullmatch(namespace) is None:
        raise InvalidNamespace(
            "not a namespace: expected exactly `category:name` (lower-case letters, "
            "digits, `_` and `-`, each part non-empty)"
        )
    return namespace


def parse_size(text: str) -> int:
    """Bytes in a size such as `100MB` (10^6) or `64MiB` (2^20)."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(
            "expected a whole number and a unit, such as 100MB or 64MiB "
            f"(units: {', '.join(UNITS)})"
        )
    number, unit = match.groups()
    return int(number) * UNITS[unit]


class StorageQuota:
    """The bytes one component has stored, against its `max-size`.

    The host calls `charge()` before it stores bytes and `release()` after it
    deletes or replaces them.  `charge()` refuses (raising `PermissionDenied`)
    a write that would take the total past the limit; the total may equal it.
    One instance per component: quotas, like grants, are never shared.
    Thread-safe.
    """

    def __init__(self, component: str, limit: int, limit_text: str | None = None) -> None:
        self.component = component
        self.limit = limit
        self._limit_text = limit_text if limit_text is not None else f"{limit}B"
        self._lock = threading.Lock()
        self._by_namespace: dict[str, int] = {}
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    def used(self, namespace: str) -> int:
        return self._by_namespace.get(namespace, 0)

    def charge(self, namespace: str, size: int) -> None:
        """Account `size` more bytes in `namespace`, or refuse if over the limit."""
        if type(size) is not int or size < 0:
            raise ValueError(f"a size is a non-negative int, not {size!r}")
        with self._lock:
            total = self._total + size
            if total > self.limit:
                raise PermissionDenied(
                    self.component,
                    "storage.write",
                    namespace,
                    f"storing {size} more bytes would make {total} bytes, over the "
                    f"limit of {self.limit} bytes (max-size = {quote(self._limit_text)})",
                    f"a larger max-size in [capabilities.storage], at least {total} bytes",
                )
            self._total = total
            self._by_namespace[namespace] = self._by_namespace.get(namespace, 0) + size

    def release(self, namespace: str, size: int) -> None:
        """Account `size` bytes freed in `namespace` (never below zero)."""
        if type(size) is not int or size < 0:
            raise ValueError(f"a size is a non-negative int, not {size!r}")
        with self._lock:
            held = self._by_namespace.get(namespace, 0)
            freed = min(size, held)
            self._by_namespace[namespace] = held - freed
            self._total -= freed
