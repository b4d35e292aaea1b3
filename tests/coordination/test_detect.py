"""Detection as a user judges it: planted campaigns found, organic outrage never flagged."""

from __future__ import annotations

import gc
import json
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from click.testing import CliRunner

from undertow import Workspace, ingest
from undertow.cli import main
from undertow.coordination.campaigns import MAX_EVIDENCE_POSTS, MAX_SIMILARITY_SAMPLE
from undertow.coordination.detect import DetectParams, detect
from undertow.coordination.evaluate import evaluate
from undertow.coordination.store import save
from undertow.coordination.textsim import jaccard, normalize_text
from undertow.simulate import salted, simulate, write_posts, write_truth


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("sim")
    posts, truth = folder / "posts.jsonl", folder / "truth.json"
    sim = simulate(30_000, seed=3)
    write_posts(sim, posts)
    write_truth(sim, truth)
    with Workspace.open(folder / "ws") as ws:
        ingest(ws, [posts])
    return folder / "ws", posts, truth


def test_planted_campaigns_found_and_outrage_left_alone(simulated):
    wsdir, _, truth_file = simulated
    with Workspace.open(wsdir) as ws:
        result = detect(ws, DetectParams())
    scores = evaluate(json.loads(truth_file.read_text()), result.accounts)
    assert scores["precision"] >= 0.95 and scores["recall"] >= 0.95
    for kind in ("copy_paste", "link_push"):
        assert scores["kinds"][kind]["recall"] >= 0.95
    assert scores["kinds"]["light_rewrite"]["recall"] >= 0.8
    assert scores["ari_planted"] >= 0.9
    assert scores["organic_outrage_flagged"]["count"] == 0


def test_every_campaign_carries_its_evidence(simulated):
    wsdir, _, _ = simulated
    with Workspace.open(wsdir) as ws:
        result = detect(ws, DetectParams())
    assert result.campaigns
    for c in result.campaigns:
        assert c["size"] == len(c["accounts"]) >= 2
        assert c["keys"] and c["posts"] and c["timeline"]
        assert 0.0 <= c["p_chance"] < 0.01 and c["confidence"] > 0.99
        assert all(p["text"] is not None and p["created_at"].endswith("Z") for p in c["posts"])
        assert set(c["scores"]) == {"synchrony", "text_similarity", "duplicated_share",
                                    "account_age_homogeneity"}
        # Text similarity: the mean Jaccard of the shown texts' 3-grams, pair by pair.
        texts = [normalize_text(p["text"]) for p in c["posts"] if p["text"]]
        texts = texts[:MAX_SIMILARITY_SAMPLE]
        sims = [jaccard(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]]
        assert c["scores"]["text_similarity"] == (round(float(np.mean(sims)), 3) if sims
                                                  else None)
        # Signals from the most to the least used, ties by name: the same every run.
        counts = list(c["signals"].items())
        assert counts == sorted(counts, key=lambda kv: (-kv[1], kv[0])), counts
        # Every key it lists is backed by shown posts of at least two of its accounts.
        for key in c["keys"]:
            tie = {"signal": key["signal"], "key": key["key"]}
            backing = [p for p in c["posts"] if tie in p["ties"]]
            assert key["posts"] == len(backing)
            assert key["example"] == next((p["text"] for p in backing if p["text"]), None)
            assert len({p["account_id"] for p in backing}) >= 2, (c["campaign_id"], key)


def _posts(rows: list[tuple[str, datetime, str]]) -> list[dict[str, object]]:
    return [{"id": f"p{i}", "user": author, "created_at": t.isoformat() + "Z", "text": text}
            for i, (author, t, text) in enumerate(rows)]


def _ingest_rows(tmp_path: Path, rows: list[dict[str, object]]) -> Workspace:
    f = tmp_path / "posts.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                 encoding="utf-8")
    ws = Workspace.open(tmp_path / "ws")
    ingest(ws, [f])
    return ws


OPENERS = ["Honestly", "Unbelievable.", "So", "Day three and", "My wife says", "Lol",
           "Can't believe it:", "Update:", "Sigh,", "Tell me why", "PSA:", "Okay so"]
SUBJECTS = ["my SU7", "the car", "our Xiaomi", "this EV", "the new sedan", "my ride",
            "the thing", "our family car", "the SU7 Max", "my lease"]
COMPLAINTS = ["got the recall letter", "has the hood issue", "brakes feel soft",
              "charging stalls at 80%", "the dealer ghosted me", "the app lost my key",
              "wait time is 6 weeks", "the software update bricked the screen",
              "nobody answers the hotline", "they want me to drive 200km to a center"]
ENDINGS = ["never again", "refund please", "who else?", "I'm done", "thanks for nothing",
           "so much for premium", "shameful", "fix it", "unreal", "what a joke", "😡", "…"]


def angry_text(i: int) -> str:
    """Own words: independent choices per slot, with personal details."""
    return (f"{OPENERS[i % 12]} {SUBJECTS[(i * 7) % 10]} {COMPLAINTS[(i * 3) % 10]} "
            f"({i % 17 + 2} days now, {['Berlin', 'Beijing', 'Shenzhen', 'Austin', 'Lyon'][i % 5]})"
            f" {ENDINGS[(i * 5) % 12]} #recall117k")


def test_many_angry_people_at_once_are_not_a_campaign(tmp_path):
    """400 accounts angry about one recall, in their own words, at their own times,
    sharing one hashtag and one news link."""
    start = datetime(2025, 4, 1, 8)
    rows = []
    for i in range(400):
        when = start + timedelta(seconds=(i * 97) % 14_400 + i)
        rows.append((f"owner{i}", when, angry_text(i)))
        if i % 4 == 0:
            rows.append((f"owner{i}", when + timedelta(minutes=30 + i % 50),
                         f"news: https://news.example.com/recall-117000 {angry_text(i + 1)}"))
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert result.accounts == [] and result.campaigns == []


