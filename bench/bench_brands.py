"""Brand against rival, checked against human labels: do the lead / trail verdicts hold?

``undertow opinion`` says where a brand *leads* or *trails* its rival: aspects whose difference
in net sentiment has a 95% interval wholly above or below zero
(:func:`undertow.opinion.compare.lead_trail`). Here the same posts, with the same brand
mentions and the same aspects (Undertow's taxonomy), are compared twice: once with the labels
people gave them and once with Undertow's sentiment. The verdicts of the first are the
reference; for Undertow's the benchmark counts those that agree, those that point the other
way (the error an analyst cannot afford), those people's labels do not support, and those it
misses.

Data (``../shared/data``, never trained on):

* ``sxsw``: CrowdFlower "Brands and Product Emotions", 9,092 tweets from SXSW 2013. Brands
  are found by alias in the text, as ``opinion`` does (Apple: Apple, iPhone, iPad, iPod, Mac,
  MacBook, iTunes; Google: Google, Android). The label is the emotion the annotators saw
  *directed at a brand or product*: positive, negative or none (neutral); "I can't tell" is
  left unlabelled.
* ``liu``: Hu & Liu's Amazon review sentences, in pairs of products of one kind (cameras,
  phones, music players, routers). A sentence belongs to the product reviewed; its label is
  the sign of the polarities its annotators gave the features it rates (no rated feature:
  neutral).

Usage:
    python bench/bench_brands.py [--data ../shared/data] [--tier fast]
                                 [--out bench/results/brands.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from undertow.opinion.brands import Brand, mentions, normalized, parse_brand  # noqa: E402
from undertow.opinion.compare import Posts, compare_posts  # noqa: E402
from undertow.opinion.sentiment import analyzer_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SXSW_BRANDS = ("Apple=Apple,iPhone,iPad,iPod,Mac,MacBook,iTunes", "Google=Google,Android")
SXSW_LABELS = {"Positive emotion": 1, "Negative emotion": -1,
               "No emotion toward brand or product": 0}
#: Products of one kind reviewed in Hu & Liu's set, compared two by two.
LIU_PAIRS = (("Canon_G3", "Nikon_coolpix_4300"), ("Canon_S100", "Canon_PowerShot_SD500"),
             ("Nokia_6600", "Nokia_6610"),
             ("Creative_Labs_Nomad_Jukebox_Zen_Xtra_40GB", "ipod"),
             ("Linksys_Router", "Hitachi_router"))
CODES = {"positive": 1, "neutral": 0, "negative": -1}


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding) as f:
        return list(csv.DictReader(f))


def liu_polarity(cell: str) -> int:
    """Sign of the summed feature polarities of one Hu & Liu annotation.

    >>> liu_polarity("battery life:-1[u];size:+2"), liu_polarity(""), liu_polarity("a:+1;b:-1")
    (1, 0, 0)
    """
    total = sum(int(m) for m in re.findall(r":([+-]\d+)", cell))
    return (total > 0) - (total < 0)


def posts(texts: list[str], labels: np.ndarray, labelled: np.ndarray,
          aspects: list[list[str]], brand_masks: dict[str, np.ndarray]) -> Posts:
    """What :func:`compare_posts` reads, built from arrays instead of a workspace."""
    n = len(texts)
    return Posts(period=np.full(n, "all"), label=labels.astype(np.int8), labelled=labelled,
                 campaign=np.zeros(n, bool), author=np.arange(n).astype(object),
                 text=pa.array(texts, pa.string()),
                 aspect_parent=np.array([i for i, a in enumerate(aspects) for _ in a], np.int64),
                 aspect_name=np.array([x for a in aspects for x in a], dtype=object),
                 mentions=brand_masks, detection=False, campaign_accounts=0)


def verdicts(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Aspect -> its lead or trail row, over all accounts."""
    cohort = result["cohorts"]["all"]
    return {r["aspect"]: r for r in (*cohort["lead"], *cohort["trail"])}


def nets(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["brand"], r["aspect"]): r for r in result["cohorts"]["all"]["aspects"]}


def judge(gold: dict[str, dict[str, Any]], ours: dict[str, dict[str, Any]]) -> dict[str, int]:
    """How Undertow's verdicts stand against the ones people's labels give.

    >>> judge({"price": {"verdict": "lead"}, "camera": {"verdict": "trail"}},
    ...       {"price": {"verdict": "lead"}, "screen": {"verdict": "lead"}})
    {'reference': 2, 'undertow': 2, 'agree': 1, 'opposite': 0, 'unsupported': 1, 'missed': 1}
    """
    agree = sum(1 for a, r in ours.items() if a in gold and gold[a]["verdict"] == r["verdict"])
    opposite = sum(1 for a, r in ours.items() if a in gold and gold[a]["verdict"] != r["verdict"])
    return {"reference": len(gold), "undertow": len(ours), "agree": agree, "opposite": opposite,
            "unsupported": sum(1 for a in ours if a not in gold),
            "missed": sum(1 for a in gold if a not in ours)}


