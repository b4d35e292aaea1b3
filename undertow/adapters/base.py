"""The adapter contract and helpers every adapter shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def text_or_none(value: Any) -> str | None:
    """``value`` as text, ``None`` for missing or blank values."""
    if type(value) is str:
        return value.strip() or None
    if value is None:
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


def as_text(raw: str | bytes) -> str:
    """A raw record as text (adapters may keep it as the UTF-8 bytes orjson wrote)."""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def first_line(head: bytes) -> str:
    """The first line of ``head`` as text (BOM removed)."""
    return head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
