"""The synthetic stream: deterministic, the right size and shape, campaigns as planted,
organic activity that looks organic, and files that ingest."""

from __future__ import annotations

import collections
import csv
import doctest
import itertools
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from undertow import Workspace, ingest
from undertow.entities import extract_hashtags, extract_urls, normalize_url
from undertow.simulate import (
    CNT_FIELDS,
    KINDS,
    POST_FIELDS,
    Simulation,
    char_jaccard,
    rewrite,
    simulate,
    write_posts,
    write_truth,
)

N = 20_000
SEED = 11
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(N, seed=SEED)


def campaign_posts(sim: Simulation, kind: str) -> list[tuple[dict[str, Any], list[int]]]:
    """(campaign, row numbers of its coordinated posts) for every campaign of ``kind``."""
    rows: dict[str, list[int]] = collections.defaultdict(list)
    for i, cid in enumerate(sim.labels["campaign_id"]):
        if cid:
            rows[cid].append(i)
    return [(c, rows[c["campaign_id"]]) for c in sim.truth["campaigns"] if c["kind"] == kind]


def bursts(sim: Simulation, rows: list[int], gap: int = 600) -> list[list[int]]:
    """Rows split wherever more than ``gap`` seconds pass between consecutive posts."""
    out: list[list[int]] = []
    for i in rows:
        if out and sim.timestamps[i] - sim.timestamps[out[-1][-1]] <= gap:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def span(sim: Simulation, rows: list[int]) -> int:
    return int(sim.timestamps[rows[-1]] - sim.timestamps[rows[0]])


# --- determinism and shape -----------------------------------------------------------


def test_doctests() -> None:
    from undertow import simulate

    assert doctest.testmod(simulate).failed == 0


def test_same_seed_same_stream_other_seed_other_stream(sim):
    again = simulate(N, seed=SEED)
    assert again.columns == sim.columns
    assert again.truth == sim.truth
    other = simulate(N, seed=SEED + 1)
    assert other.columns["text"] != sim.columns["text"]
    assert other.truth["accounts"] != sim.truth["accounts"]


def test_deterministic_across_processes():
    code = ("import hashlib, orjson; from undertow.simulate import simulate; "
            "s = simulate(3000, seed=5); "
            "print(hashlib.sha1(orjson.dumps([s.columns, s.truth])).hexdigest())")
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


@pytest.mark.parametrize("n", [0, 1, 57, 999, 5_000])
def test_size_is_exact(n):
    s = simulate(n, seed=2)
    assert len(s) == n == len(s.posts) == len(s.timestamps)
    assert s.truth["n_posts"] == n


def test_posts_have_the_canonical_keys_and_values(sim):
    assert len(sim) == N
    first = sim.posts[0]
    assert list(first) == list(POST_FIELDS)
    for p in sim.posts:
        assert p["platform"] in ("twitter", "weibo", "bilibili")
        assert p["lang"] in ("zh", "en", "de")
        assert ISO.match(p["created_at"])
        assert p["text"] and p["author_id"] and p["author_name"]
        if p["platform"] == "bilibili":
            assert p["thread_id"].startswith("BV")
            assert p["repost_of_post_id"] is None


def test_post_ids_unique_and_posts_sorted(sim):
    assert len(set(sim.columns["post_id"])) == N
    assert sim.columns["created_at"] == sorted(sim.columns["created_at"])
    assert (sim.timestamps[1:] >= sim.timestamps[:-1]).all()


def test_replies_and_reposts_point_at_earlier_posts_on_the_same_platform(sim):
    where = {pid: i for i, pid in enumerate(sim.columns["post_id"])}
    counts: collections.Counter[str] = collections.Counter()
    for i, p in enumerate(sim.posts):
        for key in ("reply_to_post_id", "repost_of_post_id"):
            if p[key] is not None:
                j = where[p[key]]
                assert j < i and sim.posts[j]["platform"] == p["platform"]
                assert sim.posts[j]["repost_of_post_id"] is None
                counts[key] += 1
        if p["reply_to_post_id"] and p["platform"] != "bilibili":
            assert p["thread_id"] == sim.posts[where[p["reply_to_post_id"]]]["thread_id"]
    assert counts["reply_to_post_id"] > 0.1 * N and counts["repost_of_post_id"] > 0.05 * N


