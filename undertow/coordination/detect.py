"""``undertow detect``: accounts that act in concert, grouped into campaigns with evidence.

Steps: posts, streamed in batches → keyed rows per signal (:mod:`keys`,
:mod:`features`) → cells of one window per key; crowded cells become key-level
bursts and are never expanded into pairs → co-action pairs inside the window
(:mod:`coaction`), near-duplicate candidates checked against their MinHash
signatures → pair events → edges kept by significance against a null model
(:mod:`significance`) → Leiden communities with evidence and scores
(:mod:`campaigns`). The relational steps are DataFrame code that runs on
DuckDB or Spark; on DuckDB they work out of core under ``memory_limit``
(working tables in an in-memory scratch database that spills to the
workspace's temp directory), so memory grows with the significant edges and
the campaigns' evidence, not with the posts.

Example:
    >>> from undertow.workspace import Workspace
    >>> ws = Workspace.open("/tmp/undertow-doctest-detect")
    >>> result = detect(ws, DetectParams(window=60))
    >>> result.summary()["campaigns"]
    0
    >>> ws.close()
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from undertow import gcpause
from undertow.coordination.coaction import window_pairs, with_bins
from undertow.coordination.features import (
    BATCH_ROWS,
    STAGES,
    Features,
    Names,
    stage_features,
    verified_near_pairs,
)
from undertow.coordination.keys import POSTS_FOR_KEYS, SIGNALS, KeyOptions
from undertow.coordination.significance import poisson_sf
from undertow.engines import Engine, make_engine
from undertow.workspace import Workspace

#: DuckDB's memory for one detection run unless told otherwise. The Python side
#: adds a few batches of posts, the significant edges and the campaigns' evidence
#: (the process peaks at about 2.4 GiB at 1M posts and 3.4 GiB at 10M).
DEFAULT_MEMORY_LIMIT = "2GB"
#: The longest window: a day. With a window of the stream's whole span every account
#: meets every other (at 1e9 s, 455 organic accounts of a 20k stream were flagged).
MAX_WINDOW = 86_400
#: Cells (windows) on each side of a cell whose use of its key gives the key's usual rate
#: (an hour either way at the default 60 s window).
BURST_REACH = 60
#: Cells on each side of a cell whose use of its key, neighbours left out, tells a
#: flood from a plateau (five minutes at the default window).
BURST_NEAR = 5

#: Working tables of the relational steps (dropped when ``detect`` ends).
_STAGES = ("_coord_cells", "_coord_cells_half", "_coord_bursts", "_coord_cold",
           "_coord_events", "_coord_edges", "_coord_edges_tested", "_coord_act",
           "_coord_lam_first", "_coord_members",
           "_coord_inner", "_coord_campaign_keys", "_coord_burst_keys", "_coord_names_acc",
           "_coord_names_pid", "_coord_names_signal_key", "_coord_age_accounts",
           "_coord_listed_keys", "_coord_shown", "_coord_compat_pairs",
           "_coord_near_meetings", "_coord_audience_keys", "_coord_audience_days",
           "_coord_answered", "_coord_answered_authors", "_coord_answers")


@dataclass(frozen=True)
class DetectParams:
    """What counts as acting together, and how sure Undertow must be."""

    window: float = 60.0  #: seconds within which two actions are together
    #: which kinds of co-action to look at (``near_text`` brings ``text`` with it)
    signals: tuple[str, ...] = SIGNALS
    alpha: float = 0.01  #: family-wise error rate for edges (Bonferroni)
    min_events: int = 2  #: an edge needs this many separate meetings (windows)
    burst_alpha: float = 0.01  #: family-wise error for key-level bursts
    hot_accounts: int = 50  #: a cell with more accounts is a burst, never paired
    burst_min_accounts: int = 8  #: fewest accounts a burst can have
    near_threshold: float = 0.3  #: estimated Jaccard for near-duplicate texts
    min_chars: int = 12  #: normalised characters a text needs to be compared
    min_campaign_size: int = 2
    resolution: float = 1.0  #: Leiden resolution
    seed: int = 0
    significance: bool = True  #: False: plain co-share (CooRTweet compatibility)
    min_shares: int = 1  #: with ``significance=False``: CooRTweet's min_participation

    def __post_init__(self) -> None:
        unknown = set(self.signals) - set(SIGNALS)
        if unknown:
            raise ValueError(f"unknown signal(s) {', '.join(sorted(unknown))}; "
                             f"choose from {', '.join(SIGNALS)}")
        if not math.isfinite(self.window) or self.window <= 0:
            raise ValueError(f"window must be a positive number of seconds, not {self.window}")
        if self.window > MAX_WINDOW:
            raise ValueError(f"window {self.window:g} s is longer than a day ({MAX_WINDOW} s): "
                             "actions that far apart are not acting together, and every "
                             "account of a busy stream would meet every other")
        # NaN passes every comparison (and click's FloatRange): it would keep nothing.
        for name in ("alpha", "burst_alpha", "near_threshold"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if not math.isfinite(self.resolution) or self.resolution <= 0:
            raise ValueError(f"resolution must be a positive number, not {self.resolution}")


@dataclass
class Detection:
    """What ``detect`` found: accounts, campaigns, edges, bursts, and how long it took."""

    params: DetectParams
    accounts: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    #: bursts left out as one-off surges (see :func:`campaigns.repeated_bursts`)
    surges: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {"campaigns": len(self.campaigns), "accounts": len(self.accounts),
                "edges": len(self.edges), **self.counts}


_log = logging.getLogger(__name__)


class _Clock:
    """Seconds per step, also logged (``undertow.coordination.detect``, INFO) as each
    step ends, for following a long run."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = round(now - self._t, 3)
        self._t = now
        _log.info("detect: %s %.1f s", name, self.times[name])


