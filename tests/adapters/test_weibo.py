"""Weibo mobile-API statuses and pages through the public ingest API."""

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

ORIGINAL = "5182736451234567"
REPOST = "5182737012345678"
TOPIC_LINK = ("https://m.weibo.cn/search?containerid=231522type%3D1%26t%3D10%26q%3D%23%E5%B0%8F"
              "%E7%B1%B3YU7%23&extparam=%23%E5%B0%8F%E7%B1%B3YU7%23&luicode=10000011")
ORIGINAL_HTML = (
    '小米YU7 今天正式发布！<br /><a  href="' + TOPIC_LINK + '" data-hide="">'
    '<span class="surl-text">#小米YU7#</span></a> 感谢<a href=\'/n/小米汽车\'>@小米汽车</a> '
    '的同事们<span class="url-icon"><img alt=[心] src="https://h5.sinaimg.cn/m/emoticon/icon/'
    'others/l_xin-43af9086c0.png" style="width:1em; height:1em;" /></span> 详情 '
    '<a data-url="http://t.cn/A6abcDeF" href="https://weibo.cn/sinaurl?u=https%3A%2F%2Fwww.mi.'
    'com%2Fyu7" data-hide=""><span class=\'url-icon\'><img style=\'width: 1rem;height: 1rem\' '
    'src=\'https://h5.sinaimg.cn/upload/2015/09/25/3/timeline_card_small_web_default.png\'>'
    '</span><span class="surl-text">网页链接</span></a> &amp; 更多'
)
LEIJUN = {"id": 1749127163, "screen_name": "雷军", "verified": True, "verified_type": 0,
          "description": "小米集团创始人", "gender": "m", "followers_count": "2648.3万",
          "follow_count": 1321, "statuses_count": 15123}
BOT = {"id": 7812345678, "screen_name": "用户7812345678", "verified": False, "description": "",
       "followers_count": 2, "follow_count": 1890, "statuses_count": 4521}


def status(id_: str, user: dict[str, Any] | None, when: str, text: str,
           **extra: Any) -> dict[str, Any]:
    return {"created_at": when, "id": int(id_), "idstr": id_, "mid": id_, "mblogid": "Q1a2B3c4D",
            "text": text, "source": "iPhone 16 Pro Max", "reposts_count": 12,
            "comments_count": 3, "attitudes_count": 88, "isLongText": False, "user": user,
            **extra}


def original() -> dict[str, Any]:
    return status(ORIGINAL, LEIJUN, "Sat Sep 27 10:00:00 +0800 2025", ORIGINAL_HTML)


def repost() -> dict[str, Any]:
    return status(REPOST, BOT, "Sat Sep 27 10:05:12 +0800 2025",
                  "转发微博 //<a href='/n/小米汽车'>@小米汽车</a>:#小米YU7# 真香",
                  retweeted_status=original())


def test_registered() -> None:
    assert "weibo" in FORMATS
    assert FORMATS["weibo"].platform == "weibo"


def test_status_html_becomes_text_urls_mentions_topics(tmp_path: Path) -> None:
    src = write(tmp_path / "statuses.jsonl", json.dumps(original(), ensure_ascii=False))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="weibo")
    assert r.stored == 1
    assert row(ws, ORIGINAL, "platform, author_id, author_name, created_at, text, urls, "
                             "mentions, hashtags, lang") == (
        "weibo", "1749127163", "雷军", datetime(2025, 9, 27, 2, 0, 0),
        "小米YU7 今天正式发布！\n#小米YU7# 感谢@小米汽车 的同事们[心] 详情 网页链接 & 更多",
        ["https://www.mi.com/yu7"], ["小米汽车"], ["小米YU7"], "zh")
    assert json.loads(row(ws, ORIGINAL, "raw")[0])["idstr"] == ORIGINAL
    assert ws.con.execute(
        "select author_name, followers, following, posts_count, verified, description "
        "from accounts").fetchall() == [("雷军", 26_483_000, 1321, 15123, True, "小米集团创始人")]


def test_retweeted_status_stored_separately_and_linked(tmp_path: Path) -> None:
    src = write(tmp_path / "statuses.jsonl", json.dumps(original(), ensure_ascii=False),
                json.dumps(repost(), ensure_ascii=False))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="weibo")
    assert (r.stored, r.duplicate) == (2, 1)  # the embedded original is already on line 1
    assert row(ws, REPOST, "author_id, repost_of_post_id, text, mentions, hashtags, "
                           "created_at, source_line") == (
        "7812345678", ORIGINAL, "转发微博 //@小米汽车:#小米YU7# 真香", ["小米汽车"], ["小米YU7"],
        datetime(2025, 9, 27, 2, 5, 12), 2)
    assert row(ws, ORIGINAL, "repost_of_post_id, source_line") == (None, 1)
    raw = json.loads(row(ws, REPOST, "raw")[0])
    assert raw["retweeted_status"]["idstr"] == ORIGINAL
    assert ws.con.execute("select count(*) from accounts").fetchone() == (2,)


