"""Sentiment, accurate tier: the shipped model on texts it never saw, the CLI, no network."""

from __future__ import annotations

import doctest
import json
import socket
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from undertow.cli import main
from undertow.opinion import accurate, encoder, sentiment, zh_model
from undertow.opinion.accurate import AccurateAnalyzer, AccurateModel
from undertow.opinion.encoder import E5Encoder

# Written for these tests; none of them is in seeds.yaml (checked below).
CLEAR = {
    "en": (["Honestly the best headphones I have ever owned, sound is superb",
            "Big thank you to the hotel staff, we had a wonderful stay"],
           ["The app crashes every time I open it, absolutely useless",
            "Three weeks waiting for my refund, worst company ever"]),
    "de": (["Wirklich großartiger Kundenservice, vielen herzlichen Dank!",
            "Die Kamera macht wunderschöne Fotos, ich bin sehr zufrieden"],
           ["Der Zug ist ausgefallen und niemand hat uns informiert, unverschämt",
            "Das Gerät ist nach zwei Tagen kaputt gegangen, totaler Mist"]),
    "zh": (["这款耳机音质太棒了，非常喜欢", "酒店服务很贴心，下次还会再来"],
           ["用了一周就坏了，质量太差", "客服一直不回复，非常生气"]),
}
NEUTRAL_EN = ["The store opens at nine on Saturdays", "The meeting was moved to Thursday"]


@pytest.fixture(scope="module")
def analyzer(small_zh: zh_model.ZhModel) -> AccurateAnalyzer:
    return AccurateAnalyzer(zh_model=small_zh, threads=1)


def test_examples_are_not_training_texts() -> None:
    seen = {t for texts, _ in accurate.seeds().values() for t in texts}
    for good, bad in CLEAR.values():
        assert not seen & set(good + bad)
    assert not seen & set(NEUTRAL_EN)


@pytest.mark.parametrize("lang", ["en", "de", "zh"])
def test_label_direction(analyzer: AccurateAnalyzer, lang: str) -> None:
    good, bad = CLEAR[lang]
    res = analyzer.analyze(good + bad, [lang] * 4)
    assert [r.label for r in res] == ["positive"] * 2 + ["negative"] * 2
    assert all(r.score is not None and -1 <= r.score <= 1 for r in res)
    assert min(r.score for r in res[:2]) > 0 > max(r.score for r in res[2:])  # type: ignore[type-var]


def test_plain_statements_are_neutral(analyzer: AccurateAnalyzer) -> None:
    res = analyzer.analyze(NEUTRAL_EN, ["en", "en"])
    assert [r.label for r in res] == ["neutral", "neutral"]
    assert all(abs(r.score) < 0.5 for r in res)  # type: ignore[arg-type]


def test_same_shape_as_fast_tier(analyzer: AccurateAnalyzer) -> None:
    res = analyzer.analyze(["The screen is awful and the battery dies by noon",
                            "Ce téléphone est vraiment génial", ""])
    assert res[0].lang == "en" and res[0].label == "negative"
    assert res[0].aspects == ["battery", "screen"]
    assert (res[1].lang, res[1].label, res[1].score) == ("fr", None, None)
    assert res[2].to_dict() == {"lang": None, "label": None, "score": None, "aspects": []}


def test_encoder_vectors() -> None:
    enc = E5Encoder(threads=1)
    v = enc.encode(["Great phone", "", "Tolles Handy " * 400])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert enc.encode([]).shape == (0, 384)
    same = enc.encode(["Great phone", "Tolles Handy " * 400])
    assert np.allclose(same[1], v[2], atol=1e-5)  # cut at MAX_CHARS, deterministically


