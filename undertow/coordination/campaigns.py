"""Campaigns: Leiden communities on the significant graph, each with its evidence.

A campaign is a group of accounts tied by significant co-action edges and/or a
key-level burst, found by igraph's built-in Leiden. Bursts join the graph as a
star around one extra node, so a 500-account flood adds 500 edges, not
125,000. Every campaign carries what ties it together (keys, posts, a
timeline), component scores and its probability under chance.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any, NamedTuple

import igraph as ig
import numpy as np
import pyarrow as pa

from undertow.coordination.accountids import account_column, split_account
from undertow.coordination.detect import BURST_REACH, DAY
from undertow.coordination.features import Features, Names, evidence_posts, member_text_keys
from undertow.coordination.keys import KeyOptions
from undertow.coordination.significance import neg_log10, poisson_sf
from undertow.coordination.textsim import jaccard, normalize_texts, shingles, spellings, text_ids
from undertow.coordination.unionfind import find, union

MAX_EVIDENCE_POSTS = 300
MAX_KEYS = 50  #: keys a campaign's evidence lists
PER_KEY_POSTS = 3  #: posts (of different accounts) shown for each listed key
MAX_SIMILARITY_SAMPLE = 30


def iso(ts: float) -> str:
    """Epoch seconds as ISO 8601 UTC."""
    return datetime.fromtimestamp(float(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_many(ts: np.ndarray) -> list[str]:
    """:func:`iso` of every value of ``ts`` at once (three times faster at 540k values),
    to the same second: as :meth:`datetime.fromtimestamp` does, the fraction is rounded
    to microseconds half to even, so 0.9999996 s past a second is the next second.

    >>> iso_many(np.array([0.0, 1.5, 59.9999996, -0.5]))
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:01Z', '1970-01-01T00:01:00Z', \
'1969-12-31T23:59:59Z']
    """
    ts = np.asarray(ts, dtype=np.float64)
    whole = np.trunc(ts)
    micros = np.round((ts - whole) * 1e6)
    seconds = whole.astype(np.int64) + (micros >= 1e6) - (micros < 0)
    return [text + "Z" for text in
            np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").tolist()]


class BurstPost(NamedTuple):
    """One post of a burst."""

    account: str
    post_id: str
    ts: float


#: What a burst may carry of the public its accounts are drawn from (:func:`drawn_from`):
#: its key's regulars (``audience``) and how many of them came that day (``came``); for
#: an answer or share of a post, the post's ``author``, when it was posted (``cue``),
#: the author's fans (``public``) and how many of them answered it (``answered``).
PUBLICS = ("audience", "came", "author", "cue", "public", "answered")


def merge_bursts(bursts: pa.Table, members: pa.Table) -> list[dict[str, Any]]:
    """Bursts of one key in overlapping or adjacent cells become one burst, with its
    accounts and posts.

    ``bursts`` has ``signal, kid`` (the key's id), ``key`` (its name), ``bin`` (where the
    cell starts, in half windows: cells of the window grid and of the grid offset by half
    a window, each two halves long), ``p``, ``s`` and ``around`` (the cell's accounts and
    its key's use in the hour around it) and ``flat`` (no busier than the minutes on one
    side: a burst is flat when all its cells are); ``members`` has ``signal, kid, bin,
    account, post_id, ts``, one row per post, under the first burst cell that holds it
    (overlapping cells always end in the same burst).
    """
    if bursts.num_rows == 0:
        return []
    by_cell: dict[tuple[str, int, int], list[BurstPost]] = defaultdict(list)
    columns = [members[c].to_pylist() for c in ("signal", "kid", "bin")]
    posts = zip(*(members[c].to_pylist() for c in ("account", "post_id", "ts")), strict=True)
    for signal, kid, cell, post in zip(*columns, posts, strict=True):
        by_cell[(signal, kid, cell)].append(BurstPost(*post))
    columns = ["signal", "kid", "key", "bin", "p", "s", "around", "flat"]
    columns += [c for c in PUBLICS if c in bursts.schema.names]
    rows = sorted(bursts.select(columns).to_pylist(),
                  key=lambda r: (r["signal"], r["key"], r["bin"]))
    merged: list[dict[str, Any]] = []
    for r in rows:
        last = merged[-1] if merged else None
        # The cell's accounts as a share of the key's in the hour around it.
        share = r["s"] / (r["s"] + (r["around"] or 0))
        if last and (last["signal"], last["kid"]) == (r["signal"], r["kid"]) and \
                r["bin"] - last["bins"][-1] <= 2:
            last["bins"].append(r["bin"])
            last["p"] = min(last["p"], r["p"])
            last["hour_share"] = max(last["hour_share"], share)
            last["flat"] = last["flat"] and r["flat"]
        else:
            merged.append({"signal": r["signal"], "key": r["key"], "kid": r["kid"],
                           "bins": [r["bin"]], "p": r["p"], "hour_share": share,
                           "flat": r["flat"], **{c: r.get(c) for c in PUBLICS}})
    for b in merged:
        found = [m for cell in b["bins"] for m in by_cell[(b["signal"], b["kid"], cell)]]
        b["posts"] = found
        b["accounts"] = sorted({m.account for m in found})
    return merged


#: Share of a burst's accounts that must also act together elsewhere (another burst,
#: or a significant edge) for the burst to tie them into a campaign.
BURST_REPEAT_SHARE = 0.5
#: ... unless the burst is a block of one content: its signal says its posts carry the
#: same thing (one text, one shared post, link or object; a hashtag or a reply target
#: says nothing of what people wrote) and one of its cells holds at least
#: :data:`BURST_BLOCK_SHARE` of the accounts that used the key in the hour around it.
SAME_CONTENT = frozenset({"text", "near_text", "repost", "link", "object"})
#: A cascade is spread over its tail (a post reposted with delays of ten minutes on
#: average has a tenth of its reposts in the first minute); a push starts and stops.
BURST_BLOCK_SHARE = 0.5
#: ... and, for one text, the text says something of its own: at least this many
#: different character 3-grams once spaces are dropped (a short sentence, about 14
#: letters or characters). Stock reactions are typed by many people at once, each on
#: their own: "Happy New Year" (10), "what a goal" (7), 哈哈哈哈 (1), 666666 (1), 前方高能
#: (2) at the moment a live stream peaks.
BLOCK_MIN_GRAMS = 12
#: ... and its posts are one paste: the commonest spelling (:func:`textsim.spellings`)
#: holds at least this share of them. People who type a stock phrase long enough to
#: say something ("Merry Christmas everyone", 20 3-grams) each type it their own
#: way, in case, punctuation and emoji; a script pasted by a crew is one spelling.
BLOCK_ONE_SPELLING = 0.5


def says_something(text: str) -> bool:
    """Is a normalised text more than a stock reaction (:data:`BLOCK_MIN_GRAMS`)? A
    danmaku line's key is ``video|text``: only the text counts.

    >>> says_something("happy new year"), says_something("哈哈哈哈")
    (False, False)
    >>> says_something("boycott xiaomi now"), says_something("bv1xx|小米su7刹车失灵大家千万别买")
    (True, True)
    """
    return len(shingles(_line(text))) >= BLOCK_MIN_GRAMS


def _line(key: str) -> str:
    """A text key's words, spaces dropped; a danmaku line's key is ``video|text``, and
    only the text counts."""
    return key.rsplit("|", 1)[-1].replace(" ", "")


def mere_repetition(burst: dict[str, Any]) -> bool:
    """Is ``burst`` one text made of one or two characters over and over (哈哈哈哈,
    hhhhhhhh, 666666, 23333, 😂😂😂)? A live audience types such laughter and cheers
    at every funny moment of every evening's stream, so that the same viewers meet in
    them again is no sign of concert: such bursts neither meet again nor make others
    meet again. A danmaku line's key is ``video|text``: only the text counts.

    >>> mere_repetition({"signal": "text", "key": "bv1xx|哈哈哈哈"})
    True
    >>> mere_repetition({"signal": "text", "key": "苹果凉了"})
    False
    """
    return burst["signal"] == "text" and len(set(_line(str(burst["key"])))) <= 2


def is_block(burst: dict[str, Any]) -> bool:
    """Does ``burst`` count on its own, as a block of one content? Its signal says its
    posts carry the same thing (:data:`SAME_CONTENT`), one of its cells holds at least
    :data:`BURST_BLOCK_SHARE` of the key's use in the hour around it, and a text says
    something of its own (:func:`says_something`) and was pasted, not typed by each
    (``one_spelling``, set by :func:`mark_spellings`; taken as so where unset)."""
    return burst["signal"] in SAME_CONTENT and \
        burst.get("hour_share", 0.0) >= BURST_BLOCK_SHARE and \
        (burst["signal"] != "text" or says_something(str(burst["key"])) and
         bool(burst.get("one_spelling", True)))


def mark_spellings(ws: Any, bursts: list[dict[str, Any]]) -> None:
    """Set ``one_spelling`` on each text burst that would be a block: does its
    commonest spelling hold :data:`BLOCK_ONE_SPELLING` of its posts? The posts' texts
    are read back from the workspace for those bursts only."""
    candidates = [b for b in bursts if b["signal"] == "text" and is_block(b)]
    wanted = [(p.account, p.post_id) for b in candidates for p in b["posts"]]
    found = evidence_posts(ws, wanted)
    for b in candidates:
        texts = [found[(p.account, p.post_id)]["text"] for p in b["posts"]
                 if (p.account, p.post_id) in found]
        typed = Counter(spellings(pa.array(texts, pa.string())).to_pylist())
        top = typed.most_common(1)[0][1] if typed else 0
        b["one_spelling"] = top >= BLOCK_ONE_SPELLING * max(len(texts), 1)


#: A burst whose busiest cell holds less than this share of its key's use in the hours
#: around it (``hour_share``) is the crest of a wave: people taking a story up over many
#: minutes, as after news of a crash or a recall, a hashtag, a link or a post spreading
#: with delays of minutes. Floods start and stop: a campaign's bursts hold at least 0.34
#: of their key's use in the simulated streams (all but 18 of 382 at least 0.25 in the
#: densest). The same owners angry at every piece of news fill wave after wave; their
#: meeting again there is an engaged public, not concert, so a wave never ties accounts
#: through other bursts (only through significant edges), save bursts of its own key
#: in the hours around it: accounts that flood a hashtag every ten minutes make each
#: flood a sixth of the hour's use, but all of that use is theirs.
BURST_WAVE_SHARE = 0.25


def is_wave(burst: dict[str, Any]) -> bool:
    """Is ``burst`` the crest of a wave (:data:`BURST_WAVE_SHARE`)? One without an
    ``hour_share`` (as in the examples) is not."""
    return float(burst.get("hour_share", 1.0)) < BURST_WAVE_SHARE

#: Two bursts share accounts beyond chance when the tail of their overlap, drawn at random
#: from the accounts active on their platforms, is below this (Bonferroni over the
#: bursts each one is compared with): the same engaged crowd joins every trending topic
#: of a brand, a campaign's accounts come back together.
BURST_CHANCE = 0.01


def repeated_bursts(bursts: list[dict[str, Any]], edges: pa.Table, window: float,
                    population: dict[str, int] | None = None
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The bursts that tie their accounts into campaigns, and those that stand alone.

    One surge is not coordination. A post that goes viral draws hundreds of reposts and
    replies in its first minutes, a breaking story fills a hashtag, readers share an
    article with its share button's text, a goal fills a hashtag within the minute, and
    none of those people need ever meet again. A burst ties its accounts into a
    campaign when at least :data:`BURST_REPEAT_SHARE` of them also appear in another
    burst that shares more of its accounts than chance would (:func:`shared_beyond_chance`;
    one that is not the same moment of the same target: a repost and a reply of one
    viral post within a window are one event), or in a significant edge (two or more
    separate meetings). ``population`` (accounts active per platform) sets the chance,
    save where a public cue (the clock, a post) tells a crowd when to come: then that
    cue's public does (:func:`drawn_from`). Without it any shared account counts.
    Waves (``hour_share`` under
    :data:`BURST_WAVE_SHARE`: the crest of a story people take up over many minutes)
    neither repeat through other bursts nor make others repeat, save bursts of their
    own key within the hours around them: an engaged public joins every wave of its
    brand's news, a campaign floods its hashtag every few minutes. A burst that does
    not repeat still counts when it is a block of one content: its posts carry the
    same text, shared post, link or object (:data:`SAME_CONTENT`), one of its cells
    holds at least :data:`BURST_BLOCK_SHARE` of the key's use in the hour around it
    (``hour_share``), as when 500 accounts post one sentence within a minute and no
    one before or after, and a text is more than a stock reaction
    (:func:`says_something`: "Happy New Year" at midnight is not a block). A flood of
    one script in many wordings (``script`` set,
    :mod:`~undertow.coordination.scripts`; no ``hour_share``) is never a block on its
    own: it counts only by meeting again, that meeting's chance
    (:func:`overlap_chances`) becomes its ``p``, and it keeps only those of its
    accounts that meet again.
    Campaigns that flood again and again keep every burst; a lone surge is counted and
    left out.

    >>> b = [{"signal": "repost", "key": "p1", "accounts": ["a", "b"],
    ...       "posts": [BurstPost("a", "1", 0.0), BurstPost("b", "2", 5.0)]},
    ...      {"signal": "reply", "key": "p1", "accounts": ["a", "b"],
    ...       "posts": [BurstPost("a", "3", 30.0), BurstPost("b", "4", 31.0)]},
    ...      {"signal": "hashtag", "key": "#x", "accounts": ["a", "c"],
    ...       "posts": [BurstPost("a", "5", 9e3), BurstPost("c", "6", 9e3)]}]
    >>> edges = pa.table({"account_1": pa.array([], pa.string()),
    ...                   "account_2": pa.array([], pa.string())})
    >>> kept, alone = repeated_bursts(b, edges, 60.0)
    >>> [x["key"] for x in kept], [x["key"] for x in alone]
    (['p1', 'p1', '#x'], [])
    >>> kept, alone = repeated_bursts(b[:2], edges, 60.0)
    >>> len(kept), len(alone)
    (0, 2)
    """
    tied = set(edges["account_1"].to_pylist()) | set(edges["account_2"].to_pylist())
    times = [np.array([p.ts for p in b["posts"]] or [0.0]) for b in bursts]
    spans = [(float(t.min()), float(t.max())) for t in times]
    # When each burst's first and median posts came (:func:`drawn_from`).
    timing = [(float(t.min()), float(np.median(t))) for t in times]
    # Each burst's posts per account: one post in a text and a link burst (an article
    # shared with its button's text) is one act, not two.
    posts: list[dict[str, set[str]]] = []
    where: dict[str, list[int]] = defaultdict(list)
    laughter = [mere_repetition(b) for b in bursts]
    for i, b in enumerate(bursts):
        mine: dict[str, set[str]] = defaultdict(set)
        for p in b["posts"]:
            mine[p.account].add(p.post_id)
        posts.append(mine)
        if not laughter[i]:
            for account in b["accounts"]:
                where[account].append(i)

    def elsewhere(a: str, i: int, j: int) -> bool:
        """Does ``a`` act in burst ``j`` apart from what it does in burst ``i``?"""
        if not posts[j][a] - posts[i][a]:
            return False
        return not (bursts[i]["key"] == bursts[j]["key"] and spans[i][0] - window
                    <= spans[j][1] and spans[j][0] - window <= spans[i][1])

    wave = [is_wave(b) for b in bursts]
    reach = BURST_REACH * window  # the hours around a burst that its hour_share is of

    def may_repeat(i: int, j: int) -> bool:
        """May burst ``j`` make burst ``i``'s accounts meet again? Not when either is a
        wave, unless it is the same key again within the hours around: the same
        accounts flooding one hashtag every few minutes make each flood a small share
        of its key's hour, but that hour's use is theirs, not a public's. Floods start
        and stop: a wave no busier than the minutes beside it (``flat``) is the same
        people posting on and on, as at a live event, not flooding again."""
        if not (wave[i] or wave[j]):
            return True
        if bursts[i].get("flat") or bursts[j].get("flat"):
            return False
        return bursts[i]["key"] == bursts[j]["key"] and \
            bursts[i]["signal"] == bursts[j]["signal"] and \
            spans[j][0] - reach <= spans[i][1] and spans[i][0] - reach <= spans[j][1]

    kept: list[dict[str, Any]] = []
    alone: list[dict[str, Any]] = []
    for i, b in enumerate(bursts):
        if laughter[i]:
            b["meets_again"] = 0.0
            alone.append(b)
            continue
        if is_block(b):
            kept.append(b)
            continue
        need = BURST_REPEAT_SHARE * len(b["accounts"])
        again = tied.intersection(b["accounts"])
        script = bool(b.get("script"))
        # Most campaigns' accounts are tied by edges already; a flood of one script
        # looks further, as it ties only those of its accounts that meet again.
        if len(again) < need or script:
            overlap = Counter(j for a in b["accounts"] for j in where[a]
                              if j != i and may_repeat(i, j))
            others = {j: (o, len(bursts[j]["accounts"])) for j, o in overlap.items()}
            chances = {} if population is None else overlap_chances(
                len(b["accounts"]), others, drawn_from(
                    i, bursts, timing, others, _population(b["accounts"], population),
                    window, reach))
            beyond = shared_beyond_chance(len(b["accounts"]), others, None) \
                if population is None else [j for j, p in chances.items() if p < BURST_CHANCE]
            # The accounts those bursts share with this one, each acting apart from
            # what it does here (enough of them to decide; all of them for a lone one).
            for j in sorted(beyond, key=lambda j: -overlap[j]):
                again.update(a for a in posts[j].keys() & posts[i].keys()
                             if a not in again and elsewhere(a, i, j))
                if script and j in chances:  # its chance: of meeting again
                    b["p"] = min(b["p"], chances[j])
                if len(again) >= need and not script:
                    break
        b["meets_again"] = len(again) / len(b["accounts"]) if b["accounts"] else 0.0
        if len(again) < need:
            alone.append(b)
            continue
        if script:  # someone whose words fell near the script's, once, is not tied
            b["accounts"] = sorted(again)
            b["posts"] = [p for p in b["posts"] if p.account in again]
        kept.append(b)
    return kept, alone


