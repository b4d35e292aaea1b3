"""Twitter/X API v2 JSON: response pages, JSON Lines of pages, or twarc2-flattened tweets.

A page is ``{"data": [tweets], "includes": {"users": [...], "tweets": [...]}, "meta": {...}}``,
one per line (as ``twarc2 search`` writes them) or one pretty-printed page per file (then
the whole file is one record, line 1). A flattened tweet (``twarc2 flatten``) carries its
``author`` and expanded ``referenced_tweets``. Users become accounts; referenced tweets
with an author and a time are stored as posts of their own.

Example:
    >>> page = {"data": [{"id": "1839621234567890123", "author_id": "783214",
    ...                    "created_at": "2025-09-27T10:00:00.000Z", "text": "hi #a"}],
    ...         "includes": {"users": [{"id": "783214", "username": "Twitter"}]}}
    >>> posts = next(p for p in page_items(page, 1, ReadOptions()) if type(p) is Columns)
    >>> posts.columns["post_id"], posts.columns["author_name"], posts.columns["hashtags"]
    (['1839621234567890123'], ['Twitter'], [None])

"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from typing import Any

import orjson

from undertow.adapters.base import (
    Adapter,
    as_text,
    id_text,
    listed,
    text_or_none,
    wrong_typed,
)
from undertow.adapters.jsondoc import dumps, field, head_text, read_records, time_problem
from undertow.records import (
    Account,
    Columns,
    Item,
    ReadOptions,
    Rejected,
    Source,
)

NAME = "twitter-v2"
PLATFORM = "twitter"
_V2_MARKERS = ('"edit_history_tweet_ids"', '"conversation_id"', '"__twarc"', '"result_count"',
               '"newest_id"')


# --- tweets ---------------------------------------------------------------------------


def is_tweet(obj: Any) -> bool:
    """An API v2 tweet object (plain or twarc2-flattened)."""
    return (isinstance(obj, dict) and "id" in obj and "text" in obj
            and "user" not in obj and "id_str" not in obj
            and any(k in obj for k in ("author_id", "author", "edit_history_tweet_ids",
                                       "conversation_id")))


def is_page(obj: Any) -> bool:
    """An API v2 response page."""
    if not isinstance(obj, dict) or "ok" in obj:
        return False
    data = obj.get("data")
    if isinstance(data, list):
        return True
    if isinstance(data, dict):
        return "text" in data
    meta = obj.get("meta")
    return isinstance(meta, dict) and "result_count" in meta


def _accept(value: Any) -> str | None:
    first = value[0] if isinstance(value, list) and value else value
    if is_page(first) or is_tweet(first):
        return None
    if isinstance(first, dict) and ("id_str" in first or "user" in first):
        return ("looks like Twitter API v1.1 (it has 'user'/'id_str'); this format reads "
                "API v2 pages or twarc2-flattened tweets")
    keys = sorted(first)[:8] if isinstance(first, dict) else type(first).__name__
    return f"is not a Twitter API v2 page or tweet (found {keys})"


def _entities(tweet: dict[str, Any]) -> dict[str, Any] | None:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("entities"), dict):
        return note["entities"]
    ents = tweet.get("entities")
    return ents if isinstance(ents, dict) else None


def _list(ents: dict[str, Any] | None, kind: str, *keys: str) -> list[str] | None:
    if ents is None:
        return None
    out: list[str] = []
    for ent in listed(ents.get(kind)):
        value = next((ent[k] for k in keys if isinstance(ent, dict) and ent.get(k)), None)
        if value:
            out.append(str(value))
    return out


def _refs(tweet: dict[str, Any]) -> dict[str, str]:
    refs: dict[str, str] = {}
    for ref in listed(tweet.get("referenced_tweets")):
        if isinstance(ref, dict) and ref.get("type") and ref.get("id"):
            refs.setdefault(str(ref["type"]), str(ref["id"]))
    return refs


def tweet_post(tweet: dict[str, Any], users: dict[str, dict[str, Any]], line: int,
               raw: str | bytes) -> dict[str, Any]:
    """The post dict of one API v2 tweet; ``users`` maps author ids to user objects.
    ``raw`` may be UTF-8 bytes (as orjson writes it), which ingest takes as they are."""
    author = field(tweet, "author")
    author_id = id_text(tweet.get("author_id")) or id_text(author.get("id"))
    user = users.get(author_id or "") or author
    note = tweet.get("note_tweet")
    text = note.get("text") if isinstance(note, dict) and note.get("text") else tweet.get("text")
    ents = _entities(tweet)
    refs = _refs(tweet)
    return {
        "post_id": id_text(tweet.get("id")),
        "author_id": author_id,
        "author_name": text_or_none(user.get("username")),
        "created_at": tweet.get("created_at"),
        "text": text if isinstance(text, str) else "",
        "lang": text_or_none(tweet.get("lang")),
        "urls": _list(ents, "urls", "expanded_url", "url"),
        "hashtags": _list(ents, "hashtags", "tag"),
        "mentions": _list(ents, "mentions", "username"),
        "reply_to_post_id": refs.get("replied_to"),
        "reply_to_author_id": id_text(tweet.get("in_reply_to_user_id")),
        "repost_of_post_id": refs.get("retweeted"),
        "thread_id": id_text(tweet.get("conversation_id")),
        "source_line": line,
        "raw": raw,
    }


def checked_post(post: dict[str, Any], where: str, tz: tzinfo) -> Item:
    """``post``, or a :class:`Rejected` naming ``where`` in the file it came from."""
    if not post["post_id"]:
        return Rejected(post["source_line"], f"{where}: tweet without id", as_text(post["raw"]))
    if not post["author_id"]:
        return Rejected(post["source_line"], f"{where} (id {post['post_id']}): tweet without "
                        "author_id (request tweet.fields=author_id)", as_text(post["raw"]))
    if post["created_at"] is not None:
        problem = time_problem(post["created_at"], tz)
        if problem:
            return Rejected(post["source_line"], f"{where} (id {post['post_id']}): {problem}",
                            as_text(post["raw"]))
    return post


#: Keys of a tweet whose value must be one id or text (not an object, a list or a boolean).
_SCALAR_KEYS = ("id", "author_id", "author.id", "text", "note_tweet.text")


def checked_tweet(tweet: dict[str, Any], users: dict[str, dict[str, Any]], line: int,
                  raw: str | bytes, where: str, tz: tzinfo) -> Item:
    """The post of one tweet (see :func:`checked_post`), or a :class:`Rejected` when
    its id, author or text is an object, a list or a boolean."""
    problem = wrong_typed(tweet, _SCALAR_KEYS)
    if problem:
        return Rejected(line, f"{where}: {problem}", as_text(raw))
    return checked_post(tweet_post(tweet, users, line, raw), where, tz)


def user_account(user: dict[str, Any], options: ReadOptions) -> Account:
    """The account of an API v2 user object."""
    metrics = field(user, "public_metrics")
    acc = Account(
        platform=options.platform or PLATFORM,
        author_id=id_text(user.get("id")),
        author_name=text_or_none(user.get("username")),
        created_at=user.get("created_at"),
        followers=metrics.get("followers_count"),
        following=metrics.get("following_count"),
        posts_count=metrics.get("tweet_count"),
        description=text_or_none(user.get("description")),
    )
    if "verified" in user:
        acc["verified"] = bool(user["verified"])
    return acc


def _users(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    includes = field(page, "includes")
    return {str(u["id"]): u for u in listed(includes.get("users"))
            if isinstance(u, dict) and u.get("id") is not None}


def page_items(page: dict[str, Any], line: int, options: ReadOptions,
               prefix: str = "", known: set[str] | None = None) -> Iterator[Item]:
    """Accounts, posts and rejected tweets of one response page.

    The page's plain tweets (the usual case) come as one :class:`Columns` item;
    any other tweet goes through :func:`tweet_post` and :func:`checked_post`.
    Users whose id is in ``known`` are not made into accounts again (the ids of
    those that are get added to it).
    """
    users = _users(page)
    for uid, user in users.items():
        if known is None or uid not in known:
            if known is not None:
                known.add(uid)
            yield user_account(user, options)
    data = page.get("data")
    tweets = [data] if isinstance(data, dict) else listed(data)
    plain = [i for i, tweet in enumerate(tweets) if _plain(tweet, users, options.tz)]
    if plain:
        yield _columns([tweets[i] for i in plain], users, line)
    seen: set[str] = {tweets[i]["id"] for i in plain}
    odd = sorted(set(range(len(tweets))) - set(plain)) if len(plain) < len(tweets) else []
    for i in odd:
        tweet = tweets[i]
        where = f"{prefix}data[{i}]"
        if not isinstance(tweet, dict):
            yield Rejected(line, f"{where}: not a tweet object", dumps(tweet))
            continue
        seen.add(str(tweet.get("id")))
        yield checked_tweet(tweet, users, line, orjson.dumps(tweet), where, options.tz)
    includes = field(page, "includes")
    for i, tweet in enumerate(listed(includes.get("tweets"))):
        if _storable(tweet) and str(tweet["id"]) not in seen:
            seen.add(str(tweet["id"]))
            yield checked_tweet(tweet, users, line, dumps(tweet), f"{prefix}includes.tweets[{i}]",
                                options.tz)


def _plain(tweet: Any, users: dict[str, dict[str, Any]], tz: tzinfo) -> bool:
    """A tweet :func:`_columns` reads exactly as :func:`tweet_post` and
    :func:`checked_post` would: string id and author id without spaces, a time
    :func:`time_problem` accepts, text, no long-form note, and its author among
    the page's users or not given inline."""
    if type(tweet) is not dict:
        return False
    tid, author = tweet.get("id"), tweet.get("author_id")
    created, text = tweet.get("created_at"), tweet.get("text")
    return (type(tid) is str and tid != "" and tid == tid.strip()
            and type(author) is str and author != "" and author == author.strip()
            and type(created) is str and time_problem(created, tz) is None
            and type(text) is str and "note_tweet" not in tweet
            and (author in users or "author" not in tweet))


