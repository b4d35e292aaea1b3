"""Full collections wait while a block runs; young garbage is still freed; thresholds return."""

from __future__ import annotations

import doctest
import gc
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from undertow import gcpause
from undertow.gcpause import FULL_AFTER, no_full_collections


class _Node:
    """An object that can sit in a reference cycle and be watched by a weak reference."""

    def __init__(self) -> None:
        self.other: _Node | None = None


@contextmanager
def _generations_collected() -> Iterator[list[int]]:
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def test_the_examples_in_the_docstring_hold():
    assert doctest.testmod(gcpause).failed == 0


def test_no_full_collection_runs_inside_but_young_cycles_are_freed():
    before = gc.get_threshold()
    with _generations_collected() as seen, no_full_collections():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        watch = weakref.ref(a)
        del a, b
        # Enough new containers for many young collections, and for full ones
        # under Python's own thresholds.
        keep = [[i] for i in range(before[0] * before[1] * 30)]
        assert watch() is None, "a cycle that died young outlived the young collections"
    del keep
    assert seen and 2 not in seen
    assert gc.get_threshold() == before


def test_thresholds_come_back_after_an_error():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), no_full_collections():
        assert gc.get_threshold()[2] == FULL_AFTER
        raise RuntimeError("boom")
    assert gc.get_threshold() == before


def test_nested_blocks_restore_only_when_the_outermost_ends():
    before = gc.get_threshold()
    with no_full_collections():
        with no_full_collections():
            assert gc.get_threshold()[2] == FULL_AFTER
        assert gc.get_threshold()[2] == FULL_AFTER
    assert gc.get_threshold() == before


def test_blocks_overlapping_in_threads_restore_when_the_last_ends():
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen_after_first: list[int] = []

    def first() -> None:
        with no_full_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with no_full_collections():
            second_in.set()
            first_out.wait(5)
            seen_after_first.append(gc.get_threshold()[2])

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen_after_first == [FULL_AFTER]
    assert gc.get_threshold() == before
