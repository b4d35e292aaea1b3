"""Ingest guarantees: nothing lost, nothing stored twice, consistent after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import rows
from undertow import Workspace, ingest
from undertow.ingest import IngestError


def write_posts(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": str(i), "user": f"u{i % 97}", "created_at": 1700000000 + i,
                                "text": f"post number {i} about the battery"}) + "\n")
    return path


def test_reingest_stores_nothing_twice(ws, tmp_path):
    f = write_posts(tmp_path / "p.jsonl", 1000)
    first = ingest(ws, [f], batch_size=300)
    second = ingest(ws, [f], batch_size=300)
    assert first.line() == "read 1000, stored 1000, duplicate 0, quarantined 0"
    assert second.line() == "read 1000, stored 0, duplicate 1000, quarantined 0"
    assert ws.count("posts") == 1000


def test_quarantine_is_not_repeated_on_reingest(ws, tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"id": "1", "user": "a", "created_at": "soon", "text": "x"}\n{oops\n',
                 encoding="utf-8")
    assert ingest(ws, [f]).quarantined == 2
    assert ingest(ws, [f]).quarantined == 2
    assert ws.count("quarantine") == 2


def test_two_posts_with_one_id_are_quarantined_not_counted_as_duplicates(ws, tmp_path):
    """A spreadsheet rounds long tweet ids to 5.40E+17: the later posts under one id
    are kept in quarantine with the line of the post that has it; an exact copy of
    a stored post is still a duplicate, and ingesting again adds nothing."""
    f = tmp_path / "export.csv"
    f.write_text("id,user,time,text\n"
                 "5.40E+17,a,2014-12-01 19:30:03,The 10 best Steve Jobs emails ever\n"
                 "5.40E+17,b,2014-12-01 19:31:00,iPhone battery dies at 40%\n"
                 "5.40E+17,a,2014-12-01 19:30:03,The 10 best Steve Jobs emails ever\n"
                 "5.40E+17,a,2014-12-01 19:45:00,Apple store queue is insane\n",
                 encoding="utf-8")
    report = ingest(ws, [f])
    assert report.line() == "read 4, stored 1, duplicate 1, quarantined 2"
    kept = rows(ws, "SELECT line, reason FROM quarantine ORDER BY line")
    assert [line for line, _ in kept] == [3, 5]
    assert kept[0][1] == (f"post id '5.40E+17' is stored already for another author ({f} "
                          "line 2); the id looks rounded by a spreadsheet")
    assert "for another text" in kept[1][1]
    assert ingest(ws, [f]).line() == "read 4, stored 0, duplicate 2, quarantined 2"
    assert (ws.count("posts"), ws.count("quarantine")) == (1, 2)


def test_records_that_share_a_line_are_each_kept_in_quarantine(ws, tmp_path):
    """A page of tweets is one line of JSON: two tweets on it that both lack a time are
    two quarantined records, as the report counts them; the same record twice on one
    line is a duplicate; ingesting again adds nothing. (On a platform other than Twitter
    an id says nothing of the time.)"""
    def tweet(id_: str, text: str, **more: str) -> dict[str, str]:
        return {"id": id_, "author_id": "42", "text": text,
                "edit_history_tweet_ids": [id_], **more}

    page = {"data": [tweet("1839640000000000001", "on time", created_at="2025-09-27T08:15:02Z"),
                     tweet("1839640000000000002", "no time here"),
                     tweet("1839640000000000003", "nor here"),
                     tweet("1839640000000000003", "nor here")],
            "meta": {"result_count": 4}}
    f = tmp_path / "search.jsonl"
    f.write_text(json.dumps(page) + "\n", encoding="utf-8")
    assert ingest(ws, [f], fmt="twitter-v2", platform="x").line() == \
        "read 4, stored 1, duplicate 1, quarantined 2"
    kept = rows(ws, "SELECT line, raw FROM quarantine ORDER BY raw")
    assert [line for line, _ in kept] == [1, 1]
    assert "no time here" in kept[0][1] and "nor here" in kept[1][1]
    assert ingest(ws, [f], fmt="twitter-v2", platform="x").line() == \
        "read 4, stored 0, duplicate 2, quarantined 2"
    assert (ws.count("posts"), ws.count("quarantine")) == (1, 2)


def test_sources_without_ids_get_stable_ids(ws, tmp_path):
    f = tmp_path / "noid.csv"
    f.write_text("user,time,text\na,2025-01-01 00:00:00,same\nb,2025-01-01 00:00:00,same\n"
                 "a,2025-01-01 00:00:00,same\n", encoding="utf-8")
    report = ingest(ws, [f])
    assert (report.stored, report.duplicate) == (2, 1)
    ids = rows(ws, "SELECT post_id FROM posts ORDER BY author_id")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(f.read_bytes())
    assert ingest(ws, [copy]).stored == 0
    assert rows(ws, "SELECT post_id FROM posts ORDER BY author_id") == ids


def test_nul_bytes_removed_and_noted_long_records_quarantined(ws, tmp_path):
    f = tmp_path / "odd.jsonl"
    big = "x" * 1_100_000
    f.write_text(
        json.dumps({"id": "1", "user": "a", "created_at": 1700000000, "text": "bad\u0000byte"})
        + "\n" + json.dumps({"id": "2", "user": "b", "created_at": 1700000000, "text": big})
        + "\n", encoding="utf-8")
    report = ingest(ws, [f])
    assert (report.stored, report.quarantined) == (1, 1)
    assert rows(ws, "SELECT text, notes FROM posts") == [("badbyte", "NUL bytes removed from text")]
    (line, reason, raw_len), = rows(ws, "SELECT line, reason, length(raw) FROM quarantine")
    assert line == 2 and reason.startswith("record too long") and raw_len > 1_000_000


def test_unreadable_and_unknown_files_are_errors(ws, tmp_path):
    with pytest.raises(IngestError, match="cannot read"):
        ingest(ws, [tmp_path / "missing.csv"])
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(2000))
    with pytest.raises(IngestError, match="cannot tell its format"):
        ingest(ws, [junk])


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from undertow import Workspace, ingest
    from undertow import engines

    calls = {"n": 0}
    real_insert = engines.DuckDBEngine.insert_new

    def insert_then_die(self, table, *args):
        added = real_insert(self, table, *args)
        if table == "posts":
            calls["n"] += 1
            if calls["n"] == 3:   # inside the third batch's transaction, before COMMIT
                os.kill(os.getpid(), signal.SIGKILL)
        return added

    engines.DuckDBEngine.insert_new = insert_then_die
    ws = Workspace.open(sys.argv[1])
    ingest(ws, [sys.argv[2]], batch_size=1000)
    """
)


