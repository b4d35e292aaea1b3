"""Files of one run, put in place together: never a mix of two runs, never a cut file.

A run writes each of its files beside its place first, under a name of its own
(``.NAME.PID.TOKEN.partial``, so that two runs writing to one folder never write into
one file), and moves them all into place only when every one is whole. The moves hold
a lock on the folder, so two runs that finish together take turns and the folder ends
with one run's files, all of them. A run that fails before the moves leaves the
previous files as they were and its own partial files gone; one killed leaves hidden
partial files, which the next run to finish there removes.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with written_together(folder, ["a.csv", "b.json"]) as paths:
    ...     _ = paths["a.csv"].write_text("x"), paths["b.json"].write_text("{}")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.csv', 'b.json']
    >>> try:
    ...     with written_together(folder, ["a.csv"]) as paths:
    ...         _ = paths["a.csv"].write_text("half")
    ...         raise OSError("disk full")
    ... except OSError:
    ...     pass
    >>> (folder / "a.csv").read_text(), sorted(p.name for p in folder.iterdir())
    ('x', ['a.csv', 'b.json'])
"""

from __future__ import annotations

import fcntl
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

#: A partial file's name: the file it is for, and the process that writes it.
_PARTIAL = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.partial")


@contextmanager
def written_together(folder: Path | str, names: Sequence[str]) -> Iterator[dict[str, Path]]:
    """Where to write each of ``names`` (files of ``folder``, created if need be); all
    are moved into place when the block ends without an error (see the module)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
    staged = {name: folder / f".{name}.{token}.partial" for name in names}
    try:
        yield staged
    except BaseException:
        for path in staged.values():
            path.unlink(missing_ok=True)
        raise
    with _locked(folder):
        for name, path in staged.items():
            os.replace(path, folder / name)
        _remove_abandoned(folder, set(names))


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (``flock`` on the directory itself: no lock file
    is left behind), released when the block ends or the process dies."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _remove_abandoned(folder: Path, names: set[str]) -> None:
    """Partial files of ``names`` left by runs whose process is gone (killed)."""
    for path in folder.iterdir():
        found = _PARTIAL.fullmatch(path.name)
        if found and found["name"] in names and not _alive(int(found["pid"])):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
