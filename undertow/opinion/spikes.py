"""Spikes: sudden changes in volume and sentiment, per brand and aspect, labelled by who made them.

Lasting changes (shifts, :mod:`undertow.opinion.shifts`) in net sentiment and in volume
are found for the same series by :func:`shifts_of` and labelled the same way; with a brand
and a rival, so are lasting changes in the brand's share of voice.

Series: for each brand (or all posts when no brand is given), and for each aspect within it,
the posts per period (hour or day, UTC) and their net sentiment (share positive − share
negative among labelled posts).

Method (each period against a rolling baseline of the ``window`` observed periods before it,
quiet ones included; a run of at least ``window`` periods in which the whole stream has no
post at all, an outage or the gap after a stray old timestamp, is not observed and counts in
no baseline; the first ``min_periods`` observed periods are only baseline)
    * Volume: expected count ``λ`` = the larger of the median of the baseline counts and,
      where there is one, the median count of the same period of the previous ``cycles``
      days (for hours) or weeks (for days), at least 1: an afternoon is weighed against
      afternoons, not against the night before it. The first day (or week), which has
      none before it, is weighed against the ones after it; the stream's first and last
      periods, and those beside an outage, which it mostly covers only in part, are no
      yardstick. A period is a spike when ``count ≥ ratio·λ``, ``count ≥ min_posts`` and
      the Poisson tail ``P(X ≥ count | λ)`` is below ``alpha`` divided by the number of
      periods tested in the series (Bonferroni; only periods with ``min_posts`` are tests).
    * Sentiment: net sentiment of the period against the pooled net sentiment of the baseline;
      ``z = (d − d₀)/sqrt(v₀·(1/n + 1/n₀))`` with the baseline's multinomial variance
      ``v₀ = p₊ + p₋ − d₀²`` (the period's posts vary as the baseline's when nothing changed).
      A spike when ``|z|`` exceeds the Bonferroni-adjusted normal quantile, the period has
      at least ``min_posts`` labelled posts and ``|d − d₀| ≥ min_delta``.

Each spike carries its posts and accounts count, the share of its posts written by accounts
in ``campaign_accounts`` and its most repeated texts. It is ``coordinated`` when the campaign
made it: the same test no longer finds it once the campaign accounts' posts are taken out,
and those posts make at least half of its departure from the baseline (``campaign_part``:
half the posts above the expected count, or half the shift in net sentiment); else
``organic`` (with no detection run every spike is organic). The campaign share is evidence,
not the rule: a campaign burst on top of a busy hour is a small share of the hour's posts
yet the whole of its excess, while one campaign post among 24 angry ones may tip a
borderline hour over the line without making its anger.

Example:
    >>> from undertow.workspace import Workspace
    >>> ws = Workspace.open("undertow-data")                        # doctest: +SKIP
    >>> result = find_spikes(ws, [parse_brand("Xiaomi=小米,SU7")])   # doctest: +SKIP
    >>> [(s["kind"], s["aspect"], s["label"]) for s in result["spikes"]][:1]  # doctest: +SKIP
    [('volume', 'design', 'organic')]
    >>> volume_spikes(np.array([10, 11, 9, 10, 10, 12, 10, 60, 11]), SpikeParams(window=6))
    [(7, 10.0, 0.0)]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, NamedTuple

import numpy as np
import pyarrow as pa
from scipy import stats

from undertow.opinion.brands import Brand, parse_brand
from undertow.opinion.compare import Posts, factorize, load
from undertow.opinion.scored import Analyzer, stored_scorer
from undertow.opinion.shifts import (
    ShiftParams,
    candidates,
    exposure,
    level,
    sentiment_shifts,
    shift_test,
    volume_search,
    volume_shifts,
)
from undertow.workspace import Workspace

#: The least part of a spike (:func:`campaign_part`) the campaign must make to be called its maker.
CAMPAIGN_PART = 0.5

__all__ = ["CAMPAIGN_PART", "Series", "SpikeParams", "campaign_part", "find_spikes", "observed",
           "parse_brand", "print_spikes", "series_of", "shifts_of", "spikes_of", "volume_spikes"]


@dataclass(frozen=True)
class SpikeParams:
    """Tuning of :func:`find_spikes` (see the module docstring)."""

    by: str = "hour"
    window: int = 24
    min_periods: int = 6
    ratio: float = 2.0
    min_posts: int = 10
    alpha: float = 0.01
    min_delta: float = 0.3
    top_texts: int = 3
    cycles: int = 7  #: previous days (hourly series) or weeks (daily) a period is weighed against
    #: Lasting changes (:mod:`~undertow.opinion.shifts`); by default each level lasts a day
    #: or more (by hour) or three days (by day): shorter is what spikes are for, and within
    #: a day a multilingual stream's mix of languages, and of scorers, turns with the sun.
    shift: ShiftParams | None = None
    voice_shift: float = 0.1  #: least change of the brand's share of voice that is a shift
    volume_ratio: float = 1.5  #: least factor between two levels of volume that is a shift

    def __post_init__(self) -> None:
        if self.shift is None:
            object.__setattr__(self, "shift",
                               ShiftParams(min_periods=24 if self.by == "hour" else 3))

    @property
    def shifts(self) -> ShiftParams:
        """The shift search's parameters (set in ``__post_init__``)."""
        return self.shift or ShiftParams()

    @property
    def season(self) -> int:
        """Periods in one cycle: 24 hours, or the 7 days of a week."""
        return 24 if self.by == "hour" else 7