def test_a_post_going_viral_is_not_a_campaign(tmp_path):
    """A star's post draws 400 reposts and 150 replies from ordinary accounts, most in
    its first minutes (exponential, mean ten minutes): each person acts once, and no
    one is flagged. Sixty accounts that repost the same three posts within seconds of
    each other, hours apart, are one campaign; eighty that repost one post within
    thirty seconds, once, and no one else ever does, are another (a push starts and
    stops, a cascade has a tail)."""
    start = datetime(2025, 4, 1, 8)
    rng = np.random.default_rng(1)

    def post(pid: str, author: str, t: datetime, text: str, **link: str) -> dict[str, object]:
        return {"platform": "twitter", "post_id": pid, "author_id": author,
                "created_at": t.isoformat() + "Z", "text": text, **link}

    star_at = start + timedelta(hours=1)
    rows = [post("s0", "star", star_at, "Launch day! The new SU7 is here, thank you all")]
    rows += [post(f"u{i}", f"user{i}", start + timedelta(seconds=48 * i),
                  f"Ordinary post number {i} about {'battery' if i % 2 else 'camera'} life")
             for i in range(300)]
    for i, d in enumerate(rng.exponential(600, 400)):
        rows.append(post(f"rt{i}", f"fan{i}", star_at + timedelta(seconds=1 + float(d)),
                         "RT @star: Launch day! The new SU7 is here, thank you all",
                         repost_of_post_id="s0"))
    for i, d in enumerate(rng.exponential(900, 150)):
        rows.append(post(f"re{i}", f"fan{i + 400}", star_at + timedelta(seconds=1 + float(d)),
                         f"{OPENERS[i % len(OPENERS)]} {SUBJECTS[i % len(SUBJECTS)]} "
                         f"{COMPLAINTS[(i * 3) % len(COMPLAINTS)]}", reply_to_post_id="s0"))
    for n, hours in enumerate((0.5, 2.0, 3.5)):
        at = start + timedelta(hours=hours)
        rows.append(post(f"b{n}", "boss", at, f"Our pick number {n}: the SU7 beats them all"))
        rows += [post(f"ring{n}-{i}", f"ring{i}", at + timedelta(seconds=2 + i % 20),
                      f"RT @boss: Our pick number {n}", repost_of_post_id=f"b{n}")
                 for i in range(60)]
    pushed_at = start + timedelta(hours=2, minutes=40)
    rows.append(post("x0", "client", pushed_at, "Why the SU7 is the safest car you can buy"))
    rows += [post(f"push{i}", f"bot{i}", pushed_at + timedelta(seconds=3 + i % 30),
                  "RT @client: Why the SU7 is the safest car", repost_of_post_id="x0")
             for i in range(80)]
    with _ingest_rows(tmp_path, rows) as ws:
        result = detect(ws, DetectParams())
    flagged = {a["account_id"]: a["campaign_id"] for a in result.accounts}
    assert set(flagged) == {f"ring{i}" for i in range(60)} | {f"bot{i}" for i in range(80)}
    assert len({flagged[f"ring{i}"] for i in range(60)} | {flagged[f"bot{i}"]
                                                           for i in range(80)}) == 2
    assert result.counts["bursts_alone"] >= 1  # the viral minutes, counted, not a campaign
    viral = [x for x in result.surges if x["key"] == "twitter:s0"]
    assert viral and viral[0]["accounts"] >= 50 and viral[0]["hour_share"] < 0.5
    assert "fan0" not in json.dumps(result.surges)  # no account is named


def test_share_buttons_and_live_moments_are_not_campaigns(tmp_path):
    """300 readers share one article with its share button's text (title and link,
    unchanged) over the next quarter hour, and 200 people post a keynote's hashtag in
    their own words within its last minute. Each acts once: no campaign."""
    start = datetime(2025, 4, 1, 8)
    rng = np.random.default_rng(2)
    title = ("Xiaomi recalls 117,000 SU7 cars over driver-assistance software "
             "https://news.example.com/2025/xiaomi-recall-117000")
    rows = [(f"user{i}", start + timedelta(seconds=48 * i),
             f"Ordinary post number {i} about {'battery' if i % 2 else 'camera'} life")
            for i in range(300)]
    rows += [(f"reader{i}", start + timedelta(hours=1, seconds=1 + float(d)), title)
             for i, d in enumerate(rng.exponential(900, 300))]
    rows += [(f"viewer{i}", start + timedelta(hours=3, seconds=int(s)),
              f"{OPENERS[i % len(OPENERS)]} {SUBJECTS[(i * 3) % len(SUBJECTS)]} "
              f"{COMPLAINTS[(i * 7) % len(COMPLAINTS)]} #OneMoreThing")
             for i, s in enumerate(rng.integers(0, 60, 200))]
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert result.accounts == [] and result.campaigns == []
    assert result.counts["bursts_alone"] >= 2


def _own_words(opener: int, subject: int, complaint: int, ending: int) -> str:
    """A complaint put together from the lists above, each index taken modulo its list."""
    return (f"{OPENERS[opener % len(OPENERS)]} {SUBJECTS[subject % len(SUBJECTS)]} "
            f"{COMPLAINTS[complaint % len(COMPLAINTS)]} {ENDINGS[ending % len(ENDINGS)]}")


def test_owners_angry_at_every_piece_of_news_are_not_a_campaign(tmp_path):
    """300 owners among 600 accounts take up each of five stories of a week (one a
    day: a recall, a crash, the hood...), four in five of them every time, each in
    their own words over the next quarter of an hour under the story's hashtag. The
    same people meeting wave after wave is a public that cares, not concert: no
    campaign, and each story's crest is counted as a surge."""
    start = datetime(2025, 4, 1, 8)
    rng = np.random.default_rng(5)
    rows = [(f"user{i}", start + timedelta(minutes=16 * i),
             f"Ordinary post number {i} about {'battery' if i % 2 else 'camera'} life")
            for i in range(600)]
    tags = ["#SU7recall", "#SU7crash", "#hoodgate", "#refundSU7", "#XiaomiAnswer"]
    for day, tag in enumerate(tags):
        for i in range(300):
            if rng.random() < 0.8:
                at = start + timedelta(days=day, hours=3, seconds=1 + float(rng.exponential(900)))
                words = _own_words(i + day, i * 3, i * 7 + day, i + 2 * day)
                rows.append((f"owner{i}", at, f"{words} {tag}"))
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert result.accounts == [] and result.campaigns == []
    crests = {x["key"] for x in result.surges if x["signal"] == "hashtag" and x["wave"]}
    assert crests == {t.lstrip("#").lower() for t in tags}


