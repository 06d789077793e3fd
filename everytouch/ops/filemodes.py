"""Private file modes for what holds personal data: the data directory 700, files in it 600.

The database holds password hashes, webhook secrets and every customer; the demo's mail files
hold notices about customers. They are created private (an explicit mode at creation, so the
umask can only tighten it), and an install made before this was fixed up by `tighten` on the
next start of `serve`, `demo`, `worker` or `migrate`.

No Django import here: settings.py calls this before Django is set up.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# SQLite keeps a database's uncommitted pages beside it, under these suffixes.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as a directory only its owner may enter."""
    # The umask can only remove bits from mkdir's mode: never looser. An existing directory is
    # left as it is (`tighten` fixes it), and a process starting beside this one may make it.
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 600 unless it exists; the content is someone else's."""
    # An existing file keeps its content; `tighten` fixes its mode.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    return path


def private_file_once(path: Path, content: str) -> str:
    """Write `content` to `path` (mode 600) unless it exists; the text `path` then holds.

    Several processes starting at once (gunicorn's workers, two test runs) may all find the
    file missing: each writes its own temporary file and links it into place, which only one
    can do, so every process reads the same text and none ever reads a half-written file.
    """
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{id(content)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(content)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink()
    return path.read_text()


def sqlite_files(database: Path) -> list[Path]:
    """The database file and the companions SQLite creates beside it."""
    return [database, *(Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS)]


# Any bit for the group or others: the owner alone may read what these paths hold.
SHARED_BITS = 0o077


@dataclass(frozen=True)
class Loose:
    """A path whose mode lets someone other than its owner in."""

    path: Path
    mode: int

    @property
    def wanted(self) -> int:
        return self.mode & ~SHARED_BITS

    def describe(self) -> str:
        return f"{self.path} is {self.mode:03o}; should be {self.wanted:03o} (owner only)"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _walk(directory: Path) -> Iterator[Path]:
    """A mail directory and the files in it (one level: the file backend writes no deeper)."""
    yield directory
    yield from (child for child in directory.iterdir() if child.is_file())


def candidates(var_dir: Path, files: Iterable[Path], mail_dir: Path | None) -> list[Path]:
    """Every existing path that should be private: the data directory, `files`, the mail."""
    paths = [var_dir, var_dir / "secret_key", *files]
    if mail_dir is not None and mail_dir.is_dir():
        paths += list(_walk(mail_dir))
    # Symlinks are left alone: chmod would follow one to a file the app does not own.
    return [p for p in dict.fromkeys(paths) if p.exists() and not p.is_symlink()]


def loose(paths: Iterable[Path]) -> list[Loose]:
    """The paths that the group or others may read, write or enter."""
    modes = ((path, _mode(path)) for path in paths)
    return [Loose(path, mode) for path, mode in modes if mode & SHARED_BITS]


def tighten(paths: Iterable[Path]) -> list[Loose]:
    """Take the group's and others' bits off every loose path; what was changed, as it was."""
    changed = loose(paths)
    for item in changed:
        item.path.chmod(item.wanted)
    return changed
