"""Floods of one script: variants handed out, or each account rewording it, few times.

Planted floods added, one scenario at a time, to a simulated stream (``undertow
simulate``, 20,000 posts, seed 3), each posted by accounts of its own within 40 seconds:

* ``variants_2x20``: 40 accounts, twice a day apart; half post one wording of the
  script, half another;
* ``variants_4x10``: the same with four wordings;
* ``rewrites_40x2``: 40 accounts, twice, each in its own light rewrite of the script
  (``undertow.simulate.rewrite``: word and phrase swaps, fillers, punctuation, emoji);
* ``rewrites_zh_120x2``: 120 accounts, twice, rewrites of a Chinese script;
* ``salted_40x2``: 40 accounts, twice, each copy of the script salted its own way with
  invisible characters, Cyrillic look-alike letters and accents
  (``undertow.simulate.salted``), as copy-paste tools do to slip past duplicate filters;
* ``rewrites_200x1``: 200 accounts rewording it once. One flood of near-same texts is
  not coordination on its own (people answering one moment write alike:
  ``bench_fairness.py``'s ``live_moment``); the question is whether it is at least
  listed among the surges.

For each: how many of the flood's accounts ``detect`` (defaults) flags, in how many
campaigns, how many other accounts those campaigns hold, whether the flood is listed
among the surges, and the planted campaigns' precision and recall beside it. A flood
found whole is 1 campaign holding all its accounts and no others.

Usage:
    python bench/bench_floods.py [--posts 20000] [--seed 3] [--out bench/results/floods.json]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fairness import Row, base_stream, detect_with, post, report  # noqa: E402

from undertow.coordination.evaluate import evaluate  # noqa: E402
from undertow.simulate import rewrite, salted  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = {"en": "The SU7 recall is a smear campaign by rivals, owners are happy and the car "
                "is safe, stop spreading lies",
          "zh": "小米SU7召回是友商的抹黑，车主都很满意，车很安全，不要再造谣了"}
WORDINGS = [SCRIPT["en"], SCRIPT["en"].replace("happy", "glad"),
            SCRIPT["en"].replace("rivals", "competitors"),
            SCRIPT["en"].replace("stop spreading lies", "enough with the lies")]
#: scenario -> (accounts, floods, wordings handed out, or each account's own "rewrite"
#: or "salted" copy, language)
SCENARIOS: dict[str, tuple[int, int, int | str, str]] = {
    "variants_2x20": (40, 2, 2, "en"), "variants_4x10": (40, 2, 4, "en"),
    "rewrites_40x2": (40, 2, "rewrite", "en"), "rewrites_zh_120x2": (120, 2, "rewrite", "zh"),
    "salted_40x2": (40, 2, "salted", "en"), "rewrites_200x1": (200, 1, "rewrite", "en")}


def flood_rows(name: str, start: datetime) -> list[Row]:
    """The scenario's posts: its floods a day apart from ``start``, 40 s each."""
    accounts, floods, copies, lang = SCENARIOS[name]
    rows = []
    for day in range(floods):
        for i in range(accounts):
            rnd = random.Random(f"{name}-{day}-{i}")
            if copies == "rewrite":
                text = rewrite(SCRIPT[lang], lang, rnd)
            elif copies == "salted":
                text = salted(SCRIPT[lang], rnd)
            else:
                text = WORDINGS[i % int(copies)]
            rows.append(post(f"{name}-{day}-{i}", f"{name}_{i}",
                             start + timedelta(days=day, seconds=i % 40), text))
    return rows


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", ""))


def run(name: str, base: list[Row], truth: dict[str, Any], work: Path) -> dict[str, Any]:
    """Add one scenario's floods to the stream, detect, and count what was found."""
    twitter = [r for r in base if r["platform"] == "twitter"]
    middle = _at(twitter[len(twitter) // 3]["created_at"])
    added = flood_rows(name, middle)
    result, seconds = detect_with(name, base + added, work)
    flood = {r["author_id"] for r in added}
    holding = [c for c in result.campaigns
               if flood & {a["account_id"] for a in c["accounts"]}]
    others = {a["account_id"] for c in holding for a in c["accounts"]} - flood
    score = evaluate(truth, [a for a in result.accounts if a["account_id"] not in flood])
    # A surge of the first flood: starting within a minute of it, half its accounts.
    surge = any(s["first"] and abs(_at(s["first"]) - middle) <= timedelta(minutes=1)
                and s["accounts"] >= len(flood) // 2 for s in result.surges)
    return {"scenario": name, "accounts": len(flood),
            "flagged": len(flood & {a["account_id"] for a in result.accounts}),
            "campaigns": len(holding), "others_in_them": len(others), "surge": surge,
            "planted_precision": score["precision"], "planted_recall": score["recall"],
            "detect_s": round(seconds, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "floods.json")
    args = ap.parse_args()
    console = Console(width=max(Console().width, 120))
    with tempfile.TemporaryDirectory(prefix="undertow-floods-") as tmp:
        base, truth = base_stream(args.posts, args.seed, Path(tmp))
        rows = [run(name, base, truth, Path(tmp)) for name in SCENARIOS]
    report(console, args.out,
           f"Floods of one script added to a simulated stream of {args.posts:,} posts "
           f"(seed {args.seed})",
           ("scenario", "accounts", "flagged", "campaigns", "others in them", "surge",
            "planted P", "planted R", "detect s"),
           [[r["scenario"], str(r["accounts"]), str(r["flagged"]), str(r["campaigns"]),
             str(r["others_in_them"]), "yes" if r["surge"] else "no",
             f"{r['planted_precision']:.3f}", f"{r['planted_recall']:.3f}",
             str(r["detect_s"])] for r in rows],
           {"posts": args.posts, "seed": args.seed, "scenarios": rows})

if __name__ == "__main__":
    main()
