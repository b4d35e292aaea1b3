"""Aspects: which parts of a product or service a post talks about (battery, screen, price…).

The taxonomy ships as ``aspects.yaml`` beside this module: aspect name -> language -> keywords.
Users extend it with a file of the same shape (:func:`load_taxonomy`); their keywords are added
to the shipped ones, and new aspects or languages are added whole.

Matching rules (text and keywords are compared after NFKC and case folding)
    * ``zh``: a keyword is found with rjieba's words. A one-character keyword ("卡", "贵")
      must be a whole word. A longer one must start where a word starts or end where a word
      ends, so "卡顿" counts in 不卡顿 (one word for rjieba) and "电池" in 电池续航, but not
      a keyword that sits strictly inside a longer word.
    * ``de``: whole words, or the first part of a compound: "Akku" counts in "Akkus" and
      "Akkulaufzeit", not in "Handyakku".
    * ``en`` and any other language: whole words with an optional plural "s"/"es";
      words of a keyword are separated by any white space ("battery  life").
    * A trailing ``*`` lets a keyword take any ending ("overheat*" counts in "overheating"); a
      trailing ``$`` allows no ending at all ("App$" does not count in "Apps" or "Apple").
    * A keyword written ``-phrase`` is an exception (not for ``zh``): where every word of an
      aspect's keyword lies inside the phrase, that keyword does not count for the aspect
      ("-looking for": "good looking" is design, "looking for a phone" is not). Other keywords
      of the aspect, elsewhere in the text, still count.
    * A text whose language is unknown (``None``) or not in the taxonomy is matched with every
      language's keywords.
    * Scripts mix (brand names, English terms): the ``zh`` keywords are looked for in any text
      with Han characters ("The 电池 of my phone"), and the Latin-script words of a ``zh`` text
      with the ``en`` keywords ("小米的battery太差了"). Words end where Han, kana or Hangul
      begin.

Aspects come back in taxonomy order, each once.

Example:
    >>> find_aspects("电池续航很好，但是不卡顿是假的，屏幕太暗", "zh")
    ['battery', 'screen', 'performance']
    >>> find_aspects("Battery life is great but the screens scratch easily", "en")
    ['battery', 'screen']
    >>> find_aspects("Looking for a phone: the price matters", "en")
    ['price']
    >>> find_aspects("Die Akkulaufzeit ist top, der Preis leider nicht", "de")
    ['battery', 'price']
    >>> find_aspects_batch(["屏幕很亮", "Lieferung kam zu spät", "no aspect here"],
    ...                    ["zh", "de", "en"])
    [['screen'], ['delivery'], []]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from undertow.langdetect import CJK_CHARS

Taxonomy = dict[str, dict[str, list[str]]]
"""aspect name -> language code -> keywords."""

#: Marks an exception: a phrase in which the aspect's keywords do not count.
EXCEPT = "-"
_NONE: frozenset[int] = frozenset()
#: Distinct words whose single-word keywords a matcher remembers (a few MB).
_SEEN_WORDS = 50_000
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"\w+")
_CJK = re.compile(f"[{CJK_CHARS}]")
#: Han, kana and Hangul with what is no word around them: one word ("_") that no keyword is.
_CJK_RUN = re.compile(rf"[{CJK_CHARS}][\W{CJK_CHARS}]*")
_LATIN = re.compile("[a-z]")
#: The keywords for the Latin-script words of a ``zh`` text.
LATIN_IN_ZH = "en"


class _WordIndex:
    """Keywords of one language as word tuples: exact, with a plural ending, or as a prefix."""

    def __init__(self) -> None:
        self.exact: dict[tuple[str, ...], set[int]] = {}
        self.plural: dict[tuple[str, ...], set[int]] = {}
        self.prefix: dict[tuple[str, ...], set[int]] = {}
        self.prefix_lengths: set[int] = set()
        self.longest = 0
        self.heads: set[str] = set()  #: first words of keywords of two words or more
        self._seen: dict[str, frozenset[int]] = {}

    def _lookup(self, head: tuple[str, ...], last: str) -> set[int]:
        """Aspects of the keywords that are exactly ``head + (last,)``, its plural or a
        prefix of it."""
        key = (*head, last)
        found: set[int] = set()
        for table in (self.exact, self.plural):
            if key in table:
                found |= table[key]
        if last.endswith("s"):
            for cut in (last[:-1], last[:-2] if last.endswith("es") else ""):
                found |= self.plural.get((*head, cut), _NONE)
        for length in self.prefix_lengths:
            if length <= len(last):
                found |= self.prefix.get((*head, last[:length]), _NONE)
        return found

    def _single(self, word: str) -> frozenset[int]:
        """:meth:`_lookup` of one word, remembered (words repeat from post to post; most
        have no keyword and share one empty set)."""
        found = self._seen.get(word)
        if found is None:
            looked = self._lookup((), word)
            found = frozenset(looked) if looked else _NONE
            if len(self._seen) < _SEEN_WORDS:
                self._seen[word] = found
        return found

    def spans(self, words: list[str]) -> Iterator[tuple[int, int, AbstractSet[int]]]:
        """``(start, length, aspects)`` of every keyword found in ``words``."""
        n = len(words)
        for i in range(n):
            one = self._single(words[i])
            if one:
                yield i, 1, one
            if words[i] not in self.heads:  # the first word of a longer keyword is exact
                continue
            for k in range(2, min(self.longest, n - i) + 1):
                found = self._lookup(tuple(words[i:i + k - 1]), words[i + k - 1])
                if found:
                    yield i, k, found

    def match(self, words: list[str], hits: set[int], unless: _WordIndex | None = None) -> None:
        """Add to ``hits`` the aspects whose keywords are in ``words``, except where every
        word of the keyword lies inside one of the aspect's exceptions (``unless``)."""
        blocked: dict[int, set[int]] | None = None
        for i, k, found in self.spans(words):
            if unless is not None and unless.longest:
                if blocked is None:  # looked for once, and only in texts with a keyword
                    blocked = {}
                    for e, n, those in unless.spans(words):
                        for j in range(e, e + n):
                            blocked.setdefault(j, set()).update(those)
                found = {a for a in found
                         if any(a not in blocked.get(j, ()) for j in range(i, i + k))}
            hits |= found


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _words(norm: str, mixed: bool) -> list[str]:
    """The words of a normalised text; where it has Han, kana or Hangul (``mixed``), each
    run of them is one word "_", so "小米battery" has "battery" and no keyword spans it."""
    return _WORD.findall(_CJK_RUN.sub(" _ ", norm) if mixed else norm)


