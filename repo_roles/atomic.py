"""Write a file so that readers see the old content or the new one, never a torn mix.

The content goes to a temporary file in the destination's directory (same filesystem, so the
final step is a rename), is flushed and fsync'ed, and then replaces the destination with
``os.replace`` — atomic on POSIX and on Windows.  The directory is fsync'ed afterwards where
the platform allows it, so the rename itself survives a crash.

Safety rules every caller gets for free:

* a symbolic link at the destination is refused, never followed (writing through a link
  planted in a repository could overwrite any file the user can write), and so is a symbolic
  link among the parent directories inside the working directory (a committed ``out -> /etc``);
* a FIFO, a device (``-o /dev/null`` run as root would replace the system's node with a regular
  file) or a socket at the destination is refused;
* ``make_parents=True`` creates missing parent directories one at a time, never through a link;
* ``overwrite=False`` refuses an existing destination without a race: the temporary file is
  hard-linked into place, which fails if the name exists, instead of check-then-rename.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable, Optional, Union

from repo_roles.errors import RepoRolesError
from repo_roles.safeio import describe_kind


class AtomicWriteError(RepoRolesError):
    """The destination cannot be written safely (exists, is a link, is a directory, I/O error)."""


def _default_mode() -> int:
    """What ``open(path, "w")`` would create: 0o666 minus the umask (mkstemp uses 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(directory: str) -> None:
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:  # Windows cannot open a directory; NTFS journals the rename itself
        return
    try:
        fd = os.open(directory, os.O_RDONLY | flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems (e.g. certain network mounts) refuse; the data is written
        pass
    finally:
        os.close(fd)


def _link_no_clobber(tmp: str, path: str) -> None:
    """Put ``tmp`` at ``path`` only if nothing is there; falls back where hard links don't exist."""
    try:
        os.link(tmp, path)
    except OSError as exc:  # FileExistsError (EEXIST) is not in the list below: re-raised
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # FAT, some network filesystems: no hard links.  Check, then rename (a tiny race).
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def write_atomic(
    path: Union[str, Path],
    data: Union[str, bytes, Iterable[Union[str, bytes]]],
    *,
    overwrite: bool = True,
    mode: Optional[int] = None,
    encoding: str = "utf-8",
    make_parents: bool = False,
) -> None:
    """Atomically make ``path`` hold ``data`` (text is encoded with ``encoding``, newlines kept;
    an iterable of pieces is written piece by piece, never joined).

    ``mode`` defaults to the existing file's permissions when replacing it, else to what a plain
    ``open`` would create.  Raises :class:`AtomicWriteError` with a user-facing message.
    """
    target = os.fspath(path)
    pieces = (data,) if isinstance(data, (str, bytes)) else data
    try:
        st: Optional[os.stat_result] = os.lstat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise AtomicWriteError(f"{target}: cannot write: {exc.strerror}") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise AtomicWriteError(f"{target}: is a symbolic link; refusing to write through it")
        if stat.S_ISDIR(st.st_mode):
            raise AtomicWriteError(f"{target}: is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise AtomicWriteError(f"{target}: is {describe_kind(st.st_mode)}; refusing to replace it with a file")
        if not overwrite:
            raise AtomicWriteError(f"{target}: already exists; not overwriting it")
    if mode is None:
        mode = stat.S_IMODE(st.st_mode) if st is not None else _default_mode()

    directory = os.path.dirname(os.path.abspath(target))
    _check_parents(target, directory, make_parents)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AtomicWriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece.encode(encoding) if isinstance(piece, str) else piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, target)  # rename never follows a link planted since the check
        else:
            _link_no_clobber(tmp, target)
    except FileExistsError:
        _discard(tmp)
        raise AtomicWriteError(f"{target}: already exists; not overwriting it") from None
    except OSError as exc:
        _discard(tmp)
        raise AtomicWriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _discard(tmp)
        raise
    _fsync_directory(directory)


def _check_parents(target: str, directory: str, make_parents: bool) -> None:
    """Refuse a link among the parents inside the working directory; create missing ones."""
    cwd = os.getcwd()
    inside = directory == cwd or directory.startswith(cwd.rstrip(os.sep) + os.sep)
    start = cwd if inside else os.path.dirname(directory)
    parts = [] if directory == start else os.path.relpath(directory, start).split(os.sep)
    current = start
    for part in parts:
        current = os.path.join(current, part)
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            if not make_parents:
                raise AtomicWriteError(f"{target}: cannot write: directory {current} does not exist") from None
            try:
                os.mkdir(current)
            except FileExistsError:  # made meanwhile: checked again below
                pass
            except OSError as exc:
                raise AtomicWriteError(f"{target}: cannot create directory {current}: {exc.strerror}") from None
            mode = os.lstat(current).st_mode
        except OSError as exc:
            raise AtomicWriteError(f"{target}: cannot write: {current}: {exc.strerror}") from None
        if stat.S_ISLNK(mode):
            raise AtomicWriteError(f"{target}: {current} is a symbolic link; refusing to write through it")
        if not stat.S_ISDIR(mode):
            raise AtomicWriteError(f"{target}: cannot write: {current} is not a directory")
    if not inside and not os.path.isdir(directory):
        if not make_parents:
            raise AtomicWriteError(f"{target}: cannot write: directory {directory} does not exist")
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise AtomicWriteError(f"{target}: cannot create directory {directory}: {exc.strerror}") from None


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
