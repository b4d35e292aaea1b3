"""coordination-network-toolkit CSV.

Columns ``message_id,user_id,username,repost_id,reply_id,message,timestamp,urls``.

``timestamp`` is Unix seconds; ``urls`` are space-separated. Empty
``repost_id`` / ``reply_id`` mean none.
"""

from __future__ import annotations

from collections.abc import Iterator

from undertow.adapters.base import Adapter
from undertow.adapters.generic import header_sniffer, read_delimited, require_columns
from undertow.records import Item, ReadOptions, Source

COLUMNS = ("message_id", "user_id", "username", "repost_id", "reply_id", "message",
           "timestamp", "urls")
MAPPING = {
    "message_id": "post_id",
    "user_id": "author_id",
    "username": "author_name",
    "repost_id": "repost_of_post_id",
    "reply_id": "reply_to_post_id",
    "message": "text",
    "timestamp": "created_at",
    "urls": "urls",
}


def read(source: Source, options: ReadOptions) -> Iterator[Item]:
    require_columns(source, options, COLUMNS)
    return read_delimited(source, options, ",", MAPPING)


ADAPTER = Adapter("cnt", "generic", "coordination-network-toolkit CSV",
                  header_sniffer(COLUMNS, 0.85), read)
