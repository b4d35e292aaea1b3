"""The workspace: one directory holding the DuckDB file every analysis reads.

Example:
    >>> ws = Workspace.open("/tmp/undertow-doctest")
    >>> ws.count("posts") >= 0
    True
    >>> ws.close()
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import duckdb

from undertow.schema import ACCOUNTS, POSTS, QUARANTINE, create_sql

if TYPE_CHECKING:
    from undertow.engines import Engine

DEFAULT_DIR = "undertow-data"
DB_FILE = "undertow.duckdb"
#: DuckDB memory sizes: a number and a unit (``512MB``, ``2GiB``, ``1.5GB``).
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def check_memory_limit(limit: str) -> str:
    """``limit`` if it is a memory size DuckDB understands (``2GB``, ``512MiB``), else
    ``ValueError``."""
    if not _MEMORY.match(limit):
        raise ValueError(f"memory limit {limit!r} is not a size such as 2GB or 512MiB")
    return limit.strip()


def default_path() -> Path:
    """``$UNDERTOW_WORKSPACE`` or ``./undertow-data``."""
    return Path(os.environ.get("UNDERTOW_WORKSPACE") or DEFAULT_DIR)


def _unrounded(shown: str) -> str:
    """A memory size that DuckDB shows as ``shown``: it shows sizes cut to one decimal
    ("2.7 GiB" for 3GB), so setting what it showed would lower the limit a little each time.

    >>> _unrounded("2.7 GiB"), _unrounded("100 bytes")
    ('2.75GiB', '100B')
    """
    number, unit = shown.split()
    if unit.lower() in ("b", "bytes"):
        return f"{number}B"
    return f"{float(number) + 0.05:.2f}{unit}"


class Workspace:
    """A directory with ``undertow.duckdb`` (tables ``posts``, ``accounts``, ``quarantine``)."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection):
        self.path = path
        self.con = con
        #: Engines made over this workspace (see :func:`undertow.engines.make_engine`).
        self.engines: dict[str, Engine] = {}
        #: Inside :meth:`transaction` (DuckDB then writes no second database).
        self.in_transaction = False

    @classmethod
    def open(cls, path: str | Path | None = None, read_only: bool = False,
             create: bool = True) -> Workspace:
        """Open the workspace at ``path``, creating it if needed unless ``create`` is false
        (or ``read_only``): then a missing one raises :class:`FileNotFoundError`."""
        where = Path(path) if path is not None else default_path()
        if (read_only or not create) and not (where / DB_FILE).exists():
            raise FileNotFoundError(f"no workspace at {where} (run `undertow ingest` first)")
        where.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(where / DB_FILE), read_only=read_only)
        # DuckDB's Python client draws a progress bar on stderr for any query that
        # runs over two seconds: across a long detection it filled logs with hundreds
        # of bars and broke up Undertow's own output. (Cursors never had it.)
        con.execute("SET enable_progress_bar = false")
        ws = cls(where, con)
        if not read_only:
            ws._create()
        return ws

    def _create(self) -> None:
        self.con.execute(create_sql("posts", POSTS))
        self.con.execute(create_sql("accounts", ACCOUNTS))
        self.con.execute(create_sql("quarantine", QUARANTINE))
        # Working views and tables of a run that was killed (names start with "_").
        for name, kind in self.con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE starts_with(table_name, '_')"
        ).fetchall():
            self.con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} \"{name}\"")

    def count(self, table: str) -> int:
        """Rows in ``table`` (one of the workspace's tables)."""
        if table not in ("posts", "accounts", "quarantine"):
            raise ValueError(f"unknown table {table!r}")
        row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """``BEGIN`` … ``COMMIT``, rolled back if anything raises (a kill leaves nothing)."""
        self.con.execute("BEGIN TRANSACTION")
        self.in_transaction = True
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self.in_transaction = False
        self.con.execute("COMMIT")

    @contextmanager
    def working_memory(self, limit: str | None = None) -> Iterator[None]:
        """Run the block with DuckDB's memory capped at ``limit`` (``2GB``; ``None``:
        DuckDB's default, 80% of RAM): large joins and sorts then spill to the temporary
        directory instead of growing. Restored afterwards.

        >>> ws = Workspace.open("/tmp/undertow-doctest")
        >>> with ws.working_memory("512MB"):
        ...     ws.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        '488.2 MiB'
        >>> ws.close()
        """
        # Insertion order is never relied on (every result that is shown is sorted);
        # keeping it would make DuckDB buffer large intermediate results.
        con = self.con
        old = con.execute("SELECT current_setting('memory_limit'), "
                          "current_setting('preserve_insertion_order')").fetchall()[0]
        if limit is not None:
            con.execute(f"SET memory_limit = '{check_memory_limit(limit)}'")
        con.execute("SET preserve_insertion_order = false")
        try:
            yield
        finally:
            # Back to the default exactly where it was the default, else to what it
            # showed, which is rounded down ("2.7 GiB" for 3GB).
            con.execute("RESET memory_limit")
            now = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
            if now != old[0]:
                con.execute(f"SET memory_limit = '{_unrounded(str(old[0]))}'")
            con.execute(f"SET preserve_insertion_order = {str(old[1]).lower()}")

    def close(self) -> None:
        """Close the database file."""
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
