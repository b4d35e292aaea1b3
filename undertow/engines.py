"""The two engines the relational steps run on: DuckDB (default) and Apache Spark.

Relational code in :mod:`undertow.relational` is written once in the PySpark
DataFrame API. On DuckDB it runs through ``sqlframe`` inside the workspace's
own database file; on Spark it runs in local mode over Parquet copies of the
tables it reads. Either way the results are written back to the workspace.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from undertow.workspace import Workspace, check_memory_limit

ENGINES = ("duckdb", "spark")

class StageWriter(ABC):
    """Rows appended batch by batch to a working table (see :meth:`Engine.writer`)."""

    @abstractmethod
    def write(self, data: pa.Table) -> None:
        """Append ``data`` (the writer's schema)."""

    @abstractmethod
    def finish(self) -> Any:
        """The rows written, as a DataFrame (until :meth:`Engine.drop_stage`)."""


class Engine(ABC):
    """What relational code needs from an engine."""

    name: str
    F: Any  # the engine's ``functions`` module
    Window: Any

    @abstractmethod
    def table(self, name: str, columns: list[str] | None = None) -> Any:
        """A workspace table as a DataFrame."""

    @abstractmethod
    def stage(self, name: str, data: pa.Table, materialize: bool = False) -> Any:
        """Arrow data as a DataFrame, for the life of the current step; ``materialize``
        when later steps read it many times."""

    @abstractmethod
    def to_arrow(self, df: Any) -> pa.Table:
        """Collect a DataFrame."""

    @abstractmethod
    def insert(self, df: Any, table: str) -> int:
        """Append a DataFrame's rows to a workspace table; returns the count."""

    @abstractmethod
    def drop_stage(self, name: str) -> None:
        """Forget a staged DataFrame."""

    @abstractmethod
    def persist(self, df: Any, name: str) -> Any:
        """Compute ``df`` once and keep it (until :meth:`drop_stage`), so later steps
        that read it do not recompute the plan behind it."""

    @abstractmethod
    def writer(self, name: str, schema: pa.Schema) -> StageWriter:
        """A working table called ``name`` filled batch by batch: data that never has
        to be in memory all at once."""

    @abstractmethod
    def batches(self, df: Any, rows: int = 100_000) -> Iterator[pa.Table]:
        """A DataFrame's rows, at most ``rows`` at a time (never all at once where the
        engine can stream)."""

    def release(self, *names: str) -> None:
        """Drop working tables that nothing reads any more, freeing their memory or
        disk now rather than at the end of the analysis."""
        for name in names:
            self.drop_stage(name)

    def count(self, df: Any) -> int:
        """Rows in ``df``."""
        table = self.to_arrow(df.agg(self.F.count(self.F.lit(1)).alias("n")))
        return int(table["n"][0].as_py()) if table.num_rows else 0

    @contextmanager
    def working_memory(self, limit: str | None = None) -> Iterator[None]:
        """Run the block with the engine's memory capped at ``limit`` (``2GB``), where
        the engine can: it then spills to disk instead of growing. Restored afterwards."""
        if limit is not None:
            check_memory_limit(limit)
        yield

    def insert_new(self, table: str, data: pa.Table, keys: list[str], order: str) -> int:
        """Append the rows of ``data`` whose ``keys`` are not in ``table`` yet (within
        ``data``, the row first by ``order``); returns how many were added."""
        from undertow.relational import new_rows, repeats_keys

        stage = f"_stage_{table}"
        staged = self.stage(stage, data)
        try:
            return self.insert(new_rows(self, staged, self.table(table, keys), keys, order,
                                        repeats_keys(data, keys)), table)
        finally:
            self.drop_stage(stage)


def _sql(df: Any) -> str:
    """A sqlframe DataFrame's SQL for DuckDB, left for DuckDB's own optimizer: sqlglot's
    takes longer than running the query on small inputs."""
    return str(df.sql(dialect="duckdb", pretty=False, optimize=False))


class DuckDBEngine(Engine):
    """DataFrame API over the workspace's own DuckDB connection (via sqlframe)."""

    name = "duckdb"

    def __init__(self, ws: Workspace):
        from sqlframe.base.session import _BaseSession
        from sqlframe.duckdb import DuckDBSession, Window
        from sqlframe.duckdb import functions as F

        from undertow.quickcopy import install

        install()  # plans are built many times a second: copy them for less
        self.ws = ws
        # sqlframe keeps one session per process; each workspace needs its own connection.
        _BaseSession._instance = None
        self.session = DuckDBSession(conn=ws.con)
        self.F = F
        self.Window = Window
        self._insert_new_sql: dict[tuple[str, tuple[str, ...], str, bool], str] = {}
        self._scratch = False
        self._views: set[str] = set()  # staged views in the workspace, until dropped
        self._scratch_views: set[str] = set()  # and in the scratch database
        rows = ws.con.execute("SELECT current_database()").fetchall()
        self._catalog = str(rows[0][0]) if rows else "memory"

    def _name(self, name: str) -> str:
        """``name`` as ``catalog.schema.table``: sqlframe wants every table it sees
        named to the same depth, and scratch tables need all three parts."""
        return name if "." in name else f"{self._catalog}.main.{name}"

    def table(self, name: str, columns: list[str] | None = None) -> Any:
        df = self.session.table(self._name(name))
        return df.select(*columns) if columns else df

    def stage(self, name: str, data: pa.Table, materialize: bool = False) -> Any:
        # Read once (an ingest batch): a view over the registered Arrow data, no copy.
        # (sqlframe cannot see temporary views, so it is an ordinary one, dropped by
        # drop_stage.) Read many times (the keyed rows of detection): a table, which
        # DuckDB scans in parallel and far faster than a Python-registered Arrow object
        # (about 20x in the 1M-post significance step).
        # Both live in an in-memory scratch database (see _scratch_name): never written
        # to the workspace file, gone with the process if it is killed. Inside a
        # transaction that writes the workspace (ingest), where DuckDB allows no write
        # to a second database, the view is the workspace's and rolls back with it.
        self.drop_stage(name)
        arrow_name = f"_arrow_{name}"
        self.ws.con.register(arrow_name, data)
        if materialize:
            table = self._scratch_name(name)
            self.ws.con.execute(f"CREATE TABLE {table} AS SELECT * FROM {arrow_name}")
            self.ws.con.unregister(arrow_name)
            return self._known_table(table)
        if self.ws.in_transaction:
            # OR REPLACE: a view a crashed run left behind in the workspace file.
            self.ws.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {arrow_name}")
            self._views.add(name)
            return self._known_table(self._name(name))
        view = self._scratch_name(name)
        self.ws.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {arrow_name}")
        self._scratch_views.add(name)
        return self._known_table(view)

    def _known_table(self, name: str) -> Any:
        """A table this engine just made, as a DataFrame, its columns told to sqlframe
        from DuckDB's own description of it: sqlframe would otherwise look them up in
        the information schema, which costs more than many of the small steps of a
        detection on 100k posts."""
        from sqlframe.base.util import normalize_string

        rel = self.ws.con.table(name)
        self.session.catalog.add_table(name, {
            column: normalize_string(str(dtype), from_dialect="output", to_dialect="input",
                                     is_datatype=True)
            for column, dtype in zip(rel.columns, rel.types, strict=True)})
        return self.session.table(name)

    def _scratch_name(self, name: str) -> str:
        """``name`` in the scratch database, attached on first use.

        Working tables of one analysis (detection's keyed rows, pairs, edges) are
        not part of the workspace: kept in the workspace file they cost a WAL write,
        a checkpoint and fsyncs each, and leave free blocks behind when dropped.
        An attached in-memory database keeps them off the file; under the memory
        limit DuckDB spills them to the temp directory (``undertow.duckdb.tmp`` in
        the workspace). Unlike temporary tables, sqlframe and cursors can see them.
        """
        if not self._scratch:
            self.ws.con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {SCRATCH}")
            self._scratch = True
        return f"{SCRATCH}.main.{name}"

    def to_arrow(self, df: Any) -> pa.Table:
        return self.ws.con.sql(_sql(df)).to_arrow_table()

    def insert(self, df: Any, table: str) -> int:
        sql = _sql(df)
        row = self.ws.con.execute(f"INSERT INTO {table} BY NAME ({sql})").fetchone()
        return int(row[0]) if row else 0

    def drop_stage(self, name: str) -> None:
        # Only views this engine made are looked for: a catalogue query per drop
        # cost more than the small steps of a detection on 100k posts.
        if name in self._views:
            self.ws.con.execute(f"DROP VIEW IF EXISTS {name}")
            self._views.discard(name)
        if name in self._scratch_views:
            self.ws.con.execute(f"DROP VIEW IF EXISTS {self._scratch_name(name)}")
            self._scratch_views.discard(name)
        if self._scratch:
            self.ws.con.execute(f"DROP TABLE IF EXISTS {self._scratch_name(name)}")
        self.ws.con.unregister(f"_arrow_{name}")

    def insert_new(self, table: str, data: pa.Table, keys: list[str], order: str) -> int:
        # The same DataFrame plan every batch, over a staged view of the same name:
        # its SQL is made once (building and compiling the plan costs ~0.1 s of Python).
        from undertow.relational import new_rows, repeats_keys

        stage = f"_stage_{table}"
        staged = self.stage(stage, data)
        repeats = repeats_keys(data, keys)
        key = (table, tuple(keys), order, repeats)
        sql = self._insert_new_sql.get(key)
        if sql is None:
            plan = new_rows(self, staged, self.table(table, keys), keys, order, repeats)
            sql = f"INSERT INTO {table} BY NAME ({_sql(plan)})"
            self._insert_new_sql[key] = sql
        try:
            row = self.ws.con.execute(sql).fetchone()
        finally:
            self.drop_stage(stage)
        return int(row[0]) if row else 0

    def persist(self, df: Any, name: str) -> Any:
        sql = _sql(df)
        self.drop_stage(name)
        table = self._scratch_name(name)
        self.ws.con.execute(f"CREATE TABLE {table} AS {sql}")
        return self._known_table(table)

    def writer(self, name: str, schema: pa.Schema) -> StageWriter:
        self.drop_stage(name)
        return _DuckDBWriter(self, self._scratch_name(name), schema)

    def batches(self, df: Any, rows: int = 100_000) -> Iterator[pa.Table]:
        # A cursor of its own, so the connection stays free for writing while the
        # rows stream (scratch tables are visible to it; temporary ones would not be).
        cursor = self.ws.con.cursor()
        try:
            reader = cursor.sql(_sql(df)).to_arrow_reader(rows)
            for batch in reader:
                yield pa.Table.from_batches([batch])
        finally:
            cursor.close()

    def count(self, df: Any) -> int:
        rows = self.ws.con.execute(
            f"SELECT count(*) FROM ({_sql(df)})").fetchall()
        return int(rows[0][0]) if rows else 0

    @contextmanager
    def working_memory(self, limit: str | None = None) -> Iterator[None]:
        with self.ws.working_memory(limit):
            yield


#: The in-memory database DuckDB keeps working tables in (see DuckDBEngine._scratch_name).
SCRATCH = "_undertow_scratch"


class _DuckDBWriter(StageWriter):
    def __init__(self, eng: DuckDBEngine, table: str, schema: pa.Schema):
        self.eng, self.table, self.schema = eng, table, schema
        self._view = f"_arrow_w{uuid.uuid4().hex}"
        self._load(schema.empty_table(), f"CREATE TABLE {table} AS")

    def _load(self, data: pa.Table, verb: str) -> None:
        con = self.eng.ws.con
        con.register(self._view, data)
        try:
            con.execute(f"{verb} SELECT * FROM {self._view}")
        finally:
            con.unregister(self._view)

    def write(self, data: pa.Table) -> None:
        if data.num_rows:
            self._load(data.select(self.schema.names).cast(self.schema),
                       f"INSERT INTO {self.table}")

    def finish(self) -> Any:
        return self.eng._known_table(self.table)


class SparkEngine(Engine):
    """Apache Spark in local mode; tables travel as Parquet, results come back to DuckDB."""

    name = "spark"

    def __init__(self, ws: Workspace, master: str = "local[2]"):
        from pyspark.sql import SparkSession, Window
        from pyspark.sql import functions as F

        self.ws = ws
        self.F = F
        self.Window = Window
        self.session = (
            SparkSession.builder.master(master)
            .appName("undertow")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
            .config("spark.driver.memory", "2g")
            .getOrCreate()
        )
        self.session.sparkContext.setLogLevel("ERROR")
        self._dir = Path(tempfile.mkdtemp(prefix="spark-", dir=ws.path))

    def _parquet(self, name: str, data: pa.Table) -> Any:
        # Hadoop skips files whose names start with "_" or ".": prefix every file.
        path = self._dir / f"t{name}-{uuid.uuid4().hex}.parquet"
        pq.write_table(data, path)
        return self.session.read.parquet(str(path))

    def table(self, name: str, columns: list[str] | None = None) -> Any:
        cols = ", ".join(columns) if columns else "*"
        data = self.ws.con.sql(f"SELECT {cols} FROM {name}").to_arrow_table()
        return self._parquet(name, data)

    def stage(self, name: str, data: pa.Table, materialize: bool = False) -> Any:
        return self._parquet(name, data)

    def to_arrow(self, df: Any) -> pa.Table:
        return df.toArrow()

    def insert(self, df: Any, table: str) -> int:
        data = self.to_arrow(df)
        view = f"_arrow_{uuid.uuid4().hex}"
        self.ws.con.register(view, data)
        try:
            self.ws.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
        finally:
            self.ws.con.unregister(view)
        return data.num_rows

    def drop_stage(self, name: str) -> None:
        for path in self._dir.glob(f"t{name}-*.parquet"):
            if path.is_dir():  # written by Spark: a folder of parts
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def persist(self, df: Any, name: str) -> Any:
        # Written out and read back, which cuts the plan behind it. A cached DataFrame
        # keeps its whole lineage, and detection's self-joins multiplied it until
        # Catalyst ran out of memory planning a query over a few thousand posts.
        path = self._dir / f"t{name}-{uuid.uuid4().hex}.parquet"
        df.write.parquet(str(path))
        return self.session.read.parquet(str(path))

    def writer(self, name: str, schema: pa.Schema) -> StageWriter:
        return _ParquetWriter(self, self._dir / f"t{name}-{uuid.uuid4().hex}.parquet", schema)

    def batches(self, df: Any, rows: int = 100_000) -> Iterator[pa.Table]:
        # Collected on the driver: Spark's path keeps it simple.
        for batch in self.to_arrow(df).to_batches(max_chunksize=rows):
            yield pa.Table.from_batches([batch])


class _ParquetWriter(StageWriter):
    def __init__(self, eng: SparkEngine, path: Path, schema: pa.Schema):
        self.eng, self.path, self.schema = eng, path, schema
        self._out = pq.ParquetWriter(path, schema)

    def write(self, data: pa.Table) -> None:
        if data.num_rows:
            self._out.write_table(data.select(self.schema.names).cast(self.schema))

    def finish(self) -> Any:
        self._out.close()
        return self.eng.session.read.parquet(str(self.path))


def make_engine(name: str, ws: Workspace) -> Engine:
    """The engine called ``name`` (``duckdb`` or ``spark``) over ``ws``, made once per workspace."""
    if name in ws.engines:
        return ws.engines[name]
    eng: Engine
    if name == "duckdb":
        eng = DuckDBEngine(ws)
    elif name == "spark":
        try:
            eng = SparkEngine(ws)
        except ImportError as exc:
            raise RuntimeError(
                "the Spark engine needs PySpark: pip install 'undertow[spark]'"
            ) from exc
    else:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    ws.engines[name] = eng
    return eng
