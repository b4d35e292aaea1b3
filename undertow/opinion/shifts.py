"""Shifts: lasting changes in net sentiment, found by binary segmentation.

A spike is one period out of line; a shift is a new level that holds. After a fatal
crash the public's net sentiment may fall from +0.3 to −0.5 and stay there for days:
hourly spikes show at most its first hours, until the hours they are weighed against
are themselves the fall, while the days are a new level. :func:`sentiment_shifts`
finds such changes. With no negative posts the same search follows a share, such as
a brand's share of voice against its rival (``pos`` the brand's posts, ``n`` both).

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
compared (circular binary segmentation, for a dip that recovers, such as a day of
outrage). Each piece is then searched again, up to ``max_shifts`` per series.

Example:
    >>> pos = np.array([6] * 24 + [1] * 24)
    >>> neg = np.array([2] * 24 + [7] * 24)
    >>> n = np.array([12] * 48)
    >>> found = sentiment_shifts(pos, neg, n, ShiftParams())
    >>> [(i, before, after) for i, before, after, _ in found]
    [(24, 0.3333, -0.5)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Periods with posts beyond which a stretch is not searched for (pairs grow as its square).
MAX_INTERVAL_CANDIDATES = 1500

__all__ = ["MAX_INTERVAL_CANDIDATES", "ShiftParams", "candidates", "sentiment_shifts", "shift_test"]


@dataclass(frozen=True)
class ShiftParams:
    """Tuning of :func:`sentiment_shifts` (see the module docstring)."""

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


def _best_interval(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, lo: int, hi: int,
                   params: ShiftParams) -> tuple[int, int, float] | None:
    """``(start, end, p)`` of the stretch inside ``lo:hi`` whose level differs most from
    the periods around it (a dip that recovers, which no single split shows), when it
    passes the conditions of a shift; ``None`` otherwise."""
    at = np.flatnonzero(n[lo + 1:hi] > 0) + lo + 1  # where a stretch may start or end
    if len(at) < 2 or len(at) > MAX_INTERVAL_CANDIDATES:
        return None
    cp, cq, cn = (np.concatenate(([0], np.cumsum(x[lo:hi], dtype=np.float64)))
                  for x in (pos, neg, n))
    k = at - lo
    s, e = k[:, None], k[None, :]
    ip, iq, inn = cp[e] - cp[s], cq[e] - cq[s], cn[e] - cn[s]
    op, oq, on = cp[-1] - ip, cq[-1] - iq, cn[-1] - inn
    ok = ((e - s >= params.min_periods) & (hi - lo - (e - s) >= params.min_periods)
          & (inn >= params.min_posts) & (on >= params.min_posts))
    if not ok.any():
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.abs((ip - iq) / inn - (op - oq) / on)
    ok &= gap >= params.min_shift
    if not ok.any():
        return None
    lr = np.where(ok, _lls(ip, iq, inn) + _lls(op, oq, on), -np.inf)
    i, j = np.unravel_index(int(np.argmax(lr)), lr.shape)
    start, end = int(at[i]), int(at[j])
    stat = 2.0 * (float(lr[i, j]) - _loglik(cp[-1], cq[-1], cn[-1]))
    p = min(1.0, int(ok.sum()) * float(stats.chi2.sf(max(stat, 0.0), 2)))
    if p >= params.alpha / 2:  # half for splits, half for stretches
        return None
    net_in, net_out = (ip[i, j] - iq[i, j]) / inn[i, j], (op[i, j] - oq[i, j]) / on[i, j]
    if not _median_agrees(_period_nets(pos, neg, n, lo, hi), slice(start - lo, end - lo),
                          float(net_in - net_out), params):
        return None
    return start, end, p


def sentiment_shifts(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, params: ShiftParams
                     ) -> list[tuple[int, float, float, float]]:
    """``(first period of the new level, net before, net after, p)`` of each lasting
    change in net sentiment of a series (positive, negative and labelled posts per
    period), in time order. A stretch that differs from the periods around it gives
    two: where it starts and where it ends."""
    out: list[tuple[int, float, float, float]] = []
    stack = [(0, len(n))]
    while stack and len(out) < params.max_shifts:
        lo, hi = stack.pop()
        found = _best_split(pos, neg, n, lo, hi, params)
        if found is not None:
            out.append(found)
            stack += [(lo, found[0]), (found[0], hi)]
            continue
        stretch = _best_interval(pos, neg, n, lo, hi, params)
        if stretch is not None:
            start, end, p = stretch
            out += [(start, 0.0, 0.0, p), (end, 0.0, 0.0, p)]
            stack += [(lo, start), (start, end), (end, hi)]
    # Levels either side of each shift, once all are known: the nearest shifts bound them.
    out.sort()
    bounds = [0] + [s[0] for s in out] + [len(n)]
    final = []
    for k, (at, _, _, p) in enumerate(out):
        lo, hi = bounds[k], bounds[k + 2]
        a = float(n[lo:at].sum())
        b = float(n[at:hi].sum())
        before = (float(pos[lo:at].sum()) - float(neg[lo:at].sum())) / a
        after = (float(pos[at:hi].sum()) - float(neg[at:hi].sum())) / b
        final.append((at, round(before, 4), round(after, 4), p))
    return final
