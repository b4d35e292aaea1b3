"""Keyword tracking across dated documents: how often a speaker says a word, year by year.

A business magazine counted "premium" in Lei Jun's annual speeches: 31 times in 2021, 22 in
2022, 46 in 2023. This module does that count for any documents with a date, per year or per
month, as raw counts and as a rate per 1,000 words, and keeps every hit so it can be read in
context (keyword in context, KWIC).

Documents are txt or md files dated by their file name (``2023-08-14-annual-speech.md``,
``lei_jun_2021.txt``, ``20220811.txt``) or by front matter (``---`` / ``date: 2023-08-14`` /
``---``, which wins over the name), or JSON Lines files with ``date`` and ``text`` on every line
(``title`` and ``language`` optional). :func:`load_documents` reads them, :func:`track` counts.

Words
    A document's words are its tokens: runs of letters and digits (joined across inner hyphens
    and apostrophes, so "Premium-Smartphones" and "don't" are one word each) and, inside runs of
    Chinese characters, the words rjieba segments. Punctuation is not a word, nor is a bare
    URL, nor, in Markdown, a link target or an HTML tag (:func:`prose`). The rate is
    ``count / words * 1000`` for the period.

Matching rules
    * Whole words only, compared after NFKC and case folding: "ＰＲＥＭＩＵＭ", "Premium" and
      "PREMIUM" are "premium"; "supremium" is not.
    * No stemming: "premiums" and "premiumly" are not "premium". An English possessive is the
      word itself: "Xiaomi's" counts for "xiaomi".
    * Compounds that begin with the term count, in two forms:

      - hyphenated, in any language: a word that is the term, a hyphen and more
        ("Premium-Smartphones", "premium-quality");
      - closed (written as one word), only in documents detected as German
        (:func:`undertow.langdetect.detect_languages`, or the ``language`` given on a JSON
        line): the term followed by at least three letters, written in lower case (or the whole
        word in capitals), that are not a German inflection ending ("ern", "ens", "nen"):
        "Premiumsegment" counts; "Markenrecht" counts for "marke" but "Marken" does not.

      German is the language that writes compounds as one word; in English the same shape is an
      inflection or derivation ("premiums", "premiumly"), which must not count, so closed
      compounds are left to German documents only. A term inside or at the end of a compound
      ("Smartphone-Premium", "Superpremium") does not count.
    * Chinese is matched on rjieba's words: the term must begin at a word boundary and run over
      whole words, except that its last word may go on, as Chinese writes compounds without
      spaces: "高端" counts in "我们坚持高端化" (segmented 坚持 / 高端化) and in "高端手机",
      but not in "最高端" when it is segmented 最高 / 端的. A one-character term must be a
      whole word ("高" does not count in 高端): single characters begin too many unrelated
      words. The term itself is not segmented, so it also counts where the segmenter splits it
      into several words ("高端手机" in 高端 / 手机).
    * A term of several words ("premium smartphone", "小米 14") matches the same words in a row,
      separated by nothing but white space; the rules above apply to its last word.

Example:
    >>> docs = [
    ...     Document("2021.txt", "2021-08-10",
    ...              "Premium phones. ＰＲＥＭＩＵＭ prices, not premiums."),
    ...     Document("2022.txt", "2022-08-11", "Premium-Smartphones for everyone."),
    ...     Document("2023.txt", "2023-08-14", "我们坚持高端化，做高端手机。"),
    ... ]
    >>> report = track(docs, ["premium", "高端"])
    >>> report.table()["premium"]
    {'2021': {'count': 2, 'words': 6, 'per_1000': 333.333}, \
'2022': {'count': 1, 'words': 3, 'per_1000': 333.333}, \
'2023': {'count': 0, 'words': 6, 'per_1000': 0.0}}
    >>> report.table()["高端"]["2023"]
    {'count': 2, 'words': 6, 'per_1000': 333.333}
    >>> [str(c) for c in report.contexts("premium", width=10)]
    ['2021-08-10  2021.txt  [Premium] phones. Ｐ…', \
'2021-08-10  2021.txt  …m phones. [ＰＲＥＭＩＵＭ] prices, n…', \
'2022-08-11  2022.txt  [Premium-Smartphones] for every…']
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

Period = Literal["year", "month"]
PERIODS: tuple[str, ...] = ("year", "month")

#: Characters of context on each side of a hit, by default.
CONTEXT = 40
#: File name endings read as JSON Lines; every other file is read as text (txt, md).
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: File name endings taken from a named directory.
DOC_SUFFIXES = (".txt", ".md", ".markdown", *JSONL_SUFFIXES)

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
_HYPHENS = "-\u2010\u2011\uff0d"
_APOSTROPHES = "'\u2019\uff07"
_WORD = rf"[^\W_{_HAN}]"
_TOKEN = re.compile(
    rf"(?P<han>[{_HAN}]+)|(?P<word>{_WORD}+(?:[{_HYPHENS}{_APOSTROPHES}]{_WORD}+)*)"
)
_FOLD_MARKS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2019": "'"})
_CLITICS = ("'s", "'")
#: German inflection endings of three letters, which do not make a closed compound.
_GERMAN_ENDINGS = frozenset({"ern", "ens", "nen"})
_MIN_COMPOUND_TAIL = 3
#: Fewest Chinese characters a term needs before a longer word starting with it counts.
_MIN_HAN_COMPOUND = 2

_NAME_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)"
    r"(?:(?P<s>[-_.]?)(?P<m>0[1-9]|1[0-2])(?:(?P=s)(?P<d>0[1-9]|[12]\d|3[01]))?)?(?!\d)"
)
_VALUE_DATE = re.compile(r"\s*[\"']?(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                           re.DOTALL | re.MULTILINE)
_COMPACT_DATE = re.compile(r"\s*[\"']?(\d{4})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])?(?!\d)")
_MD_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
#: Markdown emphasis (``**premium** smartphone``, ``_premium_``, ``~~old~~``): runs of
#: ``*``, ``_`` or ``~`` that open before a word or close after one, and runs of ``*`` or
#: ``~`` beside a Chinese character (``坚持**高端**化``: Chinese has no spaces to flank
#: them). Inside other words (``snake_case``, ``2*3``) or before a space (a ``*`` list
#: item) they stay.
_MD_EMPHASIS = re.compile(
    r"(?<![\w*~])[*_~]{1,3}(?=[^\W_])|(?<=[^\W_])[*_~]{1,3}(?![\w*~])"
    rf"|(?<=[{_HAN}])[*~]{{1,3}}|[*~]{{1,3}}(?=[{_HAN}])")
_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


class KeywordError(ValueError):
    """A document or a term that cannot be used; the message is one line naming the cause."""


# --- documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One dated text: ``date`` is ISO, as precise as known ("2021", "2021-08", "2021-08-14").

    >>> Document("speech.md", "2021-08", "Hello").period("month")
    '2021-08'
    """

    name: str
    date: str
    text: str
    title: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if parse_date(self.date) != self.date:
            raise KeywordError(f"{self.name}: date {self.date!r} is not YYYY, YYYY-MM or "
                               "YYYY-MM-DD")

    def period(self, by: str) -> str:
        """The year ("2021") or month ("2021-08") the document falls in."""
        if by == "year":
            return self.date[:4]
        if len(self.date) < len("2021-08"):
            raise KeywordError(f"{self.name}: date {self.date} has no month; "
                               "--by month needs one (or use --by year)")
        return self.date[:7]


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """An ISO date as precise as given, or ``None`` when it does not exist (2021-02-30)."""
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    if month is None:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")