def _columns(tweets: list[dict[str, Any]], users: dict[str, dict[str, Any]],
             line: int) -> Columns:
    """The posts of plain tweets (see :func:`_plain`), column-wise."""
    def ids(key: str) -> list[str | None]:
        return [None if (v := t.get(key)) is None else id_text(v) for t in tweets]

    ents = [t["entities"] if type(t.get("entities")) is dict else None for t in tweets]

    def entities(kind: str, *keys: str) -> list[list[str] | None]:
        return [None if e is None else _list(e, kind, *keys) for e in ents]

    refs = [_refs(t) if "referenced_tweets" in t else {} for t in tweets]
    return Columns({
        "post_id": [t["id"] for t in tweets],
        "author_id": [t["author_id"] for t in tweets],
        "author_name": [text_or_none(users[t["author_id"]].get("username"))
                        if t["author_id"] in users else None for t in tweets],
        "created_at": [t["created_at"] for t in tweets],
        "text": [t["text"] for t in tweets],
        "lang": [text_or_none(t.get("lang")) for t in tweets],
        "urls": entities("urls", "expanded_url", "url"),
        "hashtags": entities("hashtags", "tag"),
        "mentions": entities("mentions", "username"),
        "reply_to_post_id": [r.get("replied_to") for r in refs],
        "reply_to_author_id": ids("in_reply_to_user_id"),
        "repost_of_post_id": [r.get("retweeted") for r in refs],
        "thread_id": ids("conversation_id"),
        "source_line": [line] * len(tweets),
        "raw": [orjson.dumps(t) for t in tweets],
    })


