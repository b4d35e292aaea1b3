"""Which bursts tie their accounts into campaigns (``campaigns.repeated_bursts``)."""

from __future__ import annotations

import doctest

import numpy as np
import pyarrow as pa

from undertow.coordination import campaigns
from undertow.coordination.campaigns import BurstPost, iso, iso_many, repeated_bursts

NO_EDGES = pa.table({"account_1": pa.array([], pa.string()),
                     "account_2": pa.array([], pa.string())})


def _burst(signal: str, key: str, accounts: list[str], at: float, hour_share: float = 0.6
           ) -> dict[str, object]:
    return {"signal": signal, "key": key, "accounts": sorted(accounts), "hour_share": hour_share,
            "posts": [BurstPost(a, f"{key}-{a}-{at:.0f}", at + i)
                      for i, a in enumerate(accounts)]}


def test_doctests() -> None:
    assert doctest.testmod(campaigns).failed == 0


def test_a_crowd_that_joins_two_surges_is_not_a_campaign() -> None:
    """A brand's 1,000 active accounts: 400 repost a viral post, and three hours later
    20 post a trending hashtag within one minute, 12 of whom had reposted (8 would by
    chance). Meeting again inside a crowd that large is chance, not concert; twelve
    accounts that flood two hashtags together are a campaign."""
    fans = [f"twitter:fan{i}" for i in range(1000)]
    # The cascade's first minute holds 30% of its reposts in the hour: no block of one
    # content (half), no wave (a quarter) either.
    viral = _burst("repost", "twitter:star1", fans[:400], 0.0, hour_share=0.3)
    tag = _burst("hashtag", "su7recall", fans[388:408], 3 * 3600.0)
    ring = [f"twitter:bot{i}" for i in range(12)]
    floods = [_burst("hashtag", "buysu7", ring, 7200.0), _burst("hashtag", "su7best", ring,
                                                                9000.0)]
    bursts = [viral, tag, *floods]
    kept, alone = repeated_bursts(bursts, NO_EDGES, 60.0, {"twitter": 1012})
    assert [b["key"] for b in kept] == ["buysu7", "su7best"]
    assert tag["meets_again"] == 0.0
    # Counting every shared account, 12 of the 20 (60%) "meet again": a campaign.
    kept, _ = repeated_bursts(bursts, NO_EDGES, 60.0)
    assert "su7recall" in [b["key"] for b in kept]


