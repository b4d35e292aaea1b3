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
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import IO, Any

import orjson

from undertow.adapters.base import (
    Adapter,
    first_line,
    id_text,
    json_kind,
    text_or_none,
    wrong_type,
)
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


# --- delimited text -------------------------------------------------------------

#: Lines a record may run over (a quoted field with line breaks in it). A quoted
#: field that runs on further, or to the end of the file, is taken for a quote
#: that was never closed: its first line is quarantined and the lines after it
#: are read again as records of their own.
MAX_RECORD_LINES = 1000


def csv_rows(
    source: Source, options: ReadOptions, delimiter: str
) -> Iterator[tuple[int, list[str], list[str] | None, str]]:
    """``(line, header, fields or None, raw)`` per record of a delimited file.

    ``fields`` is ``None`` when the record has the wrong number of columns,
    holds bytes that are not valid in the file's encoding or has quotes that do
    not pair up (see :func:`_split`); ``raw`` is the record's text as it stands
    in the file. A line ends at a line feed (LF or CRLF; a carriage return alone
    is text in a quoted field and a malformed record outside one), or, in a file
    whose first line ends in a CR alone (old Mac), at any of CR, LF and CRLF.
    Raises :class:`FormatError` when there is no header.
    """
    cr = cr_lines(source.head().decode(options.encoding, "replace"))
    stream = source.open_text(options.encoding)
    if not cr:
        assert isinstance(stream, io.TextIOWrapper)
        stream.reconfigure(newline="\n")
    first = next(stream, "")
    if first.startswith("\ufeff"):  # a byte order mark, before the header's quotes
        first = first[1:]
    lines = _Lines(chain([first] if first else [], stream))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FormatError(f"{source.path}: empty file") from None
    except csv.Error as exc:
        raise FormatError(f"{source.path}: cannot read the header: "
                          f"{_quote_trouble(lines, exc)}") from None
    header = [h.lstrip("\ufeff").strip() for h in header]
    if badly_encoded("".join(header)):
        raise FormatError(f"{source.path}: header is not valid {options.encoding}")
    for line, row, raw in _split(reader, lines, len(header), delimiter):
        yield line, header, row, raw
    stream.close()


def cr_lines(text: str) -> bool:
    """Whether the first line of ``text`` ends in a carriage return alone (old Mac)."""
    cr = text.find("\r")
    return cr >= 0 and not text.startswith("\n", cr + 1) and not 0 <= text.find("\n") < cr


def data_rows(
    stream: IO[str], delimiter: str, width: int, lines_before: int
) -> Iterator[tuple[int, list[str] | None, str]]:
    """``(line, fields or None, raw)`` per record of ``stream`` (opened with
    ``newline="\\n"``), which holds data records only and begins after line
    ``lines_before`` of its file."""
    lines = _Lines(stream, lines_before)
    yield from _split(csv.reader(lines, delimiter=delimiter, strict=True), lines, width,
                      delimiter)


class _Lines:
    """The lines of a text stream, numbered, as :func:`csv.reader` reads them.

    The lines of the record being read are kept in ``taken``; when the record
    turns out broken, :meth:`give_back` keeps its first line and has the rest
    read again. A record that runs on past :data:`MAX_RECORD_LINES` lines, or to
    the end of the stream, is stopped there: ``csv.reader`` is handed ``None``
    instead of a line, so that it raises :class:`csv.Error`, and ``trouble`` says
    why.
    """

    def __init__(self, stream: Iterable[str], number: int = 0):
        self.stream = stream
        self.number = number  # lines before the record being read
        self.taken: list[str] = []
        self.back: list[str] = []  # lines to read again, last first
        self.trouble: str | None = None

    @property
    def start(self) -> int:
        """The line the record being read begins on."""
        return self.number + 1

    def __iter__(self) -> Iterator[Any]:
        back, taken, limit = self.back, self.taken, MAX_RECORD_LINES
        stream = iter(self.stream)
        while True:
            for line in stream:
                if back or len(taken) >= limit:
                    yield from self._held(limit)
                taken.append(line)
                yield line
            yield from self._held(limit)
            if not taken:
                return
            self.trouble = "unclosed quote: the quoted field runs to the end of the file"
            yield None

    def _held(self, limit: int) -> Iterator[Any]:
        """The lines given back, and a stop where a record runs on too long."""
        back, taken = self.back, self.taken
        while back or len(taken) >= limit:
            if len(taken) >= limit:
                self.trouble = (f"unclosed quote: the quoted field runs on past {limit} "
                                "lines")
                yield None
            else:
                taken.append(back.pop())
                yield taken[-1]

    def begin(self) -> None:
        """A new record begins with the next line."""
        self.number += len(self.taken)
        self.taken.clear()
        self.trouble = None

    def record(self) -> str:
        """The text of the record read, without its line end."""
        return "".join(self.taken).rstrip("\r\n")

    def give_back(self) -> str:
        """The first line of the record being read (without its line end); the lines
        read after it will be read again."""
        self.back.extend(reversed(self.taken[1:]))
        del self.taken[1:]
        return self.record()