def test_start_and_days_bound_the_window():
    start = datetime(2024, 9, 1, 12, 30, tzinfo=UTC)
    s = simulate(3000, seed=1, start=start, days=2)
    first = datetime.fromisoformat(s.columns["created_at"][0])
    last = datetime.fromisoformat(s.columns["created_at"][-1])
    assert start <= first <= last < start + timedelta(days=2)
    assert s.truth["start"] == "2024-09-01T12:30:00Z"


def test_languages_and_brands_mix(sim):
    share = collections.Counter(sim.columns["lang"])
    assert 0.40 < share["zh"] / N < 0.52
    assert 0.33 < share["en"] / N < 0.45
    assert 0.10 < share["de"] / N < 0.20
    text = " ".join(sim.columns["text"][:5000])
    for word in ("小米", "苹果", "iPhone", "SU7", "Akku", "续航", "battery", "Xiaomi"):
        assert word in text


def test_organic_texts_are_varied(sim):
    organic = [t for t, src, repost in zip(sim.columns["text"], sim.labels["source"],
                                           sim.columns["repost_of_post_id"], strict=True)
               if src == "organic" and repost is None]
    assert len(set(organic)) > 0.9 * len(organic)
    urls = {u for t in organic for u in extract_urls(t)}
    assert len(urls) > 300
    assert len({normalize_url(u).split("/")[0] for u in urls}) > 40


# --- campaigns -----------------------------------------------------------------------


def test_every_kind_is_planted_at_least_three_times(sim):
    kinds = collections.Counter(c["kind"] for c in sim.truth["campaigns"])
    assert set(kinds) == set(KINDS)
    assert min(kinds.values()) >= 3
    stances = {(c["stance"], c["brand"]) for c in sim.truth["campaigns"]}
    assert {s for s, _ in stances} == {"praise", "attack"}


def test_campaigns_are_8_to_15_percent_of_posts(sim):
    share = sim.labels["source"].count("campaign") / N
    assert 0.08 <= share <= 0.15
    assert sum(c["posts"] for c in sim.truth["campaigns"]) == sim.labels["source"].count(
        "campaign")


def test_truth_accounts_all_post_and_also_post_ordinary_things(sim):
    authors = collections.Counter(sim.columns["author_id"])
    truth = sim.truth
    assert set(truth["accounts"]) <= set(authors)
    assert set(truth["organic_outrage"]["accounts"]) <= set(authors)
    for c in truth["campaigns"]:
        assert 3 <= len(c["accounts"]) <= 60
        assert all(truth["accounts"][a] == c["campaign_id"] for a in c["accounts"])
    assert sum(c["cover_posts"] for c in truth["campaigns"]) > 0.5 * len(truth["accounts"])
    assert not set(truth["organic_outrage"]["accounts"]) & set(truth["accounts"])


def test_copy_paste_is_the_same_text_within_a_minute_repeated_over_days(sim):
    for c, rows in campaign_posts(sim, "copy_paste"):
        groups = bursts(sim, rows)
        assert len(groups) >= 2
        assert span(sim, rows) > 86400
        for group in groups:
            texts = {sim.columns["text"][i] for i in group}
            assert len(texts) == 1 and texts <= set(c["texts"])
            assert span(sim, group) <= 60
            assert len({sim.columns["author_id"][i] for i in group}) >= 2