def load_posts(eng: Engine) -> pa.Table:
    """The columns of ``posts`` that coordination reads, as Arrow, all at once (small
    workspaces only; ``detect`` streams them, see :mod:`features`)."""
    return eng.to_arrow(eng.table("posts", list(POSTS_FOR_KEYS.names))).cast(POSTS_FOR_KEYS)


def _cells(eng: Engine, keyed: Any, window: float, offset: float = 0.0) -> Any:
    F = eng.F
    return with_bins(eng, keyed, window, offset).groupBy("signal", "key", "bin").agg(
        F.countDistinct("account").alias("s"), F.count(F.lit(1)).alias("n"),
        F.min("ts").alias("t0"), F.max("ts").alias("t1"))


def _pair_events(eng: Engine, cold: Any, feats: Features, params: DetectParams
                 ) -> tuple[Any, list[Any], pa.Table]:
    """Every co-action pair, near-duplicates verified, as a DataFrame, the names
    of all their keys, and the rows of cells crowded with different texts
    (:func:`~undertow.coordination.features.near_cold_rows`)."""
    cols = ["signal", "key", "account_1", "post_1", "ts_1", "account_2", "post_2", "ts_2", "dt"]
    pairs = window_pairs(eng, cold, params.window).select(*cols)
    if feats.near_posts is None:
        return pairs, [feats.key_names], pa.table({})
    near, near_names, crowded = verified_near_pairs(
        eng, feats, params.window, params.near_threshold, params.hot_accounts,
        crowd=params.burst_min_accounts)
    return pairs.unionByName(near.select(*cols)), [feats.key_names, near_names], crowded


def _script_bursts(crowded: pa.Table, feats: Features, params: DetectParams,
                   names: Names) -> list[dict[str, Any]]:
    """Floods of one script (:mod:`~undertow.coordination.scripts`) as bursts: signal
    ``near_text``, key ``script:`` and the id of the flood's most central text, key id
    below zero (no pair event has it), no chance of their own (``p`` 1: a flood alone
    ties no one; meeting again gives one, see
    :func:`~undertow.coordination.campaigns.repeated_bursts`)."""
    from undertow.coordination.campaigns import BurstPost
    from undertow.coordination.scripts import script_floods

    if crowded.num_rows == 0 or feats.texts is None:
        return []
    floods, posts = script_floods(crowded, feats.texts.bits, feats.texts.ids,
                                  params.burst_min_accounts)
    named = names.posts(posts["pid"].to_numpy())
    found: list[list[BurstPost]] = [[] for _ in range(floods.num_rows)]
    for flood, pid, ts in zip(posts["flood"].to_pylist(), posts["pid"].to_pylist(),
                              posts["ts"].to_pylist(), strict=True):
        found[flood].append(BurstPost(*named[pid], ts))
    return [{"signal": "near_text", "key": f"script:{text_id}", "kid": -1 - flood,
             "p": 1.0, "script": True, "posts": mine,
             "accounts": sorted({m.account for m in mine})}
            for flood, (text_id, mine) in enumerate(zip(floods["text_id"].to_pylist(), found,
                                                        strict=True))]


