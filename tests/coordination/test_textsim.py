"""Near-duplicate text: normalised forms and MinHash signatures."""

from __future__ import annotations

import doctest

import numpy as np
import pyarrow as pa

from undertow.coordination import textsim
from undertow.coordination.textsim import (
    BLOCK_SHINGLES,
    NUM_PERM,
    bbit_jaccard,
    check_bits,
    jaccard,
    minhash_signatures,
    shingle_hashes,
)


def test_doctests() -> None:
    assert doctest.testmod(textsim).failed == 0


def _one_by_one(texts: list[str]) -> np.ndarray:
    """Each text's signature on its own: the minimum of every permutation of its shingles."""
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    for i, text in enumerate(texts):
        hashes, _ = shingle_hashes([text])
        with np.errstate(over="ignore"):
            permuted = (hashes[:, None] * textsim._A[None, :] + textsim._B[None, :]) \
                >> np.uint64(32)
        out[i] = permuted.min(axis=0)
    return out


def test_signatures_do_not_depend_on_the_texts_around_them() -> None:
    rng = np.random.default_rng(7)
    words = ["battery", "续航", "Akku", "screen", "price", "太差了", "recall", "SU7", "lidar"]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(0, 30)))) for _ in range(3_000)]
    # Texts longer than a block, texts shorter than a shingle, and empty ones.
    texts[10] = "x" * (BLOCK_SHINGLES * 2 + 5)
    texts[11] = "ab"
    texts[12] = ""
    texts[-1] = "y" * (BLOCK_SHINGLES + 1)
    together = minhash_signatures(texts)
    assert np.array_equal(together, _one_by_one(texts))
    # Batches of any size give the same signatures.
    assert np.array_equal(minhash_signatures(texts, chunk=7), together)
    assert minhash_signatures([]).shape == (0, NUM_PERM)


def test_light_rewrites_look_alike_and_other_texts_do_not() -> None:
    a = "the battery of my su7 dies before lunch every day"
    b = "the battery of my su7 dies before lunch nearly every day"
    c = "delivery took three months and nobody answered the phone"
    sigs = minhash_signatures([a, b, c])
    full = (sigs[0] == sigs[1]).mean()  # all 32 bits of each value
    assert abs(float(full) - jaccard(a, b)) < 0.2
    assert float((sigs[0] == sigs[2]).mean()) < 0.15
    bits = check_bits(sigs)  # the low 8 bits, chance agreement taken out
    assert abs(float(bbit_jaccard(bits[:1], bits[1:2])[0]) - jaccard(a, b)) < 0.2
    assert float(bbit_jaccard(bits[:1], bits[2:3])[0]) < 0.15


def test_text_ids_tell_texts_apart_in_any_batch() -> None:
    from undertow.coordination.textsim import text_ids

    rng = np.random.default_rng(3)
    alphabet = list("ab xyz续航Akku😡")
    texts = sorted({"".join(rng.choice(alphabet, size=int(rng.integers(0, 40))))
                    for _ in range(20_000)})
    # Texts that differ only past a word boundary, in their last byte, or in length.
    texts += ["12345678", "123456789", "12345678\x00", "1234567", "x" * 64, "x" * 65]
    ids = text_ids(pa.array(texts))
    assert len(set(ids.tolist())) == len(texts)
    sliced = pa.array(["pad", *texts])[1:]  # an Arrow slice: offsets not from zero
    assert np.array_equal(text_ids(sliced), ids)
    assert np.array_equal(text_ids(pa.chunked_array([texts[:7], texts[7:]])), ids)
    assert np.array_equal(text_ids(pa.array(texts[100:200])), ids[100:200])


def test_what_readers_cannot_see_does_not_tell_texts_apart() -> None:
    import random

    from undertow.coordination.textsim import normalize_text, normalize_texts, spellings
    from undertow.simulate import salted

    plain = "Stop the lies about the recall"
    salt = "St\u200bop t\u00adhe l\u2060ies аbоut thе rеcаll\u200e\u3164"  # Cyrillic а о е
    assert normalize_text(salt) == normalize_text(plain) == "stop the lies about the recall"
    assert normalize_text("Ärger über den Rückruf") == "arger uber den ruckruf"
    assert normalize_text("Z̷a̶l̸g̵o̴ text") == "zalgo text"
    assert normalize_text("Greek νaccine") == "greek vaccine"  # ν is v, not capital Ν's n
    # The Arabic tatweel only stretches a word.
    assert normalize_text("أنـا أحـب هـذا الـمنتج") == normalize_text("أنا أحب هذا المنتج")
    assert normalize_text("s\u2800t\ufffco\u115fp it") == "stop it"  # blanks drawn as nothing
    # A letter comes out the same whatever else its text holds (an emoji's variation
    # selector, a soft hyphen): Greek, Russian and Japanese copies with and without one.
    for text in ("Το τηλέφωνό μου χάλασε μετά την ενημέρωση", "Ещё один отзыв про её батарею",
                 "バッテリーがすぐ切れる、がっかりです"):
        assert normalize_text(text + " ❤️") == normalize_text(text + " ❤") \
            == normalize_text(text.replace(" ", " \u00ad", 1))
    # A text in one script keeps its letters: Russian reads as Russian, Chinese numerals
    # stay Chinese, Korean syllables stay whole; a Russian copy salted with Latin а/о/р
    # reads as the plain one.
    russian = "Не покупайте телефоны в этом магазине"
    assert normalize_text(russian) == "не покупаите телефоны в этом магазине"
    assert normalize_text(russian.replace("о", "o").replace("р", "p")) == normalize_text(russian)
    assert normalize_text("сок") != normalize_text("сон")
    assert normalize_text("二〇二三年 小米") == "二〇二三年 小米"
    assert normalize_text("배터리 최고") == "배터리 최고"
    # Salted copies of one paste are one text and one spelling; case and punctuation are
    # how people type, and stay.
    copies = [salted(plain, random.Random(seed)) for seed in range(40)]
    assert set(normalize_texts(pa.array(copies)).to_pylist()) == {normalize_text(plain)}
    assert set(spellings(pa.array(copies)).to_pylist()) == {plain}
    # Capitals stay capitals: Cyrillic І is I (its confusable is l), Greek Ν is N (ν is v).
    assert spellings(pa.array(["Іt is a lie", "It is a lie"])).to_pylist() == ["It is a lie"] * 2
    assert spellings(pa.array(["Νever forget Νo"])).to_pylist() == ["Never forget No"]
    assert spellings(pa.array(["Merry Christmas!", "merry christmas"])).to_pylist() == [
        "Merry Christmas!", "merry christmas"]
