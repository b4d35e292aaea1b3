"""Brands and their aliases, found in posts across scripts and languages.

A brand is given as ``NAME=alias,alias`` (``Xiaomi=小米,Redmi,SU7``); the name itself is always
one of its aliases, and a bare ``NAME`` means the name alone. Texts and aliases are compared after
NFKC normalisation (full-width ``ＡＰＰＬＥ`` is ``APPLE``) and lower-casing.

Matching rules
    * An alias written only in Latin letters, digits, spaces and punctuation ("Apple",
      "iPhone", "Xiaomi SU7") is matched as a whole word: it must not follow a Latin letter
      or a digit, and must not be followed by a Latin letter, except for an optional
      plural/genitive "s" ("iPhones", "Apples neues iPhone"). So "apple pie" counts and
      "pineapple" does not.
    * Digits may follow directly: model numbers are written glued to names ("iPhone16",
      "Xiaomi14"), so "iPhone16" counts. A digit *before* the alias ("2apple") does not.
    * Chinese, Japanese or Korean text next to a Latin alias is no obstacle ("用Apple的手机").
    * Any other alias (one with a CJK or other non-Latin character: "小米", "苹果", "小米SU7")
      is matched as a substring, since those scripts do not separate words with spaces.
    * Spaces inside an alias match any run of white space.

Matching runs vectorised over an Arrow string column with RE2 (``pyarrow.compute``).

Example:
    >>> apple = parse_brand("Apple=苹果,iPhone")
    >>> apple.name, apple.aliases
    ('Apple', ('Apple', '苹果', 'iPhone'))
    >>> mentions(["apple pie", "pineapple", "iPhone16 到了", "新ＩＰＨＯＮＥ", "苹果手机", None],
    ...          apple).tolist()
    [True, False, True, True, True, False]
    >>> parse_brand("=x")
    Traceback (most recent call last):
    ...
    ValueError: brand NAME=alias,alias: empty name in '=x'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Characters that make an alias "Latin": ASCII, Latin-1 and Latin Extended letters, digits,
#: spaces and ASCII punctuation.
_LATIN = re.compile(r"^[\u0000-\u024f\u1e00-\u1eff]+$")
_META = set(r".^$*+?()[]{}|\-/&#~")


@dataclass(frozen=True)
class Brand:
    """A brand: a display name and the aliases that count as a mention of it."""

    name: str
    aliases: tuple[str, ...]

    def pattern(self) -> str:
        """The RE2 pattern matching any alias in a normalised (NFKC, lower-cased) text.

        >>> Brand("Mi", ("Mi", "小米")).pattern()
        '(?:^|[^\\\\p{Latin}\\\\p{N}_])(?:mi)s?(?:$|[^\\\\p{Latin}])|(?:小米)'
        """
        latin = [_escape(normalize(a)) for a in self.aliases if is_latin(a)]
        other = [_escape(normalize(a)) for a in self.aliases if not is_latin(a)]
        parts = []
        if latin:
            parts.append(r"(?:^|[^\p{Latin}\p{N}_])(?:" + "|".join(latin)
                         + r")s?(?:$|[^\p{Latin}])")
        if other:
            parts.append("(?:" + "|".join(other) + ")")
        return "|".join(parts)


def normalize(text: str) -> str:
    """NFKC and lower case, as texts are compared.

    >>> normalize("ＡＰＰＬＥ iPhone")
    'apple iphone'
    """
    return unicodedata.normalize("NFKC", text).lower()


def is_latin(alias: str) -> bool:
    """Whether ``alias`` is matched as a whole word (Latin script only) or as a substring.

    >>> is_latin("iPhone 16"), is_latin("小米"), is_latin("小米SU7")
    (True, False, False)
    """
    return bool(_LATIN.match(normalize(alias)))


def _escape(alias: str) -> str:
    out: list[str] = []
    for ch in alias:
        if ch.isspace():
            if not out or out[-1] != r"\s+":
                out.append(r"\s+")
        elif ch in _META or ch == "\\":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def parse_brand(spec: str) -> Brand:
    """Parse ``NAME=alias,alias`` (or a bare ``NAME``); raises ``ValueError`` on bad syntax.

    >>> parse_brand("Xiaomi=小米, Redmi ,SU7").aliases
    ('Xiaomi', '小米', 'Redmi', 'SU7')
    """
    name, sep, rest = spec.partition("=")
    name = name.strip()
    usage = "brand NAME=alias,alias"
    if not name:
        raise ValueError(f"{usage}: empty name in {spec!r}")
    aliases = [a.strip() for a in rest.split(",")] if sep else []
    if sep and not any(aliases):
        raise ValueError(f"{usage}: no aliases after '=' in {spec!r}")
    if any(not a for a in aliases):
        raise ValueError(f"{usage}: empty alias in {spec!r}")
    seen: dict[str, str] = {}
    for alias in [name, *aliases]:
        seen.setdefault(normalize(alias), alias)
    return Brand(name, tuple(seen.values()))


def _as_array(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.ChunkedArray:
    if isinstance(texts, pa.ChunkedArray):
        return texts
    if isinstance(texts, pa.Array):
        return pa.chunked_array([texts])
    return pa.chunked_array([pa.array(list(texts), type=pa.string())])


def normalized(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.ChunkedArray:
    """An Arrow text column NFKC-normalised and lower-cased (nulls stay null).

    Normalise once and pass the result to :func:`mentions` for several brands.
    """
    arr = _as_array(texts)
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    return pc.utf8_lower(pc.utf8_normalize(arr, "NFKC"))


def mentions(texts: pa.Array | pa.ChunkedArray | Sequence[str | None], brand: Brand,
             prenormalized: bool = False) -> np.ndarray:
    """Boolean array: does each text mention ``brand``? Null texts do not.

    >>> mentions(["Xiaomi14 Ultra", "小米SU7", "redmi"], parse_brand("Xiaomi=小米,Redmi")).tolist()
    [True, True, True]
    """
    arr = _as_array(texts) if prenormalized else normalized(texts)
    if len(arr) == 0:
        return np.zeros(0, dtype=bool)
    hit = pc.match_substring_regex(arr, brand.pattern())
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)
