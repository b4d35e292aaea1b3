"""CooRTweet compatibility: Undertow's co-share network equals CooRTweet 2.1.3's, run by run.

Every run folder under ``coord_sharing_coortweet/reference`` is rebuilt from the raw
data set exactly as its ``params.json`` says, ingested through the CooRTweet adapter,
and compared pair by pair (``result_pairs.csv``) and edge by edge (``edges_full.csv``).
"""

from __future__ import annotations

import csv
import doctest
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from undertow import Workspace, ingest
from undertow.coordination import coshare as coshare_module
from undertow.coordination.coshare import coshare, coshare_pairs, pair_edges, posts_shares
from undertow.coordination.detect import DetectParams, detect
from undertow.engines import Engine, make_engine

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "coord_sharing_coortweet"
REFERENCE = DATA / "reference"
RUSSIAN = "russian_coord_tweets"
GERMAN = "german_elections"

#: Every reference run (listed, not globbed: missing data must fail, not skip).
RUNS = [
    f"{RUSSIAN}__retweet__tw10__mp2", f"{RUSSIAN}__retweet__tw10__mp5",
    f"{RUSSIAN}__retweet__tw60__mp2",
    *(f"{GERMAN}__{kind}__tw{tw}__mp2" for kind in ("url", "domain", "hashtag", "image")
      for tw in (30, 60)),
    f"{GERMAN}__combined-url+image__tw30__mp2", f"{GERMAN}__combined-url+image__tw60__mp2",
    f"{GERMAN}__combined-url+domain+hashtag+image__tw30__mp2",
    f"{GERMAN}__combined-url+domain+hashtag+image__tw60__mp2",
    f"{GERMAN}__url-fb__tw60__mp2",
]

#: German object type -> (column, prefix), as in params.json (domains get ``url_`` too).
GERMAN_OBJECTS = {"url": ("url_id", "url_"), "domain": ("domain_id", "url_"),
                  "hashtag": ("hashtag_id", "hashtag_"), "image": ("phash_id", "hash_")}


def data_file(name: str) -> Path:
    path = DATA / name
    assert path.exists(), f"missing shared data set {path}"
    return path


def prep_sql(kind: str) -> str:
    """The CooRTweet input of one object type, as params.json ``input_preparation`` says."""
    if kind == "retweet":  # russian_coord_tweets used as shipped
        return ("SELECT account_id, content_id, object_id, timestamp_share FROM "
                f"read_csv('{data_file(RUSSIAN + '.csv.gz')}', all_varchar = true)")
    column, prefix = GERMAN_OBJECTS[kind]
    # prep_data(...); unique(by = all four); drop NA object_id; paste0(prefix, object_id)
    return (f"SELECT DISTINCT account_id, post_id AS content_id, '{prefix}' || {column} "
            "AS object_id, timestamp AS timestamp_share FROM "
            f"read_csv('{data_file(GERMAN + '.csv.gz')}', all_varchar = true) "
            f"WHERE {column} IS NOT NULL")


@dataclass
class Study:
    """One workspace per object type, made on first use; share pairs cached per run."""

    root: Path
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    pairs_cache: dict[tuple[str, int, int], pa.Table] = field(default_factory=dict)

    def engine(self, kind: str) -> Engine:
        if kind not in self.workspaces:
            ws = Workspace.open(self.root / kind)
            if kind != "stack":
                path = self.root / f"{kind}.csv"
                duckdb.sql(f"COPY ({prep_sql(kind)}) TO '{path}' (HEADER)")
                ingest(ws, [path], fmt="coortweet")
            self.workspaces[kind] = ws
        return make_engine("duckdb", self.workspaces[kind])

    def shares(self, kind: str) -> tuple[Engine, Any]:
        if kind == "url-fb":  # fb_urls <- urls_data[grepl('fb', urls_data$account_id), ]
            eng = self.engine("url")
            return eng, posts_shares(eng).filter(eng.F.col("account").contains("fb"))
        eng = self.engine(kind)
        return eng, posts_shares(eng)

    def pairs(self, kind: str, window: int, mp: int) -> pa.Table:
        """Share pairs of one object type (a CooRTweet ``detect_groups`` result)."""
        if (kind, window, mp) not in self.pairs_cache:
            eng, shares = self.shares(kind)
            self.pairs_cache[kind, window, mp] = eng.to_arrow(
                coshare_pairs(eng, window, mp, shares=shares))
        return self.pairs_cache[kind, window, mp]

    def close(self) -> None:
        for ws in self.workspaces.values():
            ws.close()


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Study]:
    s = Study(tmp_path_factory.mktemp("coshare"))
    yield s
    s.close()