def observed(total: np.ndarray, params: SpikeParams) -> np.ndarray:
    """The periods the stream was observed in: all but those inside a run of at least
    ``window`` periods in which the whole stream (``total``, every post per period) has
    no post at all: a collection outage, or the years between one stray old timestamp
    and the stream. Such a run says nothing about what is usual, so no baseline counts
    its zeros; shorter quiet stretches (nights, an hour's outage) are counted as they are.

    >>> observed(np.array([5, 0, 5] + [0] * 24 + [5, 5]), SpikeParams()).astype(int).tolist()
    [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    """
    seen = np.ones(len(total), dtype=bool)
    empty = np.concatenate(([False], total == 0, [False])).astype(np.int8)
    starts = np.flatnonzero(np.diff(empty) == 1)
    ends = np.flatnonzero(np.diff(empty) == -1)
    for start, end in zip(starts, ends, strict=True):
        if end - start >= params.window:
            seen[start:end] = False
    return seen


def _whole(seen: np.ndarray) -> np.ndarray:
    """Whether each period is a fair yardstick: observed, and not the first or last of
    the series or beside an unobserved run, which the stream mostly covers only in part."""
    inner = np.concatenate(([False], seen, [False]))
    return seen & inner[:-2] & inner[2:]


class _Timeline:
    """The observed periods of a series in order, for baselines that skip what was not
    observed: ``before(i)`` is the ``window`` observed periods before ``i``, and
    ``busy`` leaves out the first ``min_periods`` observed periods, which are only
    baseline."""

    def __init__(self, seen: np.ndarray | None, k: int, params: SpikeParams) -> None:
        self.seen = np.ones(k, dtype=bool) if seen is None else seen
        self.order = np.flatnonzero(self.seen)
        self.rank = np.cumsum(self.seen) - 1  # position among observed periods
        self.params = params

    def busy(self, counts: np.ndarray) -> list[int]:
        """The periods that can be spikes: past the warm-up, with at least ``min_posts``
        posts. Only these are tests, so a stream that spans years, or one stray old
        timestamp, costs what its busy periods cost, not one test per empty hour."""
        ok = self.seen & (counts >= self.params.min_posts) & (self.rank >= self.params.min_periods)
        return np.flatnonzero(ok).tolist()

    def before(self, i: int) -> np.ndarray:
        """The periods of the baseline of ``i``."""
        j = int(self.rank[i])
        return self.order[max(0, j - self.params.window):j]