QUOTES = ["wild", "no way", "called it", "I was about to buy one", "glad I waited",
          "this is so bad", "my unit gets hot too", "anyone surprised?", "lol",
          "they will never learn", "refund time", "unreal", "what a mess", "smh",
          "makes sense honestly", "waiting for the official statement", "my dad sent me this",
          "switching brands", "stock is going to tank", "good reporting", "about time",
          "classic", "yikes", "not surprised at all", "so what happens to existing owners",
          "this explains a lot", "oof", "big if true", "that's terrible", "wow"]
WORDS = ["really", "honestly", "totally", "just", "still", "again", "today", "people",
         "everyone", "nobody", "my", "our"]
HEADLINES = ["Phone X maker recalls 2 million units after battery fires reported in three "
             "countries", "Phone X maker CEO apologises, promises free replacements and a "
             "full safety audit"]


def test_people_quoting_the_news_in_their_own_words_are_not_a_campaign(tmp_path):
    """Of 400 people, 150 at random quote a headline with a few words of their own
    within minutes (delays exponential, mean ten minutes); five hours later 150 at
    random quote the next one. Their quotes are near-same texts, and pairs of them meet
    twice; the chance of that counts the hour's near-same pairs as it counts a
    hashtag's crowd (10 campaigns of 23 of them before)."""
    rng = random.Random(0)
    start = datetime(2025, 3, 26, 12)
    rows = []
    for wave, headline in enumerate(HEADLINES):
        for who in rng.sample(range(400), 150):
            quote = rng.choice(QUOTES)
            if rng.random() < 0.5:
                quote += " " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
            text = f"{headline} {quote}" if rng.random() < 0.5 else f"{quote}: {headline}"
            at = start + timedelta(hours=5 * wave,
                                   seconds=min(rng.expovariate(1 / 600), 3000))
            rows.append((f"reader{who}", at, text))
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert result.accounts == [] and result.campaigns == []


def test_rewriters_who_are_the_only_crowd_of_their_hours_are_still_found(tmp_path):
    """Ten accounts each reword one script, seconds apart, in three rounds three hours
    apart, among 200 ordinary posts: in their hours they are the only crowd writing
    alike. Their pairs meet in every round, so they do not count in the chance of
    meeting they are tested against; counted, the ring explained its own meetings and
    none was found."""
    from undertow.simulate import rewrite

    script = "The SU7 recall is a smear by rivals, owners are happy, stop spreading lies"
    start = datetime(2025, 4, 1, 8)
    rows = [(f"ring{a}", start + timedelta(hours=3 * r, seconds=5 * a),
             rewrite(script, "en", random.Random(f"{r}-{a}")))
            for r in range(3) for a in range(10)]
    rows += [(f"user{i}", start + timedelta(minutes=11 * i), f"Ordinary post number {i} "
              f"about {'battery' if i % 2 else 'camera'} life today") for i in range(200)]
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert {a["account_id"] for a in result.accounts} == {f"ring{a}" for a in range(10)}


def test_stock_reactions_at_one_moment_are_not_a_campaign(tmp_path):
    """120 people wish a happy new year within 50 seconds of midnight, and 120 viewers
    of a live stream type 哈哈哈哈, 666666 or 前方高能 within 40 seconds: the same few
    words from many people at once, each on their own. Each is a burst listed among the
    surges, no one is named (before: all 240 in campaigns)."""
    rng = random.Random(1)
    midnight, peak = datetime(2025, 1, 1), datetime(2025, 1, 1, 20)
    greetings = ["Happy New Year!", "happy new year", "HAPPY NEW YEAR", "Happy new year!!"]
    rows = [{"id": f"g{i}", "user": f"well{i}", "platform": "twitter",
             "created_at": (midnight + timedelta(seconds=rng.uniform(0, 50))).isoformat() + "Z",
             "text": rng.choice(greetings)} for i in range(120)]
    rows += [{"id": f"d{i}", "user": f"viewer{i}", "platform": "bilibili", "thread_id": "BVlive",
              "created_at": (peak + timedelta(seconds=rng.uniform(0, 40))).isoformat() + "Z",
              "text": rng.choice(["哈哈哈哈", "哈哈哈哈哈", "666666", "前方高能"])}
             for i in range(120)]
    with _ingest_rows(tmp_path, rows) as ws:
        result = detect(ws, DetectParams())
    assert result.accounts == [] and result.campaigns == []
    assert {s["key"] for s in result.surges} >= {"happy new year", "BVlive|666666"}


def test_a_longer_greeting_typed_by_each_is_not_a_campaign_but_a_paste_is(tmp_path):
    """120 people wish a merry Christmas everyone within 50 seconds of midnight, each
    typing it their own way: the text says something by its 3-grams (20), and nobody
    else posts it that hour, so it was a block of one content, all 120 one campaign.
    120 accounts pasting one slogan the same way at another moment are one."""
    rng = random.Random(2)
    midnight, later = datetime(2025, 12, 25), datetime(2025, 12, 25, 15)
    greetings = ["Merry Christmas everyone!", "merry christmas everyone",
                 "MERRY CHRISTMAS EVERYONE", "Merry Christmas, everyone!! 🎄"]
    rows = [{"id": f"x{i}", "user": f"friend{i}", "platform": "twitter",
             "created_at": (midnight + timedelta(seconds=rng.uniform(0, 50))).isoformat() + "Z",
             "text": rng.choice(greetings)} for i in range(120)]
    rows += [{"id": f"p{i}", "user": f"paid{i}", "platform": "twitter",
              "created_at": (later + timedelta(seconds=rng.uniform(0, 50))).isoformat() + "Z",
              "text": "Boycott Xiaomi, the SU7 is a death trap"} for i in range(120)]
    with _ingest_rows(tmp_path, rows) as ws:
        result = detect(ws, DetectParams())
    assert {a["account_id"] for a in result.accounts} == {f"paid{i}" for i in range(120)}
    assert "merry christmas everyone" in {s["key"] for s in result.surges}


def test_a_script_given_out_in_wordings_is_one_campaign(tmp_path):
    """40 accounts post a script within half a minute, on two days; half of them post
    one wording, half another. Each wording is a burst of its own text; the two are
    one act, and one campaign."""
    start = datetime(2025, 4, 1, 8)
    script = ("The SU7 recall is a smear campaign by rivals, owners are happy and the car "
              "is safe, stop spreading lies")
    wordings = [script, script.replace("happy", "glad").replace("rivals", "competitors")]
    rows = [(f"user{i}", start + timedelta(minutes=5 * i),
             f"Ordinary post number {i} about {'battery' if i % 2 else 'camera'} life")
            for i in range(600)]
    for day in range(2):
        for i in range(40):
            rows.append((f"paid{i}", start + timedelta(days=day, hours=2, seconds=i % 30),
                         wordings[i % 2]))
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
        apart = detect(ws, DetectParams(signals=("text",)))
    campaign, = result.campaigns
    assert campaign["size"] == 40
    assert {a["account_id"] for a in result.accounts} == {f"paid{i}" for i in range(40)}
    # Without near_text, a wording is a text of its own: a campaign per wording.
    assert sorted(c["size"] for c in apart.campaigns) == [20, 20]


