"""The detection's files: exact columns, and hostile account names surviving every format."""

from __future__ import annotations

import csv
import doctest
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from undertow.coordination import export
from undertow.coordination.export import (
    ACCOUNT_COLUMNS,
    EDGE_COLUMNS,
    FILE_NAMES,
    read_accounts,
    write_outputs,
    xml_safe,
)

GEXF = "{http://gexf.net/1.3}"
GML = "{http://graphml.graphdrawing.org/xmlns}"

# Names an adversary can pick (or a platform allows): markup, quotes, separators, newlines,
# spreadsheet formulas, bidi overrides, emoji, CJK, spaces at the ends.
HOSTILE = [
    "plain_user",
    'say "hi"',
    "it's",
    "<script>alert(1)</script>",
    "&amp; &lt; & <![CDATA[x]]> ]]>",
    "comma, semi; pipe|",
    "tab\there",
    "new\nline",
    "cr\r\nlf\rcr",
    "=HYPERLINK(\"http://x\")",
    "+1-2@3",
    "\u202egnp.exe",
    "小米 粉丝 😀🔥",
    "  spaced  ",
    "back\\slash",
    "<!-- -->",
]


def _accounts() -> list[dict[str, Any]]:
    return [
        {"account_id": name, "platform": "weibo" if i % 2 else "twitter",
         "campaign_id": f"k{i % 3}", "score": 1.0 / (i + 3), "top_signal": "text"}
        for i, name in enumerate(HOSTILE)
    ]


def _edges(accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i in range(len(accounts) - 1):
        a, b = accounts[i], accounts[i + 1]
        out.append({
            "source": a["account_id"], "target": b["account_id"],
            "source_platform": a["platform"], "target_platform": b["platform"],
            "weight": 1.5 + i, "events": i + 1, "signals": "text;link",
            "first_ts": f"2024-03-28T10:{i:02d}:00Z", "last_ts": f"2024-03-28T11:{i:02d}:30Z",
            "p_value": 10.0 ** -(i + 1),
        })
    return out


def _campaigns(accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{
        "campaign_id": "k0", "kind": "network",
        "accounts": [{"account_id": a["account_id"], "platform": a["platform"]}
                     for a in accounts],
        "size": len(accounts), "signals": {"text": 3},
        "keys": [{"signal": "text", "key": "买 <b>&\"x\"", "accounts": 3, "posts": 4}],
        "posts": [{"post_id": "1", "platform": "weibo", "account_id": a["account_id"],
                   "created_at": "2024-03-28T10:00:00Z", "text": a["account_id"] + " 👍",
                   "signal": "text", "key": "k"} for a in accounts],
        "timeline": [{"t": "2024-03-28T10:00", "posts": 4}],
        "scores": {"synchrony": 0.9, "text_similarity": None, "duplicated_share": 1.0,
                   "account_age_homogeneity": None},
        "p_chance": 1e-12, "confidence": 0.99,
    }]


@pytest.fixture
def written(tmp_path: Path) -> tuple[dict[str, Path], list[dict[str, Any]], list[dict[str, Any]],
                                     list[dict[str, Any]]]:
    accounts = _accounts()
    edges = _edges(accounts)
    campaigns = _campaigns(accounts)
    paths = write_outputs(tmp_path / "out", accounts, campaigns, edges,
                          {"window": 60, "engine": "duckdb", "note": "窗口"})
    return paths, accounts, campaigns, edges


def _gexf_nodes(root: ET.Element) -> dict[str, dict[str, str]]:
    """GEXF node id -> its label and attribute values."""
    nodes = {}
    for node in root.iter(f"{GEXF}node"):
        values = {v.get("for", ""): v.get("value", "") for v in node.iter(f"{GEXF}attvalue")}
        nodes[node.get("id", "")] = {"label": node.get("label", ""), **values}
    return nodes


def _graphml_data(item: ET.Element, names: dict[str, str]) -> dict[str, str]:
    return {names[d.get("key", "")]: d.text or "" for d in item.findall(f"{GML}data")}


# --- files and columns -----------------------------------------------------------------


def test_all_files_written(written: Any) -> None:
    paths = written[0]
    assert {k: p.name for k, p in paths.items()} == {
        "accounts": "accounts.csv", "campaigns": "campaigns.json", "edges": "edges.csv",
        "gexf": "network.gexf", "graphml": "network.graphml"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())


def test_csv_headers_exact(written: Any) -> None:
    paths = written[0]
    with open(paths["accounts"], encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == [
            "account_id", "platform", "campaign_id", "score", "top_signal"]
    with open(paths["edges"], encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:8] == ["source", "target", "weight", "signals", "first_ts", "last_ts",
                          "p_value", "events"]
    assert tuple(header) == EDGE_COLUMNS
    assert ACCOUNT_COLUMNS == ("account_id", "platform", "campaign_id", "score", "top_signal")


def test_failed_write_leaves_the_last_run_whole(written: Any, monkeypatch) -> None:
    """A write that fails part-way (the disk full as the last file is written) moves none
    of the new files into place, stores nothing and leaves no partial file: the last
    run's five stay as they were."""
    import errno

    from undertow.coordination import export

    paths = written[0]
    folder = paths["accounts"].parent
    before = {kind: path.read_bytes() for kind, path in paths.items()}

    def disk_full(path: Path, graph: Any) -> Path:
        path.write_bytes(b"<?xml")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "write_graphml", disk_full)
    stored = []
    with pytest.raises(OSError, match="No space left"):
        write_outputs(folder, [], [], [], {"window": 1}, then=lambda: stored.append(1))
    assert {kind: path.read_bytes() for kind, path in paths.items()} == before
    assert stored == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILE_NAMES.values())