def parse_date(value: Any) -> str | None:
    """Read a date value (front matter, JSON) as ISO, as precise as it is.

    >>> parse_date("2023-08-14T19:30:00+08:00"), parse_date("2022/8"), parse_date(2021)
    ('2023-08-14', '2022-08', '2021')
    >>> parse_date("last summer") is None, parse_date("20210330"), parse_date(202103)
    (True, '2021-03-30', '2021-03')
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = _VALUE_DATE.match(value) or _COMPACT_DATE.match(value)  # or 20210330, 202103
    if not match:
        return None
    y, m, d = (int(g) if g else None for g in match.groups())
    return _iso(y or 0, m, d) if y else None


def date_from_name(name: str) -> str | None:
    """The first date in a file name: a year, optionally with month and day.

    >>> [date_from_name(n) for n in ("2023-08-14-annual-speech.md", "lei_jun_2021.txt",
    ...                              "20220811.txt", "speech-2022_08.md", "notes.txt")]
    ['2023-08-14', '2021', '2022-08-11', '2022-08', None]
    """
    for match in _NAME_DATE.finditer(Path(name).stem):
        month, day = match["m"], match["d"]
        iso = _iso(int(match["y"]), int(month) if month else None, int(day) if day else None)
        if iso:
            return iso
    return None


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML-ish ``key: value`` front matter (between ``---`` lines) and the text after it.

    >>> split_front_matter("---\\ndate: 2023-08-14\\ntitle: 'Annual speech'\\n---\\nHello")
    ({'date': '2023-08-14', 'title': 'Annual speech'}, 'Hello')
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text.removeprefix("\ufeff")
    meta: dict[str, str] = {}
    for line in match[1].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "#")):
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end():]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KeywordError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise KeywordError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _text_document(path: Path) -> Document:
    meta, body = split_front_matter(_read_text(path))
    if "date" in meta:
        date = parse_date(meta["date"])
        if date is None:
            raise KeywordError(f"{path}: front matter date {meta['date']!r} is not a date "
                               "(write it like 2023-08-14)")
    else:
        date = date_from_name(path.name)
    if date is None:
        raise KeywordError(f"{path}: no date in the file name or front matter (name it like "
                           "2023-08-14-speech.md or start it with ---/date: 2023-08-14/---)")
    markdown = path.suffix.lower() in (".md", ".markdown")
    return Document(path.name, date, prose(body, markdown), meta.get("title") or None,
                    meta.get("language"))


def prose(text: str, markdown: bool = False) -> str:
    """What is said in ``text``: bare URLs (and in Markdown, link targets and HTML tags)
    are not words, so "premium" in ``https://mi.com/premium`` or ``class="premium"`` is
    no hit and adds nothing to the word count. Markdown emphasis is no punctuation:
    ``**premium** smartphone`` reads "premium smartphone".

    >>> " ".join(prose('See https://mi.com/premium?ref=premium and <b class="premium">our '
    ...                '**premium** [page](https://x.com/premium)</b>.', markdown=True).split())
    'See and our premium [page] .'
    """
    if not markdown:
        return _URL.sub(" ", text)
    text = _URL.sub(" ", _MD_LINK_TARGET.sub("] ", text))
    return _MD_EMPHASIS.sub("", _HTML_TAG.sub(" ", text))


def _jsonl_document(path: Path, lineno: int, line: str) -> Document:
    where = f"{path}:{lineno}"
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise KeywordError(f"{where}: not JSON ({exc})") from None
    if not isinstance(record, dict):
        raise KeywordError(f"{where}: a line must be a JSON object with date and text")
    date = parse_date(record.get("date"))
    if date is None:
        raise KeywordError(f"{where}: no readable date (give \"date\": \"2023-08-14\")")
    text = record.get("text")
    if not isinstance(text, str):
        raise KeywordError(f"{where}: no \"text\" string")
    title, language = record.get("title"), record.get("language")
    return Document(f"{path.name}:{lineno}", date, prose(text),
                    title if isinstance(title, str) else None,
                    language if isinstance(language, str) else None)


def _jsonl_documents(path: Path) -> list[Document]:
    lines = _read_text(path).splitlines()
    return [_jsonl_document(path, n, line) for n, line in enumerate(lines, 1) if line.strip()]


def _files(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(f for f in sorted(path.rglob("*"))
                       if f.is_file() and f.suffix.lower() in DOC_SUFFIXES)
        elif path.exists():
            out.append(path)
        else:
            raise KeywordError(f"{path}: no such file")
    return out


def load_documents(paths: Iterable[str | Path]) -> list[Document]:
    """Read txt/md files (dated by front matter or file name) and JSON Lines files.

    Directories are searched for ``.txt``, ``.md``, ``.markdown``, ``.jsonl`` and ``.ndjson``
    files. Raises :class:`KeywordError` naming the file for a document without a readable date.
    """
    docs: list[Document] = []
    for path in _files(paths):
        if path.suffix.lower() in JSONL_SUFFIXES:
            docs.extend(_jsonl_documents(path))
        else:
            docs.append(_text_document(path))
    return docs


# --- words ------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Width- and case-folded text (NFKC, casefold, typographic hyphens and apostrophes to ASCII).

    >>> fold("ＰＲＥＭＩＵＭ Xiaomi’s")
    "premium xiaomi's"
    """
    return unicodedata.normalize("NFKC", text).casefold().translate(_FOLD_MARKS)