def _edges(eng: Engine, events: Any, window: float) -> Any:
    """One row per pair of accounts that met: ``events`` (windows with a meeting),
    ``pairs``, ``signals`` (sorted, ``;``-joined), ``first_ts``, ``last_ts``, ``mean_dt``.

    In two plain aggregations, first per (pair, window) and then per pair, rather
    than one with a distinct count and a set of signals per pair: at 10M posts
    (19.3M pairs from 29.8M events) that took 44–47 s on DuckDB, this 25 s.
    """
    F = eng.F
    first = F.least(F.col("ts_1"), F.col("ts_2"))
    # One meeting per window: the same two posts tied by a hashtag and a near-same
    # text at once are one event, not two independent ones.
    ev = events.withColumn("ebin", F.floor(first / F.lit(window)).cast("long"))
    names = sorted(SIGNALS)
    has = [f"_has_{i}" for i in range(len(names))]
    per_window = ev.groupBy("account_1", "account_2", "ebin").agg(
        F.count(F.lit(1)).alias("n"), F.min(first).alias("t0"),
        F.max(F.greatest(F.col("ts_1"), F.col("ts_2"))).alias("t1"),
        F.sum("dt").alias("sdt"),
        *[F.max(F.when(F.col("signal") == F.lit(name), F.lit(1)).otherwise(F.lit(0))).alias(h)
          for name, h in zip(names, has, strict=True)])
    return per_window.groupBy("account_1", "account_2").agg(
        F.count(F.lit(1)).alias("events"), F.sum("n").alias("pairs"),
        F.concat_ws(";", *[F.when(F.max(h) == F.lit(1), F.lit(name))
                           for name, h in zip(names, has, strict=True)]).alias("signals"),
        F.min("t0").alias("first_ts"), F.max("t1").alias("last_ts"),
        (F.sum("sdt") / F.sum("n")).alias("mean_dt"))


#: Hourly expectations are summed as decimals of ``lam * _LAM_SCALE`` with ten places:
#: exact to 1e-22 of an event, up to 1e16 events.
_LAM_SCALE = 1e12
_LAM_DECIMAL = "decimal(38,10)"


def _expected(eng: Engine, edges: Any, keyed: Any, cells: Any, window: float,
              events: Any = None, crowd: int = 8) -> Any:
    """Each edge with ``lam``, its expected number of chance co-action events.

    Hour by hour where both accounts were active in the same hour; over the whole
    period for pairs whose co-actions straddle an hour boundary. An hour's chance that
    two of its actions meet counts the pairs of accounts in each cell of one key, and
    the pairs that posted near-same texts (``near_text`` rows of ``events``): many
    people quoting one headline in their own words within minutes meet as often as
    many posting one hashtag.
    """
    F = eng.F
    hour = F.floor(F.col("bin") * F.lit(window) / F.lit(3600.0)).cast("long")
    stats = cells.withColumn("hour", hour).groupBy("hour").agg(
        F.sum(F.col("s") * (F.col("s") - F.lit(1))).alias("ss"), F.sum("s").alias("s1"))
    if events is not None:
        stats = _with_near_pairs(eng, stats, events, window, crowd)
    k_all = stats.agg((F.sum("ss") / (F.sum("s1") * F.sum("s1"))).alias("k_all"))
    # A quiet hour with no meetings at all says little: never expect less than overall.
    k_h = stats.crossJoin(k_all).select(
        "hour", F.greatest(F.col("ss") / (F.col("s1") * F.col("s1")), F.col("k_all")).alias("k"))
    act = eng.persist(with_bins(eng, keyed, window).withColumn("hour", hour)
                      .groupBy("account", "hour").agg(
                          F.countDistinct("signal", "key", "bin").alias("r")), "_coord_act")
    a = act.select(F.col("account").alias("account_1"), "hour", F.col("r").alias("r1"))
    b = act.select(F.col("account").alias("account_2"), "hour", F.col("r").alias("r2"))
    pairs = edges.select("account_1", "account_2")
    # Each edge with its first account's active hours, kept apart so the optimizer
    # cannot join the two accounts' hours on the hour alone first (every pair of
    # accounts active in the same hour: billions of rows at 1M posts).
    first = eng.persist(pairs.join(a, on=["account_1"]), "_coord_lam_first")
    # Hours are summed as scaled decimals, exactly: a sum of floats depends on the
    # order the engine's threads add them in, and p-values then differed from run
    # to run in their 13th digit.
    term = (F.col("r1") * F.col("r2") * F.col("k") * F.lit(_LAM_SCALE)).cast(_LAM_DECIMAL)
    hourly = (first.join(b, on=["account_2", "hour"])
              .join(k_h, on=["hour"]).groupBy("account_1", "account_2")
              .agg((F.lit(2.0) * F.sum(term).cast("double") / F.lit(_LAM_SCALE))
                   .alias("lam_h")))
    total = act.groupBy("account").agg(F.sum("r").alias("r"))
    overall = (pairs.join(total.select(F.col("account").alias("account_1"),
                                       F.col("r").alias("r1")), on=["account_1"])
               .join(total.select(F.col("account").alias("account_2"), F.col("r").alias("r2")),
                     on=["account_2"])
               .crossJoin(k_all)
               .select("account_1", "account_2",
                       (F.lit(2.0) * F.col("r1") * F.col("r2") * F.col("k_all")).alias("lam_all")))
    return (edges.join(hourly, on=["account_1", "account_2"], how="left")
            .join(overall, on=["account_1", "account_2"], how="left")
            .withColumn("lam", F.coalesce(F.col("lam_h"), F.col("lam_all"), F.lit(1.0)))
            .drop("lam_h", "lam_all"))


