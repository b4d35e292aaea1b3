"""Shifts: lasting changes in net sentiment and in volume, found by binary segmentation.

A spike is one period out of line; a shift is a new level that holds. After a fatal
crash the public's net sentiment may fall from +0.3 to −0.5 and stay there for days:
hourly spikes show at most its first hours, until the hours they are weighed against
are themselves the fall, while the days are a new level. :func:`sentiment_shifts`
finds such changes. With no negative posts the same search follows a share, such as
a brand's share of voice against its rival (``pos`` the brand's posts, ``n`` both).
:func:`volume_shifts` searches posts per period the same way (its docstring says how
the day's swing and floods are kept from reading as levels).

Method: for a stretch of periods, each candidate start of a new level ``τ`` splits it
in two, and the likelihood-ratio statistic of the multinomial (positive / neutral /
negative) counts of the two sides against one level is compared with χ² on 2 degrees
of freedom, Bonferroni-corrected over the candidates. The best split is kept when its
corrected p-value is below ``alpha / 2``, both sides last at least ``min_periods`` periods
with ``min_posts`` labelled posts each, the net sentiment moves by ``min_shift`` or
more, and the median of the periods' nets moves the same way by at least half of that
(so that one flooded hour, a campaign's burst, is not a new level). When no split
passes, the stretch ``s:e`` whose level differs most from the periods around it is
tested the same way against the other half of ``alpha``, corrected over the stretches
long enough to compare (circular binary segmentation, for a dip that recovers, such as a
day of outrage; in a long stream, months by hour, first on a grid of positions, then
refined at its ends). Each piece is then searched again, up to ``max_shifts`` per series.

Example:
    >>> pos = np.array([6] * 24 + [1] * 24)
    >>> neg = np.array([2] * 24 + [7] * 24)
    >>> n = np.array([12] * 48)
    >>> found = sentiment_shifts(pos, neg, n, ShiftParams())
    >>> [(i, before, after) for i, before, after, _ in found]
    [(24, 0.3333, -0.5)]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Positions beyond which a stretch is searched on a grid, then refined (every start is
#: scored against every end: 1,500 positions make 2.25M cells, 18 MB an array).
MAX_INTERVAL_CANDIDATES = 1500

__all__ = ["MAX_INTERVAL_CANDIDATES", "ShiftParams", "VolumeSearch", "candidates", "capped",
           "exposure", "level", "sentiment_shifts", "shift_test", "volume_search",
           "volume_shifts"]


@dataclass(frozen=True)
class ShiftParams:
    """Tuning of :func:`sentiment_shifts` and :func:`volume_shifts` (see the module
    docstring and theirs)."""

    alpha: float = 0.01
    min_periods: int = 6
    min_posts: int = 30
    min_shift: float = 0.2
    max_shifts: int = 5


def _lls(pos: np.ndarray, neg: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Multinomial log-likelihood of ``pos``, ``neg`` and ``n − pos − neg`` neutral posts
    at their own shares (0·log 0 = 0), element by element."""
    out = np.zeros(np.broadcast(pos, neg, n).shape)
    for c in (pos, neg, n - pos - neg):
        with np.errstate(divide="ignore", invalid="ignore"):
            out += np.where(c > 0, c * np.log(np.where(c > 0, c, 1) / np.where(n > 0, n, 1)), 0)
    return out


def _loglik(pos: float, neg: float, n: float) -> float:
    """:func:`_lls` of one set of counts."""
    counts = np.array([pos, neg, n], dtype=float)
    return float(_lls(counts[0], counts[1], counts[2]))


def _median_agrees(nets: np.ndarray, inside: slice, change: float, params: ShiftParams) -> bool:
    """Whether the median of the periods' nets ``inside`` moves from the median of the
    others the same way as ``change``, by at least half of ``min_shift`` (one flooded
    period is not a new level)."""
    rest = np.concatenate((nets[:inside.start], nets[inside.stop:]))
    within = nets[inside]
    if not (np.isfinite(within).any() and np.isfinite(rest).any()):
        return False
    moved = float(np.nanmedian(within) - np.nanmedian(rest))
    return moved * change > 0 and abs(moved) >= params.min_shift / 2


