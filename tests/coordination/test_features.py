"""Tests for undertow.coordination.features: the posts as detection streams them."""

from __future__ import annotations

import doctest

import numpy as np

from undertow import Workspace
from undertow.coordination import features
from undertow.coordination.features import TextNumbers, read_posts
from undertow.coordination.textsim import NUM_PERM
from undertow.engines import make_engine


def test_doctests() -> None:
    assert doctest.testmod(features).failed == 0


def test_texts_keep_their_number_and_bits_over_batches() -> None:
    rng = np.random.default_rng(5)
    pool = np.unique(rng.integers(-2**63, 2**63 - 1, size=5_000, dtype=np.int64))
    bits = rng.integers(0, 256, size=(len(pool), NUM_PERM), dtype=np.uint8)
    numbers = TextNumbers(100)  # fewer than will come: it makes room
    given: dict[int, int] = {}
    for _ in range(40):  # batches that repeat earlier texts and bring new ones
        pick = np.unique(rng.choice(len(pool), size=300))
        rng.shuffle(pick)
        before = numbers.count
        got = numbers.add(pool[pick], bits[pick])
        new = [i for i in pick.tolist() if i not in given]
        for i, n in zip(pick.tolist(), got.tolist(), strict=True):
            # A text seen before keeps its number; new ones follow all before, in order.
            assert given.setdefault(i, n) == n
        assert [given[i] for i in new] == list(range(before, before + len(new)))
    assert sorted(given.values()) == list(range(numbers.count))
    order = sorted(given, key=given.__getitem__)
    assert np.array_equal(numbers.ids, pool[order])
    assert np.array_equal(numbers.bits, bits[order])


def test_posts_are_read_in_storage_order_while_detect_runs(tmp_path):
    """Posts are numbered in the order they are read, and evidence that ties on time
    is chosen by those numbers: with DuckDB free to drop insertion order (as it is
    during ``detect``), a table of several row groups came back in another order on
    some reads, and the same run showed other evidence posts and scores."""
    n = 400_000  # four row groups
    with Workspace.open(tmp_path / "ws") as ws:
        ws.con.execute(
            "INSERT INTO posts (platform, post_id, author_id, created_at, text) "
            "SELECT 'twitter', i::VARCHAR, (i % 1000)::VARCHAR, "
            "TIMESTAMPTZ '2025-01-01' + to_seconds(i), 'post ' || i FROM range(?) t(i)", [n])
        eng = make_engine("duckdb", ws)
        with eng.working_memory("2GB"):
            reads = [[int(p) for batch in read_posts(ws) for p in batch["post_id"].to_pylist()]
                     for _ in range(5)]
    assert all(ids == list(range(n)) for ids in reads)
