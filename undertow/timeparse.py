"""Timestamps from the many shapes sources write them in, to naive UTC.

Example:
    >>> from datetime import timezone
    >>> parse_time("Sat Sep 27 10:00:00 +0800 2025")
    datetime.datetime(2025, 9, 27, 2, 0)
    >>> parse_time("1623881091.0")
    datetime.datetime(2021, 6, 16, 22, 4, 51)
    >>> parse_time("3/22/2017 0:18")
    datetime.datetime(2017, 3, 22, 0, 18)
    >>> parse_time("9999-12-31T23:00:00-05:00")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    undertow.timeparse.TimeParseError: time out of range: '9999-12-31T23:00:00-05:00' is ...
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
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
#: Twitter/X status ids: milliseconds since this moment, above 22 bits of machine
#: and sequence. Ids below the first snowflake were counted up one by one (from
#: 2006 to 4 Nov 2010, as TweetedAt documents) and carry no time; snowflakes are
#: signed 64-bit numbers.
_SNOWFLAKE_EPOCH_MS = 1_288_834_974_657
_FIRST_SNOWFLAKE = 29_700_859_247
_MAX_SNOWFLAKE = 2**63 - 1


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
    """``value`` (datetime, date, epoch number or text) as a naive UTC datetime.

    Naive input is read in ``default_tz``; a date is its midnight there. Raises
    :class:`TimeParseError`, also for a time whose UTC instant falls outside the
    years 1-9999 that Python's datetime can hold.
    """
    try:
        return _parse(value, default_tz)
    except OverflowError:
        raise TimeParseError(f"time out of range: {_shown(value)} is not in years "
                             "1-9999 in UTC") from None


def _parse(value: object, default_tz: tzinfo) -> datetime:
    """:func:`parse_time`, letting OverflowError out."""
    if isinstance(value, datetime):
        return _to_utc(value, default_tz)
    if isinstance(value, date):
        return _to_utc(datetime.combine(value, time()), default_tz)
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


def _shown(value: object) -> str:
    """``value`` as an error message quotes it (text cut to 60 characters)."""
    if isinstance(value, date):
        return repr(value.isoformat())
    if isinstance(value, str):
        return repr(value.strip()[:60])
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def twitter_snowflake_time(tweet_id: str) -> datetime:
    """The creation time encoded in a Twitter/X status id (ids since 4 Nov 2010).

    Raises :class:`TimeParseError` ("missing time …") for an id that holds no
    time (not a decimal number, or older than snowflake ids), and ("time out of
    range …") for a number too large to be a snowflake.
    """
    if not (tweet_id.isascii() and tweet_id.isdigit()):
        raise TimeParseError(f"missing time (status id {tweet_id[:60]!r} is not a number)")
    # Checked by length first: int() refuses text of over 4300 digits.
    if len(tweet_id.lstrip("0")) > 19 or int(tweet_id) > _MAX_SNOWFLAKE:
        raise TimeParseError(f"time out of range: status id {tweet_id[:60]} is larger "
                             "than a snowflake id")
    number = int(tweet_id)
    if number < _FIRST_SNOWFLAKE:
        raise TimeParseError(f"missing time (status id {number} predates snowflake ids, "
                             "so it holds none)")
    ms = (number >> 22) + _SNOWFLAKE_EPOCH_MS
    return _EPOCH + timedelta(milliseconds=ms)
