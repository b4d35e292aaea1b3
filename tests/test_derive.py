"""Column-wise validation and derivation give what the per-record rules give."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from tests.conftest import rows
from undertow import ingest
from undertow.derive import derive_posts
from undertow.entities import extract_hashtags, extract_mentions, extract_urls
from undertow.simulate import simulate
from undertow.timeparse import parse_time, zone

TRICKY_TEXTS = [
    "#a#b", "##tag", " #a #b", "x#a", "&#39;", "a/#b", "AT&T#1", "@a@b", "x@y.com", "e.@foo",
    "@" + "字" * 60, "#" + "长" * 70 + "#", "see HTTP://X.COM/A. and Www.Foo.com!",
    "url http://a.b/c?x=1，中文", "#话题# rest #tag", "# #", "#\u3000x#", "tab\t#t\x0bq",
    "#ab_c1 ＃全角", "@user-name_1 hi", "http://a.b/(x)", "…http://x.y/z…", "@ä @ß #ñ",
    "#\u0301a", "#a\u0301b", "@a\u00a0b", "x\u3000#y", "#٣٤ #x²", "#Ⅻ",
    "新品 #小米SU7# and #EV #ev",
    "@alice 你好 @张三 mail me a@b.com", "look: https://t.co/abc, and www.mi.com/su7.",
    "新品发布https://www.mi.com/su7，快看", "", "plain words only",
]


def _batch(texts: list[str], times: list[str] | None = None) -> pa.Table:
    n = len(texts)
    return pa.table({
        "author_id": ["a"] * n, "post_id": [str(i) for i in range(n)], "text": texts,
        "created_at": times or ["2025-01-01T00:00:00Z"] * n, "lang": ["en"] * n,
        "source_line": list(range(1, n + 1)), "raw": texts})


def test_entities_match_the_per_text_functions_on_tricky_and_simulated_texts():
    texts = TRICKY_TEXTS + [p["text"] for p in simulate(3000, seed=4).iter_posts()]
    posts, rejected = derive_posts(_batch(texts), "generic", UTC)
    assert rejected.num_rows == 0
    for got in posts.to_pylist():
        text = got["text"]
        assert (got["urls"], got["hashtags"], got["mentions"]) == (
            extract_urls(text), extract_hashtags(text), extract_mentions(text)), text


TIMES = [
    "2025-03-24T00:00:15Z", "2025-03-24 00:00:15", "2025-03-24", "2025-03-24T00:00",
    "2025-03-24T08:00:15+08:00", "2025-03-24T08:00:15+0800", "2025-03-23T20:00:15.5-04:00",
    "2025-03-24T00:00:15.123456Z", "2025-03-24T00:00:15.1234567", "2024-02-29T12:00:00",
    "Sat Sep 27 10:00:00 +0800 2025", "3/22/2017 0:18", "1623881091.0",
    "2025-10-26 02:30:00", "2025-03-30 02:30:00",
]


@pytest.mark.parametrize("tz_name", ["UTC", "Europe/Berlin", "Asia/Shanghai"])
def test_times_match_parse_time_in_every_zone(tz_name):
    tz = zone(tz_name)
    posts, rejected = derive_posts(_batch(["x"] * len(TIMES), TIMES), "generic", tz)
    assert rejected.num_rows == 0
    assert posts.column("created_at").to_pylist() == [parse_time(t, tz) for t in TIMES]


def test_bad_records_are_rejected_in_line_order_with_reasons():
    batch = pa.table({
        "author_id": ["a", None, "", "d", "e", "f"],
        "created_at": ["2025-01-01", "2025-01-01", "2025-01-01", "2025-02-30", None, "soon"],
        "text": ["ok", "x", "x", "x", "x", "y" * 1_000_001],
        "source_line": [1, 2, 3, 4, 5, 6], "raw": ["r1", "r2", "r3", "r4", "r5", "y" * 1_000_001],
    })
    posts, rejected = derive_posts(batch, "generic", UTC)
    assert posts.column("source_line").to_pylist() == [1]
    reasons = dict(zip(rejected.column("line").to_pylist(), rejected.column("reason").to_pylist(),
                       strict=True))
    assert reasons[2] == reasons[3] == "missing author id"
    assert reasons[4].startswith("unparseable time")
    assert reasons[5] == "missing time"
    assert reasons[6] == "record too long (1000001 bytes > 1 MB)"


def test_derived_columns_ids_nul_bytes_languages_and_urls():
    batch = pa.table({
        "author_id": ["a", "b", "c"], "created_at": ["2025-01-01T10:00:00Z"] * 3,
        "post_id": [None, "7", None], "text": ["bad\x00byte", "Der Akku ist leer", "好"],
        "lang": [None, "German", "zh-CN"], "notes": [None, ["from page 2"], None],
        "urls": [None, ["https://www.Mi.com/a/?utm_source=x&id=3#top"], None],
        "source_line": [1, 2, 3], "raw": ["r\x00", "r", "r"],
    })
    posts = derive_posts(batch, "weibo", UTC)[0].to_pylist()
    assert posts[0]["text"] == "badbyte" and posts[0]["raw"] == "r"
    assert posts[0]["notes"] == "NUL bytes removed from text"
    assert posts[0]["post_id"].startswith("h") and len(posts[0]["post_id"]) == 25
    assert posts[0]["post_id"] != posts[2]["post_id"]
    assert [p["lang"] for p in posts][1:] == ["de", "zh"]
    assert posts[1]["notes"] == "from page 2"
    assert posts[1]["urls_norm"] == ["mi.com/a?id=3"]
    assert posts[1]["created_at"] == datetime(2025, 1, 1, 10)
    assert {p["platform"] for p in posts} == {"weibo"}


def test_detected_languages_match_the_per_text_detector():
    from undertow.langdetect import detect_languages

    texts = TRICKY_TEXTS + [p["text"] for p in simulate(3000, seed=5).iter_posts()] + [
        "ｈｅｌｌｏ １２３ world", "٣٤٥ @a #b", "これはペンです", "배터리가 좋아요",
        "Akku\u00a0leer", "ok", "  12 34  ", "The battery drains fast\u2028and the screen flickers"]
    batch = _batch(texts).drop_columns(["lang"])
    batch = batch.append_column("lang", pa.array([None] * len(texts), pa.string()))
    posts, _ = derive_posts(batch, "generic", UTC)
    assert posts.column("lang").to_pylist() == detect_languages(texts)
    assert {"zh", "en", "de", "ja", "ko"} <= set(posts.column("lang").to_pylist())
    unknown = _batch(["Der Akku hält nicht lange durch", "电池不耐用"]).set_column(
        4, "lang", pa.array(["und", None]))
    assert derive_posts(unknown, "generic", UTC)[0].column("lang").to_pylist() == ["de", "zh"]


def test_records_over_a_megabyte_of_utf8_are_quarantined(ws, tmp_path):
    """The limit counts bytes, as README and the reason say: 600,000 '中' are 1.8 MB
    in 600,000 characters, and were stored before."""
    f = tmp_path / "wide.jsonl"
    f.write_text(
        json.dumps({"id": "1", "user": "a", "created_at": 1700000000, "text": "中" * 600_000},
                   ensure_ascii=False) + "\n"
        + json.dumps({"id": "2", "user": "b", "created_at": 1700000000, "text": "中" * 300_000},
                     ensure_ascii=False) + "\n", encoding="utf-8")
    report = ingest(ws, [f])
    assert (report.stored, report.quarantined) == (1, 1)
    assert rows(ws, "SELECT post_id FROM posts") == [("2",)]
    (line, reason), = rows(ws, "SELECT line, reason FROM quarantine")
    assert line == 1 and reason.startswith("record too long (18000") and reason.endswith(
        " bytes > 1 MB)")


@pytest.mark.parametrize("tz_name", ["UTC", "America/New_York"])
def test_times_beyond_the_calendar_are_rejected_and_the_rest_kept(tz_name):
    """The vectorised and the per-value time rules agree on years 1 and 9999."""
    times = ["2025-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00",
             "Fri Dec 31 23:59:59 -0500 9999", "9999-12-31 23:30:00", "2999-12-31T23:59:59-05:00"]
    posts, rejected = derive_posts(_batch(["x"] * len(times), times), "generic", zone(tz_name))
    kept = [datetime(2025, 1, 1), datetime(3000, 1, 1, 4, 59, 59)]
    out_of_range = [2, 3, 4, 5]
    if tz_name == "UTC":  # naive 9999-12-31 23:30 is itself UTC, and fits
        kept.insert(1, datetime(9999, 12, 31, 23, 30))
        out_of_range.remove(5)
    assert posts.column("created_at").to_pylist() == kept
    assert rejected.column("line").to_pylist() == out_of_range
    assert all(r.startswith("time out of range") for r in rejected.column("reason").to_pylist())