def test_light_rewrites_are_similar_but_not_identical(sim):
    for c, rows in campaign_posts(sim, "light_rewrite"):
        for group in bursts(sim, rows):
            assert span(sim, group) <= 60
            texts = [sim.columns["text"][i] for i in group]
            assert len(set(texts)) > 1
            for t in texts:
                assert t not in c["texts"]
                assert 0.4 <= max(char_jaccard(t, o) for o in c["texts"]) <= 0.8


def test_link_push_shares_one_url_with_varying_tracking_and_text(sim):
    for c, rows in campaign_posts(sim, "link_push"):
        raw_urls: set[str] = set()
        for group in bursts(sim, rows):
            assert span(sim, group) <= 60
            urls = [extract_urls(sim.columns["text"][i]) for i in group]
            assert all(len(u) == 1 for u in urls)
            assert {normalize_url(u[0]) for u in urls} == {normalize_url(c["url"])}
            raw_urls.update(u[0] for u in urls)
            texts = [sim.columns["text"][i] for i in group]
            assert len(set(texts)) == len(texts)
        assert len(raw_urls) > 0.8 * len(rows)


def test_hashtag_flood_repeats_one_tag_set_with_varied_text(sim):
    for c, rows in campaign_posts(sim, "hashtag_flood"):
        assert 2 <= len(c["hashtags"]) <= 3
        for group in bursts(sim, rows):
            assert span(sim, group) <= 60
            for i in group:
                assert set(extract_hashtags(sim.columns["text"][i])) >= set(c["hashtags"])
            assert len({sim.columns["text"][i] for i in group}) == len(group)


def test_reply_raids_hit_one_earlier_post_within_two_minutes(sim):
    where = {pid: i for i, pid in enumerate(sim.columns["post_id"])}
    for c, rows in campaign_posts(sim, "reply_raid"):
        for group in bursts(sim, rows):
            targets = {sim.columns["reply_to_post_id"][i] for i in group}
            assert len(targets) == 1 and None not in targets
            target_id = targets.pop()
            assert target_id in c["targets"]
            target = where[target_id]
            assert sim.labels["source"][target] in ("organic", "cover")
            assert sim.timestamps[target] < sim.timestamps[group[0]]
            assert span(sim, group) <= 120


def test_repost_rings_repost_each_other_within_seconds(sim):
    where = {pid: i for i, pid in enumerate(sim.columns["post_id"])}
    for c, rows in campaign_posts(sim, "repost_ring"):
        members = set(c["accounts"])
        seeders = set()
        for group in bursts(sim, rows):
            seed = [i for i in group if sim.columns["repost_of_post_id"][i] is None]
            assert len(seed) == 1
            seeders.add(sim.columns["author_id"][seed[0]])
            for i in group:
                assert sim.columns["author_id"][i] in members
                if i != seed[0]:
                    assert where[sim.columns["repost_of_post_id"][i]] == seed[0]
                    assert 0 < sim.timestamps[i] - sim.timestamps[seed[0]] <= 60
        assert len(seeders) >= 2


def test_danmaku_floods_repeat_one_line_on_one_video_within_seconds(sim):
    for c, rows in campaign_posts(sim, "danmaku_flood"):
        assert c["platform"] == "bilibili"
        for group in bursts(sim, rows):
            assert len({sim.columns["text"][i] for i in group}) == 1
            assert len({sim.columns["thread_id"][i] for i in group}) == 1
            assert span(sim, group) <= 20


# --- organic behaviour ---------------------------------------------------------------