def test_killed_mid_run_then_rerun_stores_every_record_once(tmp_path):
    f = write_posts(tmp_path / "p.jsonl", 5500)
    wsdir = tmp_path / "ws"
    proc = subprocess.run([sys.executable, "-c", KILLER, str(wsdir), str(f)],
                          capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    with Workspace.open(wsdir) as ws:
        assert ws.count("posts") == 2000  # two committed batches; the third rolled back
        again = ingest(ws, [f], batch_size=1000)
        assert (again.stored, again.duplicate) == (3500, 2000)
        assert ws.count("posts") == 5500
        assert rows(ws, "SELECT count(DISTINCT post_id) FROM posts") == [(5500,)]


def test_a_compressed_file_cut_short_keeps_what_came_before_the_cut(ws, tmp_path):
    """A download stopped half-way: a clear error, the records before the cut stored (the
    cut one quarantined as broken), and the complete file later adds only the rest."""
    import gzip

    whole = write_posts(tmp_path / "p.jsonl", 3000)
    packed = gzip.compress(whole.read_bytes())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(IngestError, match="ends early .*records before the cut are stored"):
        ingest(ws, [cut], batch_size=500)
    stored = ws.count("posts")
    assert 500 < stored < 3000
    assert rows(ws, "SELECT max(source_line) FROM posts") == [(stored,)]
    assert rows(ws, "SELECT line, reason LIKE 'broken JSON%' FROM quarantine") in (
        [], [(stored + 1, True)])
    full = tmp_path / "cut2.jsonl.gz"
    full.write_bytes(packed)
    report = ingest(ws, [full], batch_size=500)
    assert (report.stored, report.duplicate) == (3000 - stored, stored)
    assert rows(ws, "SELECT count(DISTINCT post_id) FROM posts") == [(3000,)]


@pytest.mark.parametrize("n", [200, 400_000])
def test_a_compressed_csv_cut_short_keeps_every_whole_line_before_the_cut(ws, tmp_path, n):
    """The CSV reader takes blocks of 8 MB: a block the cut fell in was thrown away
    whole (of 200 rows cut in half, none stored, though the error said they were)."""
    import gzip
    import zlib

    lines = ["id,user,time,text"] + [f"{i},u{i % 97},{1700000000 + i},post number {i} about "
                                     "the battery" for i in range(n)]
    packed = gzip.compress("".join(line + "\n" for line in lines).encode())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    before = zlib.decompressobj(wbits=31).decompress(cut.read_bytes())
    with pytest.raises(IngestError, match="ends early .*records before the cut are stored"):
        ingest(ws, [cut])
    whole = before.count(b"\n") - 1  # the header is the first line
    assert 0 < whole < n
    assert (ws.count("posts"), ws.count("quarantine")) == (whole, 0)
    assert rows(ws, "SELECT max(source_line) FROM posts") == [(whole + 1,)]


def test_a_compressed_file_cut_before_its_first_bytes_is_a_clear_error(ws, tmp_path):
    import gzip

    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(b"id,user,time,text\n1,a,1700000000,hi\n")[:10])
    with pytest.raises(IngestError, match="ends early .*nothing was stored"):
        ingest(ws, [cut])
    assert ws.count("posts") == 0