def base_lang(lang: str | None) -> str | None:
    """The two-letter part of a language tag: ``"zh-Hans"`` -> ``"zh"``, ``None`` stays.

    >>> base_lang("zh-cn"), base_lang("DE"), base_lang(None)
    ('zh', 'de', None)
    """
    if not lang:
        return None
    return lang.replace("_", "-").split("-")[0].lower()


#: What comparisons call the row of all of a brand's posts: no aspect can be called so.
ALL_POSTS = "all"


def _check(data: Any, source: str) -> Taxonomy:
    if not isinstance(data, Mapping):
        raise ValueError(f"{source}: expected a mapping of aspect -> language -> keywords")
    out: Taxonomy = {}
    for aspect, by_lang in data.items():
        if str(aspect) == ALL_POSTS:
            raise ValueError(f"{source}: {ALL_POSTS!r} names the row of all of a brand's "
                             "posts; give the aspect another name")
        if not isinstance(by_lang, Mapping):
            raise ValueError(f"{source}: aspect {aspect!r} must map languages to keyword lists")
        out[str(aspect)] = {}
        for lang, words in by_lang.items():
            if isinstance(words, str):
                words = [words]
            if not isinstance(words, Sequence):
                raise ValueError(f"{source}: {aspect}.{lang} must be a list of keywords")
            code = str(lang).lower()
            kept = [str(w) for w in words if str(w).strip()]
            if code == "zh" and any(w.strip().startswith(EXCEPT) for w in kept):
                raise ValueError(f"{source}: {aspect}.zh: exceptions ('{EXCEPT}…') are for "
                                 "languages matched on words, not zh")
            out[str(aspect)][code] = kept
    return out


def _read(path: Path) -> Any:
    """A taxonomy file's data; :class:`ValueError` naming the file where it is not UTF-8
    YAML (or JSON, by its suffix)."""
    import json

    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ValueError(f"{path}: not valid YAML ({problem}{at})") from None


@lru_cache(maxsize=1)
def _default() -> Taxonomy:
    import yaml

    text = files("undertow.opinion").joinpath("aspects.yaml").read_text(encoding="utf-8")
    return _check(yaml.safe_load(text), "aspects.yaml")


def default_taxonomy() -> Taxonomy:
    """A fresh copy of the shipped taxonomy.

    >>> sorted(default_taxonomy()["battery"])
    ['de', 'en', 'zh']
    """
    return merge_taxonomies(_default(), {})


def merge_taxonomies(base: Taxonomy, extra: Taxonomy) -> Taxonomy:
    """``base`` with ``extra``'s keywords added (new aspects and languages appended).

    >>> merge_taxonomies({"price": {"en": ["price"]}},
    ...                  {"price": {"en": ["pricey"]}, "noise": {"en": ["noisy"]}})
    {'price': {'en': ['price', 'pricey']}, 'noise': {'en': ['noisy']}}
    """
    out: Taxonomy = {a: {lang: list(ws) for lang, ws in by.items()} for a, by in base.items()}
    for aspect, by_lang in extra.items():
        target = out.setdefault(aspect, {})
        for lang, words in by_lang.items():
            have = target.setdefault(lang, [])
            have.extend(w for w in words if w not in have)
    return out


def load_taxonomy(path: str | Path | None = None, *, replace: bool = False) -> Taxonomy:
    """The shipped taxonomy merged with a user's YAML or JSON file (or replaced by it).

    The file has the shipped shape: ``aspect: {lang: [keyword, ...]}``.
    """
    if path is None:
        return default_taxonomy()
    user = _check(_read(Path(path)), str(path))
    return user if replace else merge_taxonomies(_default(), user)


