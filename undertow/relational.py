"""Relational steps, written once in the DataFrame API and run on DuckDB or Spark.

Example:
    >>> from undertow.workspace import Workspace
    >>> from undertow.engines import make_engine
    >>> import pyarrow as pa
    >>> ws = Workspace.open("/tmp/undertow-doctest-rel")
    >>> eng = make_engine("duckdb", ws)
    >>> staged = eng.stage("_demo", pa.table({"k": ["a", "a", "b"], "n": [2, 1, 3]}))
    >>> existing = eng.stage("_demo_old", pa.table({"k": ["b"]}))
    >>> eng.to_arrow(new_rows(eng, staged, existing, ["k"], "n")).to_pylist()
    [{'k': 'a', 'n': 1}]
    >>> repeats_keys(pa.table({"k": ["a", "a", "b"]}), ["k"])
    True
    >>> ws.close()
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from undertow.engines import Engine


def new_rows(eng: Engine, staged: Any, existing: Any, keys: list[str], order: str,
             repeats: bool = True) -> Any:
    """Rows of ``staged`` whose key is not in ``existing``; within ``staged`` the
    row with the smallest ``order`` wins for each key. ``repeats=False`` says no key
    occurs twice in ``staged`` (see :func:`repeats_keys`), which saves ranking them."""
    F, Window = eng.F, eng.Window
    first = staged
    if repeats:
        rank = F.row_number().over(Window.partitionBy(*keys).orderBy(F.col(order).asc()))
        first = staged.withColumn("_rank", rank).filter(F.col("_rank") == 1).drop("_rank")
    return first.join(existing.select(*keys), on=keys, how="left_anti")


def repeats_keys(data: pa.Table, keys: list[str]) -> bool:
    """Whether some value of ``keys`` occurs in more than one row of ``data``."""
    if data.num_rows < 2:
        return False
    return bool(data.select(keys).group_by(keys).aggregate([]).num_rows < data.num_rows)


def counts_by(
    eng: Engine, posts: Any, column: str, limit: int = 10, label: str = "posts"
) -> Any:
    """``column`` with its number of rows (named ``label``), most frequent first."""
    F = eng.F
    return (
        posts.groupBy(column)
        .agg(F.count(F.lit(1)).alias(label))
        .orderBy(F.col(label).desc(), F.col(column).asc())
        .limit(limit)
    )


def top_hashtags(eng: Engine, posts: Any, limit: int = 10) -> Any:
    """The most used hashtags (case-folded) with the posts and accounts using them."""
    F = eng.F
    tags = posts.select("author_id", F.explode("hashtags").alias("tag")).withColumn(
        "tag", F.lower(F.col("tag"))
    )
    return (
        tags.groupBy("tag")
        .agg(F.count(F.lit(1)).alias("posts"), F.countDistinct("author_id").alias("accounts"))
        .orderBy(F.col("posts").desc(), F.col("tag").asc())
        .limit(limit)
    )


def overview(eng: Engine, posts: Any) -> Any:
    """One row: posts, accounts, platforms, first and last post time."""
    F = eng.F
    return posts.agg(
        F.count(F.lit(1)).alias("posts"),
        F.countDistinct("platform", "author_id").alias("accounts"),
        F.countDistinct("platform").alias("platforms"),
        F.min("created_at").alias("first"),
        F.max("created_at").alias("last"),
    )
