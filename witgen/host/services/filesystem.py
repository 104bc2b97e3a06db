"""The `airssys:host-extensions/filesystem` host service, beneath a host folder.

In: the component's id, its `PermissionValidator`, and the host folder that is
the component's `/` (`FilesystemService(component, validator, root)`); then
the component's calls (`read_file`, `write_file`, `stat_file`, `delete_file`,
`list_directory`, `create_directory`), with paths exactly as it gave them.
Out: file contents, `FileMetadata`, `DirectoryEntry` lists, files and folders
written beneath the root.  Raises: only `Err(FileError)` from a call; a
`ValueError` from the constructor when the component id is not the one the
validator was built for, and `OSError` when the root cannot be opened.

Every call is checked against the component's grants first (read-file and
stat-file need `read`, write-file and create-directory `write`, delete-file
`delete`, list-directory `list`), then opened through `HostRoot`, which walks
the normalized path from a descriptor of the root without following a
symbolic link out of it (or out of the grant).  Errors reach the component as
the `file-error` case, never as a trap: a denial (`PermissionDenied`, or
`EACCES`/`EPERM` from the host) is `permission-denied` with the denial's
message, `ENOENT` is `not-found`, every other failure (including an
unexpected exception) is `io-error` with the operation, the path and the
reason.

Decisions where the contract is silent:

* read-file reads only regular files (a FIFO, device or socket is an
  `io-error`, and opening never blocks on a FIFO), and refuses a file larger
  than `max_read_bytes` (default 64 MiB) without reading it into memory.
* write-file is atomic: the data goes to a fresh temporary file
  (`.witgen-write-<random>.tmp`, created with `O_EXCL` in the target's folder),
  which is fsynced, renamed over the target and followed by an fsync of the
  folder; on any failure the temporary file is removed and the old content is
  untouched.  The temporary name is the host's, so it needs no grant of its
  own.  A new file keeps the old file's permission bits; a file whose mode
  has no write bit is `permission-denied` (it is read-only, as stat-file
  reports); a target that is a symbolic link is replaced by the new file (the
  link is not followed, so a write cannot land outside the path that was
  checked).
* stat-file follows a symbolic link beneath the root (re-checking where it
  leads) for everything but `is-symlink`, which is the lstat of the final
  name.  `created` is `st_birthtime` where the host has it, else `st_ctime`
  (the last status change on Linux); times before 1970 are 0; `readonly` is
  true when no write bit is set in the mode.
* delete-file removes a file or a symbolic link (the link, never its target);
  a directory is an `io-error` (deleting directories is not in the contract).
* list-directory reports each entry's own `is-directory` and `size` (lstat:
  a symbolic link is neither a directory nor its target's size, so listing
  never follows a link out of the root), sorted by name; a name that is not
  valid UTF-8 cannot cross the component boundary and is left out.
* create-directory creates missing parents like `mkdir -p`; each folder it
  creates needs `write` on its own path, one that already exists needs
  nothing; an existing directory is success, an existing non-directory (a
  symbolic link included) is an `io-error`.
* A path with a trailing `/` (or `/.`, `/..`) names a directory: write-file
  and delete-file refuse it, read-file and stat-file fail unless it is one.

Not thread-confined: calls may come from several threads; `close()` (or
`with`) releases the descriptor of the root, after which calls are
`io-error`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import posixpath
import secrets
import stat
from collections.abc import Callable
from typing import TypeVar

from airssys_bindings.airssys_host_core.types import (
    FileError,
    FileError_IoError,
    FileError_NotFound,
    FileError_PermissionDenied,
)
from airssys_bindings.airssys_host_extensions.filesystem import (
    DirectoryEntry,
    FileMetadata,
)

from witgen.permissions import HostRoot, PermissionDenied, PermissionValidator
from witgen.permissions.errors import quote
from witgen.permissions.paths import MAX_SEGMENTS, wants_directory
from witgen.runtime.wit import Err

DEFAULT_MAX_READ_BYTES = 64 * 2**20
"""The largest file read-file returns, unless the host configures another limit."""

_CHUNK = 2**20
_TEMP_ATTEMPTS = 16
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC
_DENIED_ERRNOS = frozenset({errno.EACCES, errno.EPERM})
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH

_T = TypeVar("_T")


class _Refused(Exception):
    """A request this service refuses itself; the message is the reason."""


class FilesystemService:
    """`filesystem.Host` for one component, beneath the host folder `root`."""

    def __init__(
        self,
        component: str,
        validator: PermissionValidator,
        root: str | os.PathLike[str],
        *,
        max_read_bytes: int = DEFAULT_MAX_READ_BYTES,
    ) -> None:
        if component != validator.component:
            raise ValueError(
                f"the validator is for component {quote(validator.component)}, "
                f"not {quote(component)}"
            )
        if max_read_bytes < 0:
            raise ValueError(f"max_read_bytes must be >= 0, not {max_read_bytes}")
        self.component = component
        self.validator = validator
        self.max_read_bytes = max_read_bytes
        self._root = HostRoot(root, validator)
        self._closed = False

    def close(self) -> None:
        """Release the root's descriptor; later calls are `io-error`."""
        self._closed = True
        self._root.close()

    def __enter__(self) -> FilesystemService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the interface -----------------------------------------------------

    def read_file(self, path: str) -> bytes:
        return self._call("read-file", path, lambda: self._read(path))

    def write_file(self, path: str, data: bytes) -> None:
        self._call("write-file", path, lambda: self._write(path, data))

    def stat_file(self, path: str) -> FileMetadata:
        return self._call("stat-file", path, lambda: self._stat(path))

    def delete_file(self, path: str) -> None:
        self._call("delete-file", path, lambda: self._delete(path))

    def list_directory(self, path: str) -> list[DirectoryEntry]:
        return self._call("list-directory", path, lambda: self._list(path))

    def create_directory(self, path: str) -> None:
        self._call("create-directory", path, lambda: self._create_directory(path))

    # -- operations --------------------------------------------------------

    def _read(self, path: str) -> bytes:
        self.validator.check_filesystem(path, "read")
        fd = self._root.open(path, os.O_RDONLY | os.O_NONBLOCK)  # never wait on a FIFO
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise OSError(errno.EISDIR, os.strerror(errno.EISDIR))
            if not stat.S_ISREG(info.st_mode):
                raise _Refused("not a regular file")
            limit = self.max_read_bytes
            if info.st_size > limit:
                raise _Refused(_too_large(info.st_size, limit))
            chunks: list[bytes] = []
            total = 0
            while chunk := os.read(fd, min(_CHUNK, limit + 1 - total)):
                total += len(chunk)
                if total > limit:  # the file grew while it was read
                    raise _Refused(_too_large(total, limit))
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def _write(self, path: str, data: bytes) -> None:
        self.validator.check_filesystem(path, "write")
        if wants_directory(path):
            raise _Refused("the path names a directory (it ends in `/`, `/.` or `/..`)")
        with self._root._parent(path, ("write",)) as (parent, name):
            _replace(parent, name, data)

    def _stat(self, path: str) -> FileMetadata:
        normal = self.validator.check_filesystem(path, "read")
        info = self._root.stat(path)
        if wants_directory(path) and not stat.S_ISDIR(info.st_mode):
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        is_symlink = False
        if normal != "/":
            with self._root._parent(path, ("read",)) as (parent, name):
                own = os.stat(name, dir_fd=parent, follow_symlinks=False)
                is_symlink = stat.S_ISLNK(own.st_mode)
        birth = getattr(info, "st_birthtime", None)
        created = info.st_ctime_ns // 10**6 if birth is None else int(birth * 1000)
        return FileMetadata(
            size=info.st_size,
            is_directory=stat.S_ISDIR(info.st_mode),
            is_symlink=is_symlink,
            created=max(created, 0),
            modified=max(info.st_mtime_ns // 10**6, 0),
            readonly=not info.st_mode & _WRITE_BITS,
        )

    def _delete(self, path: str) -> None:
        self.validator.check_filesystem(path, "delete")
        if wants_directory(path):
            raise _Refused("the path names a directory; delete-file deletes files only")
        with self._root._parent(path, ("delete",)) as (parent, name):
            own = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if stat.S_ISDIR(own.st_mode):
                raise _Refused("it is a directory; delete-file deletes files only")
            os.unlink(name, dir_fd=parent)

    def _list(self, path: str) -> list[DirectoryEntry]:
        self.validator.check_filesystem(path, "list")
        fd = self._root._open(path, ("list",), _DIRECTORY_FLAGS, 0)
        try:
            entries: list[DirectoryEntry] = []
            with os.scandir(fd) as found:
                for entry in found:
                    if not _is_utf8(entry.name):
                        continue
                    try:
                        own = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:  # deleted while listed
                        continue
                    entries.append(
                        DirectoryEntry(
                            name=entry.name,
                            is_directory=stat.S_ISDIR(own.st_mode),
                            size=own.st_size,
                        )
                    )
            entries.sort(key=lambda item: item.name)
            return entries
        finally:
            os.close(fd)

    def _create_directory(self, path: str) -> None:
        normal = self.validator.check_filesystem(path, "write")
        if normal == "/":
            return
        pending = [normal]
        for _ in range(4 * MAX_SEGMENTS):
            if not pending:
                return
            current = pending[-1]
            try:
                self._root.mkdir(current)
            except FileExistsError:
                if not self._is_directory(current):
                    raise _Refused(f"{quote(current)} exists and is not a directory") from None
            except FileNotFoundError:
                parent = posixpath.dirname(current)
                if parent == "/" or len(pending) > MAX_SEGMENTS:
                    raise
                pending.append(parent)
                continue
            pending.pop()
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))

    def _is_directory(self, normal: str) -> bool:
        """Whether `normal` itself (not a link's target) is a directory."""
        with self._root._parent(normal, ("write",)) as (parent, name):
            return stat.S_ISDIR(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)

    # -- errors ------------------------------------------------------------

    def _call(self, operation: str, path: str, run: Callable[[], _T]) -> _T:
        """`run()`, with every failure turned into `Err(FileError)`."""
        failure: FileError
        try:
            if self._closed:
                raise _Refused("the filesystem service is closed")
            return run()
        except Err as error:
            failure = error.value
        except PermissionDenied as denial:
            failure = FileError_PermissionDenied(str(denial))
        except _Refused as refusal:
            failure = FileError_IoError(_message(operation, path, str(refusal)))
        except OSError as error:
            failure = _os_error(operation, path, error)
        except Exception as error:  # noqa: BLE001 - nothing but Err may reach wasmtime
            reason = f"unexpected host error: {type(error).__name__}: {error}"
            failure = FileError_IoError(_message(operation, path, reason))
        # A message crosses into the component as a WIT string: no lone surrogates.
        raise Err(dataclasses.replace(failure, value=_printable(failure.value))) from None


