"""Adapted sentiment models: trained on labelled posts of one domain, saved, used everywhere."""

from __future__ import annotations

import csv
import doctest
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests.conftest import shared
from undertow import Workspace, ingest
from undertow.cli import main
from undertow.opinion import adapted, scored
from undertow.opinion.accurate import AccurateAnalyzer
from undertow.opinion.adapted import AdaptedModel, read_labelled, train
from undertow.opinion.encoder import E5Encoder
from undertow.opinion.sentiment import SentimentAnalyzer

CITIES = ["Lyon", "Graz", "Köln", "Bern", "Kassel", "Ulm", "Brno", "Gent", "Turin", "Linz",
          "Essen", "Basel", "Mainz", "Lille", "Porto", "Krakau", "Bonn", "Kiel", "Pisa", "Riga"]


def domain(cities: list[str], seed: int) -> tuple[list[str], list[str]]:
    """Posts a railway's analysts labelled: accident news from elsewhere is neutral towards
    the railway (a lexicon calls it negative), delays are negative, thanks are positive."""
    rng = random.Random(seed)
    texts, labels = [], []
    for city in cities:
        n = rng.randint(2, 60)
        texts += [f"Schwerer Unfall in {city}: Bus verunglückt, {n} Verletzte",
                  f"Zug nach {city} wieder {n} Minuten Verspätung, nervig",
                  f"Danke an die Zugbegleiterin nach {city}, sehr freundlich"]
        labels += ["neutral", "negative", "positive"]
    return texts, labels


@pytest.fixture(scope="module")
def bahn() -> tuple[AdaptedModel, adapted.TrainReport]:
    texts, labels = domain(CITIES[:15], 0)
    return train(texts, labels, "de")


def test_doctests() -> None:
    assert doctest.testmod(adapted).failed == 0


def test_learns_what_the_domain_calls_neutral(bahn: tuple[AdaptedModel, adapted.TrainReport]
                                               ) -> None:
    model, report = bahn
    texts, labels = domain(CITIES[15:], 1)
    shipped = SentimentAnalyzer().analyze(texts, ["de"] * len(texts))
    assert [s.label for s in shipped[::3]] == ["negative"] * 5  # the lexicon's reading
    ours = SentimentAnalyzer(models=[model]).analyze(texts, ["de"] * len(texts))
    assert [s.label for s in ours] == labels
    assert all(-1 <= (s.score or 0) <= 1 for s in ours)
    assert report.n_texts == 45 and report.classes == {"negative": 15, "neutral": 15,
                                                       "positive": 15}
    assert report.cv_accuracy == 1.0 and report.shipped_accuracy is not None
    assert report.shipped_accuracy < 0.8 and report.majority_accuracy == pytest.approx(1 / 3,
                                                                                       abs=1e-3)


def test_other_languages_keep_the_shipped_scorer(bahn: tuple[AdaptedModel, adapted.TrainReport]
                                                 ) -> None:
    model, _ = bahn
    texts = ["I hate this phone, awful battery", "Schwerer Unfall in Ulm: Bus verunglückt"]
    both = SentimentAnalyzer(models=[model]).analyze(texts, ["en", "de"])
    assert [s.label for s in both] == ["negative", "neutral"]
    assert both[0] == SentimentAnalyzer().analyze(texts[:1], ["en"])[0]


def test_a_new_language(tmp_path: Path) -> None:
    texts = [f"{w} {i}" for i in range(8) for w in ("train en retard encore", "merci beaucoup")]
    labels = ["negative", "positive"] * 8
    model, report = train(texts, labels, "fr-CA")
    assert model.lang == report.lang == "fr" and report.shipped_accuracy is None
    out = SentimentAnalyzer(models=[model]).analyze(["encore en retard", "merci"], ["fr", "fr"])
    assert [(s.lang, s.label) for s in out] == [("fr", "negative"), ("fr", "positive")]
    assert SentimentAnalyzer().analyze(["merci"], ["fr"])[0].label is None


