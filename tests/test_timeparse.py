from datetime import datetime

import pytest

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
