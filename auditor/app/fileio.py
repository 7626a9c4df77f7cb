"""Atomic, private file writes: a reader never sees half a file, nobody else reads it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator

from auditor.errors import OutputError


def write_private(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600.

    The text goes to a temporary file in the same directory, is flushed to disk
    and renamed over ``path``; on any failure the temporary file is removed and
    ``path`` is left as it was. Raises :class:`OutputError` naming the path.
    """
    write_atomic(path, text, mode=0o600)


def write_atomic(path: str, text: str, *, mode: int) -> None:
    """Write ``text`` to ``path`` atomically, with ``mode``; see :func:`write_private`.

    Only for files meant for other readers, such as the metrics file that
    node_exporter's textfile collector (another user) reads: 0644. Everything
    that may hold inventory data goes through :func:`write_private`.
    """
    # backslashreplace: a lone surrogate (JSON allows one in a name) is written as its
    # escape, never a failed write.
    with (
        replaced_atomically(path, mode=mode) as tmp,
        open(tmp, "w", encoding="utf-8", errors="backslashreplace") as fh,
    ):
        fh.write(text)


@contextlib.contextmanager
def replaced_atomically(path: str, *, mode: int = 0o600) -> Iterator[str]:
    """A temporary file beside ``path`` (mode ``mode``) for the caller to fill; flushed to
    disk and renamed over ``path`` when the block ends, removed when it raises: a reader
    sees the old file or the new one, never half of one. Raises :class:`OutputError`.

    ``os.replace`` swaps the directory entry: a symlink at ``path`` is replaced, its
    target never written."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".auditor-", suffix=".tmp", dir=directory)
        os.fchmod(fd, mode)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _sync_directory(directory)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sync_directory(directory: str) -> None:
    """Make a rename in ``directory`` durable (a crash after it keeps the new file)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(directory: str) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (``flock`` on the directory itself, so
    nothing is added to it): runs sharing it take turns. Raises :class:`OutputError`."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot lock ({exc.strerror or exc})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def ensure_writable_dir(path: str) -> None:
    """Create ``path`` (mode 0700) if needed and check it can take files."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create directory ({exc.strerror or exc})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: directory is not writable")


def check_writable_file(path: str) -> None:
    """Fail now, naming ``path``, when a file could not be written there later.

    For outputs written after long work (an inventory, an audit): a missing
    or read-only directory, or a directory in the file's place, is known
    before any cloud is contacted. The write itself can still fail (disk full).
    """
    if os.path.isdir(path):
        raise OutputError(f"{path}: cannot write (is a directory)")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise OutputError(f"{path}: cannot write (no directory {directory})")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write (directory {directory} is not writable)")
