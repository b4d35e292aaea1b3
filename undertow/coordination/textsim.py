"""Text for comparison: normalised forms, exact keys, MinHash signatures and LSH bands.

Normalisation folds width and case (NFKC, lower), drops URLs, mentions,
hashtag marks, emoji and punctuation, and collapses spaces, so copies that
differ only in those still match. It also undoes what copy-paste crews do to
slip past duplicate filters and readers do not notice: invisible characters
(zero-width spaces and joiners, soft hyphens, direction marks, Hangul fillers)
are dropped, accents and stacked combining marks are taken off, and a text that
mixes Latin letters with look-alikes from another script (Cyrillic а, Greek ο:
Unicode's confusables) is written in the one most of its letters are in; a text
in one script keeps its letters. Shingles are character 3-grams, which works
for Chinese without segmentation. MinHash is vectorised in numpy over a whole
batch of texts: one rolling hash per shingle, then one multiply-add and one
segmented minimum per permutation.

Example:
    >>> normalize_text("Ｘiaomi SU7 续航太差了！！😡 https://t.co/x @lei #SU7")
    'xiaomi su7 续航太差了 su7'
    >>> normalize_text("RT @lei: the_best")
    'the best'
    >>> normalize_text("B\u200bа\u200bttеry díes")  # zero-width spaces, Cyrillic а and е
    'battery dies'
    >>> sigs = minhash_signatures(["the battery dies before lunch every day",
    ...                            "the battery dies before lunch every single day",
    ...                            "Der Preis ist viel zu hoch"])
    >>> float((sigs[0] == sigs[1]).mean()) > 0.6, float((sigs[0] == sigs[2]).mean()) < 0.1
    (True, True)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# RE2 patterns (pyarrow): \p{L} letters and \p{N} digits of every script.
_LINKS = r"https?://\S+|www\.\S+|[@＠][\p{L}\p{N}_\-]+"
_DROP = _LINKS + r"|^rt\s+|\s+rt\s+"
_NON_WORD = r"[^\p{L}\p{N}]+"

#: MinHash permutations and the LSH banding over them.
NUM_PERM = 48
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3

_rng = np.random.default_rng(20240611)
# Multiply-shift hashing: odd multipliers, the top 32 bits of a 64-bit product.
_A = _rng.integers(1, 1 << 63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)


#: What readers do not see: format characters (zero-width space, joiners, soft hyphen,
#: direction marks), the Hangul fillers, the braille blank and the object replacement
#: character (drawn as nothing, counted as letters or symbols), the Arabic tatweel (it
#: only stretches a word) and, once letters are decomposed, accents and combining marks.
_UNSEEN = r"[\p{Cf}\p{Mn}\p{Me}\x{115f}\x{1160}\x{3164}\x{ffa0}\x{2800}\x{fffc}\x{640}]+"

#: Scripts whose letters others imitate: a text mixing one of them with look-alikes of
#: another is folded into the script most of its letters are written in.
_FOLD_SCRIPTS = {"LATIN": re.compile(r"[A-Za-z]"),
                 "CYRILLIC": re.compile(r"[\u0400-\u052f]"),
                 "GREEK": re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")}


@functools.cache
def _lookalikes() -> dict[str, dict[str, str]]:
    """Per script of :data:`_FOLD_SCRIPTS`, lower-case letters of others that look like
    one of its own, each with that one. Latin's come from Unicode's confusables (TR39):
    letters and digits listed as looking like one Latin letter or digit (Cyrillic а,
    Greek ο, Armenian ս; not Chinese 〇); Cyrillic's and Greek's are those read back
    (Latin a as Cyrillic а)."""
    from confusable_homoglyphs.categories import alias
    from confusable_homoglyphs.confusables import confusables_data

    latin: dict[str, str] = {}
    # Lower-case letters first: Greek ν is listed as v, its capital Ν (and 𝚴) as N.
    for char, glyphs in sorted(confusables_data.items(), key=lambda item: not unicodedata
                               .normalize("NFKC", item[0]).islower()):
        if len(char) != 1 or char.isascii() or alias(char) == "HAN":
            continue
        like = [g["c"] for g in glyphs
                if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()]
        form = unicodedata.normalize("NFKC", char).lower()
        if like and len(form) == 1 and not form.isascii() and form.isalnum():
            latin.setdefault(form, like[0].lower())
    tables = {"LATIN": latin}
    for script in ("CYRILLIC", "GREEK"):
        back: dict[str, str] = {}
        for char, letter in latin.items():
            if letter.isalpha() and alias(char) == script:
                back.setdefault(letter, char)
        tables[script] = back
    return tables


@functools.cache
def _folds(cased: bool) -> tuple[dict[str, dict[int, str]], str]:
    """:func:`_lookalikes` as ``str.translate`` tables (with capitals where ``cased``),
    and an RE2 class of every letter the Latin one folds.

    A capital reads as the Latin capital the confusables list for it (Greek Ν as N,
    though ν is v), else as its small letter's, capitalised (Cyrillic І as I: the
    confusables list it as l)."""
    from confusable_homoglyphs.confusables import confusables_data

    tables: dict[str, dict[int, str]] = {}
    for script, table in _lookalikes().items():
        out = {ord(k): v for k, v in table.items()}
        for k, v in table.items() if cased else ():
            cap = k.upper()
            if len(cap) != 1 or cap == k or len(v.upper()) != 1:
                continue
            listed = [g["c"] for g in confusables_data.get(cap, ()) if script == "LATIN"
                      and len(g["c"]) == 1 and g["c"].isascii() and g["c"].isupper()]
            out[ord(cap)] = listed[0] if listed else v.upper()
        tables[script] = out
    return tables, "[" + "".join(f"\\x{{{code:x}}}" for code in sorted(tables["LATIN"])) + "]"


def _fold(text: str, tables: dict[str, dict[int, str]]) -> str:
    """``text`` (mixing scripts) in the script most of its letters are written in."""
    counts = {script: len(letters.findall(text)) for script, letters in _FOLD_SCRIPTS.items()}
    return text.translate(tables[max(counts, key=lambda script: counts[script])])


def _replaced(texts: pa.Array, where: np.ndarray, values: pa.Array) -> pa.Array:
    """``texts`` with the rows at ``where`` (ascending) replaced by ``values``."""
    mask = np.zeros(len(texts), dtype=bool)
    mask[where] = True
    return pc.replace_with_mask(texts, pa.array(mask), values.cast(texts.type))


def _fold_lookalikes(texts: pa.Array, cased: bool) -> pa.Array:
    """Texts that mix Latin letters with letters of other scripts that look like them
    written in one script (:func:`_fold`); texts in one script are left as they are, so a
    Russian post reads as Russian. Only mixed texts go through Python."""
    tables, pattern = _folds(cased)
    where = np.flatnonzero(~pc.string_is_ascii(texts).to_numpy(zero_copy_only=False))
    others = texts.take(pa.array(where))
    mixed = pc.and_(pc.match_substring_regex(others, "[A-Za-z]"),
                    pc.match_substring_regex(others, pattern))
    where = where[mixed.to_numpy(zero_copy_only=False)]
    if not len(where):
        return texts
    folded = [_fold(text, tables) for text in texts.take(pa.array(where)).to_pylist()]
    return _replaced(texts, where, pa.array(folded, pa.string()))


def _visible(texts: pa.Array) -> pa.Array:
    """Texts in NFKC without what readers do not see (:data:`_UNSEEN`): every text that is
    not plain ASCII is decomposed (NFKD) to take accents and marks off and composed again
    (NFC), so a letter comes out the same whatever else its text holds."""
    where = np.flatnonzero(~pc.string_is_ascii(texts).to_numpy(zero_copy_only=False))
    if not len(where):
        return texts  # NFKC leaves ASCII as it is
    marked = pc.utf8_normalize(texts.take(pa.array(where)), "NFKD")
    bare = pc.utf8_normalize(pc.replace_substring_regex(marked, _UNSEEN, ""), "NFC")
    return _replaced(texts, where, bare)


def normalize_texts(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`normalize_text` for a whole column at once (vectorised, in Arrow)."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    folded = pc.utf8_lower(_visible(pc.fill_null(texts, "")))
    folded = pc.replace_substring_regex(folded, _DROP, " ")
    folded = pc.replace_substring_regex(folded, _NON_WORD, " ")
    return _fold_lookalikes(pc.utf8_trim_whitespace(folded), cased=False)


def spellings(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each text as it was typed, less links, mentions, runs of spaces and the salt of
    copy-paste tools (invisible characters, accents and marks, look-alike letters, as
    in :func:`normalize_texts`): where two posts of one normalised text differ here, they
    differ in case, punctuation or emoji, as when people type a greeting each their own
    way; a pasted text, salted or not, does not.

    >>> spellings(pa.array(["Merry  Christmas! https://t.co/x", "merry christmas"])).to_pylist()
    ['Merry Christmas!', 'merry christmas']
    """
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    typed = _fold_lookalikes(_visible(pc.fill_null(texts, "")), cased=True)
    typed = pc.replace_substring_regex(typed, _LINKS, "")
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(typed, r"\s+", " "))