def _with_near_pairs(eng: Engine, stats: Any, events: Any, window: float,
                     crowd: int) -> Any:
    """Hourly ``stats`` (``hour, ss, s1``) with ``ss`` raised by twice the pairs of
    accounts that met on near-same texts in each window of the hour where at least
    ``crowd`` accounts did, as a cell of ``s`` accounts adds ``s·(s − 1)``: many people
    quoting one headline in their own words meet as often as a hashtag's crowd.

    Only pairs that meet so in one window of the whole stream count: the chance of
    meeting again is what edges are tested against, so the pairs that do meet again
    (a campaign's rewriters, window after window) must not make up their own chance.
    """
    F = eng.F
    first = F.least(F.col("ts_1"), F.col("ts_2"))
    pairs = eng.persist(events.filter(F.col("signal") == F.lit("near_text"))
                        .select("account_1", "account_2",
                                F.floor(first / F.lit(window)).cast("long").alias("ebin"))
                        .distinct(), "_coord_near_meetings")
    ends = pairs.select(F.col("account_1").alias("account"), "ebin").unionByName(
        pairs.select(F.col("account_2").alias("account"), "ebin")).distinct()
    crowded = ends.groupBy("ebin").agg(F.count(F.lit(1)).alias("n")).filter(
        F.col("n") >= F.lit(crowd)).select("ebin")
    once = pairs.groupBy("account_1", "account_2").agg(F.count(F.lit(1)).alias("m")).filter(
        F.col("m") == F.lit(1)).select("account_1", "account_2")
    near = (pairs.join(once, on=["account_1", "account_2"], how="left_semi")
            .join(crowded, on=["ebin"], how="left_semi")
            .withColumn("hour", F.floor(F.col("ebin") * F.lit(window) / F.lit(3600.0))
                        .cast("long"))
            .groupBy("hour").agg((F.lit(2) * F.count(F.lit(1))).alias("near")))
    return stats.join(near, on=["hour"], how="left").select(
        "hour", (F.col("ss") + F.coalesce(F.col("near"), F.lit(0))).alias("ss"), "s1")


def _burst_cells(eng: Engine, cells: Any, params: DetectParams) -> pa.Table:
    """One grid's cells with enough accounts to be a burst, with the key's usual
    rate around them (``rate``: accounts per cell) and in the minutes around them
    (``close``).

    Each rate leaves the cell's neighbours out and is that of the busier side: the
    hour before the cell or the hour after it (``rate``), the :data:`BURST_NEAR`
    cells before it or after it (``close``). Where a key's steady use starts or stops
    inside the hour, the quiet side would halve the rate: the last minutes of 80
    people live-posting an event's hashtag about every 90 s looked like floods."""
    F, W = eng.F, eng.Window
    near = W.partitionBy("signal", "key").orderBy("bin")
    sides = {"before": (-BURST_REACH, -2), "after": (2, BURST_REACH),
             "close_before": (-BURST_NEAR, -2), "close_after": (2, BURST_NEAR)}
    crowded = cells.filter(F.col("s") >= F.lit(params.burst_min_accounts))
    # Only keys crowded somewhere need their rates: most never are.
    of_crowded = cells.join(crowded.select("signal", "key").distinct(),
                            on=["signal", "key"], how="left_semi")
    for name, (lo, hi) in sides.items():
        of_crowded = of_crowded.withColumn(name, F.sum("s").over(near.rangeBetween(lo, hi)))
    cand = of_crowded.filter(F.col("s") >= F.lit(params.burst_min_accounts))
    table = eng.to_arrow(cand.select("signal", "key", "bin", "s", "n", "t0", "t1",
                                     *[F.coalesce(F.col(side), F.lit(0)).cast("long")
                                       .alias(side) for side in sides]))
    # ``around``: the key's use in the hour around the cell, its neighbours left out.
    table = table.append_column("around", pc.add(table["before"], table["after"]))
    if table.num_rows == 0:
        return table.drop_columns(list(sides)).append_column(
            "rate", pa.array([], pa.float64())).append_column("close", pa.array([], pa.float64()))
    # Each side's cells, fewer where the stream starts or ends (counting the cells
    # before its first post as empty would halve the rate, so ordinary use of a
    # popular key would look like a burst).
    span = eng.to_arrow(cells.agg(F.min("bin").alias("lo"), F.max("bin").alias("hi")))
    first, last = int(span["lo"][0].as_py()), int(span["hi"][0].as_py())
    b = table["bin"].to_numpy()

    def busier(side_before: str, side_after: str, reach: int) -> np.ndarray:
        rates = [table[side].to_numpy(zero_copy_only=False).astype(float) / np.maximum(n, 1)
                 for side, n in ((side_before, b - 2 - np.maximum(b - reach, first) + 1),
                                 (side_after, np.minimum(b + reach, last) - (b + 2) + 1))]
        return np.maximum(np.maximum(rates[0], rates[1]), 1.0)

    return table.drop_columns(list(sides)).append_column(
        "rate", pa.array(busier("before", "after", BURST_REACH))).append_column(
        "close", pa.array(busier("close_before", "close_after", BURST_NEAR)))


