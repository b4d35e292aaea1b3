"""Brand against rival: share of voice, net sentiment per aspect, where we lead and trail.

Everything is computed twice: over **all** accounts, and over the **organic** public only (posts
by accounts that ``undertow detect`` stored in ``campaign_accounts`` are removed; if no detection
was run, that is said in the result and every account counts as organic).

Method
    * A post *mentions* a brand when one of its aliases is found (:mod:`undertow.opinion.brands`).
      A post mentioning both brands counts for both.
    * Share of voice per period (day or hour, UTC): posts mentioning the brand divided by
      posts mentioning the brand plus posts mentioning the rival; the two shares sum to 1.
    * Net sentiment of a set of posts: share positive minus share negative among the posts with
      a label (posts in unsupported languages have none). Its 95 % interval is the normal
      approximation for a difference of two multinomial proportions,
      ``d ± z·sqrt((p₊ + p₋ − d²)/n)``, computed Agresti–Caffo style on counts with one positive
      and one negative added (so small or one-sided samples do not get zero-width intervals),
      and clipped to −1..1. The point estimate is the plain ``(pos − neg)/n``.
    * Brand minus rival per aspect: difference of the two net sentiments, interval
      ``± z·sqrt(v_brand + v_rival)`` treating the two samples as independent (posts in both
      make this conservative). An aspect is a *lead* when the whole interval is above 0 and a
      *trail* when it is below 0; aspects whose intervals overlap 0 are not listed.
    * The pseudo-aspect ``all`` is every labelled post mentioning the brand.

Example:
    >>> from undertow.workspace import Workspace
    >>> from undertow.opinion.brands import parse_brand
    >>> ws = Workspace.open("undertow-data")                        # doctest: +SKIP
    >>> result = compare(ws, parse_brand("Xiaomi=小米,Redmi,SU7"),
    ...                  parse_brand("Apple=苹果,iPhone"), by="day")  # doctest: +SKIP
    >>> [row["aspect"] for row in result["cohorts"]["organic"]["lead"]]  # doctest: +SKIP
    ['price', 'all']
    >>> net_sentiment(60, 20, 100)
    (0.4, 0.2357, 0.5486)
"""

from __future__ import annotations

import csv
import math
import os
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from undertow.filesets import written_together
from undertow.opinion.aspects import ALL_POSTS
from undertow.opinion.brands import Brand, mentions, normalized
from undertow.opinion.scored import (
    Analyzer,
    campaign_account_count,
    has_detection,
    score_posts,
    scored_posts,
    stored_scorer,
)
from undertow.workspace import Workspace

Z95 = 1.959964
COHORTS = ("all", "organic")
PERIODS = {"day": "D", "hour": "h"}
METHOD = ("net sentiment = share positive - share negative among labelled posts; 95% CI: "
          "normal approximation for a difference of multinomial proportions, Agresti-Caffo "
          "adjusted (one positive and one negative added); brand-rival difference: "
          "independent-sample normal approximation; lead/trail only where the CI excludes 0; "
          "intervals cover sampling error only, not the scorer's mistakes")
#: Printed under every lead/trail table.
CAVEAT = ("Intervals cover sampling error, not the scorer's mistakes: read a sample of the "
          "posts behind a verdict before acting on it (BENCHMARKS.md, bench_brands), or fit "
          "a scorer to posts you labelled (train-sentiment).")


@dataclass
class Posts:
    """Scored posts as NumPy arrays, one entry per post (see :func:`load`)."""

    period: np.ndarray  #: period start as ISO text
    label: np.ndarray  #: +1 positive, 0 neutral, -1 negative
    labelled: np.ndarray  #: bool: has a label
    campaign: np.ndarray  #: bool: author in campaign_accounts
    author: np.ndarray
    text: pa.Array | pa.ChunkedArray  #: in Arrow: only a spike's evidence reads texts
    aspect_parent: np.ndarray  #: row of each (post, aspect) pair
    aspect_name: np.ndarray  #: aspect of each (post, aspect) pair
    mentions: dict[str, np.ndarray]  #: brand name -> bool per post
    detection: bool
    campaign_accounts: int

    def __len__(self) -> int:
        return len(self.label)


