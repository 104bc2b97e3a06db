"""The `airssys:host-extensions/storage` host service, and its SQLite store.

In: the component's id, its `PermissionValidator`, a `StorageBackend` (the
host's key-value store, shared by components) and the component's
`StorageQuota` (`validator.new_storage_quota()`); then the component's calls
(`get`, `set`, `delete`, `list_keys`).  Out: stored values and key lists.
Raises: only `Err(StorageError)` from a call; from the constructor, a
`ValueError` when the validator or the quota belongs to another component,
the quota is not fresh, or what the component already stores is over its
`max-size`; `sqlite3.Error` from `SqliteStorage(path)` when the database
cannot be opened.

Every call is checked against the component's namespace grants first (get is
`storage.read`, set `storage.write`, delete `storage.delete`, list-keys
`storage.list`); a denial (or a malformed namespace) is `permission-denied`
with the denial's message, never a trap.  Then the key is checked: a key is
1 to `MAX_KEY_BYTES` (1024) bytes of UTF-8 with no NUL, else `invalid-key`.
A failure of the store, or any unexpected exception, is `io-error`.

Accounting: an entry costs the UTF-8 bytes of its key plus the bytes of its
value (counting the key too means a component cannot store data in keys for
free), and the `max-size` of the manifest limits the total over every
namespace of the component (`StorageQuota`, inclusive).  A set charges only
the growth of the entry (replacing a value with a smaller one releases the
difference); a delete releases the entry.  A set that would pass the limit
is `quota-exceeded`, naming the bytes used, the bytes it needs and the limit.
When the service starts, the quota is charged with what the component already
stores (read from the backend), so the limit holds across restarts.  A
component already over its limit (the manifest's `max-size` was lowered) is
refused when the service is built, rather than charged partially: its limit
would otherwise no longer hold.

`SqliteStorage` keeps every component in one table keyed by (component,
namespace, key), with the WAL journal and `synchronous=FULL`, so a set that
returned survives a crash or power loss; each call is one statement in
autocommit mode.  One connection serves every thread (`check_same_thread`
off, a lock around each use).  `list_keys` is sorted by code point (the
order of Python's `sorted`).

Sets and deletes of one service are serialised (the size of the old entry,
the charge and the write happen under one lock), so concurrent calls keep
the quota exact.  Run one service per component and backend: a second
service for the same component would keep an account of its own, and the
limit would no longer hold.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from airssys_bindings.airssys_host_extensions.storage import (
    StorageError,
    StorageError_InvalidKey,
    StorageError_IoError,
    StorageError_PermissionDenied,
    StorageError_QuotaExceeded,
)

from witgen.permissions import PermissionDenied, PermissionValidator, StorageQuota
from witgen.permissions.capabilities import StorageAction
from witgen.permissions.errors import quote
from witgen.runtime.wit import Err

MAX_KEY_BYTES = 1024
"""The longest key, in bytes of UTF-8."""

_T = TypeVar("_T")


def entry_size(key: str, value: bytes) -> int:
    """The bytes an entry counts against the quota: its key (UTF-8) and its value."""
    return len(key.encode("utf-8")) + len(value)


class StorageBackend(Protocol):
    """A key-value store holding the entries of many components.

    Every method names the component and namespace; the backend keeps
    components apart and does no permission or quota check (the service
    does).  Sizes are `entry_size(key, value)`.  Methods may raise any
    exception on failure; the service turns it into `io-error`.
    """

    def get(self, component: str, namespace: str, key: str) -> bytes | None:
        """The value under `key`, or None."""
        ...

    def set(self, component: str, namespace: str, key: str, value: bytes) -> None:
        """Store `value` under `key`, replacing any value there (durably)."""
        ...

    def delete(self, component: str, namespace: str, key: str) -> None:
        """Remove `key`, if present."""
        ...

    def list_keys(self, component: str, namespace: str) -> list[str]:
        """Every key of the namespace, sorted."""
        ...

    def size(self, component: str, namespace: str, key: str) -> int | None:
        """The `entry_size` of the entry under `key`, or None when there is none."""
        ...

    def usage(self, component: str) -> dict[str, int]:
        """The bytes the component stores, by namespace (namespaces it uses only)."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    component TEXT NOT NULL,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (component, namespace, key)
) WITHOUT ROWID
"""
_SIZE = "length(CAST(key AS BLOB)) + length(value)"


class SqliteStorage:
    """A `StorageBackend` in one SQLite database file (or `":memory:"`)."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 5.0) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(_SCHEMA)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the connection (checkpointing the WAL); later calls raise."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, component: str, namespace: str, key: str) -> bytes | None:
        row = self._one(
            "SELECT value FROM entries WHERE component = ? AND namespace = ? AND key = ?",
            (component, namespace, key),
        )
        if row is None:
            return None
        value = row[0]
        if not isinstance(value, bytes):
            raise TypeError(f"the stored value is {type(value).__name__}, not bytes")
        return value

    def set(self, component: str, namespace: str, key: str, value: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO entries (component, namespace, key, value) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (component, namespace, key) DO UPDATE SET value = excluded.value",
                (component, namespace, key, bytes(value)),
            )

    def delete(self, component: str, namespace: str, key: str) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM entries WHERE component = ? AND namespace = ? AND key = ?",
                (component, namespace, key),
            )

    def list_keys(self, component: str, namespace: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key FROM entries WHERE component = ? AND namespace = ?",
                (component, namespace),
            ).fetchall()
        return sorted(str(row[0]) for row in rows)

    def size(self, component: str, namespace: str, key: str) -> int | None:
        row = self._one(
            f"SELECT {_SIZE} FROM entries WHERE component = ? AND namespace = ? AND key = ?",
            (component, namespace, key),
        )
        if row is None:
            return None
        size = row[0]
        if not isinstance(size, int):
            raise TypeError(f"the stored size is {type(size).__name__}, not int")
        return size

    def usage(self, component: str) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT namespace, SUM({_SIZE}) FROM entries WHERE component = ? "
                "GROUP BY namespace",
                (component,),
            ).fetchall()
        return {str(namespace): int(total) for namespace, total in rows}

    def _one(self, sql: str, parameters: tuple[str, ...]) -> tuple[object, ...] | None:
        with self._lock:
            row: tuple[object, ...] | None = self._db.execute(sql, parameters).fetchone()
        return row