def test_file_round_trip_and_refusals(bahn: tuple[AdaptedModel, adapted.TrainReport],
                                      tmp_path: Path) -> None:
    model, report = bahn
    path = model.save(tmp_path / "bahn.npz")
    again = AdaptedModel.load(path)
    texts, _ = domain(CITIES[15:], 2)
    assert np.allclose(again.proba(texts), model.proba(texts))
    assert again.identity == model.identity and again.report == report.to_dict()
    with pytest.raises(ValueError, match="not a sentiment model"):
        np.savez(tmp_path / "other.npz", weights=np.zeros(3))
        AdaptedModel.load(tmp_path / "other.npz")
    meta = json.loads(str(np.load(path)["meta"]))
    arrays = {k: np.load(path)[k] for k in ("columns", "idf", "coef", "intercept")}
    np.savez(tmp_path / "old.npz", meta=np.array(json.dumps({**meta, "recipe": "v0"})),
             **arrays)
    with pytest.raises(ValueError, match="another version"):
        AdaptedModel.load(tmp_path / "old.npz")
    for damage in ({"coef": arrays["coef"][:, :-1]}, {"idf": arrays["idf"][:-1]},
                   {"columns": arrays["columns"] + 2**21}):
        np.savez(tmp_path / "bad.npz", meta=np.array(json.dumps(meta)), **{**arrays, **damage})
        with pytest.raises(ValueError, match="damaged"):
            AdaptedModel.load(tmp_path / "bad.npz")
    np.savez(tmp_path / "bad.npz", meta=np.array(json.dumps({**meta, "classes": ["meh"]})),
             **arrays)
    with pytest.raises(ValueError, match="damaged"):
        AdaptedModel.load(tmp_path / "bad.npz")
    # Each of these passed the checks, then ended in a traceback, or (weights of nan)
    # labelled every text negative with no score.
    for given, damage, why in (
            ({"n_train": float("inf")}, {}, "cannot convert float infinity"),
            ({}, {"columns": arrays["columns"].astype(float)}, "columns of type float64"),
            ({}, {"idf": np.array(["x"] * len(arrays["idf"]))}, "idf must be finite numbers"),
            ({}, {"coef": np.full(arrays["coef"].shape, np.nan, np.float32)},
             "coef must be finite numbers")):
        np.savez(tmp_path / "bad.npz", meta=np.array(json.dumps({**meta, **given})),
                 **{**arrays, **damage})
        with pytest.raises(ValueError, match=f"damaged sentiment model \\({why}"):
            AdaptedModel.load(tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="two adapted models"):
        SentimentAnalyzer(models=[model, again])


def test_needs_two_labels_and_known_labels() -> None:
    with pytest.raises(ValueError, match="two of"):
        train(["gut", "super"], ["positive", "positive"], "de")
    with pytest.raises(ValueError, match="'meh'"):
        train(["gut", "naja"], ["positive", "meh"], "de")


def test_read_labelled_quarantines_with_line_numbers(tmp_path: Path) -> None:
    jl = tmp_path / "l.jsonl"
    jl.write_text('{"text": "gut", "label": "positive"}\n{oops\n\n[1]\n'
                  '{"text": "", "label": "neutral"}\n{"text": "x", "label": "meh"}\n',
                  encoding="utf-8")
    texts, labels, bad = read_labelled(jl)
    assert (texts, labels) == (["gut"], ["positive"])
    assert [b["line"] for b in bad] == [2, 4, 5, 6]
    assert "not JSON" in bad[0]["reason"] and "meh" in bad[3]["reason"]
    table = tmp_path / "l.csv"  # saved by a spreadsheet: a byte-order mark first
    with table.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows([["text", "polarity"], ["Zug pünktlich", "positive"],
                                 ["Zug, \"spät\"\nwieder", "NEGATIVE"], ["ok", ""]])
    texts, labels, bad = read_labelled(table, label_column="polarity")
    assert labels == ["positive", "negative"] and texts[1] == 'Zug, "spät"\nwieder'
    assert bad == [{"line": 5, "reason": "no 'polarity'"}]
    with pytest.raises(ValueError, match="no column label"):
        read_labelled(table)


