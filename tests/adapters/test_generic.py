"""Generic CSV / TSV / JSON Lines / Parquet, with name hints and explicit mapping."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import rows, shared
from undertow import ingest
from undertow.adapters.generic import guess_mapping
from undertow.ingest import IngestError


def test_name_hints_map_common_exports():
    assert guess_mapping(["uid", "nickname", "created", "message", "Link"]) == {
        "uid": "author_id", "nickname": "author_name", "created": "created_at",
        "message": "text", "Link": "urls"}


def test_csv_with_hints_extracts_entities(ws, tmp_path):
    f = tmp_path / "export.csv"
    f.write_text(
        "id,screen_name,date,content\n"
        '1,alice,2025-03-01 10:00:00,"Battery died again #SU7 @xiaomi https://www.mi.com/su7?utm_source=x"\n'
        "2,bob,2025-03-01 10:00:05,小米的屏幕很好看\n",
        encoding="utf-8",
    )
    report = ingest(ws, [f])
    assert report.line() == "read 2, stored 2, duplicate 0, quarantined 0"
    got = rows(ws, "SELECT post_id, author_id, created_at, hashtags, mentions, urls_norm, lang, "
                   "source_line FROM posts ORDER BY post_id")
    assert got[0] == ("1", "alice", datetime(2025, 3, 1, 10), ["SU7"], ["xiaomi"],
                      ["mi.com/su7"], "en", 2)
    assert got[1][6] == "zh" and got[1][7] == 3


def test_explicit_map_and_time_zone(ws, tmp_path):
    f = tmp_path / "de.tsv"
    f.write_text("Nutzer\tZeit\tBeitrag\nmax\t01.03.2025 11:00\tDer Akku ist leer\n",
                 encoding="utf-8")
    report = ingest(ws, [f], fmt="tsv", tz="Europe/Berlin",
                    mapping={"Nutzer": "author_id", "Zeit": "created_at", "Beitrag": "text"})
    assert report.stored == 1
    assert rows(ws, "SELECT author_id, created_at, text FROM posts") == [
        ("max", datetime(2025, 3, 1, 10, 0), "Der Akku ist leer")]


def test_malformed_rows_are_quarantined_with_line_and_reason(ws, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_bytes(
        b"id,user,time,text\n"
        b"1,a,2025-01-01T00:00:00Z,fine\n"
        b"2,b,not a time,bad time\n"
        b"3,,2025-01-01T00:00:00Z,no author\n"
        b"4,d,2025-01-01T00:00:00Z,too,many,columns\n"
        b"5,e,2025-01-01T00:00:00Z,caf\xe9 latin-1\n"
        b'6,f,2025-01-01T00:00:00Z,"multi\nline"\n'
        b"7,g,2025-01-01T00:00:00Z,last\n"
    )
    report = ingest(ws, [f])
    assert (report.read, report.stored, report.quarantined) == (7, 3, 4)
    got = rows(ws, "SELECT line, reason FROM quarantine ORDER BY line")
    assert [g[0] for g in got] == [3, 4, 5, 6]
    assert "unparseable time" in got[0][1]
    assert got[1][1] == "missing author id"
    assert got[2][1] == "expected 4 columns, found 6"
    assert "bad encoding" in got[3][1]
    assert rows(ws, "SELECT source_line FROM posts WHERE post_id = '7'") == [(9,)]


def test_jsonl_and_parquet(ws, tmp_path):
    j = tmp_path / "a.jsonl"
    j.write_text('{"user_id": "u1", "timestamp": 1700000000, "body": "hi there friends", '
                 '"hashtags": ["x", "y"]}\n', encoding="utf-8")
    p = tmp_path / "b.parquet"
    pq.write_table(pa.table({"author": ["u2"], "created_at": ["2024-01-01T00:00:00Z"],
                             "text": ["Die Kamera ist super"]}), p)
    report = ingest(ws, [j, p])
    assert report.stored == 2
    assert rows(ws, "SELECT author_id, hashtags FROM posts ORDER BY author_id") == [
        ("u1", ["x", "y"]), ("u2", [])]


def test_parquet_string_that_is_not_utf8_is_quarantined_not_fatal(ws, tmp_path):
    """Parquet does not check its strings: one bad value costs its row, not the file."""
    texts = [f"post number {i}".encode() for i in range(100)]
    texts[57] = b"one bad \xff byte"
    tags = [[f"t{i}".encode()] for i in range(100)]
    tags[80] = [b"caf\xe9"]
    p = tmp_path / "onebad.parquet"
    pq.write_table(pa.table({
        "author": [f"u{i}" for i in range(100)],
        "created_at": ["2024-01-01T00:00:00Z"] * 100,
        "text": pa.array(texts, pa.binary()).view(pa.string()),
        "hashtags": pa.array(tags, pa.list_(pa.binary())).view(pa.list_(pa.string())),
    }), p)
    report = ingest(ws, [p])
    assert (report.read, report.stored, report.quarantined) == (100, 98, 2)
    got = rows(ws, "SELECT line, reason, raw FROM quarantine ORDER BY line")
    assert [(line, reason) for line, reason, _ in got] == [
        (58, "bad encoding (a string that is not valid UTF-8)"),
        (81, "bad encoding (a string that is not valid UTF-8)")]
    assert "one bad \ufffd byte" in got[0][2] and "u57" in got[0][2]
    assert "(not valid UTF-8)" in got[1][2] and "u80" in got[1][2]
    assert rows(ws, "SELECT count(*), min(source_line), max(source_line) FROM posts") == [
        (98, 1, 100)]
    assert ingest(ws, [p]).stored == 0  # again: nothing twice


def test_jsonl_keys_that_first_appear_in_later_lines_are_mapped(ws, tmp_path):
    """Exports leave out empty keys: the first line has no reply or repost key."""
    j = tmp_path / "sparse.jsonl"
    j.write_text(
        '{"id": "1", "user": "a", "created_at": "2025-03-01T10:00:00Z", "text": "launch day"}\n'
        '{"id": "2", "user": "b", "created_at": "2025-03-01T10:00:05Z", "text": "RT: launch",'
        ' "retweeted_status_id": "1"}\n'
        '{"id": "3", "user": "c", "created_at": "2025-03-01T10:00:09Z", "text": "congrats!",'
        ' "in_reply_to_status_id": "1", "repost_of_post_id": "9"}\n', encoding="utf-8")
    assert ingest(ws, [j]).stored == 3
    # A field keeps the key that first filled it: line 3's repost_of_post_id is not read.
    assert rows(ws, "SELECT post_id, repost_of_post_id, reply_to_post_id FROM posts "
                    "ORDER BY post_id") == [("1", None, None), ("2", "1", None),
                                            ("3", None, "1")]


def test_missing_required_column_stops_with_a_clear_error(ws, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match="no column for author_id"):
        ingest(ws, [f], fmt="csv")
    assert ws.count("posts") == 0


def test_germeval_tweets_get_their_time_from_status_ids(ws):
    """GermEval 2017 has no timestamps; web snippets have no author and are quarantined."""
    f = shared("de_germeval2017_db_absa/germeval2017_dev_test.csv")
    report = ingest(ws, [f], fmt="csv", platform="twitter",
                    mapping={"status_id": "post_id", "author": "author_id"})
    assert report.read == 5150
    assert report.stored + report.duplicate == 2287  # the tweets
    assert report.quarantined == 5150 - 2287
    assert rows(ws, "SELECT DISTINCT reason FROM quarantine") == [("missing author id",)]
    (first, last, langs) = rows(
        ws, "SELECT min(created_at), max(created_at), count(*) FILTER (lang = 'de') FROM posts")[0]
    assert first.year >= 2015 and last.year <= 2017
    assert langs / report.stored > 0.9