def test_files_move_into_place_after_then(written: Any) -> None:
    """``then`` runs once every file is written whole, before any is moved into place;
    if it fails the last run's files stay."""
    paths = written[0]
    folder = paths["accounts"].parent
    before = paths["campaigns"].read_bytes()

    def check() -> None:
        staged = sorted(p.name for p in folder.glob(".*.partial") if p.is_file())
        assert [name.split(".partial")[0].rsplit(".", 2)[0] for name in staged] == sorted(
            f".{name}" for name in FILE_NAMES.values())
        raise RuntimeError("the workspace could not be written")

    with pytest.raises(RuntimeError):
        write_outputs(folder, [], [], [], {"window": 1}, then=check)
    assert paths["campaigns"].read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILE_NAMES.values())
    write_outputs(folder, [], [], [], {"window": 1})
    assert json.loads(paths["campaigns"].read_text(encoding="utf-8"))["params"] == {"window": 1}


def test_empty_detection_writes_valid_files(tmp_path: Path) -> None:
    paths = write_outputs(tmp_path, [], [], [], {})
    assert read_accounts(paths["accounts"]) == []
    assert json.loads(paths["campaigns"].read_text(encoding="utf-8")) == {
        "params": {}, "campaigns": [], "surges": []}
    assert ET.parse(paths["gexf"]).getroot().find(f"{GEXF}graph/{GEXF}nodes") is not None
    assert ET.parse(paths["graphml"]).getroot().find(f"{GML}graph") is not None


# --- round trips -----------------------------------------------------------------------


def test_accounts_csv_round_trip(written: Any) -> None:
    paths, accounts = written[0], written[1]
    assert read_accounts(paths["accounts"]) == accounts


def test_read_accounts_rejects_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("account_id,platform\na,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="campaign_id"):
        read_accounts(path)


def test_read_accounts_names_the_file_and_line_of_what_it_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("account_id,platform,campaign_id,score,top_signal\n"
                    "a,x,k,0.5,text\nb,x,k,notanumber,text\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv, line 3: score 'notanumber' is not a"):
        read_accounts(path)
    path.write_bytes(b"account_id,platform,campaign_id,score,top_signal\n\xff,x,k,1,t\n")
    with pytest.raises(ValueError, match="bad.csv: not UTF-8 text"):
        read_accounts(path)


def test_formula_cells_kept_exact(written: Any) -> None:
    paths = written[0]
    ids = [row["account_id"] for row in read_accounts(paths["accounts"])]
    assert '=HYPERLINK("http://x")' in ids and "+1-2@3" in ids


def test_edges_csv_round_trip(written: Any) -> None:
    paths, edges = written[0], written[3]
    with open(paths["edges"], encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["source"], r["target"]) for r in rows] == [(e["source"], e["target"])
                                                         for e in edges]
    assert [float(r["p_value"]) for r in rows] == [e["p_value"] for e in edges]
    assert [int(r["events"]) for r in rows] == [e["events"] for e in edges]
    assert rows[0]["signals"] == "text;link" and rows[0]["first_ts"] == "2024-03-28T10:00:00Z"


def test_campaigns_json_round_trip(written: Any) -> None:
    paths, campaigns = written[0], written[2]
    raw = paths["campaigns"].read_bytes()
    assert "😀".encode() in raw and b"\\ud83d" not in raw  # not ASCII-escaped
    doc = json.loads(raw.decode("utf-8"))
    assert doc == {"params": {"window": 60, "engine": "duckdb", "note": "窗口"},
                   "campaigns": campaigns, "surges": []}


