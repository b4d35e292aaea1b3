"""The block reader gives exactly what the record-by-record reader gives."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from undertow.adapters import csvblocks, generic
from undertow.adapters.generic import read_delimited
from undertow.ingest import Batch
from undertow.records import Account, Chunk, ReadOptions, Rejected, Source
from undertow.simulate import simulate

HEADER = b"id,user,time,text,lang\n"
GOOD = [
    b'1,ann,2025-01-01T00:00:00Z,"quoted, with comma",en\n',
    b'2,bo,2025-01-01T00:00:01Z,"two\nlines and ""quotes""",en\n',
    b"3,cy,2025-01-01T00:00:02Z,crlf line #tag @you,en\r\n",
    b"\n",
    b"4, dee ,2025-01-01T00:00:03Z,  spaced  , EN \n",
    b"5,ed,2025-01-01T00:00:04Z,\xe5\xb0\x8f\xe7\xb1\xb3 https://mi.com/a?utm_source=x,zh\n",
]
BAD = {
    "wrong width": b"6,fi,2025-01-01T00:00:05Z,too,many,columns\n",
    "bad encoding": b"7,gu,2025-01-01T00:00:06Z,caf\xe9,fr\n",
    "stray quote": b'8,ha,2025-01-01T00:00:07Z,a 5" screen,en\n',
    "unclosed quote": b'8,ha,2025-01-01T00:00:07Z,"I said hi,en\n',
    "text after a closing quote": b'8,ha,2025-01-01T00:00:07Z,"a 5" screen,en\n',
    "lone CR": b"8,ha,2025-01-01T00:00:07Z,a\rb,en\n",
    "lone CR first": b"\r8,ha,2025-01-01T00:00:07Z,ab,en\n",
    "empty quoted field alone": b'""\n',
    "whitespace line": b"   \n",
    "bad time": b"9,io,yesterday,x,en\n",
    "no author": b"10,,2025-01-01T00:00:08Z,x,en\n",
}


def _outcome(items) -> tuple[list[dict], list[dict]]:
    batch = Batch(Source.__new__(Source), "generic", "csv", UTC)
    batch.source.name = "f.csv"
    for item in items:
        if isinstance(item, Chunk):
            batch.add_chunk(item)
        elif isinstance(item, Rejected):
            batch.rejected.append(item)
        elif not isinstance(item, Account):
            batch.add_post(item)
    posts, _, quarantine = batch.tables()
    return posts.to_pylist(), quarantine.to_pylist()


def _both(path: Path) -> tuple[tuple[list[dict], list[dict]], tuple[list[dict], list[dict]]]:
    options = ReadOptions()
    blocks = _outcome(csvblocks.read(Source(path), options, ","))
    careful = _outcome(read_delimited(Source(path), options, ",", blocks=False))
    return blocks, careful


@pytest.mark.parametrize("bad", [None, *BAD])
@pytest.mark.parametrize("block_bytes", [40, 1 << 20])
def test_same_posts_and_quarantine_as_the_careful_reader(tmp_path, monkeypatch, bad,
                                                          block_bytes):
    monkeypatch.setattr(csvblocks, "BLOCK_BYTES", block_bytes)
    body = GOOD[:3] + ([BAD[bad]] if bad else []) + GOOD[3:] + GOOD[:2]
    path = tmp_path / "posts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER + b"".join(body))
    blocks, careful = _both(path)
    assert blocks == careful
    if bad is None:  # a clean file is read in blocks, not record by record
        assert all(isinstance(i, Chunk) for i in csvblocks.read(Source(path), ReadOptions(), ","))
    posts, quarantine = blocks
    # A quote inside an unquoted field is text (the careful reader's rule too).
    assert len(posts) == 7 + (bad == "stray quote")
    if bad in ("wrong width", "bad encoding", "bad time", "no author", "unclosed quote",
               "text after a closing quote", "lone CR", "lone CR first",
               "empty quoted field alone"):
        assert [q["line"] for q in quarantine] == [6]


def test_last_record_without_line_end_and_lines_counted_through_quoted_newlines(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_bytes(HEADER + GOOD[1] + b"11,jo,2025-01-02T00:00:00Z,last,en")
    blocks, careful = _both(path)
    assert blocks == careful
    assert [(p["post_id"], p["source_line"], p["raw"]) for p in blocks[0]] == [
        ("2", 2, '2,bo,2025-01-01T00:00:01Z,"two\nlines and ""quotes""",en'),
        ("11", 4, "11,jo,2025-01-02T00:00:00Z,last,en")]


def test_simulated_stream_read_in_many_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(csvblocks, "BLOCK_BYTES", 4096)
    path = tmp_path / "sim.csv"
    sim = simulate(2000, seed=3)
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["post_id", "author_id", "created_at", "text", "urls"])
        for p in sim.iter_posts():
            w.writerow([p["post_id"], p["author_id"], p["created_at"], p["text"],
                        " ".join(p.get("urls") or [])])
    blocks, careful = _both(path)
    assert blocks == careful
    assert len(blocks[0]) == 2000 and not blocks[1]
    items = list(csvblocks.read(Source(path), ReadOptions(), ","))
    assert len(items) > 10 and all(isinstance(i, Chunk) for i in items)


@pytest.mark.parametrize("block_bytes", [40, 1 << 20])
def test_quoted_field_over_the_line_limit_read_alike(tmp_path, monkeypatch, block_bytes):
    monkeypatch.setattr(csvblocks, "BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(generic, "MAX_RECORD_LINES", 3)
    path = tmp_path / "posts.csv"
    path.write_bytes(HEADER + GOOD[0] + b'8,ha,2025-01-01T00:00:07Z,"a\nb\nc\nd",en\n'
                     + b"".join(GOOD))
    blocks, careful = _both(path)
    assert blocks == careful
    posts, quarantine = blocks
    assert [(q["line"], q["reason"][:14]) for q in quarantine] == [
        (3, "unclosed quote"), (4, "expected 5 col"), (5, "expected 5 col"),
        (6, "expected 5 col")]
    assert len(posts) == 6


@pytest.mark.parametrize("block_bytes", [40, 1 << 20])
def test_tsv_quotes_read_alike(tmp_path, monkeypatch, block_bytes):
    monkeypatch.setattr(csvblocks, "BLOCK_BYTES", block_bytes)
    path = tmp_path / "posts.tsv"
    path.write_bytes(b"id\tuser\ttime\ttext\n"
                     b'1\tann\t2025-01-01T00:00:00Z\t"two\nlines, ""quoted"""\n'
                     b'2\tbo\t2025-01-01T00:00:01Z\t"Best phone ever" says my dad\n'
                     b'3\tcy\t2025-01-01T00:00:02Z\t"open quote\n'
                     b"4\tdi\t2025-01-01T00:00:03Z\tplain\n")
    blocks = _outcome(csvblocks.read(Source(path), ReadOptions(), "\t"))
    careful = _outcome(read_delimited(Source(path), ReadOptions(), "\t", blocks=False))
    assert blocks == careful
    assert [p["text"] for p in blocks[0]] == [
        'two\nlines, "quoted"', '"Best phone ever" says my dad', '"open quote', "plain"]