def _period_nets(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, lo: int, hi: int
                 ) -> np.ndarray:
    """Net sentiment of each period of ``lo:hi`` (NaN where it has no labelled post)."""
    seen = n[lo:hi]
    return np.where(seen > 0, (pos[lo:hi] - neg[lo:hi]) / np.maximum(seen, 1), np.nan)


def shift_test(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, lo: int, at: int, hi: int,
               params: ShiftParams, candidates: int = 1) -> tuple[float, float, float] | None:
    """``(net before, net after, p)`` of the split of periods ``lo:hi`` at ``at``, when it
    passes every condition of the module docstring (``candidates``: splits compared,
    for the Bonferroni correction), else ``None``."""
    if at - lo < params.min_periods or hi - at < params.min_periods:
        return None
    a = (float(pos[lo:at].sum()), float(neg[lo:at].sum()), float(n[lo:at].sum()))
    b = (float(pos[at:hi].sum()), float(neg[at:hi].sum()), float(n[at:hi].sum()))
    if a[2] < params.min_posts or b[2] < params.min_posts:
        return None
    before, after = (a[0] - a[1]) / a[2], (b[0] - b[1]) / b[2]
    if abs(after - before) < params.min_shift:
        return None
    lr = 2.0 * (_loglik(*a) + _loglik(*b) - _loglik(a[0] + b[0], a[1] + b[1], a[2] + b[2]))
    p = min(1.0, candidates * float(stats.chi2.sf(max(lr, 0.0), 2)))
    if p >= params.alpha / 2:  # half for splits, half for stretches
        return None
    if not _median_agrees(_period_nets(pos, neg, n, lo, hi), slice(at - lo, hi - lo),
                          after - before, params):
        return None
    return round(before, 4), round(after, 4), p


def _starts(n: np.ndarray, lo: int, hi: int, params: ShiftParams) -> list[int]:
    """Where a new level may start in ``lo:hi``: ``min_periods`` from either end, and at a
    period with posts, not inside a quiet stretch."""
    first, last = lo + params.min_periods, hi - params.min_periods
    if last < first:  # too short to hold two levels
        return []
    return (np.flatnonzero(n[first:last + 1] > 0) + first).tolist()


def candidates(n: np.ndarray, lo: int, hi: int, params: ShiftParams) -> int:
    """How many splits of ``lo:hi`` a search compares (for its Bonferroni correction)."""
    return max(1, len(_starts(n, lo, hi, params)))


def _best_split(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, lo: int, hi: int,
                params: ShiftParams) -> tuple[int, float, float, float] | None:
    """The split of ``lo:hi`` with the largest likelihood ratio that passes, if any."""
    cp, cq, cn = (np.concatenate(([0], np.cumsum(x[lo:hi], dtype=np.float64)))
                  for x in (pos, neg, n))
    cand = _starts(n, lo, hi, params)
    if not cand:
        return None
    k = np.asarray(cand) - lo
    ok = (cn[k] >= params.min_posts) & (cn[-1] - cn[k] >= params.min_posts)
    if not ok.any():
        return None
    lr = np.where(ok, _lls(cp[k], cq[k], cn[k])
                  + _lls(cp[-1] - cp[k], cq[-1] - cq[k], cn[-1] - cn[k]), -np.inf)
    best = int(cand[int(np.argmax(lr))])
    found = shift_test(pos, neg, n, lo, best, hi, params, len(cand))
    return None if found is None else (best, *found)