def _quote_trouble(lines: _Lines, exc: csv.Error) -> str:
    """Why the record being read from ``lines`` could not be split (``exc``: what
    :func:`csv.reader`, strict, raised)."""
    if lines.trouble:
        return lines.trouble
    message = str(exc)
    if message.startswith("unexpected end of data"):
        return "unclosed quote: the quoted field runs to the end of the file"
    if "expected after" in message:
        last = lines.number + len(lines.taken)
        if last > lines.start:
            return (f"unclosed quote: the quoted field runs on to line {last}, where a "
                    "quote is followed by text")
        return ('text after a closing quote (a quote inside a quoted field is written '
                'twice: "")')
    if message.startswith("new-line character seen in unquoted field"):
        return "a carriage return (CR) alone in a field that is not quoted"
    return f"csv error: {message}"


def _split(reader: Any, lines: _Lines, width: int, delimiter: str
           ) -> Iterator[tuple[int, list[str] | None, str]]:
    """``(line, fields or None, raw)`` per record ``reader`` (strict) reads from ``lines``.

    A record whose quotes do not pair up (a quoted field that runs to the end of
    the file or past :data:`MAX_RECORD_LINES` lines, or text after a closing
    quote) loses nothing: its first line is the record, the lines after it are
    read again. In CSV that line is quarantined with the reason. In TSV, where
    a quote starting a text is ordinary (``"Best phone ever" says my dad``),
    the line is split at its tabs instead, each field that is a whole quoted
    field unquoted and every other quote kept as text; only a line that then
    has the wrong number of columns is quarantined.
    """
    while True:
        lines.begin()
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            reason = _quote_trouble(lines, exc)
            line, raw = lines.start, lines.give_back()
            if delimiter == "\t":
                fields = _loose_fields(raw, delimiter)
                if len(fields) == width:
                    yield line, fields, raw
                    continue
                reason += f"; as plain text: expected {width} columns, found {len(fields)}"
            yield line, None, f"{reason}\x00{raw}"
            continue
        raw = lines.record()
        if not row or (len(row) == 1 and not raw.strip()):  # a blank line ("" is a field)
            continue
        if len(row) != width:
            yield lines.start, None, f"expected {width} columns, found {len(row)}\x00{raw}"
            continue
        yield lines.start, row, raw


def _loose_fields(line: str, delimiter: str) -> list[str]:
    """The fields of one line whose quotes do not pair up: split at each delimiter,
    except that a field that is a whole quoted field (``"a""b"``, ended by a
    delimiter or the line's end) is unquoted; any other quote is text."""
    fields: list[str] = []
    pos, n = 0, len(line)
    while pos <= n:
        end = _quoted_end(line, pos, delimiter) if line.startswith('"', pos) else -1
        if end >= 0:
            fields.append(line[pos + 1:end - 1].replace('""', '"'))
        else:
            end = line.find(delimiter, pos)
            end = n if end < 0 else end
            fields.append(line[pos:end])
        pos = end + 1
    return fields


