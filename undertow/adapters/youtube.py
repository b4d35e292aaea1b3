"""YouTube comments CSV (``COMMENT_ID,AUTHOR,DATE,CONTENT``), as in the YouTube Spam Collection.

The author's display name is the only account key such exports have. The
video is not named inside the file, so the file's stem (``Youtube05-Shakira``)
becomes every comment's ``thread_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from undertow.adapters.base import Adapter
from undertow.adapters.generic import header_sniffer, read_delimited, require_columns
from undertow.records import Item, ReadOptions, Source

COLUMNS = ("COMMENT_ID", "AUTHOR", "DATE", "CONTENT")
MAPPING = {"COMMENT_ID": "post_id", "AUTHOR": "author_id", "DATE": "created_at",
           "CONTENT": "text"}


def read(source: Source, options: ReadOptions) -> Iterator[Item]:
    require_columns(source, options, COLUMNS)
    video = source.path.name.split(".")[0]

    def hook(values: dict[str, str], rec: dict[str, Any]) -> Iterable[Item]:
        rec["author_name"] = rec.get("author_id")
        rec["thread_id"] = rec.get("thread_id") or video
        yield rec

    return read_delimited(source, options, ",", MAPPING, hook)


ADAPTER = Adapter("youtube", "youtube", "YouTube comments CSV (COMMENT_ID,AUTHOR,DATE,CONTENT)",
                  header_sniffer(COLUMNS, 0.85), read)
