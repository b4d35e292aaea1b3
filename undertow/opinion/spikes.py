"""Spikes: sudden changes in volume and sentiment, per brand and aspect, labelled by who made them.

Series: for each brand (or all posts when no brand is given), and for each aspect within it,
the posts per period (hour or day, UTC) and their net sentiment (share positive − share
negative among labelled posts).

Method (each period against a rolling baseline of the ``window`` periods before it, empty
periods included; the first ``min_periods`` periods of a series are only baseline)
    * Volume: expected count ``λ`` = the larger of the median of the baseline counts and,
      where there is one, the median count of the same period of the previous ``cycles``
      days (for hours) or weeks (for days), at least 1: an afternoon is weighed against
      afternoons, not against the night before it. The first day (or week), which has
      none before it, is weighed against the ones after it; the stream's first and last
      periods, which it mostly covers only in part, are no yardstick. A period is a spike when
      ``count ≥ ratio·λ``, ``count ≥ min_posts`` and the Poisson tail ``P(X ≥ count | λ)``
      is below ``alpha`` divided by the number of periods tested in the series (Bonferroni).
    * Sentiment: net sentiment of the period against the pooled net sentiment of the baseline;
      ``z = (d − d₀)/sqrt(v/n + v₀/n₀)`` with the multinomial variance ``v = p₊ + p₋ − d²``.
      A spike when ``|z|`` exceeds the Bonferroni-adjusted normal quantile, the period has
      at least ``min_posts`` labelled posts and ``|d − d₀| ≥ min_delta``.

Each spike carries its posts and accounts count, the share of its posts written by accounts
in ``campaign_accounts`` and its most repeated texts. It is ``coordinated`` when the same test
no longer finds it once the campaign accounts' posts are taken out (the campaign made the
spike), else ``organic`` (with no detection run every spike is organic). The campaign share
is evidence, not the rule: a campaign burst on top of a busy hour is a small share of the
hour's posts yet the whole of its excess.

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
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from undertow.opinion.brands import Brand, parse_brand
from undertow.opinion.compare import Posts, load
from undertow.opinion.scored import Analyzer, stored_scorer
from undertow.workspace import Workspace

__all__ = ["SpikeParams", "find_spikes", "parse_brand", "print_spikes", "volume_spikes"]


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

    @property
    def season(self) -> int:
        """Periods in one cycle: 24 hours, or the 7 days of a week."""
        return 24 if self.by == "hour" else 7


def _busy(counts: np.ndarray, params: SpikeParams) -> list[int]:
    """The periods that can be spikes: past the first ``min_periods``, with at least
    ``min_posts`` posts (so a stream that spans years, or one stray old timestamp,
    costs what its busy periods cost, not one test per empty hour)."""
    return (np.flatnonzero(counts[params.min_periods:] >= params.min_posts)
            + params.min_periods).tolist()


def _whole(periods: np.ndarray, k: int) -> np.ndarray:
    """The periods among ``periods`` inside the series of ``k`` and not its first or
    last, which the stream mostly covers only in part."""
    return periods[(periods > 0) & (periods < k - 1)]


def volume_spikes(counts: np.ndarray, params: SpikeParams) -> list[tuple[int, float, float]]:
    """``(index, expected, p_value)`` of each period whose count is a volume spike
    (``counts`` has one entry per period, empty ones included)."""
    tested = max(1, len(counts) - params.min_periods)
    out = []
    for i in _busy(counts, params):
        base = counts[max(0, i - params.window):i]
        lam = max(1.0, float(np.median(base)))
        steps = params.season * np.arange(1, params.cycles + 1)
        same = _whole(i - steps, len(counts))
        if not len(same):  # the first cycle has none before it: the ones after it
            same = _whole(i + steps, len(counts))
        if len(same):
            lam = max(lam, float(np.median(counts[same])))
        x = int(counts[i])
        if x < params.ratio * lam:
            continue
        p = float(stats.poisson.sf(x - 1, lam))
        if p < params.alpha / tested:
            out.append((i, lam, round(p, 12)))
    return out


def sentiment_spikes(pos: np.ndarray, neg: np.ndarray, n: np.ndarray, params: SpikeParams
                     ) -> list[tuple[int, float, float]]:
    """``(index, baseline net, z)`` of each period whose net sentiment jumps."""
    tested = max(1, len(n) - params.min_periods)
    crit = float(stats.norm.isf(params.alpha / tested / 2))
    out = []
    for i in _busy(n, params):
        lo = max(0, i - params.window)
        n0, ni = int(n[lo:i].sum()), int(n[i])
        if n0 < params.min_posts:
            continue
        d0 = (pos[lo:i].sum() - neg[lo:i].sum()) / n0
        d = (pos[i] - neg[i]) / ni
        v0 = (pos[lo:i].sum() + neg[lo:i].sum()) / n0 - d0 * d0
        v = (pos[i] + neg[i]) / ni - d * d
        se = math.sqrt(max(v, 1e-9) / ni + max(v0, 1e-9) / n0)
        z = (d - d0) / se
        if abs(z) > crit and abs(d - d0) >= params.min_delta:
            out.append((i, round(float(d0), 4), round(float(z), 2)))
    return out


def _evidence(posts: Posts, mask: np.ndarray, params: SpikeParams) -> dict[str, Any]:
    n = int(mask.sum())
    camp = int((mask & posts.campaign).sum())
    share = camp / n if n else 0.0
    texts = Counter(str(t) for t in posts.text[mask] if t)
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
        parents, aspects = posts.aspect_parent[keep], posts.aspect_name[keep].astype(str)
        for aspect in sorted(set(aspects.tolist())):
            mask = np.zeros(len(posts), dtype=bool)
            mask[parents[aspects == aspect]] = True
            out.append((name, aspect, mask))
    return out


def _found(index: np.ndarray, k: int, mask: np.ndarray, posts: Posts, params: SpikeParams
           ) -> list[tuple[str, int, dict[str, Any]]]:
    """Volume and sentiment spikes of the series of the posts in ``mask``."""
    counts = np.bincount(index[mask], minlength=k)
    lab = mask & posts.labelled
    pos = np.bincount(index[lab & (posts.label == 1)], minlength=k)
    neg = np.bincount(index[lab & (posts.label == -1)], minlength=k)
    n = np.bincount(index[lab], minlength=k)
    found = [("volume", i, {"expected": e, "p_value": p})
             for i, e, p in volume_spikes(counts, params)]
    found += [("sentiment", i, {"net": round(float((pos[i] - neg[i]) / n[i]), 4),
                                "baseline_net": d0, "z": z})
              for i, d0, z in sentiment_spikes(pos, neg, n, params)]
    return found


def _timeline(period: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every period from the first to the last (empty ones too, as ISO text) and each
    post's index among them.

    >>> [p.tolist() for p in _timeline(np.array(["2025-03-24T05", "2025-03-24T02"]))]
    [['2025-03-24T02', '2025-03-24T03', '2025-03-24T04', '2025-03-24T05'], [3, 0]]
    """
    if len(period) == 0:
        return period, np.zeros(0, dtype=np.int64)
    times = period.astype("datetime64")
    first = times.min()
    index = (times - first).astype(np.int64)
    return np.datetime_as_string(first + np.arange(int(index.max()) + 1)), index