@dataclass(frozen=True)
class Token:
    """A word of a document: its text as written, folded, where it is, and whether it is Han."""

    text: str
    norm: str
    start: int
    end: int
    han: bool


def _segment(run: str) -> list[str]:
    import rjieba

    return [w for w in rjieba.cut(run) if w.strip()]


def tokenize(text: str) -> list[Token]:
    """The words of a text; Chinese runs are segmented with rjieba.

    >>> [t.text for t in tokenize("Xiaomi's Premium-Smartphones, 我们坚持高端化。")]
    ["Xiaomi's", 'Premium-Smartphones', '我们', '坚持', '高端化']
    """
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        if match["word"]:
            tokens.append(Token(match[0], fold(match[0]), match.start(), match.end(), False))
            continue
        at = match.start()
        for word in _segment(match[0]):
            start = text.index(word, at)
            at = start + len(word)
            tokens.append(Token(word, fold(word), start, at, True))
    return tokens


# --- terms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One piece of a term: a folded word, or a run of Chinese characters (not segmented)."""

    text: str
    han: bool


def compile_term(term: str) -> tuple[Unit, ...]:
    """The pieces a term is matched by; a term must consist of whole words.

    >>> compile_term("Premium Smartphone")
    (Unit(text='premium', han=False), Unit(text='smartphone', han=False))
    >>> compile_term("小米14")
    (Unit(text='小米', han=True), Unit(text='14', han=False))
    """
    folded = fold(term)
    matches = list(_TOKEN.finditer(folded))
    rest = _TOKEN.sub(" ", folded)
    if not matches or rest.strip():
        raise KeywordError(f"term {term!r} must be one or more whole words "
                           "(letters, digits, inner hyphens)")
    return tuple(Unit(m[0], bool(m["han"])) for m in matches)


