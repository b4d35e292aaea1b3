"""``undertow spikes``: planted bursts are coordinated, the outrage is organic, flat is quiet."""

from __future__ import annotations

import dataclasses
import doctest
import io
import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

from tests.opinion.test_compare import KeywordAnalyzer, _write, sim_ws  # noqa: F401
from undertow import Workspace, ingest
from undertow.cli import main
from undertow.coordination.store import save
from undertow.opinion import spikes as spikes_mod
from undertow.opinion.brands import parse_brand
from undertow.opinion.spikes import SpikeParams, find_spikes, sentiment_spikes

T0 = datetime(2025, 3, 24)


def _flat() -> list[tuple[str, datetime, str]]:
    return [(f"u{(h * 12 + k) % 200}", T0 + timedelta(hours=h, minutes=5 * k),
             f"Xiaomi battery {'great' if k % 3 == 0 else 'bad' if k % 3 == 1 else 'ok'} {h}-{k}")
            for h in range(48) for k in range(12)]


def _ws(tmp_path: Path, rows: list[tuple[str, datetime, str]], bots: int = 0) -> Workspace:
    ws = Workspace.open(tmp_path / "ws")
    ingest(ws, [_write(tmp_path, rows)])
    if bots:
        platform = ws.con.execute("SELECT any_value(platform) FROM posts").fetchall()[0][0]
        save(ws, [{"account_id": f"bot{i}", "platform": platform, "campaign_id": "c1",
                   "score": 1.0, "top_signal": "text"} for i in range(bots)], [], [])
    return ws


def test_doctests() -> None:
    assert doctest.testmod(spikes_mod).failed == 0


def test_flat_series_has_no_spikes(tmp_path: Path) -> None:
    with _ws(tmp_path, _flat()) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    assert result["spikes"] == []
    assert not result["detection"]["run"]
    assert result["shifts"] == []
    console = Console(file=io.StringIO(), width=80)
    spikes_mod.print_spikes(result, console)  # one line each, not empty tables
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert lines[-3:] == ["Spikes: none", "Shifts in net sentiment: none", "Shifts in volume: none"]


def test_planted_burst_is_coordinated(tmp_path: Path) -> None:
    burst = [(f"bot{i % 10}", T0 + timedelta(hours=30, minutes=i % 50),
              "Xiaomi battery great great, buy now") for i in range(60)]
    with _ws(tmp_path, _flat() + burst, bots=10) as ws:
        result = find_spikes(ws, [], SpikeParams(), analyzer=KeywordAnalyzer())
    volume = [s for s in result["spikes"] if s["kind"] == "volume" and s["aspect"] is None]
    assert [s["period"] for s in volume] == ["2025-03-25T06"]
    spike = volume[0]
    assert spike["label"] == "coordinated" and spike["campaign_share"] > 0.8
    assert spike["posts"] == 72 and spike["accounts"] == 22 and spike["campaign_accounts"] == 10
    assert spike["top_texts"][0] == {"text": "Xiaomi battery great great, buy now", "count": 60}
    assert all(s["period"] == "2025-03-25T06" for s in result["spikes"])