def _population(accounts: list[str], population: dict[str, int]) -> int:
    """Accounts active on the platforms of ``accounts`` (``platform:author_id``)."""
    platforms = {split_account(a)[0] for a in accounts}
    return max(len(accounts), sum(population.get(p, 0) for p in platforms))


#: The most of a cue's public (:func:`drawn_from`) that may turn up on one occasion
#: (use the key that day, answer that post) for its bursts to be weighed against that
#: public: a public comes and goes, a crew on orders turns up in full.
FULL_TURNOUT = 0.95


def drawn_from(i: int, bursts: list[dict[str, Any]], timing: list[tuple[float, float]],
               others: dict[int, tuple[int, int]], active: int, window: float, reach: float
               ) -> dict[int, int]:
    """The accounts burst ``i`` and each of ``others`` (ids into ``bursts``; ``timing``
    holds when each one's first post and its median post came) are drawn from, for
    the chance of their overlap (:func:`overlap_chances`): those ``active`` on their
    platforms, but the public of a cue both answer, where known:

    - two bursts of one key on different days at the same time of day (within
      ``reach`` seconds): the key's regulars, who used it on two days or more
      (``audience``; ``came``: how many of them used it on the burst's day);
    - two bursts answering or sharing posts of one author (``author``), each within
      ``reach`` of its post (``cue``): the author's fans, who answered or shared two
      of its posts or more (``public``; ``answered``: how many of them answered or
      shared the burst's post);

    when, for both bursts, half of the posts came more than half a ``window`` after
    the first (a crowd arriving over minutes, not a crew within seconds) and at most
    :data:`FULL_TURNOUT` of the public turned up (a public comes and goes, a crew on
    orders turns up in full).

    A daily ritual (a check-in hashtag just after eight, "good morning everyone" at
    nine) fills its key's first minutes with its regulars every day, as the clock
    tells them to, each when they get to it; a star's fans answer each of its posts
    as it comes. Two mornings, or two of the star's posts, share as many of them as
    two draws from the regulars or the fans would, far more than two draws from a
    platform. A campaign that floods a key others use too comes back more than its
    key's other regulars do; one that is all of its key's or author's public turns up
    in full, and one at moments no clock or post names, or within seconds, meets
    again beyond a platform's chance.

    >>> first = {"signal": "hashtag", "kid": 7, "audience": 150, "came": 120}
    >>> bursts = [first, {**first, "came": 118}, {**first, "signal": "text"},
    ...           first, first, {**first, "came": 150}]
    >>> at = 8 * 3600.0
    >>> timing = [(at, at + 80), (DAY + at + 90, DAY + at + 200), (at, at + 80),
    ...           (2 * DAY + 15 * 3600.0, 2 * DAY + 15 * 3600.0 + 90),
    ...           (3 * DAY + at, 3 * DAY + at + 12), (4 * DAY + at, 4 * DAY + at + 90)]
    >>> others = {1: (80, 110), 2: (5, 30), 3: (60, 100), 4: (30, 30), 5: (90, 120)}
    >>> drawn_from(0, bursts, timing, others, 4400, 60, 3600)
    {1: 150, 2: 4400, 3: 4400, 4: 4400, 5: 4400}
    >>> star = {"signal": "reply", "author": "x:star", "public": 260, "answered": 150}
    >>> replies = [{**star, "kid": 1, "cue": 0.0}, {**star, "kid": 2, "cue": 6e4},
    ...            {**star, "kid": 3, "cue": 9e4}]
    >>> timing = [(5.0, 90.0), (6e4 + 2, 6e4 + 70), (9e4 + 5e3, 9e4 + 5100)]
    >>> drawn_from(0, replies, timing, {1: (70, 90), 2: (40, 60)}, 4400, 60, 3600)
    {1: 260, 2: 4400}
    """
    def spread(j: int) -> bool:
        return timing[j][1] - timing[j][0] > window / 2

    def ritual(j: int) -> bool:
        apart = abs(timing[j][0] - timing[i][0])
        clock = apart % DAY
        return (bursts[j]["signal"], bursts[j]["kid"]) == (bursts[i]["signal"], bursts[i]["kid"]) \
            and apart > reach and min(clock, DAY - clock) <= reach

    def cued(j: int) -> bool:
        cue = bursts[j].get("cue")
        return cue is not None and 0 <= timing[j][0] - cue <= reach

    def comes_and_goes(j: int, turned_up: str, public: int) -> bool:
        return (bursts[j].get(turned_up) or 0) <= FULL_TURNOUT * public

    drawn = dict.fromkeys(others, active)
    if not spread(i):
        return drawn
    # What burst i alone decides, once: whose public it may be drawn from.
    audience, public = bursts[i].get("audience"), bursts[i].get("public")
    if not (audience and comes_and_goes(i, "came", audience)):
        audience = None
    if not (public and cued(i) and comes_and_goes(i, "answered", public)):
        public = None
    for j in others:
        if not spread(j):
            continue
        if audience and ritual(j) and comes_and_goes(j, "came", audience):
            drawn[j] = audience
        elif public and bursts[j].get("author") == bursts[i]["author"] and cued(j) and \
                comes_and_goes(j, "answered", public):
            drawn[j] = public
    return drawn


