"""Per-post features for detection, streamed: posts never sit in memory all at once.

Posts are read from the workspace in Arrow batches (``batch_rows`` at a time);
each batch is normalised, hashed and MinHashed in Python
(:mod:`~undertow.coordination.keys`) and its keyed rows are appended to
working tables of the engine. Everything that needs all the posts at once is
relational and left to the engine, which on DuckDB works out of core under its
memory limit:

- ``_coord_keyed``: the keyed rows of the exact signals (``text``, ``link``,
  ``hashtag``, ``reply``, ``repost``, ``object``);
- ``_coord_near_posts``, ``_coord_texts``, ``_coord_bands``: for ``near_text``,
  each comparable post with its text id, each unique text's MinHash signature
  and its LSH bands. The same text in two batches has the same id.

``near_text`` keyed rows (one per post and band) are the bulk of the work: about
ten per post. They are kept on integers (band, text, account and post ids) and
only in the cells that can pair two different texts (:func:`near_cold_rows`);
candidates are verified against their signatures in batches and named by
their accounts and posts again (:func:`verified_near_pairs`). The facts
campaigns need about posts (the text of evidence posts, the text keys of
member accounts' posts) are read back for those posts only
(:func:`evidence_posts`, :func:`member_text_keys`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from undertow.coordination.coaction import window_pairs
from undertow.coordination.keys import (
    BANDS,
    BANDS_SCHEMA,
    KEYED_SCHEMA,
    NEAR_POSTS_SCHEMA,
    POSTS_FOR_KEYS,
    TEXTS_SCHEMA,
    KeyOptions,
    keyed_rows,
    near_parts,
    post_features,
)
from undertow.coordination.textsim import estimated_jaccard, signature_matrix
from undertow.engines import Engine
from undertow.workspace import Workspace

#: Posts per batch of the feature stage: about 60 MB of posts and their features.
BATCH_ROWS = 100_000

#: Working tables of the feature stage.
STAGES = ("_coord_keyed", "_coord_near_posts", "_coord_texts", "_coord_bands",
          "_coord_near_cells", "_coord_near_cold", "_coord_near_cand", "_coord_near_ok")


@dataclass
class Features:
    """What the feature stage leaves in the engine, and how much of it."""

    keyed: Any  #: DataFrame of exact-signal keyed rows (:data:`KEYED_SCHEMA`)
    near_posts: Any | None  #: DataFrame of :data:`NEAR_POSTS_SCHEMA` (``None``: no near_text)
    texts: Any | None  #: DataFrame of :data:`TEXTS_SCHEMA`
    bands: Any | None  #: DataFrame of :data:`BANDS_SCHEMA`
    posts: int  #: posts read
    platforms: list[str]  #: platforms among them, sorted


def read_posts(ws: Workspace, batch_rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """The columns of ``posts`` that coordination reads, ``batch_rows`` at a time,
    in storage order (on a cursor of its own, so the workspace connection stays
    free for writing)."""
    cursor = ws.con.cursor()
    try:
        sql = f"SELECT {', '.join(POSTS_FOR_KEYS.names)} FROM posts"
        for batch in cursor.sql(sql).to_arrow_reader(batch_rows):
            yield pa.Table.from_batches([batch]).cast(POSTS_FOR_KEYS)
    finally:
        cursor.close()


class SeenTexts:
    """Text ids already MinHashed, as one sorted array (8 bytes a text): a text
    that comes back in a later batch is keyed again but not stored twice."""

    def __init__(self) -> None:
        self.ids = np.empty(0, dtype=np.int64)

    def new(self, tids: np.ndarray) -> np.ndarray:
        """Mask of the (unique) ``tids`` not seen before; remembers them."""
        pos = np.searchsorted(self.ids, tids)
        seen = (pos < len(self.ids)) & (self.ids[np.minimum(pos, len(self.ids) - 1)] == tids) \
            if len(self.ids) else np.zeros(len(tids), dtype=bool)
        fresh = np.sort(tids[~seen])
        self.ids = np.insert(self.ids, np.searchsorted(self.ids, fresh), fresh)
        return ~seen


def stage_features(eng: Engine, ws: Workspace, signals: tuple[str, ...],
                   options: KeyOptions, batch_rows: int = BATCH_ROWS) -> Features:
    """Stream the posts, batch by batch, into the engine's working tables."""
    near = "near_text" in signals
    keyed_w = eng.writer("_coord_keyed", KEYED_SCHEMA)
    if near:
        posts_w = eng.writer("_coord_near_posts", NEAR_POSTS_SCHEMA)
        texts_w = eng.writer("_coord_texts", TEXTS_SCHEMA)
        bands_w = eng.writer("_coord_bands", BANDS_SCHEMA)
    n_posts, platforms, seen = 0, set(), SeenTexts()
    for batch in read_posts(ws, batch_rows):
        platforms.update(pc.unique(batch["platform"]).to_pylist())
        fx = post_features(batch, options, signatures=near)
        keyed_w.write(keyed_rows(fx, signals))
        if near:
            assert fx.text_ids is not None
            posts, texts, bands = near_parts(fx, n_posts)
            fresh = seen.new(fx.text_ids)
            posts_w.write(posts)
            texts_w.write(texts.filter(pa.array(fresh)))
            bands_w.write(bands.filter(pa.array(np.repeat(fresh, BANDS))))
        n_posts += batch.num_rows
    keyed = keyed_w.finish()
    found = sorted(p for p in platforms if p)
    if not near:
        return Features(keyed, None, None, None, n_posts, found)
    return Features(keyed, posts_w.finish(), texts_w.finish(), bands_w.finish(), n_posts, found)


