"""Filesystem vectors that need a real open: symbolic links, TOCTOU, create,
truncate, rename and links, beneath a temporary folder standing for `/`.

The tree, in the host folder `root` (the component's `/`):

    data/a.txt            "a"
    data/sub/f            "inside"
    data/in -> sub/f      a link that stays inside
    data/link -> <abs>    an absolute link to root/etc
    data/up -> ../etc     a relative link out of the grant
    data/d/f              "d"
    etc/passwd            "secret"
    out/a                 "out"
"""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import pytest

from witgen.permissions import HostRoot, PermissionDenied
from witgen.permissions.fs import actions_for_flags

from .helpers import denied, fs

pytestmark = pytest.mark.skipif(os.name != "posix", reason="HostRoot needs POSIX dir_fd")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "data" / "sub").mkdir(parents=True)
    (root / "data" / "d").mkdir()
    (root / "etc").mkdir()
    (root / "out").mkdir()
    (root / "data" / "a.txt").write_text("a")
    (root / "data" / "sub" / "f").write_text("inside")
    (root / "data" / "d" / "f").write_text("d")
    (root / "etc" / "passwd").write_text("secret")
    (root / "out" / "a").write_text("out")
    (root / "data" / "in").symlink_to("sub/f")
    (root / "data" / "link").symlink_to(root / "etc")
    (root / "data" / "up").symlink_to("../etc")
    return root


def host(root: Path, **patterns: list[str]) -> HostRoot:
    return HostRoot(root, fs(**patterns))


def test_fs_open_baseline(root: Path) -> None:
    with host(root, read=["/data/**"]) as data:
        assert data.read_bytes("/data/a.txt") == b"a"
        assert data.read_bytes("/data/./sub/../a.txt") == b"a"


def test_fs_vector_12_absolute_symlink_out_is_denied_at_open(root: Path) -> None:
    with host(root, read=["/data/**"]) as data:
        # The lexical check passes: only the resolution beneath the root stops it.
        assert data.validator.check_filesystem("/data/link/passwd", "read")
        denial = denied(lambda: data.read_bytes("/data/link/passwd"))
        assert "absolute path" in denial.reason


def test_fs_vector_12_relative_symlink_out_of_the_grant_is_denied(root: Path) -> None:
    with host(root, read=["/data/**"]) as data:
        denial = denied(lambda: data.read_bytes("/data/up/passwd"))
        assert '"/etc/passwd"' in denial.reason


def test_fs_vector_12_symlink_above_the_root_is_denied(root: Path) -> None:
    (root / "data" / "high").symlink_to("../../..")
    with host(root, read=["/data/**"]) as data:
        denial = denied(lambda: data.read_bytes("/data/high/etc/passwd"))
        assert "climbs above the root" in denial.reason


def test_fs_vector_14_symlink_that_stays_inside_is_followed(root: Path) -> None:
    with host(root, read=["/data/**"]) as data:
        assert data.read_bytes("/data/in") == b"inside"
        (root / "data" / "subdir").symlink_to("sub")
        assert data.read_bytes("/data/subdir/f") == b"inside"
        assert data.stat("/data/in").st_size == len("inside")


def test_fs_vector_14_inside_the_root_is_not_enough_the_grant_is_rechecked(root: Path) -> None:
    (root / "data" / "public").mkdir()
    (root / "data" / "public" / "l").symlink_to("../a.txt")
    with host(root, read=["/data/public/**"]) as public:
        denial = denied(lambda: public.read_bytes("/data/public/l"))
        assert '"/data/a.txt"' in denial.reason


def test_fs_vector_16_toctou_folder_swapped_for_a_symlink(root: Path) -> None:
    with host(root, read=["/data/**"]) as data:
        assert data.validator.check_filesystem("/data/d/f", "read") == "/data/d/f"
        (root / "data" / "d" / "f").unlink()
        (root / "data" / "d").rmdir()
        (root / "data" / "d").symlink_to(root / "etc")
        denied(lambda: data.read_bytes("/data/d/f"))
        (root / "data" / "d").unlink()
        (root / "data" / "d").symlink_to("../etc")
        denied(lambda: data.read_bytes("/data/d/passwd"))


