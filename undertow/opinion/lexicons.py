"""Lexicon scorers for English (VADER) and German (SentiWS weights shipped in ``gersent``).

Both give a score in −1..1 per text (VADER's ``compound``; for German the same squashing,
``s / sqrt(s² + 1)`` of the summed word weights).

German rules
    Words are looked up case-folded in SentiWS (``gersent/wordlists/de``, inflected forms
    included, weights −1..1), overlaid with :data:`DE_FEEDBACK`, a short hand-written list of
    customer-feedback words SentiWS lacks ("Verspätung", "kaputt", "unpünktlich"…). A
    negator ("nicht", "kein", "nie"…) flips and damps (×0.7) the weights of the next three words
    before a punctuation mark.
    "!" adds 10 % to a non-zero sum.

Example:
    >>> de_score("Der Zug ist wieder zu spät, totale Katastrophe") < 0 < de_score("Super Service!")
    True
    >>> de_score("Das ist nicht gut") < 0
    True
    >>> en_score("I love this phone") > 0.5
    True
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat
from typing import Any

from undertow.opinion.corpora import package_file

#: Customer-feedback words missing from SentiWS, written by hand (not fitted to any data set).
DE_FEEDBACK: dict[str, float] = {
    "verspätung": -0.6, "verspätungen": -0.6, "verspätet": -0.6, "verspätete": -0.6,
    "verspäteten": -0.6, "unpünktlich": -0.6, "ausfall": -0.5, "ausgefallen": -0.5,
    "störung": -0.5, "störungen": -0.5, "kaputt": -0.6, "defekt": -0.6, "überfüllt": -0.5,
    "chaos": -0.6, "streik": -0.4, "wartezeit": -0.3, "mist": -0.6, "scheiße": -0.8,
    "scheisse": -0.8, "scheiss": -0.8, "nervt": -0.6, "nervig": -0.6, "ärgerlich": -0.6,
    "katastrophe": -0.8, "katastrophal": -0.8, "peinlich": -0.6, "enttäuscht": -0.6,
    "enttäuschend": -0.6, "abzocke": -0.8, "frechheit": -0.7, "pünktlich": 0.4,
    "danke": 0.4, "super": 0.6, "toll": 0.6, "tolle": 0.6, "toller": 0.6, "tolles": 0.6,
    "klasse": 0.5, "top": 0.5, "lob": 0.5, "schrott": -0.7, "mies": -0.6, "miserabel": -0.7,
    "unzuverlässig": -0.6, "zuverlässig": 0.4, "empfehlenswert": 0.6,
}
NEGATORS = frozenset({"nicht", "kein", "keine", "keinen", "keiner", "keinem", "keines",
                      "nie", "niemals", "nichts", "kaum", "ohne"})
_TOKEN = re.compile(r"\w+|[!.,;:?]")


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


#: Longest text VADER scores in one call. It looks back through the words with
#: ``list.index`` for every word, so its time grows with the square of the length (a
#: 98 kB text took 14 s, 196 kB 76 s); longer texts are scored a piece at a time.
PIECE_CHARS = 2_000
#: VADER's normalisation: ``compound = s / sqrt(s² + ALPHA)`` of the summed valences.
_VADER_ALPHA = 15.0
_SENTENCE_END = re.compile(r"(?<=[.!?。！？;\n])\s+")


def en_score(text: str) -> float:
    """VADER's compound score (−1..1). A text over :data:`PIECE_CHARS` characters is cut
    into pieces at sentence ends, each scored alone, and their summed valences
    normalised as VADER does for one text (``s / sqrt(s² + 15)``).

    >>> round(en_score("The battery is terrible. " * 2000), 3)
    -1.0
    """
    if len(text) <= PIECE_CHARS:
        return float(_vader().polarity_scores(text)["compound"])
    total = sum(_valence(float(_vader().polarity_scores(piece)["compound"]))
                for piece in _pieces(text))
    return total / math.sqrt(total * total + _VADER_ALPHA)


def _valence(compound: float) -> float:
    """The summed valence behind a compound score (VADER rounds to 4 places: ±1 is
    read as ±0.9999)."""
    c = max(-0.9999, min(0.9999, compound))
    return c * math.sqrt(_VADER_ALPHA / (1.0 - c * c))


def _pieces(text: str) -> list[str]:
    """``text`` in pieces of at most :data:`PIECE_CHARS` characters, cut after sentence
    ends where there are any, else at a space, else anywhere."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > PIECE_CHARS:
            cut = sentence.rfind(" ", 0, PIECE_CHARS) + 1 or PIECE_CHARS
            pieces.append(sentence[:cut])
            sentence = sentence[cut:]
        if current and len(current) + 1 + len(sentence) > PIECE_CHARS:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


@lru_cache(maxsize=1)
def de_lexicon() -> dict[str, float]:
    """SentiWS (via ``gersent``) case-folded, with :data:`DE_FEEDBACK` on top."""
    lexicon: dict[str, float] = {}
    for name in ("positive.json", "negative.json"):
        path = package_file("gersent", "wordlists", "de", name)
        for word, weight in json.loads(path.read_text(encoding="utf-8")).items():
            lexicon[unicodedata.normalize("NFKC", word).casefold()] = float(weight)
    lexicon.update(DE_FEEDBACK)
    return lexicon


def de_score(text: str) -> float:
    """The German lexicon score (−1..1) of ``text``."""
    lexicon = de_lexicon()
    words = _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())
    bangs = words.count("!")
    if NEGATORS.isdisjoint(words):
        total = sum(map(lexicon.get, words, repeat(0.0)))
    else:
        total = 0.0
        flip = 0
        for word in words:
            if word in "!.,;:?":
                flip = 0
            elif word in NEGATORS:
                flip = 3
            else:
                weight = lexicon.get(word, 0.0)
                if flip:
                    weight *= -0.7
                    flip -= 1
                total += weight
    total *= 1.0 + 0.1 * min(bangs, 3)
    return total / math.sqrt(total * total + 1.0)


def scores(texts: Sequence[str], lang: str) -> list[float]:
    """Scores for many texts of one language (``en`` or ``de``)."""
    score = en_score if lang == "en" else de_score
    return [score(t) for t in texts]