def near_cold_rows(eng: Engine, feats: Features, window: float, hot_accounts: int) -> Any:
    """``near_text`` keyed rows that can make a near-duplicate pair, on integers.

    One row per comparable post and LSH band of its text (``key`` = band, ``account``
    = account id, ``post_id`` = ``pid``), in the cells (band, window) that are not
    crowded (at most ``hot_accounts`` accounts; a crowded cell is never paired) and
    whose neighbourhood (the cell and the ones on either side, where its pairs
    are) holds at least two different texts. Rows anywhere else could only pair
    a text with itself, which verification drops: the pairs that survive are
    exactly those of all the rows.
    """
    F, W = eng.F, eng.Window
    assert feats.near_posts is not None and feats.bands is not None
    rows = feats.near_posts.select("pid", "tid", "acc", "ts").join(
        feats.bands, on=["tid"]).withColumn(
        "bin", F.floor(F.col("ts") / F.lit(float(window))).cast("long"))
    cells = rows.groupBy("band", "bin").agg(
        F.countDistinct("acc").alias("s"), F.min("tid").alias("tmin"),
        F.max("tid").alias("tmax")).filter(F.col("s") <= F.lit(hot_accounts))
    around = W.partitionBy("band").orderBy("bin").rangeBetween(-1, 1)
    useful = eng.persist(cells.withColumn("lo", F.min("tmin").over(around)).withColumn(
        "hi", F.max("tmax").over(around)).filter(F.col("lo") != F.col("hi")).select(
        "band", "bin"), "_coord_near_cells")
    cold = rows.join(useful, on=["band", "bin"], how="left_semi").select(
        F.lit("near_text").alias("signal"), F.col("band").alias("key"),
        F.col("acc").alias("account"), F.col("pid").alias("post_id"), "ts")
    return eng.persist(cold, "_coord_near_cold")