def test_an_engaged_public_filling_every_wave_of_news_is_not_a_campaign() -> None:
    """300 owners of 1,600 active accounts take up each of five stories in a week (a
    recall, a crash, the hood, a refund, the brand's answer), in their own words over
    the next quarter of an hour: each story's busiest minute holds 8% of its hashtag's
    use. Four in five owners are in every wave, far beyond chance, yet waves are how a
    public reacts. The same 12 accounts flooding three hashtags within a minute each
    (the whole of each tag's use) are a campaign."""
    owners = [f"twitter:owner{i}" for i in range(300)]
    tags = ["su7recall", "su7crash", "hoodgate", "refundsu7", "xiaomianswer"]
    waves = [_burst("hashtag", tag, owners[k * 60 // 5:][:240], k * 86400.0, hour_share=0.08)
             for k, tag in enumerate(tags)]
    ring = [f"twitter:bot{i}" for i in range(12)]
    floods = [_burst("hashtag", tag, ring, 3600.0 + k * 86400.0, hour_share=1.0)
              for k, tag in enumerate(["buysu7", "su7best", "mi4ever"])]
    kept, alone = repeated_bursts([*waves, *floods], NO_EDGES, 60.0, {"twitter": 1612})
    assert [b["key"] for b in kept] == ["buysu7", "su7best", "mi4ever"]
    assert [b["key"] for b in alone] == tags and all(b["meets_again"] == 0.0 for b in alone)
    # Were they floods (the same minute, nobody else on the tag), they would meet again.
    blocks = [{**w, "hour_share": 1.0} for w in waves]
    kept, _ = repeated_bursts(blocks, NO_EDGES, 60.0, {"twitter": 1612})
    assert [b["key"] for b in kept] == tags
    # A wave that significant edges tie (half its accounts or more) still counts.
    edges = pa.table({"account_1": owners[:120], "account_2": owners[120:240]})
    kept, _ = repeated_bursts(waves[:1], edges, 60.0, {"twitter": 1612})
    assert [b["key"] for b in kept] == ["su7recall"]


def _script(key: str, accounts: list[str], at: float) -> dict[str, object]:
    """A flood of one script (no ``hour_share``, no chance of its own)."""
    return {"signal": "near_text", "key": key, "kid": -1, "accounts": sorted(accounts),
            "p": 1.0, "script": True,
            "posts": [BurstPost(a, f"{key}-{a}", at + i) for i, a in enumerate(accounts)]}


def test_a_flood_of_one_script_ties_only_accounts_that_meet_again() -> None:
    """30 paid accounts reword one script together twice, a day apart; each time two
    bystanders' own posts fell near the script. The floods share the 30 far beyond
    chance among 2,000 active accounts, with that chance as their ``p``; the
    bystanders, there once each, are not tied. Alone, or as one block however
    large, a flood of one script ties no one."""
    paid = [f"twitter:paid{i}" for i in range(30)]
    first = _script("script:1", [*paid, "twitter:by0", "twitter:by1"], 0.0)
    second = _script("script:2", [*paid, "twitter:by2", "twitter:by3"], 86400.0)
    kept, alone = repeated_bursts([first, second], NO_EDGES, 60.0, {"twitter": 2000})
    assert alone == [] and [b["accounts"] for b in kept] == [sorted(paid)] * 2
    assert {p.account for b in kept for p in b["posts"]} == set(paid)
    assert all(0.0 < b["p"] < 1e-40 for b in kept)
    lone = _script("script:3", [f"twitter:x{i}" for i in range(300)], 0.0)
    kept, alone = repeated_bursts([lone], NO_EDGES, 60.0, {"twitter": 2000})
    assert kept == [] and alone[0]["meets_again"] == 0.0 and alone[0]["p"] == 1.0


def test_communities_held_by_the_same_bursts_are_one_campaign() -> None:
    """Two campaigns of ten, each tied by its own significant edges. A hashtag minute
    that three accounts of each happen to share does not make them one; a flood that
    all twenty post together does, unless each floods more on its own."""
    a = [f"twitter:a{i}" for i in range(10)]
    b = [f"twitter:b{i}" for i in range(10)]
    pairs = [(x, y) for group in (a, b) for i, x in enumerate(group) for y in group[i + 1:]]
    edges = pa.table({"account_1": [x for x, _ in pairs], "account_2": [y for _, y in pairs],
                      "p_value": [1e-6] * len(pairs)})
    crossing = _burst("hashtag", "su7", a[:3] + b[:3], 0.0)
    crossing["p"] = 1e-9
    assert campaigns.communities(edges, [crossing], 1.0, 0) == [a, b]
    together = {**_burst("hashtag", "buysu7", a + b, 0.0), "p": 1e-9}
    assert campaigns.communities(edges, [together], 1.0, 0) == [sorted(a + b)]
    # Each floods its own lines four times; once, both flood one video in the same
    # minute. Held alike by that burst alone, they stay two.
    own = [{**_burst("text", f"video|{side}{n}", group, 3600.0 * n), "p": 1e-9}
           for side, group in (("a", a), ("b", b)) for n in range(4)]
    assert campaigns.communities(edges, [*own, together], 1.0, 0) == [a, b]


def test_wordings_of_one_script_are_one_act_through_a_wording_between() -> None:
    """Three wordings posted in the same minute: the long one is near the two short ones,
    which are not near each other. All three are one script; a later post of the same
    text, and the same text on another video, are not part of it."""
    short, long, other = ("the car is safe and sound",
                          "the car is safe and sound stop spreading the lies",
                          "stop spreading the lies")
    bursts = [_burst("text", short, ["a"], 0.0), _burst("text", other, ["b"], 10.0),
              _burst("text", long, ["c"], 20.0), _burst("text", short, ["d"], 9000.0),
              _burst("text", f"v1|{short}", ["e"], 0.0), _burst("text", f"v2|{long}", ["f"], 0.0)]
    assert campaigns.wordings(bursts, 60.0, 0.3) == [0, 0, 0, 3, 4, 5]


def test_times_written_in_bulk_are_the_seconds_written_one_by_one():
    """Edges' first and last times are written a batch at a time; each must read the
    same second as Python's own conversion, also where a fraction rounds up to the
    next second or the time is before 1970."""
    rng = np.random.default_rng(7)
    whole = np.floor(1.7e9 + rng.random(20_000) * 6e5)
    ts = np.concatenate([
        1.7e9 + rng.random(20_000) * 6e5, whole, np.round(whole + rng.random(20_000), 3),
        whole + 0.9999995, whole + 0.9999996, whole - 0.0000004,
        np.nextafter(whole, 0), -rng.random(20_000) * 1e9, -whole / 2 - 0.5, [0.0, -0.0]])
    assert iso_many(ts) == [iso(t) for t in ts]
    assert iso_many(np.array([], dtype=float)) == []


def test_posts_of_platforms_that_reuse_ids_are_each_shown(tmp_path) -> None:
    """A post is keyed by (platform, post_id): 9 accounts on each of three platforms
    that number their posts alike ("1".."9") post one text within seconds. The campaign
    shows all 27 posts, each with its own platform's account and time."""
    import json

    from undertow import Workspace, ingest
    from undertow.coordination.detect import DetectParams, detect

    text = "copy paste message here"
    for n, platform in enumerate(("twitter", "weibo", "reddit")):
        rows = [{"id": str(i), "user": f"{platform}_u{i}", "text": text,
                 "created_at": f"2025-04-01T08:00:{10 * n + i:02d}Z"} for i in range(1, 10)]
        f = tmp_path / f"{platform}.jsonl"
        f.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        with Workspace.open(tmp_path / "ws") as ws:
            ingest(ws, [f], platform=platform)
    with Workspace.open(tmp_path / "ws") as ws:
        result = detect(ws, DetectParams())
    [c] = result.campaigns
    assert c["size"] == len(c["accounts"]) == 27
    shown = {(p["platform"], p["post_id"]): p for p in c["posts"]}
    assert len(c["posts"]) == len(shown) == 27
    for (platform, post_id), p in shown.items():
        assert p["account_id"] == f"{platform}_u{post_id}"
        n = ("twitter", "weibo", "reddit").index(platform)
        assert p["created_at"] == f"2025-04-01T08:00:{10 * n + int(post_id):02d}Z"
    assert sum(t["posts"] for t in c["timeline"]) == 27
    assert [(k["key"], k["posts"]) for k in c["keys"] if k["signal"] == "text"] == [
        (k["key"], 27) for k in c["keys"] if k["signal"] == "text"]


def test_viewers_laughing_every_evening_are_not_a_campaign() -> None:
    """20 regulars of a live stream, among 2,000 viewers, laugh within seconds of one
    another at a funny moment every evening for five evenings (哈哈哈哈, hhhhhhhh):
    meeting again there is an audience, not concert. The same 20 pasting one line of
    their own every evening are a campaign, and the laughter does not make a line
    they posted once meet again."""
    viewers = [f"bilibili:v{i}" for i in range(20)]
    laughs = [_burst("text", f"bvlive1|{'哈哈哈哈' if k % 2 else 'hhhhhhhh'}", viewers,
                     k * 86400.0) for k in range(5)]
    kept, alone = repeated_bursts(laughs, NO_EDGES, 60.0, {"bilibili": 2000})
    assert kept == [] and len(alone) == 5 and all(b["meets_again"] == 0.0 for b in alone)
    lines = [_burst("text", "bvlive1|苹果真垃圾", viewers, k * 86400.0 + 3600.0)
             for k in range(5)]
    kept, _ = repeated_bursts(lines, NO_EDGES, 60.0, {"bilibili": 2000})
    assert len(kept) == 5
    kept, alone = repeated_bursts([*laughs, lines[0]], NO_EDGES, 60.0, {"bilibili": 2000})
    assert kept == [] and len(alone) == 6


def test_a_plateau_of_one_key_does_not_meet_again() -> None:
    """50 people live-post an event's hashtag for half an hour: the minutes that stand
    above the hour come as bursts minutes apart, the same people in each, each a small
    share of the hour. A crew flooding the tag every ten minutes looks the same, save
    that each flood stands above the minutes beside it; a plateau's bursts do not."""
    guests = [f"twitter:guest{i}" for i in range(50)]
    floods = [_burst("hashtag", "su7launch", guests, k * 600.0, hour_share=0.1)
              for k in range(3)]
    kept, alone = repeated_bursts(floods, NO_EDGES, 60.0, {"twitter": 2000})
    assert len(kept) == 3 and alone == []
    plateau = [{**b, "flat": True} for b in floods]
    kept, alone = repeated_bursts(plateau, NO_EDGES, 60.0, {"twitter": 2000})
    assert kept == [] and len(alone) == 3
