"""Spikes on a simulated stream: found where they should be, labelled by who made them.

``undertow spikes`` labels a spike ``coordinated`` when detected campaign accounts made it
and ``organic`` otherwise. The simulated stream (``undertow simulate``) knows who is who:
planted campaigns, ordinary accounts and one organic outrage. Sentiment is taken from the
simulation's labels, so what is measured is the spike method, not the scorer. The stream is
run as generated and with what real collections have:

* ``as generated``;
* ``stray old post``: one post dated ten years before the stream (a bad clock, an old
  post quoted into the collection);
* ``outage``: 36 hours in which the collection caught nothing (posts removed);
* ``organic surges``: the five organic surges of ``bench_fairness.py`` (a post going
  viral, replies to it, a trending hashtag, a share button, a live moment), each in its
  own hour, by the stream's ordinary accounts;
* ``recall, for days``: from day 4 to the end, ordinary accounts post about SU7 in their
  own words, one and a half times as many an hour as the stream's usual Xiaomi posts (a
  lasting, organic rise in attention);
* ``campaign, for days``: on days 4 and 5 the planted campaigns' accounts post praise of
  SU7 at that rate (a lasting, coordinated one).

For each it reports the spikes found, how many are labelled coordinated with the detected
campaign accounts and with the planted ones (the truth), how many labels differ between
the two, the spikes the outrage and the surges (or the recall's crowd) made (wrote at
least a fifth of) and how many of those are called coordinated (the target is none), how
many of the surges' (or the recall's) accounts detection flagged, and, for the changed
streams, the spikes gained or lost against the stream as generated outside the hours
changed.

It also counts the shifts (lasting changes in net sentiment) and the shifts in volume,
and those called coordinated, with detected and with planted campaign accounts.

Usage:
    python bench/bench_spikes.py [--posts 50000] [--seed 0] [--out bench/results/spikes.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fairness import ONCE, ordinary_accounts, own_words, post  # noqa: E402

from undertow import Workspace, ingest  # noqa: E402
from undertow.coordination.detect import DetectParams, detect  # noqa: E402
from undertow.coordination.store import save  # noqa: E402
from undertow.opinion import scored  # noqa: E402
from undertow.opinion.brands import mentions  # noqa: E402
from undertow.opinion.compare import load  # noqa: E402
from undertow.opinion.spikes import (  # noqa: E402
    SpikeParams,
    parse_brand,
    series_of,
    shifts_of,
    spikes_of,
)
from undertow.simulate import simulate, write_posts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BRANDS = [parse_brand("Xiaomi=小米,Redmi,SU7"), parse_brand("Apple=苹果,iPhone")]
Row = dict[str, Any]
#: post ids of bench_fairness's surges, and of the recall's crowd (organic too)
SURGE_IDS = ("vr", "vp", "th", "sb", "lm", "rc")
PART_OF = 0.2  #: a spike is the outrage's (or a surge's) when they wrote this share of it


def _at(row: Row) -> datetime:
    return datetime.fromisoformat(row["created_at"].replace("Z", ""))


def _hour(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H")


def stray(base: list[Row]) -> tuple[list[Row], set[str]]:
    first = min(_at(r) for r in base)
    old = {**base[0], "post_id": "stray-1", "author_id": "stray",
           "created_at": (first - timedelta(days=3652)).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "text": "Xiaomi battery, an old post"}
    for key in ("reply_to_post_id", "repost_of_post_id", "thread_id"):
        old.pop(key, None)
    return base + [old], {_hour(_at(old))}


def outage(base: list[Row]) -> tuple[list[Row], set[str]]:
    """36 hours from the middle of day 5 lost; the hours beside them are changed too."""
    first = min(_at(r) for r in base).replace(minute=0, second=0, microsecond=0)
    lo, hi = first + timedelta(days=4, hours=12), first + timedelta(days=6)
    kept = [r for r in base if not lo <= _at(r) < hi]
    hours = {_hour(lo + timedelta(hours=h)) for h in range(-1, 37 + 6)}  # edges and warm-up
    return kept, hours


def surges(base: list[Row], truth: dict[str, Any], seed: int, shared: bool = False
           ) -> tuple[list[Row], set[str]]:
    """The five organic surges of ``bench_fairness.py``, 12 hours apart from day 1, each by
    ordinary accounts no other surge took (``shared``: each drawn from all of them, so
    that the surges share part of their crowd by chance)."""
    twitter = sorted((r for r in base if r["platform"] == "twitter"
                      and not r.get("repost_of_post_id")), key=_at)
    ordinary = ordinary_accounts(base, truth)
    rng = np.random.default_rng(seed)
    crowd = [str(a) for a in rng.permutation(ordinary)]
    first = _at(twitter[0])
    added: list[Row] = []
    for k, make in enumerate(ONCE.values()):
        at = first + timedelta(days=1, hours=12 * k)
        star = next(r for r in twitter if _at(r) >= at)
        who = [str(a) for a in rng.permutation(ordinary)] if shared else crowd
        made = make(star, who, rng)
        added += made
        if not shared:
            crowd = crowd[len(made):]
            if len(crowd) < 600:
                raise SystemExit("too few ordinary accounts for disjoint surges: more --posts")
    return base + added, {_hour(_at(r)) for r in added}


def _xiaomi_per_hour(base: list[Row]) -> float:
    """The median posts an hour that name Xiaomi (``BRANDS[0]``, as ``spikes`` matches it)."""
    named = mentions([r.get("text") for r in base], BRANDS[0])
    hours = Counter(_hour(_at(r)) for r, yes in zip(base, named, strict=True) if yes)
    return float(np.median(list(hours.values())))


def _for_days(base: list[Row], who: list[str], days: tuple[int, int], texts: Any,
              prefix: str, seed: int) -> tuple[list[Row], set[str]]:
    """Posts naming SU7 by ``who`` (drawn at random for each post), at times drawn
    evenly over days ``days[0]`` to ``days[1]`` of the stream, one and a half times as
    many an hour as the stream's usual Xiaomi posts: a new level of attention."""
    rng = np.random.default_rng(seed)
    first = min(_at(r) for r in base).replace(hour=0, minute=0, second=0, microsecond=0)
    lo, hi = first + timedelta(days=days[0]), first + timedelta(days=days[1])
    span = (hi - lo).total_seconds()
    n = round(1.5 * _xiaomi_per_hour(base) * span / 3600)
    added = [post(f"{prefix}{i}", str(who[int(rng.integers(len(who)))]),
                  lo + timedelta(seconds=float(rng.uniform(0, span))), texts(i))
             for i in range(n)]
    return base + added, {_hour(_at(r)) for r in added}


