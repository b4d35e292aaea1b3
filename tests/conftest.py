"""Shared fixtures: the real data sets beside the project, and fresh workspaces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from undertow.workspace import Workspace

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared(relative: str) -> Path:
    """A file under ../shared/data; the test fails (not skips) if it is missing."""
    path = SHARED / relative
    assert path.exists(), f"missing shared data set {path}"
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path / "ws")
    yield workspace
    workspace.close()


def write(path: Path, *lines: str) -> Path:
    """A text file of ``lines``, one per line (UTF-8)."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def row(ws: Workspace, post_id: str, cols: str) -> tuple[Any, ...]:
    """Columns ``cols`` of the post ``post_id`` (which must exist)."""
    found = ws.con.execute(f"select {cols} from posts where post_id = ?", [post_id]).fetchone()
    assert found is not None, post_id
    return found


def rows(ws: Workspace, sql: str, *params: object) -> list[tuple]:
    return ws.con.execute(sql, list(params)).fetchall()
