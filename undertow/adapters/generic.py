"""Generic tables: CSV, TSV, JSON Lines and Parquet, columns mapped by name.

Columns are matched to canonical fields by common names (``user``,
``screen_name``, ``uid``, ``author`` → ``author_id``; ``content``, ``message``
→ ``text``…) or explicitly with ``--map source_col=field``.

Example:
    >>> guess_mapping(["Tweet ID", "screen_name", "Date", "Content"])
    {'Tweet ID': 'post_id', 'screen_name': 'author_id', 'Date': 'created_at', 'Content': 'text'}
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import IO, Any

import orjson

from undertow.adapters.base import Adapter, first_line, id_text, text_or_none
from undertow.records import FormatError, Item, ReadOptions, Rejected, Source, badly_encoded
from undertow.schema import POST_FIELDS

csv.field_size_limit(sys.maxsize)

#: Column names (normalised: lower case, ``_`` for spaces and dashes) per field, best first.
NAME_HINTS: dict[str, tuple[str, ...]] = {
    "post_id": ("post_id", "id", "tweet_id", "status_id", "message_id", "comment_id",
                "id_str", "mid", "content_id", "postid"),
    "author_id": ("author_id", "user_id", "uid", "account_id", "user", "screen_name",
                  "author", "username", "user_screen_name", "handle", "authorid", "userid"),
    "author_name": ("author_name", "user_name", "name", "nickname", "display_name",
                    "screen_name", "username"),
    "created_at": ("created_at", "timestamp", "time", "date", "datetime", "publish_date",
                   "published_at", "created_utc", "created", "timestamp_share", "posted_at",
                   "date_time"),
    "text": ("text", "content", "message", "body", "full_text", "tweet", "comment", "post",
             "review", "tweet_text"),
    "lang": ("lang", "language"),
    "urls": ("urls", "url", "links", "link", "expanded_urls"),
    "hashtags": ("hashtags", "hashtag", "tags"),
    "mentions": ("mentions", "user_mentions"),
    "reply_to_post_id": ("reply_to_post_id", "in_reply_to_status_id", "reply_id",
                         "parent_id", "in_reply_to_id"),
    "reply_to_author_id": ("reply_to_author_id", "in_reply_to_user_id", "reply_to_user_id"),
    "repost_of_post_id": ("repost_of_post_id", "retweet_id", "retweeted_status_id",
                          "repost_id", "shared_post_id"),
    "thread_id": ("thread_id", "conversation_id", "video_id", "link_id", "topic_id"),
    "object_id": ("object_id",),
    "platform": ("platform",),
}

LIST_FIELDS = ("urls", "hashtags", "mentions")


def _norm(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def guess_mapping(columns: Iterable[str], explicit: dict[str, str] | None = None) -> dict[str, str]:
    """``{source column: canonical field}``: explicit entries first, then name hints.

    Each column and each field is used at most once.
    """
    columns = list(columns)
    mapping: dict[str, str] = {}
    for col, fld in (explicit or {}).items():
        if col not in columns:
            raise FormatError(f"--map names column {col!r}, which the file does not have")
        if fld not in POST_FIELDS and fld not in NAME_HINTS:
            raise FormatError(f"--map names unknown field {fld!r}")
        mapping[col] = fld
    by_norm = {_norm(c): c for c in reversed(columns)}
    taken = set(mapping.values())
    for fld, hints in NAME_HINTS.items():
        if fld in taken:
            continue
        for hint in hints:
            found = by_norm.get(hint)
            if found is not None and found not in mapping:
                mapping[found] = fld
                taken.add(fld)
                break
    return dict(sorted(mapping.items(), key=lambda kv: columns.index(kv[0])))


def as_list(value: Any) -> list[str] | None:
    """A list field from a cell: a JSON array, or items split on spaces, commas or ``;``."""
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v) != ""]
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            parsed = orjson.loads(text)
            if isinstance(parsed, list):
                return [str(v) for v in parsed if v is not None and str(v) != ""]
        except orjson.JSONDecodeError:
            pass
    return [p.lstrip("#@") for p in text.replace(";", " ").replace(",", " ").split() if p]


ID_FIELDS = frozenset({"post_id", "author_id", "reply_to_post_id", "reply_to_author_id",
                       "repost_of_post_id", "thread_id", "object_id"})


def _time_cell(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _text_cell(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


def _id_cell(value: Any) -> str | None:
    if type(value) is str:
        return value.strip() or None
    return id_text(value)


Converter = Callable[[Any], Any]


def converter(fld: str) -> Converter:
    """How a source value becomes the value of canonical field ``fld``."""
    if fld in LIST_FIELDS:
        return as_list
    if fld == "created_at":
        return _time_cell
    if fld == "text":
        return _text_cell
    if fld in ID_FIELDS:
        return _id_cell
    return text_or_none


def plan(mapping: dict[str, str]) -> list[tuple[str, str, Converter]]:
    """``(source column, field, converter)`` for each mapped column."""
    return [(col, fld, converter(fld)) for col, fld in mapping.items()]


def map_record(values: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """A post dict from one source record, using ``mapping``."""
    return {fld: conv(values.get(col)) for col, fld, conv in plan(mapping)}


# --- delimited text -------------------------------------------------------------


def csv_rows(
    source: Source, options: ReadOptions, delimiter: str
) -> Iterator[tuple[int, list[str], list[str] | None, str]]:
    """``(line, header, fields or None, raw)`` per record of a delimited file.

    ``fields`` is ``None`` when the record has the wrong number of columns or
    holds bytes that are not valid in the file's encoding; ``raw`` is the
    record's text as it stands in the file. Raises :class:`FormatError` when
    there is no header.
    """
    stream = source.open_text(options.encoding)
    buf: list[str] = []
    feed, counter = _feeding(stream, buf)
    reader = csv.reader(feed, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FormatError(f"{source.path}: empty file") from None
    except csv.Error as exc:
        raise FormatError(f"{source.path}: cannot read the header: {exc}") from None
    header = [h.lstrip("\ufeff").strip() for h in header]
    if badly_encoded("".join(header)):
        raise FormatError(f"{source.path}: header is not valid {options.encoding}")
    buf.clear()
    for line, row, raw in _split(reader, buf, counter, len(header)):
        yield line, header, row, raw
    stream.close()


def data_rows(
    stream: IO[str], delimiter: str, width: int, lines_before: int
) -> Iterator[tuple[int, list[str] | None, str]]:
    """``(line, fields or None, raw)`` per record of ``stream``, which holds data
    records only and begins after line ``lines_before`` of its file."""
    buf: list[str] = []
    feed, counter = _feeding(stream, buf, lines_before)
    yield from _split(csv.reader(feed, delimiter=delimiter), buf, counter, width)


def _feeding(stream: IO[str], buf: list[str], number: int = 0) -> tuple[Iterator[str], list[int]]:
    """Lines of ``stream``, each also kept in ``buf``, counted in ``counter[0]``."""
    counter = [number]

    def feed() -> Iterator[str]:
        for line in stream:
            counter[0] += 1
            buf.append(line)
            yield line

    return feed(), counter


def _split(reader: Any, buf: list[str], counter: list[int], width: int
           ) -> Iterator[tuple[int, list[str] | None, str]]:
    start = counter[0] + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raw = "".join(buf)
            buf.clear()
            yield start, None, f"csv error: {exc}\x00{raw}"
            start = counter[0] + 1
            continue
        raw = "".join(buf).rstrip("\r\n")
        buf.clear()
        line = start
        start = counter[0] + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            yield line, None, f"expected {width} columns, found {len(row)}\x00{raw}"
            continue
        yield line, row, raw


def check_mapping(mapping: dict[str, str], source: Source, options: ReadOptions) -> None:
    """Raise :class:`FormatError` unless ``mapping`` finds an author and a time.

    Twitter ids encode their time, so a Twitter table with ids needs no time column.
    """
    fields = set(mapping.values())
    missing = [f for f in ("author_id", "created_at") if f not in fields]
    if missing == ["created_at"] and options.platform == "twitter" and "post_id" in fields:
        return
    if missing:
        raise FormatError(
            f"{source.path}: no column for {' or '.join(missing)} among "
            f"{list(mapping) or 'the columns'}; name it with --map COLUMN={missing[0]}"
        )


def rejected_from_row(line: int, raw: str) -> Rejected:
    """The :class:`Rejected` for a row :func:`csv_rows` could not split."""
    reason, _, text = raw.partition("\x00")
    return Rejected(line, reason, text)


Hook = Callable[[dict[str, str], dict[str, Any]], Iterable[Item]]


def resolve_mapping(header: list[str], source: Source, options: ReadOptions,
                    fixed: dict[str, str] | None = None) -> dict[str, str]:
    """The mapping for a file with columns ``header``: ``fixed`` (an adapter's own)
    or the name hints, ``--map`` winning either way; checked for author and time."""
    if fixed is None:
        mapping = guess_mapping(header, options.mapping)
    else:
        explicit = guess_mapping(header, options.mapping) if options.mapping else {}
        explicit = {c: f for c, f in explicit.items() if c in options.mapping}
        mapping = {c: f for c, f in fixed.items() if c in header and f not in explicit.values()}
        mapping.update(explicit)
    check_mapping(mapping, source, options)
    return mapping


def read_delimited(
    source: Source,
    options: ReadOptions,
    delimiter: str,
    fixed: dict[str, str] | None = None,
    hook: Hook | None = None,
    blocks: bool = True,
) -> Iterator[Item]:
    """Posts from a delimited file.

    ``fixed`` is a mapping that replaces the name hints (``--map`` still wins);
    ``hook(values, post)`` may adjust the post and yields the items to emit.
    A post's ``raw`` is its record exactly as written in the file. UTF-8 files
    without a hook are read in blocks (:mod:`undertow.adapters.csvblocks`)
    unless ``blocks`` is false; the result is the same.
    """
    if blocks and hook is None and options.encoding.lower().replace("_", "-") in (
            "utf-8", "utf8", "utf-8-sig"):
        from undertow.adapters import csvblocks

        yield from csvblocks.read(source, options, delimiter, fixed)
        return
    rows = csv_rows(source, options, delimiter)
    first = next(rows, None)
    if first is None:
        return
    header = first[1]
    mapping = resolve_mapping(header, source, options, fixed)
    yield from row_items(((line, row, raw) for line, _, row, raw in chain([first], rows)),
                         header, mapping, options, hook)


def row_items(rows: Iterable[tuple[int, list[str] | None, str]], header: list[str],
              mapping: dict[str, str], options: ReadOptions, hook: Hook | None = None
              ) -> Iterator[Item]:
    """Posts (or rejected records) from split rows of a file with columns ``header``."""
    steps = [(header.index(col), fld, conv) for col, fld, conv in plan(mapping)]
    for line, row, raw in rows:
        if row is None:
            yield rejected_from_row(line, raw)
            continue
        if badly_encoded(raw):
            yield Rejected(line, f"bad encoding (not valid {options.encoding})",
                           raw.encode("utf-8", "replace").decode("utf-8"))
            continue
        rec = {fld: conv(row[i]) for i, fld, conv in steps}
        rec["source_line"] = line
        rec["raw"] = raw
        if hook is None:
            yield rec
        else:
            yield from hook(dict(zip(header, row, strict=True)), rec)


def header_sniffer(required: Iterable[str], score: float = 0.8) -> Callable[[bytes, str], float]:
    """A sniff function for a CSV whose header holds all of ``required`` (any case)."""
    need = {c.lower() for c in required}

    def sniff(head: bytes, filename: str) -> float:
        line = first_line(head)
        if "," not in line:
            return 0.0
        cols = {c.strip().lower() for c in next(csv.reader([line]))}
        return score if need <= cols else 0.0

    return sniff


def require_columns(source: Source, options: ReadOptions, required: Iterable[str]) -> None:
    """:class:`FormatError` unless the file's header has every column in ``required``."""
    head = first_line(source.head())
    cols = {c.strip().lower() for c in next(csv.reader([head]))} if head else set()
    missing = [c for c in required if c.lower() not in cols]
    if missing:
        raise FormatError(f"{source.path}: not this format; missing columns {', '.join(missing)}")


def _sniff_delimited(delimiter: str) -> Any:
    def sniff(head: bytes, filename: str) -> float:
        line = first_line(head)
        if not line or line.startswith(("{", "[", "<")) or delimiter not in line:
            return 0.0
        cols = next(csv.reader([line], delimiter=delimiter))
        hits = sum(1 for f, fld in guess_mapping(cols).items() if fld in
                   ("author_id", "created_at", "text", "post_id"))
        if hits < 2:
            return 0.05
        return 0.3 + (0.05 if filename.endswith((".tsv", ".tab")) == (delimiter == "\t") else 0)

    return sniff


# --- JSON Lines -----------------------------------------------------------------


def json_lines(source: Source, options: ReadOptions) -> Iterator[tuple[int, Any, str]]:
    """``(line, parsed or Rejected, raw)`` per non-blank line of a JSON Lines file."""
    if options.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        with source.open_text(options.encoding) as stream:
            for number, line in enumerate(stream, 1):
                text = line.strip()
                if text:
                    yield number, *_json_value(number, text, options)
        return
    # UTF-8: orjson reads the bytes themselves (from str it would encode them again).
    with source.open_binary() as stream:
        for number, data in enumerate(stream, 1):
            data = data.strip()
            if not data:
                continue
            try:
                value = orjson.loads(data)
            except orjson.JSONDecodeError:
                yield number, *_json_value(number, data.decode("utf-8", "surrogateescape"),
                                           options)
                continue
            yield number, value, data.decode("utf-8")


def _json_value(number: int, text: str, options: ReadOptions) -> tuple[Any, str]:
    """A line parsed, or rejected as badly encoded or broken; and its raw text."""
    try:
        return orjson.loads(text), text
    except orjson.JSONDecodeError as exc:
        # orjson refuses the surrogates that stand for undecodable bytes, so a
        # badly encoded line is told apart only when parsing fails.
        if badly_encoded(text):
            fixed = text.encode("utf-8", "replace").decode("utf-8")
            return Rejected(number, f"bad encoding (not valid {options.encoding})", fixed), fixed
        return Rejected(number, f"broken JSON: {exc}", text), text


def read_jsonl(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Posts from JSON Lines of flat objects, keys mapped like CSV columns.

    Exports often leave out a key whose value is empty ("in_reply_to_status_id" only on
    replies), so a key first seen in a later line is mapped then, to a field no earlier
    key took; what earlier lines mapped never changes."""
    mapping: dict[str, str] | None = None
    seen: set[str] = set()
    for line, value, raw in json_lines(source, options):
        if isinstance(value, Rejected):
            yield value
            continue
        if not isinstance(value, dict):
            yield Rejected(line, "not a JSON object", raw)
            continue
        if mapping is None:
            mapping = guess_mapping(list(value), options.mapping)
            check_mapping(mapping, source, options)
            seen = set(value)
        elif not seen.issuperset(value):
            new = [k for k in value if k not in seen]
            seen.update(new)
            taken = set(mapping.values())
            for col, fld in guess_mapping(new).items():
                if fld not in taken:
                    mapping[col] = fld
                    taken.add(fld)
        rec = map_record(value, mapping)
        rec["source_line"] = line
        rec["raw"] = raw
        yield rec


def sniff_jsonl(head: bytes, filename: str) -> float:
    line = first_line(head).strip()
    if not line.startswith("{"):
        return 0.0
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return 0.1 if filename.endswith((".jsonl", ".ndjson")) else 0.0
    if not isinstance(obj, dict):
        return 0.0
    hits = sum(1 for fld in guess_mapping(list(obj)).values()
               if fld in ("author_id", "created_at", "text"))
    return 0.3 if hits >= 2 else 0.05


# --- Parquet --------------------------------------------------------------------


def read_parquet(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Posts from a Parquet file, columns mapped like CSV; the row number is the line."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(source.path)
    except Exception as exc:
        raise FormatError(f"{source.path}: not a Parquet file ({exc})") from None
    mapping = guess_mapping(pf.schema_arrow.names, options.mapping)
    check_mapping(mapping, source, options)
    row = 0
    for batch in pf.iter_batches(batch_size=65536):
        try:
            rows = [(values, False) for values in batch.to_pylist()]
        except UnicodeDecodeError:  # Parquet does not check that strings are UTF-8
            rows = [_decoded_row(batch, i) for i in range(batch.num_rows)]
        for values, bad in rows:
            row += 1
            raw = orjson.dumps(values, default=str).decode()
            if bad:
                yield Rejected(row, "bad encoding (a string that is not valid UTF-8)", raw)
                continue
            rec = map_record(values, mapping)
            rec["source_line"] = row
            rec["raw"] = raw
            yield rec


def _decoded_row(batch: Any, i: int) -> tuple[dict[str, Any], bool]:
    """Row ``i`` of a Parquet batch, and whether a string in it is not valid UTF-8
    (such strings decoded with replacement characters, to be kept in the quarantine;
    a nested column that holds one is kept as a note)."""
    import pyarrow as pa

    one = batch.slice(i, 1)
    try:
        return one.to_pylist()[0], False
    except UnicodeDecodeError:
        pass
    values: dict[str, Any] = {}
    for name, column in zip(one.schema.names, one.columns, strict=True):
        try:
            values[name] = column.to_pylist()[0]
        except UnicodeDecodeError:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                data = column.cast(pa.large_binary()).to_pylist()[0]
                values[name] = data.decode("utf-8", "replace")
            else:
                values[name] = "(not valid UTF-8)"
    return values, True


def sniff_parquet(head: bytes, filename: str) -> float:
    return 0.9 if head.startswith(b"PAR1") else 0.0


CSV = Adapter("csv", "generic", "comma-separated values with a header row",
              _sniff_delimited(","), lambda s, o: read_delimited(s, o, ","))
TSV = Adapter("tsv", "generic", "tab-separated values with a header row",
              _sniff_delimited("\t"), lambda s, o: read_delimited(s, o, "\t"))
JSONL = Adapter("jsonl", "generic", "JSON Lines, one flat object per line",
                sniff_jsonl, read_jsonl)
PARQUET = Adapter("parquet", "generic", "Apache Parquet", sniff_parquet, read_parquet)
