"""Aspects: the shipped taxonomy in zh/en/de, matching rules, user extension."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from undertow.cli import main
from undertow.opinion import aspects
from undertow.opinion.aspects import (
    AspectMatcher,
    default_taxonomy,
    find_aspects,
    find_aspects_batch,
    load_taxonomy,
)

ALL = ["battery", "screen", "camera", "performance", "heat", "price", "design", "software",
       "safety", "driving_assistance", "delivery", "service"]


def test_doctests() -> None:
    assert doctest.testmod(aspects).failed == 0


def test_taxonomy_has_every_aspect_in_three_languages() -> None:
    tax = default_taxonomy()
    assert list(tax) == ALL
    for by_lang in tax.values():
        assert {"zh", "en", "de"} <= set(by_lang)


@pytest.mark.parametrize(("text", "lang", "want"), [
    ("这手机续航太差，发烫严重，拍照还行", "zh", ["battery", "camera", "heat"]),
    ("智驾很好用，但是刹车偏软，售后态度差", "zh", ["safety", "driving_assistance", "service"]),
    ("物流很快，性价比高，系统不卡顿", "zh", ["performance", "price", "software", "delivery"]),
    ("The battery dies fast and the screens are dim", "en", ["battery", "screen", "performance"]),
    ("Autopilot nearly hit a truck, customer service ignored me", "en",
     ["driving_assistance", "service"]),
    ("Phone keeps overheating, camera is blurry", "en", ["camera", "heat"]),
    ("Die Akkulaufzeit ist mies und das Display zu dunkel", "de", ["battery", "screen"]),
    ("Lieferung kam spät, der Kundendienst war unfreundlich", "de", ["delivery", "service"]),
    ("Der Fahrassistent piepst ständig, der Preis ist zu hoch", "de",
     ["price", "driving_assistance"]),
])
def test_finds_aspects(text: str, lang: str, want: list[str]) -> None:
    assert find_aspects(text, lang) == sorted(want, key=ALL.index)


@pytest.mark.parametrize("text", [
    "Hey, Apple fans! Get a peek at the pop-up store",
    "Big fan of the new keynote, not a fan of the queue",
    "I was looking for a new phone and will look at the reviews first",
    "Questions about what's inside the iPad 2? Fire them my way. Arcade Fire tonight",
    "I accidentally deleted it",
    "Mobile is the hot topic this year, get it while it's hot",
    "It's not a big deal, and a great deal of people agree",
    "Sold as a package deal with the case",
])
def test_everyday_idioms_are_no_aspect(text: str) -> None:
    assert find_aspects(text, "en") == []


@pytest.mark.parametrize(("text", "want"), [
    ("The fan is loud and it gets hot when gaming", ["heat"]),
    ("It does tend to run quite hot", ["heat"]),
    ("The fans are not audible", ["heat"]),
    ("Finest looking player I've seen", ["design"]),
    ("The battery caught fire in the garage", ["battery", "safety"]),
    ("Two accidents in a week with this car", ["safety"]),
    ("Got a good deal on it", ["price"]),
    ("The package arrived crushed", ["delivery"]),
])
def test_ambiguous_words_count_in_their_product_sense(text: str, want: list[str]) -> None:
    assert find_aspects(text, "en") == want


def test_an_exception_leaves_other_mentions_of_the_aspect() -> None:
    assert find_aspects("Looking for a case, because the looks matter", "en") == ["design"]
    assert find_aspects("Apple fans queue for hours; the fan noise is awful", "en") == ["heat"]


def test_user_exceptions_and_their_limits(tmp_path: Path) -> None:
    path = tmp_path / "noise.yaml"
    path.write_text("noise:\n  en: [noise, -noise cancelling]\n", encoding="utf-8")
    m = AspectMatcher(load_taxonomy(path, replace=True))
    assert m.find("Great noise cancelling", "en") == []
    assert m.find("Great noise cancelling, but the hiss noise is awful", "en") == ["noise"]
    bad = tmp_path / "zh.yaml"
    bad.write_text("heat:\n  zh: [热, -热门]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not zh"):
        load_taxonomy(bad)


def test_matching_rules() -> None:
    # zh: a one-character keyword must be a whole word; longer ones need a word edge.
    assert "performance" not in find_aspects("卡片很好看", "zh")
    assert "performance" in find_aspects("玩游戏有点卡", "zh")
    # en: whole words only; plural allowed.
    assert find_aspects("Screensaver ads everywhere", "en") == []
    assert find_aspects("two SCREENS", "en") == ["screen"]
    # de: compound prefix yes, compound tail no; "$" keywords whole word only.
    assert find_aspects("Handyakku", "de") == []
    assert find_aspects("Apple baut Handys", "de") == []
    assert find_aspects("Die App stürzt ab", "de") == ["software"]
    # unknown language: every language's keywords.
    assert find_aspects("Akku leer, 屏幕碎了, price too high", None) == [
        "battery", "screen", "price"]


def test_batch_keeps_order_and_checks_lengths() -> None:
    texts = ["屏幕很亮", "Lieferung kam zu spät", "nothing here", "cheap"]
    assert find_aspects_batch(texts, ["zh", "de", "en", "en"]) == [
        ["screen"], ["delivery"], [], ["price"]]
    with pytest.raises(ValueError):
        find_aspects_batch(texts, ["zh"])


def test_user_taxonomy_yaml_extends(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("noise:\n  en: [noisy, fan noise]\n  zh: [噪音]\n"
                    "battery:\n  en: [juice]\n", encoding="utf-8")
    tax = load_taxonomy(path)
    assert list(tax)[-1] == "noise" and "juice" in tax["battery"]["en"]
    assert "battery" in tax["battery"]["en"]  # shipped keywords kept
    m = AspectMatcher(tax)
    assert m.find("Out of juice by noon and so noisy", "en") == ["battery", "noise"]
    assert m.find("噪音很大", "zh") == ["noise"]
    assert "juice" not in default_taxonomy()["battery"]["en"]  # shipped copy untouched


def test_user_taxonomy_json_replace_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "only.json"
    path.write_text(json.dumps({"smell": {"de": ["Geruch"]}}), encoding="utf-8")
    tax = load_taxonomy(path, replace=True)
    assert list(tax) == ["smell"]
    assert find_aspects("Geruchsbelästigung im Zug, Akku leer", "de", taxonomy=tax) == ["smell"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_taxonomy(bad)


@pytest.mark.parametrize(("text", "lang", "want"), [
    # Han keywords wherever there is Han; Latin-script words of a zh post with en keywords.
    ("The 电池 of my new phone dies by noon", "en", ["battery"]),
    ("Screen is fine but 小米的battery is weak", "en", ["battery", "screen"]),
    ("Der Akku vom 小米 ist mies, 屏幕也不行", "de", ["battery", "screen"]),
    ("小米的battery太差了，屏幕还行", "zh", ["battery", "screen"]),
    ("小米SU7的camera很糊", "zh", ["camera"]),
])
def test_keywords_of_each_script_in_mixed_posts(text: str, lang: str, want: list[str]) -> None:
    assert find_aspects(text, lang) == want


def test_sentiment_cli_on_posts_with_a_brand_or_kaomoji_in_another_script(
        default_zh: Any) -> None:
    lines = ["The battery on my new 小米 is amazing, I love it",
             "Love my 小米 phone, the camera is great",
             "Great phone, I love the camera (ノ◕ヮ◕)ノ",
             "小米SU7的续航太差了 Xiaomi",
             "屏幕很亮，但是battery不行"]
    result = CliRunner().invoke(main, ["sentiment", "-"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [(o["lang"], o["label"], o["aspects"]) for o in out[:3]] == [
        ("en", "positive", ["battery"]), ("en", "positive", ["camera"]),
        ("en", "positive", ["camera"])]
    assert [(o["lang"], o["aspects"]) for o in out[3:]] == [
        ("zh", ["battery"]), ("zh", ["battery", "screen"])]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.yaml", b"x: [a\n", r"broken\.yaml: not valid YAML \(expected ',' or ']'"),
    ("unhashable.yaml", b"? [a, b]\n: 1\n", r"not valid YAML \(found unhashable key"),
    ("tagged.yaml", b'x: !!python/object/apply:os.system ["true"]\n',
     r"not valid YAML \(could not determine a constructor"),
    ("broken.json", b'{"x": \n', r"broken\.json: not valid JSON"),
    ("latin.yaml", "akku: {de: [Ladegerät]}\n".encode("latin-1"), r"not UTF-8 text")])
def test_a_taxonomy_file_that_cannot_be_read_is_refused_naming_it(tmp_path, name, content,
                                                                  message):
    """These ended in a traceback (or in an error naming no file); a tag that would run
    code is refused as any other YAML error."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_taxonomy(path)


def test_an_aspect_may_not_take_the_name_of_all_posts(tmp_path):
    """``opinion`` keeps a brand's row of all posts under "all": an aspect of that name
    replaced it, and the lead or trail read on it was the aspect's."""
    path = tmp_path / "all.yaml"
    path.write_text("all: {en: [love]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'all' names the row of all of a brand's posts"):
        load_taxonomy(path)


@pytest.mark.parametrize(("text", "found"), [
    ("Das hängt davon ab, wie man es nutzt", []),
    ("Es hängt vom Tarif ab", ["price"]),
    ("Der Preis hängt mit dem Speicher zusammen", ["price"]),
    ("Das Handy hängt ständig", ["performance"]),
    ("Die App hängt seit dem Update", ["performance", "software"])])
def test_german_it_depends_is_no_phone_that_freezes(text, found):
    """``hängt`` is a phone that freezes, but ``hängt davon ab`` (it depends) is said of
    anything: it made a post about performance of every "it depends"."""
    assert find_aspects(text, "de") == found
