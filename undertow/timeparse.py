"""Timestamps from the many shapes sources write them in, to naive UTC.

Example:
    >>> from datetime import timezone
    >>> parse_time("Sat Sep 27 10:00:00 +0800 2025")
    datetime.datetime(2025, 9, 27, 2, 0)
    >>> parse_time("1623881091.0")
    datetime.datetime(2021, 6, 16, 22, 4, 51)
    >>> parse_time("3/22/2017 0:18")
    datetime.datetime(2017, 3, 22, 0, 18)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1)
_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",  # Twitter v1 / Weibo
    "%m/%d/%Y %H:%M",  # FiveThirtyEight IRA
    "%m/%d/%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 2822
)
# Plausible Unix seconds: 1990 .. 2100.
_MIN_EPOCH, _MAX_EPOCH = 631_152_000, 4_102_444_800


class TimeParseError(ValueError):
    """A value that is not a timestamp Undertow can read."""


def zone(name: str | None) -> tzinfo:
    """The time zone called ``name`` (``None`` or ``UTC`` is UTC)."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError
        raise ValueError(f"unknown time zone {name!r}") from exc


def _to_utc(dt: datetime, default_tz: tzinfo) -> datetime:
    if dt.tzinfo is None:
        if default_tz is UTC:
            return dt
        dt = dt.replace(tzinfo=default_tz)
    return dt.astimezone(UTC).replace(tzinfo=None)


def from_epoch(value: float) -> datetime:
    """Unix seconds, or milliseconds when the number is too large for seconds."""
    if value > _MAX_EPOCH:
        value /= 1000.0
    if not _MIN_EPOCH <= value <= _MAX_EPOCH:
        raise TimeParseError(f"epoch value out of range: {value!r}")
    return _EPOCH + timedelta(seconds=value)


def parse_time(value: object, default_tz: tzinfo = UTC) -> datetime:
    """``value`` (datetime, epoch number or text) as a naive UTC datetime.

    Naive input is read in ``default_tz``. Raises :class:`TimeParseError`.
    """
    if isinstance(value, datetime):
        return _to_utc(value, default_tz)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_epoch(float(value))
    if not isinstance(value, str):
        raise TimeParseError(f"not a time: {value!r}")
    text = value.strip()
    if not text:
        raise TimeParseError("empty time")
    if text[0].isdigit() and text.replace(".", "", 1).isdigit():
        return from_epoch(float(text))
    try:
        return _to_utc(datetime.fromisoformat(text), default_tz)
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return _to_utc(datetime.strptime(text, fmt), default_tz)
        except ValueError:
            continue
    raise TimeParseError(f"unparseable time {text[:60]!r}")


def twitter_snowflake_time(tweet_id: str) -> datetime:
    """The creation time encoded in a Twitter/X status id (ids since late 2010)."""
    ms = (int(tweet_id) >> 22) + 1_288_834_974_657
    return _EPOCH + timedelta(milliseconds=ms)
