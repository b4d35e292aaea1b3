"""Pushshift Reddit dumps through the public ingest API."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import row
from tests.conftest import write as write_lines
from undertow import Workspace, ingest
from undertow.adapters import FORMATS
from undertow.ingest import IngestError

LINK_POST = {
    "id": "16tq8xk", "author": "tradewinds_77", "created_utc": 1695810000,
    "title": "Port of Rotterdam workers walk out", "selftext": "",
    "url": "https://www.reuters.com/world/europe/rotterdam-strike-2023-09-27/",
    "is_self": False, "domain": "reuters.com", "subreddit": "worldnews",
    "permalink": "/r/worldnews/comments/16tq8xk/port_of_rotterdam_workers_walk_out/",
    "subreddit_id": "t5_2qh13", "num_comments": 3, "score": 152,
    "author_fullname": "t2_8x7k2", "author_created_utc": 1514764800,
}
SELF_POST = {
    "id": "16tr001", "author": "dockhand_nl", "created_utc": "1695811000",
    "title": "AMA: I'm a crane operator on strike",
    "selftext": "Ask away. Pics: https://imgur.com/a/Xy12Ab and ping u/tradewinds_77",
    "url": "https://www.reddit.com/r/worldnews/comments/16tr001/ama_im_a_crane_operator/",
    "is_self": True, "subreddit": "worldnews", "score": 40,
}
TOP_COMMENT = {
    "id": "k2f9a1b", "author": "patriot_88213", "created_utc": 1695810600.0,
    "body": "This is fake news, the strike is paid for by foreign actors",
    "link_id": "t3_16tq8xk", "parent_id": "t3_16tq8xk", "subreddit": "worldnews",
    "subreddit_id": "t5_2qh13", "score": -12, "controversiality": 1,
}
REPLY = {
    "id": "k2f9c3d", "author": "tradewinds_77", "created_utc": "1695810900",
    "body": "Source? /u/patriot_88213 has posted this in 40 subs today",
    "link_id": "t3_16tq8xk", "parent_id": "t1_k2f9a1b", "subreddit": "worldnews",
}
DELETED = {
    "id": "k2fa0e5", "author": "[deleted]", "created_utc": 1695811200, "body": "[deleted]",
    "link_id": "t3_16tq8xk", "parent_id": "t1_k2f9a1b", "subreddit": "worldnews",
}
MORE = {"id": "k2fb111", "author": "automoderator", "created_utc": 1695811300,
        "kind": "more", "count": 4}


def write(path: Path, *records: dict[str, Any] | str) -> Path:
    return write_lines(path, *(r if isinstance(r, str) else json.dumps(r) for r in records))


def test_registered() -> None:
    assert "reddit" in FORMATS
    assert FORMATS["reddit"].platform == "reddit"


def test_submissions_and_comments(tmp_path: Path) -> None:
    src = write(tmp_path / "RS_RC_2023-09.jsonl", LINK_POST, SELF_POST, TOP_COMMENT, REPLY)
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="reddit")
    assert (r.stored, r.quarantined) == (4, 0)
    assert row(ws, "16tq8xk", "platform, author_id, author_name, created_at, text, urls, "
                              "thread_id, reply_to_post_id") == (
        "reddit", "tradewinds_77", "tradewinds_77", datetime(2023, 9, 27, 10, 20),
        "Port of Rotterdam workers walk out",
        ["https://www.reuters.com/world/europe/rotterdam-strike-2023-09-27/"], "16tq8xk", None)
    assert row(ws, "16tr001", "text, urls, mentions, created_at") == (
        "AMA: I'm a crane operator on strike\n\n"
        "Ask away. Pics: https://imgur.com/a/Xy12Ab and ping u/tradewinds_77",
        ["https://imgur.com/a/Xy12Ab"], ["tradewinds_77"], datetime(2023, 9, 27, 10, 36, 40))
    assert row(ws, "k2f9a1b", "thread_id, reply_to_post_id, created_at, source_line") == (
        "16tq8xk", "16tq8xk", datetime(2023, 9, 27, 10, 30), 3)
    assert row(ws, "k2f9c3d", "thread_id, reply_to_post_id, mentions") == (
        "16tq8xk", "k2f9a1b", ["patriot_88213"])
    assert json.loads(row(ws, "k2f9a1b", "raw")[0])["subreddit"] == "worldnews"
    assert ws.con.execute("select author_id, created_at from accounts").fetchall() == [
        ("tradewinds_77", datetime(2018, 1, 1))]


def test_deleted_author_broken_and_unknown_lines_are_quarantined(tmp_path: Path) -> None:
    src = write(tmp_path / "RC_2023-09.jsonl", TOP_COMMENT, DELETED,
                '{"id": "k2fc222", "author": "dockhand_nl", "body": "cut off', MORE, REPLY)
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="reddit")
    assert (r.stored, r.quarantined) == (2, 3)
    rows = ws.con.execute("select line, reason from quarantine order by line").fetchall()
    assert rows[0] == (2, "deleted author")
    assert rows[1][0] == 3 and rows[1][1].startswith("broken JSON")
    assert rows[2] == (4, "neither a Reddit comment nor a submission")


def test_auto_detected_and_reingest_stores_nothing_twice(tmp_path: Path) -> None:
    src = write(tmp_path / "RC_2023-09.jsonl", TOP_COMMENT, REPLY, LINK_POST)
    ws = Workspace.open(tmp_path / "ws")
    first = ingest(ws, [src], fmt="auto")
    assert first.files[0]["format"] == "reddit"
    again = ingest(ws, [src], fmt="auto")
    assert (first.stored, again.stored, again.duplicate) == (3, 0, 3)
    assert ws.con.execute("select count(*) from posts").fetchone() == (3,)


def test_wrong_format_raises_before_storing(tmp_path: Path) -> None:
    tweet = {"id": "1839621234567890123", "author_id": "783214", "text": "hi",
             "created_at": "2025-09-27T08:15:02.000Z"}
    src = write(tmp_path / "tweets.jsonl", tweet, TOP_COMMENT)
    ws = Workspace.open(tmp_path / "ws")
    with pytest.raises(IngestError, match="not a Pushshift Reddit comment or submission"):
        ingest(ws, [src], fmt="reddit")
    assert ws.con.execute("select count(*) from posts").fetchone() == (0,)