def _same_word(norm: str, word: str) -> bool:
    return norm == word or any(norm == word + c for c in _CLITICS)


def _closed_compound(token: Token, word: str) -> bool:
    """German closed compound: the term, then at least three lower-case letters (see rules)."""
    written = unicodedata.normalize("NFKC", token.text)
    for cut in range(1, len(written)):  # folding may change lengths (ß → ss)
        if fold(written[:cut]) == word:
            tail = written[cut:]
            return (len(tail) >= _MIN_COMPOUND_TAIL and tail.isalpha()
                    and (tail.islower() or written.isupper())
                    and fold(tail) not in _GERMAN_ENDINGS)
    return False


def _word_matches(token: Token, word: str, last: bool, german: bool) -> bool:
    if token.han:
        return False
    if _same_word(token.norm, word):
        return True
    if not last or not token.norm.startswith(word):
        return False
    if token.norm[len(word)] == "-":
        return True
    return german and _closed_compound(token, word)


def _han_end(tokens: Sequence[Token], i: int, run: str, last: bool) -> int | None:
    """Index after the Chinese words from ``i`` that spell ``run`` (the last may go on)."""
    spelled = ""
    j = i
    while len(spelled) < len(run):
        if j >= len(tokens) or not tokens[j].han:
            return None
        if j > i and tokens[j - 1].end != tokens[j].start:
            return None
        spelled += tokens[j].norm
        j += 1
        if not run.startswith(spelled[: len(run)]):
            return None
    if len(spelled) > len(run) and (not last or len(run) < _MIN_HAN_COMPOUND):
        return None
    return j


def _match_at(tokens: Sequence[Token], i: int, units: Sequence[Unit], text: str,
              german: bool) -> int | None:
    """Index after a match of the term starting at token ``i``, or ``None``."""
    j = i
    for k, unit in enumerate(units):
        last = k == len(units) - 1
        if j >= len(tokens) or (j > i and text[tokens[j - 1].end:tokens[j].start].strip()):
            return None
        if unit.han:
            end = _han_end(tokens, j, unit.text, last)
            if end is None:
                return None
            j = end
        elif _word_matches(tokens[j], unit.text, last, german):
            j += 1
        else:
            return None
    return j


