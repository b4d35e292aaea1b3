"""Sentiment models adapted to one domain, trained on posts its analysts labelled themselves.

The shipped fast tier knows general sentiment. What counts as negative *towards a brand* is
narrower: in GermEval 2017, labelled for Deutsche Bahn, a news item about a train crash in
another country is neutral, and a lexicon calls it negative. A few thousand posts labelled
negative / neutral / positive by the people who read the stream teach a model that line:
``undertow train-sentiment`` fits one, and ``undertow sentiment --model`` and
``undertow opinion --model`` use it for its language instead of the shipped scorer. A model
can also add a language the fast tier does not know (its lexicon feature is then 0).

Features
    hashed word 1–2-grams and character 3–4-grams inside word boundaries (scikit-learn's
    ``HashingVectorizer``, 2**20 buckets each), sublinear TF-IDF with the training texts' idf,
    rows L2-normalised; plus the shipped fast tier's score of the text (VADER, SentiWS or the
    Chinese model), so the model learns where the general scorer is right for this domain.
    For the accurate tier (``train-sentiment --tier accurate``), also the text's
    multilingual-e5-small vector (:mod:`undertow.opinion.encoder`): about ten posts a second,
    for samples, and a point better (GermEval dev, 5-fold: 0.772 against 0.762; test 0.757
    against 0.731).
Model
    multinomial logistic regression, ``C=10``. The n-gram ranges and ``C`` were chosen by
    5-fold cross-validation on the GermEval 2017 dev split (the test split was not used):
    character 3–4-grams scored as well as 2–5-grams there and are three times faster.
    ``label`` is the most probable class, ``score`` is P(positive) − P(negative).
File
    ``.npz`` without pickled objects (read with ``allow_pickle=False``): only the columns seen
    in training are stored, with the recipe, language, classes and the training report as
    JSON. A file of another recipe is refused with a clear error, never misread.

Example:
    >>> texts = ["Zug schon wieder verspätet, furchtbar", "Danke, super Service heute",
    ...          "Der ICE fährt um neun Uhr ab"] * 6
    >>> model, report = train(texts, ["negative", "positive", "neutral"] * 6, "de")
    >>> [r[0] for r in model.predict(["Mein Zug ist verspätet, furchtbar", "super Service"])]
    ['negative', 'positive']
    >>> report.n_texts, report.classes
    (18, {'negative': 6, 'neutral': 6, 'positive': 6})
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from undertow.opinion.encoder import Encoder

#: Bump when features or training change: files of another recipe are refused.
RECIPE = "adapted-word12-charwb34-tfidf-fast-lr10-v1"
N_FEATURES = 2**20
C = 10.0
LABELS = ("negative", "neutral", "positive")
FOLDS = 5


@lru_cache(maxsize=1)
def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    words = HashingVectorizer(ngram_range=(1, 2), n_features=N_FEATURES, alternate_sign=False,
                              norm=None)
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4), n_features=N_FEATURES,
                              alternate_sign=False, norm=None)
    return words, chars


def _counts(texts: Sequence[str]) -> Any:
    import scipy.sparse as sp

    words, chars = _vectorizers()
    return sp.hstack([words.transform(texts), chars.transform(texts)], format="csr")


def _design(counts: Any, lookup: np.ndarray, idf: np.ndarray, unseen_idf: float,
            base: np.ndarray, vectors: np.ndarray | None = None) -> Any:
    """Sublinear TF-IDF rows, L2-normalised over every n-gram of the text, restricted to the
    model's columns (``lookup``: hashed column -> model column, or -1), with the fast tier's
    score appended, then the encoder ``vectors`` where given."""
    import scipy.sparse as sp

    x = counts.astype(np.float32)
    where = lookup[x.indices]
    seen = where >= 0
    x.data = (1.0 + np.log(x.data)) * np.where(seen, idf[np.maximum(where, 0)], unseen_idf)
    norms = np.sqrt(np.add.reduceat(np.append(x.data ** 2, 0), x.indptr[:-1]))
    norms[np.diff(x.indptr) == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr))
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    tfidf = sp.csr_matrix((x.data[seen], (rows[seen], where[seen])),
                          shape=(x.shape[0], len(idf)))
    parts = [tfidf, sp.csr_matrix(base.reshape(-1, 1))]
    if vectors is not None:
        parts.append(sp.csr_matrix(np.asarray(vectors, dtype=np.float32)))
    return sp.hstack(parts, format="csr")


def base_scores(texts: Sequence[str], lang: str) -> np.ndarray:
    """The shipped fast tier's score of each text in ``lang`` (0 where it has no scorer)."""
    from undertow.opinion.sentiment import SentimentAnalyzer

    values = SentimentAnalyzer().scores(texts, [lang] * len(texts))
    return np.array([0.0 if v is None else v for v in values], dtype=np.float32)