def normalize_text(text: str) -> str:
    """The comparable form of one post's text (for many, :func:`normalize_texts` is far
    faster: each call compiles its patterns)."""
    return str(normalize_texts(pa.array([text], pa.string()))[0].as_py())


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads a 64-bit value's bits."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def shingle_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every character 3-gram of every text, and each text's first index.

    Texts shorter than a shingle get one shingle of the whole text.
    """
    padded = [t if len(t) >= SHINGLE else t.ljust(SHINGLE, "\x01") for t in texts]
    joined = "\x00".join(padded) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = codes[:-2] * np.uint64(0x100000001B3)
        h = (h ^ codes[1:-1]) * np.uint64(0x100000001B3)
        h = mix64(h ^ codes[2:])
    valid = (codes[:-2] != 0) & (codes[1:-1] != 0) & (codes[2:] != 0)
    lengths = np.fromiter((len(t) - SHINGLE + 1 for t in padded), dtype=np.int64,
                          count=len(padded))
    starts = np.zeros(len(padded), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return h[valid], starts


#: Shingles permuted at once: a block of this many 64-bit hashes (256 KiB) stays in the
#: core's cache through its 48 passes, where a whole batch's went to memory and back on
#: each (at 88k texts: 0.49 s against 0.92 s).
BLOCK_SHINGLES = 32_768


def minhash_signatures(texts: Sequence[str], chunk: int = 100_000) -> np.ndarray:
    """A ``(len(texts), NUM_PERM)`` uint32 MinHash signature per text.

    Shingles are permuted in blocks of whole texts of about :data:`BLOCK_SHINGLES`
    hashes (a longer text is a block of its own); the signatures do not depend on it.
    """
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    for start in range(0, len(texts), chunk):
        part = texts[start:start + chunk]
        if not part:
            continue
        hashes, starts = shingle_hashes(part)
        ends = np.append(starts[1:], len(hashes))
        cuts = np.unique(np.append(np.searchsorted(
            starts, np.arange(0, len(hashes), BLOCK_SHINGLES)), len(part)))
        scratch = np.empty(int(np.max(ends[cuts[1:] - 1] - starts[cuts[:-1]])), np.uint64)
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            block = hashes[starts[a]:ends[b - 1]]
            permuted = scratch[:len(block)]
            offsets = starts[a:b] - starts[a]
            rows = out[start + a:start + b]
            for j in range(NUM_PERM):
                with np.errstate(over="ignore"):
                    np.multiply(block, _A[j], out=permuted)
                    np.add(permuted, _B[j], out=permuted)
                np.right_shift(permuted, np.uint64(32), out=permuted)
                rows[:, j] = np.minimum.reduceat(permuted, offsets)
    return out


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """``(n, BANDS)`` int64 hashes, one per LSH band of ``ROWS`` signature values."""
    sig = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    with np.errstate(over="ignore"):
        h = np.zeros((len(signatures), BANDS), dtype=np.uint64)
        for r in range(ROWS):
            h = mix64(h * np.uint64(0x9E3779B97F4A7C15) + sig[:, :, r])
        h = mix64(h + np.arange(BANDS, dtype=np.uint64))
    return h.view(np.int64)


def text_ids(texts: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit id per text (int64), the same for equal texts in any batch or run.

    A hash of the text's UTF-8 bytes, eight at a time, and their positions: texts
    can be keyed batch by batch without a dictionary of every text seen. Two
    different texts share an id with probability about 2**-64.

    >>> ids = text_ids(pa.array(["ab", "ba", "ab", "", None, "abcdefgh", "abcdefgh\\x00"]))
    >>> bool(ids[0] == ids[2]), len(set(ids.tolist()))
    (True, 5)
    """
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    arr = pc.cast(pc.fill_null(texts, ""), pa.large_string())
    n = len(arr)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    lengths = np.diff(offsets)
    first = int(offsets[0])
    data = np.zeros(int(offsets[-1]) - first + 8, dtype=np.uint8)
    data[:-8] = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[first:int(offsets[-1])]
    # The little-endian 64-bit word that starts at each byte (unaligned reads).
    word_at = np.ndarray(shape=(len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    counts = (lengths + 7) // 8
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    k = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(starts, counts)
    words = word_at[np.repeat(offsets[:-1] - first, counts) + 8 * k]
    left = np.repeat(lengths, counts) - 8 * k  # the text's bytes from this word on
    tail = left < 8  # a last word, cut to the text's own bytes
    words[tail] &= (np.uint64(1) << (left[tail].astype(np.uint64) * np.uint64(8))) - np.uint64(1)
    with np.errstate(over="ignore"):
        mixed = mix64(words ^ (k.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)))
        h = np.zeros(n, dtype=np.uint64)
        filled = counts > 0
        if filled.any():
            h[filled] = np.add.reduceat(mixed, starts[filled])
        h = mix64(h + lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    return h.view(np.int64)


#: Bits of each MinHash value kept to check candidate pairs (:func:`check_bits`).
CHECK_BITS = 8


def check_bits(signatures: np.ndarray) -> np.ndarray:
    """The lowest :data:`CHECK_BITS` bits of each MinHash value (uint8): b-bit MinHash
    (Li and König, 2010), a quarter of the memory, for checking candidate pairs of
    texts. Two different values agree there by chance (1 in 256), which
    :func:`bbit_jaccard` takes out."""
    return (signatures & np.uint32(0xFF)).astype(np.uint8)


def bbit_jaccard(bits_a: np.ndarray, bits_b: np.ndarray) -> np.ndarray:
    """Row-wise Jaccard similarity estimated from :func:`check_bits` signatures: the
    share of equal values, less the chance agreement of different ones (over the last
    axis, so arrays that broadcast give every pair).

    >>> a, b = "the battery dies before lunch every day", "the battery dies before lunch ok"
    >>> bits = check_bits(minhash_signatures([a, b, "Der Preis ist viel zu hoch"]))
    >>> same = bbit_jaccard(bits[[0, 0]], bits[[1, 2]])
    >>> bool(abs(same[0] - jaccard(a, b)) < 0.2), bool(same[1] < 0.1)
    (True, True)
    """
    chance = 2.0 ** -CHECK_BITS
    return ((bits_a == bits_b).mean(axis=-1) - chance) / (1.0 - chance)


def shingles(text: str) -> set[str]:
    """The character 3-grams of a normalised text (for exact checks and evidence)."""
    if len(text) < SHINGLE:
        return {text}
    return {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two normalised texts' 3-gram sets."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0
