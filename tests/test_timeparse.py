import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import rows, write
from undertow import Workspace, ingest
from undertow.timeparse import TimeParseError, parse_time, twitter_snowflake_time, zone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sat Sep 27 10:00:00 +0800 2025", datetime(2025, 9, 27, 2, 0)),
        ("2025-09-27T10:00:00+08:00", datetime(2025, 9, 27, 2, 0)),
        ("2025-09-27T02:00:00Z", datetime(2025, 9, 27, 2, 0)),
        ("3/22/2017 0:18", datetime(2017, 3, 22, 0, 18)),
        (1623881091, datetime(2021, 6, 16, 22, 4, 51)),
        ("1623881091000", datetime(2021, 6, 16, 22, 4, 51)),
    ],
)
def test_times_become_naive_utc(value, expected):
    assert parse_time(value) == expected


def test_naive_times_read_in_the_given_zone():
    assert parse_time("2025-01-01 08:00:00", zone("Asia/Shanghai")) == datetime(2025, 1, 1, 0, 0)


@pytest.mark.parametrize("value", ["", "yesterday", "99/99/2020 1:00", "12"])
def test_garbage_is_an_error(value):
    with pytest.raises(TimeParseError):
        parse_time(value)


def test_snowflake_ids_carry_their_time():
    # A status id from GermEval 2017 (tweeted in 2016).
    assert twitter_snowflake_time("709374223414558720").year == 2016


def test_unknown_zone_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Mars/Olympus")


# --- times the calendar cannot hold, ids without a time, dates ------------------

NEW_YORK = "America/New_York"


@pytest.mark.parametrize(
    ("value", "tz_name"),
    [
        ("9999-12-31T23:00:00-05:00", "UTC"),
        ("0001-01-01T00:00:00+05:00", "UTC"),
        ("Fri Dec 31 23:59:59 -0500 9999", "UTC"),
        ("9999-12-31 23:30:00", NEW_YORK),
        pytest.param(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))), "UTC",
                     id="aware datetime"),
        pytest.param(10**400, "UTC", id="10**400"),
    ],
)
def test_times_beyond_the_calendar_are_a_clear_error(value, tz_name):
    with pytest.raises(TimeParseError, match="time out of range"):
        parse_time(value, zone(tz_name))


def _csv(path: Path, *lines: str) -> Path:
    return write(path, "id,user,time,text", "1,ann,2025-01-01T00:00:00Z,ok", *lines)


def _quarantined(ws: Workspace) -> list[tuple]:
    return rows(ws, "SELECT line, reason FROM quarantine ORDER BY source_file, line")


def test_a_time_beyond_the_calendar_quarantines_its_row_not_the_file(ws, tmp_path):
    """Before: OverflowError, a traceback and nothing of the batch stored."""
    report = ingest(ws, [
        _csv(tmp_path / "o.csv", "2,bo,9999-12-31T23:00:00-05:00,x"),
        write(tmp_path / "o.jsonl",
              '{"id": "3", "user": "cy", "time": "2025-01-02T00:00:00Z", "text": "ok"}',
              '{"id": "4", "user": "di", "time": "0001-01-01T00:00:00+05:00", "text": "x"}'),
    ])
    assert report.line() == "read 4, stored 2, duplicate 0, quarantined 2"
    assert rows(ws, "SELECT post_id FROM posts ORDER BY post_id") == [("1",), ("3",)]
    assert _quarantined(ws) == [
        (3, "time out of range: '9999-12-31T23:00:00-05:00' is not in years 1-9999 in UTC"),
        (2, "time out of range: '0001-01-01T00:00:00+05:00' is not in years 1-9999 in UTC")]


def test_a_naive_time_beyond_the_calendar_in_a_zone_is_quarantined(ws, tmp_path):
    report = ingest(ws, [_csv(tmp_path / "n.csv", "2,bo,9999-12-31 23:30:00,x")], tz=NEW_YORK)
    assert (report.stored, report.quarantined) == (1, 1)
    assert _quarantined(ws)[0][1].startswith("time out of range")