def _rewording_flood(days: int, accounts: int, start: datetime = datetime(2025, 4, 1, 8)
                     ) -> list[tuple[str, datetime, str]]:
    """600 ordinary posts, and ``accounts`` accounts each posting its own light rewrite
    of one script within 40 seconds, on ``days`` days from ``start``."""
    from undertow.simulate import rewrite

    script = ("The SU7 recall is a smear campaign by rivals, owners are happy and the car "
              "is safe, stop spreading lies")
    rows = [(f"user{i}", start + timedelta(minutes=5 * i),
             f"Ordinary post number {i} about {'battery' if i % 2 else 'camera'} life")
            for i in range(600)]
    for day in range(days):
        for i in range(accounts):
            rows.append((f"paid{i}", start + timedelta(days=day, hours=2, seconds=i % 40),
                         rewrite(script, "en", random.Random(f"{day}-{i}"))))
    return rows


def test_a_flood_of_rewordings_that_comes_back_is_one_campaign(tmp_path):
    """40 accounts each put one script in their own words, within 40 seconds, on two
    days. No two posts share a text and each pair meets only twice; the floods, each
    one script, share their accounts far beyond chance."""
    rows = _rewording_flood(days=2, accounts=40)
    assert len({text for _, _, text in rows[600:]}) == 80
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
        exact = detect(ws, DetectParams(signals=("text",)))
    campaign, = result.campaigns
    assert {a["account_id"] for a in result.accounts} == {f"paid{i}" for i in range(40)}
    floods = [b for b in campaign["bursts"] if b["key"].startswith("script:")]
    assert len(floods) == 2 and all(b["accounts"] == 40 for b in floods)
    assert campaign["confidence"] > 0.99
    # The evidence shows the rewordings themselves.
    assert len({p["text"] for p in campaign["posts"]}) >= 40
    assert exact.campaigns == []


def test_a_flood_of_rewordings_once_is_a_surge_not_a_campaign(tmp_path):
    """200 accounts put one script in their own words within 40 seconds, once: too
    crowded to pair, listed among the surges, no one named."""
    rows = _rewording_flood(days=1, accounts=200)
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert result.accounts == [] and result.campaigns == []
    flood, = [s for s in result.surges if s["key"].startswith("script:")]
    assert flood["accounts"] == 200 and flood["hour_share"] is None


def test_accounts_that_flood_a_hashtag_every_ten_minutes_are_a_campaign(tmp_path):
    """120 accounts post #boycottSU7 in their own words within the same minute, every
    ten minutes for an hour. Each flood is a sixth of the tag's use in the hour around
    it, as a wave's crest is of a story's, but the whole of that hour's use is theirs."""
    start = datetime(2025, 4, 1, 8)
    rng = np.random.default_rng(1)
    rows = [(f"user{i}", start + timedelta(minutes=5 * i),
             f"Ordinary post number {i} about {'battery' if i % 2 else 'camera'} life")
            for i in range(600)]
    for flood in range(6):
        for b in range(120):
            words = _own_words(b + flood, b * 3 + flood, b * 7, b + 2 * flood)
            at = start + timedelta(hours=10, minutes=10 * flood, seconds=int(rng.integers(0, 50)))
            rows.append((f"bot{b}", at, f"{words} #boycottSU7"))
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert {a["account_id"] for a in result.accounts} == {f"bot{b}" for b in range(120)}
    assert result.surges == []
    # One campaign with its six floods, not six of twenty accounts each: every flood
    # ties every account, so any cut of them is arbitrary.
    campaign, = result.campaigns
    assert campaign["size"] == 120 and len(campaign["bursts"]) == 6


def test_a_500_account_flood_is_one_burst_without_its_pairs(tmp_path):
    start = datetime(2025, 4, 1, 8)
    text = "Xiaomi SU7 brakes failed on the highway, do not buy, share before deleted"
    rows = [(f"bot{i}", start + timedelta(seconds=i % 50), text) for i in range(500)]
    rows += [(f"user{i}", start + timedelta(minutes=7 * i), f"Ordinary post number {i} about "
              f"{'battery' if i % 2 else 'camera'} life today") for i in range(300)]
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert len(result.campaigns) == 1
    flood = result.campaigns[0]
    assert flood["kind"] == "burst" and flood["size"] == 500
    assert flood["keys"][0]["signal"] == "text"
    assert result.counts["candidate_edges"] == 0  # 124,750 pairs never materialised
    assert {a["account_id"] for a in result.accounts} == {f"bot{i}" for i in range(500)}


def test_a_key_whose_posts_have_no_text_has_no_example(tmp_path):
    """CooRTweet's share tables have objects and no text: the evidence still shows
    the shares of different accounts, and the key's example is null, not ''."""
    f = tmp_path / "shares.csv"
    lines = ["object_id,account_id,content_id,timestamp_share"]
    lines += [f"video-1,acct{i},c{i},{1_700_000_040 + 4 * i}" for i in range(12)]
    lines += [f"video-{i + 2},user{i},u{i},{1_700_000_000 + 600 * i}" for i in range(30)]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Workspace.open(tmp_path / "ws") as ws:
        ingest(ws, [f], fmt="coortweet")
        campaign, = detect(ws, DetectParams()).campaigns
    assert campaign["size"] == 12
    assert campaign["keys"] == [{"signal": "object", "key": "video-1", "accounts": 12,
                                 "posts": 12, "example": None}]
    assert len({p["account_id"] for p in campaign["posts"]}) == 12