def test_model_file_round_trip(tmp_path: Path) -> None:
    shipped = accurate.shipped_model()
    assert set(shipped.heads) == {"en", "de", "zh"}
    assert set(shipped.stackers) == set(accurate.STACKED)
    assert shipped.encoder == E5Encoder.name
    # seeds.yaml or the recipe changed without `python -m undertow.opinion.accurate`?
    assert shipped.fingerprint == accurate.fingerprint()
    shipped.save(tmp_path / "m.npz")
    again = AccurateModel.load(tmp_path / "m.npz")
    x = np.random.default_rng(0).normal(size=(5, 384)).astype(np.float32)
    fast = np.linspace(-1, 1, 5)
    for lang in ("en", "de", "zh"):
        p = again.proba(lang, x, fast)
        assert np.allclose(p, shipped.proba(lang, x, fast), atol=1e-6)
        assert np.allclose(p.sum(axis=1), 1.0)


def test_other_encoder_is_refused() -> None:
    class Other:
        name = "something-else"

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts), 384), dtype=np.float32)

    with pytest.raises(ValueError, match="trained on"):
        AccurateAnalyzer(encoder=Other())


def test_training_data_exclusion() -> None:
    full = accurate.training_data()
    reviews, _ = accurate.review_sample()
    cut = accurate.training_data(exclude=["  " + reviews[0] + "！", reviews[1]])
    assert len(cut["zh"][0]) <= len(full["zh"][0]) - 2
    assert reviews[0] not in cut["zh"][0] and reviews[1] not in cut["zh"][0]
    assert cut["en"] == full["en"] and cut["de"] == full["de"]
    # seeds and news are never excluded, even when asked
    seed = full["zh"][0][0]
    assert seed in accurate.training_data(exclude=[seed])["zh"][0]
    assert set(full["zh"][1]) == {"negative", "neutral", "positive"}


def test_caching_encoder(tmp_path: Path) -> None:
    calls: list[int] = []

    class Counting:
        name = "counting"

        def encode(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return np.ones((len(texts), 4), dtype=np.float32)

    cached = accurate.CachingEncoder(Counting(), tmp_path)
    first = cached.encode(["a", "b"])
    again = cached.encode(["a", "b"])
    cached.encode(["b", "a"])
    assert calls == [2, 2] and (first == again).all()
    assert len(list(tmp_path.glob("counting-*.npy"))) == 2


def test_module_analyze_tiers(default_zh: zh_model.ZhModel) -> None:
    text = ["Absolutely love the new update, everything is faster"]
    assert sentiment.analyze(text, ["en"], tier="accurate")[0].label == "positive"
    assert sentiment.analyzer_for("accurate") is sentiment.analyzer_for("accurate")
    with pytest.raises(ValueError, match="tier"):
        sentiment.analyze(text, ["en"], tier="slow")


def test_cli_accurate_tier(default_zh: zh_model.ZhModel) -> None:
    lines = ['{"text": "Der Service war hervorragend, danke!", "lang": "de"}',
             "The battery died after a day, really disappointed",
             "",
             "屏幕很清晰，运行也流畅，非常满意"]
    result = CliRunner().invoke(main, ["sentiment", "--tier", "accurate", "-"],
                                input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["lang"] for o in out] == ["de", "en", None, "zh"]
    assert [o["label"] for o in out] == ["positive", "negative", None, "positive"]
    assert out[1]["aspects"] == ["battery"] and out[3]["aspects"] == ["screen", "performance"]
    bad = CliRunner().invoke(main, ["sentiment", "--tier", "slow"], input="x\n")
    assert bad.exit_code == 2


def test_no_network(small_zh: zh_model.ZhModel, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    accurate.shipped_model.cache_clear()
    res = AccurateAnalyzer(zh_model=small_zh, encoder=E5Encoder(threads=1)).analyze(
        ["I love it", "很好", "Super, danke"], ["en", "zh", "de"])
    assert [r.label for r in res] == ["positive"] * 3


def test_doctests() -> None:
    for module in (accurate, encoder):
        assert doctest.testmod(module).failed == 0, module.__name__
