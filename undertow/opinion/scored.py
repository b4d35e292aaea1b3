"""Sentiment of the workspace's posts, computed once and kept in the table ``post_sentiment``.

``post_sentiment(platform, post_id, lang, label, score, aspects)`` has one row per scored post
(see :mod:`undertow.opinion.sentiment` for what the columns mean). :func:`score_posts` scores
only posts that have no row yet, each distinct (text, language) once, and writes all new rows
in one transaction; running it again after ingesting more posts scores just the new ones.
The table ``post_sentiment_scorer`` names the scorer that filled it (``fast``, ``accurate``,
or ``fast`` with the fingerprints of adapted models, see :mod:`undertow.opinion.adapted`);
scoring with another one replaces every row in that same transaction, so the table never
mixes two scorers. It also keeps the revision of the shipped rules
(:func:`undertow.opinion.sentiment.shipped_revision`): after an upgrade that changes
thresholds, taxonomy or models, every post is scored again, not just the new ones.

Example:
    >>> from undertow.workspace import Workspace
    >>> ws = Workspace.open("/tmp/undertow-doctest-scored")        # doctest: +SKIP
    >>> score_posts(ws)                                             # doctest: +SKIP
    20000
    >>> score_posts(ws)                                             # doctest: +SKIP
    0
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import pyarrow as pa

from undertow.opinion.processes import ProcessAnalyzer, workers_for
from undertow.opinion.sentiment import Sentiment, shipped_revision
from undertow.workspace import Workspace

TABLE = "post_sentiment"
SCHEMA = pa.schema([("platform", pa.string()), ("post_id", pa.string()), ("lang", pa.string()),
                    ("label", pa.string()), ("score", pa.float64()),
                    ("aspects", pa.list_(pa.string()))])
_CREATE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (platform VARCHAR, post_id VARCHAR, "
           "lang VARCHAR, label VARCHAR, score DOUBLE, aspects VARCHAR[])")
_UNSCORED = (f"SELECT p.platform, p.post_id, p.text, p.lang FROM posts p "
         f"ANTI JOIN {TABLE} s ON s.platform = p.platform AND s.post_id = p.post_id")


class Analyzer(Protocol):
    """Anything with :meth:`undertow.opinion.sentiment.SentimentAnalyzer.analyze`'s shape."""

    def analyze(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[Sentiment]: ...


SCORER_TABLE = "post_sentiment_scorer"
#: What scored ``post_sentiment`` in workspaces made before the scorer was recorded.
DEFAULT_SCORER = "fast"


def ensure_table(ws: Workspace) -> None:
    """Create ``post_sentiment`` (and the table naming its scorer) if the workspace has none."""
    ws.con.execute(_CREATE)
    ws.con.execute(f"CREATE TABLE IF NOT EXISTS {SCORER_TABLE} (scorer VARCHAR)")
    # Workspaces from before the revision was kept: NULL, so their posts are scored again.
    ws.con.execute(f"ALTER TABLE {SCORER_TABLE} ADD COLUMN IF NOT EXISTS revision VARCHAR")


def stored_scorer(ws: Workspace) -> str:
    """The scorer whose rows ``post_sentiment`` holds."""
    return _stored(ws)[0]


def _stored(ws: Workspace) -> tuple[str, str | None]:
    """``(scorer, revision)`` of the rows ``post_sentiment`` holds."""
    ensure_table(ws)
    rows = ws.con.execute(f"SELECT scorer, revision FROM {SCORER_TABLE}").fetchall()
    if not rows:
        return DEFAULT_SCORER, None
    return str(rows[0][0]), None if rows[0][1] is None else str(rows[0][1])


#: Posts read and scored at a time: memory stays bounded however many posts the workspace
#: holds (all at once, 1M posts took 2.5 GB).
BATCH_ROWS = 100_000
#: DuckDB's memory while the posts are read, as for detection: the join and the sort
#: behind :func:`scored_posts` spill to disk beyond it instead of growing with the stream.
MEMORY_LIMIT = "2GB"


def score_posts(ws: Workspace, analyzer: Analyzer | None = None,
                batch_rows: int = BATCH_ROWS, workers: int | None = 1) -> int:
    """Score posts not yet in ``post_sentiment``; returns how many were added.

    Posts are read and scored ``batch_rows`` at a time, each batch stored in a transaction
    of its own: a run stopped part-way keeps what it scored (the first run too), and the
    next one scores the rest. With a scorer other than the one that filled the table
    (``analyzer.identity``), every post is scored again and the old rows are replaced in
    one transaction, which leaves them as they were if the run stops.

    ``workers`` processes score (``None``: one a core for the fast tier on 200,000 posts
    or more, see :mod:`undertow.opinion.processes`); more than one are spawned, so a
    script that asks for them must keep its top level under
    ``if __name__ == "__main__":``, as Python's multiprocessing requires. The CLI asks
    for ``None``.
    """
    if analyzer is None:
        from undertow.opinion.sentiment import SentimentAnalyzer

        analyzer = SentimentAnalyzer()
    scorer = str(getattr(analyzer, "identity", DEFAULT_SCORER))
    replace = _stored(ws) != (scorer, shipped_revision())
    if replace and not ws.con.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchall():
        # No rows to keep as they were (a first run): the scorer is recorded, and the
        # batches are stored one by one, so that a stopped run keeps what it scored.
        with ws.transaction() as con:
            _replace_scorer(con, scorer)
        replace = False
    sql = "SELECT platform, post_id, text, lang FROM posts" if replace else _UNSCORED
    todo = int(ws.con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0])
    if todo == 0 and not replace:
        return 0
    processes = workers_for(analyzer, todo, workers)
    # Read on a cursor of its own, so the connection stays free to write each batch.
    cursor = ws.con.cursor()
    try:
        with ws.working_memory(MEMORY_LIMIT), _processes(analyzer, processes) as scoring:
            reader = cursor.sql(sql).to_arrow_reader(batch_rows)
            if not replace:
                return _each_batch(reader, scoring, lambda rows: write(ws, rows))
            with ws.transaction() as con:
                _replace_scorer(con, scorer)
                return _each_batch(reader, scoring, lambda rows: _append(con, rows))
    finally:
        cursor.close()