def test_organic_activity_is_heavy_tailed(sim):
    planted = set(sim.truth["accounts"])
    counts = sorted(collections.Counter(a for a in sim.columns["author_id"]
                                        if a not in planted).values(), reverse=True)
    top = counts[: len(counts) // 10]
    assert sum(top) > 0.3 * sum(counts)
    assert counts[0] > 20 * counts[len(counts) // 2]


def test_organic_posting_follows_a_daily_rhythm(sim):
    hours: collections.Counter[int] = collections.Counter()
    for p, src, t in zip(sim.posts, sim.labels["source"], sim.timestamps.tolist(), strict=True):
        if src == "organic" and p["platform"] == "weibo":
            hours[(t // 3600 + 8) % 24] += 1  # Weibo users live in UTC+8
    night = sum(hours[h] for h in (2, 3, 4, 5))
    evening = sum(hours[h] for h in (19, 20, 21, 22))
    assert night < 0.4 * evening


def test_outrage_is_many_independent_voices_over_hours(sim):
    rows = [i for i, src in enumerate(sim.labels["source"]) if src == "outrage"]
    truth = sim.truth["organic_outrage"]
    assert len(truth["accounts"]) >= 50 and truth["posts"] == len(rows)
    assert {sim.columns["author_id"][i] for i in rows} == set(truth["accounts"])
    texts = [sim.columns["text"][i] for i in rows]
    assert len(set(texts)) >= 0.95 * len(texts)
    pairs = list(itertools.combinations(texts[:80], 2))
    sims = sorted(char_jaccard(a, b) for a, b in pairs)
    assert sims[len(sims) // 2] < 0.2
    assert span(sim, rows) > 3600
    stamps = sim.timestamps[rows]
    busiest = max(int(((stamps >= t) & (stamps < t + 60)).sum()) for t in stamps.tolist())
    assert busiest <= 8  # not synchronised


def test_rewrite_keeps_jaccard_between_04_and_08():
    import random

    rnd = random.Random(3)
    for text, lang in (("小米汽车真的良心，SU7的续航太顶了！转发让更多人看到！", "zh"),
                       ("Apple is a scam. The iPhone 16 battery drains way too fast.", "en"),
                       ("Der SU7 ist gefährlich. Die Bremse macht mir Angst. Teilen!", "de")):
        for _ in range(20):
            new = rewrite(text, lang, rnd)
            assert new != text and 0.4 <= char_jaccard(new, text) <= 0.8


# --- files ---------------------------------------------------------------------------


def test_written_jsonl_ingests_completely(sim, tmp_path):
    path = write_posts(sim, tmp_path / "posts.jsonl")
    first = json.loads(path.read_text(encoding="utf-8").split("\n", 1)[0])
    assert list(first) == list(POST_FIELDS)
    with Workspace.open(tmp_path / "ws") as ws:
        report = ingest(ws, [path])
        assert report.stored == N and report.quarantined == 0
        n_urls = ws.con.execute("SELECT count(*) FROM posts WHERE len(urls) > 0").fetchone()
        assert n_urls is not None and n_urls[0] > 0


def test_generic_csv_and_cnt_csv_headers(tmp_path):
    small = simulate(3000, seed=4)
    generic = write_posts(small, tmp_path / "posts.csv")
    with generic.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(POST_FIELDS) and len(rows) == 3001
    cnt = write_posts(small, tmp_path / "posts.cnt.csv")
    with cnt.open(encoding="utf-8", newline="") as f:
        records = list(csv.DictReader(f))
    assert list(records[0]) == list(CNT_FIELDS) and len(records) == 3000
    assert records[0]["message_id"] == small.columns["post_id"][0]
    assert int(records[0]["timestamp"]) == int(small.timestamps[0])
    with_urls = [r for r in records if r["urls"]]
    assert with_urls and all(u in r["message"] for r in with_urls for u in r["urls"].split(" "))
    assert any(r["repost_id"] for r in records) and any(r["reply_id"] for r in records)


def test_gzipped_jsonl_and_truth_file(tmp_path):
    import gzip

    small = simulate(1000, seed=6)
    path = write_posts(small, tmp_path / "posts.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        assert sum(1 for _ in f) == 1000
    truth = json.loads(write_truth(small, tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 6 and truth["n_posts"] == 1000
    assert {"campaigns", "accounts", "organic_outrage"} <= set(truth)
    assert set(truth["campaigns"][0]) >= {"campaign_id", "kind", "stance", "accounts", "posts"}
    assert Path(path).stat().st_size > 0