def volume_spikes(counts: np.ndarray, params: SpikeParams, seen: np.ndarray | None = None
                  ) -> list[tuple[int, float, float]]:
    """``(index, expected, p_value)`` of each period whose count is a volume spike
    (``counts`` has one entry per period, empty ones included; ``seen`` marks the
    periods observed, from :func:`observed`, all of them when ``None``)."""
    line = _Timeline(seen, len(counts), params)
    whole = _whole(line.seen)
    busy = line.busy(counts)
    tested = max(1, len(busy))
    steps = params.season * np.arange(1, params.cycles + 1)
    out = []
    for i in busy:
        lam = max(1.0, float(np.median(counts[line.before(i)])))
        same = i - steps
        same = same[(same >= 0) & (same < len(counts))]
        same = same[whole[same]]
        if not len(same):  # the first cycle has none before it: the ones after it
            same = i + steps
            same = same[(same >= 0) & (same < len(counts))]
            same = same[whole[same]]
        if len(same):
            lam = max(lam, float(np.median(counts[same])))
        x = int(counts[i])
        if x < params.ratio * lam:
            continue
        p = float(stats.poisson.sf(x - 1, lam))
        if p < params.alpha / tested:
            out.append((i, lam, round(p, 12)))
    return out


def sentiment_spikes(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, params: SpikeParams,
                     seen: np.ndarray | None = None) -> list[tuple[int, float, float]]:
    """``(index, baseline net, z)`` of each period whose net sentiment jumps."""
    line = _Timeline(seen, len(n), params)
    busy = line.busy(n)
    crit = float(stats.norm.isf(params.alpha / max(1, len(busy)) / 2))
    out = []
    for i in busy:
        base = line.before(i)
        n0, ni = int(n[base].sum()), int(n[i])
        if n0 < params.min_posts:
            continue
        p0, q0 = int(pos[base].sum()), int(neg[base].sum())
        d0 = (p0 - q0) / n0
        d = (pos[i] - neg[i]) / ni
        # Under no change the period's posts vary as the baseline's do: its own variance,
        # from a dozen posts, is often near zero (seven positive, five neutral), and
        # tested with it one stream of pure noise in three had a spike.
        v0 = (p0 + q0) / n0 - d0 * d0
        se = math.sqrt(max(v0, 1e-9) * (1 / ni + 1 / n0))
        z = (d - d0) / se
        if abs(z) > crit and abs(d - d0) >= params.min_delta:
            out.append((i, round(float(d0), 4), round(float(z), 2)))
    return out


def _evidence(posts: Posts, mask: np.ndarray, params: SpikeParams) -> dict[str, Any]:
    n = int(mask.sum())
    camp = int((mask & posts.campaign).sum())
    share = camp / n if n else 0.0
    texts = Counter(t for t in posts.text.filter(pa.array(mask)).to_pylist() if t)
    return {"posts": n, "accounts": len(set(posts.author[mask].tolist())),
            "campaign_posts": camp,
            "campaign_accounts": len(set(posts.author[mask & posts.campaign].tolist())),
            "campaign_share": round(share, 4),
            "top_texts": [{"text": t, "count": c}
                          for t, c in texts.most_common(params.top_texts)]}


def _series(posts: Posts, brands: Sequence[Brand]) -> list[tuple[str, str | None, np.ndarray]]:
    """(brand, aspect or None, mask) for each brand and each aspect it has."""
    out: list[tuple[str, str | None, np.ndarray]] = []
    groups = [(b.name, posts.mentions[b.name]) for b in brands] or \
        [("all", np.ones(len(posts), dtype=bool))]
    for name, base in groups:
        out.append((name, None, base))
        keep = base[posts.aspect_parent]
        parents = posts.aspect_parent[keep]
        aspects, code = factorize(posts.aspect_name[keep])
        for i, aspect in enumerate(aspects):
            mask = np.zeros(len(posts), dtype=bool)
            mask[parents[code == i]] = True
            out.append((name, aspect, mask))
    return out