def test_cli_train_then_sentiment(tmp_path: Path) -> None:
    texts, labels = domain(CITIES[:15], 0)
    labelled = tmp_path / "bahn.jsonl"
    labelled.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n"
                                for t, lab in zip(texts, labels, strict=True))
                        + '{"text": "kaputt"}\n', encoding="utf-8")
    model = tmp_path / "bahn.npz"
    runner = CliRunner()
    result = runner.invoke(main, ["train-sentiment", str(labelled), "--lang", "de",
                                  "--out", str(model)])
    assert result.exit_code == 0, result.output
    assert f"{labelled}:46: quarantined: no 'label'" in result.output
    assert "trained a fast-tier model on 45 de texts" in result.output
    assert "cross-validation: accuracy 1.000" in result.output
    result = runner.invoke(main, ["sentiment", "-", "--lang", "de", "--model", str(model)],
                           input="Schwerer Unfall in Ulm: Bus verunglückt, 3 Verletzte\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["label"] == "neutral"
    result = runner.invoke(main, ["sentiment", "-", "--model", str(labelled)], input="x\n")
    assert result.exit_code == 2 and "not a sentiment model" in result.output
    assert "pickle" not in result.output  # never advise loading an untrusted file unsafely


def test_cli_says_why_a_small_model_is_not_measured(tmp_path: Path) -> None:
    labelled = tmp_path / "few.csv"
    labelled.write_text("text,label\nGreat phone,positive\nGood battery,positive\n"
                        "Bad battery,negative\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["train-sentiment", str(labelled), "--lang", "en",
                                       "--out", str(tmp_path / "few.npz")])
    assert result.exit_code == 0, result.output
    assert ("5-fold cross-validation: not run, it needs 5 texts of each label (negative has "
            "1); this model is not measured, label more posts") in result.output


def _bahn_workspace(tmp_path: Path) -> Workspace:
    texts, _ = domain(CITIES, 3)
    t0 = datetime(2025, 3, 24)
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps({"id": f"p{i}", "user": f"u{i}", "text": t, "lang": "de",
                                         "created_at": (t0 + timedelta(minutes=i)).isoformat()
                                         + "Z"}) + "\n" for i, t in enumerate(texts)),
                     encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws")
    ingest(ws, [posts])
    return ws


def _labels(ws: Workspace) -> list[str]:
    return [r[0] for r in ws.con.execute(
        "SELECT label FROM post_sentiment ORDER BY post_id").fetchall()]


