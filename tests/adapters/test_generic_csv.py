"""Delimited files whose quotes, BOM or line ends are off: every row is read or
quarantined with its line, none is swallowed by another."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import rows
from undertow import ingest
from undertow.adapters import generic

HEADER = "id,user,time,text"


def _rows(n: int) -> list[str]:
    """``n`` data rows, row ``i`` on line ``i + 1``."""
    return [f"{i},u{i},2025-01-01T00:00:{i % 60:02d}Z,row {i}" for i in range(1, n + 1)]


def _file(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.write_bytes("".join(line + end for line in lines).encode("utf-8"))
    return path


def _quarantine(ws) -> list[tuple[int, str, str]]:
    return rows(ws, "SELECT line, reason, raw FROM quarantine ORDER BY line")


def test_unclosed_quote_running_to_the_end_is_quarantined_and_later_rows_read(ws, tmp_path):
    body = _rows(1000)
    body[9] = '10,u10,2025-01-01T00:00:10Z,"I said hi'
    report = ingest(ws, [_file(tmp_path / "u.csv", [HEADER, *body])])
    assert (report.read, report.stored, report.quarantined) == (1000, 999, 1)
    [(line, reason, raw)] = _quarantine(ws)
    assert (line, raw) == (11, '10,u10,2025-01-01T00:00:10Z,"I said hi')
    assert reason.startswith("unclosed quote") and "end of the file" in reason
    assert rows(ws, "SELECT text, source_line FROM posts WHERE post_id = '11'") == [
        ("row 11", 12)]
    assert rows(ws, "SELECT max(length(text)) FROM posts") == [(8,)]


@pytest.mark.parametrize("later", ['15,u15,2025-01-01T00:00:15Z,"quoted, text"',
                                   '15,u15,2025-01-01T00:00:15Z,a 12" screen'])
def test_unclosed_quote_does_not_swallow_rows_up_to_the_next_quote(ws, tmp_path, later):
    body = _rows(50_000)
    body[9] = '10,u10,2025-01-01T00:00:10Z,"I said hi'
    body[14] = later
    report = ingest(ws, [_file(tmp_path / "big.csv", [HEADER, *body])])
    assert (report.read, report.stored, report.quarantined) == (50_000, 49_999, 1)
    assert [(line, reason[:14]) for line, reason, _ in _quarantine(ws)] == [
        (11, "unclosed quote")]
    assert rows(ws, "SELECT source_line FROM posts WHERE post_id IN ('11', '15', '50000') "
                    "ORDER BY source_line") == [(12,), (16,), (50_001,)]


def test_quoted_field_running_on_past_the_line_limit_is_an_unclosed_quote(ws, tmp_path):
    poem = "\n".join(f"verse {i}" for i in range(200))  # a long quoted field is fine
    body = [*_rows(generic.MAX_RECORD_LINES + 500), f'0,poet,2025-01-01T00:00:00Z,"{poem}"']
    body[1] = '2,u2,2025-01-01T00:00:02Z,"open'
    report = ingest(ws, [_file(tmp_path / "long.csv", [HEADER, *body])])
    assert (report.read, report.quarantined) == (len(body), 1)
    [(line, reason, _)] = _quarantine(ws)
    assert line == 3 and reason == (f"unclosed quote: the quoted field runs on past "
                                    f"{generic.MAX_RECORD_LINES} lines")
    assert rows(ws, "SELECT text FROM posts WHERE post_id = '0'") == [(poem,)]
    assert rows(ws, "SELECT source_line FROM posts WHERE post_id = '3'") == [(4,)]


def test_csv_text_after_a_closing_quote_is_quarantined_not_stripped_of_its_quotes(ws,
                                                                                   tmp_path):
    f = _file(tmp_path / "q.csv", [HEADER, '1,ann,2025-01-01T00:00:00Z,"Best phone" says dad',
                                   "2,bo,2025-01-01T00:00:01Z,fine"])
    report = ingest(ws, [f])
    assert (report.read, report.stored, report.quarantined) == (2, 1, 1)
    [(line, reason, raw)] = _quarantine(ws)
    assert (line, raw) == (2, '1,ann,2025-01-01T00:00:00Z,"Best phone" says dad')
    assert "closing quote" in reason


def test_tsv_quotes_that_do_not_pair_up_are_text(ws, tmp_path):
    """In TSV a leading quote is ordinary text; only a whole quoted field (as
    csv.excel_tab and pandas write one) is unquoted."""
    f = _file(tmp_path / "q.tsv", [
        "id\tuser\ttime\ttext",
        '1\tann\t2025-01-01T00:00:00Z\t"Best phone ever" says my dad',
        '2\tbo\t2025-01-01T00:00:00Z\t"open quote never closed',
        "3\tcy\t2025-01-01T00:00:00Z\tnormal",
        '"4"\tdi\t2025-01-01T00:00:00Z\t"a 5"" screen" and "more'])
    written = ['"Best phone ever" says my dad', "two\nlines", "a\ttab", 'ends in 5"', "plain"]
    with f.open("a", newline="", encoding="utf-8") as out:
        w = csv.writer(out, dialect=csv.excel_tab)
        for i, text in enumerate(written, 5):
            w.writerow([str(i), f"u{i}", "2025-01-01T00:00:00Z", text])
    report = ingest(ws, [f])
    assert (report.read, report.stored, report.quarantined) == (9, 9, 0)
    assert rows(ws, "SELECT text, source_line FROM posts ORDER BY post_id") == [
        ('"Best phone ever" says my dad', 2), ('"open quote never closed', 3), ("normal", 4),
        ('"a 5"" screen" and "more', 5), *zip(written, [6, 7, 9, 10, 11], strict=True)]


@pytest.mark.parametrize("fmt,header,row,post_id", [
    ("youtube", '"COMMENT_ID","AUTHOR","DATE","CONTENT"', '"c1","ann","2025-01-01T00:00:00","hi"',
     "c1"),
    ("coortweet", '"account_id","content_id","object_id","timestamp_share"',
     '"ann","c1","o1","1700000000"', "c1|o1"),
])
def test_bom_and_quoted_header(ws, tmp_path, fmt, header, row, post_id):
    """As R's write.csv and Excel write them."""
    f = tmp_path / "export.csv"
    f.write_bytes(b"\xef\xbb\xbf" + f"{header}\n{row}\n".encode())
    report = ingest(ws, [f])
    assert report.files[0]["format"] == fmt and report.stored == 1
    assert rows(ws, "SELECT post_id, author_id FROM posts") == [(post_id, "ann")]


