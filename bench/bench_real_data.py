"""Detection on real data: CooRTweet's example data and the IRA troll tweets.

1. CooRTweet: for each single-type reference run, CooRTweet's own
   ``detect_groups`` time (from the run's ``params.json``) next to Undertow's
   compatibility mode (``--no-significance``) on the same input, the edges
   both find, and how many of CooRTweet's edges the default significance mode
   keeps (it keeps only pairs that meet more often than chance allows).
2. IRA: on the October 2016 slice (all languages) and the German-language
   slice, the share of troll accounts Undertow places in campaigns and how
   campaigns line up with Linvill & Warren's ``account_category``; then
   ``spikes`` on each (by hour for the month, by day for the three years of
   German tweets): the lasting changes in volume of the whole stream, labelled
   by whether the accounts detection placed made them. Every account is a
   troll here, so "organic" means only that those placed did not.

Usage:
    python bench/bench_real_data.py [--out bench/results/real_data.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.coordination.test_coshare import (  # noqa: E402  (the reference inputs, prepared once)
    RUNS,
    parse_run,
    prep_sql,
    read_reference,
)
from undertow import Workspace, ingest  # noqa: E402
from undertow.coordination.detect import DetectParams, detect  # noqa: E402
from undertow.coordination.evaluate import adjusted_rand_index  # noqa: E402
from undertow.coordination.store import save  # noqa: E402
from undertow.opinion.spikes import SpikeParams, find_spikes  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REFERENCE = DATA / "coord_sharing_coortweet" / "reference"


def _pairs(edges: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(min(e["source"], e["target"]), max(e["source"], e["target"])) for e in edges}


def coortweet(work: Path) -> list[dict[str, Any]]:
    rows = []
    workspaces: dict[str, Path] = {}
    for run in RUNS:
        kinds, window, mp = parse_run(run)
        if len(kinds) > 1 or run.endswith("url-fb__tw60__mp2"):
            continue  # stacked or filtered runs: see tests/coordination/test_coshare.py
        kind = kinds[0]
        if kind not in workspaces:
            workspaces[kind] = work / kind
            path = work / f"{kind}.csv"
            duckdb.sql(f"COPY ({prep_sql(kind)}) TO '{path}' (HEADER)")
            with Workspace.open(workspaces[kind]) as ws:
                ingest(ws, [path], fmt="coortweet")
        params = json.loads((REFERENCE / run / "params.json").read_text())
        ref = {(min(r["account_id"], r["account_id_y"]), max(r["account_id"], r["account_id_y"]))
               for r in read_reference(run, "edges_full.csv")}
        with Workspace.open(workspaces[kind]) as ws:
            started = time.perf_counter()
            compat = detect(ws, DetectParams(window=window, signals=("object",),
                                             significance=False, min_shares=mp))
            compat_s = time.perf_counter() - started
            started = time.perf_counter()
            signif = detect(ws, DetectParams(window=window, signals=("object",)))
            signif_s = time.perf_counter() - started
        kept = _pairs(signif.edges)
        rows.append({
            "run": run, "coortweet_detect_groups_s": params["calls"][0]["wall_s"],
            "undertow_compat_s": round(compat_s, 2), "undertow_significance_s": round(signif_s, 2),
            "coortweet_edges": len(ref), "compat_edges_equal": _pairs(compat.edges) == ref,
            "significant_edges": len(kept), "significant_in_coortweet": len(kept & ref),
            "coortweet_edges_kept_share": round(len(kept & ref) / len(ref), 4) if ref else None,
            "campaigns": len(signif.campaigns),
        })
    return rows


def categories() -> dict[str, str]:
    with (DATA / "ira_russian_troll_tweets" / "authors.csv").open(encoding="utf-8") as f:
        return {r["author_id"]: r["account_category"] for r in csv.DictReader(f)}


def ira(work: Path, name: str, by: str) -> dict[str, Any]:
    path = DATA / "ira_russian_troll_tweets" / name
    category = categories()
    with Workspace.open(work / name) as ws:
        report = ingest(ws, [path], fmt="ira")
        authors = {r[0] for r in ws.con.execute("SELECT DISTINCT author_id FROM posts").fetchall()}
        started = time.perf_counter()
        result = detect(ws, DetectParams())
        seconds = time.perf_counter() - started
        save(ws, result.accounts, result.campaigns, result.edges)
        started = time.perf_counter()
        changes = find_spikes(ws, [], SpikeParams(by=by))  # the fast tier scores the posts
        spikes_seconds = time.perf_counter() - started
    placed = {a["account_id"]: a["campaign_id"] for a in result.accounts}
    purity = []
    for c in result.campaigns:
        cats = Counter(category.get(a["account_id"], "Unknown") for a in c["accounts"])
        purity.append(cats.most_common(1)[0][1] / c["size"])
    common = sorted(placed)
    ari = adjusted_rand_index([category.get(a, "Unknown") for a in common],
                              [placed[a] for a in common]) if len(common) > 1 else None
    top = [{"campaign_id": c["campaign_id"], "size": c["size"], "signals": c["signals"],
            "categories": dict(Counter(category.get(a["account_id"], "Unknown")
                                       for a in c["accounts"]))}
           for c in result.campaigns[:8]]
    return {"slice": name, "posts": report.stored, "accounts": len(authors),
            "placed_in_campaigns": len(placed),
            "placed_share": round(len(placed) / len(authors), 4) if authors else None,
            "campaigns": len(result.campaigns), "detect_s": round(seconds, 2),
            "mean_category_purity": round(sum(purity) / len(purity), 3) if purity else None,
            "ari_campaign_vs_category": None if ari is None else round(ari, 3),
            "largest_campaigns": top, "by": by, "spikes_s": round(spikes_seconds, 2),
            "spikes": len(changes["spikes"]),
            "spikes_coordinated": sum(x["label"] == "coordinated" for x in changes["spikes"]),
            "volume_shifts": [{k: x[k] for k in ("period", "from", "until", "rate_before",
                                                 "rate", "campaign_share", "campaign_part",
                                                 "label")}
                              for x in changes["shifts"]
                              if x["kind"] == "volume" and x["aspect"] is None]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/results/real_data.json"))
    args = ap.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory(prefix="undertow-real-") as tmp:
        work = Path(tmp)
        runs = coortweet(work)
        slices = [ira(work, "tweets_2016-10_all_languages.csv", "hour"),
                  ira(work, "tweets_german_language_all_dates.csv", "day")]
    table = Table(title="CooRTweet example data: CooRTweet 2.1.3 against Undertow")
    for col in ("run", "CooRTweet s", "Undertow compat s", "same edges", "CooRTweet edges",
                "significant", "of them CooRTweet's", "kept share"):
        table.add_column(col, justify="left" if col == "run" else "right")
    for r in runs:
        table.add_row(r["run"].replace("german_elections", "ge").replace(
            "russian_coord_tweets", "ru"), f"{r['coortweet_detect_groups_s']:.1f}",
            f"{r['undertow_compat_s']:.2f}", "yes" if r["compat_edges_equal"] else "NO",
            str(r["coortweet_edges"]), str(r["significant_edges"]),
            str(r["significant_in_coortweet"]), f"{r['coortweet_edges_kept_share']:.3f}")
    console.print(table)
    ira_table = Table(title="IRA troll tweets: accounts placed in campaigns")
    for col in ("slice", "posts", "accounts", "placed", "share", "campaigns",
                "category purity", "ARI vs category", "detect s"):
        ira_table.add_column(col, justify="left" if col == "slice" else "right")
    for s in slices:
        ira_table.add_row(s["slice"], f"{s['posts']:,}", str(s["accounts"]),
                          str(s["placed_in_campaigns"]), f"{s['placed_share']:.3f}",
                          str(s["campaigns"]), str(s["mean_category_purity"]),
                          str(s["ari_campaign_vs_category"]), f"{s['detect_s']:.1f}")
    console.print(ira_table)
    for s in slices:
        for c in s["largest_campaigns"][:5]:
            console.print(f"  {s['slice'][:20]} {c['campaign_id']} size {c['size']}: "
                          f"{c['categories']} via {c['signals']}")
    shifts = Table(title="IRA troll tweets: lasting changes in volume, whole stream "
                         "(labels: whether the accounts detect placed made them)")
    for col in ("slice", "by", "new level from", "until", "posts a period", "campaign share",
                "made", "label"):
        shifts.add_column(col, justify="right" if col in ("campaign share", "made") else "left")
    for s in slices:
        for x in s["volume_shifts"]:
            shifts.add_row(s["slice"][:20], s["by"], x["period"], x["until"],
                           f"{x['rate_before']:.1f} → {x['rate']:.1f}",
                           f"{x['campaign_share']:.0%}", f"{x['campaign_part']:.0%}", x["label"])
    console.print(shifts)
    for s in slices:
        console.print(f"  {s['slice'][:20]}: {s['spikes']} spikes by {s['by']} "
                      f"({s['spikes_coordinated']} coordinated), spikes and shifts in "
                      f"{s['spikes_s']:.1f} s with scoring")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"benchmark": "real_data", "coortweet": runs, "ira": slices},
                                   indent=2), encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
