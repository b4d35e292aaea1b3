"""Delimited files read a block at a time: record boundaries found with numpy,
fields split by Arrow's multithreaded CSV parser.

A record ends at a line feed that has an even number of double quotes before
it in the block (RFC 4180 quoting; a doubled quote inside a quoted field
counts twice). Each record keeps its line number and its exact text as
``raw``. Anything a block holds that this rule cannot vouch for (bytes that
are not UTF-8, a row of the wrong width, a quote that is not where RFC 4180
puts one, a record over :data:`undertow.adapters.generic.MAX_RECORD_LINES`
lines, a carriage return alone) sends the rest of the file, from that block
on, through the record-by-record reader of :mod:`undertow.adapters.generic`,
which quarantines exactly the bad records; so both readers give the same
posts and the same quarantine. A file whose first line ends in a carriage
return alone (old Mac line ends) is read by that reader from the start.

Example:
    >>> import tempfile, pathlib
    >>> from undertow.records import ReadOptions, Source
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "posts.csv"
    >>> _ = f.write_text('id,user,time,text\\n1,ann,2025-01-01,"two\\nlines"\\n'
    ...                  '2,bo,2025-01-02,hi\\n')
    >>> [chunk] = read(Source(f), ReadOptions(), ",")
    >>> chunk.table.select(["post_id", "source_line", "raw"]).to_pylist()[1]
    {'post_id': '2', 'source_line': 4, 'raw': '2,bo,2025-01-02,hi'}
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from undertow.adapters import generic
from undertow.records import Chunk, FormatError, Item, ReadOptions, Source, read_on

#: Bytes read at a time; a block of short posts is some 50,000 records.
BLOCK_BYTES = 8 << 20
#: A record longer than this without an end in sight hands over to the careful reader.
MAX_PENDING = 64 << 20
_LF, _CR, _QUOTE = 10, 13, 34


def read(source: Source, options: ReadOptions, delimiter: str,
         fixed: dict[str, str] | None = None) -> Iterator[Item]:
    """Posts of a UTF-8 delimited file, a :class:`Chunk` per block.

    ``fixed`` is an adapter's own mapping, as for
    :func:`undertow.adapters.generic.read_delimited`.
    """
    stream = source.open_binary()
    try:
        data, eof = read_on(stream, BLOCK_BYTES)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if _old_mac(data):
            stream.close()
            yield from generic.read_delimited(source, options, delimiter, fixed, blocks=False)
            return
        ends = _record_ends(data)
        if not len(ends):
            if not eof:
                raise FormatError(f"{source.path}: header line too long")
            data, ends = data + b"\n", np.array([len(data)])
        head, data = data[:ends[0] + 1], data[ends[0] + 1:]
        header = _header(head, source, delimiter)
        mapping = generic.resolve_mapping(header, source, options, fixed) if (
            data.strip() or not eof) else {}
        line = head.count(b"\n") + 1
        columns = [f"c{i}" for i in range(len(header))]
        fields = [(columns[header.index(col)], fld) for col, fld in mapping.items()]
        cut_short: EOFError | None = None
        while True:
            if not eof:
                try:
                    more, eof = read_on(stream, BLOCK_BYTES)
                except EOFError as exc:  # a compressed file cut short
                    # Every whole line before the cut is read; the record it fell in is not.
                    cut_short, more, eof = exc, b"", True
                    data = data[:data.rfind(b"\n") + 1]
                data += more
            scan: Scan | None = None
            unended = eof and bool(data) and not data.endswith(b"\n")
            if eof:
                if unended:
                    data += b"\n"
                cut = len(data)
            else:
                feeds, quotes, ends = _scan(data)
                if not len(ends):
                    # One record so far: a quote left open, once it spans too many lines.
                    if len(data) > MAX_PENDING or len(feeds) > generic.MAX_RECORD_LINES:
                        break
                    continue
                cut = int(ends[-1]) + 1
                scan = (feeds[:np.searchsorted(feeds, cut)],
                        quotes[:np.searchsorted(quotes, cut)], ends)
            block, data = data[:cut], data[cut:]
            table = _parse(block, line, columns, fields, delimiter, scan) if block else None
            if block and table is None:
                data = block[:-1] if unended else block + data
                break
            if table is not None and table.num_rows:
                yield Chunk(table)
            line += block.count(b"\n")
            if eof:
                if cut_short is not None:
                    raise cut_short
                return
        # The careful reader takes over from the first block this one could not vouch for.
        text = io.TextIOWrapper(io.BufferedReader(_Prefixed(data, stream)), encoding="utf-8",
                                errors="surrogateescape", newline="\n")
        yield from generic.row_items(generic.data_rows(text, delimiter, len(header), line - 1),
                                     header, mapping, options)
    finally:
        stream.close()


#: Offsets of a block's line feeds, of its quotes, and of the line feeds that end records.
Scan = tuple[np.ndarray, np.ndarray, np.ndarray]


def _scan(data: bytes) -> Scan:
    """The line feeds and quotes of ``data``, and the line feeds that end records
    (outside quotes)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    feeds = np.flatnonzero(arr == _LF)
    quotes = np.flatnonzero(arr == _QUOTE)
    if not len(quotes):
        return feeds, quotes, feeds
    return feeds, quotes, feeds[(np.searchsorted(quotes, feeds) & 1) == 0]


