"""``undertow opinion``: share of voice, net sentiment with intervals, lead/trail, organic only."""

from __future__ import annotations

import collections
import doctest
import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from rich.console import Console

from undertow import Workspace, ingest
from undertow.cli import main
from undertow.coordination.detect import DetectParams, detect
from undertow.coordination.store import save
from undertow.opinion import compare as compare_mod
from undertow.opinion import scored
from undertow.opinion.brands import parse_brand
from undertow.opinion.compare import compare, lead_trail, net_sentiment
from undertow.opinion.sentiment import Sentiment
from undertow.simulate import simulate, write_posts

XIAOMI = parse_brand("Xiaomi=小米,Redmi,SU7")
APPLE = parse_brand("Apple=苹果,iPhone")
T0 = datetime(2025, 3, 24)


class KeywordAnalyzer:
    """Deterministic stand-in: 'great' positive, 'bad' negative; aspects by keyword."""

    def analyze(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[Sentiment]:
        out = []
        for t in texts:
            label = "positive" if "great" in t else "negative" if "bad" in t else "neutral"
            aspects = [a for a in ("battery", "camera", "price") if a in t]
            out.append(Sentiment("en", label, {"positive": 1.0, "negative": -1.0}.get(label, 0.0),
                                 aspects))
        return out


def _write(tmp_path: Path, rows: list[tuple[str, datetime, str]]) -> Path:
    f = tmp_path / "posts.jsonl"
    f.write_text("\n".join(json.dumps({"id": f"p{i}", "user": u, "created_at": t.isoformat() + "Z",
                                       "text": x, "lang": "en"}, ensure_ascii=False)
                           for i, (u, t, x) in enumerate(rows)) + "\n", encoding="utf-8")
    return f


def _hand_rows() -> list[tuple[str, datetime, str]]:
    """Organic: Xiaomi battery mostly bad, camera great; Apple the reverse. A praise campaign
    (accounts bot0..bot9) floods Xiaomi battery with 'great'."""
    rows = []
    for i in range(120):
        t = T0 + timedelta(hours=i)
        rows.append((f"u{i % 40}", t, f"Xiaomi battery is {'bad' if i % 4 else 'great'} #{i}"))
        rows.append((f"v{i % 40}", t, f"iPhone battery is {'great' if i % 4 else 'bad'} #{i}"))
        rows.append((f"w{i % 40}", t, f"小米 camera great, really #{i}"))
        rows.append((f"x{i % 40}", t, f"苹果 camera is bad, sigh #{i}"))
    for i in range(150):
        rows.append((f"bot{i % 10}", T0 + timedelta(hours=i % 120, minutes=5),
                     f"Xiaomi battery great great #{i}"))
    return rows


@pytest.fixture
def hand_ws(tmp_path: Path) -> Workspace:
    ws = Workspace.open(tmp_path / "ws")
    ingest(ws, [_write(tmp_path, _hand_rows())])
    platform = ws.con.execute("SELECT any_value(platform) FROM posts").fetchall()[0][0]
    save(ws, [{"account_id": f"bot{i}", "platform": platform, "campaign_id": "c1",
               "score": 1.0, "top_signal": "text"} for i in range(10)], [], [])
    return ws


def test_doctests() -> None:
    assert doctest.testmod(compare_mod).failed == 0


def test_scoring_is_kept_and_incremental(hand_ws: Workspace) -> None:
    assert scored.score_posts(hand_ws, KeywordAnalyzer()) == 630
    assert scored.score_posts(hand_ws, KeywordAnalyzer()) == 0
    hand_ws.con.execute("DELETE FROM post_sentiment WHERE post_id IN "
                        "(SELECT post_id FROM post_sentiment LIMIT 5)")
    assert scored.score_posts(hand_ws, KeywordAnalyzer()) == 5
    hand_ws.close()


def test_posts_scored_by_an_older_undertow_are_scored_again(hand_ws: Workspace) -> None:
    assert scored.score_posts(hand_ws, KeywordAnalyzer()) == 630
    # Thresholds, taxonomy or models changed since: labels and aspects would be stale.
    hand_ws.con.execute("UPDATE post_sentiment_scorer SET revision = 'older'")
    assert scored.score_posts(hand_ws, KeywordAnalyzer()) == 630
    # A workspace from before the revision was kept.
    hand_ws.con.execute("ALTER TABLE post_sentiment_scorer DROP COLUMN revision")
    assert scored.score_posts(hand_ws, KeywordAnalyzer()) == 630
    assert scored.score_posts(hand_ws, KeywordAnalyzer()) == 0
    assert hand_ws.con.execute("SELECT count(*) FROM post_sentiment").fetchall()[0][0] == 630
    hand_ws.close()


def test_share_of_voice_sums_to_one(hand_ws: Workspace) -> None:
    result = compare(hand_ws, XIAOMI, APPLE, by="day", analyzer=KeywordAnalyzer())
    hand_ws.close()
    for cohort in ("all", "organic"):
        rows = result["cohorts"][cohort]["share_of_voice"]
        assert len(rows) == 5
        for r in rows:
            assert r["brand_share"] + r["rival_share"] == pytest.approx(1.0, abs=2e-4)
    assert result["cohorts"]["organic"]["share_total"]["brand_share"] == 0.5
    assert result["cohorts"]["all"]["share_total"]["brand_share"] > 0.5


def test_praise_campaign_removed_in_organic_cohort(hand_ws: Workspace) -> None:
    result = compare(hand_ws, XIAOMI, APPLE, analyzer=KeywordAnalyzer())
    hand_ws.close()
    assert result["detection"]["run"] and result["detection"]["campaign_accounts"] == 10

    def net(cohort: str, brand: str, aspect: str) -> float:
        return next(r["net"] for r in result["cohorts"][cohort]["aspects"]
                    if r["brand"] == brand and r["aspect"] == aspect)

    assert net("organic", "Xiaomi", "battery") == -0.5
    assert net("all", "Xiaomi", "battery") > 0.3
    change = {(r["brand"], r["aspect"]): r["change"] for r in result["difference"]["net"]}
    assert change[("Xiaomi", "battery")] < -0.8 and change[("Apple", "battery")] == 0
    organic = result["cohorts"]["organic"]
    assert [r["aspect"] for r in organic["lead"]] == ["camera", "all"]
    assert [r["aspect"] for r in organic["trail"]] == ["battery"]
    assert "battery" not in [r["aspect"] for r in result["cohorts"]["all"]["trail"]]
    assert result["difference"]["trail_only_organic"] == ["battery"]
    for r in organic["lead"] + result["cohorts"]["all"]["lead"]:
        assert r["ci_low"] > 0
    for r in organic["trail"] + result["cohorts"]["all"]["trail"]:
        assert r["ci_high"] < 0


def test_no_detection_says_so(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ws") as ws:
        ingest(ws, [_write(tmp_path, _hand_rows()[:40])])
        result = compare(ws, XIAOMI, APPLE, analyzer=KeywordAnalyzer())
    assert not result["detection"]["run"]
    assert "no detection" in result["detection"]["note"]
    assert result["cohorts"]["all"]["aspects"] == result["cohorts"]["organic"]["aspects"]


def test_lead_trail_lists_only_separated_intervals() -> None:
    close = [{"aspect": "a", "positive": 50, "negative": 40, "labelled": 100}]
    near = [{"aspect": "a", "positive": 48, "negative": 42, "labelled": 100}]
    assert lead_trail(close, near) == ([], [])
    lead, trail = lead_trail(near, [{"aspect": "a", "positive": 5, "negative": 90,
                                     "labelled": 100}])
    assert [r["aspect"] for r in lead] == ["a"] and trail == []


def test_a_difference_counts_by_its_own_interval_which_stays_in_range() -> None:
    """Acme 40 great / 15 awful of 100 against Bolt 25 / 25: the brands' own intervals
    touch, but the difference's interval lies above zero, so Acme leads; a difference
    of two net sentiments never exceeds 2, nor does its interval."""
    acme = [{"aspect": "battery", "positive": 40, "negative": 15, "labelled": 100}]
    bolt = [{"aspect": "battery", "positive": 25, "negative": 25, "labelled": 100}]
    (_, lo_a, _), (_, _, hi_b) = net_sentiment(40, 15, 100), net_sentiment(25, 25, 100)
    assert lo_a is not None and hi_b is not None and lo_a < hi_b  # the intervals overlap
    lead, trail = lead_trail(acme, bolt)
    assert [r["aspect"] for r in lead] == ["battery"] and trail == [] and lead[0]["ci_low"] > 0
    best = [{"aspect": "a", "positive": 5, "negative": 0, "labelled": 5}]
    worst = [{"aspect": "a", "positive": 0, "negative": 5, "labelled": 5}]
    lead, _ = lead_trail(best, worst)
    assert lead[0]["ci_high"] == 2.0 and lead[0]["difference"] == 2.0
    _, trail = lead_trail(worst, best)
    assert trail[0]["ci_low"] == -2.0


def test_interval_coverage() -> None:
    rng = np.random.default_rng(0)
    p = np.array([0.35, 0.4, 0.25])
    truth = p[0] - p[2]
    for n in (20, 200):
        hits = 0
        for draw in rng.multinomial(n, p, size=2000):
            _, lo, hi = net_sentiment(int(draw[0]), int(draw[2]), n)
            assert lo is not None and hi is not None
            hits += lo <= truth <= hi
        assert hits / 2000 >= 0.93


@pytest.fixture(scope="module")
def sim_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """20k simulated posts, detection stored, sentiment taken from the ground truth."""
    folder = tmp_path_factory.mktemp("opinion-sim")
    sim = simulate(20_000, seed=0)
    write_posts(sim, folder / "posts.jsonl")
    with Workspace.open(folder / "ws") as ws:
        ingest(ws, [folder / "posts.jsonl"])
        found = detect(ws, DetectParams())
        save(ws, found.accounts, found.campaigns, found.edges)
        cols, labels = sim.columns, sim.labels
        scored.write(ws, pa.table({
            "platform": cols["platform"], "post_id": cols["post_id"], "lang": cols["lang"],
            "label": labels["sentiment"], "score": [None] * len(sim),
            "aspects": [[a] if a else [] for a in labels["aspect"]]}, schema=scored.SCHEMA))
    return folder / "ws", sim


def test_net_sentiment_interval_contains_truth_on_simulation(sim_ws) -> None:
    path, sim = sim_ws
    with Workspace.open(path) as ws:
        result = compare(ws, XIAOMI, APPLE)
    counts = collections.Counter(
        s for src, b, s in zip(sim.labels["source"], sim.labels["brand"],
                               sim.labels["sentiment"], strict=True)
        if src in ("organic", "outrage") and b == "Xiaomi")
    truth = (counts["positive"] - counts["negative"]) / sum(counts.values())
    row = next(r for r in result["cohorts"]["organic"]["aspects"]
               if r["brand"] == "Xiaomi" and r["aspect"] == "all")
    assert row["ci_low"] <= truth <= row["ci_high"]
    every = next(r for r in result["cohorts"]["all"]["aspects"]
                 if r["brand"] == "Xiaomi" and r["aspect"] == "all")
    assert every["labelled"] > row["labelled"]


def test_aspect_tables_keep_one_line_per_aspect_at_80_columns(sim_ws) -> None:
    """In a pipe or a log (80 columns) each aspect's counts and both intervals stay
    on one line, however long the aspect's name in the bundled taxonomy."""
    path, _ = sim_ws
    with Workspace.open(path) as ws:
        result = compare(ws, XIAOMI, APPLE)
    for cohort in result["cohorts"].values():  # the longest bundled aspect name
        cohort["aspects"][-1]["aspect"] = "driving assistance"
    console = Console(file=io.StringIO(), width=80)
    compare_mod.print_result(result, console)
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert max(map(len, lines)) <= 80
    organic = {(r["brand"], r["aspect"]): r for r in result["cohorts"]["organic"]["aspects"]}
    for row in result["cohorts"]["all"]["aspects"]:
        o = organic[(row["brand"], row["aspect"])]
        cells = [str(row["labelled"]), f"{row['ci_low']:+.2f},{row['ci_high']:+.2f}]",
                 str(o["labelled"]), f"{o['ci_low']:+.2f},{o['ci_high']:+.2f}]"]
        assert any(all(c in line for c in cells) and line.startswith(row["aspect"])
                   for line in lines), row
    # Below the verdicts: what their intervals do not cover.
    assert "Intervals cover sampling error, not the scorer's mistakes" in " ".join(lines)


def test_cli_json_and_files(sim_ws, tmp_path: Path) -> None:
    path, _ = sim_ws
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["opinion", "-w", str(path), "--brand",
                                       "Xiaomi=小米,Redmi,SU7", "--rival", "Apple=苹果,iPhone",
                                       "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"brand", "rival", "by", "method", "detection", "cohorts", "difference",
                         "scorer"}
    assert set(data["cohorts"]) == {"all", "organic"}
    assert set(data["cohorts"]["all"]) == {"posts", "share_total", "share_of_voice", "aspects",
                                           "lead", "trail"}
    assert {p.name for p in out.iterdir()} == {"share_of_voice.csv", "aspects.csv",
                                              "lead_trail.csv", "opinion.json"}
    table = CliRunner().invoke(main, ["opinion", "-w", str(path), "--brand", "Xiaomi=小米",
                                      "--rival", "Apple=苹果,iPhone", "--out", str(out)])
    assert table.exit_code == 0 and "Share of voice" in table.output
    assert "warning" not in table.output
    # A brand nobody names (or a misspelt alias) is said, not left to a column of zeros.
    typo = CliRunner().invoke(main, ["opinion", "-w", str(path), "--brand", "Xiaomy=Redmy",
                                     "--rival", "Apple=苹果,iPhone", "--out", str(out)])
    assert typo.exit_code == 0
    assert "warning: no post mentions Xiaomy (aliases: Xiaomy, Redmy)" in typo.output


@pytest.mark.parametrize("spec", ["=小米", "Xiaomi=", "Xiaomi=a,,b"])
def test_cli_bad_brand_is_one_line(spec: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["opinion", "-w", str(tmp_path / "ws"), "--brand", spec,
                                       "--rival", "Apple=苹果"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--brand" in result.output


def test_cli_scores_a_large_workspace_in_worker_processes(
        hand_ws: Workspace, default_zh: object, tmp_path: Path,
        worker_pools: Callable[[], list[int]]) -> None:
    """`opinion` scores on a process a core once a workspace is large (here, with the
    threshold lowered to 90 posts, on two cores): the same scores and the same result
    as one process."""
    import shutil

    path = hand_ws.path
    hand_ws.close()
    shutil.copytree(path, tmp_path / "copy")
    args = ["--brand", "Xiaomi=小米,Xiaomi", "--rival", "Apple=苹果,iPhone", "--json"]
    alone = CliRunner().invoke(main, ["opinion", "-w", str(path), *args,
                                      "--out", str(tmp_path / "one")])
    assert alone.exit_code == 0, alone.output
    started = worker_pools()
    shared = CliRunner().invoke(main, ["opinion", "-w", str(tmp_path / "copy"), *args,
                                       "--out", str(tmp_path / "two")])
    assert shared.exit_code == 0, shared.output
    assert started == [2]
    assert json.loads(shared.output) == json.loads(alone.output)

    def rows(where: Path) -> list[tuple[object, ...]]:
        with Workspace.open(where) as ws:
            return ws.con.execute("SELECT * FROM post_sentiment ORDER BY post_id").fetchall()

    assert rows(tmp_path / "copy") == rows(path) and len(rows(path)) == 630
