"""A first look at a workspace: how many posts, from where, in which languages.

Example:
    >>> from undertow.workspace import Workspace
    >>> ws = Workspace.open("/tmp/undertow-doctest-summary")
    >>> summarize(ws)["overview"]["posts"]
    0
    >>> ws.close()
"""

from __future__ import annotations

from typing import Any

from undertow import relational
from undertow.engines import Engine, make_engine
from undertow.workspace import Workspace


def _rows(eng: Engine, df: Any) -> list[dict[str, Any]]:
    return eng.to_arrow(df).to_pylist()


def summarize(ws: Workspace, engine: str | Engine = "duckdb", top: int = 10) -> dict[str, Any]:
    """Overview, posts per platform and language, top hashtags, quarantine reasons."""
    eng = make_engine(engine, ws) if isinstance(engine, str) else engine
    posts = eng.table("posts", ["platform", "author_id", "created_at", "lang", "hashtags"])
    overview = _rows(eng, relational.overview(eng, posts))[0]
    return {
        "overview": overview,
        "platforms": _rows(eng, relational.counts_by(eng, posts, "platform", top)),
        "languages": _rows(eng, relational.counts_by(eng, posts, "lang", top)),
        "hashtags": _rows(eng, relational.top_hashtags(eng, posts, top)),
        "quarantine": _rows(
            eng, relational.counts_by(eng, eng.table("quarantine", ["reason"]), "reason", top,
                                 "records")
        ),
    }
