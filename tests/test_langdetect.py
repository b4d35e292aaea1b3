from datetime import UTC

import pyarrow as pa

from undertow.derive import derive_posts
from undertow.langdetect import detect_languages


def test_the_three_languages_of_the_field():
    texts = [
        "小米SU7的续航比宣传的差太多了",
        "The battery on my new iPhone dies before lunch, really disappointed",
        "Der Akku meines neuen Handys ist nach einem halben Tag leer",
        "https://t.co/x #tag @user 123",
    ]
    assert detect_languages(texts) == ["zh", "en", "de", None]


def test_latin_letters_never_get_a_language_of_another_script():
    """fastText alone calls "Great phone" Thai and shouting in capitals Persian."""
    texts = ["Great phone", "SATANIC TEMPLES STRIKES OUT TEXAS LAW ABORTION",
             "Батарея садится слишком быстро", "แบตเตอรี่หมดเร็วมาก"]
    assert detect_languages(texts) == ["en", "en", "ru", "th"]


MIXED = [
    # A Chinese brand or a kaomoji in an English or German post names no language.
    ("The battery on my new 小米 is amazing, I love it", "en"),
    ("Love my 小米 phone, the camera is great", "en"),
    ("Great phone, I love the camera (ノ◕ヮ◕)ノ", "en"),
    ("Der Akku von meinem 小米 hält ewig, bin begeistert", "de"),
    ("#Repost @someone ・・・ What a night with my friends, thank you all", "en"),
    # Chinese with an English brand, Japanese with kanji, Chinese with a kaomoji.
    ("小米SU7的续航太差了 Xiaomi", "zh"),
    ("这个iPhone的电池不行", "zh"),
    ("東京大学の研究", "ja"),
    ("このスマホの電池はすぐ切れる", "ja"),
    ("哈哈哈今天真开心，这个手机太好用了 ¯\\_(ツ)_/¯", "zh"),
    ("배터리가 정말 좋아요 Galaxy", "ko"),
]


def test_a_brand_or_kaomoji_in_another_script_does_not_name_the_language():
    assert detect_languages([t for t, _ in MIXED]) == [want for _, want in MIXED]


def test_ingest_detects_mixed_scripts_as_detect_languages_does():
    """The vectorised path ingest takes for posts without a language."""
    texts = [t for t, _ in MIXED] + ["小米 ok", "ok 小米 ok", "小米 is ok", "ノノノ hi",
                                     "・・・ hi"]
    n = len(texts)
    batch = pa.table({
        "author_id": ["a"] * n, "post_id": [str(i) for i in range(n)], "text": texts,
        "created_at": ["2025-01-01T00:00:00Z"] * n, "lang": pa.array([None] * n, pa.string()),
        "source_line": list(range(1, n + 1)), "raw": texts})
    got = derive_posts(batch, "generic", UTC)[0].column("lang").to_pylist()
    assert got[:len(MIXED)] == [want for _, want in MIXED]
    assert got == detect_languages(texts)
