"""What the JSON adapters (Reddit, Twitter API v2, Weibo) share: telling JSON Lines from
one pretty-printed document, byte order marks, and values of the wrong JSON type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import rows
from undertow import Workspace, ingest

WHEN = "2025-09-27T10:00:00.000Z"


def reddit(n: int, **over: Any) -> dict[str, Any]:
    return {"id": f"c{n}", "author": f"user{n}", "created_utc": 1695810600 + n,
            "body": f"comment number {n}", "link_id": "t3_16tq8xk", "parent_id": "t3_16tq8xk",
            "subreddit": "worldnews", **over}


def twitter(n: int, **over: Any) -> dict[str, Any]:
    return {"data": [{"id": f"18396212345678901{n:02d}", "author_id": f"7832{n}",
                      "created_at": WHEN, "text": f"tweet number {n}",
                      "edit_history_tweet_ids": [f"18396212345678901{n:02d}"], **over}],
            "includes": {"users": [{"id": f"7832{n}", "username": f"user{n}"}]}}


def weibo(n: int, **over: Any) -> dict[str, Any]:
    status = {"created_at": "Sat Sep 27 10:00:00 +0800 2025", "id": 5182736451234500 + n,
              "idstr": str(5182736451234500 + n), "mid": str(5182736451234500 + n),
              "text": f"微博 number {n}", "reposts_count": 1, "attitudes_count": 2,
              "user": {"id": 1749127160 + n, "screen_name": f"user{n}"}, **over}
    return {"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": status}]}}


FORMATS = {"reddit": reddit, "twitter-v2": twitter, "weibo": weibo}


def ingest_text(tmp_path: Path, fmt: str, data: bytes) -> tuple[Workspace, Any]:
    tmp_path.mkdir(exist_ok=True)
    src = tmp_path / "in.json"
    src.write_bytes(data)
    ws = Workspace.open(tmp_path / "ws")
    return ws, ingest(ws, [src], fmt=fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_first_record_with_a_raw_line_break_is_quarantined_not_fatal(
        tmp_path: Path, fmt: str) -> None:
    """Line 1 broken over two lines looked like a pretty-printed document: "no readable
    record", exit 2, though the same record on line 2 is quarantined like any other."""
    make = FORMATS[fmt]
    broken = json.dumps(make(1), ensure_ascii=False).replace("number 1", "number\n1")
    lines = [broken] + [json.dumps(make(n), ensure_ascii=False) for n in (2, 3)]
    ws, report = ingest_text(tmp_path, fmt, ("\n".join(lines) + "\n").encode())
    assert (report.stored, report.quarantined) == (2, 2)  # lines 1 and 2 hold the broken one
    assert [line for line, in rows(ws, "SELECT line FROM quarantine ORDER BY line")] == [1, 2]
    assert sorted(name for name, in rows(ws, "SELECT author_name FROM posts")) == [
        "user2", "user3"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_byte_order_mark_is_no_part_of_the_first_record(tmp_path: Path, fmt: str) -> None:
    """With a BOM, line 1 (a whole page of tweets) was quarantined as broken JSON, and a
    pretty-printed page refused."""
    make = FORMATS[fmt]
    lines = "\n".join(json.dumps(make(n), ensure_ascii=False) for n in (1, 2)) + "\n"
    ws, report = ingest_text(tmp_path / "lines", "auto", b"\xef\xbb\xbf" + lines.encode())
    assert (report.files[0]["format"], report.stored, report.quarantined) == (fmt, 2, 0)
    pretty = json.dumps(make(3), ensure_ascii=False, indent=2)
    ws, report = ingest_text(tmp_path / "pretty", "auto", b"\xef\xbb\xbf" + pretty.encode())
    assert (report.files[0]["format"], report.stored, report.quarantined) == (fmt, 1, 0)


@pytest.mark.parametrize(("fmt", "bad", "reason"), [
    ("reddit", reddit(1, author={"name": "x"}), "author is an object"),
    ("reddit", reddit(1, id=True), "id is a boolean"),
    ("twitter-v2", twitter(1, author_id={"id": "7"}), "data[0]: author_id is an object"),
    ("twitter-v2", twitter(1, text=["a"]), "data[0]: text is a list"),
    ("weibo", weibo(1, user={"id": {"v": 1}, "screen_name": "x"}),
     "cards[0]: user.id is an object"),
    ("weibo", weibo(1, text={"html": "x"}), "cards[0]: text is an object"),
])
def test_an_object_or_boolean_id_or_text_is_quarantined_not_stored_as_its_repr(
        tmp_path: Path, fmt: str, bad: dict[str, Any], reason: str) -> None:
    good = FORMATS[fmt](2)
    data = json.dumps(good) + "\n" + json.dumps(bad) + "\n"
    ws, report = ingest_text(tmp_path, fmt, data.encode())
    assert (report.stored, report.quarantined) == (1, 1)
    assert rows(ws, "SELECT line, reason FROM quarantine") == [(2, reason)]
    assert rows(ws, "SELECT count(*) FROM posts WHERE author_id LIKE '%{%' OR text LIKE '%{%' "
                    "OR post_id IN ('True', 'False')") == [(0,)]