def shared_beyond_chance(size: int, others: dict[int, tuple[int, int]], population: int | None
                         ) -> list[int]:
    """The bursts among ``others`` (id → (accounts shared with this burst, its accounts))
    that share more of this burst's ``size`` accounts than chance: the tail of the
    overlap of two sets drawn at random among ``population`` accounts (bounded by a
    Poisson tail of the same mean) is below :data:`BURST_CHANCE` divided by the bursts
    compared (:func:`overlap_chances`). Without a population every shared account
    counts.

    Two surges of a brand's engaged crowd share some of it by chance; two floods of one
    campaign share most of their accounts:

    >>> shared_beyond_chance(21, {0: (5, 455), 1: (2, 143)}, 4400)
    []
    >>> shared_beyond_chance(12, {0: (10, 14), 1: (2, 143)}, 4400)
    [0]
    """
    if population is None:
        return [j for j, (overlap, _) in others.items() if overlap]
    return [j for j, p in overlap_chances(size, others, population).items() if p < BURST_CHANCE]


def overlap_chances(size: int, others: dict[int, tuple[int, int]],
                    population: int | dict[int, int]) -> dict[int, float]:
    """For each burst of ``others`` that shares accounts with this one (see
    :func:`shared_beyond_chance`), the chance of an overlap at least as large between
    sets drawn at random among ``population`` accounts (or, as a dict, as many as it
    gives for each burst: :func:`drawn_from`), times the bursts compared
    (Bonferroni), at most 1.

    >>> {j: f"{p:.1e}" for j, p in overlap_chances(12, {0: (10, 14), 1: (0, 9)}, 4400).items()}
    {0: '3.5e-21'}
    >>> {j: f"{p:.2f}" for j, p in overlap_chances(110, {0: (80, 110)}, {0: 150}).items()}
    {0: '0.54'}
    """
    ids = [j for j, (overlap, _) in others.items() if overlap]
    if not ids:
        return {}
    overlap, n = (np.array([others[j][k] for j in ids], dtype=np.int64) for k in (0, 1))
    drawn = np.array([population[j] for j in ids] if isinstance(population, dict)
                     else [population] * len(ids), dtype=np.int64)
    # A Poisson tail of the overlap's mean: above the mean it is no thinner than the
    # hypergeometric's (chance is not understated), and needs no scipy.stats (a second).
    tail = poisson_sf(overlap, size * n / np.maximum(drawn, size + n - overlap))
    return dict(zip(ids, np.minimum(tail * len(others), 1.0).tolist(), strict=True))