def parse_run(run: str) -> tuple[list[str], int, int]:
    """``dataset__kind__twN__mpM`` -> (object types, window, min_participation)."""
    _, kind, tw, mp = run.split("__")
    kinds = kind.removeprefix("combined-").split("+")
    return kinds, int(tw.removeprefix("tw")), int(mp.removeprefix("mp"))


def read_reference(run: str, name: str) -> list[dict[str, str]]:
    path = REFERENCE / run / name
    assert path.exists(), f"missing reference file {path}"
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def edge_map(rows: list[dict[str, Any]], a: str, b: str) -> dict[tuple[str, str], tuple]:
    """{unordered account pair: (weight, avg_time_delta)}."""
    out: dict[tuple[str, str], tuple] = {}
    for r in rows:
        key = (min(r[a], r[b]), max(r[a], r[b]))
        assert key not in out, f"edge {key} twice"
        out[key] = (int(r["weight"]), float(r["avg_time_delta"]))
    return out


def assert_edges_equal(mine: dict, ref: dict) -> None:
    assert {k: w for k, (w, _) in mine.items()} == {k: w for k, (w, _) in ref.items()}
    for key, (_, delta) in ref.items():
        assert mine[key][1] == pytest.approx(delta, abs=1e-9), key


def test_reference_lists_every_run() -> None:
    found = sorted(p.name for p in REFERENCE.iterdir() if p.is_dir())
    assert found == sorted(RUNS)


@pytest.mark.parametrize("run", RUNS)
def test_matches_coortweet_reference(study: Study, run: str) -> None:
    kinds, window, mp = parse_run(run)
    ref_pairs = read_reference(run, "result_pairs.csv")
    ref_edges = edge_map(read_reference(run, "edges_full.csv"), "account_id", "account_id_y")
    tables = [study.pairs(kind, window, mp) for kind in kinds]

    got_pairs = Counter((r["key"], frozenset((r["content_1"], r["content_2"])))
                        for t in tables for r in t.to_pylist())
    want_pairs = Counter((r["object_id"], frozenset((r["content_id"], r["content_id_y"])))
                         for r in ref_pairs)
    assert got_pairs == want_pairs

    if len(kinds) == 1:  # the public entry point, straight from the workspace
        eng, shares = study.shares(kinds[0])
        edges = eng.to_arrow(coshare(eng, window, mp, shares=shares)).to_pylist()
    else:  # rbindlist of the per-type results, then one network
        eng = study.engine("stack")
        stacked = eng.stage("_coshare_stack", pa.concat_tables(tables))
        edges = eng.to_arrow(pair_edges(eng, stacked)).to_pylist()
        eng.drop_stage("_coshare_stack")
    assert all(e["account_1"] < e["account_2"] for e in edges)
    assert_edges_equal(edge_map(edges, "account_1", "account_2"), ref_edges)


def test_russian_duplicate_row_is_harmless(study: Study) -> None:
    """The one exact duplicate row of russian_coord_tweets is stored once by ingest;
    CooRTweet keeps both, but that account's object has no other sharer, so no
    reference pair can involve it (only a self-pair, dropped as a loop)."""
    con = duckdb.connect()
    con.execute(f"CREATE TABLE raw AS {prep_sql('retweet')}")
    dups = con.sql("SELECT *, count(*) AS n FROM raw GROUP BY ALL HAVING n > 1").fetchall()
    assert len(dups) == 1 and dups[0][4] == 2
    account, _, obj, _, _ = dups[0]
    sharers = con.execute("SELECT DISTINCT account_id FROM raw WHERE object_id = ?", [obj])
    assert sharers.fetchall() == [(account,)]
    study.engine("retweet")
    assert study.workspaces["retweet"].count("posts") == 35124
    for run in RUNS[:3]:
        assert all(account not in (r["account_id"], r["account_id_y"])
                   for r in read_reference(run, "result_pairs.csv"))


