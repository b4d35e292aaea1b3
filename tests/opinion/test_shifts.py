"""Lasting changes in net sentiment (``undertow.opinion.shifts``)."""

from __future__ import annotations

import doctest

import numpy as np

from undertow.opinion import shifts
from undertow.opinion.shifts import ShiftParams, sentiment_shifts


def _week(rng: np.random.Generator, p_pos: np.ndarray, p_neg: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A week of hourly posts, busy afternoons and quiet nights."""
    n = rng.poisson(8 + 6 * np.sin(np.arange(168) / 24 * 2 * np.pi))
    pos = rng.binomial(n, p_pos)
    neg = rng.binomial(n - pos, p_neg / (1 - p_pos))
    return pos, neg, n


def test_doctests() -> None:
    assert doctest.testmod(shifts).failed == 0


def test_noise_is_not_a_shift() -> None:
    """A week at one level, 200 times over: at most 1% of the weeks show a shift."""
    rng = np.random.default_rng(7)
    level = np.full(168, 0.4), np.full(168, 0.3)
    found = sum(bool(sentiment_shifts(*_week(rng, *level), ShiftParams())) for _ in range(200))
    assert found <= 2


def test_a_fall_is_found_where_it_starts() -> None:
    """Net +0.15 for 80 hours, then −0.15: found within six hours of where it starts
    in most weeks, with both levels."""
    rng = np.random.default_rng(8)
    after = np.arange(168) >= 80
    p_pos, p_neg = np.where(after, 0.3, 0.45), np.where(after, 0.45, 0.3)
    hits = 0
    for _ in range(50):
        found = sentiment_shifts(*_week(rng, p_pos, p_neg), ShiftParams())
        hits += any(abs(at - 80) <= 6 and before > 0 > net for at, before, net, _ in found)
    assert hits >= 40


def test_a_day_of_anger_that_passes_is_two_shifts() -> None:
    """Net +0.2 for three days, −0.5 for ten hours, +0.2 again: no single split moves the
    net by 0.2, the stretch does, and both its ends are found with their levels."""
    n = np.full(168, 12)
    pos = np.where((np.arange(168) >= 80) & (np.arange(168) < 90), 1, 5)
    neg = np.where((np.arange(168) >= 80) & (np.arange(168) < 90), 7, 3)
    found = sentiment_shifts(pos, neg, n, ShiftParams())
    assert [(at, before, after) for at, before, after, _ in found] == [
        (80, 0.1667, -0.5), (90, -0.5, 0.1667)]


def test_pieces_too_short_for_two_levels_are_left_alone() -> None:
    """A piece of five periods cannot hold two levels of 24: no new level starts in it
    (a negative slice end would read candidates from the end of the series)."""
    assert shifts._starts(np.full(60, 12), 0, 5, ShiftParams(min_periods=24)) == []
    assert shifts._starts(np.full(60, 12), 0, 48, ShiftParams(min_periods=24)) == [24]