def test_fs_vector_16_toctou_race_never_reads_outside(root: Path) -> None:
    """A thread keeps swapping `data/d` between a folder and a link to etc/."""
    (root / "etc" / "f").write_text("secret")
    stop = threading.Event()

    def swap() -> None:
        folder, spare, link = root / "data" / "d", root / "data" / "spare", root / "data" / "evil"
        link.symlink_to(root / "etc")
        while not stop.is_set():
            os.rename(folder, spare)  # the folder moves aside ...
            os.rename(link, folder)  # ... and the link takes its place
            time.sleep(0.0002)
            os.rename(folder, link)
            os.rename(spare, folder)
            time.sleep(0.0002)

    thread = threading.Thread(target=swap)
    thread.start()
    seen = set()
    try:
        with host(root, read=["/data/**"]) as data:
            for _ in range(300):
                try:
                    seen.add(data.read_bytes("/data/d/f"))
                except (PermissionDenied, OSError):
                    seen.add(b"refused")
    finally:
        stop.set()
        thread.join()
    assert b"secret" not in seen


def test_fs_vector_17_trailing_slash_on_a_link_out(root: Path) -> None:
    with host(root, read=["/data/**"], list_=["/data/**"]) as data:
        denied(lambda: data.open("/data/link/"))
        denied(lambda: data.listdir("/data/link/"))
        denied(lambda: data.listdir("/data/up/"))


def test_fs_vector_18_trailing_slash_on_a_file_keeps_the_directory_intent(root: Path) -> None:
    with host(root, read=["/data/**"]) as data:
        assert data.validator.check_filesystem("/data/a.txt/", "read") == "/data/a.txt"
        with pytest.raises(NotADirectoryError):
            data.open("/data/a.txt/")


def test_fs_vector_31_truncate_is_a_write(root: Path) -> None:
    with host(root, read=["/data/**"]) as data:
        denial = denied(lambda: data.open("/data/a.txt", os.O_RDONLY | os.O_TRUNC))
        assert denial.capability == "filesystem.write"
    assert (root / "data" / "a.txt").read_text() == "a"


def test_fs_vector_32_create_is_a_write(root: Path) -> None:
    with host(root, read=["/data/**"]) as data:
        denied(lambda: data.open("/data/new", os.O_RDONLY | os.O_CREAT))
    assert not (root / "data" / "new").exists()
    with host(root, read=["/data/**"], write=["/data/**"]) as data:
        data.write_bytes("/data/new", b"n")
        assert data.read_bytes("/data/new") == b"n"


def test_fs_vector_33_unlink_and_rename_need_delete(root: Path) -> None:
    with host(root, write=["/out/**"]) as out:
        denied(lambda: out.unlink("/out/a"))
        denial = denied(lambda: out.rename("/out/a", "/out/b"))
        assert denial.capability == "filesystem.delete"
    assert (root / "out" / "a").exists()
    with host(root, write=["/out/**"], delete=["/out/**"]) as out:
        out.rename("/out/a", "/out/b")
        out.unlink("/out/b")
    assert not (root / "out" / "b").exists()


def test_fs_vector_34_rename_checks_the_target_too(root: Path) -> None:
    with host(root, write=["/out/**"], delete=["/out/**"]) as out:
        denial = denied(lambda: out.rename("/out/a", "/etc/cron.d/x"))
        assert denial.capability == "filesystem.write"
        # Through a link in the target's folders: the reached path is checked.
        (root / "out" / "to-etc").symlink_to("../etc")
        denied(lambda: out.rename("/out/a", "/out/to-etc/x"))
    assert (root / "out" / "a").read_text() == "out"
    assert not (root / "etc" / "x").exists()


