"""Twitter/X API v2 files through the public ingest API."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import row, write
from undertow import Workspace, ingest
from undertow.adapters import FORMATS
from undertow.ingest import IngestError

ORIGINAL = "1839621234567890123"
REPLY = "1839622411029385216"
RETWEET = "1839623587245363200"
QUOTE = "1839624102038761472"
QUOTED = "1839500987654321098"

USERS: list[dict[str, Any]] = [
    {"id": "1497123456789012480", "username": "dockwatch", "name": "Dock Watch",
     "created_at": "2022-02-25T09:00:00.000Z", "verified": False,
     "description": "Ports, shipping, labour.",
     "public_metrics": {"followers_count": 15230, "following_count": 310,
                        "tweet_count": 8841, "listed_count": 120}},
    {"id": "1620349087123456000", "username": "freight_anna", "name": "Anna K",
     "created_at": "2023-01-31T12:00:00.000Z", "verified": True, "description": "",
     "public_metrics": {"followers_count": 420, "following_count": 500, "tweet_count": 77}},
    {"id": "1785000111222333444", "username": "patriot_88213", "name": "Real News",
     "created_at": "2024-04-19T03:00:00.000Z",
     "public_metrics": {"followers_count": 3, "following_count": 4999, "tweet_count": 12000}},
]
DOCK, ANNA, BOT = (str(u["id"]) for u in USERS)


def tweet(id_: str, who: str, when: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "author_id": who, "created_at": when, "text": text,
            "edit_history_tweet_ids": [id_], "conversation_id": extra.pop("conv", id_),
            "lang": "en", **extra}


def page() -> dict[str, Any]:
    original = tweet(
        ORIGINAL, DOCK, "2025-09-27T08:15:02.000Z",
        "Port strike enters day 3 https://t.co/AbC123xyz #PortStrike @Reuters",
        entities={
            "urls": [{"start": 25, "end": 48, "url": "https://t.co/AbC123xyz",
                      "expanded_url": "https://www.reuters.com/world/port-strike-2025-09-27/"}],
            "hashtags": [{"start": 49, "end": 60, "tag": "PortStrike"}],
            "mentions": [{"start": 61, "end": 69, "username": "Reuters", "id": "1652541"}],
        })
    reply = tweet(REPLY, ANNA, "2025-09-27T08:20:40.000Z", "@dockwatch any word on Rotterdam?",
                  conv=ORIGINAL, in_reply_to_user_id=DOCK,
                  referenced_tweets=[{"type": "replied_to", "id": ORIGINAL}],
                  entities={"mentions": [{"start": 0, "end": 10, "username": "dockwatch"}]})
    retweet = tweet(RETWEET, BOT, "2025-09-27T08:21:00.000Z",
                    "RT @dockwatch: Port strike enters day 3 https://t.co/AbC123xyz",
                    referenced_tweets=[{"type": "retweeted", "id": ORIGINAL}])
    quote = tweet(QUOTE, BOT, "2025-09-27T08:30:00.000Z", "They are lying to you",
                  referenced_tweets=[{"type": "quoted", "id": QUOTED}], lang="und")
    quoted = tweet(QUOTED, ANNA, "2025-09-26T22:00:00.000Z", "Rotterdam terminals quiet tonight")
    return {
        "data": [original, reply, retweet, quote],
        "includes": {"users": USERS, "tweets": [original, quoted]},
        "meta": {"newest_id": QUOTE, "oldest_id": ORIGINAL, "result_count": 4,
                 "next_token": "b26v89c19zqg8o3fpzhkmeq5uhk3w"},
    }


def test_registered() -> None:
    assert "twitter-v2" in FORMATS
    assert FORMATS["twitter-v2"].platform == "twitter"


def test_pages_map_fields_accounts_and_references(tmp_path: Path) -> None:
    second = {"data": [tweet("1839630000000000000", DOCK, "2025-09-27T09:00:00.000Z",
                             "Day 3, hour 9: still no talks")],
              "includes": {"users": USERS[:1]}, "meta": {"result_count": 1}}
    src = write(tmp_path / "search.jsonl", json.dumps(page()), json.dumps(second))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="twitter-v2")

    assert (r.stored, r.quarantined) == (6, 0)
    assert row(ws, ORIGINAL, "platform, author_id, author_name, created_at, urls, hashtags, "
                             "mentions, thread_id, lang, source_line") == (
        "twitter", DOCK, "dockwatch", datetime(2025, 9, 27, 8, 15, 2),
        ["https://www.reuters.com/world/port-strike-2025-09-27/"], ["PortStrike"], ["Reuters"],
        ORIGINAL, "en", 1)
    assert row(ws, REPLY, "reply_to_post_id, reply_to_author_id, thread_id, mentions") == (
        ORIGINAL, DOCK, ORIGINAL, ["dockwatch"])
    assert row(ws, RETWEET, "repost_of_post_id, author_name") == (ORIGINAL, "patriot_88213")
    # The quoted tweet came only in includes.tweets: stored as a post of its own.
    assert row(ws, QUOTED, "author_name, text") == ("freight_anna",
                                                    "Rotterdam terminals quiet tonight")
    assert row(ws, "1839630000000000000", "source_line")[0] == 2
    raw = json.loads(row(ws, REPLY, "raw")[0])
    assert raw["id"] == REPLY and "includes" not in raw

    accounts = ws.con.execute(
        "select author_id, author_name, followers, following, posts_count, verified, created_at, "
        "description from accounts order by author_id").fetchall()
    assert accounts[0] == (DOCK, "dockwatch", 15230, 310, 8841, False,
                           datetime(2022, 2, 25, 9, 0), "Ports, shipping, labour.")
    assert [a[0] for a in accounts] == sorted([DOCK, ANNA, BOT])


def test_reingest_stores_nothing_twice(tmp_path: Path) -> None:
    src = write(tmp_path / "search.jsonl", json.dumps(page()))
    ws = Workspace.open(tmp_path / "ws")
    first = ingest(ws, [src], fmt="twitter-v2")
    again = ingest(ws, [src], fmt="twitter-v2")
    assert first.stored == 5
    assert (again.stored, again.duplicate) == (0, 5)
    assert ws.con.execute("select count(*) from posts").fetchone() == (5,)
    assert ws.con.execute("select count(*) from accounts").fetchone() == (3,)


def test_broken_line_and_bad_tweets_are_quarantined(tmp_path: Path) -> None:
    bad_page = {"data": [tweet("1839640000000000000", DOCK, "yesterday-ish", "when?"),
                         {"id": "1839650000000000000", "text": "no author field",
                          "edit_history_tweet_ids": ["1839650000000000000"]}],
                "meta": {"result_count": 2}}
    src = write(tmp_path / "search.jsonl", json.dumps(page()),
                '{"data": [{"id": "1839660000000000000", "author_id": "1497',
                json.dumps(bad_page))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="twitter-v2")
    assert (r.stored, r.quarantined) == (5, 3)
    rows = ws.con.execute("select line, reason from quarantine order by line, reason").fetchall()
    assert rows[0][0] == 2 and rows[0][1].startswith("broken JSON")
    assert [line for line, _ in rows] == [2, 3, 3]
    assert rows[1][1] == "data[0] (id 1839640000000000000): unparseable time 'yesterday-ish'"
    assert "author_id" in rows[2][1] and "1839650000000000000" in rows[2][1]


def test_pretty_printed_page_is_one_record_and_auto_detected(tmp_path: Path) -> None:
    src = tmp_path / "response.json"
    src.write_text(json.dumps(page(), indent=2), encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="auto")
    assert r.files[0]["format"] == "twitter-v2"
    assert r.stored == 5
    assert ws.con.execute("select distinct source_line from posts").fetchall() == [(1,)]


def test_twarc2_flattened_tweets(tmp_path: Path) -> None:
    original = tweet(ORIGINAL, DOCK, "2025-09-27T08:15:02.000Z", "Port strike enters day 3",
                     author=USERS[0])
    flat = tweet(RETWEET, BOT, "2025-09-27T08:21:00.000Z", "RT @dockwatch: Port strike enters",
                 author=USERS[2],
                 referenced_tweets=[{"type": "retweeted", **original}],
                 __twarc={"url": "https://api.twitter.com/2/tweets/search/recent?...",
                          "version": "2.14.0", "retrieved_at": "2025-09-27T10:00:00+00:00"})
    flat.pop("author_id")
    reply = tweet(REPLY, ANNA, "2025-09-27T08:20:40.000Z", "@dockwatch any word?",
                  author=USERS[1], in_reply_to_user_id=DOCK, conv=ORIGINAL,
                  referenced_tweets=[{"type": "replied_to", "id": ORIGINAL}])
    src = write(tmp_path / "flat.jsonl", json.dumps(flat), json.dumps(reply))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="auto")
    assert r.files[0]["format"] == "twitter-v2"
    assert r.stored == 3
    assert row(ws, RETWEET, "author_id, author_name, repost_of_post_id, source_line") == (
        BOT, "patriot_88213", ORIGINAL, 1)
    assert row(ws, ORIGINAL, "author_name, source_line") == ("dockwatch", 1)
    assert row(ws, REPLY, "reply_to_post_id, reply_to_author_id, source_line") == (
        ORIGINAL, DOCK, 2)
    assert row(ws, RETWEET, "raw")[0] == json.dumps(flat)
    assert ws.con.execute("select count(*) from accounts").fetchone() == (3,)


@pytest.mark.parametrize(("line", "message"), [
    ({"id": "1", "id_str": "1", "user": {"screen_name": "x"}, "text": "hi",
      "created_at": "Sat Sep 27 10:00:00 +0000 2025"}, "v1.1"),
    ({"id": "k5ab12x", "author": "someone", "body": "hi", "link_id": "t3_k5ab12",
      "created_utc": 1607000000, "subreddit": "news"}, "not a Twitter API v2"),
])
def test_wrong_format_raises_before_storing(tmp_path: Path, line: dict[str, Any],
                                            message: str) -> None:
    src = write(tmp_path / "other.jsonl", json.dumps(line), json.dumps(page()))
    ws = Workspace.open(tmp_path / "ws")
    with pytest.raises(IngestError, match=message):
        ingest(ws, [src], fmt="twitter-v2")
    assert ws.con.execute("select count(*) from posts").fetchone() == (0,)
    assert ws.con.execute("select count(*) from quarantine").fetchone() == (0,)


def test_not_json_at_all(tmp_path: Path) -> None:
    src = write(tmp_path / "notes.txt", "this is not json", "nor is this")
    ws = Workspace.open(tmp_path / "ws")
    with pytest.raises(IngestError, match="no readable record"):
        ingest(ws, [src], fmt="twitter-v2")


def test_broken_first_line_is_quarantined_not_fatal(tmp_path: Path) -> None:
    src = write(tmp_path / "search.jsonl", '{"data": [{"id": "18396', json.dumps(page()))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="auto")
    assert r.files[0]["format"] == "twitter-v2"
    assert (r.stored, r.quarantined) == (5, 1)
    assert ws.con.execute("select line from quarantine").fetchall() == [(1,)]


def test_plain_tweets_read_column_wise_give_what_the_per_tweet_path_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC

    from undertow.adapters import twitter_v2
    from undertow.ingest import Batch
    from undertow.records import Account, Columns, ReadOptions, Source

    odd = [
        tweet("1839700000000000001", " 42 ", "2025-09-27T10:00:00.000Z", "spaced author id"),
        tweet("1839700000000000002", DOCK, "2025-09-27 10:00:00", "time not as the API"),
        tweet("1839700000000000003", DOCK, "2025-09-27T10:00:00.000Z", "short",
              note_tweet={"text": "the long form #note", "entities": {"hashtags": [
                  {"tag": "note"}]}}),
        tweet("1839700000000000004", "999", "2025-09-27T10:00:00.000Z", "unknown author",
              author={"id": "999", "username": "inline_user"}),
        tweet("1839700000000000005", DOCK, "2025-02-30T10:00:00.000Z", "no such day"),
        tweet("1839700000000000006", ANNA, "2025-09-27T10:00:00+02:00", "offset time",
              in_reply_to_user_id=1497123456789012480),
        "not a tweet",
    ]
    data = page()
    data["data"] = [*data["data"], *odd]

    def outcome() -> tuple[list[dict], list[dict], bool]:
        batch = Batch(Source.__new__(Source), "twitter", "twitter-v2", UTC)
        batch.source.name = "search.jsonl"
        columns = False
        for item in twitter_v2.page_items(data, 7, ReadOptions()):
            if isinstance(item, Columns):
                batch.add_columns(item)
                columns = True
            elif isinstance(item, Account):
                batch.add_account(item)
            elif type(item) is dict:
                batch.add_post(item)
            else:
                batch.rejected.append(item)
        posts, _, quarantine = batch.tables()
        return (sorted(posts.to_pylist(), key=lambda p: p["post_id"]),
                sorted(quarantine.to_pylist(), key=lambda q: q["reason"]), columns)

    posts, quarantine, columns = outcome()
    monkeypatch.setattr(twitter_v2, "_plain", lambda tweet, users, tz: False)
    one_by_one = outcome()
    assert columns and not one_by_one[2]
    assert (posts, quarantine) == one_by_one[:2]
    assert len(posts) == 4 + 1 + 5  # the page, the quoted include, the odd ones that are fine
    assert [q["reason"] for q in quarantine] == [
        "data[10]: not a tweet object",
        "data[8] (id 1839700000000000005): unparseable time '2025-02-30T10:00:00.000Z'"]


@pytest.mark.parametrize("odd", [
    {"includes": {"users": 1}}, {"includes": {"tweets": 7}},
    {"data": [tweet(ORIGINAL, DOCK, "2025-09-27T08:15:02.000Z", "hi", referenced_tweets=3)]},
    {"data": [tweet(ORIGINAL, DOCK, "2025-09-27T08:15:02.000Z", "hi",
                    entities={"hashtags": 5})]},
    {"data": [tweet(ORIGINAL, DOCK, "2025-09-27T08:15:02.000Z", "hi",
                    referenced_tweets=3, author={"id": DOCK})]}])
def test_a_list_given_as_a_number_is_read_as_absent_not_a_crash(tmp_path: Path,
                                                                odd: dict[str, Any]) -> None:
    """A field the API gives as a list, given as anything else, stopped the whole
    file with a traceback; the page's tweets are stored, their raw kept."""
    base = {"data": [tweet(ORIGINAL, DOCK, "2025-09-27T08:15:02.000Z", "hi")],
            "meta": {"result_count": 1}}
    src = write(tmp_path / "odd.jsonl", json.dumps({**base, **odd}),
                json.dumps({"data": [tweet(REPLY, ANNA, "2025-09-27T08:20:40.000Z", "ok")]}))
    ws = Workspace.open(tmp_path / "ws")
    assert ingest(ws, [src], fmt="twitter-v2").line() == \
        "read 2, stored 2, duplicate 0, quarantined 0"
    assert row(ws, ORIGINAL, "text, hashtags, reply_to_post_id") == ("hi", [], None)
