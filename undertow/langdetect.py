"""Language identification for posts that arrive without a language.

Scripts that name their language (Han without kana → ``zh``, kana → ``ja``,
Hangul → ``ko``) are decided directly; everything else goes to lingua's
low-accuracy detector restricted to the languages Undertow is used on, which
ships its models inside the PyPI package (nothing is downloaded).

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


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        .with_low_accuracy_mode()
        .build()
    )


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
        elif len(_LETTERS.findall(clean)) >= 3:
            todo.setdefault(clean, []).append(i)
    if todo:
        uniques = list(todo)
        found = _detector().detect_languages_in_parallel_of(uniques)
        for clean, lang in zip(uniques, found, strict=True):
            if lang is not None:
                code = lang.iso_code_639_1.name.lower()
                for i in todo[clean]:
                    out[i] = code
    return out