def find_hits(text: str, tokens: Sequence[Token], units: Sequence[Unit],
              german: bool = False) -> list[tuple[int, int]]:
    """Character spans of the term's matches; a compound is reported whole.

    >>> text = "Das Premiumsegment, premium, Premiums und Premium-Smartphones."
    >>> [text[a:b] for a, b in find_hits(text, tokenize(text), compile_term("premium"), True)]
    ['Premiumsegment', 'premium', 'Premium-Smartphones']
    """
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        end = _match_at(tokens, i, units, text, german)
        if end is None:
            i += 1
            continue
        spans.append((tokens[i].start, tokens[end - 1].end))
        i = end
    return spans


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """One hit in context (KWIC): the words around it, its document and date."""

    term: str
    document: str
    date: str
    left: str
    match: str
    right: str

    def __str__(self) -> str:
        return f"{self.date}  {self.document}  {self.left}[{self.match}]{self.right}"


@dataclass(frozen=True)
class Hit:
    """Where a term was found: document index and character span."""

    doc: int
    start: int
    end: int


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _context(doc: Document, hit: Hit, term: str, width: int) -> Context:
    text = doc.text
    left_from, right_to = max(0, hit.start - width), min(len(text), hit.end + width)
    left = _clean(text[left_from:hit.start]).lstrip()
    right = _clean(text[hit.end:right_to]).rstrip()
    return Context(term, doc.name, doc.date,
                   ("…" if left_from > 0 else "") + left,
                   _clean(text[hit.start:hit.end]),
                   right + ("…" if right_to < len(text) else ""))


@dataclass
class KeywordReport:
    """Counts of each term per period, words per period, and every hit for KWIC."""

    terms: tuple[str, ...]
    by: str
    documents: list[Document]
    periods: list[str]
    words: dict[str, int]
    docs_per_period: dict[str, int]
    counts: dict[str, dict[str, int]]
    hits: dict[str, list[Hit]] = field(repr=False)

    def per_1000(self, term: str, period: str) -> float:
        """Hits per 1,000 words in the period, rounded to 3 decimals (0.0 without words)."""
        words = self.words[period]
        return round(self.counts[term][period] * 1000 / words, 3) if words else 0.0

    def table(self) -> dict[str, dict[str, dict[str, int | float]]]:
        """``{term: {period: {"count": int, "words": int, "per_1000": float}}}``."""
        return {term: {p: {"count": self.counts[term][p], "words": self.words[p],
                           "per_1000": self.per_1000(term, p)} for p in self.periods}
                for term in self.terms}

    def contexts(self, term: str, width: int = CONTEXT) -> list[Context]:
        """Every hit of a term with ``width`` characters of context each side, by date."""
        if term not in self.hits:
            raise KeywordError(f"term {term!r} was not tracked")
        return [_context(self.documents[h.doc], h, term, width) for h in self.hits[term]]


class _Languages:
    """Document languages, detected in one batch only when a German compound is in question."""

    def __init__(self, documents: Sequence[Document]) -> None:
        self.documents = documents

    @cached_property
    def codes(self) -> list[str | None]:
        from undertow.langdetect import detect_languages

        todo = [i for i, d in enumerate(self.documents) if not d.language]
        found = detect_languages([self.documents[i].text for i in todo])
        codes: list[str | None] = [d.language for d in self.documents]
        for i, code in zip(todo, found, strict=True):
            codes[i] = code
        return codes

    def german(self, i: int) -> bool:
        return (self.codes[i] or "").lower().startswith("de")


def _may_compound(tokens: Sequence[Token], units: dict[str, tuple[Unit, ...]]) -> bool:
    """Whether any word could be a closed compound of a term's last word (needs the language)."""
    lasts = {u[-1].text for u in units.values() if not u[-1].han}
    return any(not t.han and t.norm != w and t.norm.startswith(w) for t in tokens for w in lasts)


