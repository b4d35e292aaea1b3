"""The workspace file: what opening it sets up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_queries_draw_no_progress_bar(tmp_path: Path) -> None:
    # DuckDB's Python client turns its stderr progress bar on for a process like the
    # CLI (not inside pytest, so this runs in a child process): every query over two
    # seconds then drew one into Undertow's output and logs.
    script = ("import sys; from undertow.workspace import Workspace; "
              "ws = Workspace.open(sys.argv[1]); "
              "print(ws.con.execute(\"SELECT current_setting('enable_progress_bar')\")"
              ".fetchall()[0][0])")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "ws")],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"



def test_working_memory_caps_duckdb_and_gives_back_what_was_set(tmp_path: Path) -> None:
    import doctest

    import pytest

    from undertow import workspace
    from undertow.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws")

    def limit() -> str:
        return str(ws.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

    ws.con.execute("SET memory_limit = '3GB'")
    before = limit()
    with ws.working_memory("256MB"):
        assert limit() == "244.1 MiB"
    assert limit() == before
    with pytest.raises(RuntimeError), ws.working_memory("128MB"):
        raise RuntimeError("analysis failed")
    assert limit() == before
    with pytest.raises(ValueError, match="not a size"), ws.working_memory("2 gigs"):
        raise AssertionError("the block ran under a size DuckDB cannot read")
    ws.close()
    assert doctest.testmod(workspace).failed == 0