def _found(index: np.ndarray, seen: np.ndarray, mask: np.ndarray, posts: Posts,
           params: SpikeParams) -> list[tuple[str, int, dict[str, Any]]]:
    """Volume and sentiment spikes of the series of the posts in ``mask``."""
    k = len(seen)
    counts = np.bincount(index[mask], minlength=k)
    pos, neg, n = _levels(index, k, mask, posts)
    found = [("volume", i, {"expected": e, "p_value": p})
             for i, e, p in volume_spikes(counts, params, seen)]
    found += [("sentiment", i, {"net": round(float((pos[i] - neg[i]) / n[i]), 4),
                                "baseline_net": d0, "z": z})
              for i, d0, z in sentiment_spikes(pos, neg, n, params, seen)]
    return found


def campaign_part(kind: str, stat: dict[str, Any], where: np.ndarray, posts: Posts,
                  min_posts: int = SpikeParams.min_posts) -> float:
    """How much of a spike's departure from its baseline the campaign accounts' posts
    make, from 0 to 1: for volume, their posts over the posts above the expected count;
    for sentiment, how far the period's net sentiment moves back towards the baseline's
    when their posts are counted at the net of the public's posts of the period instead
    of their own (taking them out). The public's net stands in for theirs only when the
    public has at least ``min_posts`` labelled posts in the period, as many as a spike
    needs: two posts are no net sentiment, and cannot be credited with a shift the
    campaign's fifteen made. With fewer, the campaign's posts are counted at the
    baseline's net, so each side is credited with its own posts' departure from it.

    One campaign post among 24 angry ones can tip a borderline period over the line, yet
    the anger is the public's; the label needs the campaign to make at least half of it.
    """
    camp = where & posts.campaign
    if kind == "volume":
        excess = int(where.sum()) - float(stat["expected"])
        return min(1.0, int(camp.sum()) / excess) if excess > 0 else 0.0
    lab = where & posts.labelled
    ours, rest = lab & posts.campaign, lab & ~posts.campaign
    n, c, r = int(lab.sum()), int(ours.sum()), int(rest.sum())
    if not n or not c:
        return 0.0
    base = float(stat["baseline_net"])
    public = float(posts.label[rest].sum())  # positive minus negative
    net = float(posts.label[lab].sum()) / n
    stand = public / r if r >= min_posts else base  # what the campaign's posts count as
    without = (public + c * stand) / n
    shift = net - base
    return max(0.0, min(1.0, (net - without) / shift)) if shift else 0.0


