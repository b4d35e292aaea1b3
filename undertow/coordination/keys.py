"""What each post does, per signal: the keyed rows co-action is computed on.

One row per (signal, key, account, post): ``text`` (the normalised text;
scoped to the video for danmaku), ``near_text`` (one row per MinHash LSH band),
``link`` (each normalised URL), ``hashtag`` (the post's hashtag set), ``reply``
(the post answered), ``repost`` (the post shared) and ``object`` (whatever the
source names, e.g. CooRTweet's ``object_id``). Accounts are
``platform:author_id``. Reposts carry their original's text, so they take part
in ``repost``, never in ``text``.

Per-row work (normalising, hashing, MinHash) runs in Python over Arrow
batches, one batch of posts at a time; everything after it is relational.
For ``near_text`` a batch gives three tables (:func:`near_parts`): each
comparable post's text id, each unique text's MinHash signature and its LSH
bands; which bands two different texts share is then found by the engine over
all batches (:mod:`undertow.coordination.features`).

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
    normalize_texts,
    signature_array,
    text_ids,
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
#: A comparable post: ``pid`` numbers it within one run, ``tid`` is its text's id and
#: ``acc`` its account's (:func:`~undertow.coordination.textsim.text_ids`), so that
#: near-duplicate candidates are found on integers; ``account``/``post_id`` name it.
NEAR_POSTS_SCHEMA = pa.schema([("pid", pa.int64()), ("tid", pa.int64()), ("acc", pa.int64()),
                               ("ts", pa.float64()), ("account", pa.string()),
                               ("post_id", pa.string())])
#: A unique comparable text's MinHash signature (``NUM_PERM`` uint32 as bytes).
TEXTS_SCHEMA = pa.schema([("tid", pa.int64()), ("sig", pa.binary())])
#: One row per LSH band of a unique comparable text.
BANDS_SCHEMA = pa.schema([("tid", pa.int64()), ("band", pa.int64())])


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
    text_key: np.ndarray  #: the normalised text, ``None`` where the text is not compared
    thread_scoped: np.ndarray  #: bool: text key scoped to the video (danmaku)
    norm_index: np.ndarray  #: row of the post's text in ``signatures`` (-1: none)
    signatures: np.ndarray  #: MinHash signatures of the unique comparable texts
    posts: pa.Table
    accounts_arrow: pa.Array | None = None
    post_ids_arrow: pa.Array | None = None
    text_ids: np.ndarray | None = None  #: id of each row of ``signatures``


def _is_repost(posts: pa.Table) -> np.ndarray:
    """Reposts carry someone else's text: a repost target, a retweet note, or ``RT @``."""
    marked = pc.fill_null(pc.match_substring(posts["notes"], "retweet"), False)
    rt = pc.fill_null(pc.starts_with(pc.utf8_lower(posts["text"]), "rt @"), False)
    flags = pc.or_(pc.or_(pc.is_valid(posts["repost_of_post_id"]), marked), rt)
    return np.asarray(flags.to_numpy(zero_copy_only=False), dtype=bool)


def post_features(posts: pa.Table, options: KeyOptions | None = None,
                  signatures: bool = True) -> PostFeatures:
    """Normalise every post's text; MinHash the comparable unique texts (vectorised;
    not when ``signatures`` is false: then only the text keys are wanted)."""
    options = options or KeyOptions()
    accounts = pc.binary_join_element_wise(posts["platform"], posts["author_id"], ":")
    accounts = accounts.combine_chunks() if isinstance(accounts, pa.ChunkedArray) else accounts
    post_ids = posts["post_id"].combine_chunks()
    platform = posts["platform"].to_numpy(zero_copy_only=False)
    ts = pc.cast(posts["created_at"], pa.int64()).to_numpy(zero_copy_only=False) / 1e6
    norm = normalize_texts(posts["text"])
    length = pc.utf8_length(pc.replace_substring(norm, " ", "")).to_numpy(zero_copy_only=False)
    scoped = platform == "bilibili"
    need = np.where(scoped, options.min_chars_thread, options.min_chars)
    eligible = (~_is_repost(posts)) & (length >= need)
    keys = np.asarray(norm.to_numpy(zero_copy_only=False), dtype=object)
    keys[~eligible] = None
    comparable = eligible & ~scoped
    norm_index = np.full(len(keys), -1, dtype=np.int64)
    where = np.flatnonzero(comparable)
    encoded = pc.dictionary_encode(norm.take(pa.array(where)))
    norm_index[where] = encoded.indices.to_numpy(zero_copy_only=False)
    unique = encoded.dictionary
    sigs = minhash_signatures(unique.to_pylist()) if signatures else np.empty(
        (0, 0), dtype=np.uint32)
    return PostFeatures(np.asarray(accounts.to_numpy(zero_copy_only=False), dtype=object),
                        np.asarray(post_ids.to_numpy(zero_copy_only=False), dtype=object),
                        platform, ts, keys, scoped, norm_index, sigs, posts,
                        accounts, post_ids, text_ids(unique) if signatures else None)


