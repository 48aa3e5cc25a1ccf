"""The one way to read a file the scanned repository controls (``atomic.py`` is the one way to write).

Configuration (``repo-roles.toml``, ``pyproject.toml``, ``extends``), the baseline, CODEOWNERS
and OWNERS files, ``.gitignore`` outside git and source files are all written by whoever
opened the pull request.  Every read of them goes through :func:`open_regular` /
:func:`read_regular`, which:

* refuse a symbolic link as the file itself (``O_NOFOLLOW``: the kernel refuses, no race) and,
  given the project ``root``, any symbolic link among the parent directories between the root
  and the file, and any path that leaves the root (``../``, an absolute path elsewhere);
* open with ``O_NONBLOCK``, so a FIFO planted in the tree never hangs the run, and accept only a
  regular file (``fstat`` on the opened descriptor: a FIFO, a device such as ``/dev/zero``, a
  socket or a directory is refused);
* stop at ``max_size`` bytes: the caller states its cap, nothing is read past it.

Refusals raise :class:`UnsafeReadError` (a :class:`RepoRolesError`, exit 2) whose message
says what the file is and why it is not read; ``FileNotFoundError`` passes through untouched
so callers keep their own "missing file" wording.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional, Tuple, Union

from repo_roles.errors import RepoRolesError

__all__ = ["UnsafeReadError", "inside_root", "open_regular", "open_regular_sized", "read_fd", "read_regular"]

O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # absent on Windows: an lstat check stands in
_FLAGS = os.O_RDONLY | O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)

PathLike = Union[str, "os.PathLike[str]"]

# Caps, in bytes, for what a repository hands us (stated in the README's Safety section).
MAX_CONFIG = 1 << 20  # repo-roles.toml / pyproject.toml / an ``extends`` base: 1 MiB
MAX_BASELINE = 64 << 20
MAX_IGNORE = 8 << 20  # one .gitignore outside git


class UnsafeReadError(RepoRolesError):
    """A file that is not read: a symbolic link, not a regular file, outside the root, too big."""

    def __init__(self, path: PathLike, reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}; not reading it")


def describe_kind(mode: int) -> str:
    """``a FIFO``, ``a device``…: what a special file is, for messages."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def inside_root(path: PathLike, root: PathLike) -> Optional[str]:
    """None when ``path`` lies inside ``root`` with no symbolic link among the directories from
    ``root`` down to it; otherwise the reason it does not.  ``root`` itself may be a link (the
    user chose it); the comparison is lexical after ``abspath``, so ``..`` cannot escape."""
    base = os.path.abspath(os.fspath(root))
    full = os.path.abspath(os.fspath(path))
    if full != base and not full.startswith(base.rstrip(os.sep) + os.sep):
        return "is outside the project root"
    relative = os.path.relpath(os.path.dirname(full), base)
    if relative == os.curdir:
        return None
    current = base
    for part in relative.split(os.sep):
        current = os.path.join(current, part)
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return None  # the open reports the missing file
        except OSError:
            return "has an unreadable parent directory"
        if stat.S_ISLNK(mode):
            return f"has a symbolic link among its parent directories ({os.path.relpath(current, base)})"
    return None


def open_regular(path: PathLike, *, root: Optional[PathLike] = None) -> int:
    """A read-only descriptor on ``path`` if it is a regular file reached safely (see module).

    Raises :class:`UnsafeReadError`, ``FileNotFoundError`` or another ``OSError``.
    """
    return open_regular_sized(path, root=root)[0]


def open_regular_sized(path: PathLike, *, root: Optional[PathLike] = None) -> Tuple[int, int]:
    """:func:`open_regular`'s descriptor and the file's size, from the one ``fstat`` that
    checked it is a regular file (:func:`read_fd` takes the size: no second ``fstat``)."""
    name = os.fspath(path)
    if root is not None:
        reason = inside_root(name, root)
        if reason is not None:
            raise UnsafeReadError(name, reason)
    if not O_NOFOLLOW and os.path.islink(name):  # pragma: no cover - Windows
        raise UnsafeReadError(name, "is a symbolic link")
    try:
        fd = os.open(name, _FLAGS)
    except OSError:
        if O_NOFOLLOW and os.path.islink(name):  # ELOOP (Linux), EMLINK (FreeBSD), EFTYPE…
            raise UnsafeReadError(name, "is a symbolic link") from None
        raise
    except ValueError:  # NUL in the name
        raise UnsafeReadError(name, "is not a valid file name") from None
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise UnsafeReadError(name, f"is {describe_kind(st.st_mode)}")
    return fd, st.st_size


def read_fd(fd: int, max_size: int, size: Optional[int] = None) -> Optional[bytes]:
    """All of ``fd`` (closed afterwards), or None past ``max_size`` bytes (never reads more).

    ``size``: the file's size from an ``fstat`` already made (:func:`open_regular_sized`).  The
    file is read in one call of that size plus one byte; only a file that changed size since
    (or whose size does not count its bytes) is read on to its end."""
    try:
        if size is None:
            size = os.fstat(fd).st_size
        if size > max_size:
            return None
        data = os.read(fd, size + 1)
        if len(data) == size:  # the whole file: one read, no second one to see its end
            return data
        chunks = [data]
        total = len(data)
        while total <= max_size:
            chunk = os.read(fd, min(1 << 20, max_size + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks) if total <= max_size else None  # grew while we read
    finally:
        os.close(fd)


def read_regular(path: PathLike, *, max_size: int, root: Optional[PathLike] = None) -> bytes:
    """The bytes of a regular file reached safely, at most ``max_size`` of them.

    Raises :class:`UnsafeReadError` (link, FIFO, device, outside ``root``, over the cap),
    ``FileNotFoundError`` or another ``OSError``.
    """
    data = read_fd(open_regular(path, root=root), max_size)
    if data is None:
        raise UnsafeReadError(path, f"is larger than {max_size} bytes")
    return data


def read_text(path: Path, *, max_size: int, root: Optional[PathLike] = None, encoding: str = "utf-8") -> str:
    """:func:`read_regular` decoded (``UnicodeDecodeError`` for the caller to report)."""
    return read_regular(path, max_size=max_size, root=root).decode(encoding)