def test_a_flood_cut_by_a_minute_boundary_is_found_whole(tmp_path):
    """Fourteen accounts share one video within 26 seconds, seven on each side of a
    minute boundary: neither minute has the eight accounts a burst needs, the half
    minute offset grid has all fourteen."""
    f = tmp_path / "shares.csv"
    lines = ["object_id,account_id,content_id,timestamp_share"]
    lines += [f"video-1,acct{i},c{i},{1_700_000_026 + 2 * i}" for i in range(14)]
    lines += [f"video-{i + 2},user{i},u{i},{1_700_000_000 + 600 * i}" for i in range(30)]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (1_700_000_026 + 2 * 7) % 60 == 0  # acct7 opens the second minute
    with Workspace.open(tmp_path / "ws") as ws:
        ingest(ws, [f], fmt="coortweet")
        result = detect(ws, DetectParams())
    campaign, = result.campaigns
    assert campaign["kind"] == "burst" and campaign["size"] == 14
    assert {a["account_id"] for a in result.accounts} == {f"acct{i}" for i in range(14)}
    assert len(campaign["posts"]) == 14  # each post once


def test_a_popular_hashtag_at_the_start_of_the_stream_is_not_a_burst(tmp_path):
    """Four people a minute use #SU7 for two hours; in the stream's fourth minute
    nine do, which that rate explains (P ≈ 0.02). The hour around that minute is
    mostly after it: counting the minutes before the stream began as empty halved
    the rate and made it a nine-account campaign."""
    start = datetime(2025, 4, 1, 8)
    rows = [(f"fan{m}-{k}", start + timedelta(minutes=m, seconds=5 + 5 * k),
             f"{OPENERS[(m + k) % len(OPENERS)]} {SUBJECTS[(m * 3 + k) % len(SUBJECTS)]} "
             f"{COMPLAINTS[(m * 7 + k) % len(COMPLAINTS)]} #SU7")
            for m in range(120) for k in range(9 if m == 3 else 4)]
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams(signals=("hashtag",)))
    assert result.campaigns == [] and result.accounts == []


def _platform(pick: random.Random, days: int) -> tuple[list[str], list[tuple[str, datetime, str]]]:
    """A made-up vocabulary, and the platform's other accounts (meeting again is judged
    against them): 3,000 posts of 1,500 accounts over ``days`` days from 1 April."""
    words = ["".join(pick.choices("abcdefghijklmnopqrstuvwxyz", k=pick.randint(3, 9)))
             for _ in range(3000)]
    return words, [(f"user{pick.randrange(1500)}",
                    datetime(2025, 4, 1) + timedelta(seconds=pick.randrange(days * 86400)),
                    " ".join(pick.choices(words, k=10))) for _ in range(3000)]


@pytest.mark.parametrize(("hours", "guests"), [(3.0, 80), (0.5, 50)])
def test_people_live_posting_an_event_until_it_ends_are_not_a_campaign(tmp_path, hours,
                                                                        guests):
    """80 people post under an event's hashtag about every 90 s, three hours on each
    of two days, and stop when the programme does. The hour around each of the last
    minutes is half empty, so the rate around them was half the event's: those
    minutes were floods, the same people in all of them, and all 80 were one
    campaign. The rate is now that of the busier side. When 50 post for half an hour
    a day, minute after minute stands above the hour, and the same people in bursts
    of one hashtag minutes apart are what a crew flooding it every few minutes looks
    like; but no minute of theirs stands above the minutes beside it (a plateau, not
    floods), and all 50 were flagged before that was asked."""
    rng = np.random.default_rng(11)
    pick = random.Random(11)
    words, rows = _platform(pick, days=2)
    for day in range(2):
        opens = datetime(2025, 4, 1, 8) + timedelta(days=day)
        for a in range(guests):
            t = float(rng.exponential(90))
            while t < hours * 3600:
                rows.append((f"guest{a}", opens + timedelta(seconds=round(t)),
                             " ".join(pick.choices(words, k=10)) + " #SU7launch"))
                t += float(rng.exponential(90))
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams())
    assert result.campaigns == [] and result.accounts == []
    # What a reviewer reads instead: no burst in three hours of it; the half hour's
    # bursts, each a plateau.
    event = [x for x in result.surges if x["key"] == "su7launch"]
    assert len(event) == 0 if hours == 3.0 else event and all(x["plateau"] for x in event)


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_a_daily_check_in_is_not_a_campaign_but_a_crew_on_its_own_tag_is(tmp_path, engine):
    """150 regulars check in under a hashtag after eight every morning for five days,
    each when they get to it (about two minutes on average) and in their own words;
    nobody else uses it. Each morning's first minutes are a burst of most of them,
    and two mornings share far more of them than two draws from the platform would:
    all 150 were one campaign. Two mornings share as many as two draws from the
    regulars would. 30 accounts posting their own hashtag all within half a minute
    of eight in the evening, every day, are still one; so are 60 that post another
    one over minutes after two in the afternoon, as the regulars do, but all of
    them every day: a public comes and goes, a crew on orders turns up in full. 200
    accounts that use the check-in tag once, at any time, are no regulars: counted in
    the public, they made it large enough for the regulars to meet again beyond it."""
    if engine == "spark":
        pytest.importorskip("pyspark", reason="make test installs undertow[spark]")
    rng = np.random.default_rng(5)
    pick = random.Random(5)
    words, rows = _platform(pick, days=5)
    rows += [(f"once{a}", datetime(2025, 4, 1) + timedelta(seconds=pick.randrange(5 * 86400)),
              " ".join(pick.choices(words, k=6)) + " #打卡") for a in range(200)]
    for day in range(5):
        morning, evening = (datetime(2025, 4, 1, h) + timedelta(days=day) for h in (8, 20))
        for a in range(150):
            if rng.random() < 0.8:
                rows.append((f"regular{a}", morning + timedelta(
                    seconds=1 + round(float(rng.exponential(120)))),
                    " ".join(pick.choices(words, k=6)) + " #打卡"))
        for a in range(30):
            rows.append((f"crew{a}", evening + timedelta(seconds=pick.randrange(30)),
                         " ".join(pick.choices(words, k=6)) + " #SU7真相"))
        for a in range(60):
            rows.append((f"shift{a}", morning + timedelta(hours=6, seconds=1 + round(
                float(rng.exponential(120)))), " ".join(pick.choices(words, k=6)) + " #SU7黑幕"))
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams(), engine=engine)
    assert {a["account_id"] for a in result.accounts} == \
        {f"crew{a}" for a in range(30)} | {f"shift{a}" for a in range(60)}
    assert sum(x["key"] == "打卡" for x in result.surges) == 5


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_fans_answering_every_post_of_a_star_are_not_a_campaign_but_a_raid_is(tmp_path, engine):
    """A star posts four times, 17 hours apart; each time 150 of its 250 fans, drawn at
    random, reply in their own words, about two minutes after it on average. Each
    post's first minutes are a burst of replies, and two of them share far more fans
    than two draws from the platform would: all were one campaign. Two of them share
    as many as two draws from its fans, who answered two of its posts or more,
    would. 30 accounts replying to each of a critic's posts within 20 seconds are
    still one."""
    if engine == "spark":
        pytest.importorskip("pyspark", reason="make test installs undertow[spark]")
    rng = np.random.default_rng(7)
    pick = random.Random(7)
    words, platform = _platform(pick, days=4)

    def post(pid: str, author: str, t: datetime, text: str, **to: str) -> dict[str, object]:
        return {"platform": "twitter", "post_id": pid, "author_id": author,
                "created_at": t.isoformat() + "Z", "text": text, **to}

    def said(k: int = 8) -> str:
        return " ".join(pick.choices(words, k=k))

    rows = [post(f"o{i}", a, t, text) for i, (a, t, text) in enumerate(platform)]
    for k in range(4):
        at = datetime(2025, 4, 1, 2) + timedelta(hours=17 * k)
        rows.append(post(f"star{k}", "star", at, said()))
        for i in rng.choice(250, 150, replace=False).tolist():
            delay = timedelta(seconds=1 + round(float(rng.exponential(120))))
            rows.append(post(f"fan{k}-{i}", f"fan{i}", at + delay, said(),
                             reply_to_post_id=f"star{k}"))
        raided = at + timedelta(hours=5)
        rows.append(post(f"critic{k}", "critic", raided, said()))
        rows += [post(f"raid{k}-{i}", f"raider{i}",
                      raided + timedelta(seconds=2 + pick.randrange(20)), said(),
                      reply_to_post_id=f"critic{k}") for i in range(30)]
    with _ingest_rows(tmp_path, rows) as ws:
        result = detect(ws, DetectParams(), engine=engine)
    assert {a["account_id"] for a in result.accounts} == {f"raider{i}" for i in range(30)}
    assert sum(x["key"].endswith(tuple(f":star{k}" for k in range(4)))
               for x in result.surges) >= 4


