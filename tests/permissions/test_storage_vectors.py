"""Storage namespace and size vectors of design/permissions.md, and more."""

from __future__ import annotations

import contextlib
import threading

import pytest

from witgen.permissions import ManifestError, PermissionDenied, StorageQuota, parse_size

from .helpers import denied, manifest, validator

EXACT = validator('[capabilities.storage]\nnamespaces = ["myapp:config"]\nmax-size = "1MB"\n')
CATEGORY = validator('[capabilities.storage]\nnamespaces = ["myapp:*"]\nmax-size = "1MB"\n')
SHARED = validator('[capabilities.storage]\nnamespaces = ["shared:*"]\nmax-size = "1MB"\n')


def test_storage_vector_74_exact() -> None:
    for action in ("read", "write", "delete", "list"):
        assert EXACT.check_storage("myapp:config", action) == "myapp:config"


@pytest.mark.parametrize("namespace", ["myapp:config2", "myapp:conf", "other:config"])
def test_storage_vector_75_exact_means_exact(namespace: str) -> None:
    denial = denied(lambda: EXACT.check_storage(namespace, "read"))
    assert denial.grant == f'[capabilities.storage] namespaces = ["{namespace}"]'


def test_storage_vector_76_category_wildcard() -> None:
    assert CATEGORY.check_storage("myapp:cache", "write") == "myapp:cache"


def test_storage_vector_78_category_alone_or_empty_name() -> None:
    denied(lambda: CATEGORY.check_storage("myapp", "read"))
    denial = denied(lambda: CATEGORY.check_storage("myapp:", "read"))
    assert denial.reason.startswith("not a namespace") and denial.grant is None
    denied(lambda: CATEGORY.check_storage("myappx:cache", "read"))
    assert denied(lambda: CATEGORY.check_storage("myapp:Cache", "read")).grant is None


def test_storage_vector_80_star_is_exactly_one_segment_d6() -> None:
    assert SHARED.check_storage("shared:a", "read") == "shared:a"
    denial = denied(lambda: SHARED.check_storage("shared:a:b", "read"))
    assert denial.grant is None


@pytest.mark.parametrize("grant", ["*", "*:*", ":*", "my*:x", "myapp:*x", "myapp:", "MyApp:x", ""])
def test_storage_vector_82_bad_grants_are_load_errors(grant: str) -> None:
    with pytest.raises(ManifestError) as caught:
        manifest(f'[capabilities.storage]\nnamespaces = ["{grant}"]\nmax-size = "1MB"\n')
    (problem,) = caught.value.problems
    assert problem.key == "capabilities.storage.namespaces[0]"


def test_storage_vector_83_grants_and_caches_are_per_component() -> None:
    a = validator('[capabilities.storage]\nnamespaces = ["myapp:*"]\nmax-size = "1MB"\n', "a")
    b = validator('[capabilities.storage]\nnamespaces = ["other:*"]\nmax-size = "1MB"\n', "b")
    assert a.check_storage("myapp:x", "read") == "myapp:x"
    denial = denied(lambda: b.check_storage("myapp:x", "read"))
    assert denial.component == "b"
    # The filesystem and network decision caches are per component too.
    fa = validator('[capabilities.filesystem]\nread = ["/a/**"]\n', "a")
    fb = validator('[capabilities.filesystem]\nread = ["/b/**"]\n', "b")
    assert fa.check_filesystem("/a/x", "read") == "/a/x"
    denied(lambda: fb.check_filesystem("/a/x", "read"))


def test_storage_vector_84_limit_is_inclusive_d7() -> None:
    loaded = validator('[capabilities.storage]\nnamespaces = ["myapp:*"]\nmax-size = "100MB"\n')
    quota = loaded.new_storage_quota()
    assert quota.limit == 100_000_000
    quota.charge("myapp:a", 60_000_000)
    quota.charge("myapp:b", 40_000_000)
    assert quota.total == 100_000_000
    with pytest.raises(PermissionDenied) as caught:
        quota.charge("myapp:a", 1)
    denial = caught.value
    assert denial.capability == "storage.write" and "100000001" in denial.reason
    assert quota.total == 100_000_000
    quota.release("myapp:b", 1)
    quota.charge("myapp:a", 1)
    assert (quota.used("myapp:a"), quota.used("myapp:b")) == (60_000_001, 39_999_999)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("100MB", 100_000_000),
        ("100MiB", 100 * 2**20),
        ("1kB", 1000),
        ("1KB", 1000),
        ("1KiB", 1024),
        ("0B", 0),
        ("2GB", 2 * 10**9),
        ("3GiB", 3 * 2**30),
        ("1TiB", 2**40),
    ],
)
def test_sizes_d7(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["100", "100 MB", "1.5MB", "100mb", "-1MB", "MB", "01MB", ""])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


def test_storage_needs_a_limit_and_no_section_grants_nothing() -> None:
    with pytest.raises(ManifestError) as caught:
        manifest('[capabilities.storage]\nnamespaces = ["myapp:x"]\n')
    assert caught.value.problems[0].key == "capabilities.storage.max-size"
    nothing = validator()
    denial = denied(lambda: nothing.check_storage("myapp:x", "read"))
    assert "grants no storage" in denial.reason
    assert nothing.new_storage_quota().limit == 0


def test_quota_is_thread_safe() -> None:
    quota = StorageQuota("c", 10_000)

    def write() -> None:
        for _ in range(1000):
            with contextlib.suppress(PermissionDenied):
                quota.charge("a:b", 3)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert quota.total == 9999 == quota.used("a:b")


def test_quota_rejects_negative_sizes_and_never_goes_below_zero() -> None:
    quota = StorageQuota("c", 10)
    with pytest.raises(ValueError):
        quota.charge("a:b", -1)
    quota.charge("a:b", 5)
    quota.release("a:b", 50)
    assert quota.total == 0 and quota.used("a:b") == 0


def test_unknown_storage_action_is_a_bug() -> None:
    with pytest.raises(ValueError, match="unknown storage action"):
        EXACT.check_storage("myapp:config", "append")  # type: ignore[arg-type]
