"""How detection names an account: ``platform:author_id``, one string.

Author ids are unique within a platform only, so an account is its platform and its
author id. The first colon ends the platform: ``%`` and ``:`` in a platform name are
written ``%25`` and ``%3A`` (a Mastodon instance ``mastodon:social``, say), while
the author id is kept as it is, colons and all (``urn:li:person:7``). The same id is
made in three places: over Arrow batches (:func:`account_ids`), in DataFrame plans
(:func:`account_column`) and in SQL text (:func:`account_sql`); :func:`split_account`
takes it apart again.

Example:
    >>> import pyarrow as pa
    >>> ids = account_ids(pa.array(["weibo", "mastodon:social"]), pa.array(["7", "a:b"]))
    >>> ids.to_pylist()
    ['weibo:7', 'mastodon%3Asocial:a:b']
    >>> [split_account(a) for a in ids.to_pylist()]
    [('weibo', '7'), ('mastodon:social', 'a:b')]
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def account_ids(platform: pa.Array | pa.ChunkedArray,
                author: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``platform:author_id`` for each row (Arrow); null where either is null."""
    if pc.any(pc.match_substring_regex(pc.unique(platform), "[%:]")).as_py():
        platform = pc.replace_substring(pc.replace_substring(platform, "%", "%25"), ":", "%3A")
    return pc.binary_join_element_wise(platform, author, ":")


def account_column(F: Any, platform: Any, author: Any) -> Any:
    """``platform:author_id`` as a DataFrame column (``F``: the engine's functions)."""
    escaped = F.replace(F.replace(platform, F.lit("%"), F.lit("%25")), F.lit(":"), F.lit("%3A"))
    return F.concat(escaped, F.lit(":"), author)


def account_sql(table: str) -> str:
    """``platform:author_id`` of the rows of ``table`` (a name or alias, never data) as
    a SQL expression.

    >>> account_sql("p")
    "replace(replace(p.platform, '%', '%25'), ':', '%3A') || ':' || p.author_id"
    """
    return (f"replace(replace({table}.platform, '%', '%25'), ':', '%3A') || ':' || "
            f"{table}.author_id")


def split_account(account: str) -> tuple[str, str]:
    """``platform:author_id`` → ``(platform, author_id)``.

    >>> split_account("100%25%3Aone:x:y")
    ('100%:one', 'x:y')
    """
    platform, _, author = account.partition(":")
    if "%" in platform:
        platform = platform.replace("%3A", ":").replace("%25", "%")
    return platform, author