def recall(base: list[Row], truth: dict[str, Any], seed: int) -> tuple[list[Row], set[str]]:
    """From day 4 to the end, the stream's ordinary people talk about SU7 in their own
    words (a recall in the news): organic, and lasting."""
    return _for_days(base, ordinary_accounts(base, truth), (3, 7),
                     lambda i: f"SU7: {own_words(i)}", "rc", seed)


def pushed(base: list[Row], truth: dict[str, Any], seed: int) -> tuple[list[Row], set[str]]:
    """On days 4 and 5 the planted campaigns' accounts post praise of SU7 (paid
    posters kept busy for two days): coordinated, and lasting."""
    planted = sorted({str(a) for c in truth["campaigns"] if c["platform"] == "twitter"
                      for a in c["accounts"]})
    return _for_days(base, planted, (3, 5), lambda i: f"SU7 is the best car, buy it now ({i})",
                     "pu", seed)


def _labels(rows: list[Row], sim_labels: dict[str, str]) -> pa.Table:
    """The simulation's sentiment and aspect per post (added posts: neutral, no aspect)."""
    label = [sim_labels.get(r["post_id"], ("neutral", ""))[0] for r in rows]
    aspect = [sim_labels.get(r["post_id"], ("neutral", ""))[1] for r in rows]
    return pa.table({"platform": [r["platform"] for r in rows],
                     "post_id": [r["post_id"] for r in rows],
                     "lang": [r.get("lang") or "en" for r in rows], "label": label,
                     "score": [None] * len(rows), "aspects": [[a] if a else [] for a in aspect]},
                    schema=scored.SCHEMA)