def _timeline(period: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every period from the first to the last (empty ones too, as ISO text) and each
    post's index among them.

    >>> [p.tolist() for p in _timeline(np.array(["2025-03-24T05", "2025-03-24T02"]))]
    [['2025-03-24T02', '2025-03-24T03', '2025-03-24T04', '2025-03-24T05'], [3, 0]]
    """
    if len(period) == 0:
        return period, np.zeros(0, dtype=np.int64)
    # Each distinct period parsed once, not each post's.
    names, code = factorize(period)
    starts = np.array(names).astype("datetime64")
    first = starts.min()
    index = (starts - first).astype(np.int64)[code]
    return np.datetime_as_string(first + np.arange(int(index.max()) + 1)), index


class Series(NamedTuple):
    """Every period of the stream, each post's index among them, and the series
    (brand, aspect or None, mask of its posts): what spikes and shifts both read."""

    periods: np.ndarray
    post_period: np.ndarray
    series: list[tuple[str, str | None, np.ndarray]]


def series_of(posts: Posts, brands: Sequence[Brand]) -> Series:
    """The :class:`Series` of ``posts``, built once for :func:`spikes_of` and
    :func:`shifts_of`."""
    return Series(*_timeline(posts.period), _series(posts, brands))


def spikes_of(posts: Posts, brands: Sequence[Brand], params: SpikeParams,
              prepared: Series | None = None) -> list[dict[str, Any]]:
    """Every volume and sentiment spike of every series of ``posts``.

    A spike is ``coordinated`` when it disappears with the campaign accounts' posts taken
    out and those posts make at least half of it (:func:`campaign_part`), else ``organic``:
    the label says whether the campaign made the spike, not merely whether it took part.
    """
    periods, index, series = prepared or series_of(posts, brands)
    seen = observed(np.bincount(index, minlength=len(periods)), params)
    out = []
    for brand, aspect, mask in series:
        found = _found(index, seen, mask, posts, params)
        if not found:
            continue
        organic = {(kind, i) for kind, i, _ in _found(index, seen, mask & ~posts.campaign,
                                                      posts, params)}
        for kind, i, stat in found:
            where = mask & (index == i)
            evidence = _evidence(posts, where, params)
            part = campaign_part(kind, stat, where, posts, params.min_posts)
            made = (kind, i) not in organic and part >= CAMPAIGN_PART
            evidence["label"] = "coordinated" if made else "organic"
            evidence["campaign_part"] = round(part, 4)
            evidence["without_campaign_accounts"] = (
                "no spike" if (kind, i) not in organic else "still a spike")
            out.append({"kind": kind, "brand": brand, "aspect": aspect,
                        "period": str(periods[i]), **stat, **evidence})
    out.sort(key=lambda s: (s["period"], s["brand"], s["aspect"] or "", s["kind"]))
    return out


def _levels(index: np.ndarray, k: int, mask: np.ndarray, posts: Posts
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lab = mask & posts.labelled
    return (np.bincount(index[lab & (posts.label == 1)], minlength=k),
            np.bincount(index[lab & (posts.label == -1)], minlength=k),
            np.bincount(index[lab], minlength=k))


def shifts_of(posts: Posts, brands: Sequence[Brand], params: SpikeParams,
              prepared: Series | None = None) -> list[dict[str, Any]]:
    """Every lasting change in net sentiment of every series of ``posts``
    (:func:`~undertow.opinion.shifts.sentiment_shifts`), labelled as spikes are: it is
    ``coordinated`` when the same split no longer passes without the campaign
    accounts' posts and those posts make at least half of the change in net sentiment.
    The evidence is the posts of the new level, up to the next shift; a campaign can also
    make a shift by stopping, so ``campaign_share_before`` gives its share of the level
    before. ``period`` is the first period of the new level, ``from`` the first with
    posts of the level before it and ``until`` the last with posts of the new one.
    With a brand and a rival, the brand's share of the posts naming either is searched
    the same way (kind ``share_of_voice``, levels in ``share_before`` and ``share``).
    Lasting changes in each series' volume (kind ``volume``, levels in ``rate_before`` and
    ``rate``: posts per period, the day's or the week's swing taken out) come from
    :func:`_volume_shifts`."""
    periods, index, series = prepared or series_of(posts, brands)
    k = len(periods)
    seen = observed(np.bincount(index, minlength=k), params)
    out = []
    for brand, aspect, mask in series:
        found = _shifts(periods, index, mask, lambda m: _levels(index, k, m, posts), posts,
                        params, params.shifts)
        out += [{"kind": "shift", "brand": brand, "aspect": aspect, **x} for x in found]
        out += [{"kind": "volume", "brand": brand, "aspect": aspect, **x}
                for x in _volume_shifts(periods, index, seen, mask, posts, params)]
    if len(brands) == 2:
        ours, theirs = (posts.mentions[b.name] for b in brands)

        def voice(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            mine = np.bincount(index[ours & m], minlength=k)
            return mine, np.zeros(k, dtype=np.int64), mine + np.bincount(index[theirs & m],
                                                                          minlength=k)

        levels = replace(params.shifts, min_shift=params.voice_shift)
        for x in _shifts(periods, index, ours | theirs, voice, posts, params, levels):
            x["share_before"], x["share"] = x.pop("net_before"), x.pop("net")
            out.append({"kind": "share_of_voice", "brand": brands[0].name,
                        "rival": brands[1].name, "aspect": None, **x})
    out.sort(key=lambda s: (s["period"], s["kind"], s["brand"], s["aspect"] or ""))
    return out


def _shifts(periods: np.ndarray, index: np.ndarray, mask: np.ndarray,
            levels: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
            posts: Posts, params: SpikeParams, search: ShiftParams) -> list[dict[str, Any]]:
    """The shifts of one series: ``levels(m)`` counts its (positive, negative, all) per
    period among the posts in ``m``, so that the campaign's posts can be left out."""
    pos, neg, n = levels(mask)
    found = sentiment_shifts(pos, neg, n, search)
    if not found:
        return []
    wpos, wneg, wn = levels(mask & ~posts.campaign)
    bounds = [0] + [at for at, *_ in found] + [len(n)]
    out = []
    for j, (at, before, after, p) in enumerate(found):
        lo, hi = bounds[j], bounds[j + 2]
        still = shift_test(wpos, wneg, wn, lo, at, hi, search, candidates(n, lo, hi, search))
        without = _net(wpos[at:hi], wneg[at:hi], wn[at:hi]) - _net(wpos[lo:at], wneg[lo:at],
                                                                   wn[lo:at])
        out.append({"period": str(periods[at]),
                    "from": str(periods[lo + int(np.flatnonzero(n[lo:at])[0])]),
                    "until": str(periods[at + int(np.flatnonzero(n[at:hi])[-1])]),
                    "net_before": before, "net": after,
                    **_labelled(posts, params, mask & (index >= at) & (index < hi),
                                mask & (index >= lo) & (index < at), after - before, without,
                                still is not None, p)})
    return out


