"""CooRTweet compatibility: the plain co-share network, exactly as CooRTweet 2.1.3 defines it.

A *share* is one row ``key, account, content, ts``: an account's content (a
post) sharing an object (a retweeted tweet, a URL, a hashtag, an image hash) at
``ts`` epoch seconds. CooRTweet's ``detect_groups`` + ``generate_coordinated_network``
then reduce to four steps, reproduced here without any shortcut:

1. Pre-filter: an account needs ``>= min_participation`` shares (rows) in the
   input to be paired at all.
2. Within one object, every unordered pair of shares with ``|Δt| <= window``
   (inclusive) is a candidate. Loops are dropped: the same account, the same
   content, or a share whose content *is* the object.
3. Participation: take the contents that appear in some candidate pair; an
   account qualifies if ``>= min_participation`` of its input rows carry one
   of those contents (matched by content id alone, so a post sharing two
   objects counts twice even if only one of them was paired). A pair is kept
   if EITHER side's content belongs to a qualifying account.
4. Edges: weight = number of share pairs between two accounts (not distinct
   objects); ``avg_time_delta`` = mean ``|Δt|`` over those pairs.

Shares come from the workspace ``posts`` table: with ``signal="object"`` one
share per post with an ``object_id`` (as the CooRTweet adapter stores it, the
content id is ``post_id`` without its ``|object_id`` suffix). Any other share
table (same four columns) can be passed as ``shares``. The code is written once
in the DataFrame API and runs on DuckDB and Spark alike; the time join is
:func:`undertow.coordination.coaction.window_pairs`.

Example: ``c`` shares once, so the pre-filter drops it; ``a`` and ``b`` pair on
both objects (the 61 s pair on ``x`` is outside the window).

    >>> import pyarrow as pa
    >>> from undertow.workspace import Workspace
    >>> from undertow.engines import make_engine
    >>> ws = Workspace.open("/tmp/undertow-doctest-coshare")
    >>> eng = make_engine("duckdb", ws)
    >>> shares = eng.stage("_shares", pa.table({
    ...     "key": ["x", "x", "x", "y", "y", "x"],
    ...     "account": ["a", "b", "c", "a", "b", "b"],
    ...     "content": ["1", "2", "3", "4", "5", "6"],
    ...     "ts": [0.0, 10.0, 5.0, 100.0, 130.0, 61.0]}))
    >>> edges = coshare(eng, window=30, min_participation=2, shares=shares)
    >>> eng.to_arrow(edges).to_pylist()
    [{'account_1': 'a', 'account_2': 'b', 'weight': 2, 'avg_time_delta': 20.0}]
    >>> ws.close()
"""

from __future__ import annotations

from typing import Any

from undertow.coordination.accountids import account_column
from undertow.coordination.coaction import window_pairs
from undertow.engines import Engine

#: The columns of a share table.
SHARE_COLUMNS = ("key", "account", "content", "ts")

#: The posts column each signal keys on.
SIGNAL_COLUMNS = {"object": "object_id", "repost": "repost_of_post_id"}

#: The columns of :func:`coshare_pairs`; ``account_1 < account_2``.
PAIR_COLUMNS = ("signal", "key", "account_1", "content_1", "ts_1",
                "account_2", "content_2", "ts_2", "dt")


def _check_window(window: float) -> None:
    if not window > 0:
        raise ValueError("window must be positive (window_pairs cuts time into bins that wide)")


def _multi_platform(eng: Engine, posts: Any) -> bool:
    """Whether ``posts`` holds more than one platform (then accounts carry it)."""
    return eng.to_arrow(posts.select("platform").distinct().limit(2)).num_rows > 1


def posts_shares(eng: Engine, signal: str = "object", posts: Any = None,
                 multi: bool | None = None) -> Any:
    """One share per post with a ``signal`` key: columns ``key, account, content, ts``.

    ``content`` is ``post_id`` without a trailing ``|key`` (the CooRTweet
    adapter's ``content_id|object_id``); ``account`` is ``author_id``, or
    ``platform:author_id`` (:mod:`~undertow.coordination.accountids`) when
    ``multi`` (then keys other than ``object`` get the platform too: post ids are
    per platform). ``multi`` defaults to whether the posts with a key span several
    platforms; a caller naming accounts across signals passes whether the whole
    workspace does, so that one account has one name in all of them.
    """
    if signal not in SIGNAL_COLUMNS:
        raise ValueError(f"unknown signal {signal!r}; choose from {', '.join(SIGNAL_COLUMNS)}")
    F = eng.F
    column = SIGNAL_COLUMNS[signal]
    if posts is None:
        posts = eng.table("posts", ["platform", "post_id", "author_id", "created_at", column])
    posts = posts.filter(F.col(column).isNotNull() & F.col("author_id").isNotNull())
    post, key = F.col("post_id"), F.col(column)
    suffix = F.concat(F.lit("|"), key)
    content = F.when(post.endswith(suffix), post.substr(
        F.lit(1), F.length(post) - F.length(key) - F.lit(1))).otherwise(post)
    account, scoped_key = F.col("author_id"), key
    if multi if multi is not None else _multi_platform(eng, posts):
        account = account_column(F, F.col("platform"), account)
        if signal != "object":
            scoped_key = F.concat(F.col("platform"), F.lit(":"), key)
    return posts.select(
        scoped_key.alias("key"), account.alias("account"), content.alias("content"),
        (F.unix_micros(F.col("created_at")) / F.lit(1e6)).alias("ts"),
    )