def test_lone_cr_in_a_quoted_field_does_not_shift_line_numbers(ws, tmp_path):
    f = tmp_path / "Youtube01.csv"
    f.write_bytes(b"COMMENT_ID,AUTHOR,DATE,CONTENT\n"
                  b'c1,ann,2025-01-01T00:00:00,"a\rb"\n'
                  b"c2,bo,not a time,x\n"
                  b'c3,cy,2025-01-01T00:00:00,"two\r\nlines"\n'
                  b"c4,di,2025-01-01T00:00:00,too,many\n")
    report = ingest(ws, [f])
    assert report.stored == 2
    assert [line for line, _, _ in _quarantine(ws)] == [3, 6]
    assert rows(ws, "SELECT post_id, source_line, text FROM posts ORDER BY post_id") == [
        ("c1", 2, "a\rb"), ("c3", 4, "two\r\nlines")]


def test_lone_cr_lines_counted_after_the_block_reader_hands_over(ws, tmp_path):
    f = tmp_path / "posts.csv"
    f.write_bytes(b"id,user,time,text\n"
                  b"1,ann,2025-01-01T00:00:00Z,caf\xe9\n"  # not UTF-8: read record by record
                  b'2,bo,2025-01-01T00:00:00Z,"a\rb"\n'
                  b"3,cy,2025-01-01T00:00:00Z,too,many\n")
    ingest(ws, [f])
    assert [line for line, _, _ in _quarantine(ws)] == [2, 4]
    assert rows(ws, "SELECT source_line FROM posts") == [(3,)]