def _labelled(posts: Posts, params: SpikeParams, where: np.ndarray, earlier: np.ndarray,
              moved: float, without: float, still: bool, p: float) -> dict[str, Any]:
    """What every shift carries besides its levels: the posts of the level before and
    the campaign's share of them, its p-value, the evidence of the new level's posts
    (``where``), and its label. ``moved`` is the change in level, ``without`` the same
    change without the campaign accounts' posts, and ``still`` whether the search still
    finds the shift without them; it is ``coordinated`` when it does not and the
    campaign makes at least half of the change."""
    # + 0.0: a part of nothing is 0, not -0.0
    part = float(np.clip((moved - without) / moved, 0.0, 1.0)) + 0.0 if moved else 0.0
    evidence = _evidence(posts, where, params)
    evidence["label"] = "coordinated" if not still and part >= CAMPAIGN_PART else "organic"
    evidence["campaign_part"] = round(part, 4)
    evidence["without_campaign_accounts"] = "still a shift" if still else "no shift"
    return {"posts_before": int(earlier.sum()),
            "campaign_share_before": round(float((earlier & posts.campaign).sum())
                                           / max(1, int(earlier.sum())), 4),
            "p_value": round(p, 12), **evidence}


def _volume_shifts(periods: np.ndarray, index: np.ndarray, seen: np.ndarray, mask: np.ndarray,
                   posts: Posts, params: SpikeParams) -> list[dict[str, Any]]:
    """The lasting changes in volume of one series
    (:func:`~undertow.opinion.shifts.volume_shifts`), over its observed periods only: an
    outage of the collection is no fall in attention. Labelled as the other shifts are:
    ``coordinated`` when the split no longer passes without the campaign accounts' posts
    and those posts make at least half of the change in level."""
    k = len(periods)
    order = np.flatnonzero(seen)  # observed periods; an index into them below
    counts = np.bincount(index[mask], minlength=k)[order]
    phase = order % params.season
    found = volume_shifts(counts, params.shifts, params.volume_ratio, phase, params.season)
    if not found:
        return []
    weight = exposure(counts, phase, params.season)  # as volume_shifts weighed the periods
    rest = np.bincount(index[mask & ~posts.campaign], minlength=k)[order]
    without = volume_search(rest, params.shifts, params.volume_ratio, phase, params.season)
    bounds = [0] + [at for at, *_ in found] + [len(order)]
    edge = np.append(order, k)  # the period each observed one's stretch ends before
    out = []
    for j, (at, before, after, p) in enumerate(found):
        lo, hi = bounds[j], bounds[j + 2]
        still = without.split(lo, at, hi, without.candidates(lo, hi))
        kept = level(rest, weight, at, hi) - level(rest, weight, lo, at)
        out.append({"period": str(periods[order[at]]), "from": str(periods[order[lo]]),
                    "until": str(periods[order[hi - 1]]), "rate_before": before, "rate": after,
                    **_labelled(posts, params, mask & (index >= order[at]) & (index < edge[hi]),
                                mask & (index >= order[lo]) & (index < order[at]),
                                after - before, kept, still is not None, p)})
    return out


