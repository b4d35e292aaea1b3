"""Per-post features for detection, streamed: posts never sit in memory all at once.

Posts are read from the workspace in Arrow batches (``batch_rows`` at a time);
each batch is normalised, hashed and MinHashed in Python
(:mod:`~undertow.coordination.keys`, one thread per core) and its rows are
appended to working tables of the engine. Everything that needs all the posts
at once is relational and left to the engine, which on DuckDB works out of core
under its memory limit. The relational steps see integers only: a key's id, an
account's id and the post's number in the run.

- ``_coord_keyed``: the keyed rows of the exact signals (``text``, ``link``,
  ``hashtag``, ``reply``, ``repost``, ``object``);
- ``_coord_key_names``, ``_coord_post_names``: what the integers stand for, read
  back (:class:`Names`) only for what is shown: the accounts of significant
  edges, evidence posts, the keys campaigns list;
- ``_coord_near_posts``: for ``near_text``, each comparable post with its
  text's number and LSH bands. Texts are numbered in the order they are first
  read (:class:`TextNumbers`, which also keeps each text's check bits in
  memory); the same text in two batches has the same number.

``near_text`` rows (one per post and band, sixteen per post) are the bulk of
the work: they are joined on integers only and a part of the bands at a time
(:func:`near_candidates`), and each candidate pair of texts is verified once
against their check bits, in batches (:func:`verified_near_pairs`). The facts
campaigns need about posts (the text of evidence posts, the text keys of member
accounts' posts) are read back for those posts only (:func:`evidence_posts`,
:func:`member_text_keys`).
"""

from __future__ import annotations

import os
from collections import defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from undertow.coordination.accountids import account_sql
from undertow.coordination.keys import (
    BANDS,
    KEY_NAMES_SCHEMA,
    KEYED_SCHEMA,
    NEAR_POSTS_SCHEMA,
    POST_NAMES_SCHEMA,
    POSTS_FOR_KEYS,
    KeyOptions,
    keyed_ids,
    near_parts,
    post_features,
    post_names,
)
from undertow.coordination.textsim import NUM_PERM, bbit_jaccard, text_ids
from undertow.engines import Engine
from undertow.workspace import Workspace

#: Posts per batch of the feature stage: about 60 MB of posts and their features.
BATCH_ROWS = 100_000
#: Fewest posts a batch is cut down to so that small workspaces use every core.
MIN_SPLIT_ROWS = 10_000

#: Working tables of the feature stage.
STAGES = ("_coord_keyed", "_coord_key_names", "_coord_post_names", "_coord_near_posts",
          "_coord_near_all", "_coord_near_even",
          "_coord_near_odd", "_coord_near_rows", "_coord_near_cells",
          "_coord_near_cold", "_coord_near_cand", "_coord_near_ok", "_coord_near_names")


@dataclass
class Features:
    """What the feature stage leaves in the engine, and how much of it."""

    keyed: Any  #: DataFrame of exact-signal keyed rows (:data:`KEYED_SCHEMA`)
    key_names: Any  #: DataFrame of :data:`KEY_NAMES_SCHEMA` (a key may repeat)
    post_names: Any  #: DataFrame of :data:`POST_NAMES_SCHEMA`: every post with a key
    near_posts: Any | None  #: DataFrame of :data:`NEAR_POSTS_SCHEMA` (``None``: no near_text)
    texts: TextNumbers | None  #: the comparable texts, numbered, with their check bits
    posts: int  #: posts read
    platforms: list[str]  #: platforms among them, sorted