def _stretch_search(at: np.ndarray,
                    score: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
                    ) -> tuple[int, int, float, int] | None:
    """The best stretch among those starting and ending at positions ``at``:
    ``(start, end, its score, stretches compared)``, or ``None`` when none is valid.

    ``score(starts, ends)`` gives, for every start (rows) and end (columns), the
    stretch's score (``-inf`` where it may not be a new level, e.g. too short) and
    whether it is long enough to count as compared. Up to
    :data:`MAX_INTERVAL_CANDIDATES` positions every pair is scored; beyond them a grid of
    every ``step``-th position is, and the best pair is refined among the positions
    within a step of its ends, so a long stream (months by hour) is searched too, at
    the cost of a grid's memory; its stretches compared are then counted as every pair
    of positions (Bonferroni, conservatively).
    """
    step = -(-len(at) // MAX_INTERVAL_CANDIDATES)
    grid = at[::step]
    values, long_enough = score(grid, grid)
    compared = int(long_enough.sum()) if step == 1 else len(at) * (len(at) - 1) // 2
    if not np.isfinite(values).any():
        return None
    i, j = np.unravel_index(int(np.argmax(values)), values.shape)
    start, end, best = int(grid[i]), int(grid[j]), float(values[i, j])
    if step > 1:
        def near(x: int) -> np.ndarray:
            k = int(np.searchsorted(at, x))
            return at[max(0, k - step):k + step + 1]

        starts, ends = near(start), near(end)
        local, _ = score(starts, ends)
        i, j = np.unravel_index(int(np.argmax(local)), local.shape)
        start, end, best = int(starts[i]), int(ends[j]), float(local[i, j])
    return start, end, best, compared


def _best_interval(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, lo: int, hi: int,
                   params: ShiftParams) -> tuple[int, int, float] | None:
    """``(start, end, p)`` of the stretch inside ``lo:hi`` whose level differs most from
    the periods around it (a dip that recovers, which no single split shows), when it
    passes the conditions of a shift; ``None`` otherwise."""
    at = np.flatnonzero(n[lo + 1:hi] > 0) + lo + 1  # where a stretch may start or end
    if len(at) < 2:
        return None
    cp, cq, cn = (np.concatenate(([0], np.cumsum(x[lo:hi], dtype=np.float64)))
                  for x in (pos, neg, n))

    def levels(s: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, ...]:
        ip, iq, inn = cp[e] - cp[s], cq[e] - cq[s], cn[e] - cn[s]
        return ip, iq, inn, cp[-1] - ip, cq[-1] - iq, cn[-1] - inn

    def score(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s, e = (starts - lo)[:, None], (ends - lo)[None, :]
        ip, iq, inn, op, oq, on = levels(s, e)
        long_enough = ((e - s >= params.min_periods)
                       & (hi - lo - (e - s) >= params.min_periods)
                       & (inn >= params.min_posts) & (on >= params.min_posts))
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.abs((ip - iq) / inn - (op - oq) / on)
        ok = long_enough & (gap >= params.min_shift)
        return np.where(ok, _lls(ip, iq, inn) + _lls(op, oq, on), -np.inf), long_enough

    found = _stretch_search(at, score)
    if found is None:
        return None
    start, end, best, compared = found
    stat = 2.0 * (best - _loglik(cp[-1], cq[-1], cn[-1]))
    p = min(1.0, compared * float(stats.chi2.sf(max(stat, 0.0), 2)))
    if p >= params.alpha / 2:  # half for splits, half for stretches
        return None
    ip, iq, inn, op, oq, on = (float(x) for x in levels(np.array(start - lo),
                                                         np.array(end - lo)))
    if not _median_agrees(_period_nets(pos, neg, n, lo, hi), slice(start - lo, end - lo),
                          (ip - iq) / inn - (op - oq) / on, params):
        return None
    return start, end, p


def _segment(split: Callable[[int, int], tuple[int, float, float, float] | None],
             stretch: Callable[[int, int], tuple[int, int, float] | None],
             length: int, params: ShiftParams) -> list[tuple[int, float]]:
    """Binary segmentation of periods ``0:length``: ``(first period of a new level, p)``
    of each change found, in time order. ``split(lo, hi)`` is the best split of a piece
    that passes its test, as ``(at, before, after, p)``; ``stretch(lo, hi)``, tried when no split
    passes, the stretch of it that differs from the periods around it, as
    ``(start, end, p)``. Each piece is searched again, up to ``max_shifts``."""
    out: list[tuple[int, float]] = []
    stack = [(0, length)]
    while stack and len(out) < params.max_shifts:
        lo, hi = stack.pop()
        found = split(lo, hi)
        if found is not None:
            out.append((found[0], found[-1]))
            stack += [(lo, found[0]), (found[0], hi)]
            continue
        piece = stretch(lo, hi)
        if piece is not None:
            start, end, p = piece
            out += [(start, p), (end, p)]
            stack += [(lo, start), (start, end), (end, hi)]
    return sorted(out)


def sentiment_shifts(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, params: ShiftParams
                     ) -> list[tuple[int, float, float, float]]:
    """``(first period of the new level, net before, net after, p)`` of each lasting
    change in net sentiment of a series (positive, negative and labelled posts per
    period), in time order. A stretch that differs from the periods around it gives
    two: where it starts and where it ends."""
    out = _segment(lambda lo, hi: _best_split(pos, neg, n, lo, hi, params),
                   lambda lo, hi: _best_interval(pos, neg, n, lo, hi, params), len(n), params)
    # Levels either side of each shift, once all are known: the nearest shifts bound them.
    bounds = [0] + [s[0] for s in out] + [len(n)]
    final = []
    for k, (at, p) in enumerate(out):
        lo, hi = bounds[k], bounds[k + 2]
        a = float(n[lo:at].sum())
        b = float(n[at:hi].sum())
        before = (float(pos[lo:at].sum()) - float(neg[lo:at].sum())) / a
        after = (float(pos[at:hi].sum()) - float(neg[at:hi].sum())) / b
        final.append((at, round(before, 4), round(after, 4), p))
    return final


# Volume: a new level of posts per period, tested as a quasi-Poisson rate.


def exposure(counts: np.ndarray, phase: np.ndarray | None, season: int) -> np.ndarray:
    """What each period holds of a constant level, on average 1: the series' own profile
    over its ``season`` (``phase``: each period's hour of the day, or day of the week),
    shrunk towards flat by one period at the mean, once it spans two cycles; flat before.

    >>> exposure(np.array([2, 6] * 4), np.array([0, 1] * 4), 2).round(2).tolist()
    [0.6, 1.4, 0.6, 1.4, 0.6, 1.4, 0.6, 1.4]
    """
    flat = np.ones(len(counts))
    if phase is None or season <= 1 or len(counts) < 2 * season or not counts.any():
        return flat
    mean = float(counts.mean())
    seen = np.bincount(phase, minlength=season)
    # each hour's median, not its mean: one flooded hour is not what that hour holds
    typical = np.array([np.median(counts[phase == h]) if seen[h] else 0.0
                        for h in range(season)])
    weights = ((seen * typical + mean) / ((seen + 1) * mean))[phase]
    return weights / weights.mean()


def _rate_lls(total: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Poisson log-likelihood of ``total`` posts over periods of exposure ``weight`` at
    their own level, less the terms every split of the same periods shares:
    ``total · log(total / weight)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, total * np.log(np.where(total > 0, total, 1)
                                                  / np.where(weight > 0, weight, 1)), 0.0)


def _ratio(before: float, after: float) -> float:
    """``log(after / before)`` of two levels, ±inf where one of them is 0."""
    if before == after:
        return 0.0
    if before == 0 or after == 0:
        return float(np.inf if after > before else -np.inf)
    return float(np.log(after / before))


def _typical(counts: np.ndarray, weight: np.ndarray, pieces: list[slice], block: int) -> float:
    """The median level of the whole ``block``-period stretches of ``pieces``, taken in
    turn: what the level typically holds, whatever one flood adds; the pieces' overall
    level when they are shorter than a block."""
    c = np.concatenate([counts[p] for p in pieces])
    w = np.concatenate([weight[p] for p in pieces])
    whole = len(c) // block * block
    if not whole:
        return float(c.sum() / max(w.sum(), 1e-9))
    return float(np.median(c[:whole].reshape(-1, block).sum(axis=1)
                           / np.maximum(w[:whole].reshape(-1, block).sum(axis=1), 1e-9)))


@dataclass(frozen=True)
class VolumeSearch:
    """One series of posts per observed period, as :func:`volume_shifts` searches it."""

    counts: np.ndarray  #: posts per period, :func:`capped`
    weight: np.ndarray  #: :func:`exposure` of each period
    params: ShiftParams
    ratio: float = 1.5
    block: int = 1

    def test(self, inside: list[slice], outside: list[slice], lr: float, candidates: int
             ) -> tuple[float, float, float] | None:
        """``(level outside, level inside, p)`` when the periods ``inside`` hold another
        level than those ``outside``, else ``None`` (see :func:`volume_shifts`)."""
        c, w, params = self.counts, self.weight, self.params
        n = sum(p.stop - p.start for p in inside + outside)
        s_in, s_out = (float(sum(c[p].sum() for p in ps)) for ps in (inside, outside))
        w_in, w_out = (float(sum(w[p].sum() for p in ps)) for ps in (inside, outside))
        if max(s_in, s_out) < params.min_posts:
            return None
        r_in, r_out = s_in / w_in, s_out / w_out
        change = _ratio(r_out, r_in)
        if abs(change) < np.log(self.ratio):
            return None
        # Quasi-Poisson: the likelihood ratio over the counts' dispersion about the two
        # levels, so a stream is held to what it swings by.
        pearson = sum(float(((c[p] - r * w[p]) ** 2 / (r * w[p])).sum())
                      for ps, r in ((inside, r_in), (outside, r_out)) if r > 0 for p in ps)
        dispersion = max(1.0, pearson / max(1, n - 2))
        p = min(1.0, candidates * float(stats.f.sf(max(lr, 0.0) / dispersion, 1, max(1, n - 2))))
        if p >= params.alpha / 2:  # half for splits, half for stretches
            return None
        moved = _ratio(_typical(c, w, outside, self.block), _typical(c, w, inside, self.block))
        if moved * change <= 0 or abs(moved) < np.log(self.ratio) / 2:
            return None  # one flooded hour is a spike, not a new level
        return round(r_out, 4), round(r_in, 4), p

    def split(self, lo: int, at: int, hi: int, candidates: int = 1
              ) -> tuple[float, float, float] | None:
        """:meth:`test` of the split of ``lo:hi`` at ``at``."""
        if at - lo < self.params.min_periods or hi - at < self.params.min_periods:
            return None
        c, w = self.counts, self.weight
        a, b, wa, wb = c[lo:at].sum(), c[at:hi].sum(), w[lo:at].sum(), w[at:hi].sum()
        lr = 2.0 * float(_rate_lls(a, wa) + _rate_lls(b, wb) - _rate_lls(a + b, wa + wb))
        return self.test([slice(at, hi)], [slice(lo, at)], lr, candidates)

    def candidates(self, lo: int, hi: int) -> int:
        """How many splits of ``lo:hi`` the search compares."""
        return max(1, hi - lo - 2 * self.params.min_periods + 1)

    def best_split(self, lo: int, hi: int) -> tuple[int, float, float, float] | None:
        """The split of ``lo:hi`` with the largest likelihood ratio, if it passes."""
        first, last = lo + self.params.min_periods, hi - self.params.min_periods
        if last < first:
            return None
        k = np.arange(first, last + 1) - lo
        c = np.concatenate(([0], np.cumsum(self.counts[lo:hi], dtype=np.float64)))
        w = np.concatenate(([0], np.cumsum(self.weight[lo:hi], dtype=np.float64)))
        lr = _rate_lls(c[k], w[k]) + _rate_lls(c[-1] - c[k], w[-1] - w[k])
        best = int(first + np.argmax(lr))
        found = self.split(lo, best, hi, len(k))
        return None if found is None else (best, *found)

    def best_stretch(self, lo: int, hi: int) -> tuple[int, int, float] | None:
        """``(start, end, p)`` of the stretch of ``lo:hi`` whose level differs most from
        the periods around it, if it passes."""
        at = np.arange(lo + 1, hi)
        if len(at) < 2:
            return None
        c = np.concatenate(([0], np.cumsum(self.counts[lo:hi], dtype=np.float64)))
        w = np.concatenate(([0], np.cumsum(self.weight[lo:hi], dtype=np.float64)))
        min_periods, ratio = self.params.min_periods, np.log(self.ratio)

        def score(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            s, e = (starts - lo)[:, None], (ends - lo)[None, :]
            inside, w_in = c[e] - c[s], w[e] - w[s]
            outside, w_out = c[-1] - inside, w[-1] - w_in
            # every stretch long enough is compared, not only those that differ
            long_enough = (e - s >= min_periods) & (hi - lo - (e - s) >= min_periods)
            with np.errstate(divide="ignore", invalid="ignore"):
                gap = np.abs(np.log(inside / w_in) - np.log(outside / w_out))
            ok = long_enough & (np.nan_to_num(gap, nan=0.0) >= ratio)
            return (np.where(ok, _rate_lls(inside, w_in) + _rate_lls(outside, w_out), -np.inf),
                    long_enough)

        found = _stretch_search(at, score)
        if found is None:
            return None
        start, end, best, compared = found
        stat = 2.0 * (best - float(_rate_lls(c[-1], w[-1])))
        passed = self.test([slice(start, end)], [slice(lo, start), slice(end, hi)], stat,
                           compared)
        return None if passed is None else (start, end, passed[2])


def volume_shifts(counts: np.ndarray, params: ShiftParams, ratio: float = 1.5,
                  phase: np.ndarray | None = None, season: int = 1
                  ) -> list[tuple[int, float, float, float]]:
    """``(first period of the new level, level before, level after, p)`` of each lasting
    change in volume of a series (posts per observed period), in time order.

    A recall keeps a brand in the news for days: each hour is a little above the last
    day's, rarely a spike, yet the days are a new level. The search is the one for net
    sentiment (binary segmentation, then a stretch that comes back). Each period is
    expected to hold the level times its :func:`exposure` (``phase`` and ``season``: the
    hour of the day, by hour; the day of the week, by day), so a stream's day and night
    are not changes of level, and a level is posts per period of average exposure. The
    test is quasi-Poisson: the likelihood ratio over the counts' dispersion about the two
    levels, F on 1 and n − 2 degrees of freedom, Bonferroni-corrected over the candidates.
    A new level must differ from the old by the factor ``ratio`` or more, hold
    ``min_posts`` posts on its busier side and last ``min_periods``; and the median level
    of its stretches (single periods, or as many as hold five posts on average, up to a
    third of ``min_periods``) must move the same way by at least half that factor, so that
    one flooded hour, a campaign's burst, is not a level.

    >>> quiet, busy = [6, 4, 5, 5] * 12, [14, 11, 12, 13] * 12
    >>> found = volume_shifts(np.array(quiet + busy + quiet), ShiftParams(min_periods=12))
    >>> [(at, before, after) for at, before, after, _ in found]
    [(48, 5.0, 12.5), (96, 12.5, 5.0)]
    """
    search = volume_search(counts, params, ratio, phase, season)
    weight = search.weight
    out = _segment(search.best_split, search.best_stretch, len(counts), params)
    bounds = [0] + [at for at, _ in out] + [len(counts)]
    return [(at, level(counts, weight, bounds[k], at), level(counts, weight, at, bounds[k + 2]),
             p) for k, (at, p) in enumerate(out)]


def volume_search(counts: np.ndarray, params: ShiftParams, ratio: float = 1.5,
                  phase: np.ndarray | None = None, season: int = 1) -> VolumeSearch:
    """The :class:`VolumeSearch` of a series, as :func:`volume_shifts` makes it."""
    weight = exposure(counts, phase, season)
    # Stretches of at least five posts on average, and at least three to a level.
    mean = float(np.mean(counts)) if len(counts) else 0.0
    block = int(np.clip(np.ceil(5 / max(mean, 1e-9)), 1, max(1, params.min_periods // 3)))
    return VolumeSearch(capped(counts, weight, params.min_periods), weight, params, ratio,
                        block)


def capped(counts: np.ndarray, weight: np.ndarray, reach: int) -> np.ndarray:
    """``counts`` with each period held to four times the median level of the ``reach``
    periods either side of it (times its exposure), plus ten: what a new level is tested
    on, so that a flood of one hour weighs as a busy hour, while a level three times the
    old one passes whole. The levels reported are those of the counts as they are.

    >>> capped(np.array([5] * 10 + [300] + [5] * 10), np.ones(21), 5).tolist()
    [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 30, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]
    """
    from numpy.lib.stride_tricks import sliding_window_view

    if not len(counts):
        return counts
    levels = np.pad(counts / weight, reach, mode="edge")
    local = np.median(sliding_window_view(levels, 2 * reach + 1), axis=1)
    return np.minimum(counts, np.ceil(4 * local * weight) + 10).astype(counts.dtype)


def level(counts: np.ndarray, weight: np.ndarray, lo: int, hi: int) -> float:
    """The level of periods ``lo:hi``: their posts per period of average exposure."""
    return round(float(counts[lo:hi].sum() / max(float(weight[lo:hi].sum()), 1e-9)), 4)
