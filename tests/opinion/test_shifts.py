"""Lasting changes in net sentiment (``undertow.opinion.shifts``)."""

from __future__ import annotations

import doctest

import numpy as np

from undertow.opinion import shifts
from undertow.opinion.shifts import ShiftParams, sentiment_shifts, volume_shifts


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


_HOURS = np.arange(168)
_DAY = 8 + 6 * np.sin(_HOURS / 24 * 2 * np.pi)  # posts expected per hour: day and night


def _volume(counts: np.ndarray) -> list[tuple[int, float, float, float]]:
    return volume_shifts(counts, ShiftParams(min_periods=24), phase=_HOURS % 24, season=24)


def _overdispersed(rng: np.random.Generator, mean: np.ndarray, k: float = 3.0) -> np.ndarray:
    """Hourly counts more variable than Poisson (gamma-Poisson, shape ``k``)."""
    return rng.poisson(rng.gamma(k, mean / k))


def test_day_and_night_are_not_levels_of_volume() -> None:
    """A week of hours that swing from 2 to 14 posts, 300 times over, Poisson and
    overdispersed: at most 2% of the weeks show a change in volume."""
    rng = np.random.default_rng(11)
    assert sum(bool(_volume(rng.poisson(_DAY))) for _ in range(300)) <= 6
    assert sum(bool(_volume(_overdispersed(rng, _DAY))) for _ in range(300)) <= 6


def test_twice_the_posts_for_days_is_found_where_it_starts() -> None:
    """From hour 80 on, twice the posts: found within six hours in most weeks, once."""
    rng = np.random.default_rng(12)
    doubled = _DAY * np.where(_HOURS >= 80, 2.0, 1.0)
    found = [_volume(rng.poisson(doubled)) for _ in range(50)]
    assert sum(len(f) == 1 and abs(f[0][0] - 80) <= 6 and 1.7 < f[0][2] / f[0][1] < 2.3
               for f in found) >= 45


def test_one_flooded_hour_is_not_a_level_of_volume() -> None:
    """300 posts in one hour of an ordinary week (a spike), 100 weeks, overdispersed:
    no more weeks show a change in volume than weeks without the flood do (tested on
    the counts as they are, five of these hundred do)."""
    rng = np.random.default_rng(13)
    flooded = _DAY.copy()
    flooded[100] += 300
    assert sum(bool(_volume(_overdispersed(rng, flooded))) for _ in range(100)) <= 2


def test_a_flood_weighs_as_a_busy_hour() -> None:
    """The counts a level is tested on hold a flood to four times the hours around it."""
    counts = np.array([10] * 30 + [500] + [10] * 30)
    held = shifts.capped(counts, np.ones(len(counts)), 24)
    assert held[30] == 50 and (np.delete(held, 30) == 10).all()


def test_a_stretch_in_three_months_by_hour_is_found_with_both_ends() -> None:
    """2,160 hours are more positions than every pair of them can be scored for; a grid
    of every other one is, then the ends are refined. Two days of anger in the middle
    of three months, and three days at three times the posts, are found exactly (the
    search used to skip such a stream's stretches, and no single split shows them)."""
    hours = np.arange(2160)
    anger = (hours >= 1000) & (hours < 1048)
    found = sentiment_shifts(np.where(anger, 1, 5), np.where(anger, 7, 3), np.full(2160, 12),
                             ShiftParams(min_periods=24))
    assert [(at, before, after) for at, before, after, _ in found] == [
        (1000, 0.1667, -0.5), (1048, -0.5, 0.1667)]
    rng = np.random.default_rng(14)
    day = 8 + 6 * np.sin(hours / 24 * 2 * np.pi)
    counts = rng.poisson(day * np.where((hours >= 1200) & (hours < 1272), 3.0, 1.0))
    found = volume_shifts(counts, ShiftParams(min_periods=24), phase=hours % 24, season=24)
    assert [at for at, *_ in found] == [1200, 1272]
    assert 2.6 < found[0][2] / found[0][1] < 3.4
