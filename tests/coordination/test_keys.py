"""Keyed rows: what each post does, per signal, by name and on integers."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from undertow import Workspace, ingest
from undertow.coordination.features import read_posts
from undertow.coordination.keys import KeyOptions, keyed_ids, keyed_rows, post_features
from undertow.simulate import simulate, write_posts


@pytest.fixture(scope="module")
def posts(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """3,000 simulated posts as detection reads them from a workspace."""
    folder = tmp_path_factory.mktemp("keys")
    write_posts(simulate(3_000, seed=5), folder / "posts.jsonl")
    with Workspace.open(folder / "ws") as ws:
        ingest(ws, [folder / "posts.jsonl"])
        return next(read_posts(ws, 10_000))


def test_signals_without_text_skip_the_text_work_and_key_the_same(posts):
    """Links, hashtags, replies and reposts alone need no normalised text: the rows
    are the same whether texts are compared or not."""
    signals = ("link", "hashtag", "reply", "repost", "object")
    full = keyed_rows(post_features(posts, KeyOptions()), signals)
    lean_fx = post_features(posts, KeyOptions(), signatures=False, texts=False)
    lean = keyed_rows(lean_fx, signals)
    assert full.num_rows > 1_000 and lean.sort_by("post_id").equals(full.sort_by("post_id"))
    assert lean_fx.text_key.null_count == len(lean_fx.text_key) and lean_fx.text_ids is None


def test_ids_name_each_key_once_and_keep_signals_apart(posts):
    fx = post_features(posts, KeyOptions(), signatures=False)
    named = keyed_rows(fx)
    ids, names = keyed_ids(fx, first_pid=1_000)
    assert ids.num_rows == named.num_rows
    assert pc.min(ids["post_id"]).as_py() >= 1_000
    pairs = set(zip(names["signal"].to_pylist(), names["key"].to_pylist(), strict=True))
    assert len(pairs) == names.num_rows == len(set(names["key"].to_pylist()))
    # The same key id always stands for the same (signal, name), and back.
    lookup = dict(zip(names["key"].to_pylist(),
                      zip(names["signal"].to_pylist(), names["name"].to_pylist(), strict=True),
                      strict=True))
    assert {lookup[k] for k in ids["key"].to_pylist()} == set(zip(
        named["signal"].to_pylist(), named["key"].to_pylist(), strict=True))