def verified_near_pairs(eng: Engine, cold: Any, feats: Features, window: float,
                        threshold: float, batch_rows: int = 500_000) -> Any:
    """Near-duplicate pairs among :func:`near_cold_rows`: within the window, their
    texts really similar (MinHash signatures checked in batches) and not identical.

    Columns as :func:`~undertow.coordination.coaction.window_pairs` (accounts and
    posts by name again, ``account_1 < account_2``), ``key`` naming the two texts
    (``lo~hi`` of their ids).
    """
    F = eng.F
    assert feats.near_posts is not None and feats.texts is not None
    ids = feats.near_posts.select("pid", "tid", "account", "post_id")
    cand = window_pairs(eng, cold, window).select(
        F.col("post_1").alias("pid_1"), F.col("post_2").alias("pid_2"), "ts_1", "ts_2",
        "dt").distinct()  # a pair of posts shares several bands
    named = cand.join(ids.select(F.col("pid").alias("pid_1"), F.col("tid").alias("t1"),
                                 F.col("account").alias("a1"), F.col("post_id").alias("p1")),
                      on=["pid_1"]).join(
        ids.select(F.col("pid").alias("pid_2"), F.col("tid").alias("t2"),
                   F.col("account").alias("a2"), F.col("post_id").alias("p2")), on=["pid_2"])
    cand = eng.persist(named.filter(F.col("t1") != F.col("t2"))
                       .withColumn("lo", F.least(F.col("t1"), F.col("t2")))
                       .withColumn("hi", F.greatest(F.col("t1"), F.col("t2")))
                       .drop("t1", "t2", "pid_1", "pid_2"), "_coord_near_cand")
    texts = feats.texts
    both = cand.select("lo", "hi").distinct().join(
        texts.select(F.col("tid").alias("lo"), F.col("sig").alias("sig_lo")), on=["lo"]).join(
        texts.select(F.col("tid").alias("hi"), F.col("sig").alias("sig_hi")), on=["hi"])
    ok = eng.writer("_coord_near_ok", pa.schema([("lo", pa.int64()), ("hi", pa.int64())]))
    for batch in eng.batches(both, batch_rows):
        sim = estimated_jaccard(signature_matrix(batch["sig_lo"]),
                                signature_matrix(batch["sig_hi"]))
        ok.write(batch.select(["lo", "hi"]).filter(pa.array(sim >= threshold)))
    key = F.concat(F.col("lo").cast("string"), F.lit("~"), F.col("hi").cast("string"))
    first = F.col("a1") < F.col("a2")
    return cand.join(ok.finish(), on=["lo", "hi"], how="left_semi").select(
        F.lit("near_text").alias("signal"), key.alias("key"),
        F.when(first, F.col("a1")).otherwise(F.col("a2")).alias("account_1"),
        F.when(first, F.col("p1")).otherwise(F.col("p2")).alias("post_1"),
        F.when(first, F.col("ts_1")).otherwise(F.col("ts_2")).alias("ts_1"),
        F.when(first, F.col("a2")).otherwise(F.col("a1")).alias("account_2"),
        F.when(first, F.col("p2")).otherwise(F.col("p1")).alias("post_2"),
        F.when(first, F.col("ts_2")).otherwise(F.col("ts_1")).alias("ts_2"), "dt")


def evidence_posts(ws: Workspace, wanted: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """``post_id`` → its account, text and time (epoch seconds), for the
    ``(account, post_id)`` pairs in ``wanted`` only."""
    if not wanted:
        return {}
    ids = pa.table({"account": [a for a, _ in wanted], "post_id": [p for _, p in wanted]})
    view = "_arrow_coord_evidence"
    ws.con.register(view, ids)
    try:
        rows = ws.con.sql(
            "SELECT p.platform || ':' || p.author_id AS account, p.post_id, p.text, "
            "epoch_us(p.created_at) / 1e6 AS ts "
            f"FROM posts p SEMI JOIN (SELECT DISTINCT account, post_id FROM {view}) w "
            "ON w.account = p.platform || ':' || p.author_id AND w.post_id = p.post_id"
        ).to_arrow_table()
    finally:
        ws.con.unregister(view)
    assert rows is not None
    return {r["post_id"]: r for r in rows.to_pylist()}


def member_text_keys(ws: Workspace, accounts: list[str], options: KeyOptions
                     ) -> dict[str, list[str | None]]:
    """For each account: the text key of every one of its posts (``None`` where its
    text is not compared), read back for these accounts only."""
    out: dict[str, list[str | None]] = defaultdict(list)
    if not accounts:
        return out
    view = "_arrow_coord_members"
    ws.con.register(view, pa.table({"account": sorted(set(accounts))}))
    try:
        sql = (f"SELECT {', '.join(POSTS_FOR_KEYS.names)} FROM posts WHERE "
               f"platform || ':' || author_id IN (SELECT account FROM {view})")
        for part in ws.con.sql(sql).to_arrow_reader(BATCH_ROWS):
            batch = pa.Table.from_batches([part]).cast(POSTS_FOR_KEYS)
            fx = post_features(batch, options, signatures=False)
            for account, key in zip(fx.account.tolist(), fx.text_key.tolist(), strict=True):
                out[account].append(key)
    finally:
        ws.con.unregister(view)
    return out