def _bursts(eng: Engine, grids: list[Any], params: DetectParams, names: Names) -> pa.Table:
    """Cells where a key is used by far more accounts at once than around it, the
    key named (``key``; its id is ``kid``).

    ``grids`` are the cells of the window grid and of the grid offset by half a
    window, so a flood that a cell boundary cuts in two is whole in a cell of the
    other. ``bin`` is in half windows (``2·bin`` of the first grid, ``2·bin − 1`` of
    the second), the p-values corrected over the cells of both."""
    parts = []
    for offset, cells in enumerate(grids):
        part = _burst_cells(eng, cells, params)
        halves = pc.subtract(pc.multiply(part["bin"], 2), offset)
        parts.append(part.set_column(part.schema.get_field_index("bin"), "bin", halves))
    table = pa.concat_tables(parts)

    def corrected(rate: str) -> np.ndarray:
        if not table.num_rows:
            return np.array([], dtype=float)
        return np.minimum(poisson_sf(table["s"].to_numpy(), table[rate].to_numpy())
                          * table.num_rows, 1.0)

    # ``flat``: no busier than the minutes on one side of it, a cell is part of a
    # plateau (people posting on and on), not a flood that starts and stops.
    p, flat = corrected("rate"), corrected("close") > params.burst_alpha
    table = table.drop_columns(["rate", "close"]).append_column(
        "p", pa.array(p, pa.float64())).append_column("flat", pa.array(flat, pa.bool_()))
    table = table.filter(pa.array(p <= params.burst_alpha, pa.bool_()))
    table = table.rename_columns(["signal", "kid", *table.column_names[2:]])
    found = names.keys(table["signal"].to_pylist(), table["kid"].to_pylist())
    return table.append_column("key", pa.array(
        [found[(s, k)] for s, k in zip(table["signal"].to_pylist(), table["kid"].to_pylist(),
                                       strict=True)], pa.string()))


#: Seconds in a day: a key's regulars are those who used it on two days or more, and
#: its bursts at the same time of day on different days are a ritual's
#: (:func:`~undertow.coordination.campaigns.drawn_from`).
DAY = 86_400.0


