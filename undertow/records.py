"""What an adapter hands to ingest: posts, accounts and rejected records.

An adapter is a module in :mod:`undertow.adapters` with ``NAME``, ``PLATFORM``,
``sniff(head, path) -> float`` and ``read(source, options) -> Iterator[Item]``.
A post is a plain ``dict`` keyed by :data:`undertow.schema.POST_FIELDS`
(``created_at`` may still be text; ingest parses and validates it), plus
``source_line`` and ``raw``. An :class:`Account` is a dict of account fields.
A :class:`Rejected` is a record that could not be read, with its line and why.
A :class:`Chunk` is many posts at once, column-wise, for adapters that read
whole blocks of a file.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import IO, Any

import pyarrow as pa


class FormatError(Exception):
    """The file cannot be read at all, or is not of the format asked for."""


class Account(dict[str, Any]):
    """An account record (the columns of :data:`undertow.schema.ACCOUNTS`)."""


@dataclass(slots=True)
class Rejected:
    """A record that cannot become a post: quarantined with its line and reason."""

    line: int
    reason: str
    raw: str


@dataclass(slots=True)
class Chunk:
    """Posts read column-wise: one row per record, columns named like the fields of
    a post dict (any subset of :data:`undertow.derive.INPUT_FIELDS`), always with
    ``source_line`` and ``raw``."""

    table: pa.Table


@dataclass(slots=True)
class Columns:
    """Posts as lists of field values, one list per field of a post dict (all of
    one length; a field left out is empty for every post)."""

    columns: dict[str, list[Any]]


Item = dict[str, Any] | Account | Rejected | Chunk | Columns


@dataclass
class ReadOptions:
    """How to read a source: explicit column mapping, platform, time zone, encoding."""

    mapping: dict[str, str] = field(default_factory=dict)
    platform: str | None = None
    tz: tzinfo = UTC
    encoding: str = "utf-8"


class Source:
    """One input file. Opens it (gunzipping ``.gz``) and reports how far reading got."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.name = str(self.path.resolve())
        self.size = self.path.stat().st_size
        self._raw: io.FileIO | None = None

    def open_binary(self) -> IO[bytes]:
        """The file's bytes, decompressed if it ends in ``.gz``."""
        raw = io.FileIO(self.path, "r")
        self._raw = raw
        if self.path.suffix == ".gz":
            return gzip.GzipFile(fileobj=io.BufferedReader(raw))  # type: ignore[return-value]
        return io.BufferedReader(raw, buffer_size=1 << 20)

    def open_text(self, encoding: str = "utf-8") -> IO[str]:
        """Text lines; undecodable bytes survive as surrogates so the record can be
        quarantined as badly encoded instead of failing the file."""
        return io.TextIOWrapper(
            self.open_binary(), encoding=encoding, errors="surrogateescape", newline=""
        )

    def head(self, n: int = 65536) -> bytes:
        """The first ``n`` bytes (decompressed; of a compressed file cut short before
        them, those before the cut)."""
        with self.open_binary() as f:
            data, _ = read_on(f, n)
        self._raw = None
        return data

    @property
    def position(self) -> int:
        """Bytes of the file read so far."""
        try:
            return self._raw.tell() if self._raw is not None and not self._raw.closed else 0
        except (OSError, ValueError):
            return 0


def read_on(stream: IO[bytes], n: int) -> tuple[bytes, bool]:
    """Up to ``n`` bytes of ``stream``, and whether it ended: fewer than ``n`` only at
    its end, or where a compressed file is cut short. There every byte before the cut
    comes back first, and the next read raises :class:`EOFError` (one ``read(n)`` loses
    what it had decompressed when it meets the cut).

    >>> import io
    >>> read_on(io.BytesIO(b"abc"), 2), read_on(io.BytesIO(b"abc"), 5)
    ((b'ab', False), (b'abc', True))
    """
    parts: list[bytes] = []
    got = 0
    while got < n:
        try:
            piece = stream.read1(n - got)  # type: ignore[attr-defined]
        except EOFError:
            if got:
                break
            raise
        if not piece:
            return b"".join(parts), True
        parts.append(piece)
        got += len(piece)
    return b"".join(parts), False


def badly_encoded(text: str) -> bool:
    """Whether ``text`` holds bytes that were not valid in the file's encoding."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lines(stream: IO[str]) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` from 1, line ends removed."""
    for number, line in enumerate(stream, 1):
        yield number, line.rstrip("\r\n")