def _net(pos: np.ndarray, neg: np.ndarray, n: np.ndarray) -> float:
    total = float(n.sum())
    return (float(pos.sum()) - float(neg.sum())) / total if total else 0.0


def find_spikes(ws: Workspace, brands: Sequence[Brand] = (), params: SpikeParams | None = None,
                analyzer: Analyzer | None = None, workers: int | None = 1,
                taxonomy: Any = None) -> dict[str, Any]:
    """Score the posts if needed (in ``workers`` processes, see
    :func:`undertow.opinion.scored.score_posts`) and find spikes and shifts; returns
    params, detection note, spikes and shifts. ``taxonomy`` (see
    :func:`undertow.opinion.aspects.load_taxonomy`) finds the posts' aspects with its
    keywords instead of the shipped ones stored with the scores, as ``opinion`` does,
    so aspects a user adds get series and spikes of their own."""
    params = params or SpikeParams()
    posts = load(ws, brands, params.by, analyzer, taxonomy, workers)
    note = (f"{posts.campaign_accounts} campaign accounts known" if posts.detection else
            "no detection run (`undertow detect`): every spike is organic")
    prepared = series_of(posts, brands)
    return {"params": asdict(params), "brands": [b.name for b in brands],
            "mentions": {b.name: int(posts.mentions[b.name].sum()) for b in brands},
            "scorer": stored_scorer(ws),
            "detection": {"run": posts.detection, "campaign_accounts": posts.campaign_accounts,
                          "note": note},
            "spikes": spikes_of(posts, brands, params, prepared),
            "shifts": shifts_of(posts, brands, params, prepared)}


def print_spikes(result: dict[str, Any], console: Any = None) -> None:
    """Rich tables of the spikes and the shifts, post-derived strings shown as written
    (:mod:`undertow.escapes`)."""
    from rich.console import Console

    from undertow.escapes import markup

    console = console or Console()
    console.print(markup(result["detection"]["note"]))
    for name, count in result.get("mentions", {}).items():
        if not count:  # most often a missing or misspelt alias
            console.print(markup(f"warning: no post mentions {name}"), style="yellow")
    # "campaign": the campaign accounts' share of the posts; "made": their part of the
    # departure (the posts above the expected count, or the shift in net sentiment),
    # which the label rests on (a burst on a busy hour is a small share of it but all
    # of its excess).
    spikes = [(s["period"], s["kind"], s["brand"], s["aspect"] or "–", str(s["posts"]),
               f"{s['campaign_share']:.0%}", f"{s['campaign_part']:.0%}", s["label"])
              for s in result["spikes"]]
    _table(console, "Spikes", ("period", "kind", "brand", "aspect", "posts", "campaign",
                               "made", "label"), spikes, result["spikes"])
    # A campaign can make a shift by stopping: its share on both levels says which.
    found = [s for s in result.get("shifts", []) if s["kind"] == "shift"]
    shifts = [(s["period"], s["brand"], s["aspect"] or "–",
               f"{s['net_before']:+.2f} → {s['net']:+.2f}", str(s["posts"]),
               f"{s['campaign_share_before']:.0%} → {s['campaign_share']:.0%}",
               f"{s['campaign_part']:.0%}", s["label"])
              for s in found]
    _table(console, "Shifts in net sentiment", ("from", "brand", "aspect", "net", "posts",
                                                "campaign", "made", "label"), shifts, found)
    volume = [s for s in result.get("shifts", []) if s["kind"] == "volume"]
    per = "posts a day" if result.get("params", {}).get("by") == "day" else "posts an hour"
    levels = [(s["period"], s["brand"], s["aspect"] or "–",
               f"{s['rate_before']:.1f} → {s['rate']:.1f}", str(s["posts"]),
               f"{s['campaign_share_before']:.0%} → {s['campaign_share']:.0%}",
               f"{s['campaign_part']:.0%}", s["label"]) for s in volume]
    _table(console, "Shifts in volume", ("from", "brand", "aspect", per, "posts", "campaign",
                                         "made", "label"), levels, volume)
    if len(result.get("brands", [])) == 2:
        voice = [s for s in result.get("shifts", []) if s["kind"] == "share_of_voice"]
        rows = [(s["period"], f"{s['share_before']:.0%} → {s['share']:.0%}", str(s["posts"]),
                 f"{s['campaign_share_before']:.0%} → {s['campaign_share']:.0%}",
                 f"{s['campaign_part']:.0%}", s["label"])
                for s in voice]
        brand, rival = result["brands"]
        _table(console, markup(f"Shifts in {brand}'s share of voice against {rival}"),
               ("from", "share", "posts", "campaign", "made", "label"), rows, voice)