def active_shares(eng: Engine, shares: Any, min_participation: int) -> Any:
    """Shares of accounts with at least ``min_participation`` shares (CooRTweet's pre-filter)."""
    F, Window = eng.F, eng.Window
    n = F.count(F.lit(1)).over(Window.partitionBy("account"))
    return shares.withColumn("_n", n).filter(F.col("_n") >= F.lit(min_participation)).drop("_n")


def candidate_pairs(eng: Engine, shares: Any, window: float, signal: str = "object") -> Any:
    """Every loop-free pair of shares of one object with ``|Δt| <= window``.

    Columns as :data:`PAIR_COLUMNS`. Shares whose content is the object are
    left out of the join (they are loops on every pair they would make).
    """
    _check_window(window)
    F = eng.F
    keyed = shares.filter(F.col("content") != F.col("key")).select(
        F.lit(signal).alias("signal"), "key", "account",
        F.col("content").alias("post_id"), "ts",
    )
    pairs = window_pairs(eng, keyed, window, inclusive=True)
    return pairs.filter(F.col("post_1") != F.col("post_2")).select(
        "signal", "key", "account_1", F.col("post_1").alias("content_1"), "ts_1",
        "account_2", F.col("post_2").alias("content_2"), "ts_2", "dt",
    )


def qualified_contents(eng: Engine, shares: Any, pairs: Any, min_participation: int) -> Any:
    """Distinct ``content`` of the accounts with ``>= min_participation`` input rows
    whose content appears in ``pairs`` (CooRTweet's ``filter_min_participation``)."""
    F, Window = eng.F, eng.Window
    used = pairs.select(F.explode(F.array("content_1", "content_2")).alias("content"))
    taking = shares.select("account", "content").join(
        used.distinct(), on="content", how="left_semi")
    n = F.count(F.lit(1)).over(Window.partitionBy("account"))
    enough = taking.withColumn("_n", n).filter(F.col("_n") >= F.lit(min_participation))
    return enough.select("content").distinct()


def keep_participating(eng: Engine, pairs: Any, contents: Any) -> Any:
    """The pairs whose ``content_1`` or ``content_2`` is in ``contents``."""
    F = eng.F
    # The flags are copies of the key, not literals: sqlframe folds ``lit(1) IS NOT NULL``
    # to TRUE even after a left join, which would silently keep every pair.
    side_1 = contents.select(F.col("content").alias("content_1"), F.col("content").alias("_q1"))
    side_2 = contents.select(F.col("content").alias("content_2"), F.col("content").alias("_q2"))
    flagged = pairs.join(side_1, on="content_1", how="left").join(
        side_2, on="content_2", how="left")
    kept = flagged.filter(F.col("_q1").isNotNull() | F.col("_q2").isNotNull())
    return kept.select(*PAIR_COLUMNS)


def coshare_pairs(
    eng: Engine, window: float, min_participation: int, signal: str = "object",
    shares: Any = None,
) -> Any:
    """The coordinated share pairs (CooRTweet's ``detect_groups`` result).

    One row per pair of shares, columns :data:`PAIR_COLUMNS`; ``shares``
    defaults to :func:`posts_shares` of ``signal``.
    """
    _check_window(window)
    if shares is None:
        shares = posts_shares(eng, signal)
    active = active_shares(eng, shares.select(*SHARE_COLUMNS), min_participation)
    pairs = candidate_pairs(eng, active, window, signal)
    if min_participation < 1:
        return pairs
    return keep_participating(
        eng, pairs, qualified_contents(eng, active, pairs, min_participation))


def pair_edges(eng: Engine, pairs: Any) -> Any:
    """Account pairs with ``weight`` (number of share pairs) and ``avg_time_delta``.

    ``pairs`` may be several :func:`coshare_pairs` results stacked (CooRTweet's
    ``rbindlist`` of per-object-type results).
    """
    F = eng.F
    return pairs.groupBy("account_1", "account_2").agg(
        F.count(F.lit(1)).alias("weight"), F.avg(F.col("dt")).alias("avg_time_delta"),
    )


def coshare(
    eng: Engine, window: float, min_participation: int, signal: str = "object",
    shares: Any = None,
) -> Any:
    """The co-share network (CooRTweet's full ``generate_coordinated_network`` edges).

    Columns ``account_1, account_2, weight, avg_time_delta`` with
    ``account_1 < account_2``; see :func:`coshare_pairs` for the arguments.
    """
    return pair_edges(eng, coshare_pairs(eng, window, min_participation, signal, shares))