class AspectMatcher:
    """Compiled matchers for one taxonomy; reuse it for many texts.

    >>> m = AspectMatcher({"noise": {"en": ["noisy", "fan noise"], "zh": ["噪音"]}})
    >>> m.find("The FAN  noise is awful", "en"), m.find("噪音很大", "zh"), m.find("quiet", None)
    (['noise'], ['noise'], [])
    """

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy if taxonomy is not None else _default()
        self.aspects = list(self.taxonomy)
        self.languages = sorted({lang for by in self.taxonomy.values() for lang in by})
        self._zh: dict[str, set[int]] = {}
        self._words: dict[str, tuple[_WordIndex, _WordIndex]] = {}
        for i, by_lang in enumerate(self.taxonomy.values()):
            for word in by_lang.get("zh", []):
                self._zh.setdefault(_norm(word).rstrip("$*"), set()).add(i)
        for lang in self.languages:
            if lang != "zh":
                self._words[lang] = self._compile(lang)

    def _compile(self, lang: str) -> tuple[_WordIndex, _WordIndex]:
        """The keywords of ``lang`` and, apart, its exceptions (keywords written ``-…``)."""
        index, unless = _WordIndex(), _WordIndex()
        for i, by_lang in enumerate(self.taxonomy.values()):
            for word in by_lang.get(lang, []):
                w = _norm(word).strip()
                into = index
                if w.startswith(EXCEPT):
                    into, w = unless, w[len(EXCEPT):].strip()
                mode = w[-1] if w and w[-1] in "*$" else ""
                parts = tuple(_WORD.findall(w.rstrip("*$")))
                if not parts:
                    continue
                if mode == "*" or (not mode and lang == "de"):
                    table = into.prefix
                    into.prefix_lengths.add(len(parts[-1]))
                elif mode == "$":
                    table = into.exact
                else:
                    table = into.plural
                table.setdefault(parts, set()).add(i)
                into.longest = max(into.longest, len(parts))
                if len(parts) > 1:
                    into.heads.add(parts[0])
        return index, unless

    def _find_zh(self, text: str, hits: set[int]) -> None:
        found = [w for w in self._zh if w in text]
        if not found:
            return
        import rjieba

        tokens = rjieba.tokenize(text)
        starts = {s for _, s, _ in tokens}
        ends = {e for _, _, e in tokens}
        for word in found:
            todo = self._zh[word] - hits
            if not todo:
                continue
            pos = text.find(word)
            while pos >= 0:
                end = pos + len(word)
                ok = (pos in starts and end in ends) if len(word) == 1 else (
                    pos in starts or end in ends)
                if ok:
                    hits |= todo
                    break
                pos = text.find(word, pos + 1)

    def _find_words(self, lang: str, words: list[str], hits: set[int]) -> None:
        compiled = self._words.get(lang)
        if compiled is not None:
            index, unless = compiled
            index.match(words, hits, unless)

    def find(self, text: str, lang: str | None = None) -> list[str]:
        """The aspects ``text`` mentions, in taxonomy order."""
        norm = _norm(text)
        code = base_lang(lang)
        hits: set[int] = set()
        if code == "zh" and code in self.languages:
            self._find_zh(norm, hits)
            if _LATIN.search(norm):
                self._find_words(LATIN_IN_ZH, _words(norm, True), hits)
            return [self.aspects[i] for i in sorted(hits)]
        mixed = not norm.isascii() and _CJK.search(norm) is not None
        if mixed and self._zh and _HAN.search(norm):
            self._find_zh(norm, hits)
        words = _words(norm, mixed)
        for other in (code,) if code in self._words else self._words:
            self._find_words(other, words, hits)
        return [self.aspects[i] for i in sorted(hits)]

    def find_batch(self, texts: Sequence[str],
                   langs: Sequence[str | None] | None = None) -> list[list[str]]:
        """:meth:`find` for many texts; ``langs`` lines up with ``texts`` (``None``: unknown)."""
        if langs is None:
            langs = [None] * len(texts)
        if len(langs) != len(texts):
            raise ValueError("texts and langs differ in length")
        return [self.find(t, lang) for t, lang in zip(texts, langs, strict=True)]


@lru_cache(maxsize=1)
def _default_matcher() -> AspectMatcher:
    return AspectMatcher()


def find_aspects(text: str, lang: str | None = None,
                 taxonomy: Taxonomy | None = None) -> list[str]:
    """The aspects of the shipped (or given) taxonomy that ``text`` mentions."""
    matcher = _default_matcher() if taxonomy is None else AspectMatcher(taxonomy)
    return matcher.find(text, lang)


def find_aspects_batch(texts: Sequence[str], langs: Sequence[str | None] | None = None,
                       taxonomy: Taxonomy | None = None) -> list[list[str]]:
    """:func:`find_aspects` for many texts, compiling the taxonomy once."""
    matcher = _default_matcher() if taxonomy is None else AspectMatcher(taxonomy)
    return matcher.find_batch(texts, langs)
