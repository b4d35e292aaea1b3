"""Floods of one script in many wordings, found in crowded cells of one LSH band."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from undertow.coordination import scripts
from undertow.coordination.scripts import dense_core, near_matrix, script_floods
from undertow.coordination.textsim import check_bits, minhash_signatures, normalize_text
from undertow.simulate import rewrite, simulate

SCRIPT = ("The SU7 recall is a smear campaign by rivals, owners are happy and the car is "
          "safe, stop spreading lies")
def _cell(texts: list[str], bins: list[int]) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """One band's rows for ``texts`` (one post each, its own account), text numbers by
    first appearance, and their check bits and ids."""
    unique = sorted(set(texts), key=texts.index)
    tid = [unique.index(t) for t in texts]
    rows = pa.table({"band": pa.array([7] * len(texts), pa.int64()),
                     "bin": pa.array(bins, pa.int64()),
                     "pid": pa.array(range(len(texts)), pa.int64()),
                     "tid": pa.array(tid, pa.int64()),
                     "acc": pa.array(range(100, 100 + len(texts)), pa.int64()),
                     "ts": pa.array([60.0 * b + i % 60 for i, b in enumerate(bins)])})
    bits = check_bits(minhash_signatures([normalize_text(t) for t in unique]))
    return rows, bits, np.arange(1000, 1000 + len(unique), dtype=np.int64)


@pytest.fixture(scope="module")
def outrage() -> dict[str, list[str]]:
    """The simulator's organic outrage posts (people angry at one event, in their own
    words: its reference, their thoughts, punctuation and emoji), by language."""
    sim = simulate(30_000, seed=3)
    out: dict[str, list[str]] = {"zh": [], "en": []}
    for source, lang, text in zip(sim.labels["source"], sim.columns["lang"],
                                  sim.columns["text"], strict=True):
        if source == "outrage" and lang in out:
            out[lang].append(text)
    return out


def test_a_flood_cut_by_a_window_boundary_is_one_flood_without_the_crowd_around_it(outrage):
    """30 rewordings of one script, 18 in one window and 12 in the next, among 40
    posts of an outrage about the same car in the same windows."""
    flood = [rewrite(SCRIPT, "en", random.Random(i)) for i in range(30)]
    crowd = outrage["en"][:40]
    rows, bits, ids = _cell(flood + crowd, [5] * 18 + [6] * 12 + [5] * 20 + [6] * 20)
    floods, posts = script_floods(rows, bits, ids, min_accounts=8)
    assert floods.num_rows == 1
    assert sorted(posts["pid"].to_pylist()) == list(range(30))
    assert posts["flood"].to_pylist() == [0] * 30
    # Named by one of its own texts.
    assert 1000 <= floods["text_id"][0].as_py() < 1030


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_outrage_in_one_window_is_no_flood(outrage, lang):
    """Every outrage post of a language in one window (83 in Chinese, 57 in English):
    one event, alike in topic and mood, but no script."""
    texts = outrage[lang]
    assert len(texts) >= 50
    rows, bits, ids = _cell(texts, [3] * len(texts))
    floods, posts = script_floods(rows, bits, ids, min_accounts=8)
    assert floods.num_rows == 0 and posts.num_rows == 0


def test_too_few_accounts_are_no_flood():
    """Seven rewordings are below ``min_accounts`` 8; the same text posted by more
    accounts does not make more texts."""
    flood = [rewrite(SCRIPT, "en", random.Random(i)) for i in range(7)]
    rows, bits, ids = _cell(flood + flood[:1] * 5, [2] * 12)
    assert script_floods(rows, bits, ids, min_accounts=8)[0].num_rows == 0
    rows, bits, ids = _cell(flood + flood[:1] * 5, [2] * 12)
    assert script_floods(rows, bits, ids, min_accounts=7)[0].num_rows == 1


def test_near_matrix_matches_the_estimate_threshold():
    """Texts are near when their b-bit estimate is at least the threshold: a rewording
    of the script is, an unrelated text is not, and no text is near itself."""
    texts = [SCRIPT, rewrite(SCRIPT, "en", random.Random(1)), "Der Preis ist viel zu hoch"]
    near = near_matrix(check_bits(minhash_signatures([normalize_text(t) for t in texts])), 0.4)
    assert near.tolist() == [[False, True, False], [True, False, False],
                             [False, False, False]]


def test_dense_core_keeps_a_clique_and_drops_its_hangers_on():
    """A clique of five, and three texts each near two of its members only."""
    near = np.zeros((8, 8), bool)
    near[:5, :5] = True
    for k, (a, b) in enumerate([(0, 1), (2, 3), (3, 4)]):
        near[5 + k, [a, b]] = near[[a, b], 5 + k] = True
    np.fill_diagonal(near, False)
    assert np.flatnonzero(dense_core(near, 0.8)).tolist() == [0, 1, 2, 3, 4]
    assert dense_core(np.zeros((3, 3), bool), 0.8).sum() == 1


def test_a_cell_over_the_text_limit_keeps_the_texts_most_posted(outrage, monkeypatch):
    """A minute of more texts than are compared: 30 rewordings posted twice each (by
    60 accounts) among 140 outrage posts, with room for 20 texts: the 20 are the
    flood's, so it is found, with the posts of the texts compared."""
    monkeypatch.setattr(scripts, "MAX_CELL_TEXTS", 20)
    flood = [rewrite(SCRIPT, "en", random.Random(i)) for i in range(30)]
    crowd = outrage["en"][:57] + outrage["zh"][:83]
    rows, bits, ids = _cell(crowd + flood + flood, [4] * (len(crowd) + 60))
    floods, posts = script_floods(rows, bits, ids, min_accounts=8)
    assert floods.num_rows == 1 and posts.num_rows == 40
    assert set(posts["pid"].to_pylist()) < set(range(len(crowd), len(crowd) + 60))


def test_the_same_posts_give_the_same_flood_however_their_texts_were_numbered():
    """Two scripts of four texts each share one text; peeling the cell's graph finds
    one of them, whichever loses the tie. Text numbers follow the order posts were
    read (a newest-first export reverses it): the tie goes by the texts' ids."""
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 256, size=(7, 48), dtype=np.uint8)  # near no other text
    bits[:4, :24] = bits[0, :24]  # texts 0-3: one script
    bits[3:, 24:] = bits[3, 24:]  # texts 3-6: another, sharing text 3
    ids = np.array([50, 10, 60, 30, 20, 70, 40], np.int64)
    found = []
    for numbering in ([0, 1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0], [3, 0, 5, 1, 6, 2, 4]):
        at = np.argsort(numbering)  # the text that got each number
        rows = pa.table({"band": pa.array([7] * 7, pa.int64()), "bin": pa.array([0] * 7),
                         "pid": pa.array(numbering, pa.int64()),
                         "tid": pa.array(numbering, pa.int64()),
                         "acc": pa.array([100 + t for t in range(7)], pa.int64()),
                         "ts": pa.array([float(t) for t in range(7)])})
        floods, posts = script_floods(rows, bits[at], ids[at], min_accounts=4)
        found.append((floods["text_id"].to_pylist(), sorted(posts["acc"].to_pylist())))
    # Text 1 (id 10) has the lowest id of those with the fewest neighbours: it goes
    # first, and with it its script. In the other, every text is near every other:
    # the lowest id, text 4's, names the flood.
    assert found == [([20], [103, 104, 105, 106])] * 3
