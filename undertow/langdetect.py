"""Language identification for posts that arrive without a language.

Scripts that name their language (Han without kana → ``zh``, kana → ``ja``,
Hangul → ``ko``) are decided directly; everything else goes to py3langid
restricted to the languages Undertow is used on. Its model ships inside the
PyPI package (nothing is downloaded). Measured on 3,000 TweetEval and 3,000
GermEval texts it was right on 97.7% / 99.2% at 40k / 10k texts/s on one
core, against lingua's low-accuracy mode at 94.0% / 99.1% and 10k / 3k texts/s.

Example:
    >>> detect_languages(["这个手机的续航真不错", "Der Akku hält nicht lange", "ok"])
    ['zh', 'de', None]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#＃]\S+|\d+")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LETTERS = re.compile(r"[^\W\d_]")

#: Languages the detector chooses among (ISO 639-1).
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "pl", "ru", "uk", "tr", "ar", "id")


#: Characters of a text the detector looks at (the start of a post says enough).
SAMPLE = 300


@lru_cache(maxsize=1)
def _detector() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def _by_script(text: str) -> str | None:
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):
        return "zh"
    return None


def detect_languages(texts: Sequence[str]) -> list[str | None]:
    """ISO 639-1 code per text, ``None`` where there are too few letters to tell."""
    out: list[str | None] = [None] * len(texts)
    todo: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        clean = _NOISE.sub(" ", text or "")
        script = _by_script(clean)
        if script:
            out[i] = script
        elif len(_LETTERS.findall(clean, 0, SAMPLE)) >= 3:
            todo.setdefault(clean[:SAMPLE], []).append(i)
    if todo:
        classify = _detector().classify
        for clean, where in todo.items():
            code = classify(clean)[0]
            for i in where:
                out[i] = code
    return out