def test_fs_vector_35_symlink_to_an_absolute_target(root: Path) -> None:
    with host(root, write=["/out/**"], read=["/out/**"]) as out:
        denial = denied(lambda: out.symlink("/etc/shadow", "/out/l"))
        assert "relative" in denial.reason
        denied(lambda: out.symlink("../../../etc/shadow", "/out/l"))
        # A relative link is created, but reading through it is checked (#12).
        out.symlink("../etc/passwd", "/out/l")
        assert (root / "out" / "l").is_symlink()
        denied(lambda: out.read_bytes("/out/l"))
        out.symlink("a", "/out/to-a")
        assert out.read_bytes("/out/to-a") == b"out"


def test_fs_vector_36_hard_link_needs_read_and_write_on_the_source(root: Path) -> None:
    with host(root, write=["/out/**"]) as out:
        denial = denied(lambda: out.link("/etc/shadow", "/out/h"))
        assert denial.capability == "filesystem.read"
    with host(root, write=["/out/**"], read=["/data/**"]) as out:
        # Read alone is not enough: writing through the new name would change the file.
        denial = denied(lambda: out.link("/data/a.txt", "/out/h"))
        assert denial.capability == "filesystem.write"
    with host(root, write=["/out/**"], read=["/out/**"]) as out:
        out.link("/out/a", "/out/h")
        assert out.read_bytes("/out/h") == b"out"


def test_fs_list_mkdir_rmdir(root: Path) -> None:
    with host(root, list_=["/data/**"], write=["/out/**"], delete=["/out/**"]) as tree:
        assert tree.listdir("/data") == ["a.txt", "d", "in", "link", "sub", "up"]
        denied(lambda: tree.listdir("/"))
        tree.mkdir("/out/new")
        assert (root / "out" / "new").is_dir()
        tree.rmdir("/out/new")
        denied(lambda: tree.mkdir("/data/new"))
        denied(lambda: tree.rmdir("/data/sub"))


def test_fs_root_itself(root: Path) -> None:
    with host(root) as nothing:
        denied(lambda: nothing.listdir("/"))
    with HostRoot(root, fs(list_=["/data/**"])) as tree:
        denied(lambda: tree.listdir("/"))
        denied(lambda: tree.unlink("/"))


def test_fs_symlink_loop_is_an_error_not_a_hang(root: Path) -> None:
    (root / "data" / "loop1").symlink_to("loop2")
    (root / "data" / "loop2").symlink_to("loop1")
    with host(root, read=["/data/**"]) as data:
        with pytest.raises(OSError) as caught:
            data.read_bytes("/data/loop1")
        assert caught.value.errno == errno.ELOOP


def test_fs_missing_file_is_an_os_error(root: Path) -> None:
    with host(root, read=["/data/**"]) as data, pytest.raises(FileNotFoundError):
        data.read_bytes("/data/nope/x")


def test_fs_no_descriptor_leaks(root: Path) -> None:
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        pytest.skip("no /proc/self/fd")
    with host(root, read=["/data/**"], write=["/out/**"], delete=["/out/**"]) as tree:
        before = len(list(fd_dir.iterdir()))
        for _ in range(20):
            tree.read_bytes("/data/in")
            tree.read_bytes("/data/sub/f")
            for bad in ("/data/link/passwd", "/data/up/passwd", "/data/nope/x"):
                with pytest.raises((PermissionDenied, OSError)):
                    tree.read_bytes(bad)
            tree.write_bytes("/out/t", b"x")
            tree.rename("/out/t", "/out/u")
            tree.unlink("/out/u")
        assert len(list(fd_dir.iterdir())) == before


@pytest.mark.parametrize(
    ("flags", "actions"),
    [
        (os.O_RDONLY, ("read",)),
        (os.O_WRONLY, ("write",)),
        (os.O_RDWR, ("read", "write")),
        (os.O_RDONLY | os.O_TRUNC, ("read", "write")),
        (os.O_RDONLY | os.O_CREAT, ("read", "write")),
        (os.O_WRONLY | os.O_APPEND, ("write",)),
    ],
)
def test_fs_actions_for_flags(flags: int, actions: tuple[str, ...]) -> None:
    assert actions_for_flags(flags) == actions