def run(name: str, rows: list[Row], changed: set[str], sim: Any, work: Path,
        sim_labels: dict[str, tuple[str, str]]) -> dict[str, Any]:
    path = work / f"{name.replace(' ', '_')}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    planted = {str(a).split(":", 1)[-1] for c in sim.truth["campaigns"] for a in c["accounts"]}
    with Workspace.open(work / f"ws-{name.replace(' ', '_')}") as ws:
        ingest(ws, [path])
        found = detect(ws, DetectParams())
        save(ws, found.accounts, found.campaigns, found.edges)
        scored.write(ws, _labels(rows, sim_labels))
        posts = load(ws, BRANDS, "hour")
        ids = np.asarray(scored.scored_posts(ws).column("post_id").to_pylist(), dtype=object)
        started = time.perf_counter()
        prepared = series_of(posts, BRANDS)  # the same periods and series for both
        spikes = spikes_of(posts, BRANDS, SpikeParams(), prepared)
        seconds = time.perf_counter() - started
        truth_posts = dataclasses.replace(
            posts, campaign=np.isin(posts.author, np.array(sorted(planted), dtype=object)))
        truth_spikes = spikes_of(truth_posts, BRANDS, SpikeParams(), prepared)
        shifts = shifts_of(posts, BRANDS, SpikeParams(), prepared)
        truth_shifts = shifts_of(truth_posts, BRANDS, SpikeParams(), prepared)
    outraged = np.isin(ids, np.array([i for i, s in zip(sim.columns["post_id"],
                                                       sim.labels["source"], strict=True)
                                      if s == "outrage"], dtype=object))
    surging = np.array([str(i).startswith(SURGE_IDS) for i in ids], dtype=bool)
    truth_label = {_key(s): s["label"] for s in truth_spikes}
    listed = [{"key": _key(s), "label": s["label"], "label_truth": truth_label.get(_key(s)),
               "posts": s["posts"], "campaign_share": s["campaign_share"],
               "campaign_part": s.get("campaign_part"),
               "outrage_share": _share(s, posts, outraged),
               "surge_share": _share(s, posts, surging)} for s in spikes]
    kinds = Counter(s["kind"] for s in spikes)
    crowd = {r["author_id"] for r in rows if r["post_id"].startswith(SURGE_IDS)}
    flagged = {a["account_id"] for a in found.accounts} & crowd
    result = {"stream": name, "posts": len(rows), "spikes": len(spikes),
              "surge_accounts": len(crowd), "surge_flagged": len(flagged),
              "volume": kinds["volume"], "sentiment": kinds["sentiment"],
              "coordinated": sum(s["label"] == "coordinated" for s in spikes),
              "coordinated_truth": sum(v == "coordinated" for v in truth_label.values()),
              "labels_differ": sum(s["label"] != s["label_truth"] for s in listed),
              "spikes_s": round(seconds, 2)}
    for kind, name in (("shift", "shifts"), ("volume", "volume_shifts")):
        theirs = [x for x in shifts if x["kind"] == kind]
        result[name] = len(theirs)
        result[f"{name}_coordinated"] = sum(x["label"] == "coordinated" for x in theirs)
        result[f"{name}_coordinated_truth"] = sum(
            x["label"] == "coordinated" for x in truth_shifts if x["kind"] == kind)
    levels = ("net_before", "net", "share_before", "share", "rate_before", "rate")
    result["shift_list"] = [{"key": f"{x['period']} {x['kind']} {x['brand']} {x['aspect'] or '-'}",
                             "from": x["from"], "until": x["until"],
                             **{k: x[k] for k in levels if k in x}, "label": x["label"],
                             "campaign_share": x["campaign_share"],
                             "campaign_part": x["campaign_part"]} for x in shifts]
    for who in ("outrage", "surge"):
        theirs = [s for s in listed if s[f"{who}_share"] >= PART_OF]
        result[f"{who}_spikes"] = len(theirs)
        result[f"{who}_coordinated"] = sum(s["label"] == "coordinated" for s in theirs)
    return {**result, "keys": sorted(s["key"] for s in listed),
            "changed_hours": sorted(changed), "list": listed}


