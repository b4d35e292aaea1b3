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