def compare_twice(name: str, texts: list[str], gold: np.ndarray, gold_labelled: np.ndarray,
                  brand: Brand, rival: Brand, masks: dict[str, np.ndarray],
                  analyzer: Any) -> dict[str, Any]:
    """One brand pair judged with people's labels and with Undertow's."""
    found = analyzer.analyze(texts, ["en"] * len(texts))
    ours = np.array([CODES.get(s.label or "", 0) for s in found])
    ours_labelled = np.array([s.label is not None for s in found]) & gold_labelled
    aspects = [s.aspects for s in found]
    by_gold = compare_posts(posts(texts, gold, gold_labelled, aspects, masks), brand, rival)
    by_ours = compare_posts(posts(texts, ours, ours_labelled, aspects, masks), brand, rival)
    g_rows, o_rows = nets(by_gold), nets(by_ours)
    rows = []
    for key, g in g_rows.items():
        o = o_rows[key]
        rows.append({"brand": key[0], "aspect": key[1], "labelled": g["labelled"],
                     "net_people": g["net"], "net_undertow": o["net"]})
    g_v, o_v = verdicts(by_gold), verdicts(by_ours)
    both = [(g_rows[k]["net"], o_rows[k]["net"]) for k in g_rows
            if g_rows[k]["labelled"] >= 20 and o_rows[k]["net"] is not None]
    corr = float(np.corrcoef(np.array(both).T)[0, 1]) if len(both) > 2 else None
    return {"pair": name, "brand": brand.name, "rival": rival.name,
            "posts_mentioning": {b: int(m.sum()) for b, m in masks.items()},
            "label_agreement": round(float((ours[ours_labelled] == gold[ours_labelled]).mean()),
                                     3),
            "net_correlation_cells_ge_20": None if corr is None else round(corr, 3),
            "cells": rows,
            "verdicts_people": {a: {"verdict": r["verdict"], "difference": r["difference"]}
                                for a, r in g_v.items()},
            "verdicts_undertow": {a: {"verdict": r["verdict"], "difference": r["difference"]}
                                  for a, r in o_v.items()},
            "judged": judge(g_v, o_v)}


def bench_sxsw(data: Path, analyzer: Any) -> dict[str, Any]:
    rows = [r for r in read_csv(data / "en_brand_tweets_sentiment"
                                / "judge-1377884607_tweet_product_company.csv", "latin-1")
            if r["tweet_text"]]
    texts = [r["tweet_text"] for r in rows]
    key = "is_there_an_emotion_directed_at_a_brand_or_product"
    gold = np.array([SXSW_LABELS.get(r[key], 0) for r in rows])
    labelled = np.array([r[key] in SXSW_LABELS for r in rows])
    brand, rival = (parse_brand(s) for s in SXSW_BRANDS)
    norm = normalized(texts)
    masks = {b.name: mentions(norm, b, prenormalized=True) for b in (brand, rival)}
    return compare_twice("sxsw", texts, gold, labelled, brand, rival, masks, analyzer)


def bench_liu(data: Path, analyzer: Any) -> list[dict[str, Any]]:
    rows = read_csv(data / "en_product_reviews_absa_liu" / "liu_product_reviews_sentences.csv")
    out = []
    for a, b in LIU_PAIRS:
        mine = [r for r in rows if r["product"] in (a, b)]
        texts = [r["sentence"] for r in mine]
        gold = np.array([liu_polarity(r["aspects"]) for r in mine])
        masks = {p: np.array([r["product"] == p for r in mine]) for p in (a, b)}
        out.append(compare_twice(f"{a} / {b}", texts, gold, np.ones(len(mine), bool),
                                 Brand(a, (a,)), Brand(b, (b,)), masks, analyzer))
    return out


def _verdict_text(v: dict[str, dict[str, Any]]) -> str:
    return ", ".join(f"{a} {r['verdict']} {r['difference']:+.2f}" for a, r in sorted(v.items())
                     ) or "–"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--tier", default="fast", choices=("fast", "accurate"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "brands.json")
    args = ap.parse_args()
    console = Console()
    analyzer = analyzer_for(args.tier)
    started = time.perf_counter()
    pairs = [bench_sxsw(args.data, analyzer), *bench_liu(args.data, analyzer)]
    seconds = round(time.perf_counter() - started, 1)
    t = Table(title=f"Lead / trail verdicts: people's labels against Undertow's ({args.tier} "
                    "tier), same posts and aspects")
    for col in ("pair", "label agreement", "net r (cells ≥ 20)", "people", "Undertow",
                "agree", "opposite", "unsupported", "missed"):
        t.add_column(col)
    total = dict.fromkeys(("reference", "undertow", "agree", "opposite", "unsupported",
                           "missed"), 0)
    for p in pairs:
        j = p["judged"]
        for k in total:
            total[k] += j[k]
        r = p["net_correlation_cells_ge_20"]
        t.add_row(p["pair"], f"{p['label_agreement']:.3f}", "–" if r is None else f"{r:.2f}",
                  _verdict_text(p["verdicts_people"]), _verdict_text(p["verdicts_undertow"]),
                  str(j["agree"]), str(j["opposite"]), str(j["unsupported"]), str(j["missed"]))
    t.add_row("all pairs", "", "", str(total["reference"]), str(total["undertow"]),
              str(total["agree"]), str(total["opposite"]), str(total["unsupported"]),
              str(total["missed"]))
    console.print(t)
    console.print(f"{args.tier} tier, {seconds} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"tier": args.tier, "seconds": seconds, "total": total,
                                    "pairs": pairs}, ensure_ascii=False, indent=2),
                        encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