#: Hand-made shares covering each rule (window 10, min_participation 2).
CASES = {
    #  key   account content  ts
    "rows": [
        ("o1", "a", "c1", 0.0), ("o1", "b", "c2", 10.0),   # |Δt| = window: kept (inclusive)
        ("o1", "a", "c4", 3.0),                            # a-a: same account, dropped
        ("o1", "d", "c3", 5.0),                            # d has one share: pre-filtered
        ("o9", "b", "c14", 0.0),                           # b's 2nd share, never paired
        ("o2", "e", "c5", 100.0), ("o2", "f", "c6", 100.0),
        ("o3", "e", "c5", 500.0),   # e's post c5 also shares o3: counts for e (2 rows)
        ("o4", "f", "c7", 900.0),   # f: 1 paired row of 2 -> f fails, pair kept via e
        ("o5", "g", "o5", 1000.0),  # content is the object: a loop
        ("o5", "g", "c8", 1001.0), ("o5", "h", "c9", 1002.0),  # neither g nor h qualifies
        ("o6", "h", "c10", 0.0),
        ("o7", "i", "c11", 0.0), ("o7", "j", "c11", 2.0),  # same content: a loop
        ("o8", "i", "c12", 0.0), ("o8", "j", "c13", 50.0),
    ],
}
EXPECTED_PAIRS = {("o1", "a", "c1", "b", "c2", 10.0), ("o1", "a", "c4", "b", "c2", 7.0),
                  ("o2", "e", "c5", "f", "c6", 0.0)}
EXPECTED_EDGES = [{"account_1": "a", "account_2": "b", "weight": 2, "avg_time_delta": 8.5},
                  {"account_1": "e", "account_2": "f", "weight": 1, "avg_time_delta": 0.0}]


def _case_shares(eng: Engine) -> Any:
    key, account, content, ts = zip(*CASES["rows"], strict=True)
    return eng.stage("_coshare_case", pa.table(
        {"key": key, "account": account, "content": content, "ts": ts}))


def _run_case(eng: Engine) -> tuple[set, list[dict]]:
    shares = _case_shares(eng)
    pairs = eng.to_arrow(coshare_pairs(eng, 10, 2, shares=shares)).to_pylist()
    edges = eng.to_arrow(coshare(eng, 10, 2, shares=shares)).to_pylist()
    got = {(p["key"], p["account_1"], p["content_1"], p["account_2"], p["content_2"], p["dt"])
           for p in pairs}
    assert len(got) == len(pairs)
    return got, sorted(edges, key=lambda e: (e["account_1"], e["account_2"]))


def test_each_rule_on_duckdb(ws: Workspace) -> None:
    got, edges = _run_case(make_engine("duckdb", ws))
    assert got == EXPECTED_PAIRS
    assert edges == EXPECTED_EDGES


