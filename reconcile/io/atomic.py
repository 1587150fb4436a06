"""The one atomic writer: a file appears whole at its path, or not at all.

Everything the tool writes (reports, tables, dedup's kept items, map and
rejects) goes through ``AtomicFile``: the bytes go to a temporary file beside
the target (named after the writing process), which is renamed over it only on
``commit``.  A run that is killed or fails leaves the previous file (or none) and
a hidden temporary, which the next writer of that file deletes.
"""

from __future__ import annotations

import glob
import itertools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()
"""What ``open`` would give a new file; ``mkstemp`` alone leaves files readable by the owner only."""


def clear_stale(path: Path) -> None:
    """Delete the temporaries a killed run left beside ``path``: those named after a process that
    has ended (a live one may be writing its own copy of the same file right now)."""
    prefix = f".{path.name}."
    for tmp in path.parent.glob(f"{glob.escape(prefix)}*.partial"):
        pid = tmp.name[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def clear_stale_folder(folder: Path) -> None:
    """``clear_stale`` for every file of ``folder`` at once, in one listing: a writer of many files
    in one folder (a scan's 70,000 pair pages) sweeps it once and then writes with ``clear=False``;
    one listing a file made writing them quadratic (55% of a 20,000-report scan's time)."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        # ``.{name}.{pid}.{random}.partial``: mkstemp's random part holds no dot.
        parts = entry.name.rsplit(".", 3)
        if len(parts) == 4 and parts[0].startswith(".") and parts[3] == "partial" and parts[1].isdigit():
            pid = int(parts[1])
            if pid != os.getpid() and not _alive(pid):
                Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class AtomicFile:
    """A temporary file beside ``path`` (``tmp``), renamed over ``path`` by ``commit``.

    ``mode`` opens ``handle`` on it (``"w"`` text as UTF-8 without newline
    translation, ``"wb"`` bytes), or ``None`` for a caller that writes ``tmp``
    by name (polars, a whole-file writer).  ``clear`` off skips ``clear_stale``, for a
    caller that swept the folder once (``clear_stale_folder``).
    """

    def __init__(self, path: Path, mode: str | None = "w", clear: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if clear:
            clear_stale(self.path)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.{os.getpid()}.", suffix=".partial", dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        self.handle: IO[Any] = cast(IO[Any], None)
        """The open temporary file (not set when ``mode`` is ``None``)."""
        try:
            if mode == "w":
                self.handle = self.tmp.open("w", encoding="utf-8", newline="")
            elif mode is not None:
                self.handle = self.tmp.open(mode)
        except BaseException:
            self.tmp.unlink(missing_ok=True)
            raise

    def commit(self) -> None:
        """Close and rename into place: from now on ``path`` holds the whole file."""
        if self.handle is not None:
            self.handle.close()
        os.chmod(self.tmp, FILE_MODE)
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Close and delete the temporary file; ``path`` is left as it was."""
        if self.handle is not None:
            self.handle.close()
        self.tmp.unlink(missing_ok=True)


def write_atomic_with(path: Path, write: Callable[[Path], object], clear: bool = True) -> None:
    """Let ``write`` fill a temporary file beside ``path``, then rename it into place (``clear``: see
    ``AtomicFile``)."""
    target = AtomicFile(path, mode=None, clear=clear)
    try:
        write(target.tmp)
        target.commit()
    except BaseException:
        target.abort()
        raise


_written = itertools.count()


def _create(tmp: Path) -> int | None:
    """A new file at ``tmp`` opened for writing, at 0o666 less the umask (what ``open`` gives a new
    file, ``FILE_MODE``); None where one is there already."""
    try:
        return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        return None


def write_atomic(path: Path, content: str, clear: bool = True) -> None:
    """Write text atomically (see ``write_atomic_with``) as UTF-8, newlines as given.

    The temporary is named like ``AtomicFile``'s (``.{name}.{pid}.{n}.partial``) but made with one
    ``open`` at the final mode, written with one ``write`` and renamed: four system calls a file
    instead of eight (``mkstemp``, ``chmod`` and reopening by name), for a scan's 90,000 pages."""
    path = path if isinstance(path, Path) else Path(path)
    if clear:
        clear_stale(path)
    data = content.encode("utf-8")
    tmp = path.parent / f".{path.name}.{os.getpid()}.{next(_written):x}.partial"
    try:
        fd = _create(tmp)
    except (FileNotFoundError, NotADirectoryError):
        # The folder is made when a file is first written to it, not checked before every file
        # (where a file is in its way, ``mkdir`` says so as it did before).
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _create(tmp)
    if fd is None:  # a dead run of the same process id left it: the general path
        write_atomic_with(path, lambda tmp: tmp.write_bytes(data), clear=False)
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