def _with_audiences(eng: Engine, keyed: Any, bursts: pa.Table, window: float) -> pa.Table:
    """``bursts`` with ``audience``: how many accounts used each one's key on two days
    or more (its regulars, one-off users aside), and ``came``: how many of them used
    it on the day of the burst's cell (``bin`` in half windows; of the two days a
    cell across midnight touches, the busier). Two bursts of one
    key share accounts by chance as two draws from its regulars would, when the
    regulars come and go (:func:`~undertow.coordination.campaigns.drawn_from`)."""
    if bursts.num_rows == 0:
        return bursts.append_column("audience", pa.array([], pa.int64())).append_column(
            "came", pa.array([], pa.int64()))
    F = eng.F
    keys = pa.table({"signal": bursts["signal"], "key": bursts["kid"]}).group_by(
        ["signal", "key"]).aggregate([])
    staged = eng.stage("_coord_audience_keys", keys)
    try:
        days = eng.persist(keyed.join(staged, on=["signal", "key"], how="left_semi").select(
            "signal", "key", "account", F.floor(F.col("ts") / F.lit(DAY)).cast("long")
            .alias("day")).distinct(), "_coord_audience_days")
        regulars = days.groupBy("signal", "key", "account").agg(
            F.count(F.lit(1)).alias("n")).filter(F.col("n") >= F.lit(2)).select(
            "signal", "key", "account")
        per_day = eng.to_arrow(days.join(regulars, on=["signal", "key", "account"],
                                         how="left_semi")
                               .groupBy("signal", "key", "day")
                               .agg(F.count(F.lit(1)).alias("came")))
        counts = eng.to_arrow(regulars.groupBy("signal", "key")
                              .agg(F.count(F.lit(1)).alias("audience")))
    finally:
        eng.drop_stage("_coord_audience_keys")
        eng.drop_stage("_coord_audience_days")
    found = dict(zip(zip(counts["signal"].to_pylist(), counts["key"].to_pylist(), strict=True),
                     counts["audience"].to_pylist(), strict=True))
    came = dict(zip(zip(*(per_day[c].to_pylist() for c in ("signal", "key", "day")),
                        strict=True), per_day["came"].to_pylist(), strict=True))
    # A cell that starts just before midnight holds the next day's first posts: the
    # busier of the days it starts and ends on.
    starts = bursts["bin"].to_numpy() * (window / 2)
    cells = list(zip(bursts["signal"].to_pylist(), bursts["kid"].to_pylist(),
                     (starts // DAY).astype(int).tolist(),
                     ((starts + window) // DAY).astype(int).tolist(), strict=True))
    bursts = bursts.append_column("audience", pa.array(
        [found.get((s, k)) for s, k, _, _ in cells], pa.int64()))
    return bursts.append_column("came", pa.array(
        [max(came.get((s, k, first), 0), came.get((s, k, last), 0))
         for s, k, first, last in cells], pa.int64()))


#: Signals whose key is a post answered or shared: such bursts are also weighed
#: against that post's author's public (:func:`_with_publics`).
ANSWERS = ("reply", "repost")


def _with_publics(eng: Engine, bursts: pa.Table) -> pa.Table:
    """``bursts`` with, for those answering or sharing a post in the workspace
    (:data:`ANSWERS`), ``author`` (``platform:author_id``), ``cue`` (when the post was
    posted, epoch seconds), ``public`` (how many accounts answered or shared two or
    more posts of that author: its fans, one-off visitors aside) and ``answered`` (how
    many of them answered or shared this post, at any time); nulls for the others.
    Fans answering every post of a star share accounts by chance as two draws from
    the star's fans would, when the fans come and go
    (:func:`~undertow.coordination.campaigns.drawn_from`)."""
    answering = pc.is_in(bursts["signal"], value_set=pa.array(ANSWERS))
    names = pc.unique(bursts.filter(answering)["key"]).to_pylist()
    found: dict[str, tuple[str, float, int, int]] = {}
    if names:
        found = _publics(eng, [name.split(":", 1) for name in names if ":" in name])
    rows = [found.get(key) if signal in ANSWERS else None
            for signal, key in zip(bursts["signal"].to_pylist(), bursts["key"].to_pylist(),
                                   strict=True)]
    for n, (column, kind) in enumerate((("author", pa.string()), ("cue", pa.float64()),
                                        ("public", pa.int64()), ("answered", pa.int64()))):
        bursts = bursts.append_column(column, pa.array([r and r[n] for r in rows], kind))
    return bursts


def _publics(eng: Engine, posts: list[list[str]]) -> dict[str, tuple[str, float, int, int]]:
    """For each post (``[platform, post_id]``) in the workspace, named
    ``platform:post_id``: its author, when it was posted, how many accounts answered
    or shared two or more posts of that author, and how many of those this one."""
    F = eng.F
    staged = eng.stage("_coord_answered", pa.table({
        "platform": pa.array([p for p, _ in posts], pa.string()),
        "post_id": pa.array([i for _, i in posts], pa.string())}))
    table = eng.table("posts", ["platform", "post_id", "author_id", "created_at",
                                "reply_to_post_id", "repost_of_post_id"])
    try:
        targets = eng.to_arrow(table.join(staged, on=["platform", "post_id"], how="left_semi")
                               .select("platform", "post_id", "author_id", (F.unix_micros(
                                   F.col("created_at")) / F.lit(1e6)).alias("cue")))
        if targets.num_rows == 0:
            return {}
        authors = eng.stage("_coord_answered_authors", targets.select(
            ["platform", "author_id"]).group_by(["platform", "author_id"]).aggregate([]))
        theirs = table.join(authors, on=["platform", "author_id"], how="left_semi").select(
            "platform", F.col("post_id").alias("target"), F.col("author_id").alias("author"))
        answers = table.select("platform", "author_id",
                               F.col("reply_to_post_id").alias("target")).unionByName(
            table.select("platform", "author_id", F.col("repost_of_post_id").alias("target")))
        # One row per account and post of the author it answered or shared.
        answered = eng.persist(answers.filter(F.col("target").isNotNull()).join(
            theirs, on=["platform", "target"]).select(
            "platform", "author", "target", "author_id").distinct(), "_coord_answers")
        fans = answered.groupBy("platform", "author", "author_id").agg(
            F.count(F.lit(1)).alias("posts")).filter(F.col("posts") >= F.lit(2)).select(
            "platform", "author", "author_id")
        publics = eng.to_arrow(fans.groupBy("platform", "author").agg(
            F.count(F.lit(1)).alias("public")))
        per_post = eng.to_arrow(answered.join(
            fans, on=["platform", "author", "author_id"], how="left_semi").join(
            staged.select("platform", F.col("post_id").alias("target")),
            on=["platform", "target"], how="left_semi").groupBy("platform", "target").agg(
            F.count(F.lit(1)).alias("answered")))
    finally:
        for name in ("_coord_answered", "_coord_answered_authors", "_coord_answers"):
            eng.drop_stage(name)
    public = {(p, a): n for p, a, n in zip(*(publics[c].to_pylist() for c in
                                             ("platform", "author", "public")), strict=True)}
    answered_by = {(p, t): n for p, t, n in zip(*(per_post[c].to_pylist() for c in
                                                  ("platform", "target", "answered")),
                                                strict=True)}
    return {f"{p}:{i}": (f"{p}:{a}", t, public.get((p, a), 0), answered_by.get((p, i), 0))
            for p, i, a, t in zip(*(targets[c].to_pylist()
                                    for c in ("platform", "post_id", "author_id", "cue")),
                                  strict=True)}


def _burst_members(eng: Engine, keyed: Any, bursts: pa.Table, window: float,
                   names: Names) -> pa.Table:
    """Every post of the bursts' cells (``signal, kid, bin, account, post_id, ts``), the
    accounts and posts named, in a fixed order."""
    if bursts.num_rows == 0:
        return pa.table({"signal": pa.array([], pa.string()), "kid": pa.array([], pa.int64()),
                         "bin": pa.array([], pa.int64()), "account": pa.array([], pa.string()),
                         "post_id": pa.array([], pa.string()), "ts": pa.array([], pa.float64())})
    # Each grid's cells (even halves: the window grid; odd: the offset one) by their own bins.
    half = bursts["bin"].to_numpy()
    staged = eng.stage("_coord_bursts", pa.table({
        "signal": bursts["signal"], "key": bursts["kid"],
        "grid": pa.array(half % 2, pa.int64()), "bin": pa.array((half + half % 2) // 2,
                                                               pa.int64())}))
    F = eng.F
    rows = [with_bins(eng, keyed, window, offset=grid * window / 2).join(
        staged.filter(F.col("grid") == F.lit(grid)).drop("grid"), on=["signal", "key", "bin"])
        .select("signal", "key", (F.col("bin") * F.lit(2) - F.lit(grid)).alias("bin"),
                "post_id", "ts") for grid in (0, 1)]
    # A post in cells of both grids is kept once, under the first: overlapping cells
    # always end in the same merged burst, so its posts are the same.
    members = eng.to_arrow(rows[0].unionByName(rows[1]).groupBy("signal", "key", "post_id", "ts")
                           .agg(F.min("bin").alias("bin"))
                           .select("signal", "key", "bin", "post_id", "ts"))
    post_name = names.posts(members["post_id"].to_numpy())
    named = [post_name[pid] for pid in members["post_id"].to_pylist()]
    members = pa.table({
        "signal": members["signal"], "kid": members["key"], "bin": members["bin"],
        "account": pa.array([a for a, _ in named], pa.string()),
        "post_id": pa.array([p for _, p in named], pa.string()),
        "ts": members["ts"]})
    # In a fixed order, so the evidence a burst shows is the same every run.
    return members.sort_by([("ts", "ascending"), ("post_id", "ascending"),
                            ("account", "ascending")])


def _named_edges(edges: pa.Table, names: Names) -> pa.Table:
    """Edges with their accounts named (``account_1 < account_2`` by name), sorted."""
    ids = np.concatenate([edges["account_1"].to_numpy(), edges["account_2"].to_numpy()])
    lookup = names.accounts(ids)
    known = pa.array(list(lookup), pa.int64())
    called = pa.array(list(lookup.values()), pa.string())
    n1 = called.take(pc.index_in(edges["account_1"], value_set=known))
    n2 = called.take(pc.index_in(edges["account_2"], value_set=known))
    swap = pc.greater(n1, n2)
    edges = edges.set_column(edges.schema.get_field_index("account_1"), "account_1",
                             pc.if_else(swap, n2, n1))
    edges = edges.set_column(edges.schema.get_field_index("account_2"), "account_2",
                             pc.if_else(swap, n1, n2))
    return edges.sort_by([("account_1", "ascending"), ("account_2", "ascending")])


def _significant_edges(eng: Engine, events: Any, keyed: Any, cells: Any,
                       params: DetectParams, names: Names) -> tuple[pa.Table, int]:
    """Edges kept by significance, with ``lam``, ``p_value`` and ``q_value``, and how
    many candidate edges were tested.

    Every candidate edge counts in the Bonferroni correction, but only those with
    ``min_events`` meetings can be kept, so only they get their expectation
    computed and come back from the engine.
    """
    F = eng.F
    edges = eng.persist(_edges(eng, events, params.window), "_coord_edges")
    tested = eng.count(edges)
    eligible = eng.persist(edges.filter(F.col("events") >= F.lit(params.min_events)),
                           "_coord_edges_tested")
    table = eng.to_arrow(_expected(eng, eligible, keyed, cells, params.window, events,
                                   params.burst_min_accounts))
    p = poisson_sf(table["events"].to_numpy(), table["lam"].to_numpy(zero_copy_only=False))
    q = np.minimum(p * tested, 1.0)
    table = table.append_column("p_value", pa.array(p, pa.float64())).append_column(
        "q_value", pa.array(q, pa.float64()))
    # One shared moment is never enough on its own, however unlikely: across all the
    # pairs that could have met, some will by chance. Single large moments are bursts.
    kept = table.filter(pa.array(q <= params.alpha))
    return _named_edges(kept, names), tested


def detect(ws: Workspace, params: DetectParams | None = None,
           engine: str | Engine = "duckdb", memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
           batch_rows: int = BATCH_ROWS) -> Detection:
    """Find coordinated accounts and campaigns in the workspace's posts.

    Posts are read ``batch_rows`` at a time; on DuckDB the relational steps use
    at most ``memory_limit`` (``None``: DuckDB's own default, 80% of RAM) and
    spill to disk beyond it.
    """
    params = params or DetectParams()
    with gcpause.no_full_collections():
        eng = make_engine(engine, ws) if isinstance(engine, str) else engine
        try:
            with eng.working_memory(memory_limit):
                return _detect(ws, eng, params, batch_rows)
        finally:
            for name in (*STAGES, *_STAGES):
                eng.drop_stage(name)


def _detect(ws: Workspace, eng: Engine, params: DetectParams, batch_rows: int) -> Detection:
    from undertow.coordination import campaigns as build

    F = eng.F
    clock = _Clock()
    options = KeyOptions(min_chars=params.min_chars)
    signals = params.signals if params.significance else tuple(
        s for s in params.signals if s != "near_text")  # co-share has no near_text
    if "near_text" in signals and "text" not in signals:
        # near_text pairs similar texts that differ; the same text is the text
        # signal's, whose rows are also the activity the null model counts.
        signals = (*signals, "text")
    feats = stage_features(eng, ws, signals, options, batch_rows)
    keyed = feats.keyed
    clock.lap("features")
    result = Detection(params)
    if not params.significance:
        build.compat(eng, result, keyed, feats, params)
        clock.lap("coshare")
        result.timings = clock.times
        return result
    cells = eng.persist(_cells(eng, keyed, params.window), "_coord_cells")
    hot = cells.filter(F.col("s") > F.lit(params.hot_accounts)).select("signal", "key", "bin")
    cold = eng.persist(with_bins(eng, keyed, params.window).join(
        hot, on=["signal", "key", "bin"], how="left_anti").drop("bin"), "_coord_cold")
    pairs, key_names, crowded = _pair_events(eng, cold, feats, params)
    events = eng.persist(pairs, "_coord_events")
    names = Names(eng, feats.post_names, key_names)
    scripts = _script_bursts(crowded, feats, params, names)
    # What is no longer read: all but the keyed rows and the names.
    feats.texts = None
    eng.release("_coord_cold", "_coord_near_posts",
                "_coord_near_rows", "_coord_near_cells", "_coord_near_cold",
                "_coord_near_cand", "_coord_near_ok")
    clock.lap("pairs")
    kept, tested = _significant_edges(eng, events, keyed, cells, params, names)
    clock.lap("significance")
    half = eng.persist(_cells(eng, keyed, params.window, offset=params.window / 2),
                       "_coord_cells_half")
    bursts = _bursts(eng, [cells, half], params, names)
    members = _burst_members(eng, keyed, bursts, params.window, names)
    bursts = _with_publics(eng, _with_audiences(eng, keyed, bursts, params.window))
    clock.lap("bursts")
    result.counts = {"posts": feats.posts, "keyed_rows": eng.count(keyed),
                     "candidate_edges": tested, "significant_edges": kept.num_rows,
                     "bursts": bursts.num_rows, "script_floods": len(scripts)}
    # Campaigns read only the events: the rest goes before their evidence is built.
    eng.release("_coord_keyed", "_coord_cells", "_coord_cells_half", "_coord_edges",
                "_coord_edges_tested",
                "_coord_act", "_coord_lam_first", "_coord_bursts", "_coord_near_meetings")
    build.assemble(eng, ws, result, kept, bursts, members, events, names, options, params,
                   scripts, spent=("_coord_events", "_coord_key_names", "_coord_post_names",
                          "_coord_near_names"))
    clock.lap("campaigns")
    result.timings = clock.times
    return result


def params_dict(params: DetectParams) -> dict[str, Any]:
    """``params`` as plain JSON-able values."""
    out = asdict(params)
    out["signals"] = list(params.signals)
    return out
