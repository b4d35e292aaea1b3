"""Scoring on every core: the fast tier is Python that holds the GIL, so a process a core.

:class:`ProcessAnalyzer` has the analyzer's :meth:`analyze` and splits each call over
worker processes, each given the analyzer once when it starts. Workers are spawned,
not forked: the parent runs DuckDB's threads, and a fork would copy any lock one of
them held at that moment, with no thread left to release it.

Example:
    >>> from undertow.opinion.sentiment import SentimentAnalyzer
    >>> with ProcessAnalyzer(SentimentAnalyzer(), workers=2) as scorer:  # doctest: +SKIP
    ...     [s.label for s in scorer.analyze(["great phone", "Akku schlecht"], ["en", "de"])]
    ['positive', 'negative']
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any

from undertow.opinion.sentiment import Sentiment

#: Posts to score below which one process is about as quick: starting the workers
#: (imports, the analyzer's models sent over) takes about 3 s, the time one process
#: takes to score some 60,000 posts.
PARALLEL_FROM = 200_000
#: The most processes chosen: each holds its own copy of the models (about 350 MB).
MAX_WORKERS = 8

_ANALYZER: Any = None  # the analyzer of this worker process


def _start(analyzer: Any) -> None:
    global _ANALYZER
    _ANALYZER = analyzer


def _analyze(texts: list[str], langs: list[str | None]
             ) -> list[tuple[str | None, str | None, float | None, list[str]]]:
    # Tuples: they cross between processes in about half the time of Sentiment objects.
    return [(s.lang, s.label, s.score, list(s.aspects))
            for s in _ANALYZER.analyze(texts, langs)]


def workers_for(analyzer: Any, posts: int, workers: int | None = None) -> int:
    """How many processes should score ``posts`` posts: ``workers`` when given, else one
    a core for the fast tier on many posts (the accurate tier's encoder already uses
    every core, and other analyzers may not survive being sent to a process).

    >>> from undertow.opinion.sentiment import SentimentAnalyzer
    >>> workers_for(SentimentAnalyzer(), 1_000), workers_for(object(), 10**7)
    (1, 1)
    >>> workers_for(SentimentAnalyzer(), 10**7, workers=3)
    3
    """
    if workers is not None:
        return max(1, workers)
    if posts < PARALLEL_FROM or getattr(analyzer, "tier", None) != "fast":
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_WORKERS))


class ProcessAnalyzer:
    """``analyzer.analyze`` split over ``workers`` spawned processes, in input order."""

    def __init__(self, analyzer: Any, workers: int) -> None:
        if hasattr(analyzer, "zh_model"):
            analyzer.zh_model()  # loaded once here, not trained or read by every worker
        self.workers = workers
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start, initargs=(analyzer,))

    def analyze(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[Sentiment]:
        """One :class:`Sentiment` per text, in order, as ``analyzer.analyze`` gives."""
        return self.submit(texts, langs)()

    def submit(self, texts: Sequence[str], langs: Sequence[str | None] | None = None
               ) -> Callable[[], list[Sentiment]]:
        """Start :meth:`analyze` on the workers; returns what waits for its result, so
        the caller can store one batch while the next is scored."""
        given: list[str | None] = list(langs) if langs is not None else [None] * len(texts)
        size = -(-len(texts) // self.workers) or 1
        starts = range(0, len(texts), size)
        parts = [self._pool.submit(_analyze, list(texts[i:i + size]), given[i:i + size])
                 for i in starts]

        def result() -> list[Sentiment]:
            return [Sentiment(*found) for part in parts for found in part.result()]

        return result

    def close(self) -> None:
        """Stop the workers."""
        self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> ProcessAnalyzer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
