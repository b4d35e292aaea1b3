"""Weibo statuses as the mobile API (m.weibo.cn) returns them.

Either JSON Lines of status objects, or API pages ``{"ok": 1, "data": {"cards": [{"card_type":
9, "mblog": {...}}]}}`` (one page per line, or a whole file being one page). ``text`` is HTML:
it becomes plain text; links, ``@`` mentions (``<a href="/n/NAME">``) and ``#topics#`` become
urls, mentions and hashtags. An embedded ``retweeted_status`` is stored as a post of its own,
and the repost points at it. Users become accounts.

Example:
    >>> plain_text('转发 <a href="/n/雷军">@雷军</a> #小米SU7# 真香<br />'
    ...            '<span class="url-icon"><img alt="[笑]" src="x.png" /></span>')
    ('转发 @雷军 #小米SU7# 真香\\n[笑]', [], ['雷军'], ['小米SU7'])
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from undertow.adapters.base import (
    Adapter,
    count_or_none,
    id_text,
    listed,
    text_or_none,
    wrong_typed,
)
from undertow.adapters.jsondoc import dumps, field, head_text, read_records, time_problem
from undertow.entities import extract_mentions
from undertow.records import Account, Item, ReadOptions, Rejected, Source

NAME = "weibo"
PLATFORM = "weibo"
_TOPIC = re.compile(r"#([^#\n]{1,60})#")
_STATUS_KEYS = ("mid", "idstr", "mblogid", "bid", "reposts_count", "attitudes_count")
_INTERNAL_PATHS = ("/search", "/n/", "/u/", "/p/", "/k/", "/profile", "/status/")
_UNITS = {"万": 10_000, "亿": 100_000_000}
#: Keys of a status whose value must be one id or text (not an object, a list or a boolean).
_SCALAR_KEYS = ("idstr", "id", "mid", "user.id", "user.idstr", "text",
                "longText.longTextContent")


# --- text -----------------------------------------------------------------------------


def _is_weibo(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in ("weibo.com", "weibo.cn"))


def link_target(href: str, data_url: str | None) -> str | None:
    """The URL a status link points at, or ``None`` for Weibo's own topic/profile pages.

    ``weibo.cn/sinaurl?u=...`` redirects are unwrapped.
    """
    for url in (href, data_url or ""):
        if not url.lower().startswith(("http://", "https://")):
            continue
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not _is_weibo(host):
            return url
        if parts.path == "/sinaurl":
            target = parse_qs(parts.query).get("u")
            if target and target[0].startswith(("http://", "https://")):
                return target[0]
            continue
        if host in ("s.weibo.com", "huati.weibo.com") or parts.path.startswith(_INTERNAL_PATHS):
            continue
        return url
    return None


class _StatusHTML(HTMLParser):
    """Plain text, urls and mentions of a status's HTML ``text``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.urls: list[str] = []
        self.mentions: list[str] = []
        self._link: tuple[str, str | None, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "br":
            self.parts.append("\n")
        elif tag == "img" and attr.get("alt"):
            self.parts.append(attr["alt"] or "")
        elif tag == "a":
            self._link = (attr.get("href") or "", attr.get("data-url"), len(self.parts))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            href, data_url, start = self._link
            self._link = None
            self._anchor(href, data_url, start)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def _anchor(self, href: str, data_url: str | None, start: int) -> None:
        label = "".join(self.parts[start:]).strip()
        if href.startswith("/n/"):
            self.mentions.append(unquote(href[3:]))
        elif label.startswith("@") and len(label) > 1:
            self.mentions.append(label[1:])
        elif href.startswith("/status/") and label == "全文":
            del self.parts[start:]  # "…全文": the link to the long text, not text
        else:
            url = link_target(href, data_url)
            if url:
                self.urls.append(url)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def plain_text(html: str) -> tuple[str, list[str], list[str], list[str]]:
    """``(text, urls, mentions, hashtags)`` of a status's HTML text."""
    parser = _StatusHTML()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).strip()
    mentions = _unique(parser.mentions + extract_mentions(text))
    hashtags = _unique([t.strip() for t in _TOPIC.findall(text)])
    return text, _unique(parser.urls), mentions, hashtags


# --- statuses -------------------------------------------------------------------------


def count(value: Any) -> int | None:
    """A follower/status count: ``1234``, ``"1234"`` or ``"12.3万"``."""
    if not isinstance(value, str):
        return count_or_none(value)
    text = value.strip().replace(",", "")
    scale = _UNITS.get(text[-1:], 1)
    if scale == 1:
        return count_or_none(text)
    try:
        return count_or_none(round(float(text[:-1]) * scale))  # "12.3万": 123,000
    except (ValueError, OverflowError):  # not a number, or not a finite one
        return None


def user_account(user: dict[str, Any], options: ReadOptions) -> Account:
    """The account of a status's ``user``."""
    acc = Account(
        platform=options.platform or PLATFORM,
        author_id=id_text(user.get("id") or user.get("idstr")),
        author_name=text_or_none(user.get("screen_name")),
        followers=count(user.get("followers_count")),
        following=count(user.get("follow_count", user.get("friends_count"))),
        posts_count=count(user.get("statuses_count")),
        description=text_or_none(user.get("description")),
    )
    if "verified" in user:
        acc["verified"] = bool(user["verified"])
    if user.get("created_at"):
        acc["created_at"] = user["created_at"]
    return acc


def is_status(obj: Any) -> bool:
    """A Weibo status object."""
    return (isinstance(obj, dict) and "text" in obj and "user" in obj
            and any(k in obj for k in _STATUS_KEYS))


def is_page(obj: Any) -> bool:
    """A mobile-API response page (``{"ok": ..., "data": {"cards": [...]}}``)."""
    return isinstance(obj, dict) and "ok" in obj and (
        "data" not in obj or isinstance(obj["data"], dict))