class StorageService:
    """`storage.Host` for one component, over a shared `StorageBackend`."""

    def __init__(
        self,
        component: str,
        validator: PermissionValidator,
        backend: StorageBackend,
        quota: StorageQuota,
    ) -> None:
        if component != validator.component:
            raise ValueError(
                f"the validator is for component {quote(validator.component)}, "
                f"not {quote(component)}"
            )
        if quota.component != component:
            raise ValueError(
                f"the quota is for component {quote(quota.component)}, not {quote(component)}"
            )
        if quota.total != 0:
            raise ValueError("the quota must be fresh: the service charges what is stored")
        self.component = component
        self.validator = validator
        self.backend = backend
        self.quota = quota
        self._lock = threading.Lock()
        usage = backend.usage(component)
        stored = sum(usage.values())
        if stored > quota.limit:
            raise ValueError(
                f"component {quote(component)} already stores {stored} bytes, over its "
                f"max-size of {quota.limit} bytes; raise max-size or remove data"
            )
        for namespace, size in sorted(usage.items()):
            quota.charge(namespace, size)

    # -- the interface -----------------------------------------------------

    def get(self, namespace: str, key: str) -> bytes | None:
        return self._call("get", namespace, key, "read", lambda: self._get(namespace, key))

    def set(self, namespace: str, key: str, value: bytes) -> None:
        self._call("set", namespace, key, "write", lambda: self._set(namespace, key, value))

    def delete(self, namespace: str, key: str) -> None:
        self._call("delete", namespace, key, "delete", lambda: self._delete(namespace, key))

    def list_keys(self, namespace: str) -> list[str]:
        return self._call(
            "list-keys",
            namespace,
            None,
            "list",
            lambda: self.backend.list_keys(self.component, namespace),
        )

    # -- operations --------------------------------------------------------

    def _get(self, namespace: str, key: str) -> bytes | None:
        return self.backend.get(self.component, namespace, key)

    def _set(self, namespace: str, key: str, value: bytes) -> None:
        value = bytes(value)
        new = entry_size(key, value)
        with self._lock:
            old = self.backend.size(self.component, namespace, key) or 0
            growth = new - old
            if growth > 0:
                self._charge(namespace, key, growth)
            try:
                self.backend.set(self.component, namespace, key, value)
            except BaseException:
                if growth > 0:
                    self.quota.release(namespace, growth)
                raise
            if growth < 0:
                self.quota.release(namespace, -growth)

    def _charge(self, namespace: str, key: str, growth: int) -> None:
        try:
            self.quota.charge(namespace, growth)
        except PermissionDenied:
            used, limit = self.quota.total, self.quota.limit
            message = (
                f"set {quote(namespace)} {quote(key)}: storing {growth} more bytes would "
                f"make {used + growth} bytes; the component uses {used} of its "
                f"{limit}-byte max-size"
            )
            raise Err(StorageError_QuotaExceeded(message)) from None

    def _delete(self, namespace: str, key: str) -> None:
        with self._lock:
            old = self.backend.size(self.component, namespace, key)
            if old is None:
                return
            self.backend.delete(self.component, namespace, key)
            self.quota.release(namespace, old)

    # -- checks and errors -------------------------------------------------

    def _call(
        self,
        operation: str,
        namespace: str,
        key: str | None,
        action: StorageAction,
        run: Callable[[], _T],
    ) -> _T:
        """Check the grant and the key, then `run()`; every failure is `Err(StorageError)`."""
        where = quote(namespace) if key is None else f"{quote(namespace)} {_show_key(key)}"
        failure: StorageError
        try:
            self.validator.check_storage(namespace, action)
            if key is not None:
                problem = key_problem(key)
                if problem is not None:
                    message = f"{operation} {where}: invalid key: {problem}"
                    raise Err(StorageError_InvalidKey(message))
            return run()
        except Err as error:
            failure = error.value
        except PermissionDenied as denial:
            failure = StorageError_PermissionDenied(str(denial))
        except Exception as error:  # noqa: BLE001 - nothing but Err may reach wasmtime
            reason = f"{type(error).__name__}: {error}"
            failure = StorageError_IoError(f"{operation} {where}: {reason}")
        # A message crosses into the component as a WIT string: no lone surrogates.
        raise Err(dataclasses.replace(failure, value=_printable(failure.value))) from None


def key_problem(key: str) -> str | None:
    """Why `key` is not a valid key, or None."""
    if not isinstance(key, str):
        return "a key must be a string"
    if not key:
        return "the key is empty"
    if "\x00" in key:
        return "the key contains a NUL character"
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        return "the key is not valid Unicode (it contains a lone surrogate)"
    if size > MAX_KEY_BYTES:
        return f"the key is {size} bytes of UTF-8, longer than {MAX_KEY_BYTES}"
    return None


def _show_key(key: str) -> str:
    """A key for a message: quoted, and cut short when long."""
    if not isinstance(key, str):
        return repr(key)
    return quote(key if len(key) <= 80 else key[:80] + "...")


def _printable(message: str) -> str:
    """`message` with anything UTF-8 cannot carry (lone surrogates) escaped."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")