def read_posts(ws: Workspace, batch_rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """The columns of ``posts`` that coordination reads, ``batch_rows`` at a time,
    in storage order (on a cursor of its own, so the workspace connection stays
    free for writing).

    The order is kept even where the connection lets DuckDB drop it
    (``preserve_insertion_order``, off while ``detect`` runs): posts are numbered
    in the order they are read, and evidence that ties on time is chosen by those
    numbers, so another order would show other posts on another run.
    """
    cursor = ws.con.cursor()
    try:
        cursor.execute("SET SESSION preserve_insertion_order = true")
        sql = f"SELECT {', '.join(POSTS_FOR_KEYS.names)} FROM posts"
        for batch in cursor.sql(sql).to_arrow_reader(batch_rows):
            yield pa.Table.from_batches([batch]).cast(POSTS_FOR_KEYS)
    finally:
        cursor.close()


class TextNumbers:
    """The comparable texts of a run, numbered 0, 1, ... in the order they are first
    read: their ids sorted with their numbers (16 bytes a text), to know a text that
    comes back in a later batch, and by number each text's id and check bits
    (:func:`~undertow.coordination.textsim.check_bits`; 56 bytes a text), so that
    candidate pairs are verified in memory, not by joining signatures in the engine
    (at 10M simulated posts, 58M pairs of texts: a join of 50 s).

    ``capacity`` is the texts expected (at most the posts to read): only the rows
    used take memory, and more texts than that make room for themselves.

    >>> numbers = TextNumbers(10)
    >>> bits = np.zeros((3, NUM_PERM), np.uint8)
    >>> numbers.add(np.array([7, 3, 9]), bits).tolist()
    [0, 1, 2]
    >>> numbers.add(np.array([9, 5]), bits[:2]).tolist()
    [2, 3]
    >>> numbers.ids.tolist()
    [7, 3, 9, 5]
    """

    def __init__(self, capacity: int) -> None:
        self._sorted = np.empty(0, dtype=np.int64)
        self._numbers = np.empty(0, dtype=np.int64)
        self._ids = np.empty(capacity, dtype=np.int64)
        self._bits = np.empty((capacity, NUM_PERM), dtype=np.uint8)
        self.count = 0

    def add(self, ids: np.ndarray, bits: np.ndarray) -> np.ndarray:
        """Number a batch's unique texts (``ids``, and their check ``bits``): each
        text's number; those new here are numbered after all before, in the order
        given."""
        pos = np.searchsorted(self._sorted, ids)
        at = np.minimum(pos, len(self._sorted) - 1)
        seen = self._sorted[at] == ids if len(self._sorted) else np.zeros(len(ids), dtype=bool)
        numbers = np.empty(len(ids), dtype=np.int64)
        numbers[seen] = self._numbers[at[seen]]
        fresh = ~seen
        start, new = self.count, int(fresh.sum())
        if start + new > len(self._ids):  # more texts than expected: room for twice as many
            room = max(2 * (start + new), 1024)
            self._ids = np.resize(self._ids, room)
            self._bits = np.resize(self._bits, (room, NUM_PERM))
        numbers[fresh] = np.arange(start, start + new)
        self._ids[start:start + new] = ids[fresh]
        self._bits[start:start + new] = bits[fresh]
        self.count += new
        order = np.argsort(ids[fresh])
        where = np.searchsorted(self._sorted, ids[fresh][order])
        self._sorted = np.insert(self._sorted, where, ids[fresh][order])
        self._numbers = np.insert(self._numbers, where, numbers[fresh][order])
        return numbers

    def close(self) -> None:
        """No more batches: the sorted ids go (the ids and bits by number stay)."""
        self._sorted = self._numbers = np.empty(0, dtype=np.int64)

    @property
    def ids(self) -> np.ndarray:
        """Each text's id (:func:`~undertow.coordination.textsim.text_ids`), by number."""
        return self._ids[:self.count]

    @property
    def bits(self) -> np.ndarray:
        """Each text's check bits, by number: ``(texts, NUM_PERM)`` uint8."""
        return self._bits[:self.count]


@dataclass
class _BatchParts:
    """One batch of posts turned into rows for the working tables."""

    keyed: pa.Table
    key_names: pa.Table
    post_names: pa.Table
    platforms: list[str]
    near: tuple[pa.Table, np.ndarray] | None
    text_ids: np.ndarray | None


def _batch_parts(batch: pa.Table, first_pid: int, signals: tuple[str, ...],
                 options: KeyOptions) -> _BatchParts:
    near = "near_text" in signals
    fx = post_features(batch, options, signatures=near, texts=near or "text" in signals)
    keyed, key_names = keyed_ids(fx, signals, first_pid)
    named = np.zeros(batch.num_rows, dtype=bool)  # posts some row refers to
    named[keyed["post_id"].to_numpy() - first_pid] = True
    parts = near_parts(fx, first_pid) if near else None
    if parts is not None:
        named[parts[0]["pid"].to_numpy() - first_pid] = True
    return _BatchParts(keyed, key_names, post_names(fx, first_pid).filter(pa.array(named)),
                       pc.unique(batch["platform"]).to_pylist(), parts, fx.text_ids)


def stage_features(eng: Engine, ws: Workspace, signals: tuple[str, ...],
                   options: KeyOptions, batch_rows: int = BATCH_ROWS,
                   workers: int | None = None) -> Features:
    """Stream the posts, batch by batch, into the engine's working tables.

    ``workers`` threads (default: one per core, at most four) normalise and hash
    batches side by side (Arrow and numpy release the GIL for most of it); rows are
    written in the posts' order, so post numbers do not depend on ``workers``.
    """
    near = "near_text" in signals
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    keyed_w = eng.writer("_coord_keyed", KEYED_SCHEMA)
    keys_w = eng.writer("_coord_key_names", KEY_NAMES_SCHEMA)
    names_w = eng.writer("_coord_post_names", POST_NAMES_SCHEMA)
    total = int(ws.con.execute("SELECT count(*) FROM posts").fetchall()[0][0])
    if near:
        posts_w = eng.writer("_coord_near_posts", NEAR_POSTS_SCHEMA)
        texts = TextNumbers(total)
    n_posts, platforms = 0, set()

    def store(part: _BatchParts) -> None:
        platforms.update(part.platforms)
        keyed_w.write(part.keyed)
        keys_w.write(part.key_names)
        names_w.write(part.post_names)
        if part.near is not None and part.text_ids is not None:
            posts, bits = part.near
            numbers = texts.add(part.text_ids, bits)
            posts_w.write(posts.set_column(1, "tid", pa.array(
                numbers[posts["tid"].to_numpy()], pa.int64())))

    # Fewer posts than a batch per worker: smaller batches, so that every core works.
    batch_rows = min(batch_rows, max(MIN_SPLIT_ROWS, -(-int(total) // workers)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[_BatchParts]] = deque()
        for batch in read_posts(ws, batch_rows):
            pending.append(pool.submit(_batch_parts, batch, n_posts, signals, options))
            n_posts += batch.num_rows
            if len(pending) > workers:
                store(pending.popleft().result())
        while pending:
            store(pending.popleft().result())
    found = sorted(p for p in platforms if p)
    keyed, key_names, names = keyed_w.finish(), keys_w.finish(), names_w.finish()
    if not near:
        return Features(keyed, key_names, names, None, None, n_posts, found)
    texts.close()
    return Features(keyed, key_names, names, posts_w.finish(), texts, n_posts, found)


def near_cold_rows(eng: Engine, near_rows: Any, window: float, hot_accounts: int,
                   prefilter: bool = True, crowd: int = 0) -> tuple[Any, pa.Table]:
    """``near_text`` rows on integers that can pair: of ``near_rows`` (``band, pid, tid,
    acc, ts``, one per comparable post and LSH band of its text), ``band, bin, pid, tid,
    acc, ts`` with ``bin`` = ``floor(ts / window)``, where another text has the same band
    in the same or a neighbouring bin, except in crowded cells (band, bin) of more
    than ``hot_accounts`` accounts, which are never paired. Also, as Arrow, the rows
    of the cells where at least ``crowd`` accounts post at least ``crowd`` different
    texts, where a flood of one script in many wordings can be
    (:mod:`~undertow.coordination.scripts`; none when ``crowd`` is 0).

    Most rows cannot pair (at 1M simulated posts, 89 %): their band value is their
    text's alone around their time. Two bins at most one apart fall in the same pair
    of bins ``(2k, 2k+1)`` or ``(2k+1, 2k+2)``, so a row is kept when its band has more
    than one text in one of its two bin pairs: two aggregations instead of a join of
    every row. A cell is kept or dropped whole, so crowding is judged on whole cells.
    Only cells with more rows than ``hot_accounts`` (or ``crowd``) can be crowded, so
    accounts and texts are counted distinctly in those alone.

    Without ``prefilter`` the rows that cannot pair stay (:func:`near_band_pairs`
    finds no pair for them, so its pairs are the same): on a few million rows the
    four queries that drop them cost more than the join they spare.
    """
    F = eng.F
    with_bin = near_rows.withColumn("bin", F.floor(F.col("ts") / F.lit(float(window))).cast(
        "long"))
    if not prefilter:
        return _cold_cells(eng, eng.persist(with_bin, "_coord_near_rows"), hot_accounts, crowd)
    rows = eng.persist(with_bin, "_coord_near_all")

    def pair_of_bins(shift: int) -> Any:
        return F.floor((F.col("bin") + F.lit(shift)) / F.lit(2)).cast("long")

    def shared(shift: int, name: str) -> Any:
        """(band, pair of bins) with more than one text."""
        return eng.persist(rows.withColumn("g", pair_of_bins(shift)).groupBy("band", "g").agg(
            F.min("tid").alias("t0"), F.max("tid").alias("t1")).filter(
            F.col("t0") != F.col("t1")).select("band", "g"), name)

    even, odd = shared(0, "_coord_near_even"), shared(1, "_coord_near_odd")
    by_even = rows.withColumn("g", pair_of_bins(0))
    in_even = by_even.join(even, on=["band", "g"], how="left_semi")
    only_odd = by_even.join(even, on=["band", "g"], how="left_anti").withColumn(
        "g", pair_of_bins(1)).join(odd, on=["band", "g"], how="left_semi")
    rows = eng.persist(in_even.unionByName(only_odd).drop("g"), "_coord_near_rows")
    eng.release("_coord_near_all", "_coord_near_even", "_coord_near_odd")
    return _cold_cells(eng, rows, hot_accounts, crowd)


def _cold_cells(eng: Engine, rows: Any, hot_accounts: int, crowd: int = 0
                ) -> tuple[Any, pa.Table]:
    """``rows`` outside the crowded cells (kept as ``_coord_near_cold``), and the rows
    of cells with ``crowd`` accounts and texts (see :func:`near_cold_rows`). Accounts
    and texts are counted in one aggregation, in the cells with enough rows only."""
    F = eng.F
    least = min(hot_accounts + 1, crowd) if crowd else hot_accounts + 1
    full = rows.groupBy("band", "bin").agg(F.count(F.lit(1)).alias("n")).filter(
        F.col("n") >= F.lit(least)).select("band", "bin")
    cells = eng.persist(rows.join(full, on=["band", "bin"], how="left_semi").groupBy(
        "band", "bin").agg(F.countDistinct("acc").alias("s"),
                           F.countDistinct("tid").alias("t")), "_coord_near_cells")
    hot = cells.filter(F.col("s") > F.lit(hot_accounts)).select("band", "bin")
    crowded = eng.to_arrow(rows.join(cells.filter(
        (F.col("s") >= F.lit(crowd)) & (F.col("t") >= F.lit(crowd))).select("band", "bin"),
        on=["band", "bin"], how="left_semi").select("band", "bin", "pid", "tid", "acc", "ts")
    ) if crowd else pa.table({})
    return eng.persist(rows.join(hot, on=["band", "bin"], how="left_anti"),
                       "_coord_near_cold"), crowded


def near_band_pairs(eng: Engine, cold: Any, window: float) -> Any:
    """Pairs of :func:`near_cold_rows` rows of one band within ``window`` seconds, of
    different accounts and different texts: the posts ``pid_1 < pid_2`` and their
    texts ``lo < hi`` (a pair of posts that shares several bands comes once per band).

    Bands are joined in bins as wide as the window (same bin, and next bin), never
    on a time range.
    """
    F = eng.F
    left = cold.select("band", "bin", F.col("pid").alias("p1"), F.col("tid").alias("t1"),
                       F.col("acc").alias("a1"), F.col("ts").alias("s1"))
    right = cold.select("band", "bin", F.col("pid").alias("p2"), F.col("tid").alias("t2"),
                        F.col("acc").alias("a2"), F.col("ts").alias("s2"))
    same = left.join(right, on=["band", "bin"]).filter(F.col("p1") < F.col("p2"))
    nxt = left.withColumn("bin", F.col("bin") + F.lit(1)).join(right, on=["band", "bin"])
    dt = F.abs(F.col("s1") - F.col("s2"))
    pairs = same.unionByName(nxt).filter(
        (F.col("t1") != F.col("t2")) & (F.col("a1") != F.col("a2")) & (dt <= F.lit(window)))
    return pairs.select(
        F.least(F.col("p1"), F.col("p2")).alias("pid_1"),
        F.greatest(F.col("p1"), F.col("p2")).alias("pid_2"),
        F.least(F.col("t1"), F.col("t2")).alias("lo"),
        F.greatest(F.col("t1"), F.col("t2")).alias("hi"))


#: ``near_text`` rows joined at once: the bands are split into parts of about this
#: many rows (one per post and band), so no join has to hold them all.
NEAR_PART_ROWS = 8_000_000

#: Parts of at least this many rows drop the rows that cannot pair before joining
#: (:func:`near_cold_rows`). Measured on simulated streams: at 100k posts (1.2M rows)
#: the pairing step took 0.75 s without and 0.86 s with; at 1M posts (two parts of
#: about 6M rows) both took 4.7 s; at 10M, parts of 8M rows, most rows never pair.
NEAR_PREFILTER_ROWS = 4_000_000


def near_candidates(eng: Engine, feats: Features, window: float, hot_accounts: int,
                    part_rows: int = NEAR_PART_ROWS,
                    prefilter_rows: int = NEAR_PREFILTER_ROWS, crowd: int = 0
                    ) -> tuple[Any, list[str], pa.Table]:
    """Every pair of posts that shares an LSH band within ``window`` seconds
    (:func:`near_band_pairs`: ``pid_1, pid_2, lo, hi``, once per band they share),
    the working tables that hold them, for the caller to drop when done, and the rows
    of cells where ``crowd`` accounts or more post as many texts (:func:`near_cold_rows`;
    none when ``crowd`` is 0).

    The bands are split by their place in the signature (``b0`` ... ``b15``) into
    parts of about ``part_rows`` rows (one per post and band; one band at least),
    each paired on its own: pairs and crowded cells never span two bands, so the
    parts together give exactly the pairs of all the rows. Each post carries its
    text's bands, so no part joins the posts with anything. They are not made distinct
    here: most candidates fail the similarity check (at 10M simulated posts, 82M
    candidate rows hold 62M pairs of posts), so duplicates are dropped only among
    the pairs that pass it.
    """
    F = eng.F
    assert feats.near_posts is not None
    posts = feats.near_posts
    n_posts = eng.count(posts)
    parts = min(BANDS, max(1, -(-n_posts * BANDS // part_rows)))
    names = [f"_coord_near_part{i}" for i in range(parts)]
    found, crowded = [], []
    try:
        for name, which in zip(names, np.array_split(np.arange(BANDS), parts), strict=True):
            # One row per post and band of the part: one operation, not a union of each
            # band's (building a 16-way union cost 0.8 s at 100k posts).
            bands = [F.col(f"b{k}") for k in which.tolist()]
            band = bands[0] if len(bands) == 1 else F.explode(F.array(*bands))
            rows = posts.select(band.alias("band"), "pid", "tid", "acc", "ts")
            cold, crowd_rows = near_cold_rows(eng, rows, window, hot_accounts,
                                              prefilter=n_posts * len(which) >= prefilter_rows,
                                              crowd=crowd)
            crowded.append(crowd_rows)
            found.append(eng.persist(near_band_pairs(eng, cold, window), name))
    except BaseException:
        for name in names:
            eng.drop_stage(name)
        raise
    finally:
        eng.release("_coord_near_rows", "_coord_near_cells", "_coord_near_cold")
    pairs = found[0]
    for more in found[1:]:
        pairs = pairs.unionByName(more)
    return pairs, names, pa.concat_tables(crowded) if crowd else pa.table({})


#: ``near_text`` keys name a pair of texts: ``(lo mod P) * 2**32 + (hi mod P)`` of their
#: numbers fits in 64 bits and is computed the same way on every engine (and is
#: ``lo * 2**32 + hi`` below 2**31 - 1 texts).
_NEAR_KEY_MOD = 2_147_483_647


def near_key(eng: Engine, lo: Any, hi: Any) -> Any:
    """The ``near_text`` key (a 64-bit integer) of the texts numbered ``lo < hi``."""
    F = eng.F
    return (lo % F.lit(_NEAR_KEY_MOD)) * F.lit(4_294_967_296) + (hi % F.lit(_NEAR_KEY_MOD))


def verified_near_pairs(eng: Engine, feats: Features, window: float, threshold: float,
                        hot_accounts: int, batch_rows: int = 500_000,
                        part_rows: int = NEAR_PART_ROWS,
                        prefilter_rows: int = NEAR_PREFILTER_ROWS, crowd: int = 0
                        ) -> tuple[Any, Any, pa.Table]:
    """Near-duplicate pairs among :func:`near_candidates`: within the window, their
    texts really similar (their b-bit MinHash estimate of Jaccard similarity,
    :func:`~undertow.coordination.textsim.bbit_jaccard`, at least ``threshold``;
    checked in batches, each pair of texts once) and not identical; each pair of
    posts once, however many bands it shares (kept as ``_coord_near_cand``).

    Returns the pairs, columns as :func:`~undertow.coordination.coaction.window_pairs`
    (account ids, post numbers, ``account_1 < account_2``) with ``key`` naming the two
    texts (:func:`near_key`), those keys' names (:data:`KEY_NAMES_SCHEMA`,
    ``a~b``, the two texts' ids, smaller first), and the crowded rows of
    :func:`near_candidates`.
    """
    F = eng.F
    assert feats.texts is not None and feats.near_posts is not None
    cand, parts, crowded = near_candidates(eng, feats, window, hot_accounts, part_rows,
                                           prefilter_rows, crowd)
    bits, ids = feats.texts.bits, feats.texts.ids
    try:
        ok = eng.writer("_coord_near_ok", pa.schema([("lo", pa.int64()), ("hi", pa.int64()),
                                                     ("id_lo", pa.int64()),
                                                     ("id_hi", pa.int64())]))
        for batch in eng.batches(cand.select("lo", "hi").distinct(), batch_rows):
            lo, hi = batch["lo"].to_numpy(), batch["hi"].to_numpy()
            keep = bbit_jaccard(bits[lo], bits[hi]) >= threshold
            lo, hi = lo[keep], hi[keep]
            ok.write(pa.table({"lo": lo, "hi": hi, "id_lo": ids[lo], "id_hi": ids[hi]}))
        similar = ok.finish()
        found = eng.persist(cand.join(similar.select("lo", "hi"), on=["lo", "hi"],
                                      how="left_semi").select("pid_1", "pid_2").distinct(),
                            "_coord_near_cand")
    finally:
        for name in parts:
            eng.drop_stage(name)
    # Named by the texts' ids, which do not depend on the run (numbers do).
    names = eng.persist(similar.select(
        F.lit("near_text").alias("signal"), near_key(eng, F.col("lo"), F.col("hi")).alias("key"),
        F.concat(F.least(F.col("id_lo"), F.col("id_hi")).cast("string"), F.lit("~"),
                 F.greatest(F.col("id_lo"), F.col("id_hi")).cast("string")).alias("name")),
        "_coord_near_names")

    near_posts = feats.near_posts

    def post(i: int) -> Any:
        return near_posts.select(F.col("pid").alias(f"pid_{i}"), F.col("tid").alias(f"t{i}"),
                                 F.col("acc").alias(f"a{i}"), F.col("ts").alias(f"s{i}"))

    both_posts = found.join(post(1), on=["pid_1"]).join(post(2), on=["pid_2"])
    first = F.col("a1") < F.col("a2")

    def pick(a: str, b: str) -> Any:
        return F.when(first, F.col(a)).otherwise(F.col(b))

    key = near_key(eng, F.least(F.col("t1"), F.col("t2")), F.greatest(F.col("t1"), F.col("t2")))
    pairs = both_posts.select(
        F.lit("near_text").alias("signal"), key.alias("key"),
        pick("a1", "a2").alias("account_1"), pick("pid_1", "pid_2").alias("post_1"),
        pick("s1", "s2").alias("ts_1"), pick("a2", "a1").alias("account_2"),
        pick("pid_2", "pid_1").alias("post_2"), pick("s2", "s1").alias("ts_2"),
        F.abs(F.col("s1") - F.col("s2")).alias("dt"))
    return pairs, names, crowded


class Names:
    """Names for the integers the relational steps work on, looked up for the
    few rows that are shown (accounts of significant edges, evidence posts, the
    keys campaigns list).

    ``posts`` is a DataFrame of :data:`POST_NAMES_SCHEMA`, ``keys`` DataFrames of
    :data:`KEY_NAMES_SCHEMA` (a key may appear more than once).
    """

    def __init__(self, eng: Engine, posts: Any, keys: list[Any]):
        self.eng, self._posts, self._keys = eng, posts, keys

    def _probe(self, table: pa.Table, frame: Any, on: list[str]) -> pa.Table:
        if table.num_rows == 0:
            return pa.table({})
        # A name per kind of probe: sqlframe remembers a table's columns by its name.
        name = f"_coord_names_{'_'.join(on)}"
        staged = self.eng.stage(name, table)
        try:
            # Each id has one name: distinct rows are distinct ids.
            return self.eng.to_arrow(frame.join(staged, on=on, how="left_semi").distinct())
        finally:
            self.eng.drop_stage(name)

    def accounts(self, ids: Any) -> dict[int, str]:
        """Account id → ``platform:author_id``."""
        wanted = pa.table({"acc": pa.array(np.unique(np.asarray(ids, np.int64)), pa.int64())})
        rows = self._probe(wanted, self._posts.select("acc", "account"), ["acc"])
        return dict(zip(rows["acc"].to_pylist(), rows["account"].to_pylist(), strict=True)) \
            if rows.num_rows else {}

    def posts(self, pids: Any) -> dict[int, tuple[str, str]]:
        """Post number → (``platform:author_id``, post id)."""
        wanted = pa.table({"pid": pa.array(np.unique(np.asarray(pids, np.int64)), pa.int64())})
        rows = self._probe(wanted, self._posts.select("pid", "account", "post_id"), ["pid"])
        if rows.num_rows == 0:
            return {}
        return {pid: (account, post) for pid, account, post in zip(
            rows["pid"].to_pylist(), rows["account"].to_pylist(), rows["post_id"].to_pylist(),
            strict=True)}

    def keys(self, signals: list[str], keys: list[int]) -> dict[tuple[str, int], str]:
        """(signal, key id) → the key's name."""
        wanted = pa.table({"signal": pa.array(signals, pa.string()),
                           "key": pa.array(keys, pa.int64())}).group_by(
            ["signal", "key"]).aggregate([])
        found: dict[tuple[str, int], str] = {}
        for frame in self._keys:
            rows = self._probe(wanted, frame, ["signal", "key"])
            if rows.num_rows:
                found.update(zip(zip(rows["signal"].to_pylist(), rows["key"].to_pylist(),
                                     strict=True), rows["name"].to_pylist(), strict=True))
        return found


def evidence_posts(ws: Workspace, wanted: list[tuple[str, str]]
                   ) -> dict[tuple[str, str], dict[str, Any]]:
    """``(account, post_id)`` → its account, post id, text and time (epoch seconds),
    for the pairs in ``wanted`` only. A post is keyed by its account
    (``platform:author_id``) and id, not its id alone: platforms reuse ids."""
    if not wanted:
        return {}
    ids = pa.table({"account": [a for a, _ in wanted], "post_id": [p for _, p in wanted]})
    view = "_arrow_coord_evidence"
    ws.con.register(view, ids)
    try:
        rows = ws.con.sql(
            f"SELECT {account_sql('p')} AS account, p.post_id, p.text, "
            "epoch_us(p.created_at) / 1e6 AS ts "
            f"FROM posts p SEMI JOIN (SELECT DISTINCT account, post_id FROM {view}) w "
            f"ON w.account = {account_sql('p')} AND w.post_id = p.post_id"
        ).to_arrow_table()
    finally:
        ws.con.unregister(view)
    assert rows is not None
    return {(r["account"], r["post_id"]): r for r in rows.to_pylist()}


def member_text_keys(ws: Workspace, accounts: list[str], options: KeyOptions
                     ) -> dict[str, list[int | None]]:
    """For each account: the id of the text key of every one of its posts (``None``
    where its text is not compared), read back for these accounts only."""
    out: dict[str, list[int | None]] = defaultdict(list)
    if not accounts:
        return out
    view = "_arrow_coord_members"
    ws.con.register(view, pa.table({"account": sorted(set(accounts))}))
    try:
        sql = (f"SELECT {', '.join(POSTS_FOR_KEYS.names)} FROM posts WHERE "
               f"{account_sql('posts')} IN (SELECT account FROM {view})")
        for part in ws.con.sql(sql).to_arrow_reader(BATCH_ROWS):
            batch = pa.Table.from_batches([part]).cast(POSTS_FOR_KEYS)
            fx = post_features(batch, options, signatures=False)
            ids = text_ids(fx.text_key).tolist()
            for account, key, valid in zip(fx.accounts.to_pylist(), ids,
                                           pc.is_valid(fx.text_key).to_pylist(), strict=True):
                out[account].append(key if valid else None)
    finally:
        ws.con.unregister(view)
    return out


