"""Account ids: the platform always comes back whole, whatever its name holds."""

from __future__ import annotations

import doctest

import duckdb
import pyarrow as pa

from undertow.coordination import accountids
from undertow.coordination.accountids import account_ids, account_sql, split_account

PLATFORMS = ["weibo", "mastodon:social", "100%", "%3A", ":", "%", "a%3Ab", "%25:%", ""]
AUTHORS = ["7", "urn:li:person:7", ":", "%3A", ""]


def test_module_examples() -> None:
    assert doctest.testmod(accountids).failed == 0


def test_every_platform_and_author_comes_back() -> None:
    pairs = [(p, a) for p in PLATFORMS for a in AUTHORS]
    ids = account_ids(pa.array([p for p, _ in pairs]), pa.array([a for _, a in pairs]))
    assert [split_account(i) for i in ids.to_pylist()] == pairs
    assert len(set(ids.to_pylist())) == len(pairs)


def test_sql_makes_the_same_ids_as_arrow() -> None:
    pairs = pa.table({"platform": [p for p in PLATFORMS for _ in AUTHORS],
                      "author_id": [a for _ in PLATFORMS for a in AUTHORS]})
    con = duckdb.connect()
    con.register("pairs", pairs)
    rows = con.execute(f"SELECT {account_sql('pairs')} FROM pairs").fetchall()
    assert [r[0] for r in rows] == account_ids(pairs["platform"], pairs["author_id"]).to_pylist()