def test_weibo_and_twitter_v2_times_beyond_the_calendar_are_quarantined(ws, tmp_path):
    weibo = tmp_path / "weibo.json"
    weibo.write_text(json.dumps({"ok": 1, "data": {"cards": [
        {"card_type": 9, "mblog": {"id": 5182736451234567, "idstr": "5182736451234567",
                                   "created_at": when, "text": "hi",
                                   "user": {"id": 1749127163, "screen_name": "lei"}}}
        for when in ("Sat Sep 27 10:00:00 +0800 2025", "Fri Dec 31 23:59:59 -0500 9999")
    ]}}), encoding="utf-8")
    v2 = tmp_path / "v2.json"
    v2.write_text(json.dumps({"data": [
        {"id": "1839621234567890123", "author_id": "9", "created_at": when, "text": "hi"}
        for when in ("2025-09-27T08:15:02.000Z", "9999-12-31T23:59:59.000-05:00")]}),
        encoding="utf-8")
    assert ingest(ws, [weibo], fmt="weibo").quarantined == 1
    assert ingest(ws, [v2], fmt="twitter-v2").quarantined == 1
    reasons = [reason for _, reason in _quarantined(ws)]
    assert len(reasons) == 2 and all("time out of range" in r for r in reasons)


def test_ids_without_a_snowflake_time_are_quarantined_for_missing_time(ws, tmp_path):
    """Twitter's sequential ids before 4 Nov 2010 hold no time: before, id 20 (Jack's
    first tweet, from March 2006) was stored as made 2010-11-04 01:42:54.657."""
    f = write(tmp_path / "ids.csv", "id,user,text",
              "20,jack,just setting up my twttr",
              "29700859246,old,the last id before snowflakes",
              "123456789012345678901234567890,big,thirty digits",
              "29700859247,new,the first snowflake id",
              "709374223414558720,ger,a GermEval tweet")
    report = ingest(ws, [f], platform="twitter")
    assert (report.stored, report.quarantined) == (2, 3)
    assert rows(ws, "SELECT post_id, year(created_at), notes FROM posts ORDER BY post_id") == [
        ("29700859247", 2010, "time from status id"),
        ("709374223414558720", 2016, "time from status id")]
    reasons = dict(_quarantined(ws))
    assert reasons[2].startswith("missing time") and reasons[3].startswith("missing time")
    assert "predates" in reasons[2]
    assert reasons[4].startswith("time out of range")


def test_pre_snowflake_and_oversized_ids_are_a_clear_error():
    with pytest.raises(TimeParseError, match="missing time"):
        twitter_snowflake_time("20")
    with pytest.raises(TimeParseError, match="missing time"):
        twitter_snowflake_time("²")
    with pytest.raises(TimeParseError, match="time out of range"):
        twitter_snowflake_time("9" * 5000)
    assert twitter_snowflake_time("29700859247") == datetime(2010, 11, 4, 1, 43, 1, 738000)


def test_dates_are_midnight_in_the_given_zone():
    assert parse_time(date(2025, 1, 1)) == datetime(2025, 1, 1)
    assert parse_time(date(2025, 1, 1), zone("Asia/Shanghai")) == datetime(2024, 12, 31, 16)


def test_a_parquet_date_column_is_read_like_dates_in_text(ws, tmp_path):
    """Before, every row was quarantined as "not a time: datetime.date(2025, 1, 1)"."""
    f = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["1", "2"], "user": ["a", "b"], "text": ["x", "y"],
                             "date": pa.array([date(2025, 1, 1), date(2025, 1, 2)],
                                              pa.date32())}), f)
    report = ingest(ws, [f], tz="Asia/Shanghai")
    assert (report.stored, report.quarantined) == (2, 0)
    assert rows(ws, "SELECT created_at FROM posts ORDER BY post_id") == [
        (datetime(2024, 12, 31, 16),), (datetime(2025, 1, 1, 16),)]
