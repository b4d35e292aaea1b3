"""Cheaper plan copies change nothing that is copied, nor any query built from them."""

from __future__ import annotations

import copy
import doctest

import pyarrow as pa
import sqlglot

from undertow import Workspace, quickcopy
from undertow.quickcopy import REPLACED, deepcopy, install


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(quickcopy).failed == 0


def test_plain_containers_copy_as_deepcopy_would():
    meta = {"line": 1, "col": 7, "start": 0, "end": 3, "name": "a", "case": None}
    twin = deepcopy(meta)
    assert twin == meta and twin is not meta
    twin["line"] = 2
    assert meta["line"] == 1
    names = ["a", "b"]
    assert deepcopy(names) == names and deepcopy(names) is not names


def test_anything_nested_is_still_copied_all_the_way_down():
    nested = {"tags": ["x"], "n": 1}
    twin = deepcopy(nested)
    twin["tags"].append("y")
    assert nested == {"tags": ["x"], "n": 1}
    rows = [["a"], "b"]
    twin_rows = deepcopy(rows)
    twin_rows[0].append("c")
    assert rows == [["a"], "b"]


def test_an_object_met_twice_in_one_copy_is_copied_once():
    shared = {"line": 1}
    both = deepcopy([shared, shared])
    assert both[0] is both[1] and both[0] is not shared


def test_a_copied_expression_is_independent_of_its_original():
    install()
    tree = sqlglot.parse_one("SELECT a, b + 1 AS c FROM t WHERE a > 2")
    copied = tree.copy()
    column = copied.find(sqlglot.exp.Column)
    column.meta["line"] = 99
    column.set("this", sqlglot.exp.to_identifier("z"))
    assert tree.sql() == "SELECT a, b + 1 AS c FROM t WHERE a > 2"
    assert tree.find(sqlglot.exp.Column).meta.get("line") != 99


def _detection_sql(tmp_path) -> list[str]:
    """The SQL of some of detection's plans, over small working tables."""
    from undertow.coordination import detect as D
    from undertow.coordination.coaction import window_pairs
    from undertow.coordination.features import near_band_pairs
    from undertow.engines import DuckDBEngine, _sql

    with Workspace.open(tmp_path) as ws:
        eng = DuckDBEngine(ws)
        keyed = eng.stage("_q_keyed", pa.table({
            "signal": ["text"], "key": [1], "account": [1], "post_id": [1], "ts": [1.0]}),
            materialize=True)
        edges = eng.stage("_q_edges", pa.table({
            "account_1": [1], "account_2": [2], "events": [3], "pairs": [3],
            "signals": ["text"], "first_ts": [1.0], "last_ts": [2.0], "mean_dt": [1.0]}),
            materialize=True)
        cold = eng.stage("_q_cold", pa.table({
            "band": [1], "bin": [1], "pid": [1], "tid": [1], "acc": [1], "ts": [1.0]}),
            materialize=True)
        cells = eng.persist(D._cells(eng, keyed, 60), "_q_cells")
        return [_sql(D._expected(eng, edges, keyed, cells, 60)),
                _sql(window_pairs(eng, keyed, 60)), _sql(near_band_pairs(eng, cold, 60))]


def test_detection_builds_the_same_queries_with_and_without_the_cheaper_copies(
        tmp_path, monkeypatch):
    install()
    assert REPLACED, "this sqlglot/sqlframe no longer has the copies quickcopy replaces"
    quick = _detection_sql(tmp_path / "quick")
    for owner, name, original in REPLACED:
        monkeypatch.setattr(owner, name, original)
    assert REPLACED[0][0].deepcopy is copy.deepcopy
    plain = _detection_sql(tmp_path / "plain")
    assert quick == plain
    assert all("JOIN" in sql for sql in quick)


def test_the_remembered_dialect_name_is_the_one_sqlframe_would_look_up():
    from sqlframe.base import util
    from sqlframe.duckdb import DuckDBSession

    install()
    originals = {name: original for owner, name, original in REPLACED if owner is util}
    assert "dialect_to_string" in originals
    dialect = DuckDBSession().execution_dialect
    assert util.dialect_to_string(dialect) == originals["dialect_to_string"](dialect)
    assert "duckdb" in util.dialect_to_string(dialect)


def _every_query_of_a_detection(folder, monkeypatch) -> list[str]:
    """The SQL of every query one detection (all signals) runs, in order."""
    import undertow.engines as engines
    from undertow import ingest
    from undertow.coordination.detect import detect
    from undertow.simulate import simulate, write_posts

    posts = write_posts(simulate(3_000, seed=5, days=1), folder / "posts.jsonl")
    written: list[str] = []
    plain_sql = engines._sql

    def recorded(df):
        written.append(plain_sql(df))
        return written[-1]

    monkeypatch.setattr(engines, "_sql", recorded)
    with Workspace.open(folder / "ws") as ws:
        ingest(ws, [posts])
        result = detect(ws)
    assert result.accounts, "the simulated stream's campaigns are found"
    return written


def test_a_whole_detection_runs_the_same_queries_without_the_cheaper_plans(
        tmp_path, monkeypatch):
    install()
    (tmp_path / "quick").mkdir()
    (tmp_path / "plain").mkdir()
    with monkeypatch.context() as patched:
        quick = _every_query_of_a_detection(tmp_path / "quick", patched)
    with monkeypatch.context() as patched:
        for owner, name, original in REPLACED:
            patched.setattr(owner, name, original)
        plain = _every_query_of_a_detection(tmp_path / "plain", patched)
    assert len(quick) > 30
    assert quick == plain