@pytest.mark.parametrize("name,sep", [("cr.csv", ","), ("cr.tsv", "\t")])
def test_lone_cr_outside_quotes_truncates_no_text(ws, tmp_path, name, sep):
    """In a file of LF lines a CR alone ends no line: CSV quarantines the record
    (CR must be quoted there), TSV keeps it as text."""
    f = _file(tmp_path / name, [HEADER.replace(",", sep),
                                sep.join(["1", "ann", "2025-01-01T00:00:00Z", "hello\rworld"]),
                                sep.join(["2", "bo", "2025-01-01T00:00:01Z", "next"])])
    report = ingest(ws, [f])
    assert report.read == 2
    got = rows(ws, "SELECT post_id, text, source_line FROM posts ORDER BY post_id")
    if sep == ",":
        assert got == [("2", "next", 3)]
        assert _quarantine(ws) == [(2, "a carriage return (CR) alone in a field that is not "
                                       "quoted", "1,ann,2025-01-01T00:00:00Z,hello\rworld")]
    else:
        assert got == [("1", "hello\rworld", 2), ("2", "next", 3)]


@pytest.mark.parametrize("fmt", ["auto", "csv"])
def test_old_mac_line_ends(ws, tmp_path, fmt):
    f = _file(tmp_path / "mac.csv", [HEADER, *_rows(3)[:2], '3,cy,2025-01-01T00:00:03Z,"a\rb"',
                                     "4,di,bad time,x"], end="\r")
    report = ingest(ws, [f], fmt=fmt)
    assert (report.read, report.stored, report.quarantined) == (4, 3, 1)
    assert rows(ws, "SELECT post_id, source_line FROM posts ORDER BY post_id") == [
        ("1", 2), ("2", 3), ("3", 4)]
    assert [line for line, _, _ in _quarantine(ws)] == [6]  # a CR is a line end here


@pytest.mark.parametrize("fmt,header,row", [
    ("youtube", "COMMENT_ID,AUTHOR,DATE,CONTENT", "c1,ann,2025-01-01T00:00:00,hi"),
    ("cnt", "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls",
     "10,1,ann,,,hi,1700000000,"),
    ("coortweet", "account_id,content_id,object_id,timestamp_share", "ann,c1,o1,1700000000"),
    ("ira", "author,content,publish_date", "ann,hi,10/1/2017 19:58"),
])
def test_old_mac_line_ends_in_every_csv_format(ws, tmp_path, fmt, header, row):
    f = _file(tmp_path / "mac.csv", [header, row], end="\r")
    assert ingest(ws, [f], fmt=fmt).stored == 1
    assert ingest(ws, [f]).files[0]["format"] == fmt  # recognised as well


@pytest.mark.parametrize(("name", "sep", "bad"), [
    ("ragged.csv", ",", b'3,u3,2025-01-01T00:00:03Z,caf\xe9,extra'),
    ("quote.csv", ",", b'3,u3,2025-01-01T00:00:03Z,"caf\xe9'),
    ("ragged.tsv", "\t", b'3\tu3\t2025-01-01T00:00:03Z\tcaf\xe9\textra')])
@pytest.mark.parametrize("n", [5, 50_000])
def test_a_row_neither_split_nor_decoded_is_quarantined_and_the_rest_stored(
        ws, tmp_path, name, sep, bad, n):
    """A row that cannot be split and holds a byte its encoding cannot read once
    stopped the whole file: its batch and every later one were lost."""
    lines = [line.replace(",", sep).encode("utf-8") for line in [HEADER, *_rows(n)]]
    lines[3] = bad
    path = tmp_path / name
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    report = ingest(ws, [path])
    assert (report.read, report.stored, report.quarantined) == (n, n - 1, 1)
    [(line, reason, raw)] = _quarantine(ws)
    assert line == 4 and reason.endswith("; bad encoding (not valid utf-8)")
    assert raw == bad.decode("utf-8", "replace").replace("\ufffd", "?")