def period_keys(created: pa.ChunkedArray | pa.Array, by: str) -> np.ndarray:
    """Period start of each timestamp as ISO text (``2025-03-24`` or ``2025-03-24T05``).

    Each period's text is made once and shared by its posts (8 bytes a post, not the
    text's 50 or more).

    >>> import datetime as dt
    >>> period_keys(pa.array([dt.datetime(2025, 3, 24, 5, 30)]), "hour").tolist()
    ['2025-03-24T05']
    """
    if by not in PERIODS:
        raise ValueError(f"--by takes {' or '.join(PERIODS)}, got {by!r}")
    values = np.asarray(created.to_numpy(zero_copy_only=False), dtype="datetime64[us]")
    starts, index = np.unique(values.astype(f"datetime64[{PERIODS[by]}]"), return_inverse=True)
    return _shared(np.datetime_as_string(starts).tolist(), index)


def _shared(values: list[Any], index: np.ndarray) -> np.ndarray:
    """An object array whose entry ``i`` is ``values[index[i]]``, each value one object."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out[np.asarray(index, dtype=np.int64).reshape(-1)]


def _strings(column: pa.ChunkedArray) -> np.ndarray:
    """A text column as an object array, each distinct text one object (``None`` kept).

    >>> _strings(pa.chunked_array([["a", None], ["b", "a"]])).tolist()
    ['a', None, 'b', 'a']
    """
    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()
    return _shared([*encoded.dictionary.to_pylist(), None], codes)


def load(ws: Workspace, brands: Sequence[Brand], by: str = "day",
         analyzer: Analyzer | None = None, taxonomy: Any = None,
         workers: int | None = 1) -> Posts:
    """Score what is not scored yet (in ``workers`` processes, see
    :func:`undertow.opinion.scored.score_posts`), then load the posts with brand mentions
    and aspects.

    ``taxonomy`` (see :func:`undertow.opinion.aspects.load_taxonomy`) re-finds aspects with
    those keywords instead of the stored ones.
    """
    named = Counter(b.name for b in brands)
    twice = sorted(name for name, n in named.items() if n > 1)
    if twice:  # one series per name: the later brand's mentions would replace the earlier's
        raise ValueError(f"brands must have different names; {', '.join(twice)} is given "
                         "twice (name each one: --brand X=..., --rival Y=...)")
    score_posts(ws, analyzer, workers=workers)
    table = scored_posts(ws)
    aspects = table.column("aspects")
    if taxonomy is not None:
        from undertow.opinion.aspects import AspectMatcher

        found = AspectMatcher(taxonomy).find_batch(
            [t or "" for t in table.column("text").to_pylist()], table.column("lang").to_pylist())
        aspects = pa.chunked_array([pa.array(found, pa.list_(pa.string()))])
    aspects = pc.fill_null(aspects, pa.scalar([], pa.list_(pa.string())))
    label = table.column("label")
    return Posts(
        period=period_keys(table.column("created_at"), by),
        label=_is(label, "positive").astype(np.int8) - _is(label, "negative").astype(np.int8),
        labelled=np.asarray(pc.is_valid(label).to_numpy(zero_copy_only=False), dtype=bool),
        campaign=np.asarray(table.column("campaign").to_numpy(zero_copy_only=False), bool),
        author=_strings(table.column("author_id")),
        text=table.column("text"),
        aspect_parent=np.asarray(pc.list_parent_indices(aspects).to_numpy(), dtype=np.int64),
        aspect_name=_strings(pc.list_flatten(aspects)),
        mentions=_mentions(table.column("text"), brands),
        detection=has_detection(ws), campaign_accounts=campaign_account_count(ws))


def _is(column: pa.ChunkedArray, value: str) -> np.ndarray:
    """Boolean array: is each entry ``value`` (a null is not)?"""
    return np.asarray(pc.fill_null(pc.equal(column, value), False).to_numpy(
        zero_copy_only=False), dtype=bool)


def _mentions(texts: pa.ChunkedArray, brands: Sequence[Brand]) -> dict[str, np.ndarray]:
    """Brand name -> does each text mention it, normalising a chunk of texts at a time
    (normalised all at once, 10M posts' texts took 1.6 GB more while it ran)."""
    def chunk_mentions(chunk: pa.Array) -> list[np.ndarray]:
        norm = normalized(chunk)
        return [mentions(norm, brand, prenormalized=True) for brand in brands]

    # Arrow's kernels let go of the GIL: the chunks are matched on every core.
    with ThreadPoolExecutor(min(len(texts.chunks), os.cpu_count() or 1) or 1) as pool:
        found = list(pool.map(chunk_mentions, texts.chunks))
    return {brand.name: np.concatenate([np.zeros(0, dtype=bool)] + [f[i] for f in found])
            for i, brand in enumerate(brands)}


def net_sentiment(pos: int, neg: int, n: int, z: float = Z95
                  ) -> tuple[float | None, float | None, float | None]:
    """``(net, low, high)`` for ``pos`` positive and ``neg`` negative of ``n`` labelled posts.

    >>> net_sentiment(0, 0, 0)
    (None, None, None)
    >>> net_sentiment(5, 0, 5)
    (1.0, 0.1958, 1.0)
    """
    if n <= 0:
        return None, None, None
    net = (pos - neg) / n
    half, centre = _half_width(pos, neg, n, z)
    return round(net, 4), round(max(-1.0, centre - half), 4), round(min(1.0, centre + half), 4)


def _adjusted(pos: int, neg: int, n: int) -> tuple[float, float]:
    """Agresti-Caffo adjusted ``(centre, variance)`` of the net sentiment."""
    m = n + 2
    pp, pn = (pos + 1) / m, (neg + 1) / m
    d = pp - pn
    return d, max(pp + pn - d * d, 0.0) / m


def _half_width(pos: int, neg: int, n: int, z: float) -> tuple[float, float]:
    centre, var = _adjusted(pos, neg, n)
    return z * math.sqrt(var), centre


def counts(posts: Posts, mask: np.ndarray) -> dict[str, int]:
    """Posts, labelled, positive, neutral and negative counts among ``mask``."""
    lab = mask & posts.labelled
    return {"posts": int(mask.sum()), "labelled": int(lab.sum()),
            "positive": int((lab & (posts.label == 1)).sum()),
            "neutral": int((lab & (posts.label == 0)).sum()),
            "negative": int((lab & (posts.label == -1)).sum())}


def share_of_voice(posts: Posts, brand: str, rival: str, cohort: np.ndarray
                   ) -> list[dict[str, Any]]:
    """Per period: posts mentioning each brand and each one's share of the two (sums to 1)."""
    b = posts.mentions[brand] & cohort
    r = posts.mentions[rival] & cohort
    periods, code = factorize(posts.period)
    nbs = np.bincount(code[b], minlength=len(periods))
    nrs = np.bincount(code[r], minlength=len(periods))
    rows = []
    for i in np.flatnonzero(nbs + nrs).tolist():
        nb, nr = int(nbs[i]), int(nrs[i])
        rows.append({"period": periods[i], "brand_posts": nb, "rival_posts": nr,
                     "brand_share": round(nb / (nb + nr), 4),
                     "rival_share": round(nr / (nb + nr), 4)})
    return rows


def factorize(values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The distinct texts of ``values`` in sorted order, and each entry's index among
    them: hashed in Arrow, where sorting 10M Python strings took seconds.

    >>> factorize(np.array(["b", "a", "b"], dtype=object))
    (['a', 'b'], array([1, 0, 1]))
    """
    encoded = pc.dictionary_encode(pa.array(values, pa.string()))
    names = encoded.dictionary.to_pylist()
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    return [names[i] for i in order], rank[encoded.indices.to_numpy(zero_copy_only=False)]


def _aspect_masks(posts: Posts, base: np.ndarray) -> dict[str, np.ndarray]:
    """``all`` plus one mask per aspect found among ``base``, busiest first."""
    keep = base[posts.aspect_parent]
    parents = posts.aspect_parent[keep]
    names, code = factorize(posts.aspect_name[keep])
    sizes = np.bincount(code, minlength=len(names))
    out = {ALL_POSTS: base}  # no aspect has its name (aspects.ALL_POSTS)
    for i in sorted(range(len(names)), key=lambda j: (-int(sizes[j]), j)):
        mask = np.zeros(len(posts), dtype=bool)
        mask[parents[code == i]] = True
        out[names[i]] = mask
    return out


def aspect_rows(posts: Posts, brand: str, cohort: np.ndarray, z: float = Z95
                ) -> list[dict[str, Any]]:
    """Net sentiment with its interval per aspect (and ``all``) for one brand."""
    rows = []
    for aspect, mask in _aspect_masks(posts, posts.mentions[brand] & cohort).items():
        c = counts(posts, mask)
        net, low, high = net_sentiment(c["positive"], c["negative"], c["labelled"], z)
        rows.append({"brand": brand, "aspect": aspect, **c, "net": net, "ci_low": low,
                     "ci_high": high})
    return rows


def lead_trail(brand_rows: list[dict[str, Any]], rival_rows: list[dict[str, Any]],
               z: float = Z95) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Aspects where brand minus rival has an interval wholly above 0 (lead) or below (trail).

    The interval is the difference's own (Agresti-Caffo, the two brands' variances
    added), not the overlap of the two brands' intervals: two 95% intervals that touch
    can still hold a difference that chance would make less than one time in twenty,
    and the overlap rule would miss it. The bounds are clipped to −2..2, the range of a
    difference of two net sentiments.

    >>> a = [{"aspect": "price", "positive": 80, "negative": 10, "labelled": 100}]
    >>> b = [{"aspect": "price", "positive": 20, "negative": 50, "labelled": 100}]
    >>> [r["aspect"] for r in lead_trail(a, b)[0]], lead_trail(a, b)[1]
    (['price'], [])
    """
    rivals = {r["aspect"]: r for r in rival_rows}
    lead, trail = [], []
    for mine in brand_rows:
        theirs = rivals.get(mine["aspect"])
        if theirs is None or not mine["labelled"] or not theirs["labelled"]:
            continue
        d1, v1 = _adjusted(mine["positive"], mine["negative"], mine["labelled"])
        d2, v2 = _adjusted(theirs["positive"], theirs["negative"], theirs["labelled"])
        half = z * math.sqrt(v1 + v2)
        raw = (mine["positive"] - mine["negative"]) / mine["labelled"] - \
            (theirs["positive"] - theirs["negative"]) / theirs["labelled"]
        row = {"aspect": mine["aspect"],
               "brand_net": round((mine["positive"] - mine["negative"]) / mine["labelled"], 4),
               "rival_net": round((theirs["positive"] - theirs["negative"])
                                  / theirs["labelled"], 4),
               "difference": round(raw, 4), "ci_low": round(max(d1 - d2 - half, -2.0), 4),
               "ci_high": round(min(d1 - d2 + half, 2.0), 4),
               "brand_labelled": mine["labelled"], "rival_labelled": theirs["labelled"]}
        if row["ci_low"] > 0:
            lead.append({**row, "verdict": "lead"})
        elif row["ci_high"] < 0:
            trail.append({**row, "verdict": "trail"})
    lead.sort(key=lambda r: -r["difference"])
    trail.sort(key=lambda r: r["difference"])
    return lead, trail


def _cohort(posts: Posts, brand: Brand, rival: Brand, mask: np.ndarray, z: float
            ) -> dict[str, Any]:
    mine = aspect_rows(posts, brand.name, mask, z)
    theirs = aspect_rows(posts, rival.name, mask, z)
    lead, trail = lead_trail(mine, theirs, z)
    nb = int((posts.mentions[brand.name] & mask).sum())
    nr = int((posts.mentions[rival.name] & mask).sum())
    total = {"brand_posts": nb, "rival_posts": nr,
             "brand_share": round(nb / (nb + nr), 4) if nb + nr else None}
    return {"posts": int(mask.sum()), "share_total": total,
            "share_of_voice": share_of_voice(posts, brand.name, rival.name, mask),
            "aspects": mine + theirs, "lead": lead, "trail": trail}


def _differences(cohorts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Organic minus all: share of voice overall and net sentiment per brand and aspect."""
    a, o = cohorts["all"], cohorts["organic"]
    share = None
    if a["share_total"]["brand_share"] is not None and o["share_total"]["brand_share"] is not None:
        share = round(o["share_total"]["brand_share"] - a["share_total"]["brand_share"], 4)
    organic = {(r["brand"], r["aspect"]): r for r in o["aspects"]}
    nets = []
    for r in a["aspects"]:
        other = organic.get((r["brand"], r["aspect"]))
        if other is None or r["net"] is None or other["net"] is None:
            continue
        nets.append({"brand": r["brand"], "aspect": r["aspect"], "all_net": r["net"],
                     "organic_net": other["net"],
                     "change": round(other["net"] - r["net"], 4)})
    return {"brand_share": share, "net": nets,
            **{f"{kind}_only_{one}": sorted({x["aspect"] for x in c1[kind]} -
                                            {x["aspect"] for x in c2[kind]})
               for kind in ("lead", "trail")
               for one, c1, c2 in (("all", a, o), ("organic", o, a))}}


def compare_posts(posts: Posts, brand: Brand, rival: Brand, by: str = "day",
                  z: float = Z95) -> dict[str, Any]:
    """The full comparison of already loaded posts (see :func:`compare`)."""
    everyone = np.ones(len(posts), dtype=bool)
    cohorts = {"all": _cohort(posts, brand, rival, everyone, z),
               "organic": _cohort(posts, brand, rival, ~posts.campaign, z)}
    note = (f"{posts.campaign_accounts} campaign accounts removed from the organic cohort"
            if posts.detection else
            "no detection run (`undertow detect`): every account treated as organic")
    return {"brand": {"name": brand.name, "aliases": list(brand.aliases),
                      "exceptions": list(brand.exceptions)},
            "rival": {"name": rival.name, "aliases": list(rival.aliases),
                      "exceptions": list(rival.exceptions)},
            "by": by, "method": METHOD,
            "detection": {"run": posts.detection, "campaign_accounts": posts.campaign_accounts,
                          "note": note},
            "cohorts": cohorts, "difference": _differences(cohorts)}


def compare(ws: Workspace, brand: Brand, rival: Brand, by: str = "day",
            analyzer: Analyzer | None = None, taxonomy: Any = None,
            z: float = Z95, workers: int | None = 1) -> dict[str, Any]:
    """Score the workspace's posts if needed (in ``workers`` processes, see
    :func:`undertow.opinion.scored.score_posts`) and compare ``brand`` with ``rival``."""
    posts = load(ws, [brand, rival], by, analyzer, taxonomy, workers)
    return {**compare_posts(posts, brand, rival, by, z), "scorer": stored_scorer(ws)}


def _write_csv(path: Path, rows: list[dict[str, Any]], fields: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_outputs(result: dict[str, Any], folder: Path) -> list[Path]:
    """Write share_of_voice.csv, aspects.csv, lead_trail.csv and opinion.json to ``folder``,
    moved into place together (:func:`undertow.filesets.written_together`): a run stopped
    while writing them leaves the previous run's four."""
    sov, aspects, lt = [], [], []
    changes = {(r["brand"], r["aspect"]): r["change"] for r in result["difference"]["net"]}
    for cohort in COHORTS:
        data = result["cohorts"][cohort]
        sov += [{"cohort": cohort, **r} for r in data["share_of_voice"]]
        aspects += [{"cohort": cohort, **r, "organic_minus_all":
                     changes.get((r["brand"], r["aspect"])) if cohort == "organic" else None}
                    for r in data["aspects"]]
        lt += [{"cohort": cohort, **r} for r in data["lead"] + data["trail"]]
    names = ("share_of_voice.csv", "aspects.csv", "lead_trail.csv", "opinion.json")
    with written_together(folder, names) as staged:
        paths = [staged[n] for n in names]
        _write_csv(paths[0], sov, ["cohort", "period", "brand_posts", "rival_posts",
                                   "brand_share", "rival_share"])
        _write_csv(paths[1], aspects, ["cohort", "brand", "aspect", "posts", "labelled",
                                       "positive", "neutral", "negative", "net", "ci_low",
                                       "ci_high", "organic_minus_all"])
        _write_csv(paths[2], lt, ["cohort", "verdict", "aspect", "brand_net", "rival_net",
                                  "difference", "ci_low", "ci_high", "brand_labelled",
                                  "rival_labelled"])
        paths[3].write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    return [folder / n for n in names]


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def print_result(result: dict[str, Any], console: Any = None) -> None:
    """Rich tables: share of voice, net sentiment per aspect (all vs organic), lead/trail."""
    from rich.console import Console
    from rich.table import Table

    from undertow.escapes import markup

    console = console or Console()
    b, r = result["brand"]["name"], result["rival"]["name"]
    console.print(markup(result["detection"]["note"]))
    _print_unmentioned(result, console)
    if "scorer" in result:
        console.print(markup(f"sentiment scored by: {result['scorer']}"))
    sov = Table(title=markup(f"Share of voice: {b} vs {r} (per {result['by']})"))
    for col in ("period", f"{b} posts", f"{r} posts", f"{b} share", f"{b} share (organic)"):
        sov.add_column(markup(col), justify="right")
    organic = {x["period"]: x for x in result["cohorts"]["organic"]["share_of_voice"]}
    for row in result["cohorts"]["all"]["share_of_voice"]:
        o = organic.get(row["period"])
        sov.add_row(markup(row["period"]), str(row["brand_posts"]), str(row["rival_posts"]),
                    f"{row['brand_share']:.1%}", f"{o['brand_share']:.1%}" if o else "–")
    console.print(sov)
    for name in (b, r):
        console.print(_aspect_table(result, name))
    print_lead_trail(result, console)


def _aspect_table(result: dict[str, Any], name: str) -> Any:
    """One brand's net sentiment per aspect, all accounts and organic, one line per
    aspect even at 80 columns (a pipe, a log)."""
    from rich import box
    from rich.table import Table

    from undertow.escapes import markup

    organic = {(x["brand"], x["aspect"]): x for x in result["cohorts"]["organic"]["aspects"]}
    rows = []
    for row in result["cohorts"]["all"]["aspects"]:
        if row["brand"] != name:
            continue
        o = organic.get((row["brand"], row["aspect"]), {})
        change = None if row["net"] is None or o.get("net") is None else o["net"] - row["net"]
        rows.append((markup(row["aspect"]), str(row["labelled"]), _ci(row),
                     str(o.get("labelled", 0)), _ci(o), _fmt(change)))
    table = Table(title=markup(f"{name}: net sentiment per aspect (95% CI)"),
                  caption="n: posts with a label; Δ: organic − all",
                  box=box.SIMPLE_HEAD, padding=0, show_edge=False)
    for col in ("aspect", "n", "all", "n org.", "organic", "Δ"):
        table.add_column(col, no_wrap=True, justify="left" if col == "aspect" else "right")
    for cells in rows:
        table.add_row(*cells)
    return table


def print_lead_trail(result: dict[str, Any], console: Any) -> None:
    """The "where the brand leads / trails its rival" table of each cohort."""
    from rich.table import Table

    from undertow.escapes import markup

    b, r = result["brand"]["name"], result["rival"]["name"]
    for cohort in COHORTS:
        data = result["cohorts"][cohort]
        lt = Table(title=markup(f"Where {b} leads / trails {r} ({cohort})"))
        for col in ("verdict", "aspect", b, r, "difference (95% CI)"):
            lt.add_column(markup(col))
        for row in data["lead"] + data["trail"]:
            lt.add_row(row["verdict"], markup(row["aspect"]), _fmt(row["brand_net"]),
                       _fmt(row["rival_net"]),
                       f"{_fmt(row['difference'])} [{_fmt(row['ci_low'])}, "
                       f"{_fmt(row['ci_high'])}]")
        console.print(lt if lt.row_count else
                      markup(f"{b} vs {r} ({cohort}): no aspect where the intervals separate"))
    console.print(CAVEAT, style="dim")


def _print_unmentioned(result: dict[str, Any], console: Any) -> None:
    """A warning for a brand no post mentions (most often a missing or misspelt alias)."""
    from undertow.escapes import markup

    total = result["cohorts"]["all"]["share_total"]
    for side in ("brand", "rival"):
        if total[f"{side}_posts"] == 0:
            aliases = ", ".join(result[side]["aliases"])
            console.print(markup(f"warning: no post mentions {result[side]['name']} "
                                 f"(aliases: {aliases})"), style="yellow")


def print_brief(result: dict[str, Any], console: Any, top: int = 5) -> None:
    """The short form: the ``top`` net sentiments campaign accounts moved most, the leads
    and trails that exist only while they are counted, and lead/trail in both cohorts."""
    from rich.table import Table

    from undertow.escapes import markup

    console.print(markup(result["detection"]["note"]))
    _print_unmentioned(result, console)
    moved = sorted(result["difference"]["net"], key=lambda x: (-abs(x["change"]),
                                                                x["brand"], x["aspect"]))
    table = Table(title="Net sentiments that campaign accounts moved most")
    for col in ("brand", "aspect", "all accounts", "organic only", "organic − all"):
        table.add_column(col, justify="left" if col in ("brand", "aspect") else "right")
    for row in moved[:top]:
        table.add_row(markup(row["brand"]), markup(row["aspect"]), _fmt(row["all_net"]),
                      _fmt(row["organic_net"]), _fmt(row["change"]))
    console.print(table)
    diff = result["difference"]
    for kind in ("lead", "trail"):
        gone = diff[f"{kind}_only_all"]
        if gone:
            console.print(markup(f"{kind}s that disappear once campaign accounts are removed: "
                                 + ", ".join(gone)))
    print_lead_trail(result, console)


def _ci(row: dict[str, Any]) -> str:
    if not row or row.get("net") is None:
        return "–"
    return f"{_fmt(row['net'])} [{_fmt(row['ci_low'])},{_fmt(row['ci_high'])}]"
