"""No full garbage collection while an analysis builds and runs its plans.

Each relational step is a DataFrame plan: sqlframe copies the plan so far on every
operation, and the copies are sqlglot trees whose nodes point at their parents, so
thousands of container objects are made and dropped per step. Enough of them live
through a step to make Python's collector run full collections, which walk every
object the process holds (the imported libraries' too). Timed on a simulated stream
of 100k posts (``detect --signals near_text``, eight runs in one process, every
collection counted wherever it fell): 2.66 s a run with Python's thresholds, 2.35 s
without full collections during the runs, with the same results. Pausing the
collector altogether gained nothing: the first collection after the pause walked
everything the run had made.

The young generations are still collected, so cycles that die young are freed as
they are made; cycles that outlive them wait for the first full collection after
the block: peak memory did not move at 1M and 10M posts (1.93 and 3.25 GiB, all
signals). Blocks nest and may overlap across threads: the thresholds found when
the outermost block began are put back when it ends.

Example:
    >>> import gc
    >>> before = gc.get_threshold()
    >>> with no_full_collections():
    ...     gc.get_threshold()[2] > before[2]
    True
    >>> gc.get_threshold() == before
    True
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: The collector's third threshold inside a block: collections of the middle
#: generation before a full one is considered (Python's default is 10; a detection
#: run at 100k posts makes about 70).
FULL_AFTER = 1_000_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()


@contextmanager
def no_full_collections() -> Iterator[None]:
    """No full (oldest-generation) collection inside the block (see the module doc)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(_saved[0], _saved[1], FULL_AFTER)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