def _share(spike: dict[str, Any], posts: Any, theirs: np.ndarray) -> float:
    """The share of a spike's posts that are among ``theirs`` (one flag per post)."""
    mask = posts.mentions[spike["brand"]] & (posts.period == spike["period"])
    if spike["aspect"]:
        about = np.zeros(len(posts), dtype=bool)
        about[posts.aspect_parent[posts.aspect_name == spike["aspect"]]] = True
        mask &= about
    return round(float(theirs[mask].mean()), 4) if mask.any() else 0.0


def _key(s: dict[str, Any]) -> str:
    return f"{s['period']} {s['kind']} {s['brand']} {s['aspect'] or '-'}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "spikes.json")
    args = ap.parse_args()
    console = Console(width=max(Console().width, 150))
    sim = simulate(args.posts, seed=args.seed)
    sim_labels = dict(zip(sim.columns["post_id"],
                          zip(sim.labels["sentiment"], sim.labels["aspect"], strict=True),
                          strict=True))
    with tempfile.TemporaryDirectory(prefix="undertow-spikes-") as tmp:
        work = Path(tmp)
        base_path = write_posts(sim, work / "base.jsonl")
        base = [json.loads(line) for line in base_path.read_text(encoding="utf-8").splitlines()]
        streams = {"as generated": (base, set()), "stray old post": stray(base),
                   "outage": outage(base), "organic surges": surges(base, sim.truth, args.seed),
                   "surges, shared crowd": surges(base, sim.truth, args.seed, shared=True),
                   "recall, for days": recall(base, sim.truth, args.seed),
                   "campaign, for days": pushed(base, sim.truth, args.seed)}
        rows = [run(name, data, changed, sim, work, sim_labels)
                for name, (data, changed) in streams.items()]
    reference = set(rows[0]["keys"])
    for r in rows:
        changed = set(r["changed_hours"])
        mine = {k for k in r["keys"] if k.split()[0] not in changed}
        same = {k for k in reference if k.split()[0] not in changed}
        r["gained"], r["lost"] = len(mine - same), len(same - mine)
    t = Table(title=f"Spikes on a simulated stream of {args.posts:,} posts (seed {args.seed}), "
                    "by hour, brands Xiaomi and Apple")
    heads = ("stream", "spikes", "volume", "sentiment", "coordinated", "coordinated (truth)",
             "labels differ", "outrage's", "outrage's coordinated", "surges'",
             "surges' coordinated", "surge accounts flagged", "gained", "lost", "shifts",
             "shifts coordinated (planted)", "volume shifts",
             "volume shifts coordinated (planted)")
    for col in heads:
        t.add_column(col, justify="left" if col == "stream" else "right")
    for r in rows:
        cells = [str(r[k]) for k in (
            "spikes", "volume", "sentiment", "coordinated", "coordinated_truth",
            "labels_differ", "outrage_spikes", "outrage_coordinated", "surge_spikes",
            "surge_coordinated")]
        t.add_row(r["stream"], *cells, f"{r['surge_flagged']} of {r['surge_accounts']}",
                  str(r["gained"]), str(r["lost"]), str(r["shifts"]),
                  f"{r['shifts_coordinated']} ({r['shifts_coordinated_truth']})",
                  str(r["volume_shifts"]),
                  f"{r['volume_shifts_coordinated']} ({r['volume_shifts_coordinated_truth']})")
    console.print(t)
    console.print(f"The outrage's and the surges' spikes are those they wrote at least "
                  f"{PART_OF:.0%} of. Gained and lost count spikes outside the hours each "
                  "stream changed, against the stream as generated.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"posts": args.posts, "seed": args.seed, "streams": rows},
                                   indent=2), encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
