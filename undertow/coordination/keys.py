"""What each post does, per signal: the keyed rows co-action is computed on.

One row per (signal, key, account, post): ``text`` (the normalised text;
scoped to the video for danmaku), ``near_text`` (one row per MinHash LSH band),
``link`` (each normalised URL), ``hashtag`` (the post's hashtag set), ``reply``
(the post answered), ``repost`` (the post shared) and ``object`` (whatever the
source names, e.g. CooRTweet's ``object_id``). Accounts are
``platform:author_id``. Reposts carry their original's text, so they take part
in ``repost``, never in ``text``.

Per-row work (normalising, hashing, MinHash) runs in Python over Arrow
batches; everything after it is relational.

Example:
    >>> import pyarrow as pa
    >>> from datetime import datetime
    >>> posts = pa.table({"platform": ["twitter"], "post_id": ["1"], "author_id": ["a"],
    ...     "created_at": [datetime(2025, 1, 1)], "text": ["Buy now! https://x.co/1 #Deal #deal"],
    ...     "hashtags": [["Deal", "deal"]], "urls_norm": [["x.co/1"]],
    ...     "reply_to_post_id": [None], "repost_of_post_id": [None], "thread_id": [None],
    ...     "object_id": [None], "notes": [None]}, schema=POSTS_FOR_KEYS)
    >>> fx = post_features(posts, KeyOptions(min_chars=4))
    >>> sorted(keyed_rows(fx)["signal"].to_pylist())
    ['hashtag', 'link', 'text']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from undertow.coordination.textsim import (
    BANDS,
    band_keys,
    minhash_signatures,
    normalize_text,
    text_key,
)
from undertow.schema import POSTS

SIGNALS = ("text", "near_text", "link", "hashtag", "reply", "repost", "object")

_TYPES = dict((name, typ) for name, _, typ in POSTS)
_KEY_COLUMNS = ("platform", "post_id", "author_id", "created_at", "text", "hashtags",
                "urls_norm", "reply_to_post_id", "repost_of_post_id", "thread_id", "object_id",
                "notes")
POSTS_FOR_KEYS = pa.schema([pa.field(c, _TYPES[c]) for c in _KEY_COLUMNS])
KEYED_SCHEMA = pa.schema([("signal", pa.string()), ("key", pa.string()),
                          ("account", pa.string()), ("post_id", pa.string()),
                          ("ts", pa.float64())])


@dataclass(frozen=True)
class KeyOptions:
    """Which texts are long enough to compare."""

    min_chars: int = 12  #: normalised characters for ``text`` / ``near_text``
    min_chars_thread: int = 4  #: for danmaku lines, which are short and scoped to a video


@dataclass
class PostFeatures:
    """Per-post derived columns, aligned with the input posts."""

    account: np.ndarray  #: ``platform:author_id``
    post_id: np.ndarray
    platform: np.ndarray
    ts: np.ndarray  #: epoch seconds
    text_key: np.ndarray  #: object array, ``None`` where the text is not compared
    thread_scoped: np.ndarray  #: bool: text key scoped to the video (danmaku)
    norm_index: np.ndarray  #: row of the post's text in ``signatures`` (-1: none)
    signatures: np.ndarray  #: MinHash signatures of the unique comparable texts
    posts: pa.Table


def _is_repost(repost: str | None, notes: str | None, norm: str) -> bool:
    return bool(repost) or (notes is not None and "retweet" in notes) or norm.startswith("rt ")


def post_features(posts: pa.Table, options: KeyOptions | None = None) -> PostFeatures:
    """Normalise and hash every post's text; MinHash the comparable unique texts."""
    options = options or KeyOptions()
    platform = posts["platform"].to_numpy(zero_copy_only=False)
    author = posts["author_id"].to_numpy(zero_copy_only=False)
    account = np.char.add(np.char.add(platform.astype(str), ":"), author.astype(str)).astype(
        object)
    ts = pc.cast(posts["created_at"], pa.int64()).to_numpy(zero_copy_only=False) / 1e6
    texts = posts["text"].to_pylist()
    reposts = posts["repost_of_post_id"].to_pylist()
    notes = posts["notes"].to_pylist()
    scoped = np.array([p == "bilibili" for p in platform], dtype=bool)
    keys = np.empty(len(texts), dtype=object)
    norm_index = np.full(len(texts), -1, dtype=np.int64)
    uniques: dict[str, int] = {}
    for i, text in enumerate(texts):
        norm = normalize_text(text or "")
        if _is_repost(reposts[i], notes[i], norm):
            continue
        need = options.min_chars_thread if scoped[i] else options.min_chars
        if len(norm.replace(" ", "")) < need:
            continue
        keys[i] = text_key(norm)
        if not scoped[i]:
            norm_index[i] = uniques.setdefault(norm, len(uniques))
    signatures = minhash_signatures(list(uniques))
    return PostFeatures(account, posts["post_id"].to_numpy(zero_copy_only=False), platform, ts,
                        keys, scoped, norm_index, signatures, posts)


