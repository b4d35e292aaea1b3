"""JSON sources: JSON Lines or one pretty-printed document, checked before reading.

Shared by the JSON adapters (Twitter v2, Weibo, Reddit).

Example:
    >>> field({"user": {"id": 1}, "x": 2}, "user"), field({"x": 2}, "x")
    ({'id': 1}, {})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
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


def _is_document(source: Source, options: ReadOptions) -> bool:
    """Whether the file is one JSON document spread over several lines (pretty-printed)."""
    first: str | None = None
    with source.open_text(options.encoding) as stream:
        for line in stream:
            if not line.strip():
                continue
            if first is not None:
                return not line.startswith(("{", "["))
            first = line
            try:
                orjson.loads(line)
                return False
            except orjson.JSONDecodeError:
                if not line.strip().startswith(("{", "[")):
                    return False
    return False


def _document(source: Source, options: ReadOptions) -> Record:
    with source.open_text(options.encoding) as stream:
        text = stream.read().strip()
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
    if _is_document(source, options):
        yield _document(source, options)
    else:
        yield from json_lines(source, options)


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
