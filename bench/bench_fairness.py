"""Organic surges that are not campaigns: how many ordinary accounts ``detect`` flags.

The simulated stream (``undertow simulate``) has one organic outrage burst, in people's own
words at their own times. Real streams have more kinds of organic surge, and each is added
here, one at a time, to the same simulated stream, by its own ordinary accounts:

* ``viral_reposts``: one post reposted by 600 accounts, delays exponential with a mean of
  ten minutes (a tenth of them in the first minute);
* ``viral_replies``: 300 accounts answer one post in their own words (mean 15 minutes);
* ``trending_hashtag``: 400 accounts take up a new hashtag after a recall is announced,
  in their own words (mean 15 minutes);
* ``share_button``: 300 accounts share one news article with the button's text, the
  article's title and link, unchanged (mean 15 minutes);
* ``live_moment``: 200 accounts post one hashtag within the same minute (a goal, a
  keynote's last line), in their own words;
* ``stock_reaction``: 120 accounts wish a happy new year within 50 seconds of midnight,
  in one of four spellings of the same three words;
* ``owners_again``: 300 owners take up five stories a day apart (a recall, a crash, the
  hood...), four in five of them each time, in their own words under the story's
  hashtag (mean 15 minutes): the same public in wave after wave;
* ``live_regulars``: 80 people live-post a two-day event under its hashtag, each about
  every 90 seconds for three hours a day, in their own words; their posts stop when
  the day's programme does;
* ``daily_checkin``: 150 regulars check in under a hashtag at the same hour on seven
  days, four in five of them each day, each when they get to it (mean two minutes),
  in their own words;
* ``quoting_news``: 150 of 400 readers who post nothing else, drawn at random, quote a
  headline with a few words of their own (mean 10 minutes), a day before the moment of
  the others; five hours later 150 drawn again quote the next one: near-same texts,
  the same pairs meeting twice;
* ``fans_again``: 200 fans post a hashtag within the same minute at five live moments
  a day apart, four in five of them each time, in their own words;
* ``fans_replies``: a star posts four times, about 17 hours apart; each time 150 of its
  250 fans, drawn at random, reply in words no other reply shares, delays exponential
  with a mean of two minutes.

``fans_again`` is a limit, not a pass: a crowd that fills the same minute again and
again, each time under another hashtag, with nothing to tell it from a flood but the
moments it answers, is shown for review. The star's fans pass: their replies are
weighed against those who answered two of the star's posts or more, who come and go
(``campaigns.drawn_from``).

For each, the benchmark reports how many of the surge's accounts ``detect`` (defaults)
places in campaigns, and the planted campaigns' precision and recall, so that a rule that
spares organic surges can be seen not to cost the campaigns; and, as "text sim", what a
reviewer would read: the highest text similarity of a campaign holding surge accounts,
against the lowest of the campaigns of planted accounts. A flagged surge account is a
false accusation in the making; the target is zero.

Usage:
    python bench/bench_fairness.py [--posts 20000] [--seed 3] [--out bench/results/fairness.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from undertow import Workspace, ingest  # noqa: E402
from undertow.coordination.detect import Detection, DetectParams, detect  # noqa: E402
from undertow.coordination.evaluate import evaluate  # noqa: E402
from undertow.simulate import simulate, write_posts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OPENERS = ("Honestly", "Wow", "So", "Okay", "Lol", "Sigh,", "Update:", "PSA:", "Hmm", "Yes!")
MIDDLES = ("the recall", "this news", "the launch", "the new SU7", "that keynote", "the update",
           "the hood thing", "the price", "the battery claim", "the delivery date")
ENDINGS = ("is wild", "makes me angry", "is what I expected", "worries me", "is great news",
           "needs an answer", "is a joke", "changes nothing", "is overdue", "surprised me")

Row = dict[str, Any]


def own_words(i: int) -> str:
    """A short post in one person's own words: opener, subject and ending drawn apart
    (1,000 sentences; two posts say the same one about as often as two people would
    by chance, not every tenth post)."""
    pick = random.Random(i)
    return (f"{pick.choice(OPENERS)} {pick.choice(MIDDLES)} {pick.choice(ENDINGS)} ({i})")


def post(pid: str, author: str, t: datetime, text: str, **link: str) -> Row:
    return {"platform": "twitter", "post_id": pid, "author_id": author,
            "created_at": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "text": text, **link}


def _delays(rng: np.random.Generator, n: int, mean: float) -> list[timedelta]:
    return [timedelta(seconds=1 + float(d)) for d in rng.exponential(mean, n)]


def viral_reposts(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    return [post(f"vr{i}", a, at + d, f"RT @{star['author_id']}: {star['text']}",
                 repost_of_post_id=star["post_id"])
            for i, (a, d) in enumerate(zip(who[:600], _delays(rng, 600, 600), strict=True))]


def viral_replies(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    return [post(f"vp{i}", a, at + d, own_words(i), reply_to_post_id=star["post_id"])
            for i, (a, d) in enumerate(zip(who[:300], _delays(rng, 300, 900), strict=True))]


def trending_hashtag(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    return [post(f"th{i}", a, at + d, f"{own_words(i)} #SU7recall")
            for i, (a, d) in enumerate(zip(who[:400], _delays(rng, 400, 900), strict=True))]


def share_button(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    text = ("Xiaomi recalls 117,000 SU7 cars over driver-assistance software "
            "https://news.example.com/2025/xiaomi-recall-117000")
    return [post(f"sb{i}", a, at + d, text)
            for i, (a, d) in enumerate(zip(who[:300], _delays(rng, 300, 900), strict=True))]


def live_moment(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    return [post(f"lm{i}", a, at + timedelta(seconds=int(s)), f"{own_words(i)} #OneMoreThing")
            for i, (a, s) in enumerate(zip(who[:200], rng.integers(0, 60, 200), strict=True))]


def stock_reaction(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    at = datetime.fromisoformat(star["created_at"][:10])  # the midnight before the star
    spellings = ("Happy New Year!", "happy new year", "HAPPY NEW YEAR", "Happy new year!!")
    return [post(f"sr{i}", a, at + timedelta(seconds=float(s)), str(rng.choice(spellings)))
            for i, (a, s) in enumerate(zip(who[:120], rng.uniform(0, 50, 120), strict=True))]


STORIES = ("#SU7recall", "#SU7crash", "#hoodgate", "#refundSU7", "#XiaomiAnswer")


def _again(star: Row, who: list[str], rng: np.random.Generator, tag: str,
           delay: Callable[[], float]) -> list[Row]:
    """Five moments a day apart around ``star``, each taken up by four in five of
    ``who`` under its own hashtag, ``delay()`` seconds after it."""
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    rows = []
    for day, story in enumerate(STORIES):
        moment = at + timedelta(days=day - 2)
        for i, a in enumerate(who):
            if rng.random() < 0.8:
                rows.append(post(f"{tag}{day}-{i}", a, moment + timedelta(seconds=delay()),
                                 f"{own_words(1000 * day + i)} {story}"))
    return rows


HEADLINES = ("Xiaomi recalls 117,000 SU7 cars over driver-assistance software, "
             "regulator says", "Xiaomi chief apologises to SU7 owners and promises free "
             "software fixes at every service centre")
REACTIONS = ("wild", "no way", "called it", "I was about to buy one", "glad I waited",
             "this is so bad", "anyone surprised?", "lol", "they will never learn",
             "refund time", "unreal", "what a mess", "smh", "makes sense honestly",
             "waiting for the official statement", "my dad sent me this", "yikes",
             "switching brands", "about time", "not surprised at all", "oof",
             "so what happens to existing owners", "this explains a lot", "big if true")
FILLERS = ("really", "honestly", "totally", "just", "still", "again", "today", "people",
           "everyone", "nobody", "my", "our")


def quoting_news(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    """Readers quoting two headlines five hours apart, each with a reaction of their
    own, before or after it. They are new to the stream (people who post when there is
    news), so ``who`` is not used."""
    at = datetime.fromisoformat(star["created_at"].replace("Z", "")) - timedelta(hours=27)
    readers, rows = [f"reader{i}" for i in range(400)], []
    for k, headline in enumerate(HEADLINES):
        chosen = [readers[int(i)] for i in rng.choice(len(readers), 150, replace=False)]
        for i, (a, d) in enumerate(zip(chosen, _delays(rng, 150, 600), strict=True)):
            said = str(rng.choice(REACTIONS))
            if rng.random() < 0.5:
                said += " " + " ".join(rng.choice(FILLERS, int(rng.integers(1, 4))))
            text = f"{headline} {said}" if rng.random() < 0.5 else f"{said}: {headline}"
            rows.append(post(f"qn{k}-{i}", a, at + timedelta(hours=5 * k) + d, text))
    return rows


def owners_again(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    return _again(star, who[:300], rng, "oa", lambda: 1 + float(rng.exponential(900)))


def fans_again(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    return _again(star, who[:200], rng, "fa", lambda: int(rng.integers(0, 60)))


#: A made-up vocabulary for replies that share no phrase beyond chance.
WORDS = tuple("".join(random.Random(k).choices("abcdefghijklmnopqrstuvwxyz",
                                               k=random.Random(k + 7).randint(3, 9)))
              for k in range(3000))


def unique_words(i: int) -> str:
    """Ten words of :data:`WORDS`: a reply no other reply resembles. Two of the 1,000
    sentences of :func:`own_words` share at least two of their three parts about one
    time in 36; fans who meet four times then also meet in near-same texts (1,397
    near-text keys tied this crowd), another question than the one this scenario asks."""
    return " ".join(random.Random(i).choices(WORDS, k=10))


#: People live-posting ``live_regulars``, and the mean seconds between two posts of one.
REGULARS, GAP = 80, 90.0
#: Hours a day they post.
HOURS = 3.0


def live_regulars(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    """People live-posting a two-day event under its hashtag, each about every
    :data:`GAP` seconds (gaps exponential), :data:`HOURS` a day, stopping when the day's
    programme does; in words no other post shares (with the 1,000 sentences of
    :func:`own_words`, tens of thousands of posts repeat one another's sentences)."""
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    rows: list[Row] = []
    for day in range(2):
        opens = at + timedelta(days=day - 1)
        for a in who[:REGULARS]:
            t = float(rng.exponential(GAP))
            while t < HOURS * 3600:
                rows.append(post(f"lr{len(rows)}", a, opens + timedelta(seconds=t),
                                 f"{unique_words(50_000 + len(rows))} #SU7launch"))
                t += float(rng.exponential(GAP))
    return rows


#: Regulars of ``daily_checkin``, the mean seconds each takes to check in after the
#: hour, and the days.
CHECKERS, CHECK_DELAY, CHECK_DAYS = 150, 120.0, 7


def daily_checkin(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    """Regulars checking in under a hashtag at the same hour every day, four in five
    of them each day, each when they get to it (delays exponential, mean
    :data:`CHECK_DELAY` seconds), in words no other post shares."""
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    hour = at.replace(minute=0, second=0, microsecond=0)
    rows: list[Row] = []
    for day in range(CHECK_DAYS):
        opens = hour + timedelta(days=day - CHECK_DAYS // 2)
        for a in who[:CHECKERS]:
            if rng.random() < 0.8:
                rows.append(post(f"ci{len(rows)}", a, opens + timedelta(
                    seconds=1 + float(rng.exponential(CHECK_DELAY))),
                    f"{unique_words(70_000 + len(rows))} #SU7打卡"))
    return rows


def fans_replies(star: Row, who: list[str], rng: np.random.Generator) -> list[Row]:
    """The star's fans answering each of four posts of its own within minutes, each
    in words no other reply shares."""
    at = datetime.fromisoformat(star["created_at"].replace("Z", ""))
    fans, rows = [a for a in who if a != star["author_id"]][:250], []
    for k in range(4):
        moment = at + timedelta(hours=17 * k - 25)
        root = post(f"fr-star{k}", star["author_id"], moment, unique_words(90_000 + k))
        rows.append(root)
        chosen = [fans[int(i)] for i in rng.choice(len(fans), 150, replace=False)]
        rows += [post(f"fr{k}-{i}", a, moment + d, unique_words(10_000 * (k + 1) + i),
                      reply_to_post_id=root["post_id"])
                 for i, (a, d) in enumerate(zip(chosen, _delays(rng, 150, 120), strict=True))]
    return rows


Scenario = Callable[[Row, list[str], np.random.Generator], list[Row]]
#: Surges of one moment each (``bench_spikes.py`` adds these to one stream).
ONCE: dict[str, Scenario] = {
    "viral_reposts": viral_reposts, "viral_replies": viral_replies,
    "trending_hashtag": trending_hashtag, "share_button": share_button,
    "live_moment": live_moment}
SCENARIOS: dict[str, Scenario] = {**ONCE, "stock_reaction": stock_reaction,
                                  "owners_again": owners_again,
                                  "live_regulars": live_regulars,
                                  "daily_checkin": daily_checkin,
                                  "quoting_news": quoting_news, "fans_again": fans_again,
                                  "fans_replies": fans_replies}


def ordinary_accounts(base: list[Row], truth: dict[str, Any]) -> list[str]:
    """The stream's Twitter accounts in no planted campaign and not in the outrage."""
    planted = {str(a).split(":", 1)[-1] for c in truth["campaigns"] for a in c["accounts"]}
    outrage = {str(a).split(":", 1)[-1] for a in truth["organic_outrage"]["accounts"]}
    return sorted({r["author_id"] for r in base if r["platform"] == "twitter"} - planted
                  - outrage)


def base_stream(posts: int, seed: int, work: Path) -> tuple[list[Row], dict[str, Any]]:
    """The simulated stream scenarios are added to, as rows, and its planted truth."""
    sim = simulate(posts, seed=seed)
    path = write_posts(sim, work / "base.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()], \
        sim.truth


def detect_with(name: str, rows: list[Row], work: Path) -> tuple[Detection, float]:
    """``rows`` ingested into a workspace of their own and detected (defaults), and the
    seconds detection took."""
    path = work / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    with Workspace.open(work / f"ws-{name}") as ws:
        ingest(ws, [path])
        started = time.perf_counter()
        result = detect(ws, DetectParams())
        return result, time.perf_counter() - started


def run(name: str, base: list[Row], truth: dict[str, Any], work: Path, seed: int
        ) -> dict[str, Any]:
    """Add one scenario's posts to the stream, detect, and count its flagged accounts."""
    twitter = [r for r in base if r["platform"] == "twitter"]
    ordinary = ordinary_accounts(base, truth)
    rng = np.random.default_rng(seed)
    who = [str(a) for a in rng.permutation(ordinary)]
    star = next(r for r in twitter[len(twitter) // 2:] if not r.get("repost_of_post_id"))
    added = SCENARIOS[name](star, who, rng)
    result, seconds = detect_with(name, base + added, work)
    surge = {r["author_id"] for r in added} - {star["author_id"]}
    flagged = {a["account_id"] for a in result.accounts if a["platform"] == "twitter"}
    score = evaluate(truth, result.accounts)
    planted = {str(a).split(":", 1)[-1] for c in truth["campaigns"] for a in c["accounts"]}
    # What a reviewer would read: the text similarity of campaigns holding surge accounts,
    # and of the campaigns of planted accounts alone.
    similarity: dict[str, list[float]] = {"surge": [], "planted": []}
    for c in result.campaigns:
        ids = {a["account_id"] for a in c["accounts"]}
        value = c["scores"]["text_similarity"]
        if value is not None and (ids & surge or ids & planted):
            similarity["surge" if ids & surge else "planted"].append(value)
    return {"scenario": name, "surge_accounts": len(surge),
            "surge_flagged": len(surge & flagged), "bursts_alone": result.counts["bursts_alone"],
            "planted_precision": score["precision"], "planted_recall": score["recall"],
            "surge_text_similarity": max(similarity["surge"], default=None),
            "planted_text_similarity_min": min(similarity["planted"], default=None),
            "detect_s": round(seconds, 1)}


def report(console: Console, out: Path, title: str, columns: Sequence[str],
           cells: list[list[str]], result: dict[str, Any]) -> None:
    """Print one row of ``cells`` per scenario under ``columns``, then write ``result``
    as JSON to ``out`` and say so."""
    t = Table(title=title)
    for col in columns:
        t.add_column(col, justify="left" if col == "scenario" else "right", no_wrap=True)
    for row in cells:
        t.add_row(*row)
    console.print(t)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    console.print(f"wrote {out}")


def _sim(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fairness.json")
    args = ap.parse_args()
    console = Console(width=max(Console().width, 130))
    with tempfile.TemporaryDirectory(prefix="undertow-fairness-") as tmp:
        base, truth = base_stream(args.posts, args.seed, Path(tmp))
        rows = [run(name, base, truth, Path(tmp), args.seed) for name in SCENARIOS]
    report(console, args.out,
           f"Organic surges added to a simulated stream of {args.posts:,} posts "
           f"(seed {args.seed})",
           ("scenario", "surge accounts", "flagged", "lone bursts", "planted P", "planted R",
            "text sim", "detect s"),
           [[r["scenario"], str(r["surge_accounts"]), str(r["surge_flagged"]),
             str(r["bursts_alone"]), f"{r['planted_precision']:.3f}",
             f"{r['planted_recall']:.3f}",
             f"{_sim(r['surge_text_similarity'])} / {_sim(r['planted_text_similarity_min'])}",
             str(r["detect_s"])] for r in rows],
           {"posts": args.posts, "seed": args.seed, "scenarios": rows})


if __name__ == "__main__":
    main()
