"""The lexicon scorers: VADER for English, SentiWS for German."""

from __future__ import annotations

import doctest
import random

import pytest

from undertow.opinion import lexicons
from undertow.opinion.lexicons import PIECE_CHARS, en_score


def test_doctests() -> None:
    assert doctest.testmod(lexicons).failed == 0


def test_a_long_english_text_is_scored_in_pieces_with_vader_s_verdict(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """VADER's time grows with the square of a text's length (a 1 MB post would take
    about half an hour): no text longer than a piece reaches it, and the pieces
    together say what VADER says of the whole."""
    sentences = ["The battery is terrible.", "I love the camera!", "It arrived on Tuesday.",
                 "Worst purchase ever, avoid.", "Great value for money.", "The screen is ok."]
    rng = random.Random(1)
    text = " ".join(rng.choice(sentences) for _ in range(300))  # about 7,000 characters
    whole = lexicons._vader().polarity_scores(text)["compound"]
    seen: list[int] = []
    real = lexicons._vader().polarity_scores

    def counting(piece: str) -> dict[str, float]:
        seen.append(len(piece))
        return real(piece)

    monkeypatch.setattr(lexicons._vader(), "polarity_scores", counting)
    assert en_score(text) == pytest.approx(whole, abs=0.01)
    assert len(seen) > 1 and max(seen) <= PIECE_CHARS
    seen.clear()
    assert en_score("I love this phone") == real("I love this phone")["compound"]
    assert seen == [len("I love this phone")]  # a post of ordinary length: one call
    seen.clear()
    assert en_score("awful " * 50_000) < -0.99  # one long "sentence", cut at spaces
    assert max(seen) <= PIECE_CHARS