@contextmanager
def _processes(analyzer: Analyzer, processes: int) -> Iterator[Analyzer | ProcessAnalyzer]:
    """``analyzer``, or the same split over ``processes`` worker processes."""
    if processes <= 1:
        yield analyzer
        return
    with ProcessAnalyzer(analyzer, processes) as scoring:
        yield scoring


def _each_batch(reader: pa.RecordBatchReader, scoring: Analyzer | ProcessAnalyzer,
                store: Callable[[pa.Table], None]) -> int:
    """Score every batch of ``reader`` and ``store`` its rows; the rows stored. With worker
    processes, each batch is stored while they score the next."""
    ahead = 1 if isinstance(scoring, ProcessAnalyzer) else 0
    added, pending = 0, deque[Callable[[], pa.Table]]()

    def store_first() -> int:
        rows = pending.popleft()()
        store(rows)
        return int(rows.num_rows)

    for batch in reader:
        pending.append(_start(scoring, batch))
        while len(pending) > ahead:
            added += store_first()
    while pending:
        added += store_first()
    return added


def _start(scoring: Analyzer | ProcessAnalyzer, batch: pa.RecordBatch
           ) -> Callable[[], pa.Table]:
    """Start scoring a batch of ``(platform, post_id, text, lang)``, each distinct text
    and language once (a missing text gets no label); returns what waits for its rows
    of ``post_sentiment``."""
    keys = list(zip(batch.column("text").to_pylist(), batch.column("lang").to_pylist(),
                    strict=True))
    unique = list(dict.fromkeys(k for k in keys if k[0]))
    texts, langs = [str(k[0]) for k in unique], [k[1] for k in unique]
    if isinstance(scoring, ProcessAnalyzer):
        wait = scoring.submit(texts, langs)
    else:
        found = scoring.analyze(texts, langs) if unique else []

        def wait() -> list[Sentiment]:
            return found

    def rows() -> pa.Table:
        by_key = dict(zip(unique, wait(), strict=True))
        empty = Sentiment(None, None, None, [])
        results = [by_key.get(k, empty) if k[0] else empty for k in keys]
        return pa.table({
            "platform": batch.column("platform"), "post_id": batch.column("post_id"),
            "lang": pa.array([r.lang for r in results], pa.string()),
            "label": pa.array([r.label for r in results], pa.string()),
            "score": pa.array([r.score for r in results], pa.float64()),
            "aspects": pa.array([list(r.aspects) for r in results], pa.list_(pa.string())),
        }, schema=SCHEMA)

    return rows


