"""CooRTweet's input CSV: ``account_id,content_id,object_id,timestamp_share``.

One row is one share of an object (a retweeted tweet, a URL, a hashtag, an
image hash). ``content_id`` repeats across objects in CooRTweet's own example
data, so a share is identified by (content_id, object_id): every share is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from undertow.adapters.base import Adapter
from undertow.adapters.generic import header_sniffer, read_delimited, require_columns
from undertow.records import Item, ReadOptions, Source

COLUMNS = ("account_id", "content_id", "object_id", "timestamp_share")
MAPPING = {"account_id": "author_id", "object_id": "object_id",
           "timestamp_share": "created_at"}


def read(source: Source, options: ReadOptions) -> Iterator[Item]:
    require_columns(source, options, COLUMNS)

    def hook(values: dict[str, str], rec: dict[str, Any]) -> Iterable[Item]:
        content, obj = values.get("content_id", ""), values.get("object_id", "")
        if content and obj:
            rec["post_id"] = f"{content}|{obj}"
        rec.setdefault("text", "")
        yield rec

    return read_delimited(source, options, ",", MAPPING, hook)


ADAPTER = Adapter("coortweet", "generic", "CooRTweet CSV (account_id,content_id,object_id,"
                  "timestamp_share)", header_sniffer(COLUMNS, 0.9), read)
