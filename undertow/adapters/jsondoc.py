"""JSON sources: JSON Lines or one pretty-printed document, checked before reading.

Shared by the JSON adapters (Twitter v2, Weibo, Reddit).

Example:
    >>> field({"user": {"id": 1}, "x": 2}, "user"), field({"x": 2}, "x")
    ({'id': 1}, {})
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
from itertools import chain
from typing import Any

import orjson

from undertow.adapters.generic import json_lines
from undertow.records import (
    Account,
    FormatError,
    Item,
    ReadOptions,
    Rejected,
    Source,
    badly_encoded,
)
from undertow.timeparse import TimeParseError, parse_time

#: Broken lines tolerated before the first readable record, before giving up on a file.
MAX_LEADING_BROKEN = 1000

Record = tuple[int, Any, str]


def head_text(head: bytes) -> str:
    """``head`` as text, BOM and leading blanks removed."""
    return head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")


#: Files up to this many characters after their first line are read whole to tell one
#: JSON document spread over many lines from JSON Lines whose first record is broken;
#: larger ones are told by their lines alone.
MAX_DOCUMENT = 64 << 20


def _document(source: Source, options: ReadOptions) -> Record | None:
    """The file as one record at line 1 when it is one JSON document spread over
    several lines (pretty-printed); ``None`` when it is JSON Lines.

    A file whose first line is JSON by itself, or does not open an object or an array,
    is JSON Lines. Otherwise it is one document when it parses as one; JSON Lines whose
    first record is broken (a raw line break inside a string, a record cut short) when
    another line is a JSON object by itself; else one broken document."""
    with source.open_text(options.encoding) as stream:
        first = stream.readline().lstrip("\ufeff")
        while first and not first.strip():
            first = stream.readline()
        head = first.strip()
        if not head.startswith(("{", "[")) or _loads(head) is not _BROKEN:
            return None
        rest = stream.read(MAX_DOCUMENT)
        if stream.read(1):  # too long to read whole here
            if _object_line(chain(io.StringIO(rest), stream)):
                return None
            return _whole(source, options)
    text = (first + rest).strip()
    value = _loads(text)
    if value is not _BROKEN:
        return 1, value, text
    if badly_encoded(text):
        fixed = text.encode("utf-8", "replace").decode("utf-8")
        if _loads(fixed) is not _BROKEN:
            return 1, Rejected(1, f"bad encoding (not valid {options.encoding})", fixed), fixed
    if _object_line(io.StringIO(rest)):
        return None
    return _as_document(text, options)


_BROKEN = object()


def _loads(text: str) -> Any:
    """``text`` parsed as JSON, or :data:`_BROKEN`."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _BROKEN


def _object_line(lines: Iterable[str]) -> bool:
    """Whether one of ``lines`` is a JSON object by itself, from its first character."""
    return any(line.startswith("{") and isinstance(_loads(line), dict) for line in lines)


def _whole(source: Source, options: ReadOptions) -> Record:
    """The whole file as one JSON document: its value, or why it is not one."""
    with source.open_text(options.encoding) as stream:
        return _as_document(stream.read().lstrip("\ufeff").strip(), options)


def _as_document(text: str, options: ReadOptions) -> Record:
    """``text``, a whole file, as one JSON document: its value, or why it is not one."""
    if badly_encoded(text):
        fixed = text.encode("utf-8", "replace").decode("utf-8")
        return 1, Rejected(1, f"bad encoding (not valid {options.encoding})", fixed), fixed
    try:
        return 1, orjson.loads(text), text
    except orjson.JSONDecodeError as exc:
        return exc.lineno, Rejected(exc.lineno, f"broken JSON: {exc}", text), text


def json_records(source: Source, options: ReadOptions) -> Iterator[Record]:
    """``(line, parsed or Rejected, raw)`` per record: JSON Lines, or one whole-file
    JSON document over many lines, which is a single record at line 1."""
    document = _document(source, options)
    if document is None:
        yield from json_lines(source, options)
    else:
        yield document


def checked(
    records: Iterable[Record], source: Source, accept: Callable[[Any], str | None]
) -> Iterator[Record]:
    """``records``, once the first readable one passes ``accept`` (which returns why
    not, or ``None``); :class:`FormatError` before anything is yielded otherwise."""
    pending: list[Record] | None = []
    for line, value, raw in records:
        if pending is not None:
            if isinstance(value, Rejected):
                pending.append((line, value, raw))
                if len(pending) > MAX_LEADING_BROKEN:
                    raise FormatError(f"{source.path}: the first {MAX_LEADING_BROKEN} records "
                                      f"are unreadable ({value.reason})")
                continue
            problem = accept(value)
            if problem:
                raise FormatError(f"{source.path}: line {line} {problem}")
            yield from pending
            pending = None
        yield line, value, raw
    if pending is not None:
        why = f" (line {pending[0][0]}: {pending[0][1].reason})" if pending else ""
        raise FormatError(f"{source.path}: no readable record{why}")


def time_problem(value: Any, tz: tzinfo) -> str | None:
    """Why ``value`` is not a time ingest can read, or ``None`` when it is."""
    if value is None:
        return "missing time"
    if type(value) is str and not value.replace(".", "", 1).isdigit() and _iso(value):
        return None  # the common case, cheaply (digits alone are epoch seconds to parse_time)
    try:
        parse_time(value, tz)
    except TimeParseError as exc:
        return str(exc)
    return None


def _iso(value: str) -> bool:
    """Whether ``datetime.fromisoformat`` reads ``value``."""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def field(obj: dict[str, Any], key: str) -> dict[str, Any]:
    """``obj[key]`` when it is an object, else an empty dict."""
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def dumps(value: Any) -> str:
    """``value`` as compact JSON text."""
    return orjson.dumps(value).decode()


RecordItems = Callable[[Any, int, str, ReadOptions], Iterable[Item]]


def read_records(
    source: Source,
    options: ReadOptions,
    accept: Callable[[Any], str | None],
    record_items: RecordItems,
) -> Iterator[Item]:
    """Items of a JSON source: each readable record through ``record_items(value, line,
    raw, options)``, each broken one as it is; an account is yielded once per file."""
    seen: set[str] = set()
    for line, value, raw in checked(json_records(source, options), source, accept):
        if isinstance(value, Rejected):
            yield value
            continue
        for item in record_items(value, line, raw, options):
            if isinstance(item, Account):
                if not item.get("author_id") or item["author_id"] in seen:
                    continue
                seen.add(item["author_id"])
            yield item