def _coortweet_csv(path: Path) -> Path:
    lines = ["account_id,content_id,object_id,timestamp_share"]
    lines += [f"{a},{c},{k},{1_600_000_000 + t}" for k, a, c, t in CASES["rows"]
              if (a, c) != ("j", "c11")]  # ingest keys posts on content|object
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.spark
def test_duckdb_and_spark_agree(tmp_path: Path) -> None:
    """Both engines: pairs from ingested posts, edges from staged shares (two Spark jobs)."""
    pytest.importorskip("pyspark", reason="make test installs undertow[spark]")
    csv_path = _coortweet_csv(tmp_path / "shares.csv")
    results = {}
    for name in ("duckdb", "spark"):
        with Workspace.open(tmp_path / name) as ws:
            ingest(ws, [csv_path], fmt="coortweet")
            eng = make_engine(name, ws)
            pairs = eng.to_arrow(coshare_pairs(eng, 10, 2)).to_pylist()
            edges = eng.to_arrow(coshare(eng, 10, 2, shares=_case_shares(eng))).to_pylist()
        results[name] = (sorted(pairs, key=lambda p: tuple(p.values())),
                         sorted(edges, key=lambda e: (e["account_1"], e["account_2"])))
    assert results["duckdb"] == results["spark"]
    pairs, edges = results["duckdb"]
    assert {(p["key"], p["account_1"], p["content_1"], p["account_2"], p["content_2"], p["dt"])
            for p in pairs} == EXPECTED_PAIRS
    assert pairs[0]["ts_1"] == 1_600_000_000.0 and pairs[0]["signal"] == "object"
    assert edges == EXPECTED_EDGES


def test_posts_shares_from_posts(tmp_path: Path) -> None:
    """Content is post_id without ``|object_id``; accounts carry the platform only
    when there are several; posts without an object are not shares."""
    csv_path = tmp_path / "s.csv"
    csv_path.write_text("account_id,content_id,object_id,timestamp_share\n"
                        "u1,p|1,obj|x,1600000000.5\n", encoding="utf-8")
    with Workspace.open(tmp_path / "ws") as ws:
        ingest(ws, [csv_path], fmt="coortweet")
        eng = make_engine("duckdb", ws)
        assert eng.to_arrow(posts_shares(eng)).to_pylist() == [
            {"key": "obj|x", "account": "u1", "content": "p|1", "ts": 1600000000.5}]
        ingest(ws, [csv_path], fmt="coortweet", platform="other")
        accounts = sorted(r["account"] for r in eng.to_arrow(posts_shares(eng)).to_pylist())
        assert accounts == ["generic:u1", "other:u1"]
        assert eng.to_arrow(posts_shares(eng, "repost")).num_rows == 0
        with pytest.raises(ValueError, match="unknown signal"):
            posts_shares(eng, "likes")
        with pytest.raises(ValueError, match="window must be positive"):
            coshare(eng, 0, 2)


def test_module_doctest() -> None:
    result = doctest.testmod(coshare_module)
    assert result.attempted > 0 and result.failed == 0


def test_compat_names_accounts_when_only_one_platform_shares(tmp_path: Path) -> None:
    """Three Twitter accounts share five objects (and two of them a text); a Weibo
    account in the same workspace shares nothing. Every account keeps its name and
    platform in every signal (they came out blank, the name in the platform column),
    and its top signal is the one with most of its share pairs."""
    rows = [{"platform": "twitter", "post_id": f"t{h}{j}", "author_id": a,
             "created_at": f"2024-03-01T0{h}:00:{10 * j:02d}Z",
             "text": "the same words, posted twice" if h < 2 and a != "carol" else f"own {h}{j}",
             "object_id": f"obj{h}"}
            for h in range(5) for j, a in enumerate(["alice", "bob", "carol"])]
    rows += [{"platform": "weibo", "post_id": f"w{k}", "author_id": "dave",
              "created_at": f"2024-03-01T0{k}:30:00Z", "text": f"weibo post {k}"}
             for k in range(3)]
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with Workspace.open(tmp_path / "ws") as ws:
        ingest(ws, [path])
        result = detect(ws, DetectParams(signals=("text", "object"), significance=False,
                                         min_shares=2))
    assert sorted((a["platform"], a["account_id"], a["top_signal"]) for a in result.accounts) \
        == [("twitter", "alice", "object"), ("twitter", "bob", "object"),
            ("twitter", "carol", "object")]
    weights = {(e["source_platform"], e["source"], e["target_platform"], e["target"]):
               (e["weight"], e["signals"]) for e in result.edges}
    assert weights == {("twitter", "alice", "twitter", "bob"): (7, "object;text"),
                       ("twitter", "alice", "twitter", "carol"): (5, "object"),
                       ("twitter", "bob", "twitter", "carol"): (5, "object")}
