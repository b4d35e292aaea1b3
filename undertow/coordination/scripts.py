"""Floods of one script: many accounts, each posting its own rewording of one text,
within a window.

A paid-posting job hands out a script and asks each account to put it in its own
words. No two posts then share a text, and when the flood is larger than
``hot_accounts`` its LSH cells are too crowded to pair, so neither ``text`` nor
``near_text`` pairs see it; and a flood of a few dozen accounts that comes back once
or twice gives each pair of accounts too few meetings to be significant.

Such a flood is found as a group: in a cell of one LSH band and one window where at
least ``min_accounts`` accounts post at least as many different texts, the texts
whose estimated Jaccard similarity with each other is at least
:data:`SCRIPT_SIMILARITY` form a graph, and its dense core (every text near at least
:data:`SCRIPT_DENSITY` of the others, :func:`dense_core`) is the flood. One looser
bond is not enough: people answering one moment write alike (a product name, a
slogan), and on simulated streams their texts are near each other in sparse, small
groups (the busiest minutes of the 10M stream, about a thousand posts each: dense
cores of 6 to 11 texts at similarity 0.4, against 100 of 120 light rewrites of one
Chinese script and all of 200 English ones).

A flood found this way is a burst (``signal`` ``near_text``, its key named
``script:`` and the id of its most central text). On its own it is listed as a surge
and ties no one: it ties those of its accounts that meet again, in another burst
beyond chance or in significant edges, and only those
(:func:`~undertow.coordination.campaigns.repeated_bursts`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from undertow.coordination.textsim import bbit_jaccard
from undertow.coordination.unionfind import find, union

#: Estimated Jaccard similarity (3-gram shingles) two texts of one script need.
SCRIPT_SIMILARITY = 0.4
#: Share of the other texts of a flood each of its texts must be near.
SCRIPT_DENSITY = 0.8
#: Texts of one cell compared at once (a block of the similarity matrix).
_BLOCK = 256
#: Most texts of one cell compared with each other (16 MB of matrix): in a cell with
#: more (tens of thousands of lines in one minute of a live stream), those posted by
#: the most accounts, then those of the lowest ids.
MAX_CELL_TEXTS = 4096


def near_matrix(bits: np.ndarray, threshold: float) -> np.ndarray:
    """Which texts (rows of check ``bits``) are near each other: the b-bit MinHash
    estimate of their Jaccard similarity at least ``threshold`` (a text is not near
    itself). Compared a block at a time."""
    n = len(bits)
    near = np.zeros((n, n), dtype=bool)
    for start in range(0, n, _BLOCK):
        near[start:start + _BLOCK] = bbit_jaccard(bits[start:start + _BLOCK, None, :],
                                                  bits[None, :, :]) >= threshold
    np.fill_diagonal(near, False)
    return near


def dense_core(near: np.ndarray, density: float = SCRIPT_DENSITY, least: int = 1
               ) -> np.ndarray:
    """The largest set found by peeling: the node with the fewest neighbours left is
    dropped until every node left is near at least ``density`` of the others; none
    when fewer than ``least`` nodes are left.

    Nodes with fewer neighbours than a core of ``least`` nodes needs can be in no such
    core, and neighbours are only ever lost: they are dropped first, all at once (most
    crowded cells hold no flood, and lose every node that way).

    >>> ring = np.zeros((6, 6), bool)
    >>> for i in range(6):
    ...     ring[i, (i + 1) % 6] = ring[(i + 1) % 6, i] = True
    >>> clique = np.ones((4, 4), bool) & ~np.eye(4, dtype=bool)
    >>> both = np.zeros((10, 10), bool)
    >>> both[:6, :6], both[6:, 6:] = ring, clique
    >>> np.flatnonzero(dense_core(both)).tolist()
    [6, 7, 8, 9]
    >>> int(dense_core(both, least=5).sum())
    0
    """
    n = len(near)
    alive = np.ones(n, dtype=bool)
    degree = near.sum(axis=1).astype(np.int64)
    fewest = int(np.ceil(density * (least - 1) - 1e-9))
    while True:
        drop = alive & (degree < fewest)
        if not drop.any():
            break
        alive &= ~drop
        degree -= near[drop].sum(axis=0)
    left = int(alive.sum())
    while left >= max(least, 1):
        live = np.flatnonzero(alive)
        low = live[np.argmin(degree[live])]
        if degree[low] >= density * (left - 1):
            return alive
        alive[low] = False
        degree -= near[low]
        left -= 1
    return np.zeros(n, dtype=bool)


def script_floods(rows: pa.Table, bits: np.ndarray, ids: np.ndarray, min_accounts: int,
                  threshold: float = SCRIPT_SIMILARITY,
                  density: float = SCRIPT_DENSITY) -> tuple[pa.Table, pa.Table]:
    """Floods of one script among crowded ``rows`` (``band, bin, pid, tid, acc, ts``: of
    cells of one band and window where ``min_accounts`` accounts post as many texts,
    :func:`~undertow.coordination.features.near_cold_rows`): two tables,
    ``floods`` (``flood``, ``text_id``: the id of its most central text) and
    ``posts`` (``flood, pid, acc, ts``, each post once).

    ``bits`` are the check bits of every text by number (``tid``), ``ids`` their
    ids. A cell's flood is the dense core of its texts (:func:`dense_core` of
    :func:`near_matrix`) when it holds at least ``min_accounts`` texts of as many
    accounts; the same flood is found in several bands and, cut by a window
    boundary, in two neighbouring windows: cores of one window that share a text,
    and cores of neighbouring windows whose central texts are near, are one flood.
    """
    empty = (pa.table({"flood": pa.array([], pa.int64()), "text_id": pa.array([], pa.int64())}),
             pa.table({"flood": pa.array([], pa.int64()), "pid": pa.array([], pa.int64()),
                       "acc": pa.array([], pa.int64()), "ts": pa.array([], pa.float64())}))
    if rows.num_rows == 0:
        return empty
    rows = rows.sort_by([("band", "ascending"), ("bin", "ascending"), ("tid", "ascending")])
    band, cell_bin = rows["band"].to_numpy(), rows["bin"].to_numpy()
    tid, acc = rows["tid"].to_numpy(), rows["acc"].to_numpy()
    starts = np.flatnonzero(np.r_[True, (band[1:] != band[:-1]) | (cell_bin[1:] != cell_bin[:-1])])
    ends = np.r_[starts[1:], len(band)]
    cores: list[tuple[int, np.ndarray, int]] = []  # (bin, texts, central text)
    cells: list[np.ndarray] = []  # each core's posts: rows of its cell with its texts
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        texts, posted = np.unique(tid[lo:hi], return_counts=True)
        # A cell's texts in the order of their ids (made from the texts themselves), not
        # of their numbers (the order they were first read): where peeling or the
        # central text is a tie, the same posts give the same flood, however stored.
        if len(texts) > MAX_CELL_TEXTS:
            texts = texts[np.lexsort((ids[texts], -posted))[:MAX_CELL_TEXTS]]
        texts = texts[np.argsort(ids[texts], kind="stable")]
        near = near_matrix(bits[texts], threshold)
        core = dense_core(near, density, min_accounts)
        kept = texts[core]
        if len(kept) < min_accounts:
            continue
        in_core = np.isin(tid[lo:hi], kept)
        if len(np.unique(acc[lo:hi][in_core])) < min_accounts:
            continue
        central = kept[np.argmax(near[np.ix_(core, core)].sum(axis=1))]
        cores.append((int(cell_bin[lo]), kept, int(central)))
        cells.append(lo + np.flatnonzero(in_core))
    if not cores:
        return empty
    # Floods numbered 0, 1, ... in the order of their first core.
    roots, flood_of = np.unique(_join_cores(cores, bits, threshold), return_inverse=True)
    # Each post of a core's texts in its window (all in its cell: a text's posts
    # share its bands), once per flood.
    at = np.concatenate(cells)
    which = np.repeat(flood_of.astype(np.int64), [len(c) for c in cells])
    posts = rows.select(["pid", "acc", "ts"]).take(pa.array(at)).add_column(
        0, "flood", pa.array(which)).group_by(["flood", "pid", "acc", "ts"]).aggregate([])
    posts = posts.sort_by([("flood", "ascending"), ("ts", "ascending"), ("pid", "ascending")])
    # The central text of a flood's largest core (the first of the largest) names it.
    named = np.zeros(len(roots), np.int64)
    largest = np.zeros(len(roots), np.int64)
    for f, (_, kept, central) in zip(flood_of.tolist(), cores, strict=True):
        if len(kept) > largest[f]:
            largest[f], named[f] = len(kept), central
    return pa.table({"flood": pa.array(np.arange(len(roots)), pa.int64()),
                     "text_id": pa.array(ids[named], pa.int64())}), posts


def _join_cores(cores: list[tuple[int, np.ndarray, int]], bits: np.ndarray,
                threshold: float) -> list[int]:
    """For each core, the lowest-numbered core of its flood (a union-find): cores of
    one window sharing a text, and of neighbouring windows with central texts near."""
    root = list(range(len(cores)))
    by_text: dict[tuple[int, int], int] = {}
    by_bin: dict[int, list[int]] = {}
    for k, (b, kept, _) in enumerate(cores):
        by_bin.setdefault(b, []).append(k)
        for t in kept.tolist():
            if (b, t) in by_text:
                union(root, k, by_text[(b, t)])
            else:
                by_text[(b, t)] = k
    for b, here in by_bin.items():
        after = by_bin.get(b + 1, [])
        if not after:
            continue
        both = here + after
        near = near_matrix(bits[[cores[k][2] for k in both]], threshold)
        for i, j in zip(*np.nonzero(near[:len(here), len(here):]), strict=True):
            union(root, here[int(i)], after[int(j)])
    return [find(root, k) for k in range(len(cores))]
