"""Files in and out: bounded reading of any kind of input, and writing that only creates or replaces regular files."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from .errors import PoseFillError, TooLargeError

CHUNK = 2**20
KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words ("a folder", "a FIFO (named pipe)" ...)."""
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _open_error(err: OSError, path: str | os.PathLike[str], verb: str) -> PoseFillError:
    if err.errno == errno.ELOOP:
        return PoseFillError(f"cannot {verb}: a symbolic link loop")
    if err.errno == errno.ENOENT and os.path.islink(path):
        return PoseFillError(f"cannot {verb}: a symbolic link to a missing file")
    return PoseFillError(f"cannot {verb} ({err.strerror})")


def over_limit(max_mb: float, size: int | None = None) -> TooLargeError:
    """The one error for input over the byte limit (``size`` when it is known before reading)."""
    head = f"file is {size / 2**20:.1f} MB, over" if size is not None else "over"
    return TooLargeError(f"{head} the {max_mb:g} MB limit (max_file_mb)")


def read_bytes(path: str | os.PathLike[str], max_mb: float, *, streams: bool = True) -> bytes:
    """The bytes of a file, a pipe or a device (``/dev/stdin``), never more than ``max_mb`` megabytes of them.

    Folders are refused. With ``streams=False`` (the entries of a folder) so is anything but a regular file:
    a FIFO there would wait forever for a writer.
    """
    limit = int(max_mb * 2**20)
    nonblock = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer before we know it is one
    try:
        fd = os.open(path, os.O_RDONLY | nonblock | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise _open_error(err, path, "read") from None
    try:
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            raise PoseFillError("is a folder; expected a JSON file")
        if not regular and not streams:
            raise PoseFillError(f"not a regular file ({kind_of(info.st_mode)}); expected a JSON file")
        if regular and info.st_size > limit:
            raise over_limit(max_mb, info.st_size)
        if nonblock:
            os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(CHUNK, limit + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        raise over_limit(max_mb)
    except OSError as err:
        raise _open_error(err, path, "read") from None
    finally:
        os.close(fd)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Create or replace the regular file ``path`` (and its parent folders) with ``data``.

    The data goes to a temporary file beside it, renamed over ``path`` when complete: a link there is
    replaced, never written through (it may point into the input), and a reader never sees half a file.
    A folder, FIFO or device at ``path`` is refused, not replaced.
    """
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise _open_error(err, path, "write") from None
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise PoseFillError(f"not a regular file ({kind_of(mode)}); PoseFill writes only regular files")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise PoseFillError(f"cannot write ({err.strerror})") from None