#: The columns of a table that wrap when the terminal is too narrow for all of them.
_WRAPPED = frozenset({"brand", "aspect"})
#: The fewest cells a wrapped column is given.
_LEAST = 6


def _table(console: Any, title: str, heads: tuple[str, ...], rows: Sequence[tuple[str, ...]],
           items: list[dict[str, Any]]) -> None:
    """One table, or one line when it would be empty. What locates and labels a row is
    never cut: when the terminal is too narrow for every column on one line, the brand
    and the aspect wrap inside their columns (``driving_assistance`` over two lines)
    and the rest stays whole; narrower still, each row is a line of names and values;
    the top text takes the width left over (cut with an ellipsis), and is left out
    below 12 characters."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    from undertow.escapes import markup, visible

    if not rows:
        console.print(f"{title}: none")
        return
    rows = [tuple(map(visible, row)) for row in rows]  # measured as they will be shown
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    # Each column costs two cells besides its text (a separator and one of padding).
    room = min(console.width - sum(widths) - 2 * (len(widths) + 1), 60)
    table = Table(title=f"{title} ({len(rows)})", box=box.SIMPLE_HEAD, collapse_padding=True,
                  pad_edge=False)
    # Too narrow for one line a row: brand and aspect wrap; narrower still, a line of
    # names and values a row, which the terminal wraps as it would any text.
    wrapped = _WRAPPED if room < 0 else frozenset()
    # A wrapped column keeps room for its heading ("aspect") or a short name ("Xiaomi"):
    # narrower, "driving_assistance" took four lines in a column of five.
    least = {h: min(w, _LEAST) for h, w in zip(heads, widths, strict=True) if h in wrapped}
    kept = sum(w for h, w in zip(heads, widths, strict=True) if h not in wrapped)
    if kept + sum(least.values()) + 2 * (len(widths) + 1) > console.width:
        console.print(f"{title} ({len(rows)}); top texts: a wider terminal, or --json")
        for row in rows:
            console.print(markup(", ".join(f"{h} {v}" for h, v in zip(heads, row, strict=True))))
        return
    for head, width in zip(heads, widths, strict=True):
        justify: Literal["left", "right"] = (
            "right" if head in ("posts", "campaign", "made") else "left")
        if head in wrapped:
            table.add_column(head, overflow="fold", min_width=least[head], justify=justify)
        else:
            table.add_column(head, no_wrap=True, width=width, justify=justify)
    if room >= 12:
        table.add_column("top text", no_wrap=True, overflow="ellipsis", width=room)
    else:
        table.caption = "top texts: a wider terminal, or --json"
    for item, row in zip(items, rows, strict=True):
        top = " ".join(item["top_texts"][0]["text"].split()) if item["top_texts"] else ""
        table.add_row(*map(markup, row), *([markup(top)] if room >= 12 else []))
    console.print(table)
