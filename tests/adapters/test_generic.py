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


TWEET_V11 = {  # Twitter API v1.1, as tweepy and twarc1 save it
    "created_at": "Wed Oct 10 20:19:24 +0000 2018", "id": 1050118621198921728,
    "id_str": "1050118621198921728", "text": "To make room for more expression",
    "user": {"id": 6253282, "id_str": "6253282", "name": "Twitter API",
             "screen_name": "TwitterAPI", "followers_count": 6133636},
    "lang": "en"}


def test_jsonl_objects_and_booleans_are_never_stored_as_ids_or_text(ws, tmp_path):
    """A v1.1 tweet's "user" object gave author_id "{'id': 6253282, ...}", different on
    every tweet as the follower count changed; true gave "True"."""
    import json

    later = {**TWEET_V11, "id": 1050118621198921729, "id_str": "1050118621198921729",
             "user": {**TWEET_V11["user"], "followers_count": 6133700}}
    base = '"created_at": "2025-01-01T00:00:00Z"'
    f = tmp_path / "mixed.jsonl"
    f.write_text("\n".join([
        json.dumps(TWEET_V11), json.dumps(later),
        f'{{"id": "3", "user": true, {base}, "text": "x"}}',
        f'{{"id": {{"a": 1}}, "user": "u4", {base}, "text": "x"}}',
        f'{{"id": "5", "user": "u5", {base}, "text": {{"t": 1}}}}',
        f'{{"id": "6", "user": "u6", {base}, "text": ["a"]}}',
        f'{{"id": 7, "user": 77, {base}, "text": "numbers are ids"}}',
    ]) + "\n", encoding="utf-8")
    report = ingest(ws, [f])
    assert (report.stored, report.quarantined) == (3, 4)
    assert rows(ws, "SELECT post_id, author_id, author_name FROM posts ORDER BY post_id") == [
        ("1050118621198921728", "6253282", "TwitterAPI"),
        ("1050118621198921729", "6253282", "TwitterAPI"), ("7", "77", None)]
    assert rows(ws, "SELECT line, reason FROM quarantine ORDER BY line") == [
        (3, "author_id is a boolean (key 'user')"), (4, "post_id is an object (key 'id')"),
        (5, "text is an object (key 'text')"), (6, "text is a list (key 'text')")]


def test_parquet_struct_or_boolean_values_are_never_stored_as_ids(ws, tmp_path):
    p = tmp_path / "nested.parquet"
    pq.write_table(pa.table({
        "user": [{"id_str": "9", "screen_name": "nine"}, {"id_str": "8", "screen_name": "e"}],
        "created_at": ["2024-01-01T00:00:00Z"] * 2, "text": ["a", "b"],
        "reply_id": [True, None]}), p)
    report = ingest(ws, [p])
    assert (report.stored, report.quarantined) == (2, 0)
    assert rows(ws, "SELECT author_id, author_name, reply_to_post_id, notes FROM posts "
                    "ORDER BY source_line") == [
        ("9", "nine", None, "reply_to_post_id not read from key 'reply_id': it is a boolean"),
        ("8", "e", None, None)]


def test_jsonl_first_record_without_a_time_costs_that_record_not_the_file(ws, tmp_path):
    f = tmp_path / "m.jsonl"
    f.write_text('{"post_id": "0", "author_id": "a0", "text": "no time key"}\n'
                 '{"post_id": "1", "author_id": "a1", "created_at": "2025-01-01T00:00:00Z", '
                 '"text": "ok"}\n', encoding="utf-8")
    for mapping in ({}, {"created_at": "created_at"}):
        report = ingest(ws, [f], mapping=mapping)
        assert report.read == 2
    assert rows(ws, "SELECT post_id FROM posts") == [("1",)]
    assert rows(ws, "SELECT line, reason FROM quarantine") == [(1, "missing time")]


def test_jsonl_without_any_time_key_is_still_refused(ws, tmp_path):
    f = tmp_path / "notime.jsonl"
    f.write_text("".join(f'{{"post_id": "{i}", "author_id": "a", "text": "x"}}\n'
                         for i in range(3)), encoding="utf-8")
    with pytest.raises(IngestError, match="no column for created_at"):
        ingest(ws, [f])
    with pytest.raises(IngestError, match="--map names key 'date', which no object"):
        ingest(ws, [f], mapping={"date": "created_at"})
    assert ws.count("posts") == ws.count("quarantine") == 0


def test_jsonl_with_a_byte_order_mark(ws, tmp_path):
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"post_id": "1", "author_id": "a", '
                  b'"created_at": "2025-01-01T00:00:00Z", "text": "hi"}\n')
    assert ingest(ws, [f]).stored == 1
    assert ws.count("quarantine") == 0


def test_a_file_that_is_not_json_lines_is_refused_with_exit_2(tmp_path):
    from click.testing import CliRunner

    from undertow.cli import main

    f = tmp_path / "some.csv"
    f.write_text("post_id,author_id,created_at,text\n1,a,2025-01-01T00:00:00Z,hi\n",
                 encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "-f", "jsonl", "-w", str(tmp_path / "ws"),
                                       str(f)])
    assert result.exit_code == 2
    assert "not JSON Lines: no JSON object in the file (line 1: broken JSON" in result.output


def test_a_json_array_of_posts_is_refused_with_how_to_convert_it(ws, tmp_path):
    """Its posts would all be line 1, so neither their lines nor their quarantine rows
    (one per file, line and reason) could tell them apart."""
    f = tmp_path / "posts.json"
    f.write_text('[{"post_id": "1", "author_id": "a", "created_at": "2025-01-01T00:00:00Z", '
                 '"text": "hi"}, {"post_id": "2", "author_id": "b", "text": "no time"}]\n',
                 encoding="utf-8")
    with pytest.raises(IngestError, match=r"line 1 is a JSON array, not an object; .*jq -c"):
        ingest(ws, [f])
    assert ws.count("posts") == ws.count("quarantine") == 0


def test_parquet_binary_text_columns_are_read_as_text(ws, tmp_path):
    """Hive and Impala write strings as plain binary: they are text, not ``b'...'``; a
    value that is not UTF-8 costs its row, and a binary column no field reads is left
    alone."""
    p = tmp_path / "hive.parquet"
    pq.write_table(pa.table({
        "author": pa.array([b"u1", b"u2", b"u3"], pa.binary()),
        "created_at": ["2024-01-01T00:00:00Z"] * 3,
        "text": pa.array([b"Die Kamera ist super", "续航太差了".encode(), b"bad \xff"],
                         pa.large_binary()),
        "hashtags": pa.array([[b"SU7"], [], [b"x"]], pa.list_(pa.binary())),
        "thumbnail": pa.array([b"\x89PNG\xff", b"\x00", b"\xfe"], pa.binary()),
    }), p)
    report = ingest(ws, [p])
    assert (report.read, report.stored, report.quarantined) == (3, 2, 1)
    assert rows(ws, "SELECT author_id, text, hashtags FROM posts ORDER BY author_id") == [
        ("u1", "Die Kamera ist super", ["SU7"]), ("u2", "续航太差了", [])]
    assert rows(ws, "SELECT line, reason FROM quarantine") == [
        (3, "bad encoding (a string that is not valid UTF-8)")]
