"""Filesystem operations beneath a host root, after the permission check.

In: a host directory that stands for the component's `/` (`HostRoot`), the
component's `PermissionValidator`, and request paths exactly as the component
gave them.  Out: file descriptors and the results of `open`, `listdir`,
`stat`, `mkdir`, `unlink`, `rmdir`, `rename`, `symlink` and `link`.  Raises:
`PermissionDenied` for a request the grants refuse (including a symbolic link
that leads out of the root or out of the grant), and `OSError` for an ordinary
filesystem error (`ENOENT`, `ENOTDIR`, `ELOOP` after 40 links, ...).

How a path is opened (design/permissions.md, "Paths"; vectors #12-#18,
#31-#36): the request string is checked, and the normalized string that was
checked is then walked one segment at a time from a descriptor of the root:
`os.open(segment, O_DIRECTORY | O_NOFOLLOW, dir_fd=parent)` for each folder and
`O_NOFOLLOW` for the last segment, so the walk never leaves what it has
opened, and a folder swapped for a symbolic link after the check (TOCTOU)
makes the open fail instead of following it.  A symbolic link met on the way
is followed only by resolving it here: an absolute target is refused (as WASI
does), a relative one is joined to the folder holding it, and a `..` that
climbs above the root is refused; then the walk restarts from the root with
the new path.  When any link was followed, the path actually reached is
checked against the grants again, for the same actions, so a link can neither
leave the root nor reach something the grant does not cover.

What each operation needs: reading is `read`; opening with `O_WRONLY`,
`O_RDWR`, `O_CREAT`, `O_TRUNC` or `O_APPEND` is `write` (creating and
truncating are writes: #31, #32); `listdir` is `list`; `stat` is `read`;
`mkdir` is `write`; `unlink` and `rmdir` are `delete`; `rename` is `delete` on
the source and `write` on the target (#33, #34); `symlink` is `write` on the
new link, whose target must be relative and stay inside the root (#35);
`link` is `read` and `write` on the existing file (every name of a file gives
the same access to it) and `write` on the new name (#36).

Windows names (#42) and pseudo filesystems (#43) are refused by the check
itself; `witgen.permissions.paths` says how and why.

Limits: the root itself and the folders above it are trusted.  A process
other than the component that moves a folder out of the root while a walk
holds it open can still let that walk reach the moved folder; the component
cannot do that through this module.  POSIX only (it needs `dir_fd` and
`O_NOFOLLOW`).
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Iterator
from contextlib import contextmanager

from witgen.permissions.capabilities import FsAction
from witgen.permissions.errors import PermissionDenied, quote
from witgen.permissions.paths import wants_directory
from witgen.permissions.validator import PermissionValidator

MAX_LINKS = 40
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# What open() says when O_NOFOLLOW meets a symbolic link: ELOOP on Linux and
# macOS, EMLINK on FreeBSD, ENOTDIR with O_DIRECTORY on some systems.
_LINK_ERRNOS = frozenset({errno.ELOOP, errno.EMLINK, errno.ENOTDIR})


def actions_for_flags(flags: int) -> tuple[FsAction, ...]:
    """The actions an `os.open` with `flags` needs."""
    access = flags & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
    actions: list[FsAction] = []
    if access in (os.O_RDONLY, os.O_RDWR):
        actions.append("read")
    if access != os.O_RDONLY or flags & _WRITE_FLAGS:
        actions.append("write")
    return tuple(actions)


class HostRoot:
    """A host folder that is `/` for one component, with its validator.

    Holds an open descriptor of the folder; `close()` it (or use `with`).
    """

    def __init__(self, root: str | os.PathLike[str], validator: PermissionValidator) -> None:
        self.validator = validator
        self._root = os.open(os.fspath(root), os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)

    def close(self) -> None:
        if self._root >= 0:
            os.close(self._root)
            self._root = -1

    def __enter__(self) -> HostRoot:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- operations --------------------------------------------------------

    def open(self, path: str, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
        """A descriptor of `path`, opened with `flags` (the caller closes it)."""
        actions = actions_for_flags(flags)
        if wants_directory(path):
            flags |= os.O_DIRECTORY
        return self._open(path, actions, flags | os.O_NOFOLLOW | _CLOEXEC, mode)

    def read_bytes(self, path: str) -> bytes:
        fd = self.open(path)
        with open(fd, "rb") as stream:
            return stream.read()

    def write_bytes(self, path: str, data: bytes) -> None:
        fd = self.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with open(fd, "wb") as stream:
            stream.write(data)

    def listdir(self, path: str) -> list[str]:
        fd = self._open(path, ("list",), _DIRECTORY_FLAGS, 0)
        try:
            return sorted(os.listdir(fd))
        finally:
            os.close(fd)

    def stat(self, path: str) -> os.stat_result:
        """The status of `path`; a symbolic link is followed (beneath the root)."""
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | _CLOEXEC  # never wait on a FIFO
        fd = self._open(path, ("read",), flags, 0)
        try:
            return os.fstat(fd)
        finally:
            os.close(fd)

    def mkdir(self, path: str, mode: int = 0o777) -> None:
        with self._parent(path, ("write",)) as (parent, name):
            os.mkdir(name, mode, dir_fd=parent)

    def unlink(self, path: str) -> None:
        with self._parent(path, ("delete",)) as (parent, name):
            os.unlink(name, dir_fd=parent)

    def rmdir(self, path: str) -> None:
        with self._parent(path, ("delete",)) as (parent, name):
            os.rmdir(name, dir_fd=parent)

    def rename(self, source: str, target: str) -> None:
        """Rename `source` to `target`: delete on the source, write on the target."""
        with (
            self._parent(source, ("delete",)) as (source_dir, source_name),
            self._parent(target, ("write",)) as (target_dir, target_name),
        ):
            os.rename(source_name, target_name, src_dir_fd=source_dir, dst_dir_fd=target_dir)

    def symlink(self, target: str, path: str) -> None:
        """Create the link `path` pointing to the relative `target`."""
        normal = self.validator.check_filesystem(path, "write")
        if not isinstance(target, str) or not target or "\x00" in target:
            raise self._escape(path, "write", "the link target is empty or invalid")
        if target.startswith("/"):
            raise self._escape(path, "write", "a link target must be relative, not absolute")
        _join(normal.split("/")[1:-1], target, path, self, "write")
        with self._parent(path, ("write",)) as (parent, name):
            os.symlink(target, name, dir_fd=parent)

    def link(self, source: str, target: str) -> None:
        """Create the hard link `target` to the existing file `source`."""
        with (
            self._parent(source, ("read", "write")) as (source_dir, source_name),
            self._parent(target, ("write",)) as (target_dir, target_name),
        ):
            os.link(
                source_name,
                target_name,
                src_dir_fd=source_dir,
                dst_dir_fd=target_dir,
                follow_symlinks=False,
            )

    # -- resolution --------------------------------------------------------

    def _check(self, path: str, actions: tuple[FsAction, ...]) -> list[str]:
        """The checked, normalized path as segments (empty for `/`)."""
        normal = ""
        for action in actions:
            normal = self.validator.check_filesystem(path, action)
        return [segment for segment in normal.split("/") if segment]

    def _open(self, path: str, actions: tuple[FsAction, ...], flags: int, mode: int) -> int:
        segments = self._check(path, actions)
        followed = False
        for _ in range(MAX_LINKS + 1):
            if followed:
                self._recheck(path, segments, actions)
            parent, walked, rest = self._walk(segments, path, actions[0])
            try:
                if rest is not None:
                    segments, followed = rest, True
                    continue
                name = segments[-1] if segments else "."
                try:
                    return os.open(name, flags, mode, dir_fd=parent)
                except OSError as error:
                    if error.errno not in _LINK_ERRNOS or not _is_link(name, parent):
                        raise
                    target = os.readlink(name, dir_fd=parent)
                    segments = _join(walked, target, path, self, actions[0])
                    followed = True
            finally:
                if parent != self._root:
                    os.close(parent)
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)

    @contextmanager
    def _parent(self, path: str, actions: tuple[FsAction, ...]) -> Iterator[tuple[int, str]]:
        """The folder holding the last segment of `path`, and that segment's name.

        Links are followed in the folders above it, never in the last segment
        itself (the operation is on the name).
        """
        segments = self._check(path, actions)
        if not segments:
            raise self._escape(path, actions[0], "the root itself cannot be changed")
        followed = False
        for _ in range(MAX_LINKS + 1):
            if followed:
                self._recheck(path, segments, actions)
            parent, _walked, rest = self._walk(segments, path, actions[0])
            if rest is not None:
                if parent != self._root:
                    os.close(parent)
                segments, followed = rest, True
                continue
            try:
                yield parent, segments[-1]
            finally:
                if parent != self._root:
                    os.close(parent)
            return
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)

    def _walk(
        self, segments: list[str], path: str, action: FsAction
    ) -> tuple[int, list[str], list[str] | None]:
        """Open the folders of `segments[:-1]` one by one from the root.

        Returns the descriptor of the last folder, the segments walked, and
        None; or, when a folder is a symbolic link, the descriptor of the
        folder holding it and the path (as segments) that the link makes of
        the whole request.
        """
        current = self._root
        walked: list[str] = []
        for index, segment in enumerate(segments[:-1]):
            try:
                opened = os.open(segment, _DIRECTORY_FLAGS, dir_fd=current)
            except OSError as error:
                if error.errno not in _LINK_ERRNOS or not _is_link(segment, current):
                    if current != self._root:
                        os.close(current)
                    raise
                target = os.readlink(segment, dir_fd=current)
                try:
                    joined = _join(walked, target, path, self, action)
                except PermissionDenied:
                    if current != self._root:
                        os.close(current)
                    raise
                return current, walked, joined + segments[index + 1 :]
            if current != self._root:
                os.close(current)
            current = opened
            walked.append(segment)
        return current, walked, None

    def _recheck(self, path: str, segments: list[str], actions: tuple[FsAction, ...]) -> None:
        """Check the path a symbolic link led to, for the same actions."""
        reached = "/" + "/".join(segments)
        for action in actions:
            try:
                self.validator.check_filesystem(reached, action)
            except PermissionDenied as denial:
                raise self._escape(
                    path, action, f"a symbolic link leads to {quote(reached)}: {denial.reason}"
                ) from None

    def _escape(self, path: str, action: FsAction, reason: str) -> PermissionDenied:
        component = self.validator.component
        return PermissionDenied(component, f"filesystem.{action}", path, reason, None)


def _is_link(name: str, parent: int) -> bool:
    try:
        return stat_module.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _join(walked: list[str], target: str, path: str, root: HostRoot, action: FsAction) -> list[str]:
    """The segments of `target` (a link's content) read in the folder `walked`."""
    if target.startswith("/"):
        raise root._escape(
            path, action, f"a symbolic link points to the absolute path {quote(target)}"
        )
    segments = list(walked)
    for segment in target.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not segments:
                raise root._escape(
                    path, action, f"a symbolic link ({quote(target)}) climbs above the root"
                )
            segments.pop()
            continue
        segments.append(segment)
    return segments
