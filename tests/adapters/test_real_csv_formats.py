"""The CSV-shaped adapters against the real files under ../shared/data."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import rows, shared
from undertow import ingest
from undertow.ingest import IngestError


def test_ira_troll_tweets(ws):
    f = shared("ira_russian_troll_tweets/tweets_german_language_all_dates.csv")
    report = ingest(ws, [f])  # recognised as IRA
    assert report.files[0]["format"] == "ira"
    assert report.read == 86978 and report.quarantined == 0
    # Rows carry no ids: identical (author, minute, text) rows are one post.
    assert report.stored + report.duplicate == report.read and report.duplicate < 500
    assert rows(ws, "SELECT count(DISTINCT author_id) FROM posts") == [(413,)]
    assert rows(ws, "SELECT count(*) FROM accounts WHERE followers IS NOT NULL") == [(413,)]
    assert rows(ws, "SELECT platform, created_at FROM posts WHERE author_id = '1lorenafava1' "
                    "AND text LIKE 'E'' morto a 91 anni%'") == [
        ("twitter", datetime(2017, 3, 22, 0, 18))]
    # The language column is a name; it becomes a code.
    assert rows(ws, "SELECT DISTINCT lang FROM posts") == [("de",)]
    again = ingest(ws, [f])
    assert again.stored == 0 and again.duplicate == report.stored + report.duplicate


def test_ira_fivethirtyeight_dates(ws, tmp_path):
    f = tmp_path / "IRAhandle_tweets_1.csv"
    f.write_text(
        "external_author_id,author,content,region,language,publish_date,harvested_date,"
        "following,followers,updates,post_type,account_type,retweet,account_category\n"
        "906000000000000000,10_GOP,We are the party of #MAGA,United States,English,"
        "10/1/2017 19:58,10/1/2017 19:59,1052,9636,253,,Right,0,RightTroll\n",
        encoding="utf-8")
    assert ingest(ws, [f]).stored == 1
    assert rows(ws, "SELECT author_id, created_at, lang, hashtags FROM posts") == [
        ("10_GOP", datetime(2017, 10, 1, 19, 58), "en", ["MAGA"])]


def test_coortweet_every_share_kept(ws):
    f = shared("coord_sharing_coortweet/russian_coord_tweets.csv.gz")
    report = ingest(ws, [f])
    assert report.files[0]["format"] == "coortweet"
    # 35,125 rows; one is an exact repeat of another row (same content, object, time).
    assert (report.read, report.stored, report.duplicate) == (35125, 35124, 1)
    accounts = rows(ws, "SELECT count(DISTINCT author_id) FROM posts")[0][0]
    assert accounts == 9509
    # content_id repeats across objects: both shares are kept.
    assert rows(ws, "SELECT count(*) FROM (SELECT split_part(post_id, '|', 1) c FROM posts "
                    "GROUP BY c HAVING count(*) > 1)")[0][0] > 0


def test_youtube_comments(ws):
    f = shared("youtube_spam_collection/Youtube05-Shakira.csv")
    report = ingest(ws, [f])
    assert report.files[0]["format"] == "youtube"
    assert (report.read, report.stored, report.duplicate) == (370, 369, 1)
    assert rows(ws, "SELECT DISTINCT platform, thread_id FROM posts") == [
        ("youtube", "Youtube05-Shakira")]
    assert rows(ws, "SELECT count(DISTINCT author_id) FROM posts") == [(319,)]


def test_cnt_csv(ws, tmp_path):
    f = tmp_path / "cnt.csv"
    f.write_text(
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"
        "10,1,ann,,,Buy now https://shop.example/x,1700000000,https://shop.example/x\n"
        "11,2,ben,10,,RT Buy now,1700000005,\n"
        "12,3,cat,,10,@ann no thanks,1700000009,\n",
        encoding="utf-8")
    report = ingest(ws, [f])
    assert report.files[0]["format"] == "cnt"
    assert rows(ws, "SELECT post_id, repost_of_post_id, reply_to_post_id, urls FROM posts "
                    "ORDER BY post_id") == [
        ("10", None, None, ["https://shop.example/x"]), ("11", "10", None, []),
        ("12", None, "10", [])]


def test_wrong_format_asked_for_is_refused_before_storing(ws):
    f = shared("youtube_spam_collection/Youtube05-Shakira.csv")
    with pytest.raises(IngestError, match="not this format"):
        ingest(ws, [f], fmt="coortweet")
    assert ws.count("posts") == 0


def test_a_header_in_another_case_is_read_as_the_format_it_was_recognised_as(ws, tmp_path):
    """Recognising a format ignored case, reading it did not: ``Author,Content,...``
    was taken for IRA, then refused for want of an author column."""
    ira = tmp_path / "ira.csv"
    ira.write_text("Author,Content,Publish_Date,Language,Followers,Post_Type\n"
                   "AA,hello there,3/22/2017 0:18,English,120,RETWEET\n", encoding="utf-8")
    youtube = tmp_path / "Youtube01-Psy.csv"
    youtube.write_text("comment_id,author,date,content,class\n"
                       "z1,Al,2013-10-05T00:57:25,hi,0\n", encoding="utf-8")
    assert [ingest(ws, [f]).files[0]["format"] for f in (ira, youtube)] == ["ira", "youtube"]
    assert rows(ws, "SELECT author_id, text, notes FROM posts ORDER BY 1") == [
        ("AA", "hello there", "retweet"), ("Al", "hi", None)]
    assert rows(ws, "SELECT author_id, followers FROM accounts") == [("AA", 120)]