def surge(burst: dict[str, Any]) -> dict[str, Any]:
    """What ``campaigns.json`` says of a burst left out (:func:`repeated_bursts`): its key,
    when, how many accounts and posts, the two shares that were too low, whether it
    is a wave and whether a plateau (no busier than the minutes on one side of it:
    people posting on and on). No account is named: a lone surge is no evidence
    against anyone.

    >>> surge({"signal": "repost", "key": "twitter:1", "accounts": ["a", "b"],
    ...        "posts": [BurstPost("a", "1", 0.0), BurstPost("b", "2", 61.0)],
    ...        "hour_share": 0.1, "meets_again": 0.0})["last"]
    '1970-01-01T00:01:01Z'
    """
    times = [p.ts for p in burst["posts"]]
    return {"signal": burst["signal"], "key": burst["key"],
            "first": iso(min(times)) if times else None,
            "last": iso(max(times)) if times else None,
            "accounts": len(burst["accounts"]), "posts": len(burst["posts"]),
            "hour_share": round(float(burst["hour_share"]), 3) if "hour_share" in burst
            else None,
            "wave": is_wave(burst), "plateau": bool(burst.get("flat", False)),
            "meets_again": round(float(burst.get("meets_again", 0.0)), 3)}


def _graph(edges: pa.Table, bursts: list[dict[str, Any]]) -> ig.Graph:
    names: dict[str, int] = {}

    def node(name: str) -> int:
        return names.setdefault(name, len(names))

    pairs, weights = [], []
    w = neg_log10(edges["p_value"].to_numpy()) if edges.num_rows else np.array([])
    for a, b, weight in zip(edges["account_1"].to_pylist(), edges["account_2"].to_pylist(), w,
                            strict=True):
        pairs.append((node(a), node(b)))
        weights.append(float(weight))
    for i, burst in enumerate(bursts):
        hub = node(f"\u0000burst{i}")
        bw = float(neg_log10(np.array([burst["p"]]))[0]) / 10 + 1
        for account in burst["accounts"]:
            pairs.append((hub, node(account)))
            weights.append(bw)
    g = ig.Graph(n=len(names), edges=pairs, directed=False)
    g.vs["name"] = list(names)
    g.es["weight"] = weights
    return g


#: A burst holds a community when it holds at least this share of its accounts; two
#: communities are one when at least this share of the bursts that hold either hold
#: both (see :func:`communities`).
BURST_GROUP_SHARE = 0.5


def wordings(bursts: list[dict[str, Any]], window: float, threshold: float) -> list[int]:
    """For each burst, the lowest-numbered burst of its act: ``text`` bursts at the same
    moment (their posts within ``window`` of each other) whose texts are near-same
    (Jaccard similarity of their 3-grams at least ``threshold``; on one video, for
    danmaku) are one script handed out in several wordings. Other bursts are acts of
    their own.

    >>> at = [BurstPost("a", "1", 0.0)]
    >>> later = [BurstPost("b", "2", 9e3)]
    >>> b = [{"signal": "text", "key": "the car is safe stop the lies", "posts": at},
    ...      {"signal": "text", "key": "the car is very safe stop the lies", "posts": at},
    ...      {"signal": "text", "key": "the car is safe stop the lies", "posts": later},
    ...      {"signal": "hashtag", "key": "the car is safe stop the lies", "posts": at}]
    >>> wordings(b, 60.0, 0.3)
    [0, 0, 2, 3]
    """
    root = list(range(len(bursts)))
    spans = {i: (min(m.ts for m in b["posts"]), max(m.ts for m in b["posts"]))
             for i, b in enumerate(bursts) if b["signal"] == "text" and b["posts"]}
    # Video and text of each key (a danmaku line's key is ``video|text``).
    keys = {i: str(bursts[i]["key"]).rpartition("|")[::2] for i in spans}
    order = sorted(spans, key=lambda i: spans[i][0])
    for n, i in enumerate(order):
        for j in order[n + 1:]:
            if spans[j][0] - window > spans[i][1]:
                break  # in order of start: every later one starts later still
            if keys[i][0] == keys[j][0] and jaccard(keys[i][1], keys[j][1]) >= threshold:
                union(root, i, j)
    return [find(root, i) for i in range(len(bursts))]


def communities(edges: pa.Table, bursts: list[dict[str, Any]], resolution: float,
                seed: int, acts: list[int] | None = None) -> list[list[str]]:
    """Groups of real accounts (burst hubs removed), largest first: Leiden's
    communities, those held by the same acts joined into one (see
    :data:`BURST_GROUP_SHARE`). ``acts`` gives each burst's act (:func:`wordings`);
    without it each burst is an act of its own."""
    g = _graph(edges, bursts)
    if g.vcount() == 0:
        return []
    random.seed(seed)
    parts = g.community_leiden(objective_function="modularity", weights="weight",
                               resolution=resolution, n_iterations=-1)
    group_of = {g.vs[i]["name"]: k for k, members in enumerate(parts) for i in members}
    size = Counter(k for name, k in group_of.items() if not name.startswith("\u0000"))
    # Leiden cuts a block of accounts that flood together again and again (every burst
    # tied to every one of them: as many ways to split as to keep) into arbitrary
    # pieces. Pieces held by the same bursts are one: each burst is one act of all its
    # accounts. Two campaigns that once flood the same video in the same minute are
    # held alike by that burst alone, and stay apart.
    act = acts if acts is not None else list(range(len(bursts)))
    held: dict[int, set[int]] = defaultdict(set)  # community -> acts holding most of it
    holds: dict[int, set[int]] = defaultdict(set)  # act -> communities it holds most of
    for i, burst in enumerate(bursts):
        counts = Counter(group_of[a] for a in burst["accounts"])
        for k, n in counts.items():
            if n >= BURST_GROUP_SHARE * size[k]:
                holds[act[i]].add(k)
                held[k].add(act[i])
    root = list(range(len(parts)))
    for alike in (sorted(ks) for ks in holds.values()):
        for k in alike[1:]:
            a, b = held[alike[0]], held[k]
            if len(a & b) >= BURST_GROUP_SHARE * len(a | b):
                union(root, k, alike[0])
    merged: dict[int, list[str]] = defaultdict(list)
    for name, k in group_of.items():
        if not name.startswith("\u0000"):
            merged[find(root, k)].append(name)
    return sorted((sorted(grp) for grp in merged.values()), key=lambda grp: (-len(grp), grp[0]))


