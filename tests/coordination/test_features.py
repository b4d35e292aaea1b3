"""Tests for undertow.coordination.features: the posts as detection streams them."""

from __future__ import annotations

from undertow import Workspace
from undertow.coordination.features import read_posts
from undertow.engines import make_engine


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
