"""FiveThirtyEight's Internet Research Agency troll-tweets CSV (``author,content,publish_date,…``).

Dates are ``M/D/YYYY H:MM`` in UTC (per-author re-splits write
``YYYY-MM-DD HH:MM:SS``); ``language`` is a name (``English``); ``post_type``
marks retweets. Rows carry no tweet id unless the file has ``tweet_id``, so
ids are derived from (author, time, text). Follower counts become accounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from undertow.adapters.base import Adapter, count_or_none, id_text
from undertow.adapters.generic import head_columns, read_delimited
from undertow.records import Account, FormatError, Item, ReadOptions, Source

MAPPING = {
    "tweet_id": "post_id",
    "author": "author_id",
    "author_id": "author_id",
    "content": "text",
    "publish_date": "created_at",
    "language": "lang",
}


def _columns(head: bytes) -> set[str]:
    return {c.strip().lower() for c in head_columns(head)}


def sniff(head: bytes, filename: str) -> float:
    cols = _columns(head)
    if {"content", "publish_date"} <= cols and cols & {"author", "author_id"}:
        return 0.9 if {"account_category", "harvested_date", "post_type"} & cols else 0.6
    return 0.0


def read(source: Source, options: ReadOptions) -> Iterator[Item]:
    cols = _columns(source.head())
    if not ({"content", "publish_date"} <= cols and cols & {"author", "author_id"}):
        raise FormatError(f"{source.path}: not an IRA tweets CSV (needs author, content, "
                          "publish_date)")
    # The full FiveThirtyEight files have both `author` (handle) and `external_author_id`.
    mapping = dict(MAPPING)
    if "author" in cols:
        del mapping["author_id"]
    seen: set[str] = set()

    def hook(values: dict[str, str], rec: dict[str, Any]) -> Iterable[Item]:
        author = rec.get("author_id")
        rec["author_name"] = author
        kind = (values.get("post_type") or "").upper()
        if kind in ("R", "RETWEET") or values.get("retweet") == "1":
            rec["notes"] = ["retweet"]
        elif kind in ("Q", "QUOTE_TWEET"):
            rec["notes"] = ["quote tweet"]
        if author and author not in seen:
            seen.add(author)
            yield Account(
                author_id=author,
                author_name=author,
                followers=count_or_none(values.get("followers")),
                following=count_or_none(values.get("following")),
                posts_count=count_or_none(values.get("updates")),
                description=id_text(values.get("external_author_id")) and
                f"external id {id_text(values.get('external_author_id'))}",
            )
        yield rec

    return read_delimited(source, options, ",", mapping, hook)


ADAPTER = Adapter("ira", "twitter", "FiveThirtyEight IRA troll tweets CSV", sniff, read)