class Evidence:
    """Looks up posts for evidence: text, time, account (read back from the
    workspace for the evidence posts only, see :func:`features.evidence_posts`)."""

    def __init__(self, rows: dict[tuple[str, str], dict[str, Any]]):
        self.rows = rows
        # Every evidence text normalised in one pass (for text similarity): one
        # vectorised call, not one per campaign.
        texts = [r["text"] or "" for r in rows.values()]
        self.normalized = dict(zip(rows, normalize_texts(pa.array(texts, pa.string()))
                                   .to_pylist(), strict=True))

    def post(self, at: tuple[str, str], signal: str, key: str) -> dict[str, Any]:
        """The post ``at`` (``(account, post_id)``), shown under ``signal, key``."""
        r = self.rows[at]
        platform, author = split_account(r["account"])
        return {"post_id": r["post_id"], "platform": platform, "account_id": author,
                "created_at": iso(r["ts"]), "text": r["text"],
                "signal": signal, "key": key}


def _text_similarity(texts: list[str], normalized: list[str]) -> float | None:
    """Mean exact Jaccard similarity of the first ``MAX_SIMILARITY_SAMPLE`` non-empty
    ``texts``' 3-grams, from their ``normalized`` forms (``None`` under two texts)."""
    norms = [n for t, n in zip(texts, normalized, strict=True) if t][:MAX_SIMILARITY_SAMPLE]
    if len(norms) < 2:
        return None
    sets = [shingles(t) for t in norms]  # each text's once, not once per pair
    sims = [len(a & b) / len(a | b) for i, a in enumerate(sets) for b in sets[i + 1:]]
    return round(float(np.mean(sims)), 3)


def _duplicated_share(members: set[str], text_keys: dict[str, list[int | None]]
                      ) -> float | None:
    """Share of the members' posts whose text another member posted too."""
    n_posts = sum(len(text_keys.get(a, [])) for a in members)
    keyed = [(key, a) for a in members for key in text_keys.get(a, []) if key is not None]
    if not keyed:
        return None
    authors: dict[int, set[str]] = defaultdict(set)
    for key, account in keyed:
        authors[key].add(account)
    dup = sum(1 for key, _ in keyed if len(authors[key]) > 1)
    return round(dup / n_posts, 3)


