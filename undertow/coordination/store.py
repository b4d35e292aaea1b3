"""Detection results kept in the workspace, for later analyses (opinion without
campaign accounts, spikes labelled organic or coordinated)."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from undertow.workspace import Workspace

ACCOUNTS_SCHEMA = pa.schema([("account_id", pa.string()), ("platform", pa.string()),
                             ("campaign_id", pa.string()), ("score", pa.float64()),
                             ("top_signal", pa.string())])
CAMPAIGNS_SCHEMA = pa.schema([("campaign_id", pa.string()), ("kind", pa.string()),
                              ("size", pa.int64()), ("p_chance", pa.float64()),
                              ("confidence", pa.float64()), ("evidence", pa.string())])
EDGES_SCHEMA = pa.schema([("source", pa.string()), ("source_platform", pa.string()),
                          ("target", pa.string()), ("target_platform", pa.string()),
                          ("weight", pa.float64()), ("signals", pa.string()),
                          ("first_ts", pa.string()), ("last_ts", pa.string()),
                          ("p_value", pa.float64())])


def _table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows],
                                schema=schema)


def save(ws: Workspace, accounts: list[dict[str, Any]], campaigns: list[dict[str, Any]],
         edges: list[dict[str, Any]]) -> None:
    """Replace ``campaign_accounts``, ``campaigns`` and ``coordination_edges`` in one
    transaction."""
    camp_rows = [{**c, "evidence": json.dumps(c, ensure_ascii=False, default=str)}
                 for c in campaigns]
    tables = {"campaign_accounts": _table(accounts, ACCOUNTS_SCHEMA),
              "campaigns": _table(camp_rows, CAMPAIGNS_SCHEMA),
              "coordination_edges": _table(edges, EDGES_SCHEMA)}
    with ws.transaction() as con:
        for name, data in tables.items():
            view = f"_new_{name}"
            con.register(view, data)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {view}")
            con.unregister(view)