def _replace(parent: int, name: str, data: bytes) -> None:
    """Write `data` to `name` in the folder `parent` atomically (temp file, rename)."""
    mode: int | None = None
    try:
        old = os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        pass
    else:
        if stat.S_ISDIR(old.st_mode):
            raise OSError(errno.EISDIR, os.strerror(errno.EISDIR))
        if stat.S_ISREG(old.st_mode):
            if not old.st_mode & _WRITE_BITS:
                raise OSError(errno.EACCES, "the file is read-only")
            mode = stat.S_IMODE(old.st_mode)
    temp, fd = _create_temp(parent)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if mode is not None:
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, name, src_dir_fd=parent, dst_dir_fd=parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=parent)
        raise
    try:
        os.fsync(parent)
    except OSError as error:
        reason = error.strerror or str(error)
        raise _Refused(f"the file was replaced, but syncing its folder failed: {reason}") from None


def _create_temp(parent: int) -> tuple[str, int]:
    """A new, empty temporary file in `parent`: its name and a write descriptor."""
    for _ in range(_TEMP_ATTEMPTS):
        name = f".witgen-write-{secrets.token_hex(8)}.tmp"
        try:
            return name, os.open(name, _TEMP_FLAGS, 0o666, dir_fd=parent)
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "could not create a temporary file with a unique name")


def _os_error(operation: str, path: str, error: OSError) -> FileError:
    reason = error.strerror or str(error)
    message = _message(operation, path, reason)
    if error.errno == errno.ENOENT:
        return FileError_NotFound(message)
    if error.errno in _DENIED_ERRNOS:
        return FileError_PermissionDenied(message)
    return FileError_IoError(message)


def _message(operation: str, path: str, reason: str) -> str:
    return f"{operation} {quote(path)}: {reason}"


def _too_large(size: int, limit: int) -> str:
    return f"the file is {size} bytes or more, over the host's read limit of {limit} bytes"


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(message: str) -> str:
    """`message` with anything UTF-8 cannot carry (lone surrogates) escaped."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")
