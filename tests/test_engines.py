"""One implementation, two engines: DuckDB and Apache Spark (local mode) agree."""

from __future__ import annotations

import pytest

from tests.conftest import shared
from undertow import Workspace, ingest
from undertow.summary import summarize

pytest.importorskip("pyspark", reason="make test installs undertow[spark]")

COLUMNS = ("platform, post_id, author_id, created_at, text, lang, urls_norm, hashtags, "
           "mentions, source_line")


def _fixture(tmp_path):
    f = tmp_path / "mixed.csv"
    lines = ["id,user,time,text"]
    for i in range(300):
        lines.append(f"{i % 250},u{i % 17},2025-03-0{1 + i % 7}T10:{i % 60:02d}:00Z,"
                     f"post {i} #su7 #Akku https://www.mi.com/?utm_source={i} @lei")
    lines.append("999,,2025-03-01T00:00:00Z,no author")
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def test_ingest_and_summary_agree_on_both_engines(tmp_path):
    files = [_fixture(tmp_path), shared("youtube_spam_collection/Youtube05-Shakira.csv")]
    results = {}
    for engine in ("duckdb", "spark"):
        with Workspace.open(tmp_path / engine) as ws:
            report = ingest(ws, files, engine=engine, batch_size=128)
            again = ingest(ws, files, engine=engine, batch_size=128)
            table = ws.con.execute(f"SELECT {COLUMNS} FROM posts ORDER BY platform, post_id")
            results[engine] = (report.line(), again.line(), table.fetchall(),
                               summarize(ws, engine))
    duck, spark = results["duckdb"], results["spark"]
    # Ids 0-49 come twice with other text: the second posts are quarantined.
    assert duck[0] == spark[0] == "read 671, stored 619, duplicate 1, quarantined 51"
    assert duck[1] == spark[1] == "read 671, stored 0, duplicate 620, quarantined 51"
    assert duck[2] == spark[2]
    assert duck[3] == spark[3]
    assert duck[3]["hashtags"][:2] == [{"tag": "akku", "posts": 250, "accounts": 17},
                                      {"tag": "su7", "posts": 250, "accounts": 17}]


def test_a_working_table_reads_back_with_the_types_duckdb_gave_it(tmp_path):
    """A table the engine makes is described to sqlframe from DuckDB itself; what the
    DataFrame layer then knows of it is what its own catalogue lookup finds."""
    import pyarrow as pa
    from sqlglot.schema import MappingSchema

    from undertow.engines import DuckDBEngine

    with Workspace.open(tmp_path / "ws") as ws:
        eng = DuckDBEngine(ws)
        F = eng.F
        staged = eng.stage("_t_rows", pa.table({"k": pa.array([1, 2, 2], pa.int64()),
                                               "w": pa.array(["a", "b", None])}),
                           materialize=True)
        kept = eng.persist(staged.groupBy("k").agg(
            F.count(F.lit(1)).alias("n"), F.collect_list("w").alias("ws"),
            (F.sum("k") / F.lit(3.0)).cast("decimal(38,10)").alias("d")), "_t_kept")
        catalog = eng.session.catalog
        told = catalog._schema.mapping
        assert told["_undertow_scratch"]["main"]["_t_kept"] == {
            "k": "BIGINT", "n": "BIGINT", "ws": "ARRAY<STRING>", "d": "DECIMAL(38, 10)"}
        # Forget them: sqlframe now looks each up in the information schema.
        catalog._schema = MappingSchema()
        for name in ("_t_rows", "_t_kept"):
            eng.session.table(eng._scratch_name(name))
        assert catalog._schema.mapping == told
        assert list(kept.columns) == ["k", "n", "ws", "d"]
        assert sorted(eng.to_arrow(kept).to_pylist(), key=lambda r: r["k"])[1]["n"] == 2
