"""`FilesystemService`: every operation allowed and denied, escapes, atomic writes.

The tree, in the host folder `root` (the component's `/`); `outside` is a
sibling of `root` that the component must never reach:

    data/a.txt            "alpha"
    data/sub/f            "inside"
    data/in -> sub/f      a link that stays inside
    data/link -> <abs>    an absolute link to root/etc
    data/up -> ../etc     a relative link out of the grant
    data/away -> ../../outside   a relative link out of the root
    etc/passwd            "secret"
    out/a                 "old"
    outside/secret        "host secret"

Grants: read `/data/**`, `/out/**`; write, delete `/out/**`; list `/data/**`,
`/out/**`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from airssys_bindings.airssys_host_core.types import (
    FileError_IoError,
    FileError_NotFound,
    FileError_PermissionDenied,
)
from airssys_bindings.airssys_host_extensions import filesystem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from witgen.host.services.filesystem import FilesystemService
from witgen.permissions import PermissionValidator, parse_manifest
from witgen.runtime.wit import Err

pytestmark = pytest.mark.skipif(os.name != "posix", reason="HostRoot needs POSIX dir_fd")

MANIFEST = """
[component]
name = "files"
version = "1.0.0"

[capabilities.filesystem]
read = ["/data/**", "/out/**"]
write = ["/out/**"]
delete = ["/out/**"]
list = ["/data/**", "/out/**"]
"""


def validator(text: str = MANIFEST) -> PermissionValidator:
    return PermissionValidator(parse_manifest(text, "Component.toml"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "data" / "sub").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "out").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text("host secret")
    (root / "data" / "a.txt").write_text("alpha")
    (root / "data" / "sub" / "f").write_text("inside")
    (root / "etc" / "passwd").write_text("secret")
    (root / "out" / "a").write_text("old")
    (root / "data" / "in").symlink_to("sub/f")
    (root / "data" / "link").symlink_to(root / "etc")
    (root / "data" / "up").symlink_to("../etc")
    (root / "data" / "away").symlink_to("../../outside")
    return root


@pytest.fixture
def service(root: Path) -> Iterator[FilesystemService]:
    with FilesystemService("files", validator(), root) as service:
        yield service


def error_of(call: Callable[[], object]) -> object:
    """The error case `call()` returned (it must raise `Err`, nothing else)."""
    with pytest.raises(Err) as caught:
        call()
    return caught.value.value


def denied(call: Callable[[], object]) -> str:
    error = error_of(call)
    assert isinstance(error, FileError_PermissionDenied), error
    return error.value


def io_error(call: Callable[[], object]) -> str:
    error = error_of(call)
    assert isinstance(error, FileError_IoError), error
    return error.value


def temp_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.startswith(".witgen-write-")]


def test_the_service_implements_the_host_protocol(root: Path) -> None:
    host: filesystem.Host = FilesystemService("files", validator(), root)
    assert host.read_file("/data/a.txt") == b"alpha"
    assert isinstance(host, FilesystemService)
    host.close()


def test_the_validator_must_be_the_components(root: Path) -> None:
    with pytest.raises(ValueError, match="files"):
        FilesystemService("other", validator(), root)


# -- read-file -------------------------------------------------------------


def test_read_file(service: FilesystemService) -> None:
    assert service.read_file("/data/a.txt") == b"alpha"
    assert service.read_file("/data/./sub/../a.txt") == b"alpha"
    assert service.read_file("/data/in") == b"inside"  # a link that stays inside


def test_read_file_denied_names_the_path_and_reason(service: FilesystemService) -> None:
    message = denied(lambda: service.read_file("/etc/passwd"))
    assert '"/etc/passwd"' in message and "filesystem.read" in message and "files" in message


def test_read_file_not_found(service: FilesystemService) -> None:
    error = error_of(lambda: service.read_file("/data/missing"))
    assert isinstance(error, FileError_NotFound)
    assert '"/data/missing"' in error.value


@pytest.mark.parametrize(
    "path", ["/data/../etc/passwd", "/data/x/../../etc/passwd", "/../data/a.txt", "data/a.txt"]
)
def test_read_file_traversal_is_denied(service: FilesystemService, path: str) -> None:
    denied(lambda: service.read_file(path))


def test_read_file_through_a_relative_link_out_of_the_grant(service: FilesystemService) -> None:
    message = denied(lambda: service.read_file("/data/up/passwd"))
    assert '"/etc/passwd"' in message


def test_read_file_through_an_absolute_link_is_refused(service: FilesystemService) -> None:
    assert "absolute" in denied(lambda: service.read_file("/data/link/passwd"))


def test_read_file_through_a_link_out_of_the_root(service: FilesystemService) -> None:
    assert "climbs above the root" in denied(lambda: service.read_file("/data/away/secret"))


def test_read_file_of_a_final_link_out_of_the_root(root: Path, service: FilesystemService) -> None:
    (root / "data" / "final").symlink_to("../../outside/secret")
    (root / "data" / "final-abs").symlink_to(root.parent / "outside" / "secret")
    denied(lambda: service.read_file("/data/final"))
    denied(lambda: service.read_file("/data/final-abs"))


def test_read_file_of_a_directory(service: FilesystemService) -> None:
    io_error(lambda: service.read_file("/data/sub"))
    io_error(lambda: service.read_file("/data/a.txt/"))


def test_read_file_of_a_fifo_does_not_block(root: Path, service: FilesystemService) -> None:
    os.mkfifo(root / "data" / "fifo")
    assert "not a regular file" in io_error(lambda: service.read_file("/data/fifo"))


def test_read_file_size_cap(root: Path) -> None:
    (root / "data" / "ten").write_bytes(b"x" * 10)
    (root / "data" / "eleven").write_bytes(b"x" * 11)
    with FilesystemService("files", validator(), root, max_read_bytes=10) as small:
        assert small.read_file("/data/ten") == b"x" * 10
        message = io_error(lambda: small.read_file("/data/eleven"))
        assert "10 bytes" in message and '"/data/eleven"' in message


def test_read_file_default_cap_is_64_mib(service: FilesystemService) -> None:
    assert service.max_read_bytes == 64 * 2**20


def test_read_file_cap_holds_when_the_file_grows(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "data" / "grows").write_bytes(b"x" * 5)
    real_fstat = os.fstat

    def stale_fstat(fd: int) -> os.stat_result:  # the size as it was before growing
        info = real_fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_size == 50:
            fields = list(info)
            fields[stat.ST_SIZE] = 5
            return os.stat_result(fields)
        return info

    (root / "data" / "grows").write_bytes(b"x" * 50)
    monkeypatch.setattr(os, "fstat", stale_fstat)
    with FilesystemService("files", validator(), root, max_read_bytes=10) as small:
        assert "over the host's read limit" in io_error(lambda: small.read_file("/data/grows"))


# -- write-file ------------------------------------------------------------


def test_write_file_creates_and_replaces(root: Path, service: FilesystemService) -> None:
    service.write_file("/out/new", b"fresh")
    assert (root / "out" / "new").read_bytes() == b"fresh"
    service.write_file("/out/a", b"replaced")
    assert (root / "out" / "a").read_bytes() == b"replaced"
    service.write_file("/out/empty", b"")
    assert (root / "out" / "empty").read_bytes() == b""
    assert temp_files(root / "out") == []


def test_write_file_keeps_the_mode(root: Path, service: FilesystemService) -> None:
    os.chmod(root / "out" / "a", 0o640)
    service.write_file("/out/a", b"x")
    assert stat.S_IMODE((root / "out" / "a").stat().st_mode) == 0o640


def test_write_file_denied(root: Path, service: FilesystemService) -> None:
    message = denied(lambda: service.write_file("/data/a.txt", b"x"))
    assert "filesystem.write" in message and '"/data/a.txt"' in message
    denied(lambda: service.write_file("/out/../etc/passwd", b"x"))
    assert (root / "data" / "a.txt").read_text() == "alpha"
    assert (root / "etc" / "passwd").read_text() == "secret"


def test_write_file_through_a_link_out_of_the_grant(root: Path, service: FilesystemService) -> None:
    (root / "out" / "esc").symlink_to("../etc")
    (root / "out" / "abs").symlink_to(root / "etc")
    denied(lambda: service.write_file("/out/esc/passwd", b"pwned"))
    denied(lambda: service.write_file("/out/abs/passwd", b"pwned"))
    assert (root / "etc" / "passwd").read_text() == "secret"


def test_write_file_replaces_a_link_and_not_its_target(
    root: Path, service: FilesystemService
) -> None:
    (root / "out" / "l").symlink_to("a")
    service.write_file("/out/l", b"new")
    assert not (root / "out" / "l").is_symlink()
    assert (root / "out" / "l").read_bytes() == b"new"
    assert (root / "out" / "a").read_text() == "old"


def test_write_file_read_only_file(root: Path, service: FilesystemService) -> None:
    os.chmod(root / "out" / "a", 0o444)
    assert "read-only" in denied(lambda: service.write_file("/out/a", b"x"))
    assert (root / "out" / "a").read_text() == "old"


def test_write_file_on_a_directory(root: Path, service: FilesystemService) -> None:
    (root / "out" / "dir").mkdir()
    io_error(lambda: service.write_file("/out/dir", b"x"))
    assert "names a directory" in io_error(lambda: service.write_file("/out/x/", b"x"))
    assert (root / "out" / "dir").is_dir()
    assert temp_files(root / "out") == []


def test_write_file_in_a_missing_folder(service: FilesystemService) -> None:
    assert isinstance(error_of(lambda: service.write_file("/out/no/f", b"x")), FileError_NotFound)


@pytest.mark.parametrize("failing", ["fsync", "replace", "write", "fchmod"])
def test_write_file_is_atomic(
    root: Path, service: FilesystemService, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    real = getattr(os, failing)
    calls = {"n": 0}

    def fail(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if failing == "write" and calls["n"] == 1:
            real(*args, **kwargs)  # a partial write, then the disk fills
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, failing, fail)
    message = io_error(lambda: service.write_file("/out/a", b"new content" * 1000))
    assert os.strerror(errno.ENOSPC) in message and '"/out/a"' in message
    monkeypatch.undo()
    assert (root / "out" / "a").read_text() == "old"
    assert sorted(os.listdir(root / "out")) == ["a"]


def test_write_file_temp_names_do_not_collide(
    root: Path, service: FilesystemService, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "out" / ".witgen-write-0000000000000000.tmp").write_text("someone else's")
    tokens = iter(["0000000000000000", "1111111111111111"])
    monkeypatch.setattr("secrets.token_hex", lambda _: next(tokens))
    service.write_file("/out/a", b"new")
    assert (root / "out" / "a").read_bytes() == b"new"
    assert (root / "out" / ".witgen-write-0000000000000000.tmp").read_text() == "someone else's"


def test_write_file_folder_sync_failure_after_rename(
    root: Path, service: FilesystemService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert "syncing its folder failed" in io_error(lambda: service.write_file("/out/a", b"new"))
    assert (root / "out" / "a").read_bytes() == b"new"
    assert temp_files(root / "out") == []


# -- stat-file -------------------------------------------------------------


def test_stat_file(root: Path, service: FilesystemService) -> None:
    info = (root / "data" / "a.txt").stat()
    meta = service.stat_file("/data/a.txt")
    assert meta.size == 5 and not meta.is_directory and not meta.is_symlink and not meta.readonly
    assert meta.modified == info.st_mtime_ns // 10**6
    assert abs(meta.created - time.time() * 1000) < 60_000


def test_stat_file_of_a_link_and_a_directory(root: Path, service: FilesystemService) -> None:
    link = service.stat_file("/data/in")
    assert link.is_symlink and link.size == len("inside") and not link.is_directory
    folder = service.stat_file("/data/sub")
    assert folder.is_directory and not folder.is_symlink
    assert service.stat_file("/data/sub/").is_directory
    io_error(lambda: service.stat_file("/data/a.txt/"))


def test_stat_file_readonly(root: Path, service: FilesystemService) -> None:
    os.chmod(root / "data" / "a.txt", 0o444)
    assert service.stat_file("/data/a.txt").readonly


def test_stat_file_denied_and_escapes(service: FilesystemService) -> None:
    assert "filesystem.read" in denied(lambda: service.stat_file("/etc/passwd"))
    denied(lambda: service.stat_file("/data/../etc/passwd"))
    denied(lambda: service.stat_file("/data/up/passwd"))
    denied(lambda: service.stat_file("/data/link"))
    denied(lambda: service.stat_file("/data/away/secret"))
    assert isinstance(error_of(lambda: service.stat_file("/data/nope")), FileError_NotFound)


# -- delete-file -----------------------------------------------------------


def test_delete_file(root: Path, service: FilesystemService) -> None:
    service.delete_file("/out/a")
    assert not (root / "out" / "a").exists()
    assert isinstance(error_of(lambda: service.delete_file("/out/a")), FileError_NotFound)


def test_delete_file_denied(root: Path, service: FilesystemService) -> None:
    assert "filesystem.delete" in denied(lambda: service.delete_file("/data/a.txt"))
    denied(lambda: service.delete_file("/out/../data/a.txt"))
    (root / "out" / "esc").symlink_to("../data")
    denied(lambda: service.delete_file("/out/esc/a.txt"))
    assert (root / "data" / "a.txt").exists()


def test_delete_file_refuses_a_directory(root: Path, service: FilesystemService) -> None:
    (root / "out" / "dir").mkdir()
    assert "directory" in io_error(lambda: service.delete_file("/out/dir"))
    assert "directory" in io_error(lambda: service.delete_file("/out/dir/"))
    assert (root / "out" / "dir").is_dir()


def test_delete_file_removes_a_link_not_its_target(root: Path, service: FilesystemService) -> None:
    (root / "out" / "l").symlink_to("a")
    service.delete_file("/out/l")
    assert not (root / "out" / "l").is_symlink()
    assert (root / "out" / "a").read_text() == "old"


# -- list-directory --------------------------------------------------------


def test_list_directory(root: Path, service: FilesystemService) -> None:
    entries = service.list_directory("/data")
    assert [entry.name for entry in entries] == sorted(os.listdir(root / "data"))
    by_name = {entry.name: entry for entry in entries}
    assert by_name["a.txt"] == filesystem.DirectoryEntry("a.txt", False, 5)
    assert by_name["sub"].is_directory
    # Links are reported as themselves, never followed (not even out of the root).
    assert not by_name["in"].is_directory and by_name["in"].size == len("sub/f")
    assert not by_name["away"].is_directory


def test_list_directory_denied_and_errors(service: FilesystemService) -> None:
    assert "filesystem.list" in denied(lambda: service.list_directory("/etc"))
    denied(lambda: service.list_directory("/data/../etc"))
    denied(lambda: service.list_directory("/data/up"))
    denied(lambda: service.list_directory("/data/away"))
    assert isinstance(error_of(lambda: service.list_directory("/data/no")), FileError_NotFound)
    io_error(lambda: service.list_directory("/data/a.txt"))


def test_list_directory_leaves_out_names_that_are_not_utf8(
    root: Path, service: FilesystemService
) -> None:
    os.close(os.open(os.fsencode(root / "out") + b"/bad\xff", os.O_CREAT | os.O_WRONLY, 0o644))
    assert [entry.name for entry in service.list_directory("/out")] == ["a"]


# -- create-directory ------------------------------------------------------


def test_create_directory_with_parents(root: Path, service: FilesystemService) -> None:
    service.create_directory("/out/x/y/z")
    assert (root / "out" / "x" / "y" / "z").is_dir()
    service.create_directory("/out/x/y/z")  # already there: success
    service.create_directory("/out")


def test_create_directory_denied(root: Path, service: FilesystemService) -> None:
    assert "filesystem.write" in denied(lambda: service.create_directory("/data/new"))
    denied(lambda: service.create_directory("/out/../new"))
    (root / "out" / "esc").symlink_to("../etc")
    denied(lambda: service.create_directory("/out/esc/new"))
    assert not (root / "new").exists() and not (root / "etc" / "new").exists()


def test_create_directory_needs_write_on_each_created_parent(root: Path) -> None:
    narrow = validator(MANIFEST.replace('write = ["/out/**"]', 'write = ["/out/a/b/**"]'))
    with FilesystemService("files", narrow, root) as service:
        (root / "out" / "a").unlink()
        denied(lambda: service.create_directory("/out/a/b/c"))
        (root / "out" / "a").mkdir()
        service.create_directory("/out/a/b/c")  # `/out/a` exists: only b and c are created
        assert (root / "out" / "a" / "b" / "c").is_dir()


def test_create_directory_over_a_file(service: FilesystemService) -> None:
    assert "not a directory" in io_error(lambda: service.create_directory("/out/a"))
    io_error(lambda: service.create_directory("/out/a/b"))


# -- the whole service -----------------------------------------------------


def test_closed_service_returns_io_errors(root: Path) -> None:
    service = FilesystemService("files", validator(), root)
    service.close()
    assert "closed" in io_error(lambda: service.read_file("/data/a.txt"))


def test_unexpected_exceptions_become_io_errors(
    service: FilesystemService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(os, "scandir", boom)
    message = io_error(lambda: service.list_directory("/data"))
    assert "RuntimeError: boom" in message


def test_messages_are_valid_utf8(service: FilesystemService) -> None:
    message = denied(lambda: service.read_file("/etc/\udcff"))
    message.encode("utf-8")


SEGMENTS = st.sampled_from(
    [*"data etc out .. . passwd a.txt sub in link up away secret f outside x".split(), ""]
)
PATHS = st.lists(SEGMENTS, max_size=7).map(lambda parts: "/" + "/".join(parts))
PROPERTY = settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@PROPERTY
@given(path=PATHS)
def test_no_path_outside_the_grant_is_ever_read(service: FilesystemService, path: str) -> None:
    try:
        data = service.read_file(path)
    except Err as error:
        assert isinstance(
            error.value, FileError_PermissionDenied | FileError_NotFound | FileError_IoError
        )
        return
    assert data in (b"alpha", b"inside", b"old")


@PROPERTY
@given(path=PATHS, operation=st.sampled_from(["stat", "list", "delete", "mkdir", "write"]))
def test_every_operation_only_raises_err(
    root: Path, service: FilesystemService, path: str, operation: str
) -> None:
    calls: dict[str, Callable[[], object]] = {
        "stat": lambda: service.stat_file(path),
        "list": lambda: service.list_directory(path),
        "delete": lambda: service.delete_file(path),
        "mkdir": lambda: service.create_directory(path),
        "write": lambda: service.write_file(path, b"w"),
    }
    with contextlib.suppress(Err):
        calls[operation]()
    assert (root / "etc" / "passwd").read_text() == "secret"
    assert (root / "data" / "a.txt").read_text() == "alpha"
    assert (root.parent / "outside" / "secret").read_text() == "host secret"
    assert sorted(os.listdir(root.parent)) == ["outside", "root"]
