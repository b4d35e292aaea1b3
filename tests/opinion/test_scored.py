"""``post_sentiment``: posts scored a batch at a time, kept, and replaced whole."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from undertow import Workspace, ingest
from undertow.opinion import scored
from undertow.opinion.sentiment import Sentiment

T0 = datetime(2025, 3, 24)


class Counting:
    """'great' positive, 'bad' negative; counts the texts it is given, and fails on the
    batch numbered ``fail_on`` (from 1), as a scorer killed part-way would."""

    def __init__(self, identity: str = "fast", fail_on: int | None = None) -> None:
        self.identity, self.fail_on = identity, fail_on
        self.batches: list[int] = []

    def analyze(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[Sentiment]:
        self.batches.append(len(texts))
        if len(self.batches) == self.fail_on:
            raise RuntimeError("scorer killed")
        label = "positive" if self.identity == "fast" else "negative"
        return [Sentiment("en", label if "great" in t else "neutral", 0.5, ["battery"])
                for t in texts]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    rows = [{"id": f"p{i:03d}", "user": f"u{i % 7}", "lang": "en",
             "created_at": (T0 + timedelta(minutes=i)).isoformat() + "Z",
             # Every fifth text repeats one before it: scored once per batch.
             "text": f"battery great #{i - i % 5 if i % 5 == 4 else i}"} for i in range(250)]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    workspace = Workspace.open(tmp_path / "ws")
    ingest(workspace, [path])
    return workspace


def test_doctests() -> None:
    import doctest

    from undertow.opinion import processes

    assert doctest.testmod(processes).failed == 0 and doctest.testmod(scored).failed == 0


def _rows(ws: Workspace) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in ws.con.execute(
        "SELECT post_id, label FROM post_sentiment ORDER BY post_id").fetchall()]


def test_batches_score_every_post_once(ws: Workspace) -> None:
    whole, batched = Counting(), Counting()
    assert scored.score_posts(ws, whole) == 250
    at_once = _rows(ws)
    ws.con.execute("DELETE FROM post_sentiment")
    assert scored.score_posts(ws, batched, batch_rows=60) == 250
    assert _rows(ws) == at_once and len({p for p, _ in at_once}) == 250
    # Five batches, no text analysed twice within one: memory held to a batch.
    assert len(batched.batches) == 5 and max(batched.batches) <= 60
    assert whole.batches == [200]  # 250 posts, 50 of them repeating a text
    ws.close()


def test_a_run_stopped_part_way_keeps_its_batches_and_the_next_scores_the_rest(
        ws: Workspace) -> None:
    assert scored.score_posts(ws, Counting()) == 250
    ws.con.execute("DELETE FROM post_sentiment WHERE post_id >= 'p100'")
    with pytest.raises(RuntimeError, match="killed"):
        scored.score_posts(ws, Counting(fail_on=2), batch_rows=60)
    # The first batch of the 150 unscored posts was stored, the failing one was not.
    assert len(_rows(ws)) == 160
    assert scored.score_posts(ws, Counting(), batch_rows=60) == 90
    assert len(_rows(ws)) == 250 and len({p for p, _ in _rows(ws)}) == 250
    ws.close()


def test_the_first_run_stopped_part_way_keeps_its_batches_too(ws: Workspace) -> None:
    """A workspace's first scoring was one transaction (as a change of scorer is): stopped
    in its third batch, it kept nothing of the two before."""
    with pytest.raises(RuntimeError, match="killed"):
        scored.score_posts(ws, Counting(fail_on=3), batch_rows=60)
    assert len(_rows(ws)) == 120 and scored.stored_scorer(ws) == "fast"
    assert scored.score_posts(ws, Counting(), batch_rows=60) == 130
    assert len({p for p, _ in _rows(ws)}) == 250
    ws.close()


def test_another_scorer_replaces_every_row_or_none(ws: Workspace) -> None:
    assert scored.score_posts(ws, Counting(), batch_rows=60) == 250
    before = _rows(ws)
    with pytest.raises(RuntimeError, match="killed"):
        scored.score_posts(ws, Counting("other", fail_on=3), batch_rows=60)
    # Two batches of the new scorer were written before it died: none of them is kept.
    assert _rows(ws) == before and scored.stored_scorer(ws) == "fast"
    assert scored.score_posts(ws, Counting("other"), batch_rows=60) == 250
    assert scored.stored_scorer(ws) == "other"
    assert {label for _, label in _rows(ws)} == {"negative"} and len(_rows(ws)) == 250
    ws.close()


def test_processes_score_exactly_as_one(ws: Workspace, default_zh: object) -> None:
    from undertow.opinion.sentiment import SentimentAnalyzer

    ws.con.execute("UPDATE posts SET text = CASE WHEN post_id < 'p100' THEN '电池太差了，非常失望' "
                   "|| post_id ELSE 'Der Akku ist schlecht und enttäuschend ' || post_id END, "
                   "lang = CASE WHEN post_id < 'p100' THEN 'zh' ELSE 'de' END "
                   "WHERE post_id >= 'p050'")
    alone = SentimentAnalyzer()
    assert scored.score_posts(ws, alone, batch_rows=120, workers=1) == 250
    one = ws.con.execute("SELECT * FROM post_sentiment ORDER BY post_id").fetchall()
    ws.con.execute("DELETE FROM post_sentiment")
    assert scored.score_posts(ws, SentimentAnalyzer(), batch_rows=120, workers=2) == 250
    two = ws.con.execute("SELECT * FROM post_sentiment ORDER BY post_id").fetchall()
    assert two == one
    assert {r[2] for r in two} == {"en", "zh", "de"} and {r[3] for r in two} >= {
        "positive", "negative"}
    ws.close()


class FailsOnBoom:
    """Fails on a batch with a text that says 'boom' (in a worker process, too)."""

    identity = "fast"

    def analyze(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[Sentiment]:
        if any("boom" in t for t in texts):
            raise RuntimeError("scorer killed")
        return [Sentiment("en", "neutral", 0.0, []) for _ in texts]


def test_a_worker_that_dies_loses_only_its_batch(ws: Workspace) -> None:
    assert scored.score_posts(ws, Counting()) == 250
    ws.con.execute("DELETE FROM post_sentiment")
    ws.con.execute("UPDATE posts SET text = 'boom' WHERE post_id = 'p200'")
    with pytest.raises(RuntimeError, match="killed"):
        scored.score_posts(ws, FailsOnBoom(), batch_rows=60, workers=2)
    kept = len(_rows(ws))
    assert kept < 250 and kept % 60 == 0  # whole batches, the failing one not among them
    ws.con.execute("UPDATE posts SET text = 'calm' WHERE post_id = 'p200'")
    assert scored.score_posts(ws, FailsOnBoom(), batch_rows=60, workers=2) == 250 - kept
    assert len({p for p, _ in _rows(ws)}) == 250
    ws.close()