def track(documents: Sequence[Document], terms: Iterable[str], by: str = "year") -> KeywordReport:
    """Count each term in each period (``by`` "year" or "month"); see the module's rules."""
    if by not in PERIODS:
        raise KeywordError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    names = tuple(dict.fromkeys(terms))
    if not names:
        raise KeywordError("give at least one term")
    if not documents:
        raise KeywordError("no documents to read (give .txt, .md or .jsonl files or folders)")
    compiled = {t: compile_term(t) for t in names}
    order = sorted(range(len(documents)), key=lambda i: (documents[i].date, i))
    docs = [documents[i] for i in order]
    periods = [d.period(by) for d in docs]
    languages = _Languages(docs)
    words = dict.fromkeys(sorted(set(periods)), 0)
    ndocs = dict.fromkeys(words, 0)
    counts = {t: dict.fromkeys(words, 0) for t in names}
    hits: dict[str, list[Hit]] = {t: [] for t in names}
    for i, (doc, period) in enumerate(zip(docs, periods, strict=True)):
        tokens = tokenize(doc.text)
        words[period] += len(tokens)
        ndocs[period] += 1
        german = _may_compound(tokens, compiled) and languages.german(i)
        for term, units in compiled.items():
            spans = find_hits(doc.text, tokens, units, german)
            counts[term][period] += len(spans)
            hits[term].extend(Hit(i, a, b) for a, b in spans)
    return KeywordReport(names, by, docs, list(words), words, ndocs, counts, hits)


# --- rendering --------------------------------------------------------------------------------


def print_report(report: KeywordReport, console: Console | None = None, width: int = CONTEXT,
                 lines: int = 5) -> None:
    """A table of periods × terms (count and rate), then up to ``lines`` KWIC lines per term.

    Document text, names and terms are shown as written (:mod:`undertow.escapes`):
    documents are untrusted.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from undertow.escapes import markup, visible

    console = console or Console()
    table = Table(title=f"Keywords per {report.by} (count, per 1,000 words)")
    table.add_column(report.by)
    table.add_column("docs", justify="right")
    table.add_column("words", justify="right")
    for term in report.terms:
        table.add_column(markup(term), justify="right")
    for period in report.periods:
        cells = [f"{report.counts[t][period]} ({report.per_1000(t, period):.3f})"
                 for t in report.terms]
        table.add_row(period, str(report.docs_per_period[period]),
                      f"{report.words[period]:,}", *cells)
    console.print(table)
    for term in report.terms if lines > 0 else ():
        contexts = report.contexts(term, width)
        console.print(Text.assemble("\n", (visible(term), "bold"), " in context "
                                    f"({min(lines, len(contexts))} of {len(contexts)}):"))
        # Without colour (a pipe, a file) bold is lost: the hit is bracketed instead.
        for line in kwic_lines(contexts[:lines], brackets=console.color_system is None):
            console.print(line, highlight=False, soft_wrap=True)


def kwic_lines(contexts: Sequence[Context], brackets: bool = False) -> list[Text]:
    """Concordance lines as rich text: hits aligned in one column and in bold (also in
    ``[ ]`` with ``brackets``, for output without styles), source at the end, dimmed.

    Document text is never read as markup, and characters that would act on a terminal
    are shown as escapes (:func:`undertow.escapes.visible`), so a document prints as
    written.

    >>> c = Context("premium", "a.txt", "2021", "…our [b]", "premium", " phone…")
    >>> line = kwic_lines([c])[0]
    >>> line.plain
    '  …our [b]premium phone…  2021 a.txt'
    >>> [(line.plain[s.start:s.end], s.style) for s in line.spans]
    [('premium', 'bold'), ('2021 a.txt', 'dim')]
    """
    from rich.cells import cell_len
    from rich.text import Text

    from undertow.escapes import visible

    lefts = [visible(c.left) for c in contexts]
    pad = max((cell_len(left) for left in lefts), default=0)
    open_, close = ("[", "]") if brackets else ("", "")
    return [Text.assemble("  " + " " * (pad - cell_len(left)) + left + open_,
                          (visible(c.match), "bold"), close + visible(c.right) + "  ",
                          (visible(f"{c.date} {c.document}"), "dim"))
            for c, left in zip(contexts, lefts, strict=True)]