@dataclass(frozen=True)
class TrainReport:
    """What training saw, and how well the model did on texts it was not fitted on."""

    lang: str
    n_texts: int
    classes: dict[str, int]
    tier: str = "fast"  #: ``accurate`` when encoder vectors are features
    #: 5-fold cross-validation on the labelled texts: accuracy (= micro-F1) and macro-F1
    cv_accuracy: float | None = None
    cv_macro_f1: float | None = None
    #: the same texts labelled by always the most common class, and by the shipped fast tier
    majority_accuracy: float = 0.0
    shipped_accuracy: float | None = None
    shipped_macro_f1: float | None = None
    quarantined: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AdaptedModel:
    """A domain model for one language (see the module docstring)."""

    lang: str
    classes: tuple[str, ...]
    columns: np.ndarray  #: TF-IDF columns seen in training (int64, sorted)
    idf: np.ndarray  #: their idf (float32)
    n_train: int  #: training texts (the idf of unseen columns follows from it)
    #: (len(classes), len(columns) + 1 [+ encoder dimensions]) float32: TF-IDF columns, the
    #: fast score, then the encoder's vector where the model has one
    coef: np.ndarray
    intercept: np.ndarray  #: (len(classes),) float32
    report: dict[str, Any] = field(default_factory=dict)
    #: the encoder whose vectors are features (:attr:`Encoder.name`), "" for the fast tier
    encoder: str = ""

    @property
    def tier(self) -> str:
        """``accurate`` when the model reads encoder vectors, else ``fast``."""
        return "accurate" if self.encoder else "fast"

    @property
    def identity(self) -> str:
        """A short fingerprint of the weights: which model scored a post."""
        digest = hashlib.sha256(self.coef.tobytes() + self.intercept.tobytes()
                                + self.columns.tobytes())
        return f"{self.lang}:{digest.hexdigest()[:12]}"

    @cached_property
    def _lookup(self) -> np.ndarray:
        """Hashed column -> this model's column, or -1."""
        lookup = np.full(2 * N_FEATURES, -1, dtype=np.int64)
        lookup[self.columns] = np.arange(len(self.columns))
        return lookup

    def proba(self, texts: Sequence[str], base: np.ndarray | None = None,
              vectors: np.ndarray | None = None) -> np.ndarray:
        """``(len(texts), 3)`` probabilities of negative, neutral, positive (0 for a class
        the training labels lacked). ``base``: the fast tier's scores, computed if ``None``;
        ``vectors``: the texts' encoder vectors, required when the model has an encoder."""
        out = np.zeros((len(texts), len(LABELS)))
        if not len(texts):
            return out
        if base is None:
            base = base_scores(texts, self.lang)
        return self._proba(_counts(texts), base, vectors)

    def _proba(self, counts: Any, base: np.ndarray, vectors: np.ndarray | None) -> np.ndarray:
        """:meth:`proba` of texts already hashed into ``counts``."""
        out = np.zeros((counts.shape[0], len(LABELS)))
        if self.encoder and vectors is None:
            raise ValueError(f"this {self.lang} model reads {self.encoder} vectors: use it "
                             "with the accurate tier")
        x = _design(counts, self._lookup, self.idf, float(np.log(1 + self.n_train) + 1),
                    np.asarray(base, dtype=np.float32), vectors if self.encoder else None)
        z = np.asarray(x @ self.coef.T) + self.intercept
        if len(self.classes) == 2:  # scikit-learn's binary model: one row of weights
            p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
            probs = np.column_stack([1.0 - p1, p1])
        else:
            z -= z.max(axis=1, keepdims=True)
            probs = np.exp(z)
            probs /= probs.sum(axis=1, keepdims=True)
        for j, name in enumerate(self.classes):
            out[:, LABELS.index(name)] = probs[:, j]
        return out

    def predict(self, texts: Sequence[str], base: np.ndarray | None = None,
                vectors: np.ndarray | None = None) -> list[tuple[str, float]]:
        """``(label, score)`` per text: the most probable class and P(pos) − P(neg)."""
        probs = self.proba(texts, base, vectors)
        labels = [LABELS[i] for i in probs.argmax(axis=1)]
        scores = probs[:, 2] - probs[:, 0]
        return [(lab, float(s)) for lab, s in zip(labels, scores, strict=True)]

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (``.npz``), atomically."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"recipe": RECIPE, "lang": self.lang, "classes": list(self.classes),
                "n_train": self.n_train, "encoder": self.encoder, "report": self.report}
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, meta=np.array(json.dumps(meta, ensure_ascii=False)),
                            columns=self.columns, idf=self.idf, coef=self.coef,
                            intercept=self.intercept)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> AdaptedModel:
        """Read a model written by :meth:`save`; ``ValueError`` if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                arrays = {k: z[k] for k in ("columns", "idf", "coef", "intercept")}
        except (OSError, KeyError, ValueError) as exc:
            # numpy's own message would suggest loading pickles: never, for an untrusted file
            raise ValueError(f"{path}: not a sentiment model written by undertow "
                             "train-sentiment") from exc
        if not isinstance(meta, dict) or meta.get("recipe") != RECIPE:
            recipe = meta.get("recipe") if isinstance(meta, dict) else None
            raise ValueError(f"{path}: made by another version of undertow (recipe "
                             f"{recipe!r}, this one reads {RECIPE!r}); train it "
                             "again with undertow train-sentiment")
        try:
            model = cls(lang=str(meta["lang"]), classes=tuple(map(str, meta["classes"])),
                        n_train=int(meta["n_train"]), report=dict(meta.get("report") or {}),
                        encoder=str(meta.get("encoder") or ""), **arrays)
            model._check()
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{path}: a damaged sentiment model ({exc})") from exc
        return model

    def _check(self) -> None:
        """``ValueError`` unless the arrays fit together (a file may come from anyone)."""
        classes = set(self.classes)
        rows = 1 if len(self.classes) == 2 else len(self.classes)
        if self.n_train < 0:
            raise ValueError(f"n_train {self.n_train}")
        if not np.issubdtype(self.columns.dtype, np.integer):
            raise ValueError(f"columns of type {self.columns.dtype}, not integers")
        for name in ("idf", "coef", "intercept"):
            values = getattr(self, name)
            if not np.issubdtype(values.dtype, np.floating) or not np.isfinite(values).all():
                raise ValueError(f"{name} must be finite numbers")
        if len(self.classes) < 2 or not classes <= set(LABELS) or len(classes) != len(
                self.classes):
            raise ValueError(f"classes {list(self.classes)}")
        if self.columns.ndim != 1 or self.idf.shape != self.columns.shape or (
                len(self.columns) and not 0 <= self.columns.min() <= self.columns.max()
                < 2 * N_FEATURES):
            raise ValueError("columns and idf do not match")
        width = len(self.columns) + 1  # and the encoder's dimensions, if it has one
        if self.coef.ndim != 2 or self.coef.shape[0] != rows or self.intercept.shape != (rows,) \
                or (self.coef.shape[1] <= width if self.encoder else self.coef.shape[1] != width):
            raise ValueError("weights do not match the columns")


def _fit(counts: Any, base: np.ndarray, labels: np.ndarray, lang: str,
         vectors: np.ndarray | None = None, encoder: str = "") -> AdaptedModel:
    from sklearn.linear_model import LogisticRegression

    from undertow.opinion.zh_model import smoothed_idf

    columns = np.unique(counts.indices).astype(np.int64)
    idf = smoothed_idf(counts)[columns]
    model = AdaptedModel(lang=lang, classes=(), columns=columns, idf=idf,
                         n_train=counts.shape[0], coef=np.zeros((0, 0), np.float32),
                         intercept=np.zeros(0, np.float32), encoder=encoder)
    unseen_idf = float(np.log(1 + counts.shape[0]) + 1)
    clf = LogisticRegression(C=C, max_iter=3000)
    clf.fit(_design(counts, model._lookup, idf, unseen_idf, base, vectors), labels)
    return replace(model, classes=tuple(str(c) for c in clf.classes_),
                   coef=clf.coef_.astype(np.float32), intercept=clf.intercept_.astype(np.float32))


def _scores(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    accuracy = float(np.mean(np.asarray(truth) == np.asarray(predicted)))
    macro = float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro",
                           zero_division=0))
    return round(accuracy, 4), round(macro, 4)


def check_labels(labels: Sequence[str]) -> list[str]:
    """``labels`` lower-cased; ``ValueError`` naming the first that is not a label.

    >>> check_labels(["Positive", "neutral"])
    ['positive', 'neutral']
    """
    out = [str(x).strip().lower() for x in labels]
    for i, x in enumerate(out):
        if x not in LABELS:
            raise ValueError(f"label {i + 1} is {labels[i]!r}, not one of {', '.join(LABELS)}")
    return out


def train(texts: Sequence[str], labels: Sequence[str], lang: str,
          quarantined: Sequence[dict[str, Any]] = (), folds: int = FOLDS,
          encoder: Encoder | None = None) -> tuple[AdaptedModel, TrainReport]:
    """Fit a model on labelled ``texts`` of language ``lang``, and report how it does.

    With ``encoder`` (the accurate tier's, e.g. :class:`~undertow.opinion.encoder.E5Encoder`)
    each text is embedded once and its vector is part of the features.

    The report's cross-validated figures come from ``folds`` models each fitted without one
    fold and scored on it (skipped when a class has fewer than ``folds`` texts); the
    shipped fast tier's figures are on all the texts, where ``lang`` has a shipped scorer
    (for ``zh`` that scorer is trained on first use, see :mod:`undertow.opinion.zh_model`).
    """
    from sklearn.model_selection import StratifiedKFold

    from undertow.opinion.aspects import base_lang
    from undertow.opinion.sentiment import THRESHOLDS, label_for

    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    code = base_lang(lang)
    if not code:
        raise ValueError("a language code is needed (de, en, zh, ...)")
    lang = code  # "de-DE" and "DE" are "de", as the analyser names languages
    y = np.asarray(check_labels(labels))
    counts_by_class = Counter(y.tolist())
    if len(counts_by_class) < 2:
        raise ValueError("the labelled texts need at least two of negative, neutral, positive")
    base = base_scores(texts, lang)
    counts = _counts(texts)
    vectors = encoder.encode(texts) if encoder is not None else None
    name = encoder.name if encoder is not None else ""
    model = _fit(counts, base, y, lang, vectors, name)
    cv: tuple[float | None, float | None] = (None, None)
    if min(counts_by_class.values()) >= folds >= 2:
        predicted = np.empty(len(y), dtype=object)
        split = StratifiedKFold(folds, shuffle=True, random_state=0)
        for fit_rows, held_out in split.split(np.zeros(len(y)), y):
            fold = _fit(counts[fit_rows], base[fit_rows], y[fit_rows], lang,
                        None if vectors is None else vectors[fit_rows], name)
            probs = fold._proba(counts[held_out], base[held_out],
                                None if vectors is None else vectors[held_out])
            predicted[held_out] = [LABELS[i] for i in probs.argmax(axis=1)]
        cv = _scores(y.tolist(), predicted.tolist())
    shipped: tuple[float | None, float | None] = (None, None)
    if lang in THRESHOLDS:
        shipped = _scores(y.tolist(), [label_for(float(s), lang, THRESHOLDS) for s in base])
    report = TrainReport(
        lang=lang, n_texts=len(y), classes=dict(sorted(counts_by_class.items())),
        tier=model.tier,
        cv_accuracy=cv[0], cv_macro_f1=cv[1],
        majority_accuracy=round(max(counts_by_class.values()) / len(y), 4),
        shipped_accuracy=shipped[0], shipped_macro_f1=shipped[1],
        quarantined=list(quarantined))
    return replace(model, report=report.to_dict()), report


def read_labelled(path: str | Path, text_column: str = "text", label_column: str = "label"
                  ) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """``(texts, labels, quarantined)`` from JSON Lines or a CSV file (``.csv``/``.tsv``,
    with a header), each record with a text and a label (negative / neutral / positive,
    any case). A record that cannot be used is quarantined, never dropped silently:
    ``{"line": n, "reason": ...}``. A file without those columns is a ``ValueError``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "labelled.jsonl"
    >>> _ = p.write_text('{"text": "gut", "label": "Positive"}\\n{"text": "naja"}\\n')
    >>> read_labelled(p)
    (['gut'], ['positive'], [{'line': 2, 'reason': "no 'label'"}])
    """
    import csv

    import orjson

    path = Path(path)
    texts: list[str] = []
    labels: list[str] = []
    bad: list[dict[str, Any]] = []

    def take(line: int, record: dict[str, Any]) -> None:
        text, label = record.get(text_column), record.get(label_column)
        if not isinstance(text, str) or not text.strip():
            bad.append({"line": line, "reason": f"no {text_column!r}" if text is None
                        else f"{text_column!r} is empty or not text"})
        elif label is None or label == "":
            bad.append({"line": line, "reason": f"no {label_column!r}"})
        elif str(label).strip().lower() not in LABELS:
            bad.append({"line": line, "reason": f"{label_column} {str(label)[:40]!r} is not "
                        f"one of {', '.join(LABELS)}"})
        else:
            texts.append(text)
            labels.append(str(label).strip().lower())

    with path.open(encoding="utf-8-sig", newline="") as handle:  # -sig: a spreadsheet's BOM
        if path.suffix.lower() in (".csv", ".tsv"):
            reader = csv.DictReader(handle, delimiter="\t" if path.suffix.lower() == ".tsv"
                                    else ",")
            missing = {text_column, label_column} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{path}: no column {', '.join(sorted(missing))} in the "
                                 f"header ({', '.join(reader.fieldnames or ())})")
            for record in reader:
                take(reader.line_num, record)
        else:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    bad.append({"line": number, "reason": f"not JSON ({exc})"})
                    continue
                if not isinstance(record, dict):
                    bad.append({"line": number, "reason": "not a JSON object"})
                    continue
                take(number, record)
    return texts, labels, bad