def _age_homogeneity(ages: dict[str, float], members: list[str]) -> float | None:
    known = [ages[a] for a in members if a in ages]
    if len(known) < max(2, len(members) // 2):
        return None
    q75, q25 = np.percentile(known, [75, 25])
    return round(float(max(0.0, 1.0 - (q75 - q25) / 365.0)), 3)


def _account_ages(eng: Any, accounts: list[str]) -> dict[str, float]:
    """Account creation dates (days since the epoch) of ``accounts`` where known."""
    if not accounts:
        return {}
    F = eng.F
    try:
        known = eng.table("accounts", ["platform", "author_id", "created_at"])
    except Exception:
        return {}
    staged = eng.stage("_coord_age_accounts", pa.table({"account": pa.array(accounts,
                                                                             pa.string())}))
    try:
        table = eng.to_arrow(known.filter(F.col("created_at").isNotNull()).select(
            account_column(F, F.col("platform"), F.col("author_id")).alias("account"),
            "created_at").join(staged, on=["account"], how="left_semi"))
    finally:
        eng.drop_stage("_coord_age_accounts")
    return {r["account"]: r["created_at"].timestamp() / 86400 for r in table.to_pylist()}


def active_accounts(eng: Any) -> dict[str, int]:
    """Accounts with at least one post, per platform: the crowd bursts are drawn from."""
    F = eng.F
    counts = eng.to_arrow(eng.table("posts", ["platform", "author_id"]).groupBy("platform")
                          .agg(F.countDistinct("author_id").alias("n")))
    return dict(zip(counts["platform"].to_pylist(), counts["n"].to_pylist(), strict=True))


def assemble(eng: Any, ws: Any, result: Any, edges: pa.Table, bursts_cells: pa.Table,
             members: pa.Table, events: Any, names: Names, options: KeyOptions,
             params: Any, scripts: list[dict[str, Any]] | None = None,
             spent: tuple[str, ...] = ()) -> None:
    """Fill ``result`` (a :class:`~undertow.coordination.detect.Detection`).

    Memory grows with the significant edges and the campaigns: posts are read
    back from the workspace only for the evidence and the member accounts. The
    working tables named in ``spent`` (the events and names) are released once
    the campaigns' facts are read from them. ``scripts`` are floods of one script,
    already bursts (:mod:`~undertow.coordination.scripts`).
    """
    merged = merge_bursts(bursts_cells, members) + list(scripts or [])
    mark_spellings(ws, merged)
    bursts, alone = repeated_bursts(merged, edges, params.window,
                                    active_accounts(eng) if merged else None)
    result.counts["bursts_alone"] = len(alone)
    result.surges = sorted((surge(b) for b in alone),
                           key=lambda x: (-x["accounts"], x["first"] or "", x["key"]))
    # A script handed out in several wordings is one act: its wordings' bursts hold
    # their own accounts each, and would otherwise stay campaigns of their own.
    acts = wordings(bursts, params.window, params.near_threshold) \
        if "near_text" in params.signals else None
    groups = [g for g in communities(edges, bursts, params.resolution, params.seed, acts)
              if len(g) >= params.min_campaign_size]
    ids = [f"C{n:03d}" for n in range(1, len(groups) + 1)]
    member_of = {a: cid for cid, group in zip(ids, groups, strict=True) for a in group}
    bursts_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for b in bursts:
        for cid in sorted({member_of[a] for a in b["accounts"] if a in member_of}):
            bursts_of[cid].append(b)
    facts = CampaignFacts(eng, events, member_of, edges, names, {
        cid: [(b["signal"], b["kid"]) for b in bs] for cid, bs in bursts_of.items()})
    eng.release(*spent)
    text_keys = member_text_keys(ws, list(member_of), options)
    ages = _account_ages(eng, list(member_of))
    n_tests = max(1, len(groups))
    shown = {cid: _shown_posts(facts.sampled.get(cid, []), facts.posts.get(cid, []),
                               bursts_of[cid], set(group))
             for cid, group in zip(ids, groups, strict=True)}
    evidence = Evidence(evidence_posts(ws, [at for posts in shown.values() for at in posts]))
    for cid, group in zip(ids, groups, strict=True):
        result.campaigns.append(_campaign(cid, group, facts, bursts_of[cid], evidence,
                                          shown[cid], text_keys, ages, params, n_tests,
                                          result))
    del facts, text_keys, evidence
    # A batch at a time: hundreds of thousands of edges never exist twice as dicts.
    for batch in edges.to_batches(max_chunksize=20_000):
        result.edges.extend(_edges_out(batch))


class CampaignFacts:
    """What ties each campaign together, aggregated by the engine: co-action time
    gaps, its keys (how many per signal; the most shared ones with their accounts,
    and whether each key of its bursts is among them), signals per account, the
    evidence posts (those backing each listed key, then the earliest) with the
    listed keys each has, and the campaign's observed and expected events.

    The events are on integers (account ids, post numbers, key ids); only what is
    shown comes back and is named (``names``): the ``MAX_KEYS`` most shared keys
    plus one per burst key (a burst can change a key's count), which is enough
    for the top ``MAX_KEYS`` after the bursts are counted in, the first posts of
    ``PER_KEY_POSTS`` accounts for each of them, and the first
    ``MAX_EVIDENCE_POSTS`` posts.
    """

    def __init__(self, eng: Any, events: Any, member_of: dict[str, str], edges: pa.Table,
                 names: Names, burst_keys: dict[str, list[tuple[str, int]]] | None = None):
        #: campaign → its events' time gaps (distinct values) and how often each occurs
        self.dts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.keys: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        self.key_counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.has_key: dict[str, set[tuple[str, int]]] = defaultdict(set)
        self.signals: dict[str, Counter[str]] = defaultdict(Counter)
        #: campaign → (post id, signal, key, account) of the posts backing its listed
        #: keys (``sampled``) and of its first posts (``posts``)
        self.sampled: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        self.posts: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        #: campaign → (account, post id) → the listed (signal, key) pairs the post has
        self.ties: dict[str, dict[tuple[str, str], list[tuple[str, str]]]] = defaultdict(dict)
        self.observed: dict[str, float] = defaultdict(float)
        self.expected: dict[str, float] = defaultdict(float)
        self.best_q: dict[str, float] = {}
        if not member_of or edges.num_rows == 0:
            return
        self._edges(edges, member_of)
        F = eng.F
        accounts = list(member_of)
        ids = text_ids(pa.array(accounts, pa.string()))
        self._who = dict(zip(ids.tolist(), accounts, strict=True))
        self._cids = sorted(set(member_of.values()))
        number = {cid: n for n, cid in enumerate(self._cids)}
        staged = eng.stage("_coord_members", pa.table({
            "account": pa.array(ids, pa.int64()),
            "cno": pa.array([number[member_of[a]] for a in accounts], pa.int64())}))
        m1 = staged.select(F.col("account").alias("account_1"), F.col("cno"))
        m2 = staged.select(F.col("account").alias("account_2"), F.col("cno").alias("c2"))
        inner = eng.persist(events.join(m1, on=["account_1"]).join(m2, on=["account_2"]).filter(
            F.col("cno") == F.col("c2")).drop("c2"), "_coord_inner")
        sides = inner.select("cno", "signal", "key", F.col("account_1").alias("account"),
                             F.col("post_1").alias("post_id"), F.col("ts_1").alias("ts")
                             ).unionByName(inner.select(
                                 "cno", "signal", "key", F.col("account_2").alias("account"),
                                 F.col("post_2").alias("post_id"), F.col("ts_2").alias("ts")))
        try:
            # Gaps come back counted per value (whole seconds on most platforms: a few
            # dozen values per campaign, not one row per event).
            dts = eng.to_arrow(inner.groupBy("cno", "dt").agg(F.count(F.lit(1)).alias("n")))
            keys = self._keys(eng, sides, names, {
                number[cid]: pairs for cid, pairs in (burst_keys or {}).items()
                if cid in number})
            per_account = eng.to_arrow(sides.groupBy("account", "signal").agg(
                F.count(F.lit(1)).alias("n")))
            shown = self._evidence_rows(eng, sides, keys)
        finally:
            for name in ("_coord_members", "_coord_inner", "_coord_campaign_keys",
                         "_coord_listed_keys", "_coord_shown"):
                eng.drop_stage(name)
        self._collect(dts, keys, per_account, shown, names)

    def _keys(self, eng: Any, sides: Any, names: Names,
              burst_keys: dict[int, list[tuple[str, int]]]) -> list[tuple[int, str, int, int]]:
        """Distinct keys per campaign and signal, into ``key_counts``; which burst keys
        the campaign's events have, into ``has_key``; the most shared keys
        (campaign number, signal, key id, accounts), ranked by the engine."""
        F, W = eng.F, eng.Window
        keys = eng.persist(sides.groupBy("cno", "signal", "key").agg(
            F.countDistinct("account").alias("accounts")), "_coord_campaign_keys")
        for r in eng.to_arrow(keys.groupBy("cno", "signal").agg(
                F.count(F.lit(1)).alias("n"))).to_pylist():
            self.key_counts[self._cids[r["cno"]]][r["signal"]] = r["n"]
        wanted = [(cno, s, k) for cno, pairs in burst_keys.items() for s, k in pairs]
        if wanted:
            probe = eng.stage("_coord_burst_keys", pa.table({
                "cno": pa.array([w[0] for w in wanted], pa.int64()),
                "signal": pa.array([w[1] for w in wanted], pa.string()),
                "key": pa.array([w[2] for w in wanted], pa.int64())}))
            for r in eng.to_arrow(keys.join(probe, on=["cno", "signal", "key"],
                                            how="left_semi")).to_pylist():
                self.has_key[self._cids[r["cno"]]].add((r["signal"], r["key"]))
            eng.drop_stage("_coord_burst_keys")
        extra = max((len(v) for v in burst_keys.values()), default=0)
        order = W.partitionBy("cno").orderBy(F.col("accounts").desc(), F.col("signal").asc(),
                                             F.col("key").asc())
        top = eng.to_arrow(keys.withColumn("rank", F.row_number().over(order)).filter(
            F.col("rank") <= F.lit(MAX_KEYS + extra)).select("cno", "signal", "key", "accounts"))
        return [(r["cno"], r["signal"], r["key"], r["accounts"]) for r in top.to_pylist()]

    @staticmethod
    def _evidence_rows(eng: Any, sides: Any, listed: list[tuple[int, str, int, int]]
                       ) -> tuple[pa.Table, pa.Table, pa.Table]:
        """The posts each campaign shows, as three tables: ``sampled``, for each
        listed key, the first post of each of the first ``PER_KEY_POSTS`` accounts to
        share it (so every key a campaign lists is backed by posts of different
        accounts, however late it came); ``first``, :meth:`_first_posts`; and
        ``ties``, every listed key each of those posts has."""
        F, W = eng.F, eng.Window
        staged = eng.stage("_coord_listed_keys", pa.table({
            "cno": pa.array([k[0] for k in listed], pa.int64()),
            "signal": pa.array([k[1] for k in listed], pa.string()),
            "key": pa.array([k[2] for k in listed], pa.int64())}))
        mine = sides.join(staged, on=["cno", "signal", "key"], how="left_semi").select(
            "cno", "post_id", "signal", "key", "ts", "account")
        in_order = (F.col("ts").asc(), F.col("post_id").asc())
        by_account = W.partitionBy("cno", "signal", "key", "account").orderBy(*in_order)
        by_key = W.partitionBy("cno", "signal", "key").orderBy(*in_order)
        sampled = eng.to_arrow(
            mine.withColumn("r1", F.row_number().over(by_account)).filter(F.col("r1") == 1)
            .withColumn("r2", F.row_number().over(by_key))
            .filter(F.col("r2") <= F.lit(PER_KEY_POSTS))
            .select("cno", "post_id", "signal", "key", "ts", "account"))
        first = CampaignFacts._first_posts(eng, sides)
        chosen = eng.stage("_coord_shown", pa.concat_tables([
            t.select(["cno", "post_id"]).cast(pa.schema([("cno", pa.int64()),
                                                          ("post_id", pa.int64())]))
            for t in (sampled, first)]))
        ties = eng.to_arrow(mine.join(chosen, on=["cno", "post_id"], how="left_semi")
                            .select("cno", "post_id", "signal", "key").distinct())
        return sampled, first, ties

    @staticmethod
    def _first_posts(eng: Any, sides: Any) -> pa.Table:
        """The first ``MAX_EVIDENCE_POSTS`` posts of each campaign's events, each once,
        with the first of the (signal, key) pairs it has in the campaign's events: the
        same evidence rows every run."""
        F, W = eng.F, eng.Window
        first = W.partitionBy("cno").orderBy(F.col("ts").asc(), F.col("post_id").asc())
        # A post in several events has several rows of the same rank.
        rows = eng.to_arrow(sides.select("cno", "post_id", "signal", "key", "ts", "account")
                            .withColumn("rank", F.dense_rank().over(first))
                            .filter(F.col("rank") <= F.lit(MAX_EVIDENCE_POSTS)))
        rows = rows.sort_by([("cno", "ascending"), ("post_id", "ascending"),
                             ("signal", "ascending"), ("key", "ascending")])
        cno, pid = rows["cno"].to_numpy(), rows["post_id"].to_numpy()
        new = np.ones(rows.num_rows, dtype=bool)
        new[1:] = (cno[1:] != cno[:-1]) | (pid[1:] != pid[:-1])
        return rows.filter(pa.array(new))

    def _edges(self, edges: pa.Table, member_of: dict[str, str]) -> None:
        for a1, a2, events, lam, q in zip(
                edges["account_1"].to_pylist(), edges["account_2"].to_pylist(),
                edges["events"].to_pylist(), edges["lam"].to_pylist(),
                edges["q_value"].to_pylist(), strict=True):
            cid = member_of.get(a1)
            if cid is None or cid != member_of.get(a2):
                continue
            self.observed[cid] += events
            self.expected[cid] += lam or 0.0
            for a in (a1, a2):
                self.best_q[a] = min(self.best_q.get(a, 1.0), q)

    def _collect(self, dts: pa.Table, keys: list[tuple[int, str, int, int]],
                 per_account: pa.Table, shown: tuple[pa.Table, pa.Table, pa.Table],
                 names: Names) -> None:
        # One sort, then a slice per campaign (not a scan of every gap per campaign).
        codes = dts["cno"].to_numpy(zero_copy_only=False)
        order = np.argsort(codes, kind="stable")
        gaps = dts["dt"].to_numpy(zero_copy_only=False)[order]
        counts = dts["n"].to_numpy(zero_copy_only=False)[order]
        bounds = np.searchsorted(codes[order], np.arange(len(self._cids) + 1))
        for i, cid in enumerate(self._cids):
            if bounds[i + 1] > bounds[i]:
                self.dts[cid] = (gaps[bounds[i]:bounds[i + 1]], counts[bounds[i]:bounds[i + 1]])
        sampled, first = (t.to_pylist() for t in shown[:2])
        key_name = names.keys([s for _, s, _, _ in keys] + [r["signal"] for r in first],
                              [k for _, _, k, _ in keys] + [r["key"] for r in first])
        for cno, signal, key, accounts in keys:
            self.keys[self._cids[cno]].append((signal, key_name[(signal, key)], accounts))
        for r in per_account.to_pylist():
            self.signals[self._who[r["account"]]][r["signal"]] += r["n"]
        ties: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
        for r in shown[2].to_pylist():
            ties[(r["cno"], r["post_id"])].append((r["signal"], r["key"]))
        # A post is shown under the first (signal, key) by name of its events' pairs.
        under = {(r["cno"], r["post_id"]): (r["signal"], r["key"]) for r in first}
        rank = {(cno, s, k): i for i, (cno, s, k, _) in enumerate(keys)}
        sampled.sort(key=lambda r: (rank[(r["cno"], r["signal"], r["key"])], r["ts"],
                                    r["post_id"]))
        post_name = names.posts([r["post_id"] for r in sampled + first])
        for rows, into in ((sampled, self.sampled), (first, self.posts)):
            for r in rows:
                at = (r["cno"], r["post_id"])
                signal, key = under.get(at) or min(ties[at])
                cid = self._cids[r["cno"]]
                account, post_id = post_name[r["post_id"]]
                into[cid].append((post_id, signal, key_name[(signal, key)], account))
                self.ties[cid][(account, post_id)] = [(s, key_name[(s, k)]) for s, k in ties[at]]


def _shown_posts(sampled: list[tuple[str, str, str, str]],
                 first: list[tuple[str, str, str, str]], my_bursts: list[dict[str, Any]],
                 members: set[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """``(account, post_id)`` → (signal, key) of the posts a campaign shows, at most
    ``MAX_EVIDENCE_POSTS``: the posts backing each listed key of its events
    (``sampled``), the first posts of ``PER_KEY_POSTS`` members in each of its
    bursts, the first posts of its events (``first``), then its members' other
    posts in its bursts. A post is shown once, under the first of these; posts are
    keyed by account and id (platforms reuse ids)."""
    shown: dict[tuple[str, str], tuple[str, str]] = {}

    def add(post_id: str, signal: str, key: str, account: str) -> None:
        if len(shown) < MAX_EVIDENCE_POSTS:
            shown.setdefault((account, post_id), (signal, key))

    in_bursts = [(b, sorted((m for m in b["posts"] if m.account in members),
                            key=lambda m: (m.ts, m.post_id, m.account))) for b in my_bursts]
    for entry in sampled:
        add(*entry)
    for b, posts in in_bursts:
        accounts: set[str] = set()
        for m in posts:
            if m.account not in accounts and len(accounts) < PER_KEY_POSTS:
                accounts.add(m.account)
                add(m.post_id, b["signal"], b["key"], m.account)
    for entry in first:
        add(*entry)
    for b, posts in in_bursts:
        for m in posts:
            add(m.post_id, b["signal"], b["key"], m.account)
    return shown


def weighted_median(values: np.ndarray, counts: np.ndarray) -> float:
    """The median of ``values`` each repeated ``counts`` times (as :func:`numpy.median`:
    the mean of the two middle values of an even count).

    Example:
        >>> weighted_median(np.array([3.0, 1.0, 2.0]), np.array([1, 2, 1]))
        1.5
    """
    order = np.argsort(values, kind="stable")
    ranked, cum = values[order], np.cumsum(counts[order])
    n = int(cum[-1])
    low = ranked[np.searchsorted(cum, (n - 1) // 2, side="right")]
    high = ranked[np.searchsorted(cum, n // 2, side="right")]
    return float((low + high) / 2)


def _tie(posts: dict[tuple[str, str], dict[str, Any]], listed: set[tuple[str, str]],
         event_ties: dict[tuple[str, str], list[tuple[str, str]]],
         my_bursts: list[dict[str, Any]], members: set[str]) -> None:
    """Give each shown post (by ``(account, post_id)``) its ``ties``: the listed keys
    it shares with other members (in the campaign's events or bursts), and the key it
    is shown under."""
    ties = {at: set(t) for at, t in event_ties.items()}
    for b in my_bursts:
        for m in b["posts"]:
            if m.account in members:
                ties.setdefault((m.account, m.post_id), set()).add((b["signal"], b["key"]))
    for at, p in posts.items():
        p["ties"] = [{"signal": s, "key": k} for s, k in sorted(
            ties.get(at, set()) & listed | {(p["signal"], p["key"])})]


def _most_common(counts: Counter[str]) -> list[tuple[str, int]]:
    """``counts`` from the most to the least common, ties by name: the same order
    whatever order the engine returned the rows in.

    >>> _most_common(Counter({"text": 2, "hashtag": 5, "link": 2}))
    [('hashtag', 5), ('link', 2), ('text', 2)]
    """
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _campaign(cid: str, group: list[str], facts: CampaignFacts, my_bursts: list[dict[str, Any]],
              evidence: Evidence, shown: dict[tuple[str, str], tuple[str, str]],
              text_keys: dict[str, list[int | None]], ages: dict[str, float], params: Any,
              n_tests: int, result: Any) -> dict[str, Any]:
    members = set(group)
    posts = {at: evidence.post(at, sig, key) for at, (sig, key) in shown.items()}
    key_accounts: dict[tuple[str, str], int] = {(s, k): n for s, k, n in facts.keys.get(cid, [])}
    signals = Counter(facts.key_counts.get(cid, Counter()))
    gap_values, gap_counts = facts.dts.get(cid, (np.array([]), np.array([], np.int64)))
    burst_gaps = []
    signal_count = {a: Counter(facts.signals.get(a, Counter())) for a in group}
    best_p = {a: facts.best_q[a] for a in group if a in facts.best_q}
    for b in my_bursts:
        times = [m.ts for m in b["posts"]]
        burst_gaps.append((max(times) - min(times)) / 2)
        inside = [m for m in b["posts"] if m.account in members]
        burst_key = (b["signal"], b["key"])
        if burst_key not in key_accounts and \
                (b["signal"], b["kid"]) not in facts.has_key.get(cid, set()):
            signals[b["signal"]] += 1  # a key the campaign's events do not have
        key_accounts[burst_key] = len({m.account for m in inside})
        for m in inside:
            signal_count[m.account][b["signal"]] += 1
            best_p[m.account] = min(best_p.get(m.account, 1.0), b["p"])
    gap_values = np.concatenate([gap_values, np.array(burst_gaps, dtype=float)])
    gap_counts = np.concatenate([gap_counts, np.ones(len(burst_gaps), dtype=np.int64)])
    listed = sorted(key_accounts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_KEYS]
    _tie(posts, {sk for sk, _ in listed}, facts.ties.get(cid, {}), my_bursts, members)
    order = sorted(posts, key=lambda at: posts[at]["created_at"])
    ordered = [posts[at] for at in order]
    timeline = Counter(p["created_at"][:16] for p in ordered)
    inner = facts.observed.get(cid, 0.0) > 0
    p_edges = float(poisson_sf(np.array([facts.observed.get(cid, 0.0)]),
                               np.array([facts.expected.get(cid, 0.0)]))[0]) if inner else 1.0
    p_bursts = min((b["p"] for b in my_bursts), default=1.0)
    p_chance = min(1.0, min(p_edges * n_tests, p_bursts))
    for account in group:
        platform, author = split_account(account)
        result.accounts.append({
            "account_id": author, "platform": platform, "campaign_id": cid,
            "score": round(1.0 - best_p.get(account, p_chance), 6),
            "top_signal": _most_common(signal_count[account])[0][0]
            if signal_count[account] else "",
        })
    post_counts = Counter((t["signal"], t["key"]) for p in ordered for t in p["ties"])
    example: dict[tuple[str, str], str] = {}
    for p in ordered:
        for t in p["ties"] if p["text"] else ():
            example.setdefault((t["signal"], t["key"]), p["text"])
    return {
        "campaign_id": cid,
        "kind": "network" if inner else "burst",
        "size": len(group),
        "accounts": [dict(zip(("platform", "account_id"), split_account(a), strict=True))
                     for a in group],
        "signals": {sig: n for sig, n in _most_common(signals) if n},
        "keys": [{"signal": s, "key": k, "accounts": n, "posts": post_counts[(s, k)],
                  "example": example.get((s, k))} for (s, k), n in listed],
        "posts": ordered,
        "timeline": [{"t": t, "posts": n} for t, n in sorted(timeline.items())],
        "scores": {
            # A burst merged over several windows can span more than one: 0 at the least.
            "synchrony": round(max(0.0, 1.0 - weighted_median(gap_values, gap_counts)
                                   / params.window), 3) if len(gap_values) else None,
            "text_similarity": _text_similarity(
                [p["text"] for p in ordered], [evidence.normalized[at] for at in order]),
            "duplicated_share": _duplicated_share(members, text_keys),
            "account_age_homogeneity": _age_homogeneity(ages, group),
        },
        "p_chance": p_chance,
        "confidence": round(1.0 - p_chance, 6),
        "bursts": [{"signal": b["signal"], "key": b["key"], "accounts": len(b["accounts"]),
                    "start": iso(min(m.ts for m in b["posts"])), "p": b["p"]}
                   for b in my_bursts][:20],
    }


#: The columns of a significant edge that ``Detection.edges`` shows.
_EDGE_COLUMNS = ["account_1", "account_2", "events", "signals", "p_value"]


def _edges_out(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """``Detection.edges`` rows of a batch of named significant edges."""
    firsts, lasts = iso_many(batch["first_ts"].to_numpy()), iso_many(batch["last_ts"].to_numpy())
    out = []
    for e, first, last in zip(batch.select(_EDGE_COLUMNS).to_pylist(), firsts, lasts,
                              strict=True):
        sp, sa = split_account(e["account_1"])
        tp, ta = split_account(e["account_2"])
        out.append({"source": sa, "target": ta, "source_platform": sp, "target_platform": tp,
                    "weight": e["events"], "events": e["events"], "signals": e["signals"],
                    "first_ts": first, "last_ts": last, "p_value": e["p_value"]})
    return out


def _top_signals(counts: pa.Table) -> dict[str, str]:
    """Each account's signal with the most share pairs (``signal, account_1, account_2,
    n`` rows), ties by name.

    >>> _top_signals(pa.table({"signal": ["object", "repost", "object"],
    ...     "account_1": ["a", "a", "b"], "account_2": ["b", "c", "c"], "n": [1, 3, 2]}))
    {'a': 'repost', 'b': 'object', 'c': 'repost'}
    """
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for row in counts.to_pylist():
        for end in ("account_1", "account_2"):
            pairs[row[end]][row["signal"]] += row["n"]
    return {account: _most_common(c)[0][0] for account, c in sorted(pairs.items())}


def compat(eng: Any, result: Any, keyed: Any, feats: Features, params: Any) -> None:
    """CooRTweet's plain co-share network (``significance=False``): edges weighted by
    share pairs, ``min_shares`` applied as CooRTweet's min_participation, one
    signal at a time and stacked; Leiden groups them for reading."""
    from undertow.coordination import coshare as cs

    F = eng.F
    multi = len(feats.platforms) > 1
    stacked = None
    for signal in params.signals:
        if signal in cs.SIGNAL_COLUMNS:
            shares = cs.posts_shares(eng, signal, multi=multi)
        else:
            rows = keyed.filter(F.col("signal") == F.lit(signal)).join(
                feats.post_names.select(F.col("pid").alias("post_id"),
                                        F.col("account").alias("name"),
                                        F.col("post_id").alias("content")), on=["post_id"])
            account = F.col("name") if multi else F.regexp_replace(
                F.col("name"), "^[^:]*:", "")
            shares = rows.select(F.col("key").cast("string").alias("key"),
                                 account.alias("account"), "content", "ts")
        pairs = cs.coshare_pairs(eng, params.window, params.min_shares, signal, shares)
        stacked = pairs if stacked is None else stacked.unionByName(pairs)
    if stacked is None:
        return
    F = eng.F
    stacked = eng.persist(stacked, "_coord_compat_pairs")
    edges = eng.to_arrow(stacked.groupBy("account_1", "account_2").agg(
        F.count(F.lit(1)).alias("weight"), F.avg("dt").alias("avg_time_delta"),
        F.array_join(F.array_sort(F.collect_set("signal")), ";").alias("signals"),
        F.min(F.least(F.col("ts_1"), F.col("ts_2"))).alias("first_ts"),
        F.max(F.greatest(F.col("ts_1"), F.col("ts_2"))).alias("last_ts")))
    top = _top_signals(eng.to_arrow(stacked.groupBy("signal", "account_1", "account_2").agg(
        F.count(F.lit(1)).alias("n"))))
    eng.release("_coord_compat_pairs")
    platform = feats.platforms[0] if feats.platforms else "generic"

    def whose(account: str) -> tuple[str, str]:
        return split_account(account) if multi else (platform, account)

    g = ig.Graph(directed=False)
    names = sorted(set(edges["account_1"].to_pylist()) | set(edges["account_2"].to_pylist()))
    g.add_vertices(names)
    g.add_edges(list(zip(edges["account_1"].to_pylist(), edges["account_2"].to_pylist(),
                         strict=True)))
    g.es["weight"] = [float(w) for w in edges["weight"].to_pylist()]
    random.seed(params.seed)
    parts = g.community_leiden(objective_function="modularity", weights="weight",
                               resolution=params.resolution, n_iterations=-1) \
        if g.vcount() else []
    groups = sorted(([g.vs[i]["name"] for i in part] for part in parts),
                    key=lambda grp: (-len(grp), min(grp)))
    for number, group in enumerate((grp for grp in groups
                                    if len(grp) >= params.min_campaign_size), 1):
        cid = f"C{number:03d}"
        for account in sorted(group):
            p, a = whose(account)
            result.accounts.append({"account_id": a, "platform": p, "campaign_id": cid,
                                    "score": 1.0, "top_signal": top[account]})
        result.campaigns.append({
            "campaign_id": cid, "kind": "coshare", "size": len(group),
            "accounts": [dict(zip(("platform", "account_id"), whose(a), strict=True))
                         for a in sorted(group)],
            "signals": {}, "keys": [], "posts": [], "timeline": [], "scores": {},
            "p_chance": None, "confidence": None, "bursts": []})
    firsts, lasts = iso_many(edges["first_ts"].to_numpy()), iso_many(edges["last_ts"].to_numpy())
    for e, first, last in zip(edges.select(["account_1", "account_2", "weight", "signals",
                                            "avg_time_delta"]).to_pylist(), firsts, lasts,
                              strict=True):
        sp, sa = whose(e["account_1"])
        tp, ta = whose(e["account_2"])
        result.edges.append({"source": sa, "target": ta, "source_platform": sp,
                             "target_platform": tp, "weight": e["weight"],
                             "events": e["weight"], "signals": e["signals"],
                             "first_ts": first, "last_ts": last,
                             "p_value": None, "avg_time_delta": e["avg_time_delta"]})
    result.counts = {"posts": feats.posts, "edges": edges.num_rows,
                     "share_pairs": int(sum(edges["weight"].to_pylist()))}