def test_cli_detect_writes_every_output_and_evaluate_reads_them(simulated, tmp_path):
    wsdir, _, truth = simulated
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["detect", "-w", str(wsdir), "--out", str(out), "--json"],
                           catch_exceptions=False)
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert summary["campaigns"] > 0
    for name in ("accounts.csv", "campaigns.json", "edges.csv", "network.gexf",
                 "network.graphml"):
        assert (out / name).stat().st_size > 0
    header = (out / "accounts.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "account_id,platform,campaign_id,score,top_signal"
    scored = runner.invoke(main, ["evaluate", "--truth", str(truth), "--detected", str(out),
                                  "--json"], catch_exceptions=False)
    assert json.loads(scored.output)["recall"] >= 0.95
    with Workspace.open(wsdir) as ws:  # kept for later analyses
        stored = ws.con.execute("SELECT count(*) FROM campaign_accounts").fetchone()
        assert stored is not None and stored[0] == summary["accounts"]


def test_two_runs_write_the_same_files(simulated, tmp_path):
    """The README's promise: the same workspace and options, the same files byte for
    byte, so two runs can be compared with ``diff``."""
    wsdir, _, _ = simulated
    runner = CliRunner()
    for run in ("a", "b"):
        result = runner.invoke(main, ["detect", "-w", str(wsdir), "--out", str(tmp_path / run)],
                               catch_exceptions=False)
        assert result.exit_code == 0
    for name in ("accounts.csv", "campaigns.json", "edges.csv", "network.gexf",
                 "network.graphml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


_KILLED_WHILE_BUILDING_CAMPAIGNS = """
import os, signal, sys
from undertow import Workspace
from undertow.coordination import campaigns
from undertow.coordination.detect import detect

def killed(*args, **kwargs):  # the campaigns' members are staged by now
    os.kill(os.getpid(), signal.SIGKILL)

campaigns.CampaignFacts._keys = killed
with Workspace.open(sys.argv[1]) as ws:
    detect(ws)
"""


def test_a_detection_killed_mid_run_leaves_the_workspace_as_it_was(simulated, tmp_path):
    """A kill (no cleanup runs) while working tables and staged views exist leaves
    nothing of them in the workspace file, and the last results stand."""
    wsdir = tmp_path / "ws"
    shutil.copytree(simulated[0], wsdir)
    runner = CliRunner()
    assert runner.invoke(main, ["detect", "-w", str(wsdir), "--out", str(tmp_path / "before")],
                         catch_exceptions=False).exit_code == 0
    done = subprocess.run([sys.executable, "-c", _KILLED_WHILE_BUILDING_CAMPAIGNS, str(wsdir)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr
    con = duckdb.connect(str(wsdir / "undertow.duckdb"), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()]
        stored = con.execute("SELECT count(*) FROM campaign_accounts").fetchone()
    finally:
        con.close()
    assert not [n for n in names if n.startswith("_")], names
    before = (tmp_path / "before" / "accounts.csv").read_text(encoding="utf-8")
    assert stored is not None and stored[0] == len(before.splitlines()) - 1
    assert runner.invoke(main, ["detect", "-w", str(wsdir), "--out", str(tmp_path / "after")],
                         catch_exceptions=False).exit_code == 0
    for name in ("accounts.csv", "campaigns.json", "edges.csv"):
        assert (tmp_path / "after" / name).read_bytes() == \
            (tmp_path / "before" / name).read_bytes(), name


def test_detect_makes_no_full_collection_and_puts_the_thresholds_back(simulated):
    """Full collections walk every object the process holds; detection defers them
    (``undertow.gcpause``) and leaves the collector as it found it."""
    wsdir, _, _ = simulated
    before, seen = gc.get_threshold(), []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    with Workspace.open(wsdir) as ws:
        gc.callbacks.append(note)
        try:
            result = detect(ws, DetectParams(signals=("near_text",)))
        finally:
            gc.callbacks.remove(note)
    assert result.campaigns and seen and 2 not in seen
    assert gc.get_threshold() == before


def test_unknown_signal_is_refused():
    with pytest.raises(ValueError, match="unknown signal"):
        DetectParams(signals=("text", "vibes"))


def test_duckdb_and_spark_find_the_same_campaigns(tmp_path):
    """A simulated stream, and in it a flood of one script reworded by 40 Twitter
    accounts, twice."""
    pytest.importorskip("pyspark", reason="make test installs undertow[spark]")
    sim = simulate(4_000, seed=5)
    posts, flood = tmp_path / "posts.jsonl", tmp_path / "flood.jsonl"
    write_posts(sim, posts)
    rows = _posts(_rewording_flood(days=2, accounts=40, start=datetime(2025, 3, 26, 8))[600:])
    flood.write_text("\n".join(json.dumps({**r, "platform": "twitter"}, ensure_ascii=False)
                               for r in rows) + "\n", encoding="utf-8")
    found = {}
    for engine in ("duckdb", "spark"):
        with Workspace.open(tmp_path / engine) as ws:
            ingest(ws, [posts, flood])
            result = detect(ws, DetectParams(), engine=engine)
            found[engine] = ({(a["platform"], a["account_id"], a["campaign_id"])
                              for a in result.accounts},
                             {(e["source"], e["target"], e["events"]) for e in result.edges})
            assert result.counts["script_floods"] == 2
    assert found["duckdb"] == found["spark"]
    assert {f"paid{i}" for i in range(40)} <= {a for _, a, _ in found["duckdb"][0]}


def _found(result):
    campaigns = {}
    for a in result.accounts:
        campaigns.setdefault(a["campaign_id"], set()).add((a["platform"], a["account_id"]))
    return ({frozenset(c) for c in campaigns.values()},
            {(e["source"], e["target"], e["events"], e["signals"]) for e in result.edges})


def test_posts_read_in_small_batches_give_the_same_campaigns(simulated):
    """Features are computed batch by batch; texts, bands and accounts recur across
    batches. 4,000 posts at a time must find exactly what one batch finds."""
    wsdir, _, _ = simulated
    with Workspace.open(wsdir) as ws:
        whole = detect(ws, DetectParams(), batch_rows=1_000_000)
        batched = detect(ws, DetectParams(), batch_rows=4_000)
    assert whole.campaigns and _found(batched) == _found(whole)
    assert batched.counts == whole.counts


def test_near_duplicates_are_every_similar_pair_in_the_window(simulated):
    """The near-duplicate pairs equal a brute-force check of every pair of posts
    within the window: different accounts, different texts, a shared LSH band and
    estimated Jaccard >= 0.3 from the signatures' low bits (no cell here is crowded
    enough to be a burst)."""
    from undertow.coordination.features import (
        read_posts,
        stage_features,
        verified_near_pairs,
    )
    from undertow.coordination.keys import KeyOptions, post_features
    from undertow.coordination.textsim import band_keys, bbit_jaccard, check_bits
    from undertow.engines import make_engine

    wsdir, _, _ = simulated
    with Workspace.open(wsdir) as ws:
        eng = make_engine("duckdb", ws)
        feats = stage_features(eng, ws, ("near_text",), KeyOptions(), 7_000)
        post_id = dict(zip(*eng.to_arrow(feats.post_names.select("pid", "post_id")
                                         ).to_pydict().values(), strict=True))
        # One join without and with the rows that cannot pair dropped first, and
        # bands in parts.
        whole, filtered, parted = (
            [frozenset((post_id[r["post_1"]], post_id[r["post_2"]])) for r in eng.to_arrow(
                verified_near_pairs(eng, feats, 60.0, 0.3, 10_000, part_rows=rows,
                                    prefilter_rows=least)[0]).to_pylist()]
            for rows, least in ((10**9, 10**9), (10**9, 0), (50_000, 0)))
        found = set(whole)
        fx = post_features(next(read_posts(ws, 1_000_000)), KeyOptions())
    account, post_ids = fx.accounts.to_pylist(), fx.post_ids.to_pylist()
    rows = [i for i in range(len(fx.ts)) if fx.norm_index[i] >= 0]
    rows.sort(key=lambda i: fx.ts[i])
    bands, bits = band_keys(fx.signatures), check_bits(fx.signatures)
    expected = set()
    for n, i in enumerate(rows):
        for j in rows[n + 1:]:
            if fx.ts[j] - fx.ts[i] > 60:
                break
            ti, tj = fx.norm_index[i], fx.norm_index[j]
            if account[i] == account[j] or ti == tj:
                continue
            if not (set(bands[ti]) & set(bands[tj])):
                continue
            if bbit_jaccard(bits[ti:ti + 1], bits[tj:tj + 1])[0] >= 0.3:
                expected.add(frozenset((post_ids[i], post_ids[j])))
    assert expected and found == expected
    assert len(whole) == len(found)
    assert sorted(map(sorted, parted)) == sorted(map(sorted, filtered)) == sorted(
        map(sorted, whole))


def test_memory_limit_spills_instead_of_changing_results(simulated):
    wsdir, _, _ = simulated
    with Workspace.open(wsdir) as ws:
        before = ws.con.execute("SELECT current_setting('memory_limit')").fetchall()
        roomy = detect(ws, DetectParams(), memory_limit=None)
        tight = detect(ws, DetectParams(), memory_limit="100MB")
        after = ws.con.execute("SELECT current_setting('memory_limit')").fetchall()
        tables = ws.con.execute("SELECT table_catalog, table_name FROM information_schema.tables "
                                "WHERE table_name LIKE '\\_coord%' ESCAPE '\\'").fetchall()
    assert _found(tight) == _found(roomy) and roomy.accounts
    assert after == before  # the workspace's own setting is restored
    assert tables == []  # no working table left behind, in the file or the scratch database


def test_cli_refuses_a_memory_limit_that_is_not_a_size(simulated):
    wsdir, _, _ = simulated
    result = CliRunner().invoke(main, ["detect", "-w", str(wsdir), "--memory-limit", "lots"])
    assert result.exit_code == 2
    assert "memory limit 'lots' is not a size" in result.output


def test_cli_names_an_unknown_signal(simulated):
    wsdir, _, _ = simulated
    result = CliRunner().invoke(main, ["detect", "-w", str(wsdir), "--signals", "text,urls"])
    assert result.exit_code == 2
    assert result.output.startswith("undertow: error: --signals: unknown signal 'urls'; it "
                                    "takes a comma-separated list of text, near_text, link")


def _ring(text: Callable[[int], str], rounds: int = 8) -> list[tuple[str, datetime, str]]:
    """Ten accounts posting ``text(r)`` seconds apart in ``rounds`` rounds three hours
    apart, among 200 ordinary posts."""
    start = datetime(2025, 4, 1, 8)
    rows = [(f"ring{a}", start + timedelta(hours=3 * r, seconds=5 * a), text(r))
            for r in range(rounds) for a in range(10)]
    return rows + [(f"user{i}", start + timedelta(minutes=11 * i), f"Ordinary post number {i} "
                    f"about {'battery' if i % 2 else 'camera'} life today") for i in range(200)]


def test_a_post_in_events_of_two_signals_is_shown_once_under_the_first(tmp_path):
    """Ten accounts post the same text with the same link and hashtag, seconds apart,
    eight times: each post ties them by text, link and hashtag. The evidence lists
    each post once, under the same (signal, key) every run: the first by name."""
    rows = _ring(lambda r: f"Round {r}: the SU7 recall is a hoax, read "
                           f"https://hoax.example.com/{r} #hoax{r}")
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        runs = [detect(ws, DetectParams()) for _ in range(2)]
    campaign = runs[0].campaigns[0]
    assert len(runs[0].campaigns) == 1 and campaign["size"] == 10
    shown = [(p["post_id"], p["signal"], p["key"]) for p in campaign["posts"]]
    assert len(shown) == 80 == len({post for post, _, _ in shown})
    assert {signal for _, signal, _ in shown} == {"hashtag"}
    assert shown == [(p["post_id"], p["signal"], p["key"]) for p in runs[1].campaigns[0]["posts"]]
    # ... and names every listed key it backs.
    assert all({t["signal"] for t in p["ties"]} == {"text", "link", "hashtag"}
               for p in campaign["posts"])
    assert all(k["posts"] == 10 for k in campaign["keys"])


def test_every_listed_key_is_backed_by_posts_of_different_accounts(tmp_path):
    """A ring that posts a new text in each of 40 rounds has more posts (400) than
    a campaign shows (300): the late rounds' texts are still listed with posts of
    at least three of its accounts, and an example."""
    rows = _ring(lambda r: f"Round {r}: the SU7 recall is a hoax, everyone knows it", 40)
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        campaign = detect(ws, DetectParams()).campaigns[0]
    assert campaign["size"] == 10 and len(campaign["posts"]) == MAX_EVIDENCE_POSTS
    assert len(campaign["keys"]) == 40
    for key in campaign["keys"]:
        backing = [p for p in campaign["posts"]
                   if {"signal": key["signal"], "key": key["key"]} in p["ties"]]
        assert key["posts"] == len(backing) and len({p["account_id"] for p in backing}) >= 3
        assert key["example"] == backing[0]["text"]


def test_near_text_alone_also_finds_exact_copies(tmp_path):
    """Near-same text includes the same text: a copy-paste ring is found when only
    near_text is asked for, its edges weighed against the accounts' activity."""
    rows = _ring(lambda r: f"Round {r}: the SU7 recall is a hoax, tell everyone you know")
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams(signals=("near_text",)))
    assert {a["account_id"] for a in result.accounts} == {f"ring{a}" for a in range(10)}
    assert all("text" in e["signals"] for e in result.edges)
    assert all(e["lam"] < 0.5 for e in result.edges)


@pytest.mark.parametrize("signals", [("text", "near_text"), ("near_text",)])
def test_copies_salted_with_invisible_and_look_alike_letters_are_found(tmp_path, signals):
    """Ten accounts paste one script per round, each copy salted its own way with
    invisible characters, Cyrillic look-alikes and accents: to a reader they are the
    same text, and so they are to detection (before, no two copies were alike enough
    and no one was found)."""
    script = "Round {r}: the recall is a smear by rivals, owners are happy, stop the lies"
    pick = random.Random(5)
    rows = _ring(lambda r: salted(script.format(r=r), pick))
    copies = [normalize_text(text) for author, _, text in rows if author.startswith("ring")]
    assert copies[:10] == [script.format(r=0).lower().replace(":", "").replace(",", "")] * 10
    with _ingest_rows(tmp_path, _posts(rows)) as ws:
        result = detect(ws, DetectParams(signals=signals))
    assert {a["account_id"] for a in result.accounts} == {f"ring{a}" for a in range(10)}
    assert len(result.campaigns) == 1


def test_colons_in_platform_and_author_ids_are_kept_apart(tmp_path):
    """A platform named ``mastodon:social`` and author ids like ``urn:x:ring0``: the
    accounts come out with their own platform and id, the evidence posts are theirs,
    and their posts are found by (platform, author_id), as opinion finds them."""
    rows = [{**r, "user": f"urn:x:{r['user']}", "platform": "mastodon:social"}
            if str(r["user"]).startswith("ring") else {**r, "platform": "twitter"}
            for r in _posts(_ring(lambda r: f"Round {r}: the SU7 recall is a hoax, pass it on"))]
    with _ingest_rows(tmp_path, rows) as ws:
        result = detect(ws, DetectParams())
        save(ws, result.accounts, result.campaigns, result.edges)
        matched = ws.con.execute(
            "SELECT count(*) FROM posts p JOIN campaign_accounts c "
            "ON c.platform = p.platform AND c.account_id = p.author_id").fetchone()
    assert {(a["platform"], a["account_id"]) for a in result.accounts} == {
        ("mastodon:social", f"urn:x:ring{a}") for a in range(10)}
    (campaign,) = result.campaigns
    assert {(p["platform"], p["account_id"]) for p in campaign["posts"]} == {
        (a["platform"], a["account_id"]) for a in result.accounts}
    assert all(p["text"].startswith("Round ") for p in campaign["posts"])
    assert matched == (80,)


@pytest.mark.parametrize(("given", "message"), [
    ({"alpha": float("nan")}, "alpha must be between 0 and 1, not nan"),
    ({"burst_alpha": 1.5}, "burst_alpha must be between 0 and 1, not 1.5"),
    ({"near_threshold": -0.1}, "near_threshold must be between 0 and 1"),
    ({"resolution": float("nan")}, "resolution must be a positive number, not nan")])
def test_parameters_that_would_keep_nothing_are_refused(given, message):
    """NaN passes every comparison: an alpha of nan kept no edge and said nothing."""
    with pytest.raises(ValueError, match=message):
        DetectParams(**given)