def _replace_scorer(con: Any, scorer: str) -> None:
    """Inside a transaction: empty ``post_sentiment`` and record ``scorer`` as its scorer."""
    con.execute(f"DELETE FROM {TABLE}")
    con.execute(f"DELETE FROM {SCORER_TABLE}")
    con.execute(f"INSERT INTO {SCORER_TABLE} (scorer, revision) VALUES (?, ?)",
                [scorer, shipped_revision()])


def _append(con: Any, rows: pa.Table) -> None:
    """Inside a transaction: append ``rows`` to ``post_sentiment``."""
    view = "_new_post_sentiment"
    con.register(view, rows.select(SCHEMA.names))
    try:
        con.execute(f"INSERT INTO {TABLE} SELECT * FROM {view}")
    finally:
        con.unregister(view)


def write(ws: Workspace, rows: pa.Table, replace_scorer: str | None = None,
          scorer: str = DEFAULT_SCORER) -> None:
    """Append ``rows`` (with :data:`SCHEMA`) to ``post_sentiment`` in one transaction; with
    ``replace_scorer``, the rows replace the table's and that scorer is recorded. Rows
    appended to a workspace that records no scorer yet are recorded as ``scorer``'s, under
    this revision of the shipped rules."""
    ensure_table(ws)
    with ws.transaction() as con:
        if replace_scorer is not None:
            _replace_scorer(con, replace_scorer)
        elif not con.execute(f"SELECT count(*) FROM {SCORER_TABLE}").fetchall()[0][0]:
            con.execute(f"INSERT INTO {SCORER_TABLE} (scorer, revision) VALUES (?, ?)",
                        [scorer, shipped_revision()])
        _append(con, rows)


def scored_posts(ws: Workspace) -> pa.Table:
    """Posts joined with their sentiment and campaign membership.

    Columns: platform, post_id, author_id, created_at, text, lang, label, score, aspects,
    campaign (True when the author is in ``campaign_accounts``).
    """
    ensure_table(ws)
    if has_detection(ws):
        campaign = ("EXISTS (SELECT 1 FROM campaign_accounts c WHERE c.account_id = p.author_id "
                    "AND c.platform = p.platform)")
    else:
        campaign = "false"
    sql = (f"SELECT p.platform, p.post_id, p.author_id, p.created_at, p.text, s.lang, s.label, "
           f"s.score, s.aspects, {campaign} AS campaign FROM posts p "
           f"JOIN {TABLE} s ON s.platform = p.platform AND s.post_id = p.post_id "
           "ORDER BY p.created_at, p.platform, p.post_id")
    with ws.working_memory(MEMORY_LIMIT):
        table: pa.Table = ws.con.sql(sql).to_arrow_table()
    return table


def has_detection(ws: Workspace) -> bool:
    """Whether ``undertow detect`` has stored ``campaign_accounts`` in the workspace."""
    rows = ws.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                          ["campaign_accounts"]).fetchall()
    return bool(rows and rows[0][0])


def campaign_account_count(ws: Workspace) -> int:
    """Accounts listed in ``campaign_accounts`` (0 when no detection was run)."""
    if not has_detection(ws):
        return 0
    rows: Any = ws.con.execute("SELECT count(*) FROM campaign_accounts").fetchall()
    return int(rows[0][0]) if rows else 0