def test_workspace_rescored_when_the_scorer_changes(
        bahn: tuple[AdaptedModel, adapted.TrainReport], tmp_path: Path) -> None:
    model, _ = bahn
    ws = _bahn_workspace(tmp_path)
    assert scored.score_posts(ws) == 60 and scored.stored_scorer(ws) == "fast"
    shipped = _labels(ws)
    assert scored.score_posts(ws, SentimentAnalyzer(models=[model])) == 60
    assert scored.stored_scorer(ws) == f"fast+{model.identity}"
    assert len(_labels(ws)) == 60 and _labels(ws).count("negative") == 20
    assert shipped.count("negative") > 20

    class Broken(SentimentAnalyzer):
        def analyze(self, texts, langs=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("scorer died")

    with pytest.raises(RuntimeError):
        scored.score_posts(ws, Broken())  # another scorer: would replace every row
    assert scored.stored_scorer(ws) == f"fast+{model.identity}"
    assert _labels(ws).count("negative") == 20 and len(_labels(ws)) == 60
    assert scored.score_posts(ws, SentimentAnalyzer(models=[model])) == 0
    ws.close()


def test_cli_opinion_uses_the_model(bahn: tuple[AdaptedModel, adapted.TrainReport],
                                    tmp_path: Path) -> None:
    model, _ = bahn
    ws = _bahn_workspace(tmp_path)
    ws.close()
    path = model.save(tmp_path / "bahn.npz")
    args = ["opinion", "--brand", "Bahn=Zug,Zugbegleiterin", "--rival", "Bus=Bus",
            "--workspace", str(tmp_path / "ws"), "--json", "--out", str(tmp_path / "out")]
    runner = CliRunner()
    shipped = json.loads(runner.invoke(main, args).output)
    ours = json.loads(runner.invoke(main, [*args, "--model", str(path)]).output)
    # the accident news names only the rival: read as neutral, it is no longer its loss
    def rival_net(result: dict) -> float:  # type: ignore[type-arg]
        return next(r["net"] for r in result["cohorts"]["all"]["aspects"]
                    if r["brand"] == "Bus" and r["aspect"] == "all")

    assert rival_net(shipped) < -0.5 and rival_net(ours) == 0.0
    assert shipped["scorer"] == "fast" and ours["scorer"] == f"fast+{model.identity}"
    spikes = runner.invoke(main, ["spikes", "--workspace", str(tmp_path / "ws"), "--json",
                                  "--model", str(path)])
    assert json.loads(spikes.output)["scorer"] == f"fast+{model.identity}"


def test_germeval_adapted_on_dev_beats_the_shipped_scorer_on_test() -> None:
    """Trained on GermEval 2017's dev split only (no cross-validation), scored on its test
    split: above both the shipped lexicon and always-neutral."""
    with shared("de_germeval2017_db_absa/germeval2017_dev_test.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    dev = [r for r in rows if r["split"] == "dev"]
    test = [r for r in rows if r["split"] == "test"]
    model, _ = train([r["text"] for r in dev], [r["polarity"] for r in dev], "de", folds=0)
    truth = [r["polarity"] for r in test]
    texts = [r["text"] for r in test]
    ours = [s.label for s in SentimentAnalyzer(models=[model]).analyze(texts, ["de"] * len(test))]
    shipped = [s.label for s in SentimentAnalyzer().analyze(texts, ["de"] * len(test))]

    def accuracy(labels: list[str | None]) -> float:
        return float(np.mean([a == b for a, b in zip(labels, truth, strict=True)]))

    assert accuracy(ours) > 0.72
    assert accuracy(ours) > accuracy(["neutral"] * len(truth)) + 0.05
    assert accuracy(ours) > accuracy(shipped) + 0.05


def test_accurate_tier_model_reads_encoder_vectors(tmp_path: Path) -> None:
    texts, labels = domain(CITIES[:15], 0)
    model, report = train(texts, labels, "de", encoder=E5Encoder(threads=1))
    assert model.tier == report.tier == "accurate" and report.cv_accuracy == 1.0
    assert model.coef.shape == (3, len(model.columns) + 1 + 384)
    again = AdaptedModel.load(model.save(tmp_path / "e5.npz"))
    assert again.encoder == E5Encoder.name and again.identity == model.identity
    held_out, truth = domain(CITIES[15:], 1)
    analyzer = AccurateAnalyzer(models=[again], encoder=E5Encoder(threads=1))
    assert [s.label for s in analyzer.analyze(held_out, ["de"] * len(held_out))] == truth
    assert analyzer.identity == f"accurate+{model.identity}"
    with pytest.raises(ValueError, match="use it with the accurate tier"):
        model.proba(held_out)
    with pytest.raises(ValueError, match="accurate tier"):
        SentimentAnalyzer(models=[model])
    runner = CliRunner()
    result = runner.invoke(main, ["sentiment", "-", "--lang", "de", "--model",
                                  str(tmp_path / "e5.npz")], input="Zug verspätet\n")
    assert result.exit_code == 2 and "--tier accurate" in result.output
    result = runner.invoke(main, ["opinion", "--brand", "Bahn=Zug", "--rival", "Bus=Bus",
                                  "--workspace", str(tmp_path / "ws"),
                                  "--model", str(tmp_path / "e5.npz")])
    assert result.exit_code == 2 and "train-sentiment --tier fast" in result.output
    assert not (tmp_path / "ws").exists()  # refused before any workspace is touched
    result = runner.invoke(main, ["sentiment", "-", "--lang", "de", "--tier", "accurate",
                                  "--model", str(tmp_path / "e5.npz")],
                           input="Schwerer Unfall in Ulm: Bus verunglückt, 3 Verletzte\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["label"] == "neutral"