def _rows(signal: str, key: np.ndarray, fx: PostFeatures, idx: np.ndarray) -> pa.Table:
    return pa.table({
        "signal": pa.array(np.full(len(idx), signal, dtype=object), pa.string()),
        "key": pa.array(key, pa.string()),
        "account": pa.array(fx.account[idx], pa.string()),
        "post_id": pa.array(fx.post_id[idx], pa.string()),
        "ts": pa.array(fx.ts[idx], pa.float64()),
    }, schema=KEYED_SCHEMA)


def _scalar_signal(fx: PostFeatures, signal: str, column: str, scope: bool) -> pa.Table:
    values = fx.posts[column].to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(pc.is_valid(fx.posts[column]).to_numpy(zero_copy_only=False))
    keys = values[idx].astype(object)
    if scope:
        keys = np.char.add(np.char.add(fx.platform[idx].astype(str), ":"),
                           keys.astype(str)).astype(object)
    return _rows(signal, keys, fx, idx)


def _link_signal(fx: PostFeatures) -> pa.Table:
    urls = fx.posts["urls_norm"]
    flat = pc.list_flatten(urls).to_numpy(zero_copy_only=False)
    parent = pc.list_parent_indices(urls).to_numpy(zero_copy_only=False)
    table = _rows("link", flat.astype(object), fx, parent)
    return table.group_by(["signal", "key", "account", "post_id", "ts"]).aggregate([]) \
        .select(KEYED_SCHEMA.names) if table.num_rows else table


def _hashtag_signal(fx: PostFeatures) -> pa.Table:
    tags = fx.posts["hashtags"].to_pylist()
    idx, keys = [], []
    for i, row in enumerate(tags):
        if row:
            idx.append(i)
            keys.append(" ".join(sorted({t.lower() for t in row})))
    return _rows("hashtag", np.array(keys, dtype=object), fx, np.array(idx, dtype=np.int64))


def _text_signal(fx: PostFeatures) -> pa.Table:
    idx = np.flatnonzero(fx.text_key != None)  # noqa: E711 (object array)
    keys = fx.text_key[idx]
    scoped = fx.thread_scoped[idx]
    if scoped.any():
        threads = fx.posts["thread_id"].to_numpy(zero_copy_only=False)[idx]
        keys = np.where(scoped, np.char.add(np.char.add(threads.astype(str), "|"),
                                            keys.astype(str)).astype(object), keys)
    return _rows("text", keys, fx, idx)


def near_text_rows(fx: PostFeatures) -> pa.Table:
    """One row per LSH band per comparable post: key = the band's hash."""
    idx = np.flatnonzero(fx.norm_index >= 0)
    if len(idx) == 0:
        return KEYED_SCHEMA.empty_table()
    bands = band_keys(fx.signatures)[fx.norm_index[idx]]  # (n, BANDS)
    keys = bands.reshape(-1).astype(str).astype(object)
    rep = np.repeat(idx, BANDS)
    return _rows("near_text", keys, fx, rep)


def keyed_rows(fx: PostFeatures, signals: tuple[str, ...] = SIGNALS) -> pa.Table:
    """Keyed rows of every signal in ``signals`` except ``near_text`` (see
    :func:`near_text_rows`)."""
    parts = []
    if "text" in signals:
        parts.append(_text_signal(fx))
    if "link" in signals:
        parts.append(_link_signal(fx))
    if "hashtag" in signals:
        parts.append(_hashtag_signal(fx))
    if "reply" in signals:
        parts.append(_scalar_signal(fx, "reply", "reply_to_post_id", scope=True))
    if "repost" in signals:
        parts.append(_scalar_signal(fx, "repost", "repost_of_post_id", scope=True))
    if "object" in signals:
        parts.append(_scalar_signal(fx, "object", "object_id", scope=False))
    return pa.concat_tables(parts) if parts else KEYED_SCHEMA.empty_table()