def test_broken_line_and_deleted_original_are_quarantined(tmp_path: Path) -> None:
    deleted = {"created_at": "Fri Sep 26 09:00:00 +0800 2025", "id": 5182000000000001,
               "idstr": "5182000000000001", "mid": "5182000000000001", "user": None,
               "text": "抱歉，此微博已被作者删除。查看帮助：<a href=\"https://kefu.weibo.com/faq/"
                       "detail?id=1234\">https://kefu.weibo.com/faq/detail?id=1234</a>",
               "deleted": "1", "reposts_count": 0, "attitudes_count": 0}
    orphan = status("5182738000000002", BOT, "Sat Sep 27 11:00:00 +0800 2025", "转发微博",
                    retweeted_status=deleted)
    src = write(tmp_path / "statuses.jsonl", json.dumps(original(), ensure_ascii=False),
                '{"created_at": "Sat Sep 27 10:09:00 +0800 2025", "id": 51827',
                json.dumps(orphan, ensure_ascii=False))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="weibo")
    assert (r.stored, r.quarantined) == (2, 2)
    rows = ws.con.execute("select line, reason from quarantine order by line").fetchall()
    assert rows[0][0] == 2 and rows[0][1].startswith("broken JSON")
    assert rows[1] == (3, "status.retweeted_status (id 5182000000000001): no author "
                          "(deleted or hidden status)")
    assert row(ws, "5182738000000002", "repost_of_post_id")[0] == "5182000000000001"


def page(*mblogs: dict[str, Any]) -> dict[str, Any]:
    cards: list[dict[str, Any]] = [
        {"card_type": 9, "itemid": "1076031749127163_-_" + str(m["idstr"]),
         "scheme": "https://m.weibo.cn/status/" + str(m["mblogid"]), "mblog": m}
        for m in mblogs[:-1]]
    cards.append({"card_type": 11, "card_group": [{"card_type": 9, "mblog": mblogs[-1]}]})
    cards.append({"card_type": 58, "name": "没有更多内容"})
    return {"ok": 1, "data": {"cardlistInfo": {"containerid": "1076031749127163", "page": 2},
                              "cards": cards}}


def test_pretty_printed_page_auto_detected(tmp_path: Path) -> None:
    src = tmp_path / "getIndex_page1.json"
    src.write_text(json.dumps(page(original(), repost()), ensure_ascii=False, indent=2),
                   encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="auto")
    assert r.files[0]["format"] == "weibo"
    assert r.stored == 2
    assert ws.con.execute("select post_id, source_line from posts order by post_id").fetchall() \
        == [(ORIGINAL, 1), (REPOST, 1)]


def test_pages_per_line_with_an_error_page(tmp_path: Path) -> None:
    src = write(tmp_path / "pages.jsonl", json.dumps(page(original()), ensure_ascii=False),
                json.dumps({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}},
                           ensure_ascii=False),
                json.dumps(page(repost()), ensure_ascii=False))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="auto")
    assert r.files[0]["format"] == "weibo"
    assert (r.stored, r.quarantined) == (2, 1)
    assert ws.con.execute("select line, reason from quarantine").fetchall() == [
        (2, "API page with ok=0: 这里还没有内容")]


def test_reingest_stores_nothing_twice(tmp_path: Path) -> None:
    src = write(tmp_path / "statuses.jsonl", json.dumps(original(), ensure_ascii=False),
                json.dumps(repost(), ensure_ascii=False))
    ws = Workspace.open(tmp_path / "ws")
    ingest(ws, [src], fmt="weibo")
    again = ingest(ws, [src], fmt="weibo")
    assert (again.stored, again.duplicate) == (0, 3)
    assert ws.con.execute("select count(*) from posts").fetchone() == (2,)


def test_wrong_format_raises_before_storing(tmp_path: Path) -> None:
    tweet = {"id": "1839621234567890123", "author_id": "783214", "text": "hi",
             "created_at": "2025-09-27T08:15:02.000Z", "edit_history_tweet_ids": ["1"]}
    src = write(tmp_path / "tweets.jsonl", json.dumps(tweet),
                json.dumps(original(), ensure_ascii=False))
    ws = Workspace.open(tmp_path / "ws")
    with pytest.raises(IngestError, match="not a Weibo status"):
        ingest(ws, [src], fmt="weibo")
    assert ws.con.execute("select count(*) from posts").fetchone() == (0,)


def test_json_array_of_statuses(tmp_path: Path) -> None:
    src = tmp_path / "statuses.json"
    src.write_text(json.dumps([original(), repost(), {"card_type": 58}], ensure_ascii=False,
                              indent=2), encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="auto")
    assert r.files[0]["format"] == "weibo"
    assert (r.stored, r.quarantined) == (2, 1)
    assert row(ws, REPOST, "repost_of_post_id")[0] == ORIGINAL
    assert ws.con.execute("select line, reason from quarantine").fetchall() == [
        (1, "record[2]: not a Weibo status or API page")]


def test_a_card_group_given_as_a_number_is_read_as_absent_not_a_crash(tmp_path: Path) -> None:
    page = {"ok": 1, "data": {"cards": [{"card_type": 11, "card_group": 5},
                                        {"card_type": 9, "mblog": original()}]}}
    src = write(tmp_path / "page.jsonl", json.dumps(page, ensure_ascii=False))
    ws = Workspace.open(tmp_path / "ws")
    assert ingest(ws, [src], fmt="weibo").line() == "read 1, stored 1, duplicate 0, quarantined 0"
