"""Reddit comments and submissions as Pushshift dumps write them (JSON Lines).

A comment (``body``, ``link_id``, ``parent_id``) belongs to the thread of its submission
(``link_id`` without ``t3_``) and replies to its parent comment (``t1_…``) or, at top level,
to the submission. A submission's text is its title and self text; a link post's ``url`` is
one of its urls. Authors are usernames; ``[deleted]`` authors are rejected (no account to
attribute the post to). ``u/name`` references are mentions.

Example:
    >>> comment_post({"id": "gf2k3l1", "author": "throwaway_42", "created_utc": 1607000000,
    ...               "body": "same bot text", "link_id": "t3_k5ab12",
    ...               "parent_id": "t3_k5ab12", "subreddit": "news"}, 1, "")["reply_to_post_id"]
    'k5ab12'
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import orjson

from undertow.adapters.base import Adapter, first_line, id_text, text_or_none, wrong_typed
from undertow.adapters.jsondoc import head_text, read_records
from undertow.entities import extract_urls
from undertow.records import Account, Item, ReadOptions, Rejected, Source

NAME = "reddit"
PLATFORM = "reddit"
DELETED = ("[deleted]", "[removed]")
_USER = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})\b")


def strip_prefix(fullname: Any) -> str | None:
    """``t3_k5ab12`` → ``k5ab12`` (any ``tN_`` kind prefix)."""
    text = id_text(fullname)
    if text and len(text) > 3 and text[0] == "t" and text[1].isdigit() and text[2] == "_":
        return text[3:]
    return text


def is_comment(obj: Any) -> bool:
    return isinstance(obj, dict) and "body" in obj and ("link_id" in obj or "parent_id" in obj)


def is_submission(obj: Any) -> bool:
    return isinstance(obj, dict) and "title" in obj and any(
        k in obj for k in ("selftext", "is_self", "url", "permalink"))


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def _base(obj: dict[str, Any], line: int, raw: str) -> dict[str, Any]:
    author = text_or_none(obj.get("author"))
    return {
        "post_id": id_text(obj.get("id")) or strip_prefix(obj.get("name")),
        "author_id": author,
        "author_name": author,
        "created_at": obj.get("created_utc", obj.get("created")),
        "source_line": line,
        "raw": raw,
    }


def comment_post(obj: dict[str, Any], line: int, raw: str) -> dict[str, Any]:
    """The post dict of one comment."""
    post = _base(obj, line, raw)
    text = _text(obj, "body")
    thread = strip_prefix(obj.get("link_id"))
    post.update(
        text=text,
        thread_id=thread,
        reply_to_post_id=strip_prefix(obj.get("parent_id")) or thread,
        mentions=_USER.findall(text),
    )
    return post


def _is_link_post(obj: dict[str, Any], url: str | None) -> bool:
    if not url or not url.startswith(("http://", "https://")):
        return False
    if "is_self" in obj:
        return not obj["is_self"]
    post_id = id_text(obj.get("id")) or ""
    return f"/comments/{post_id}" not in url


def submission_post(obj: dict[str, Any], line: int, raw: str) -> dict[str, Any]:
    """The post dict of one submission."""
    post = _base(obj, line, raw)
    title, selftext = _text(obj, "title"), _text(obj, "selftext")
    notes: list[str] = []
    if selftext.strip() in DELETED:
        notes.append(f"self text {selftext.strip()}")
        selftext = ""
    text = f"{title}\n\n{selftext}" if selftext.strip() else title
    url = text_or_none(obj.get("url"))
    urls = [url] if url and _is_link_post(obj, url) else []
    post.update(
        text=text,
        thread_id=post["post_id"],
        urls=list(dict.fromkeys(urls + extract_urls(text))),
        mentions=_USER.findall(text),
        notes=notes,
    )
    return post


def _account(obj: dict[str, Any], author: str, options: ReadOptions) -> Account | None:
    created = obj.get("author_created_utc")
    if not created:
        return None
    return Account(platform=options.platform or PLATFORM, author_id=author, author_name=author,
                   created_at=created)


def record_items(obj: Any, line: int, raw: str, options: ReadOptions) -> Iterator[Item]:
    """The post (and account, when the dump has the author's creation time) of one line."""
    if is_comment(obj):
        problem = wrong_typed(obj, ("id", "author", "body"))
        post = comment_post(obj, line, raw)
    elif is_submission(obj):
        problem = wrong_typed(obj, ("id", "author", "title", "selftext"))
        post = submission_post(obj, line, raw)
    else:
        yield Rejected(line, "neither a Reddit comment nor a submission", raw)
        return
    if problem:  # its repr is no id, author or text
        yield Rejected(line, problem, raw)
        return
    author = post["author_id"]
    if author in DELETED:
        yield Rejected(line, "deleted author", raw)
        return
    if not author:
        yield Rejected(line, "missing author", raw)
        return
    account = _account(obj, author, options)
    if account is not None:
        yield account
    yield post


def _accept(value: Any) -> str | None:
    if is_comment(value) or is_submission(value):
        return None
    keys = sorted(value)[:8] if isinstance(value, dict) else type(value).__name__
    return f"is not a Pushshift Reddit comment or submission (found {keys})"


def read(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Posts, accounts and rejected records of a Pushshift JSON Lines file."""
    return read_records(source, options, _accept, record_items)


def sniff(head: bytes, filename: str) -> float:
    """0.85 when the first record has Pushshift's subreddit/created_utc/link keys."""
    with contextlib.suppress(orjson.JSONDecodeError):  # a first line cut short: read on
        obj = orjson.loads(first_line(head))
        if isinstance(obj, dict) and "subreddit" in obj and (is_comment(obj) or
                                                             is_submission(obj)):
            return 0.85
    text = head_text(head)
    if text.startswith("{") and '"subreddit"' in text and '"created_utc"' in text and any(
            f'"{k}"' in text for k in ("link_id", "parent_id", "selftext")):
        return 0.7
    return 0.0


ADAPTER = Adapter(NAME, PLATFORM, "Reddit comments/submissions, Pushshift JSON Lines",
                  sniff, read)