def test_a_busy_afternoon_is_weighed_against_afternoons(tmp_path: Path) -> None:
    """Five days with 4 posts an hour at night and 30 each afternoon hour, from 14:00
    on the first day (whose first hour the collection caught only the end of), and a
    quiet gap: no afternoon is a spike (each is weighed against the same hours of
    the days before, the first day's against the days after; a partial hour is no
    yardstick), while 120 posts in one afternoon hour are."""
    rows = []
    for day in range(5):
        for hour in range(24):
            if day == 2 and hour < 6 or day == 0 and hour < 14:
                continue  # before the stream; an outage, whose hours still count
            n = 120 if (day, hour) == (3, 15) else 3 if (day, hour) == (0, 14) else \
                30 if 12 <= hour < 18 else 4
            rows += [(f"u{(day * 24 + hour) * 7 + k}", T0 + timedelta(days=day, hours=hour,
                                                                       seconds=k * 3600 // n),
                      f"Xiaomi battery ok {day}-{hour}-{k}") for k in range(n)]
    with _ws(tmp_path, rows) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    volume = [s["period"] for s in result["spikes"] if s["kind"] == "volume"
              and s["aspect"] is None]
    assert volume == ["2025-03-27T15"]


def test_organic_outrage_is_organic(sim_ws) -> None:  # noqa: F811
    path, sim = sim_ws
    with Workspace.open(path) as ws:
        result = find_spikes(ws, [])
    start = sim.truth["organic_outrage"]["start"][:13]
    hits = [s for s in result["spikes"] if s["aspect"] == "design" and s["period"] >= start
            and s["period"] <= "2025-03-27T12"]
    assert hits and all(s["label"] == "organic" for s in hits)


def test_cli_json(sim_ws) -> None:  # noqa: F811
    path, _ = sim_ws
    result = CliRunner().invoke(main, ["spikes", "-w", str(path), "--brand",
                                       "Xiaomi=小米,Redmi,SU7", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"params", "brands", "mentions", "scorer", "detection", "spikes",
                         "shifts"}
    assert data["brands"] == ["Xiaomi"] and data["detection"]["run"]
    assert data["mentions"]["Xiaomi"] > 0
    bad = CliRunner().invoke(main, ["spikes", "-w", str(path), "--brand", "=x"])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
    # A brand nobody names (or a misspelt alias) is said, not left to an empty table.
    typo = CliRunner().invoke(main, ["spikes", "-w", str(path), "--brand", "Xiaomi=小米",
                                     "--rival", "Xiaomy=Redmy"])
    assert typo.exit_code == 0
    assert "warning: no post mentions Xiaomy" in typo.output
    assert "warning: no post mentions Xiaomi" not in typo.output


def test_table_keeps_what_locates_a_spike_whole(tmp_path: Path) -> None:
    burst = [(f"bot{i % 10}", T0 + timedelta(hours=30, minutes=i % 50),
              "Xiaomi battery [bold]great[/bold]\n  great, buy now") for i in range(60)]
    with _ws(tmp_path, _flat() + burst, bots=10) as ws:
        result = find_spikes(ws, [], SpikeParams(), analyzer=KeywordAnalyzer())
    assert result["spikes"]

    def printed(width: int) -> str:
        console = Console(file=io.StringIO(), width=width)
        spikes_mod.print_spikes(result, console)
        return console.file.getvalue()  # type: ignore[attr-defined]

    narrow, wide = printed(80), printed(140)
    for text in (narrow, wide):
        assert "2025-03-25T06" in text and "coordinated" in text
    assert "…" not in narrow
    # The text comes second: left out when the terminal is narrow, on one line when wide,
    # and shown as written, not as markup.
    assert "buy now" not in narrow and "a wider terminal, or --json" in narrow
    assert "Xiaomi battery [bold]great[/bold] great, buy now" in wide


def test_a_campaign_s_text_cannot_rewrite_its_own_row(tmp_path: Path) -> None:
    """Escape sequences in a post would move the cursor back over the row's label and
    print "organic" there; they are shown as escapes instead."""
    trick = "\x1b[14D\x1b[32morganic    \x1b[0m  Xiaomi battery great great, buy now\u202e"
    burst = [(f"bot{i % 10}", T0 + timedelta(hours=30, minutes=i % 50), trick)
             for i in range(60)]
    with _ws(tmp_path, _flat() + burst, bots=10) as ws:
        result = find_spikes(ws, [], SpikeParams(), analyzer=KeywordAnalyzer())
    console = Console(file=io.StringIO(), width=200)
    spikes_mod.print_spikes(result, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b" not in text and "\u202e" not in text
    rows = [line for line in text.splitlines() if "great great" in line]
    assert len(rows) == len(result["spikes"]) >= 1
    for row in rows:
        assert "coordinated" in row and "organic" not in row.replace("morganic", "")
        assert "\\x1b[14D\\x1b[32morganic \\x1b[0m Xiaomi battery great great" in row


class _AssistAnalyzer(KeywordAnalyzer):
    """As :class:`KeywordAnalyzer`, and posts about the assistant are about
    ``driving_assistance``, the taxonomy's longest aspect name."""

    def analyze(self, texts, langs=None):  # type: ignore[no-untyped-def]
        out = super().analyze(texts, langs)
        return [dataclasses.replace(s, aspects=["driving_assistance"]) if "assist" in t else s
                for s, t in zip(out, texts, strict=True)]


def test_a_narrow_terminal_wraps_names_and_cuts_nothing(tmp_path: Path) -> None:
    """A brand's campaign floods its driving assistant: at 80 columns the aspect wraps
    inside its column while the period, the figures and the label stay whole; at 60
    each spike is a line of names and values. Nothing is cut in either."""
    flat = [(u, t, x.replace("battery", "SU7 assist")) for u, t, x in _flat()]
    burst = [(f"bot{i % 10}", T0 + timedelta(hours=30, minutes=i % 50),
              "Xiaomi SU7 assist great, buy now") for i in range(60)]
    with _ws(tmp_path, flat + burst, bots=10) as ws:
        result = find_spikes(ws, [spikes_mod.parse_brand("Xiaomi=SU7")], SpikeParams(),
                             analyzer=_AssistAnalyzer())
    spike = next(s for s in result["spikes"] if s["aspect"] == "driving_assistance")
    made = f"{spike['campaign_part']:.0%}"

    def printed(width: int) -> list[str]:
        console = Console(file=io.StringIO(), width=width)
        spikes_mod.print_spikes(result, console)
        return console.file.getvalue().splitlines()  # type: ignore[attr-defined]

    eighty, sixty = printed(80), printed(60)
    assert not any("…" in line for line in eighty + sixty)
    row = next(i for i, line in enumerate(eighty)
               if line.split()[:3] == ["2025-03-25T06", spike["kind"], "Xiaomi"]
               and "driving" in line)
    assert eighty[row].split()[-2:] == [made, spike["label"]]
    # wrapped within its column: the lines below the row hold the rest of the name
    rest = [line.strip() for line in eighty[row + 1:row + 4] if line.startswith("    ")]
    assert "driving_" in eighty[row].split() and "driving_" + "".join(rest) == (
        "driving_assistance")
    assert max(map(len, eighty)) <= 80
    text = " ".join(" ".join(sixty).split())  # the terminal's own wrapping undone
    assert (f"period 2025-03-25T06, kind {spike['kind']}, brand Xiaomi, aspect "
            f"driving_assistance") in text and f"made {made}, label {spike['label']}" in text


def _hour(h: int, n: int, tag: str) -> list[tuple[str, datetime, str]]:
    """``n`` posts by different accounts spread over hour ``h`` of the stream."""
    return [(f"{tag}{h}-{k}", T0 + timedelta(hours=h, seconds=k * 3600 // n),
             f"Xiaomi battery ok {h}-{k}") for k in range(n)]


def _volume(result: dict) -> list[str]:
    return [s["period"] for s in result["spikes"] if s["kind"] == "volume" and s["aspect"] is None]


def test_a_stray_old_post_neither_hides_nor_makes_spikes(tmp_path: Path) -> None:
    """One post dated ten years early puts some 87,000 empty hours before the stream.
    They are not tests (the 30-post hour is still found) and not a baseline of zeros
    (the stream's first hours are not spikes against them)."""
    rows = [r for h in range(48) for r in _hour(h, 30 if h == 30 else 12, "u")]
    rows.append(("old", datetime(2015, 3, 24, 9), "Xiaomi battery ok, long ago"))
    with _ws(tmp_path, rows) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    assert _volume(result) == ["2025-03-25T06"]


def test_an_outage_is_not_a_baseline_of_zeros(tmp_path: Path) -> None:
    """A day of 12 posts an hour, three days in which the collection caught nothing, a
    day more like the first: the hours after the outage are weighed against the day
    before it, not against the empty days, and a real spike after it is still found."""
    rows = [r for h in [*range(24), *range(96, 120)]
            for r in _hour(h, 60 if h == 108 else 12, "u")]
    with _ws(tmp_path, rows) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    assert _volume(result) == ["2025-03-28T12"]
    # and the days the collection missed are no fall in attention
    assert [s for s in result["shifts"] if s["kind"] == "volume"] == []


def test_one_campaign_post_does_not_make_the_public_s_spike_coordinated(tmp_path: Path) -> None:
    """26 people and one campaign account in an hour that usually has 12: without the
    campaign's one post the hour falls just short of the line, but the surge is the
    people's (the campaign makes 1 of 15 posts above the expected count)."""
    rows = [r for h in range(48) for r in _hour(h, 26 if h == 30 else 12, "u")]
    rows.append(("bot0", T0 + timedelta(hours=30, minutes=31), "Xiaomi battery ok, buy"))
    with _ws(tmp_path, rows, bots=1) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    spike, = [s for s in result["spikes"] if s["kind"] == "volume" and s["aspect"] is None]
    assert spike["period"] == "2025-03-25T06" and spike["campaign_posts"] == 1
    assert spike["without_campaign_accounts"] == "no spike"
    assert spike["label"] == "organic" and spike["campaign_part"] < 0.1
    # The table shows both: the campaign's share of the hour and its part of the surge.
    console = Console(file=io.StringIO(), width=120)
    spikes_mod.print_spikes(result, console)
    row, = [line.split() for line in console.file.getvalue().splitlines()  # type: ignore[attr-defined]
            if line.split()[:4] == ["2025-03-25T06", "volume", "all", "–"]]
    share, part = f"{spike['campaign_share']:.0%}", f"{spike['campaign_part']:.0%}"
    assert (share, part) == ("4%", "7%") and row[5:8] == [share, part, "organic"], row


def _moods(h: int, great: int, bad: int, tag: str = "u") -> list[tuple[str, datetime, str]]:
    """12 posts in hour ``h``: ``great`` positive, ``bad`` negative, the rest neutral."""
    words = ["great"] * great + ["bad"] * bad + ["ok"] * (12 - great - bad)
    return [(f"{tag}{h}-{k}", T0 + timedelta(hours=h, minutes=5 * k),
             f"Xiaomi battery {w} {h}-{k}") for k, w in enumerate(words)]


def test_a_lasting_fall_in_sentiment_is_a_shift(tmp_path: Path) -> None:
    """Two days at net +0.33, then two days at −0.50, a dozen posts an hour. The first
    hours of the fall are spikes against the day before them, until the day before is
    itself the fall; the two days at the new level are one shift, with both levels."""
    rows = [r for h in range(96) for r in (_moods(h, 6, 2) if h < 48 else _moods(h, 1, 7))]
    with _ws(tmp_path, rows) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    shift, = [s for s in result["shifts"] if s["aspect"] is None]
    assert shift["period"] == "2025-03-26T00" and shift["from"] == "2025-03-24T00"
    assert shift["net_before"] == 0.3333 and shift["net"] == -0.5
    assert shift["posts"] == 48 * 12 and shift["label"] == "organic"
    console = Console(file=io.StringIO(), width=120)
    spikes_mod.print_spikes(result, console)
    assert "+0.33 → -0.50" in console.file.getvalue()  # type: ignore[attr-defined]


def test_a_campaign_s_lasting_praise_is_a_coordinated_shift(tmp_path: Path) -> None:
    """The public stays at net 0 for six days; on the third and fourth, ten campaign
    accounts add six posts of praise an hour. Without them there is no new level: its
    start and its end (the campaign stopping) are both the campaign's."""
    rows = [r for h in range(144) for r in _moods(h, 3, 3)]
    rows += [(f"bot{k % 10}", T0 + timedelta(hours=h, minutes=7 * k + 2),
              f"Xiaomi battery great, buy now {h}-{k}") for h in range(48, 96) for k in range(6)]
    with _ws(tmp_path, rows, bots=10) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    start, end = [s for s in result["shifts"] if s["aspect"] is None]
    assert start["period"] == "2025-03-26T00" and start["net"] > start["net_before"] + 0.3
    assert end["period"] == "2025-03-28T00" and end["net"] < end["net_before"] - 0.3
    for shift in (start, end):
        assert shift["label"] == "coordinated" and shift["campaign_part"] == 1.0
        assert shift["without_campaign_accounts"] == "no shift"
    assert start["campaign_share_before"] == 0 and start["campaign_share"] == 0.3333
    assert end["campaign_share_before"] == 0.3333 and end["campaign_share"] == 0


def test_one_flooded_hour_is_a_spike_not_a_shift(tmp_path: Path) -> None:
    rows = [r for h in range(96) for r in _moods(h, 3, 3)]
    rows += [(f"bot{k % 10}", T0 + timedelta(hours=60, seconds=10 * k),
              f"Xiaomi battery great, buy now {k}") for k in range(300)]
    with _ws(tmp_path, rows, bots=10) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    assert result["shifts"] == []
    assert "2025-03-26T12" in _volume(result)


def test_a_rival_s_surge_in_attention_is_a_shift_in_share_of_voice(tmp_path: Path) -> None:
    """Three days with as many posts naming Xiaomi as Apple, then three days in which
    people name Apple three times as often (a launch): Xiaomi's share of voice falls from
    50% to 25%, a shift, organic; no campaign posted."""
    rows = []
    for h in range(144):
        apple = 6 if h < 72 else 18
        rows += [(f"x{h}-{k}", T0 + timedelta(hours=h, minutes=9 * k), f"Xiaomi ok {h}-{k}")
                 for k in range(6)]
        rows += [(f"a{h}-{k}", T0 + timedelta(hours=h, minutes=3 * k + 1), f"iPhone ok {h}-{k}")
                 for k in range(apple)]
    brands = [spikes_mod.parse_brand("Xiaomi=小米"), spikes_mod.parse_brand("Apple=iPhone")]
    with _ws(tmp_path, rows) as ws:
        result = find_spikes(ws, brands, analyzer=KeywordAnalyzer())
    voice, = [s for s in result["shifts"] if s["kind"] == "share_of_voice"]
    assert voice["period"] == "2025-03-27T00" and (voice["brand"], voice["rival"]) == (
        "Xiaomi", "Apple")
    assert voice["share_before"] == 0.5 and voice["share"] == 0.25
    assert voice["label"] == "organic" and voice["posts"] == 72 * 24
    console = Console(file=io.StringIO(), width=120)
    spikes_mod.print_spikes(result, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Shifts in Xiaomi's share of voice against Apple (1)" in text and "50% → 25%" in text


def _day_and_night(h: int, scale: float, tag: str) -> list[tuple[str, datetime, str]]:
    """Hour ``h`` of a stream that is busy by day and quiet by night, times ``scale``."""
    return _hour(h, round(scale * (10 + 7 * math.sin(h / 24 * 2 * math.pi))), tag)


def test_a_recall_that_keeps_people_talking_for_days_is_an_organic_volume_shift(
        tmp_path: Path) -> None:
    """Three days of a busy-by-day stream, then three days at two and a half times the
    posts, each by another person: no hour of it is a spike against the same hour the
    day before once the first day has passed, yet the days are a new level, and the
    public's. Night and day are not levels: one shift, where the new level starts."""
    rows = [r for h in range(144) for r in _day_and_night(h, 1.0 if h < 72 else 2.5, "u")]
    with _ws(tmp_path, rows, bots=3) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    shift, = [s for s in result["shifts"] if s["kind"] == "volume" and s["aspect"] is None]
    assert shift["period"] == "2025-03-27T00" and shift["from"] == "2025-03-24T00"
    assert shift["until"] == "2025-03-29T23"
    assert 2.3 < shift["rate"] / shift["rate_before"] < 2.7
    assert shift["label"] == "organic" and shift["campaign_posts"] == 0
    assert _volume(result) and all(p.startswith("2025-03-27") for p in _volume(result))
    console = Console(file=io.StringIO(), width=120)
    spikes_mod.print_spikes(result, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Shifts in volume (2)" in text and "posts an hour" in text  # all, and battery
    assert f"{shift['rate_before']:.1f} → {shift['rate']:.1f}" in text


def test_a_campaign_that_posts_for_two_days_is_a_coordinated_volume_shift(
        tmp_path: Path) -> None:
    """The public posts a dozen times an hour for six days; on the third and fourth,
    ten campaign accounts add two dozen posts an hour. Its start and its end (the
    campaign stopping) are changes of level the campaign made: without its posts
    there is none."""
    rows = [r for h in range(144) for r in _hour(h, 12, "u")]
    rows += [(f"bot{k % 10}", T0 + timedelta(hours=h, seconds=150 * k + 7),
              f"Xiaomi battery great, buy now {h}-{k}") for h in range(48, 96) for k in range(24)]
    with _ws(tmp_path, rows, bots=10) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    start, end = [s for s in result["shifts"] if s["kind"] == "volume" and s["aspect"] is None]
    assert (start["period"], end["period"]) == ("2025-03-26T00", "2025-03-28T00")
    assert (start["rate_before"], start["rate"]) == (12.0, 36.0)
    assert (end["rate_before"], end["rate"]) == (36.0, 12.0)
    for shift in (start, end):
        assert shift["label"] == "coordinated" and shift["campaign_part"] == 1.0
        assert shift["without_campaign_accounts"] == "no shift"
    assert start["campaign_share"] == round(24 / 36, 4) and end["campaign_share_before"] == round(
        24 / 36, 4)


def test_a_shift_too_wide_for_the_terminal_is_a_line_not_a_column_of_fragments() -> None:
    """The shifts' table has two wide figures ("+0.13 → +0.91"): at 80 columns, the
    aspect would have had five cells and taken four lines; each shift is a line of
    names and values instead, with nothing cut."""
    shift = {"kind": "shift", "period": "2025-03-25T10", "brand": "Apple",
             "aspect": "driving_assistance", "net_before": 0.13, "net": 0.91, "posts": 434,
             "campaign_share_before": 0.02, "campaign_share": 0.88, "campaign_part": 0.81,
             "label": "coordinated", "top_texts": [{"text": "Apple assist great", "count": 9}]}
    result = {"detection": {"note": "1 campaign account known"}, "spikes": [],
              "shifts": [shift], "params": {"by": "hour"}}

    def printed(width: int) -> str:
        console = Console(file=io.StringIO(), width=width)
        spikes_mod.print_spikes(result, console)
        return console.file.getvalue()  # type: ignore[attr-defined]

    eighty = " ".join(printed(80).split())
    assert ("from 2025-03-25T10, brand Apple, aspect driving_assistance, net +0.13 → +0.91, "
            "posts 434, campaign 2% → 88%, made 81%, label coordinated") in eighty
    wide = printed(140).splitlines()
    row = next(line for line in wide if line.startswith(" 2025-03-25T10"))
    assert "driving_assistance" in row and "Apple assist great" in row


def test_a_sentiment_spike_the_campaign_wrote_is_not_credited_to_two_public_posts(
        tmp_path: Path) -> None:
    """An hour of 15 campaign posts and 2 of the public's, all angry, against two days
    of mixed moods: without the campaign there is no spike, and the public's two posts
    are no net sentiment that could have made it, so the spike is coordinated. Later,
    14 angry people and one campaign post: the anger is the public's, organic."""
    rows = [r for h in range(48) if h not in (30, 40) for r in _moods(h, 4, 4)]
    rows += [(f"bot{k}", T0 + timedelta(hours=30, minutes=3 * k), f"Xiaomi battery bad {k}")
             for k in range(15)]
    rows += [(f"p30-{k}", T0 + timedelta(hours=30, minutes=50 + k), f"Xiaomi battery bad {k}")
             for k in range(2)]
    rows += [(f"p40-{k}", T0 + timedelta(hours=40, minutes=3 * k), f"Xiaomi battery bad {k}")
             for k in range(14)]
    rows.append(("bot0", T0 + timedelta(hours=40, minutes=55), "Xiaomi battery bad, again"))
    with _ws(tmp_path, rows, bots=15) as ws:
        result = find_spikes(ws, [], analyzer=KeywordAnalyzer())
    found = {s["period"]: s for s in result["spikes"]
             if s["kind"] == "sentiment" and s["aspect"] is None}
    made, public = found["2025-03-25T06"], found["2025-03-25T16"]
    assert (made["posts"], made["campaign_posts"]) == (17, 15)
    assert made["without_campaign_accounts"] == "no spike"
    assert made["label"] == "coordinated" and made["campaign_part"] > 0.8
    assert (public["posts"], public["campaign_posts"]) == (15, 1)
    assert public["without_campaign_accounts"] == "still a spike"
    assert public["label"] == "organic" and public["campaign_part"] < 0.2


def test_user_aspects_get_spikes_and_are_not_kept_for_the_next_taxonomy(tmp_path: Path) -> None:
    """`spikes --aspects FILE` finds the file's aspects in the posts, as `opinion` does: a
    burst about fan noise is a spike of the user's `noise` aspect. The workspace's stored
    scores keep the shipped aspects: a later run with another file, or none, does not
    see `noise`."""
    burst = [(f"bot{i % 10}", T0 + timedelta(hours=30, minutes=i % 50),
              f"Xiaomi fan noise again {i}") for i in range(60)]
    _ws(tmp_path, _flat() + burst, bots=10).close()  # ingested, campaign saved
    noise, fan = tmp_path / "noise.yaml", tmp_path / "fan.yaml"
    noise.write_text("noise:\n  en: [fan noise, noisy]\n", encoding="utf-8")
    fan.write_text("fan:\n  en: [fan]\n", encoding="utf-8")

    def aspects(*extra: str) -> set[str]:
        result = CliRunner().invoke(main, ["spikes", "-w", str(tmp_path / "ws"), "--json",
                                           *extra])
        assert result.exit_code == 0, result.output
        return {s["aspect"] for s in json.loads(result.output)["spikes"] if s["aspect"]}

    assert "noise" in aspects("--aspects", str(noise))
    found = aspects("--aspects", str(fan))
    assert "fan" in found and "noise" not in found
    assert not {"fan", "noise"} & aspects()


@pytest.mark.parametrize("per_hour", [12, 20, 50])
def test_pure_noise_has_sentiment_spikes_no_more_often_than_alpha_allows(per_hour: int) -> None:
    """Ten days of hours whose posts are positive, neutral or negative with the same
    chances throughout: nothing changed, so at most about alpha (1 %) of such streams
    may show a spike. Tested with each hour's own variance, 43 % of them did at 12
    posts an hour (seven positive and five neutral posts have next to none)."""
    rng = np.random.default_rng(0)
    streams, hours = 300, 240
    flagged = 0
    for _ in range(streams):
        moods = rng.multinomial(per_hour, [0.25, 0.5, 0.25], size=hours)
        flagged += bool(sentiment_spikes(moods[:, 0], moods[:, 2],
                                         np.full(hours, per_hour), SpikeParams()))
    assert flagged / streams <= 0.02


def test_a_brand_and_rival_of_one_name_are_refused(tmp_path: Path) -> None:
    """Series are kept by name: the rival's mentions replaced the brand's, and spikes
    said no post mentioned it. ``opinion`` refuses them the same way."""
    from undertow.opinion.compare import compare

    rows = [r for h in range(30) for r in _hour(h, 12, "u")]
    brand, rival = parse_brand("X=Xiaomi"), parse_brand("X=Apple")
    with _ws(tmp_path, rows, bots=0) as ws:
        with pytest.raises(ValueError, match="brands must have different names; X is given "
                                             "twice"):
            find_spikes(ws, [brand, rival], analyzer=KeywordAnalyzer())
        with pytest.raises(ValueError, match="brands must have different names; X is given "
                                             "twice"):
            compare(ws, brand, rival, analyzer=KeywordAnalyzer())
