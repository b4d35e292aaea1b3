"""The adapter contract and helpers every adapter shares."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from undertow.records import Item, ReadOptions, Source

Reader = Callable[[Source, ReadOptions], Iterator[Item]]
Sniffer = Callable[[bytes, str], float]


@dataclass(frozen=True)
class Adapter:
    """One source format.

    ``sniff(head, filename)`` says how sure it is (0 to 1) that a file whose
    first bytes are ``head`` is of this format; ``read`` yields posts,
    accounts and rejected records. ``read`` raises
    :class:`undertow.records.FormatError` before yielding anything when the
    file is not of this format.
    """

    name: str
    platform: str
    description: str
    sniff: Sniffer
    read: Reader


def wrong_type(value: Any) -> str | None:
    """What ``value`` is when it cannot be one id, name or text (``"an object"``,
    ``"a list"``, ``"a boolean"``); ``None`` for text, numbers and nothing."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    return None


def json_kind(value: Any) -> str:
    """What a JSON value is, in words: ``an object``, ``a list``, ``a boolean``, ``a
    string``, ``a number`` or ``null``.

    >>> [json_kind(v) for v in ({}, [1], True, "x", 1.5, None)]
    ['an object', 'a list', 'a boolean', 'a string', 'a number', 'null']
    """
    if value is None:
        return "null"
    return wrong_type(value) or ("a string" if isinstance(value, str) else "a number")


def wrong_typed(obj: dict[str, Any], keys: Iterable[str]) -> str | None:
    """``"KEY is an object"`` (or a list, or a boolean) for the first of ``keys``
    whose value in ``obj`` is not one id or text; ``user.id`` looks inside ``user``."""
    for key in keys:
        value: Any = obj
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        kind = wrong_type(value)
        if kind:
            return f"{key} is {kind}"
    return None


def text_or_none(value: Any) -> str | None:
    """``value`` as text, ``None`` for missing or blank values, and for objects, lists
    and booleans (whose Python repr is no id, name or text; see :func:`wrong_type`)."""
    if type(value) is str:
        return value.strip() or None
    if value is None or wrong_type(value):
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    return text or None


def id_text(value: Any) -> str | None:
    """An identifier as text (``123.0`` from a float column becomes ``'123'``)."""
    if type(value) is str:
        return value.strip() or None
    if isinstance(value, float) and value == value and value.is_integer():
        return str(int(value))
    return text_or_none(value)


def listed(value: Any) -> list[Any]:
    """``value`` if it is a list, else none: a field an export gives as a list
    (entities, referenced tweets, included users, cards) read as absent where it is
    anything else, so one odd field cannot stop a file.

    >>> listed([1, 2]), listed(None), listed(3), listed({"id": 1})
    ([1, 2], [], [], [])
    """
    return value if isinstance(value, list) else []


#: The largest count the ``accounts`` table holds (BIGINT).
MAX_COUNT = 2**63 - 1


def count_or_none(value: Any) -> int | None:
    """A follower, following or post count as a whole number from 0 up; ``None``
    where ``value`` is no such number (missing, negative, fractional, not finite,
    beyond a BIGINT, a boolean, an object): a profile's figure is a side note to
    the account's posts, never a reason to lose them.

    >>> count_or_none(12), count_or_none(" 1,234 "), count_or_none(3.0), count_or_none("1e3")
    (12, 1234, 3, 1000)
    >>> [count_or_none(v) for v in ("many", True, float("inf"), 10**20, -1, 2.5, {})]
    [None, None, None, None, None, None, None]
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None


def as_text(raw: str | bytes) -> str:
    """A raw record as text (adapters may keep it as the UTF-8 bytes orjson wrote)."""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def first_line(head: bytes) -> str:
    """The first line of ``head`` as text (BOM removed)."""
    return head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