def _quoted_end(line: str, pos: int, delimiter: str) -> int:
    """Where the quoted field opened at ``pos`` ends (just after its closing quote),
    or -1 when no quote closes it right before a delimiter or the line's end."""
    i = pos + 1
    while True:
        quote = line.find('"', i)
        if quote < 0:
            return -1
        if line.startswith('"', quote + 1):  # a doubled quote, inside the field
            i = quote + 2
            continue
        return quote + 1 if line.startswith(delimiter, quote + 1) or quote + 1 == len(line) \
            else -1


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
        # An adapter's columns in any case, as its format is recognised (``Author`` for
        # ``author``); the exact name first.
        named = {c.strip().lower(): c for c in reversed(header)}
        mapping = {}
        for col, fld in fixed.items():
            actual = col if col in header else named.get(col.lower())
            if actual is not None and fld not in explicit.values():
                mapping[actual] = fld
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

    Quotes are read as RFC 4180 has them (a quoted field may hold delimiters,
    line breaks and doubled quotes), strictly: a quote that does not pair up
    never swallows the lines after it (see :func:`_split`; in TSV such quotes
    are text).
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
    """Posts (or rejected records) from split rows of a file with columns ``header``;
    ``hook`` gets each row's values by column name in lower case."""
    steps = [(header.index(col), fld, conv) for col, fld, conv in plan(mapping)]
    names = [col.strip().lower() for col in header]
    for line, row, raw in rows:
        if row is None:
            rejected = rejected_from_row(line, raw)
            if badly_encoded(rejected.raw):  # ingest stores it with those bytes as "?"
                rejected.reason += f"; bad encoding (not valid {options.encoding})"
            yield rejected
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
            yield from hook(dict(zip(names, row, strict=True)), rec)


def header_sniffer(required: Iterable[str], score: float = 0.8) -> Callable[[bytes, str], float]:
    """A sniff function for a CSV whose header holds all of ``required`` (any case)."""
    need = {c.lower() for c in required}

    def sniff(head: bytes, filename: str) -> float:
        cols = {c.strip().lower() for c in head_columns(head)}
        return score if need <= cols else 0.0

    return sniff


def require_columns(source: Source, options: ReadOptions, required: Iterable[str]) -> None:
    """:class:`FormatError` unless the file's header has every column in ``required``."""
    cols = {c.strip().lower() for c in head_columns(source.head())}
    missing = [c for c in required if c.lower() not in cols]
    if missing:
        raise FormatError(f"{source.path}: not this format; missing columns {', '.join(missing)}")


def head_line(head: bytes) -> str:
    """The first line of ``head`` as text (BOM removed), ended by a line feed or, as
    in old Mac files, a carriage return."""
    return first_line(head).split("\r", 1)[0]


def head_columns(head: bytes, delimiter: str = ",") -> list[str]:
    """The fields of the first line of ``head`` (see :func:`head_line`)."""
    try:
        return next(csv.reader([head_line(head)], delimiter=delimiter), [])
    except csv.Error:
        return []


def _sniff_delimited(delimiter: str) -> Any:
    def sniff(head: bytes, filename: str) -> float:
        line = head_line(head)
        if not line or line.startswith(("{", "[", "<")) or delimiter not in line:
            return 0.0
        cols = head_columns(head, delimiter)
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
                text = (line.lstrip("\ufeff") if number == 1 else line).strip()
                if text:
                    yield number, *_json_value(number, text, options)
        return
    # UTF-8: orjson reads the bytes themselves (from str it would encode them again).
    with source.open_binary() as stream:
        for number, data in enumerate(stream, 1):
            if number == 1 and data.startswith(b"\xef\xbb\xbf"):  # a byte order mark
                data = data[3:]
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


#: Records read, looking for the keys of an author and a time, before a file is refused.
MAX_LOOKAHEAD = 1000

JsonRecord = tuple[int, Any, str]


