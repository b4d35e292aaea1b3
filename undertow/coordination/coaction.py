"""Co-actions: two accounts doing the same thing (same key) within a time window.

Never a plain time-range self-join: time is cut into bins as wide as the
window, rows are joined on (signal, key, bin) and on (signal, key, next bin),
then filtered to ``|t1 - t2| <= window``. Every pair of rows is found exactly
once. Written in the DataFrame API, so it runs on DuckDB and Spark alike.

The keyed rows every function here takes are a DataFrame with columns
``signal, key, account, post_id, ts`` (``ts`` in epoch seconds).

Example:
    >>> import pyarrow as pa
    >>> from undertow.workspace import Workspace
    >>> from undertow.engines import make_engine
    >>> ws = Workspace.open("/tmp/undertow-doctest-coaction")
    >>> eng = make_engine("duckdb", ws)
    >>> keyed = eng.stage("_k", pa.table({
    ...     "signal": ["link"] * 3, "key": ["mi.com/x"] * 3,
    ...     "account": ["a", "b", "c"], "post_id": ["1", "2", "3"],
    ...     "ts": [0.0, 59.0, 130.0]}))
    >>> rows = eng.to_arrow(window_pairs(eng, keyed, 60)).to_pylist()
    >>> [(r["account_1"], r["account_2"], r["dt"]) for r in rows]
    [('a', 'b', 59.0)]
    >>> ws.close()
"""

from __future__ import annotations

from typing import Any

from undertow.engines import Engine


def with_bins(eng: Engine, keyed: Any, window: float, offset: float = 0.0) -> Any:
    """``keyed`` with ``bin = floor((ts + offset) / window)``."""
    F = eng.F
    ts = F.col("ts") + F.lit(float(offset)) if offset else F.col("ts")
    return keyed.withColumn("bin", F.floor(ts / F.lit(float(window))).cast("long"))


def window_pairs(eng: Engine, keyed: Any, window: float, inclusive: bool = True) -> Any:
    """Every pair of rows with the same (signal, key), different accounts and
    ``|Δt| <= window`` (``< window`` when not ``inclusive``).

    Columns: ``signal, key, account_1, post_1, ts_1, account_2, post_2, ts_2, dt``
    with ``account_1 < account_2``.
    """
    F = eng.F
    binned = with_bins(eng, keyed, window)
    left = binned.select(
        "signal", "key", "bin",
        F.col("account").alias("a1"), F.col("post_id").alias("p1"), F.col("ts").alias("t1"),
    )
    right = binned.select(
        "signal", "key", F.col("bin").alias("bin_r"),
        F.col("account").alias("a2"), F.col("post_id").alias("p2"), F.col("ts").alias("t2"),
    )
    same = left.join(
        right.withColumnRenamed("bin_r", "bin"), on=["signal", "key", "bin"], how="inner"
    ).filter(F.col("p1") < F.col("p2"))
    nxt = left.withColumn("bin", F.col("bin") + F.lit(1)).join(
        right.withColumnRenamed("bin_r", "bin"), on=["signal", "key", "bin"], how="inner"
    )
    pairs = same.unionByName(nxt).withColumn("dt", F.abs(F.col("t1") - F.col("t2")))
    close = F.col("dt") <= F.lit(float(window)) if inclusive else F.col("dt") < F.lit(
        float(window))
    pairs = pairs.filter(close & (F.col("a1") != F.col("a2")))
    first = F.col("a1") < F.col("a2")
    return pairs.select(
        "signal", "key",
        F.when(first, F.col("a1")).otherwise(F.col("a2")).alias("account_1"),
        F.when(first, F.col("p1")).otherwise(F.col("p2")).alias("post_1"),
        F.when(first, F.col("t1")).otherwise(F.col("t2")).alias("ts_1"),
        F.when(first, F.col("a2")).otherwise(F.col("a1")).alias("account_2"),
        F.when(first, F.col("p2")).otherwise(F.col("p1")).alias("post_2"),
        F.when(first, F.col("t2")).otherwise(F.col("t1")).alias("ts_2"),
        "dt",
    )