def _rows(signal: str, key: pa.Array | np.ndarray, fx: PostFeatures, idx: np.ndarray
          ) -> pa.Table:
    take = pa.array(idx, pa.int64())
    assert fx.accounts_arrow is not None and fx.post_ids_arrow is not None
    return pa.table({
        "signal": pa.array([signal], pa.string()).take(pa.array(np.zeros(len(idx), np.int64))),
        "key": key if isinstance(key, pa.Array) else pa.array(key, pa.string()),
        "account": fx.accounts_arrow.take(take),
        "post_id": fx.post_ids_arrow.take(take),
        "ts": pa.array(fx.ts[idx], pa.float64()),
    }, schema=KEYED_SCHEMA)


def _column(fx: PostFeatures, name: str) -> pa.Array:
    col = fx.posts[name]
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _scalar_signal(fx: PostFeatures, signal: str, column: str, scope: bool) -> pa.Table:
    values = _column(fx, column)
    idx = np.flatnonzero(pc.is_valid(values).to_numpy(zero_copy_only=False))
    take = pa.array(idx, pa.int64())
    keys = values.take(take)
    if scope:  # post ids are unique within a platform only
        keys = pc.binary_join_element_wise(_column(fx, "platform").take(take), keys, ":")
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
    keys = pa.array(fx.text_key[idx], pa.string())
    scoped = fx.thread_scoped[idx]
    if scoped.any():  # a danmaku line counts on its own video only
        threads = _column(fx, "thread_id").take(pa.array(idx, pa.int64()))
        keys = pc.if_else(pa.array(scoped),
                          pc.binary_join_element_wise(pc.fill_null(threads, ""), keys, "|"),
                          keys)
    return _rows("text", keys, fx, idx)


def near_text_rows(fx: PostFeatures) -> pa.Table:
    """One row per LSH band per comparable post, keyed by the band's hash; only
    bands that two different texts share (the rest can never pair)."""
    if len(fx.signatures) == 0:
        return KEYED_SCHEMA.empty_table()
    bands = band_keys(fx.signatures)  # (unique texts, BANDS)
    shared = np.zeros(bands.shape, dtype=bool)
    for j in range(BANDS):
        _, inverse, counts = np.unique(bands[:, j], return_inverse=True, return_counts=True)
        shared[:, j] = counts[inverse] >= 2
    idx = np.flatnonzero(fx.norm_index >= 0)
    rows_of_posts = fx.norm_index[idx]
    post_band = shared[rows_of_posts]  # (posts, BANDS)
    which_post, which_band = np.nonzero(post_band)
    keys = bands[rows_of_posts[which_post], which_band]
    key_text = pc.cast(pa.array(keys, pa.int64()), pa.string())
    return _rows("near_text", key_text, fx, idx[which_post])


def near_parts(fx: PostFeatures, first_pid: int = 0) -> tuple[pa.Table, pa.Table, pa.Table]:
    """One batch's share of ``near_text``: each comparable post with its text id
    (:data:`NEAR_POSTS_SCHEMA`; ``pid`` = ``first_pid`` + its row in the batch), each
    unique text's signature (:data:`TEXTS_SCHEMA`) and its bands (:data:`BANDS_SCHEMA`).

    The same text in two batches gets the same id, signature and bands; joining
    the posts to the bands two different texts share gives exactly
    :func:`near_text_rows` over all the posts at once.
    """
    assert fx.text_ids is not None, "post_features(..., signatures=True)"
    idx = np.flatnonzero(fx.norm_index >= 0)
    take = pa.array(idx, pa.int64())
    assert fx.accounts_arrow is not None and fx.post_ids_arrow is not None
    accounts = fx.accounts_arrow.take(take)
    posts = pa.table({"pid": pa.array(idx + first_pid, pa.int64()),
                      "tid": pa.array(fx.text_ids[fx.norm_index[idx]], pa.int64()),
                      "acc": pa.array(text_ids(accounts), pa.int64()),
                      "ts": pa.array(fx.ts[idx], pa.float64()),
                      "account": accounts,
                      "post_id": fx.post_ids_arrow.take(take)}, schema=NEAR_POSTS_SCHEMA)
    texts = pa.table({"tid": pa.array(fx.text_ids, pa.int64()),
                      "sig": signature_array(fx.signatures)}, schema=TEXTS_SCHEMA)
    bands = band_keys(fx.signatures) if len(fx.signatures) else np.empty((0, BANDS), np.int64)
    band_rows = pa.table({"tid": pa.array(np.repeat(fx.text_ids, BANDS), pa.int64()),
                          "band": pa.array(bands.ravel(), pa.int64())}, schema=BANDS_SCHEMA)
    return posts, texts, band_rows


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
