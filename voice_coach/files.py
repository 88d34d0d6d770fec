"""Files that belong to the couple: written privately, whole, and never through a trap.

Every file the coach writes for a couple (event logs, output and preview WAVs,
recordings, plots, the speech cache, the journal) goes through `PrivateFile`:

- it is created on a fresh temporary name in the target's folder with `O_EXCL` and
  `O_NOFOLLOW` (nothing planted there can be followed or reused), mode 0600;
- written, `fsync`'d, and renamed into place, so a reader sees the old file or the
  whole new one, and an old file's loose mode never survives;
- a symbolic link planted at the target is refused with one line;
- a character device or a FIFO at the target (`-o /dev/null`, a pipe to another
  program) is written straight to: never renamed over;
- a full disk raises `DiskFullError` and leaves nothing half-written behind.

Logs and recordings that must survive a crash (`visible=True`) are renamed into
place first and then appended to, so a `kill -9` keeps everything written so far.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path
from types import TracebackType

from voice_coach.errors import VoiceCoachError

PRIVATE_FILE = 0o600
"""Mode of every file the coach writes: readable by the user only."""
PRIVATE_DIR = 0o700
"""Mode of every folder the coach creates."""

_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class FileError(VoiceCoachError):
    """A file cannot be written where the user asked; the message says why and how."""


class DiskFullError(FileError):
    """The disk (or the user's quota) is full; nothing half-written was left behind."""


def check_target(path: Path, what: str) -> None:
    """Raise FileError unless `path` can be written: checked before a long session, so
    a typo in `--events` or `-o` does not cost the session."""
    path = Path(path)
    _refuse_special(path, what)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileError(f"{what} {path}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK) and not _is_stream(path):
        raise FileError(f"{what} {path}: the folder {folder} is not writable; choose another")


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as folders readable by the user only;
    folders that exist already are left as they are."""
    path = Path(path)
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    try:
        # One at a time: `mkdir(parents=True)` gives the parents the default mode.
        for folder in reversed(missing):
            folder.mkdir(exist_ok=True, mode=PRIVATE_DIR)
        path.mkdir(exist_ok=True, mode=PRIVATE_DIR)
    except OSError as err:
        raise FileError(f"{path}: cannot create the folder: {err.strerror or err}") from err
    return path


def write_private(path: Path, data: bytes, what: str = "file") -> None:
    """Write `data` as the whole new content of `path`, privately and atomically."""
    with PrivateFile(path, what) as out:
        out.write(data)


class PrivateFile:
    """A file being written for the couple (see the module's docstring).

    `commit()` (or leaving the `with` block normally) makes it the file at `path`;
    `abort()` (or an exception) removes what was written, except with `visible=True`,
    where what was written stays (a log or a recording is worth keeping).
    """

    def __init__(self, path: Path, what: str = "file", *, visible: bool = False) -> None:
        self.path = Path(path)
        self.what = what
        self.written = 0
        """Bytes written so far."""
        self._tmp: Path | None = None
        """The temporary name while the file is not in place yet."""
        self._done = False
        self._stream = _is_stream(_refuse_special(self.path, what))
        if self._stream:
            # A device or a FIFO: write to it as it is (never replace /dev/null). A FIFO
            # nobody reads from is an error now, not a hang.
            try:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK | _CLOEXEC)
            except OSError as err:
                raise self._error(err) from err
            os.set_blocking(self._fd, True)
            return
        folder = self.path.parent
        for _ in range(8):
            tmp = folder / f".{self.path.name}.{secrets.token_hex(6)}.tmp"
            try:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
                self._fd = os.open(tmp, flags, PRIVATE_FILE)
                break
            except FileExistsError:
                continue
            except OSError as err:
                raise self._error(err) from err
        else:  # pragma: no cover - eight random names taken
            raise FileError(f"{what} {self.path}: cannot create a temporary file beside it")
        self._tmp = tmp
        os.fchmod(self._fd, PRIVATE_FILE)  # whatever the umask
        if visible:
            self._place()

    @property
    def is_stream(self) -> bool:
        """Writing straight to a device or a FIFO (no seeking, no renaming)."""
        return self._stream

    def write(self, data: bytes) -> None:
        """Append `data`; a full disk raises DiskFullError after taking back what of
        `data` got written, so the file ends where the previous write ended."""
        view = memoryview(data)
        start = self.written
        try:
            while view:
                count = os.write(self._fd, view)
                view = view[count:]
                self.written += count
        except OSError as err:
            if err.errno in _FULL and not self._stream:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, start)
                    os.lseek(self._fd, start, os.SEEK_SET)
                self.written = start
            raise self._error(err) from err

    def write_at(self, offset: int, data: bytes) -> None:
        """Overwrite bytes at `offset` (a WAV header fixed up at the end); not on streams."""
        if self._stream:
            return
        try:
            os.pwrite(self._fd, data, offset)
        except OSError as err:
            raise self._error(err) from err

    def sync(self) -> None:
        """Push what was written to the disk."""
        if not self._stream:
            try:
                os.fsync(self._fd)
            except OSError as err:
                raise self._error(err) from err

    def commit(self) -> None:
        """fsync, close and put the file in place."""
        if self._done:
            return
        try:
            self.sync()
        except FileError:
            self.abort()
            raise
        self._done = True
        os.close(self._fd)
        if self._tmp is not None:
            try:
                self._place()
            except FileError:
                with contextlib.suppress(OSError):
                    self._tmp.unlink()
                raise
            _sync_dir(self.path.parent)

    def abort(self) -> None:
        """Close; remove the temporary file (a visible one stays, cut to whole writes)."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(OSError):
            os.close(self._fd)
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()

    def _place(self) -> None:
        assert self._tmp is not None
        _refuse_special(self.path, self.what)  # still nothing planted since we looked
        try:
            os.rename(self._tmp, self.path)
        except OSError as err:
            raise self._error(err) from err
        self._tmp = None  # in place: an abort keeps it

    def _error(self, err: OSError) -> FileError:
        where = f"{self.what} {self.path}"
        if err.errno in _FULL:
            return DiskFullError(f"{where}: the disk is full; free some space and run it again")
        if err.errno == errno.ENXIO:
            return FileError(f"{where}: nothing reads from this pipe; start the reader first")
        if err.errno == errno.ELOOP:
            return FileError(f"{where}: is a symbolic link; refusing to write through it")
        return FileError(f"{where}: cannot write: {err.strerror or err}")

    def __enter__(self) -> PrivateFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _refuse_special(path: Path, what: str) -> os.stat_result | None:
    """The target's own status (None: not there); FileError for a symbolic link, a
    folder or anything else that is neither a regular file, a FIFO nor a character
    device."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise FileError(f"{what} {path}: cannot use it: {err.strerror or err}") from err
    if stat.S_ISLNK(info.st_mode) and _system_stream(path):
        return os.stat(path)  # /dev/stdout and the like: the system's own links
    if stat.S_ISLNK(info.st_mode):
        raise FileError(
            f"{what} {path}: is a symbolic link; refusing to write through it "
            "(remove the link or choose another name)"
        )
    if stat.S_ISDIR(info.st_mode):
        raise FileError(f"{what} {path}: is a folder; give a file name")
    if not (
        stat.S_ISREG(info.st_mode) or stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)
    ):
        raise FileError(f"{what} {path}: is not a regular file; choose another name")
    return info


def _system_stream(path: Path) -> bool:
    """A link the system keeps under /dev or /proc (/dev/stdout, /dev/fd/1) that leads
    to a pipe or a terminal: writing to it replaces nothing."""
    if Path(os.path.abspath(path)).parts[1:2] not in (("dev",), ("proc",)):
        return False
    try:
        return _is_stream(os.stat(path))
    except OSError:
        return False


def _is_stream(info: os.stat_result | Path | None) -> bool:
    if isinstance(info, Path):
        try:
            info = _refuse_special(info, "file")
        except FileError:
            return False
    return info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode))


def _sync_dir(folder: Path) -> None:
    """fsync a folder so a rename in it survives a power cut (where the system allows)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