def test_json_non_finite_and_numpy(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    campaign = {"campaign_id": "k", "p_chance": float("nan"), "confidence": np.float64(0.5),
                "size": np.int64(3), "scores": {"synchrony": float("inf")}, "tags": ("a", "b")}
    paths = write_outputs(tmp_path, [], [campaign], [], {"seed": np.int32(7)})
    doc = json.loads(paths["campaigns"].read_text(encoding="utf-8"))
    assert doc["params"] == {"seed": 7}
    assert doc["campaigns"][0] == {"campaign_id": "k", "p_chance": None, "confidence": 0.5,
                                   "size": 3, "scores": {"synchrony": None}, "tags": ["a", "b"]}


def test_gexf_round_trip_and_dynamics(written: Any) -> None:
    paths, accounts, _, edges = written
    root = ET.parse(paths["gexf"]).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    graph = root.find(f"{GEXF}graph")
    assert graph is not None
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "dateTime"
    declared = {(a.get("class"), at.get("id"), at.get("type"))
                for a in graph.findall(f"{GEXF}attributes") for at in a}
    assert {("node", "platform", "string"), ("node", "campaign_id", "string"),
            ("node", "score", "double"), ("node", "top_signal", "string"),
            ("edge", "signals", "string"), ("edge", "p_value", "double")} <= declared
    nodes = _gexf_nodes(root)
    assert [n["account_id"] for n in nodes.values()] == HOSTILE
    assert [n["label"] for n in nodes.values()] == HOSTILE
    assert [(n["platform"], n["campaign_id"], float(n["score"]), n["top_signal"])
            for n in nodes.values()] == [(a["platform"], a["campaign_id"], a["score"],
                                          a["top_signal"]) for a in accounts]
    gexf_edges = list(root.iter(f"{GEXF}edge"))
    assert len(gexf_edges) == len(edges)
    for element, edge in zip(gexf_edges, edges, strict=True):
        assert nodes[element.get("source", "")]["account_id"] == edge["source"]
        assert nodes[element.get("target", "")]["account_id"] == edge["target"]
        assert element.get("start") == edge["first_ts"] and element.get("end") == edge["last_ts"]
        assert float(element.get("weight", "nan")) == edge["weight"]
        values = {v.get("for"): v.get("value") for v in element.iter(f"{GEXF}attvalue")}
        assert values["signals"] == "text;link"
        assert float(values["p_value"] or "nan") == edge["p_value"]
        assert values["events"] == str(edge["events"])


def test_graphml_round_trip(written: Any) -> None:
    paths, accounts, _, edges = written
    root = ET.parse(paths["graphml"]).getroot()
    keys = {k.get("id", ""): (k.get("for"), k.get("attr.name"), k.get("attr.type"))
            for k in root.findall(f"{GML}key")}
    names = {key_id: name or "" for key_id, (_, name, _) in keys.items()}
    assert {("node", "account_id", "string"), ("node", "score", "double"),
            ("edge", "weight", "double"), ("edge", "signals", "string"),
            ("edge", "p_value", "double")} <= set(keys.values())
    graph = root.find(f"{GML}graph")
    assert graph is not None and graph.get("edgedefault") == "undirected"
    nodes = {n.get("id"): _graphml_data(n, names) for n in graph.findall(f"{GML}node")}
    assert [n["account_id"] for n in nodes.values()] == HOSTILE
    assert [(n["platform"], n["campaign_id"], float(n["score"])) for n in nodes.values()] == [
        (a["platform"], a["campaign_id"], a["score"]) for a in accounts]
    pairs = [(nodes[e.get("source")]["account_id"], nodes[e.get("target")]["account_id"],
              _graphml_data(e, names)) for e in graph.findall(f"{GML}edge")]
    assert [(s, t) for s, t, _ in pairs] == [(e["source"], e["target"]) for e in edges]
    assert [float(d["weight"]) for _, _, d in pairs] == [e["weight"] for e in edges]
    assert [d["last_ts"] for _, _, d in pairs] == [e["last_ts"] for e in edges]


# --- what XML cannot hold, odd edges, odd times ---------------------------------------


def test_control_characters_and_surrogates(tmp_path: Path) -> None:
    name = "nul\x00bell\x07esc\x1b\ud800end"
    accounts = [{"account_id": name, "platform": "x", "campaign_id": "k", "score": 0.5,
                 "top_signal": "text"}]
    edges = [{"source": name, "target": "other", "weight": 1.0, "first_ts": "", "last_ts": ""}]
    paths = write_outputs(tmp_path, accounts, [{"campaign_id": name}], edges, {})
    gexf_nodes = _gexf_nodes(ET.parse(paths["gexf"]).getroot())
    assert gexf_nodes["n0"]["account_id"] == xml_safe(name) == (
        "nul\\x00bell\\x07esc\\x1b\\ud800end")
    graphml = ET.parse(paths["graphml"]).getroot()
    assert len(graphml.findall(f"{GML}graph/{GML}node")) == 2
    # JSON keeps the name exactly (the surrogate as a JSON escape) ...
    doc = json.loads(paths["campaigns"].read_text(encoding="utf-8"))
    assert doc["campaigns"][0]["campaign_id"] == name
    # ... CSV exactly but for the surrogate, which UTF-8 cannot encode.
    assert read_accounts(paths["accounts"])[0]["account_id"] == name.replace(
        "\ud800", "\\ud800")


def test_edge_ends_outside_accounts_become_nodes(tmp_path: Path) -> None:
    accounts = [{"account_id": "a", "platform": "weibo", "campaign_id": "k", "score": 0.5,
                 "top_signal": "text"}]
    edges = [{"source": "a", "target": "b", "weight": 2.0},
             {"source": "a", "target": "b", "source_platform": "twitter",
              "target_platform": "twitter", "weight": 1.0}]
    paths = write_outputs(tmp_path, accounts, [], edges, {})
    root = ET.parse(paths["gexf"]).getroot()
    nodes = _gexf_nodes(root)
    assert [(n["account_id"], n.get("platform")) for n in nodes.values()] == [
        ("a", "weibo"), ("b", None), ("a", "twitter"), ("b", "twitter")]
    assert "campaign_id" not in nodes["n1"] and "score" not in nodes["n1"]
    ends = [(e.get("source"), e.get("target")) for e in root.iter(f"{GEXF}edge")]
    assert ends == [("n0", "n1"), ("n2", "n3")]


def test_times_normalised_for_gephi(tmp_path: Path) -> None:
    edges: list[dict[str, Any]] = [
        {"source": "a", "target": "b", "first_ts": "2024-03-28 18:00:00+08:00",
         "last_ts": "2024-03-28T10:30:00.250000+00:00"},
        {"source": "a", "target": "c", "first_ts": "2024-03-28T12:00:00",
         "last_ts": "2024-03-28T11:00:00"},
        {"source": "b", "target": "c", "first_ts": "not a time", "last_ts": None},
    ]
    paths = write_outputs(tmp_path, [], [], edges, {})
    got = [(e.get("start"), e.get("end"))
           for e in ET.parse(paths["gexf"]).getroot().iter(f"{GEXF}edge")]
    assert got == [("2024-03-28T10:00:00Z", "2024-03-28T10:30:00.250000Z"),
                   ("2024-03-28T11:00:00", "2024-03-28T12:00:00"),
                   (None, None)]


def test_module_examples() -> None:
    assert doctest.testmod(export).failed == 0


def test_signals_given_as_a_list(tmp_path: Path) -> None:
    edges = [{"source": "a", "target": "b", "signals": ["text", "link"], "weight": 1.0}]
    paths = write_outputs(tmp_path, [], [], edges, {})
    with open(paths["edges"], encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["signals"] == "text;link"
    values = [v.get("value") for v in ET.parse(paths["gexf"]).getroot().iter(f"{GEXF}attvalue")
              if v.get("for") == "signals"]
    assert values == ["text;link"]


def test_a_name_that_looks_like_an_escape_stays_apart_in_xml(tmp_path: Path) -> None:
    """One account is named U+0001 then "a", another the six characters of its escape:
    both XML files named both ``\\x01a``, so a reader could not tell which was which."""
    names = ["\x01a", "\\x01a"]
    accounts = [{"account_id": n, "platform": "x", "campaign_id": "k", "score": 0.5,
                 "top_signal": "text"} for n in names]
    edges = [{"source": names[0], "target": names[1], "weight": 1.0, "first_ts": "",
              "last_ts": ""}]
    paths = write_outputs(tmp_path, accounts, [], edges, {})
    gexf = {n["account_id"] for n in _gexf_nodes(ET.parse(paths["gexf"]).getroot()).values()}
    assert gexf == {"\\x01a", "\\x5cx01a"}
    root = ET.parse(paths["graphml"]).getroot()
    keys = {k.get("id", ""): k.get("attr.name", "") for k in root.iter(f"{GML}key")}
    graphml = {_graphml_data(n, keys)["account_id"] for n in root.iter(f"{GML}node")}
    assert graphml == gexf
    assert [a["account_id"] for a in read_accounts(paths["accounts"])] == names