def test_an_unknown_encoding_is_a_clear_error(ws, tmp_path):
    f = write_posts(tmp_path / "p.jsonl", 3)
    with pytest.raises(IngestError, match="unknown encoding 'bogus'"):
        ingest(ws, [f], encoding="bogus")
    assert ws.count("posts") == 0


TWITTER_PAGE = ('{"data":[{"id":"101","author_id":"11","created_at":"2025-01-01T00:00:00.000Z",'
                '"text":"good post one"},{"id":"102","author_id":"12",'
                '"created_at":"2025-01-01T00:00:05.000Z","text":"good post two"}],'
                '"includes":{"users":[{"id":"11","username":"alice",'
                '"public_metrics":{"followers_count":10}},{"id":"12","username":"mallory",'
                '"public_metrics":{"followers_count":VALUE,"following_count":3}}]}}')


@pytest.mark.parametrize("value", ['"many"', "true", "99999999999999999999", "-1", "2.5",
                                   "{}"])
def test_a_follower_count_that_is_no_count_costs_no_post(ws, tmp_path, value):
    """One profile's odd figure (a word, a boolean, beyond a BIGINT) once failed the
    whole batch: its posts were lost with it. The account is kept without it."""
    f = tmp_path / "page.jsonl"
    f.write_text(TWITTER_PAGE.replace("VALUE", value) + "\n", encoding="utf-8")
    assert ingest(ws, [f], fmt="twitter-v2").line() == \
        "read 2, stored 2, duplicate 0, quarantined 0"
    assert rows(ws, "SELECT author_id, followers, following FROM accounts ORDER BY 1") == [
        ("11", 10, None), ("12", None, 3)]


def test_counts_out_of_range_in_weibo_and_ira_exports_cost_no_post(ws, tmp_path):
    weibo = tmp_path / "weibo.jsonl"
    weibo.write_text(json.dumps({"ok": 1, "data": {"cards": [{"mblog": {
        "id": "1", "mid": "1", "created_at": "Mon Mar 24 10:00:00 +0800 2025", "text": "hello",
        "user": {"id": "u", "followers_count": "1e30", "statuses_count": "12.3万"}}}]}}) + "\n",
        encoding="utf-8")
    ira = tmp_path / "ira.csv"
    ira.write_text("author,content,publish_date,followers,following\n"
                   "bob,hello there,1/2/2017 10:00,inf,12\n", encoding="utf-8")
    assert ingest(ws, [weibo], fmt="weibo").line() == \
        "read 1, stored 1, duplicate 0, quarantined 0"
    assert ingest(ws, [ira], fmt="ira").line() == "read 1, stored 1, duplicate 0, quarantined 0"
    assert rows(ws, "SELECT author_id, followers, following, posts_count FROM accounts "
                    "ORDER BY 1") == [("bob", None, 12, None), ("u", None, None, 123_000)]
