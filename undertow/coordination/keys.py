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
For ``near_text`` a batch gives (:func:`near_parts`) each comparable post's
text and its text's LSH bands, and each unique text's check bits (a short form
of its MinHash signature); which bands two different texts share is then found
by the engine over all batches (:mod:`undertow.coordination.features`). The engine sees keys,
accounts and posts as integers (:func:`keyed_ids`): joins over millions of rows
compare 8 bytes, not whole texts, and names come back only for what is shown
(:func:`post_names` and the key names).

Example:
    >>> import pyarrow as pa
    >>> from datetime import datetime
    >>> posts = pa.table({"platform": ["twitter"], "post_id": ["1"], "author_id": ["a"],
    ...     "created_at": [datetime(2025, 1, 1)], "text": ["Buy now! https://x.co/1 #Deal #deal"],
    ...     "hashtags": [["Deal", "deal"]], "urls_norm": [["x.co/1"]],
    ...     "reply_to_post_id": [None], "repost_of_post_id": [None], "thread_id": [None],
    ...     "object_id": [None], "notes": [None]}, schema=POSTS_FOR_KEYS)
    >>> fx = post_features(posts, KeyOptions(min_chars=4))
    >>> sorted(zip(*keyed_rows(fx).select(["signal", "key"]).to_pydict().values()))
    [('hashtag', 'deal'), ('link', 'x.co/1'), ('text', 'buy now deal deal')]
    >>> ids, names = keyed_ids(fx)
    >>> ids.schema.field("key").type, names.num_rows
    (DataType(int64), 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from undertow.coordination.accountids import account_ids
from undertow.coordination.textsim import (
    BANDS,
    band_keys,
    check_bits,
    minhash_signatures,
    mix64,
    normalize_texts,
    text_ids,
)
from undertow.schema import POSTS

SIGNALS = ("text", "near_text", "link", "hashtag", "reply", "repost", "object")

_TYPES = dict((name, typ) for name, _, typ in POSTS)
_KEY_COLUMNS = ("platform", "post_id", "author_id", "created_at", "text", "hashtags",
                "urls_norm", "reply_to_post_id", "repost_of_post_id", "thread_id", "object_id",
                "notes")
POSTS_FOR_KEYS = pa.schema([pa.field(c, _TYPES[c]) for c in _KEY_COLUMNS])
#: Keyed rows as the relational steps see them: all integers. ``key`` is the
#: signal and key's id (:func:`~undertow.coordination.textsim.text_ids` of
#: ``signal\x1fkey``), ``account`` the account's id (of ``platform:author_id``) and
#: ``post_id`` the post's number in the run (``pid``); :data:`POST_NAMES_SCHEMA` and
#: :data:`KEY_NAMES_SCHEMA` name them again for the few rows that are shown.
KEYED_SCHEMA = pa.schema([("signal", pa.string()), ("key", pa.int64()),
                          ("account", pa.int64()), ("post_id", pa.int64()),
                          ("ts", pa.float64())])
#: Keyed rows with their names (what :func:`keyed_rows` returns, for reading).
NAMED_KEYED_SCHEMA = pa.schema([("signal", pa.string()), ("key", pa.string()),
                                ("account", pa.string()), ("post_id", pa.string()),
                                ("ts", pa.float64())])
#: Each post's number in the run, its account's id, account and post id.
POST_NAMES_SCHEMA = pa.schema([("pid", pa.int64()), ("acc", pa.int64()),
                               ("account", pa.string()), ("post_id", pa.string())])
#: A key's id and its name (the normalised text, URL, hashtag set, post replied to...).
KEY_NAMES_SCHEMA = pa.schema([("signal", pa.string()), ("key", pa.int64()),
                              ("name", pa.string())])
#: A comparable post: ``pid`` numbers it within one run, ``tid`` numbers its text (in
#: the order texts are first read; :class:`~undertow.coordination.features.TextNumbers`)
#: and ``acc`` is its account's id (:func:`~undertow.coordination.textsim.text_ids`), so
#: that near-duplicate candidates are found on integers (:data:`POST_NAMES_SCHEMA` names
#: it). ``b0`` ... ``b15`` are its text's LSH bands
#: (:func:`~undertow.coordination.textsim.band_keys`).
NEAR_POSTS_SCHEMA = pa.schema([("pid", pa.int64()), ("tid", pa.int64()), ("acc", pa.int64()),
                               ("ts", pa.float64())]
                              + [(f"b{k}", pa.int64()) for k in range(BANDS)])


@dataclass(frozen=True)
class KeyOptions:
    """Which texts are long enough to compare."""

    min_chars: int = 12  #: normalised characters for ``text`` / ``near_text``
    min_chars_thread: int = 4  #: for danmaku lines, which are short and scoped to a video


@dataclass
class PostFeatures:
    """Per-post derived columns, aligned with the input posts."""

    accounts: pa.Array  #: ``platform:author_id``
    post_ids: pa.Array
    platform: np.ndarray
    ts: np.ndarray  #: epoch seconds
    text_key: pa.Array  #: the normalised text, null where the text is not compared
    thread_scoped: np.ndarray  #: bool: text key scoped to the video (danmaku)
    norm_index: np.ndarray  #: row of the post's text in ``signatures`` (-1: none)
    signatures: np.ndarray  #: MinHash signatures of the unique comparable texts
    posts: pa.Table
    account_ids: np.ndarray  #: id of each post's account
    text_ids: np.ndarray | None = None  #: id of each row of ``signatures``


def _is_repost(posts: pa.Table) -> np.ndarray:
    """Reposts carry someone else's text: a repost target, a retweet note, or ``RT @``."""
    marked = pc.fill_null(pc.match_substring(posts["notes"], "retweet"), False)
    rt = pc.fill_null(pc.starts_with(pc.utf8_lower(posts["text"]), "rt @"), False)
    flags = pc.or_(pc.or_(pc.is_valid(posts["repost_of_post_id"]), marked), rt)
    return np.asarray(flags.to_numpy(zero_copy_only=False), dtype=bool)


def post_features(posts: pa.Table, options: KeyOptions | None = None,
                  signatures: bool = True, texts: bool = True) -> PostFeatures:
    """Normalise every post's text; MinHash the comparable unique texts (vectorised;
    not when ``signatures`` is false: then only the text keys are wanted; neither
    when ``texts`` is false: then no text is compared)."""
    options = options or KeyOptions()
    accounts = account_ids(posts["platform"], posts["author_id"])
    accounts = accounts.combine_chunks() if isinstance(accounts, pa.ChunkedArray) else accounts
    post_ids = posts["post_id"].combine_chunks()
    platform = posts["platform"].to_numpy(zero_copy_only=False)
    ts = pc.cast(posts["created_at"], pa.int64()).to_numpy(zero_copy_only=False) / 1e6
    norm = normalize_texts(posts["text"]) if texts else pa.nulls(posts.num_rows, pa.string())
    length = pc.fill_null(pc.utf8_length(pc.replace_substring(norm, " ", "")), 0).to_numpy(
        zero_copy_only=False)
    scoped = platform == "bilibili"
    need = np.where(scoped, options.min_chars_thread, options.min_chars)
    eligible = (~_is_repost(posts)) & (length >= need)
    keys = pc.if_else(pa.array(eligible), norm, pa.scalar(None, pa.string()))
    comparable = eligible & ~scoped
    norm_index = np.full(len(keys), -1, dtype=np.int64)
    where = np.flatnonzero(comparable)
    encoded = pc.dictionary_encode(norm.take(pa.array(where)))
    norm_index[where] = encoded.indices.to_numpy(zero_copy_only=False)
    unique = encoded.dictionary
    signatures = signatures and texts
    sigs = minhash_signatures(unique.to_pylist()) if signatures else np.empty(
        (0, 0), dtype=np.uint32)
    return PostFeatures(accounts, post_ids, platform, ts, keys, scoped, norm_index, sigs, posts,
                        text_ids(accounts), text_ids(unique) if signatures else None)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def key_ids(signal: str, keys: pa.Array) -> np.ndarray:
    """A 64-bit id (int64) per key of ``signal``: the same key of another signal
    gets another id, the same key in any batch or run the same one."""
    with np.errstate(over="ignore"):
        salt = np.uint64(SIGNALS.index(signal) + 1) * _GOLDEN
        return mix64(text_ids(keys).view(np.uint64) + salt).view(np.int64)


def _rows(signal: str, key: pa.Array, idx: np.ndarray) -> pa.Table:
    """One signal's keyed rows in a batch: ``signal, name, key`` (its id), ``row``
    (the post's row in the batch)."""
    n = len(idx)
    return pa.table({"signal": pa.array([signal], pa.string()).take(
        pa.array(np.zeros(n, np.int64))), "name": key,
        "key": pa.array(key_ids(signal, key) if n else np.empty(0, np.int64), pa.int64()),
        "row": pa.array(idx, pa.int64())})


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
    return _rows(signal, keys, idx)


def _distinct_per_row(parent: np.ndarray, values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Each row's distinct ``values`` (``parent`` says whose), sorted: the rows that
    have any, and their values as lists."""
    table = pa.table({"row": pa.array(parent, pa.int64()), "value": values}).filter(
        pc.is_valid(values)).group_by(["row", "value"]).aggregate([]).sort_by(
        [("row", "ascending"), ("value", "ascending")])
    rows = table["row"].to_numpy()
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else rows
    offsets = pa.array(np.r_[starts, len(rows)], pa.int32())
    return rows[starts], pa.ListArray.from_arrays(offsets, table["value"].combine_chunks())


def _link_signal(fx: PostFeatures) -> pa.Table:
    urls = _column(fx, "urls_norm")
    rows, lists = _distinct_per_row(pc.list_parent_indices(urls).to_numpy(),
                                    pc.list_flatten(urls))
    counts = pc.list_value_length(lists).to_numpy(zero_copy_only=False)
    return _rows("link", pc.list_flatten(lists), np.repeat(rows, counts))


def _hashtag_signal(fx: PostFeatures) -> pa.Table:
    """The post's hashtag set, case-folded and sorted, as one key."""
    tags = _column(fx, "hashtags")
    rows, lists = _distinct_per_row(pc.list_parent_indices(tags).to_numpy(),
                                    pc.utf8_lower(pc.list_flatten(tags)))
    return _rows("hashtag", pc.binary_join(lists, " "), rows)


def _text_signal(fx: PostFeatures) -> pa.Table:
    idx = np.flatnonzero(pc.is_valid(fx.text_key).to_numpy(zero_copy_only=False))
    keys = fx.text_key.take(pa.array(idx, pa.int64()))
    scoped = fx.thread_scoped[idx]
    if scoped.any():  # a danmaku line counts on its own video only
        threads = _column(fx, "thread_id").take(pa.array(idx, pa.int64()))
        keys = pc.if_else(pa.array(scoped),
                          pc.binary_join_element_wise(pc.fill_null(threads, ""), keys, "|"),
                          keys)
    return _rows("text", keys, idx)


def near_parts(fx: PostFeatures, first_pid: int = 0) -> tuple[pa.Table, np.ndarray]:
    """One batch's share of ``near_text``: each comparable post with its text's bands
    (:data:`NEAR_POSTS_SCHEMA`; ``pid`` = ``first_pid`` + its row in the batch), and the
    check bits of each unique text (:func:`~undertow.coordination.textsim.check_bits`,
    one row per text). ``tid`` is here the text's row among the batch's unique texts
    (``fx.text_ids``): the caller numbers the texts over all batches.

    The same text in two batches gets the same id, signature and bands, so the
    bands two different texts share are found over all batches.
    """
    assert fx.text_ids is not None, "post_features(..., signatures=True)"
    idx = np.flatnonzero(fx.norm_index >= 0)
    bands = band_keys(fx.signatures) if len(fx.signatures) else np.empty((0, BANDS), np.int64)
    mine = bands[fx.norm_index[idx]]
    posts = pa.table({"pid": pa.array(idx + first_pid, pa.int64()),
                      "tid": pa.array(fx.norm_index[idx], pa.int64()),
                      "acc": pa.array(fx.account_ids[idx], pa.int64()),
                      "ts": pa.array(fx.ts[idx], pa.float64()),
                      **{f"b{k}": pa.array(mine[:, k], pa.int64()) for k in range(BANDS)}},
                     schema=NEAR_POSTS_SCHEMA)
    return posts, check_bits(fx.signatures)


def _signal_rows(fx: PostFeatures, signals: tuple[str, ...]) -> pa.Table:
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
    return pa.concat_tables(parts) if parts else _rows("text", pa.array([], pa.string()),
                                                       np.empty(0, np.int64))


def keyed_rows(fx: PostFeatures, signals: tuple[str, ...] = SIGNALS) -> pa.Table:
    """Keyed rows of every signal in ``signals`` except ``near_text``, by name
    (:data:`NAMED_KEYED_SCHEMA`; detection works on :func:`keyed_ids`)."""
    rows = _signal_rows(fx, signals)
    take = rows["row"]
    return pa.table({"signal": rows["signal"], "key": rows["name"],
                     "account": fx.accounts.take(take),
                     "post_id": fx.post_ids.take(take),
                     "ts": pa.array(fx.ts[rows["row"].to_numpy()], pa.float64())},
                    schema=NAMED_KEYED_SCHEMA)


def keyed_ids(fx: PostFeatures, signals: tuple[str, ...] = SIGNALS, first_pid: int = 0
              ) -> tuple[pa.Table, pa.Table]:
    """:func:`keyed_rows` on integers (:data:`KEYED_SCHEMA`; post ``n`` of the batch is
    ``first_pid + n``) and the names of their keys (:data:`KEY_NAMES_SCHEMA`, each
    key once)."""
    rows = _signal_rows(fx, signals)
    row = rows["row"].to_numpy()
    ids = pa.table({"signal": rows["signal"], "key": rows["key"],
                    "account": pa.array(fx.account_ids[row], pa.int64()),
                    "post_id": pa.array(row + first_pid, pa.int64()),
                    "ts": pa.array(fx.ts[row], pa.float64())}, schema=KEYED_SCHEMA)
    _, first = np.unique(rows["key"].to_numpy(), return_index=True)
    take = pa.array(first, pa.int64())
    names = pa.table({"signal": rows["signal"].take(take), "key": rows["key"].take(take),
                      "name": rows["name"].take(take)}, schema=KEY_NAMES_SCHEMA)
    return ids, names


def post_names(fx: PostFeatures, first_pid: int = 0) -> pa.Table:
    """Every post of the batch by number, account id and name (:data:`POST_NAMES_SCHEMA`)."""
    n = len(fx.ts)
    return pa.table({"pid": pa.array(np.arange(first_pid, first_pid + n), pa.int64()),
                     "acc": pa.array(fx.account_ids, pa.int64()),
                     "account": fx.accounts, "post_id": fx.post_ids},
                    schema=POST_NAMES_SCHEMA)