def _status_id(status: dict[str, Any]) -> str | None:
    return id_text(status.get("idstr")) or id_text(status.get("id")) or id_text(status.get("mid"))


def status_post(status: dict[str, Any], line: int, raw: str | None = None) -> dict[str, Any]:
    """The post dict of one status (its ``retweeted_status`` only linked); ``raw``
    defaults to the status as JSON."""
    html = status.get("text") or ""
    long_text = status.get("longText")
    if isinstance(long_text, dict) and long_text.get("longTextContent"):
        html = long_text["longTextContent"]
    text, urls, mentions, hashtags = plain_text(html if isinstance(html, str) else str(html))
    user = field(status, "user")
    retweeted = status.get("retweeted_status")
    return {
        "post_id": _status_id(status),
        "author_id": id_text(user.get("id") or user.get("idstr")),
        "author_name": text_or_none(user.get("screen_name")),
        "created_at": status.get("created_at"),
        "text": text,
        "urls": urls,
        "hashtags": hashtags,
        "mentions": mentions,
        "reply_to_post_id": id_text(status.get("reply_id") or status.get("in_reply_to_status_id")),
        "reply_to_author_id": id_text(status.get("in_reply_to_user_id")),
        "repost_of_post_id": _status_id(retweeted) if isinstance(retweeted, dict) else None,
        "source_line": line,
        "raw": raw if raw is not None else dumps(status),
    }


def _checked(post: dict[str, Any], where: str, options: ReadOptions) -> Item:
    label = f"{where} (id {post['post_id']})" if post["post_id"] else where
    if not post["post_id"]:
        return Rejected(post["source_line"], f"{label}: status without id", post["raw"])
    if not post["author_id"]:
        return Rejected(post["source_line"], f"{label}: no author (deleted or hidden status)",
                        post["raw"])
    problem = time_problem(post["created_at"], options.tz)
    if problem:
        return Rejected(post["source_line"], f"{label}: {problem}", post["raw"])
    return post


def status_items(status: dict[str, Any], line: int, options: ReadOptions,
                 where: str = "status", raw: str | None = None) -> Iterator[Item]:
    """Accounts and posts of one status: the retweeted status first, then the status."""
    retweeted = status.get("retweeted_status")
    if isinstance(retweeted, dict):
        yield from status_items(retweeted, line, options, f"{where}.retweeted_status")
    user = status.get("user")
    if isinstance(user, dict) and (user.get("id") or user.get("idstr")):
        yield user_account(user, options)
    problem = wrong_typed(status, _SCALAR_KEYS)
    if problem:  # its repr is no id or text
        yield Rejected(line, f"{where}: {problem}", raw if raw is not None else dumps(status))
        return
    yield _checked(status_post(status, line, raw), where, options)


def _mblogs(page: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    data = field(page, "data")
    for i, card in enumerate(listed(data.get("cards"))):
        if not isinstance(card, dict):
            continue
        if "mblog" in card:
            yield f"cards[{i}]", card["mblog"]
        for j, inner in enumerate(listed(card.get("card_group"))):
            if isinstance(inner, dict) and "mblog" in inner:
                yield f"cards[{i}].card_group[{j}]", inner["mblog"]
    for key in ("statuses", "list"):
        for i, status in enumerate(listed(data.get(key))):
            yield f"{key}[{i}]", status


def page_items(page: dict[str, Any], line: int, raw: str, options: ReadOptions,
               prefix: str = "") -> Iterator[Item]:
    """Accounts, posts and rejected statuses of one API page."""
    statuses = list(_mblogs(page))
    if page.get("ok") != 1 and not statuses:
        yield Rejected(line, f"{prefix}API page with ok={page.get('ok')}: "
                       f"{page.get('msg') or 'no data'}", raw)
        return
    for where, status in statuses:
        if is_status(status):
            yield from status_items(status, line, options, prefix + where)
        else:
            yield Rejected(line, f"{prefix}{where}: not a status object", dumps(status))


def record_items(value: Any, line: int, raw: str, options: ReadOptions) -> Iterator[Item]:
    """Items of one record: a page, a status, or a list of either."""
    if isinstance(value, list):
        for i, one in enumerate(value):
            yield from _object_items(one, line, dumps(one), options, f"[{i}]")
    else:
        yield from _object_items(value, line, raw, options, "")


def _object_items(obj: Any, line: int, raw: str, options: ReadOptions,
                  where: str) -> Iterator[Item]:
    if is_page(obj):
        yield from page_items(obj, line, raw, options, where and where + ".")
    elif is_status(obj):
        yield from status_items(obj, line, options, f"status{where}", raw)
    else:
        yield Rejected(line, f"record{where}: not a Weibo status or API page", raw)


def _accept(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if is_page(value) or is_status(value):
        return None
    keys = sorted(value)[:8] if isinstance(value, dict) else type(value).__name__
    return f"is not a Weibo status or mobile-API page (found {keys})"


def read(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Accounts, posts and rejected records of a Weibo JSON file."""
    return read_records(source, options, _accept, record_items)


def sniff(head: bytes, filename: str) -> float:
    """0.9 for mobile-API pages, 0.85 for status objects."""
    text = head_text(head)
    if not text.startswith(("{", "[")):
        return 0.0
    if '"mblog"' in text and '"card_type"' in text:
        return 0.9
    if ('"screen_name"' in text and any(f'"{k}"' in text for k in ("idstr", "mid", "mblogid"))
            and ('"reposts_count"' in text or '"attitudes_count"' in text)):
        return 0.85
    return 0.0


ADAPTER = Adapter(NAME, PLATFORM, "Weibo mobile-API statuses or pages (JSON)", sniff, read)