def _storable(tweet: Any) -> bool:
    return (isinstance(tweet, dict) and bool(tweet.get("id")) and bool(tweet.get("created_at"))
            and bool(tweet.get("author_id") or isinstance(tweet.get("author"), dict)))


def flat_items(tweet: dict[str, Any], line: int, raw: str, options: ReadOptions,
               where: str = "tweet") -> Iterator[Item]:
    """Accounts and posts of one twarc2-flattened tweet, referenced tweets included."""
    for obj in [tweet, *listed(tweet.get("referenced_tweets"))]:
        for key in ("author", "in_reply_to_user"):
            if isinstance(obj, dict) and isinstance(obj.get(key), dict):
                yield user_account(obj[key], options)
    for ref in listed(tweet.get("referenced_tweets")):
        if _storable(ref) and "text" in ref:
            yield checked_tweet(ref, {}, line, dumps(ref), f"{where} referenced {ref.get('type')}",
                                options.tz)
    yield checked_tweet(tweet, {}, line, raw, where, options.tz)


def record_items(value: Any, line: int, raw: str, options: ReadOptions,
                 known: set[str] | None = None) -> Iterator[Item]:
    """Items of one record: a page, a flattened tweet, or a list of either; ``known``
    as for :func:`page_items`."""
    if not isinstance(value, list):
        yield from _object_items(value, line, raw, options, "", known)
        return
    for i, obj in enumerate(value):
        yield from _object_items(obj, line, dumps(obj), options, f"[{i}]", known)


def _object_items(obj: Any, line: int, raw: str, options: ReadOptions,
                  where: str, known: set[str] | None = None) -> Iterator[Item]:
    if is_page(obj):
        yield from page_items(obj, line, options, where and where + ".", known)
    elif is_tweet(obj):
        yield from flat_items(obj, line, raw, options, f"tweet{where}")
    elif isinstance(obj, dict) and ("errors" in obj or "title" in obj):
        detail = obj.get("detail") or obj.get("title") or obj.get("errors")
        yield Rejected(line, f"record{where}: API error response: {str(detail)[:200]}", raw)
    else:
        yield Rejected(line, f"record{where}: not a Twitter API v2 page or tweet", raw)


def read(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Accounts, posts and rejected records of a Twitter API v2 file."""
    known: set[str] = set()  # users made into accounts already: one account per file

    def items(value: Any, line: int, raw: str, options: ReadOptions) -> Iterator[Item]:
        return record_items(value, line, raw, options, known)

    return read_records(source, options, _accept, items)


def sniff(head: bytes, filename: str) -> float:
    """0.85 for v2 pages or flattened tweets, recognised by keys only API v2 writes."""
    text = head_text(head)
    if not text.startswith(("{", "[")) or '"id_str"' in text or '"mblog"' in text:
        return 0.0
    if '"text"' not in text or not any(m in text for m in _V2_MARKERS):
        return 0.0
    return 0.85 if '"author_id"' in text else 0.5


ADAPTER = Adapter(NAME, PLATFORM, "Twitter/X API v2 JSON (pages or twarc2-flattened tweets)",
                  sniff, read)