def spikes_of(posts: Posts, brands: Sequence[Brand], params: SpikeParams) -> list[dict[str, Any]]:
    """Every volume and sentiment spike of every series of ``posts``.

    A spike is ``organic`` when the same test still finds it with the campaign accounts'
    posts taken out, ``coordinated`` when it disappears without them: the label says
    whether the campaign made the spike, not merely whether it took part.
    """
    periods, index = _timeline(posts.period)
    k = len(periods)
    out = []
    for brand, aspect, mask in _series(posts, brands):
        found = _found(index, k, mask, posts, params)
        if not found:
            continue
        organic = {(kind, i) for kind, i, _ in _found(index, k, mask & ~posts.campaign, posts,
                                                      params)}
        for kind, i, stat in found:
            where = mask & (index == i)
            evidence = _evidence(posts, where, params)
            evidence["label"] = "organic" if (kind, i) in organic else "coordinated"
            evidence["without_campaign_accounts"] = (
                "still a spike" if (kind, i) in organic else "no spike")
            out.append({"kind": kind, "brand": brand, "aspect": aspect,
                        "period": str(periods[i]), **stat, **evidence})
    out.sort(key=lambda s: (s["period"], s["brand"], s["aspect"] or "", s["kind"]))
    return out


def find_spikes(ws: Workspace, brands: Sequence[Brand] = (), params: SpikeParams | None = None,
                analyzer: Analyzer | None = None) -> dict[str, Any]:
    """Score the posts if needed and find spikes; returns params, detection note and spikes."""
    params = params or SpikeParams()
    posts = load(ws, brands, params.by, analyzer)
    note = (f"{posts.campaign_accounts} campaign accounts known" if posts.detection else
            "no detection run (`undertow detect`): every spike is organic")
    return {"params": asdict(params), "brands": [b.name for b in brands],
            "mentions": {b.name: int(posts.mentions[b.name].sum()) for b in brands},
            "scorer": stored_scorer(ws),
            "detection": {"run": posts.detection, "campaign_accounts": posts.campaign_accounts,
                          "note": note},
            "spikes": spikes_of(posts, brands, params)}


def print_spikes(result: dict[str, Any], console: Any = None) -> None:
    """A rich table of the spikes, post-derived strings escaped."""
    from rich import box
    from rich.cells import cell_len
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    console.print(escape(result["detection"]["note"]))
    for name, count in result.get("mentions", {}).items():
        if not count:  # most often a missing or misspelt alias
            console.print(escape(f"warning: no post mentions {name}"), style="yellow")
    if not result["spikes"]:
        console.print("Spikes: none")
        return
    # What locates and labels a spike is never wrapped or cut; the top text takes the
    # width left over (cut with an ellipsis), and is left out below 12 characters.
    heads = ("period", "kind", "brand", "aspect", "posts", "campaign", "label")
    rows = [(s["period"], s["kind"], s["brand"], s["aspect"] or "–", str(s["posts"]),
             f"{s['campaign_share']:.0%}", s["label"]) for s in result["spikes"]]
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    # Each column costs two cells besides its text (a separator and one of padding).
    room = min(console.width - sum(widths) - 2 * (len(widths) + 1), 60)
    table = Table(title=f"Spikes ({len(rows)})", box=box.SIMPLE_HEAD, collapse_padding=True,
                  pad_edge=False)
    for head, width in zip(heads, widths, strict=True):
        table.add_column(head, no_wrap=True, width=width,
                         justify="right" if head in ("posts", "campaign") else "left")
    if room >= 12:
        table.add_column("top text", no_wrap=True, overflow="ellipsis", width=room)
    elif rows:
        table.caption = "top texts: a wider terminal, or --json"
    for s, row in zip(result["spikes"], rows, strict=True):
        top = " ".join(s["top_texts"][0]["text"].split()) if s["top_texts"] else ""
        table.add_row(*map(escape, row), *([escape(top)] if room >= 12 else []))
    console.print(table)
