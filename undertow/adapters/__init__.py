"""Source formats, one module each, and how a file's format is recognised.

Example:
    >>> sorted(FORMATS)[:4]
    ['bilibili-xml', 'cnt', 'coortweet', 'csv']
"""

from __future__ import annotations

from undertow.adapters import generic
from undertow.adapters.base import Adapter
from undertow.records import FormatError, Source

_ALL: list[Adapter] = [generic.CSV, generic.TSV, generic.JSONL, generic.PARQUET]


def _register_optional() -> None:
    from importlib import import_module

    for module in ("cnt", "twitter_v2", "weibo", "bilibili_xml", "reddit", "youtube", "ira",
                   "coortweet"):
        try:
            mod = import_module(f"undertow.adapters.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"undertow.adapters.{module}":
                raise
            continue
        _ALL.append(mod.ADAPTER)


_register_optional()

#: Format name → adapter.
FORMATS: dict[str, Adapter] = {a.name: a for a in _ALL}
FORMAT_NAMES = ("auto", "csv", "tsv", "jsonl", "parquet", "cnt", "twitter-v2", "weibo",
                "bilibili-xml", "reddit", "youtube", "ira", "coortweet")


def sniff(source: Source) -> Adapter:
    """The adapter most sure of ``source``; :class:`FormatError` if none is."""
    head = source.head()
    if not head.strip():
        raise FormatError(f"{source.path}: empty file")
    name = source.path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    scored = sorted(((_safe_score(a, head, name), a.name) for a in _ALL), reverse=True)
    best, best_name = scored[0]
    if best < 0.2:
        fallback = _by_extension(name, head)
        if fallback:
            return FORMATS[fallback]
        raise FormatError(
            f"{source.path}: cannot tell its format; pass --format (one of "
            f"{', '.join(FORMAT_NAMES[1:])})"
        )
    return FORMATS[best_name]


_EXTENSIONS = {".csv": ("csv", b","), ".tsv": ("tsv", b"\t"), ".tab": ("tsv", b"\t"),
               ".jsonl": ("jsonl", b"{"), ".ndjson": ("jsonl", b"{"), ".json": ("jsonl", b"{")}


def _by_extension(name: str, head: bytes) -> str | None:
    """A generic format named by the file's extension, if its first line fits it."""
    for ext, (fmt, mark) in _EXTENSIONS.items():
        if name.endswith(ext) and mark in head.split(b"\n", 1)[0]:
            return fmt
    return None


def _safe_score(adapter: Adapter, head: bytes, name: str) -> float:
    """A sniffer that fails on odd bytes is simply not sure."""
    try:
        return adapter.sniff(head, name)
    except Exception:
        return 0.0


def resolve(fmt: str, source: Source) -> Adapter:
    """The adapter for ``fmt`` (``auto`` sniffs the file)."""
    if fmt == "auto":
        return sniff(source)
    try:
        return FORMATS[fmt]
    except KeyError:
        raise FormatError(
            f"unknown format {fmt!r}; choose from {', '.join(FORMAT_NAMES)}"
        ) from None


__all__ = ["FORMATS", "FORMAT_NAMES", "Adapter", "resolve", "sniff"]