def read_jsonl(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Posts from JSON Lines of flat objects, keys mapped like CSV columns.

    Exports often leave out a key whose value is empty ("in_reply_to_status_id" only on
    replies), so a key first seen in a later line is mapped then, to a field no earlier
    key took; what earlier lines mapped never changes. The mapping is made from the
    first object, or, when that has no author or time (a malformed record, quarantined
    like any other), from the keys of the first objects together, up to the first that
    completes it. :class:`FormatError` before anything is read when none of the first
    :data:`MAX_LOOKAHEAD` records does, or the file is not JSON Lines of objects."""
    records = json_lines(source, options)
    found = _first_mapping(records, source, options)
    if found is None:
        return
    mapping, ahead, seen = found
    steps = plan(mapping)
    for line, value, raw in chain(ahead, records):
        if not isinstance(value, dict):
            yield value if isinstance(value, Rejected) else Rejected(
                line, f"not a JSON object ({json_kind(value)})", raw)
            continue
        if not seen.issuperset(value):
            new = [k for k in value if k not in seen]
            seen.update(new)
            taken = set(mapping.values())
            for col, fld in guess_mapping(new).items():
                if fld not in taken:
                    mapping[col] = fld
                    taken.add(fld)
            steps = plan(mapping)
        rec = _post(value, steps)
        if isinstance(rec, str):
            yield Rejected(line, rec, raw)
            continue
        rec["source_line"] = line
        rec["raw"] = raw
        yield rec


def _first_mapping(records: Iterator[JsonRecord], source: Source, options: ReadOptions
                   ) -> tuple[dict[str, str], list[JsonRecord], set[str]] | None:
    """The mapping of a JSON Lines file, the records read to find it and the keys they
    have; ``None`` for a file without records. :class:`FormatError` when the file is
    not JSON Lines of objects, or its first objects have no author or time."""
    ahead: list[JsonRecord] = []
    keys: dict[str, None] = {}  # in the order first seen
    problem: FormatError | None = None
    objects = 0
    for line, value, raw in records:
        ahead.append((line, value, raw))
        if isinstance(value, dict):
            objects += 1
            if objects == 1 or not keys.keys() >= value.keys():
                keys.update(dict.fromkeys(value))
                if all(col in keys for col in options.mapping):
                    mapping = guess_mapping(list(keys), options.mapping)
                    try:
                        check_mapping(mapping, source, options)
                        return mapping, ahead, set(keys)
                    except FormatError as exc:
                        problem = exc
        elif isinstance(value, list) and not objects:
            raise FormatError(
                f"{source.path}: line {line} is a JSON array, not an object; JSON Lines has "
                "one object per line (jq -c '.[]' FILE writes an array's objects so)")
        if len(ahead) >= MAX_LOOKAHEAD:
            break
    if not ahead:
        return None
    scope = "the file" if len(ahead) < MAX_LOOKAHEAD else f"the first {MAX_LOOKAHEAD} records"
    if not objects:
        line, value, raw = ahead[0]
        why = value.reason if isinstance(value, Rejected) else (
            f"not a JSON object ({json_kind(value)})")
        raise FormatError(f"{source.path}: not JSON Lines: no JSON object in {scope} "
                          f"(line {line}: {why})")
    for col in options.mapping:
        if col not in keys:
            raise FormatError(f"{source.path}: --map names key {col!r}, which no object in "
                              f"{scope} has")
    assert problem is not None  # the last check of the keys, which fell short
    raise problem


#: Fields a post is quarantined for when they hold an object, a list or a boolean
#: (any other field is then not read, with a note).
_CORE_FIELDS = frozenset({"post_id", "author_id", "created_at", "text"})
#: Values every converter takes as they are.
_SCALARS = frozenset({str, int, float, type(None)})
#: Keys of an account object given as the author (Twitter API v1.1's ``"user": {...}``)
#: that hold its id, and its name; best first.
_ACCOUNT_ID_KEYS = ("id_str", "id", "idstr")
_ACCOUNT_NAME_KEYS = ("screen_name", "username")


def _post(values: dict[str, Any], steps: list[tuple[str, str, Converter]]
          ) -> dict[str, Any] | str:
    """The post of one JSON object (or Parquet row), or why it cannot be one: an id,
    author, time or text that is an object, a list or a boolean (whose Python repr is
    no id). An author that is an account object (Twitter API v1.1's ``"user": {...}``)
    gives its id (``id_str``, ``id``) and, unless a key gave one, its name."""
    rec: dict[str, Any] = {}
    account: dict[str, Any] | None = None
    notes: list[str] = []
    for col, fld, conv in steps:
        value = values.get(col)
        if type(value) not in _SCALARS:
            if fld == "author_id" and isinstance(value, dict):
                account = value
                key = next((k for k in _ACCOUNT_ID_KEYS if value.get(k) not in (None, "")),
                           None)
                if key is None:
                    return f"author_id is an object without an id (key {col!r})"
                col, value = f"{col}.{key}", value[key]
            kind = _wrong_cell(value, fld in LIST_FIELDS)
            if kind:
                if fld in _CORE_FIELDS:
                    return f"{fld} is {kind} (key {col!r})"
                notes.append(f"{fld} not read from key {col!r}: it is {kind}")
                value = None
        rec[fld] = conv(value)
    if account is not None and rec.get("author_name") is None:
        rec["author_name"] = next((name for k in _ACCOUNT_NAME_KEYS
                                   if (name := text_or_none(account.get(k)))), None)
    if notes:
        rec["notes"] = notes
    return rec


def _wrong_cell(value: Any, is_list: bool) -> str | None:
    """What ``value`` is when it cannot be the value of a field (``a list`` of one
    element or more only when ``is_list``, with no object or list inside)."""
    if is_list and isinstance(value, list | tuple):
        inner = next((kind for v in value if (kind := wrong_type(v))), None)
        return f"a list holding {inner}" if inner else None
    return wrong_type(value)


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
    steps = plan(mapping)
    mapped = {col for col, _, _ in steps}
    row = 0
    for batch in pf.iter_batches(batch_size=65536):
        batch = _binary_as_text(batch, mapped)
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
            rec = _post(values, steps)
            if isinstance(rec, str):
                yield Rejected(row, rec, raw)
                continue
            rec["source_line"] = row
            rec["raw"] = raw
            yield rec


def _binary_as_text(batch: Any, columns: set[str]) -> Any:
    """``batch`` with its binary ``columns`` (and lists of binary) read as text.

    Hive and Impala write strings as plain binary; read as bytes they would be stored
    as ``b'...'``. A value that is not UTF-8 then quarantines its row, as in a string
    column. Binary columns no field reads (a thumbnail) are left alone."""
    import pyarrow as pa

    def as_text(typ: Any) -> Any:
        if pa.types.is_binary(typ):
            return pa.string()
        if pa.types.is_large_binary(typ):
            return pa.large_string()
        if pa.types.is_list(typ) or pa.types.is_large_list(typ):
            inner = as_text(typ.value_type)
            if inner is None:
                return None
            return pa.list_(inner) if pa.types.is_list(typ) else pa.large_list(inner)
        return None

    arrays, changed = [], False
    for name, array in zip(batch.schema.names, batch.columns, strict=True):
        target = as_text(array.type) if name in columns else None
        if target is not None:
            array, changed = array.view(target), True
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names) if changed else batch


def _decoded_row(batch: Any, i: int) -> tuple[dict[str, Any], bool]:
    """Row ``i`` of a Parquet batch, and whether a string in it is not valid UTF-8
    (such strings decoded with replacement characters, to be kept in the quarantine;
    a nested column that holds one is kept as a note)."""
    one = batch.slice(i, 1)
    try:
        return one.to_pylist()[0], False
    except UnicodeDecodeError:
        return {name: _decoded_value(column)
                for name, column in zip(one.schema.names, one.columns, strict=True)}, True


def _decoded_value(column: Any) -> Any:
    """The one value of a one-row Parquet column, a string that is not UTF-8 decoded with
    replacement characters (in a nested column, a note)."""
    import pyarrow as pa

    try:
        return column.to_pylist()[0]
    except UnicodeDecodeError:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            return column.cast(pa.large_binary()).to_pylist()[0].decode("utf-8", "replace")
        return "(not valid UTF-8)"


def sniff_parquet(head: bytes, filename: str) -> float:
    return 0.9 if head.startswith(b"PAR1") else 0.0


CSV = Adapter("csv", "generic", "comma-separated values with a header row",
              _sniff_delimited(","), lambda s, o: read_delimited(s, o, ","))
TSV = Adapter("tsv", "generic", "tab-separated values with a header row",
              _sniff_delimited("\t"), lambda s, o: read_delimited(s, o, "\t"))
JSONL = Adapter("jsonl", "generic", "JSON Lines, one flat object per line",
                sniff_jsonl, read_jsonl)
PARQUET = Adapter("parquet", "generic", "Apache Parquet", sniff_parquet, read_parquet)
