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
    * An alias written ``-phrase`` is an *exception*: where the phrase is found (by the same
      rules), the aliases inside it do not count. ``Xiaomi=小米,-小米粥`` does not count
      millet porridge; a post with 小米粥 and 小米手机 still mentions Xiaomi.

Matching runs vectorised over an Arrow string column with RE2 (``pyarrow.compute``).

Example:
    >>> apple = parse_brand("Apple=苹果,iPhone")
    >>> apple.name, apple.aliases
    ('Apple', ('Apple', '苹果', 'iPhone'))
    >>> mentions(["apple pie", "pineapple", "iPhone16 到了", "新ＩＰＨＯＮＥ", "苹果手机", None],
    ...          apple).tolist()
    [True, False, True, True, True, False]
    >>> xiaomi = parse_brand("Xiaomi=小米,-小米粥")
    >>> xiaomi.aliases, xiaomi.exceptions
    (('Xiaomi', '小米'), ('小米粥',))
    >>> mentions(["早上喝小米粥", "喝着小米粥刷小米手机"], xiaomi).tolist()
    [False, True]
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
#: Marks an exception in a brand spec: ``Xiaomi=小米,-小米粥`` (millet porridge is no phone).
EXCEPT = "-"


@dataclass(frozen=True)
class Brand:
    """A brand: a display name and the aliases that count as a mention of it."""

    name: str
    aliases: tuple[str, ...]
    #: phrases in which an alias is no mention of the brand ("小米粥", millet porridge)
    exceptions: tuple[str, ...] = ()

    def pattern(self) -> str:
        """The RE2 pattern matching any alias in a normalised (NFKC, lower-cased) text.

        >>> Brand("Mi", ("Mi", "小米")).pattern()
        '(?:^|[^\\\\p{Latin}\\\\p{N}_])(?:mi)s?(?:$|[^\\\\p{Latin}])|(?:小米)'
        """
        return _pattern(self.aliases)

    def exception_pattern(self) -> str:
        """The RE2 pattern matching any exception, by the same rules as aliases."""
        return _pattern(self.exceptions)


def _pattern(aliases: Sequence[str]) -> str:
    """One RE2 alternation of ``aliases``: Latin ones as whole words, others as substrings."""
    latin = [_escape(normalize(a)) for a in aliases if is_latin(a)]
    other = [_escape(normalize(a)) for a in aliases if not is_latin(a)]
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
    given = [a.strip() for a in rest.split(",")] if sep else []
    if sep and not any(given):
        raise ValueError(f"{usage}: no aliases after '=' in {spec!r}")
    if any(not a for a in given):
        raise ValueError(f"{usage}: empty alias in {spec!r}")
    aliases = [a for a in given if not a.startswith(EXCEPT)]
    exceptions = [a[len(EXCEPT):].strip() for a in given if a.startswith(EXCEPT)]
    if any(not e for e in exceptions):
        raise ValueError(f"{usage}: '{EXCEPT}' with no phrase after it in {spec!r}")
    seen: dict[str, str] = {}
    for alias in [name, *aliases]:
        seen.setdefault(normalize(alias), alias)
    return Brand(name, tuple(seen.values()), tuple(dict.fromkeys(exceptions)))


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
    if brand.exceptions:
        # A Latin match takes the character after it, which may start the next one:
        # the second pass removes what the first stepped over ("apple pie apple pie").
        unless = brand.exception_pattern()
        for _ in range(2):
            arr = pc.replace_substring_regex(arr, unless, " ")
    hit = pc.match_substring_regex(arr, brand.pattern())
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)
