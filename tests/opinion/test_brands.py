"""Brand aliases across scripts: whole words for Latin, substrings for CJK, NFKC and case."""

from __future__ import annotations

import doctest

import pyarrow as pa
import pytest

from undertow.opinion import brands
from undertow.opinion.brands import mentions, parse_brand

XIAOMI = parse_brand("Xiaomi=小米,Redmi,SU7")
APPLE = parse_brand("Apple=苹果,iPhone")


def test_doctests() -> None:
    assert doctest.testmod(brands).failed == 0


@pytest.mark.parametrize(("text", "xiaomi", "apple"), [
    ("小米15的影像没得说", True, False),
    ("Xiaomi 14 Ultra or iPhone 15?", True, True),
    ("REDMI Note 13 arrived", True, False),
    ("用Apple的手机", False, True),
    ("苹果手机太贵", False, True),
    ("apple pie recipe", False, True),
    ("pineapple juice", False, False),
    ("iPhone16 到手", False, True),
    ("ＩＰＨＯＮＥ and ｘｉａｏｍｉ", True, True),
    ("小米SU7 Ultra", True, False),
    ("my new iPhones", False, True),
    ("2apple", False, False),
    ("Mi band", False, False),
])
def test_alias_matching_across_scripts(text: str, xiaomi: bool, apple: bool) -> None:
    assert mentions([text], XIAOMI).tolist() == [xiaomi]
    assert mentions([text], APPLE).tolist() == [apple]


def test_arrow_column_with_nulls() -> None:
    col = pa.chunked_array([pa.array(["小米", None]), pa.array(["iphone"])])
    assert mentions(col, XIAOMI).tolist() == [True, False, False]
    assert mentions(pa.array([], pa.string()), XIAOMI).tolist() == []


@pytest.mark.parametrize("spec", ["", "=a", "Name=", "Name=a,,b", " =x"])
def test_bad_specs(spec: str) -> None:
    with pytest.raises(ValueError, match="NAME=alias"):
        parse_brand(spec)


def test_name_is_an_alias_and_duplicates_fold() -> None:
    assert parse_brand("Apple=apple,APPLE,iPhone").aliases == ("Apple", "iPhone")
    assert parse_brand("Apple").aliases == ("Apple",)


@pytest.mark.parametrize(("text", "mentioned"), [
    ("早上一碗小米粥", False),  # millet porridge
    ("小米椒炒肉", False),  # bird's-eye chilli
    ("喝着小米粥刷小米手机", True),  # the phone is still there
    ("Apple pie, apple pie and APPLE PIES", False),
    ("apple pie, then the Apple event", True),
    ("Apple piecemeal updates", True),  # an exception is a whole phrase too
])
def test_exceptions_keep_food_out(text: str, mentioned: bool) -> None:
    brand = parse_brand("Xiaomi=小米,Apple,-小米粥,-小米椒,-apple pie")
    assert brand.aliases == ("Xiaomi", "小米", "Apple")
    assert brand.exceptions == ("小米粥", "小米椒", "apple pie")
    assert mentions([text], brand).tolist() == [mentioned]


def test_an_exception_needs_a_phrase() -> None:
    with pytest.raises(ValueError, match="no phrase after it"):
        parse_brand("Xiaomi=小米,-")