def _record_ends(data: bytes) -> np.ndarray:
    """Offsets of the line feeds that end records (outside quotes)."""
    return _scan(data)[2]


def _old_mac(data: bytes) -> bool:
    """Whether the first line of ``data`` ends in a carriage return alone
    (:func:`~undertow.adapters.generic.cr_lines` on that line; CR and LF are ASCII)."""
    end = data.find(b"\n")
    return generic.cr_lines(data[:end + 1 if end >= 0 else len(data)].decode("latin-1"))


def _header(head: bytes, source: Source, delimiter: str) -> list[str]:
    try:
        text = head.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise FormatError(f"{source.path}: header is not valid utf-8") from None
    try:
        header = next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error as exc:
        raise FormatError(f"{source.path}: cannot read the header: {exc}") from None
    if not header:
        raise FormatError(f"{source.path}: empty file")
    return [h.lstrip("\ufeff").strip() for h in header]


def _parse(block: bytes, first_line: int, columns: list[str], fields: list[tuple[str, str]],
           delimiter: str, scan: Scan | None = None) -> pa.Table | None:
    """The posts of one block (ending in a record's line feed), or ``None`` when the
    block holds anything the careful reader must see. ``scan`` is the block's
    :func:`_scan` when the caller has made it already."""
    arr = np.frombuffer(block, dtype=np.uint8)
    feeds, quotes, ends = _scan(block) if scan is None else scan
    if not len(ends) or ends[-1] != len(block) - 1:
        return None
    if len(quotes) and not _quotes_pair_up(arr, quotes, delimiter):
        return None
    if _lone_cr_outside_quotes(arr, quotes):
        return None
    offsets = np.concatenate(([0], ends + 1)).astype(np.int32)
    raw = pa.StringArray.from_buffers(len(ends), pa.py_buffer(offsets.tobytes()),
                                      pa.py_buffer(block))
    try:
        raw.validate(full=True)
    except pa.ArrowInvalid:
        return None  # bytes that are not UTF-8: quarantined record by record
    raw = pc.utf8_rtrim(raw, "\r\n")
    filled = pc.invert(pc.equal(pc.utf8_trim_whitespace(raw), ""))
    lines = first_line + np.searchsorted(feeds, offsets[:-1])
    if np.diff(lines, append=first_line + len(feeds)).max() > generic.MAX_RECORD_LINES:
        return None
    invalid: list[int] = []

    def skip(row: pacsv.InvalidRow) -> str:
        invalid.append(1)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(block),
            read_options=pacsv.ReadOptions(column_names=columns),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                include_columns=[col for col, _ in fields] or columns[:1],
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return None
    if invalid or table.num_rows != pc.sum(filled).as_py():
        return None
    out = {fld: _convert(table.column(col), fld) for col, fld in fields}
    out["source_line"] = pc.filter(pa.array(lines, pa.int64()), filled)
    out["raw"] = pc.filter(raw, filled)
    return pa.table(out)


def _quotes_pair_up(arr: np.ndarray, quotes: np.ndarray, delimiter: str) -> bool:
    """Whether every quote of a block (which ends outside quotes) is where RFC 4180
    puts one, so that Arrow reads the block as the careful reader, strict, does:
    each opening quote starts a field, and each quote inside a quoted field is
    doubled or closes the field right before a delimiter or line end."""
    sep = ord(delimiter)
    # The byte before an opening quote: the block's last byte, a line feed, for the first.
    before = arr[quotes[0::2] - 1]
    after = arr[quotes[1::2] + 1]  # never past the block, which ends in a line feed
    return bool(((before == sep) | (before == _LF) | (before == _QUOTE)).all() and
                ((after == sep) | (after == _LF) | (after == _CR) | (after == _QUOTE)).all())


def _lone_cr_outside_quotes(arr: np.ndarray, quotes: np.ndarray) -> bool:
    """Whether a block has a carriage return outside quotes that is not part of a
    line end (CRs before the LF): Arrow would end a record there, and the careful
    reader finds the record malformed."""
    crs = np.flatnonzero(arr == _CR)
    if not len(crs):
        return False
    after = arr[crs + 1]  # never past the block, which ends in a line feed
    lone = crs[(after != _LF) & (after != _CR)]
    return bool(len(lone)) and not (np.searchsorted(quotes, lone) & 1).all()


def _convert(values: pa.ChunkedArray, fld: str) -> pa.Array:
    """A column as the field's converter in :mod:`undertow.adapters.generic` reads it."""
    if fld in generic.LIST_FIELDS:
        return pa.array([generic.as_list(v) for v in values.to_pylist()], pa.list_(pa.string()))
    if fld == "text":
        return values.combine_chunks()
    trimmed = pc.utf8_trim_whitespace(values.combine_chunks())
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


class _Prefixed(io.RawIOBase):
    """``prefix`` followed by the rest of ``stream``, as one binary stream."""

    def __init__(self, prefix: bytes, stream: IO[bytes]):
        self.prefix = memoryview(prefix)
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if len(self.prefix):
            n = min(len(buffer), len(self.prefix))
            buffer[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
            return n
        data = self.stream.read1(len(buffer))  # type: ignore[attr-defined]
        buffer[:len(data)] = data
        return len(data)
