"""`StorageService` over `SqliteStorage`: grants, keys, quota, durability."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from airssys_bindings.airssys_host_extensions import storage
from airssys_bindings.airssys_host_extensions.storage import (
    StorageError_InvalidKey,
    StorageError_IoError,
    StorageError_PermissionDenied,
    StorageError_QuotaExceeded,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from witgen.host.services.storage import (
    MAX_KEY_BYTES,
    SqliteStorage,
    StorageBackend,
    StorageService,
    entry_size,
)
from witgen.permissions import PermissionValidator, StorageAction, parse_manifest
from witgen.runtime.wit import Err


def validator(
    name: str = "app", namespaces: str = '"myapp:*", "cfg:main"', max_size: str = "100B"
) -> PermissionValidator:
    text = f"""
[component]
name = "{name}"
version = "1.0.0"

[capabilities.storage]
namespaces = [{namespaces}]
max-size = "{max_size}"
"""
    return PermissionValidator(parse_manifest(text, "Component.toml"))


def open_service(
    backend: StorageBackend, name: str = "app", max_size: str = "100B"
) -> StorageService:
    checks = validator(name, max_size=max_size)
    return StorageService(name, checks, backend, checks.new_storage_quota())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


@pytest.fixture
def backend(db: Path) -> Iterator[SqliteStorage]:
    with SqliteStorage(db) as backend:
        yield backend


@pytest.fixture
def service(backend: SqliteStorage) -> StorageService:
    return open_service(backend)


def error_of(call: Callable[[], object]) -> object:
    with pytest.raises(Err) as caught:
        call()
    return caught.value.value


def test_the_service_implements_the_host_protocol(backend: SqliteStorage) -> None:
    host: storage.Host = open_service(backend)
    host.set("myapp:a", "k", b"v")
    assert host.get("myapp:a", "k") == b"v"


def test_the_backend_implements_the_protocol(db: Path) -> None:
    backend: StorageBackend = SqliteStorage(db)
    assert backend.usage("app") == {}
    assert isinstance(backend, SqliteStorage)
    backend.close()


def test_the_validator_and_quota_must_be_the_components(backend: SqliteStorage) -> None:
    app, other = validator("app"), validator("other")
    with pytest.raises(ValueError, match="validator"):
        StorageService("other", app, backend, app.new_storage_quota())
    with pytest.raises(ValueError, match="quota"):
        StorageService("app", app, backend, other.new_storage_quota())
    used = app.new_storage_quota()
    used.charge("myapp:a", 1)
    with pytest.raises(ValueError, match="fresh"):
        StorageService("app", app, backend, used)


# -- operations allowed ----------------------------------------------------


def test_get_set_delete_list(service: StorageService) -> None:
    assert service.get("myapp:a", "k") is None
    service.set("myapp:a", "k", b"value")
    service.set("myapp:a", "b", b"")
    assert service.get("myapp:a", "k") == b"value"
    assert service.get("myapp:a", "b") == b""
    assert service.list_keys("myapp:a") == ["b", "k"]
    service.delete("myapp:a", "k")
    service.delete("myapp:a", "k")  # deleting a missing key succeeds
    assert service.get("myapp:a", "k") is None
    assert service.list_keys("myapp:a") == ["b"]
    assert service.list_keys("cfg:main") == []


def test_namespaces_are_separate(service: StorageService) -> None:
    service.set("myapp:a", "k", b"1")
    service.set("myapp:b", "k", b"2")
    assert service.get("myapp:a", "k") == b"1" and service.get("myapp:b", "k") == b"2"


def test_list_keys_is_sorted_by_code_point(service: StorageService) -> None:
    keys = ["b", "a", "é", "Z", "aa", "😀", "\u00ff"]
    for key in keys:
        service.set("myapp:a", key, b"")
    assert service.list_keys("myapp:a") == sorted(keys)


def test_components_are_separate(backend: SqliteStorage) -> None:
    app, other = open_service(backend, "app"), open_service(backend, "other")
    app.set("myapp:a", "k", b"app's")
    assert other.get("myapp:a", "k") is None
    assert other.list_keys("myapp:a") == []
    other.set("myapp:a", "k", b"other's")
    assert app.get("myapp:a", "k") == b"app's"
    assert app.quota.total == entry_size("k", b"app's")


# -- denials ---------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get("other:x", "k"),
        lambda s: s.set("other:x", "k", b"v"),
        lambda s: s.delete("other:x", "k"),
        lambda s: s.list_keys("other:x"),
        lambda s: s.get("cfg:other", "k"),
    ],
    ids=["get", "set", "delete", "list-keys", "exact-grant"],
)
def test_namespaces_not_granted_are_denied(
    service: StorageService, call: Callable[[StorageService], object]
) -> None:
    error = error_of(lambda: call(service))
    assert isinstance(error, StorageError_PermissionDenied)
    assert '"app"' in error.value and "storage." in error.value and "denied" in error.value


@pytest.mark.parametrize("namespace", ["myapp", "myapp:", "myapp:a:b", "MyApp:a", "", "myapp:A"])
def test_malformed_namespaces_are_denied(service: StorageService, namespace: str) -> None:
    assert isinstance(error_of(lambda: service.get(namespace, "k")), StorageError_PermissionDenied)


class SpyValidator(PermissionValidator):
    """A validator that records the storage actions it is asked about."""

    __slots__ = ("seen",)

    def __init__(self, checks: PermissionValidator) -> None:
        super().__init__(checks.manifest)
        self.seen: list[str] = []

    def check_storage(self, namespace: str, action: StorageAction) -> str:
        self.seen.append(action)
        return super().check_storage(namespace, action)


def test_the_check_uses_the_right_action(backend: SqliteStorage) -> None:
    spy = SpyValidator(validator())
    service = StorageService("app", spy, backend, spy.new_storage_quota())
    service.set("myapp:a", "k", b"v")
    service.get("myapp:a", "k")
    service.list_keys("myapp:a")
    service.delete("myapp:a", "k")
    assert spy.seen == ["write", "read", "list", "delete"]


def test_denial_comes_before_the_key_check(service: StorageService) -> None:
    assert isinstance(error_of(lambda: service.get("other:x", "")), StorageError_PermissionDenied)


# -- keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["", "a\x00b", "x" * (MAX_KEY_BYTES + 1), "é" * (MAX_KEY_BYTES // 2 + 1), "\udcff"],
    ids=["empty", "nul", "too-long", "too-long-utf8", "surrogate"],
)
def test_invalid_keys(service: StorageService, key: str) -> None:
    for call in (
        lambda: service.get("myapp:a", key),
        lambda: service.set("myapp:a", key, b"v"),
        lambda: service.delete("myapp:a", key),
    ):
        error = error_of(call)
        assert isinstance(error, StorageError_InvalidKey)
        assert "invalid key" in error.value
        error.value.encode("utf-8")  # a message is always a valid WIT string


def test_longest_key(backend: SqliteStorage) -> None:
    service = open_service(backend, max_size="10kB")
    key = "é" * (MAX_KEY_BYTES // 2)
    service.set("myapp:a", key, b"v")
    assert service.list_keys("myapp:a") == [key]
    assert service.quota.total == MAX_KEY_BYTES + 1


# -- quota -----------------------------------------------------------------


def test_quota_is_inclusive_and_counts_keys(service: StorageService) -> None:
    service.set("myapp:a", "k", b"x" * 99)  # 1 + 99 = 100 bytes: exactly the limit
    assert service.quota.total == 100
    error = error_of(lambda: service.set("cfg:main", "j", b""))
    assert isinstance(error, StorageError_QuotaExceeded)
    assert "100" in error.value and "101" in error.value and '"cfg:main"' in error.value


def test_quota_spans_namespaces(service: StorageService) -> None:
    service.set("myapp:a", "k", b"x" * 60)
    error = error_of(lambda: service.set("myapp:b", "k", b"x" * 60))
    assert isinstance(error, StorageError_QuotaExceeded)
    assert "61" in error.value  # the bytes used
    assert service.get("myapp:b", "k") is None


def test_replacing_charges_only_the_difference(service: StorageService) -> None:
    service.set("myapp:a", "k", b"x" * 60)
    service.set("myapp:a", "k", b"y" * 90)  # +30, not +91
    assert service.quota.total == 91
    service.set("myapp:a", "k", b"z" * 10)  # releases 80
    assert service.quota.total == 11
    assert service.get("myapp:a", "k") == b"z" * 10
    service.set("myapp:b", "k", b"x" * 88)
    assert service.quota.total == 100


def test_a_refused_replacement_keeps_the_old_value(service: StorageService) -> None:
    service.set("myapp:a", "k", b"x" * 60)
    assert isinstance(
        error_of(lambda: service.set("myapp:a", "k", b"y" * 100)), StorageError_QuotaExceeded
    )
    assert service.get("myapp:a", "k") == b"x" * 60
    assert service.quota.total == 61


def test_deletes_release(service: StorageService) -> None:
    service.set("myapp:a", "k", b"x" * 99)
    service.delete("myapp:a", "k")
    assert service.quota.total == 0
    service.set("myapp:a", "k", b"x" * 99)


def test_usage_is_correct_after_reopening(db: Path) -> None:
    with SqliteStorage(db) as backend:
        service = open_service(backend)
        service.set("myapp:a", "k", b"x" * 50)
        service.set("cfg:main", "key", b"y" * 20)
        open_service(backend, "other").set("myapp:a", "k", b"z" * 90)
    with SqliteStorage(db) as backend:
        service = open_service(backend)
        assert service.quota.total == 51 + 23
        assert service.quota.used("myapp:a") == 51 and service.quota.used("cfg:main") == 23
        assert service.get("myapp:a", "k") == b"x" * 50
        assert isinstance(
            error_of(lambda: service.set("myapp:b", "k", b"x" * 26)), StorageError_QuotaExceeded
        )
        service.set("myapp:b", "k", b"x" * 25)  # exactly 100 bytes
        service.delete("cfg:main", "key")
        assert service.quota.total == 77
        assert open_service(backend, "other").quota.total == 91


def test_a_component_over_its_lowered_limit_is_refused_at_start(db: Path) -> None:
    with SqliteStorage(db) as backend:
        open_service(backend, max_size="100B").set("myapp:a", "k", b"x" * 80)
        with pytest.raises(ValueError, match="already stores 81 bytes"):
            open_service(backend, max_size="50B")


def test_durable_settings(backend: SqliteStorage, db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()
    assert backend._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_concurrent_sets_keep_the_quota_exact(backend: SqliteStorage) -> None:
    service = open_service(backend, max_size="1MB")

    def work(index: int) -> None:
        for round_ in range(20):
            service.set("myapp:a", f"k{index % 3}", b"x" * (index + round_))
            if round_ % 5 == 0:
                service.delete("myapp:a", f"k{index % 3}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert service.quota.total == sum(backend.usage("app").values())


# -- failures --------------------------------------------------------------


def test_backend_failures_are_io_errors(db: Path) -> None:
    backend = SqliteStorage(db)
    service = open_service(backend)
    backend.close()
    for call in (
        lambda: service.get("myapp:a", "k"),
        lambda: service.set("myapp:a", "k", b"v"),
        lambda: service.delete("myapp:a", "k"),
        lambda: service.list_keys("myapp:a"),
    ):
        error = error_of(call)
        assert isinstance(error, StorageError_IoError)
        assert '"myapp:a"' in error.value


def test_a_failed_write_releases_its_charge(
    service: StorageService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(service.backend, "set", fail)
    error = error_of(lambda: service.set("myapp:a", "k", b"v" * 10))
    assert isinstance(error, StorageError_IoError) and "disk I/O error" in error.value
    assert service.quota.total == 0


class MemoryBackend:
    """A second `StorageBackend`, to check the protocol is all the service needs."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str, str], bytes] = {}

    def get(self, component: str, namespace: str, key: str) -> bytes | None:
        return self.data.get((component, namespace, key))

    def set(self, component: str, namespace: str, key: str, value: bytes) -> None:
        self.data[component, namespace, key] = value

    def delete(self, component: str, namespace: str, key: str) -> None:
        self.data.pop((component, namespace, key), None)

    def list_keys(self, component: str, namespace: str) -> list[str]:
        return sorted(k for c, n, k in self.data if (c, n) == (component, namespace))

    def size(self, component: str, namespace: str, key: str) -> int | None:
        value = self.data.get((component, namespace, key))
        return None if value is None else entry_size(key, value)

    def usage(self, component: str) -> dict[str, int]:
        usage: dict[str, int] = {}
        for (c, n, k), value in self.data.items():
            if c == component:
                usage[n] = usage.get(n, 0) + entry_size(k, value)
        return usage


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["set", "delete"]),
        st.sampled_from(["myapp:a", "myapp:b", "cfg:main"]),
        st.sampled_from(["k", "key", "é"]),
        st.integers(min_value=0, max_value=60),
    ),
    max_size=30,
)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(operations=OPERATIONS)
def test_the_quota_always_matches_what_is_stored(
    operations: list[tuple[str, str, str, int]],
) -> None:
    backend = MemoryBackend()
    service = open_service(backend)
    for operation, namespace, key, size in operations:
        try:
            if operation == "set":
                service.set(namespace, key, b"x" * size)
            else:
                service.delete(namespace, key)
        except Err as error:
            assert isinstance(error.value, StorageError_QuotaExceeded)
        stored = backend.usage("app")
        assert service.quota.total == sum(stored.values()) <= 100
        assert all(service.quota.used(ns) == used for ns, used in stored.items())
    assert open_service(backend).quota.total == service.quota.total
