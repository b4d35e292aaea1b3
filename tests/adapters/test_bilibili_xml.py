"""Bilibili danmaku XML through the public ingest API."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from undertow import Workspace, ingest
from undertow.adapters import FORMATS
from undertow.ingest import IngestError

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          "<i>\n"
          "  <chatserver>chat.bilibili.com</chatserver>\n"
          "  <chatid>1176840</chatid>\n"
          "  <mission>0</mission>\n"
          "  <maxlimit>3000</maxlimit>\n"
          "  <state>0</state>\n"
          "  <real_name>0</real_name>\n"
          "  <source>k-v</source>\n")
GOOD = [  # lines 10, 11, 12
    '  <d p="13.21500,1,25,16777215,1727402400,0,6c1a4d3f,1487654321098752">前方高能</d>\n',
    '  <d p="13.90000,1,25,16777215,1727402401,0,6c1a4d3f,1487654321098753">前方高能 &amp; '
    "泪目</d>\n",
    '  <d p="66.10000,5,25,16711680,1727402466,0,a1b2c3d4,1487654321098799,11">UP主加油</d>\n',
]
BAD = [  # lines 13, 14
    '  <d p="70.00000,1,25,16777215,1727402470,0,a1b2c3d4">少了一个字段</d>\n',
    '  <d p="71.00000,1,25,16777215,昨天,0,a1b2c3d4,1487654321098800">时间不对</d>\n',
]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def posts(ws: Workspace, cols: str) -> list[tuple[Any, ...]]:
    return ws.con.execute(f"select {cols} from posts order by post_id").fetchall()


def test_registered() -> None:
    assert "bilibili-xml" in FORMATS
    assert FORMATS["bilibili-xml"].platform == "bilibili"


def test_danmaku_fields_and_rejected_lines(tmp_path: Path) -> None:
    src = write(tmp_path / "1176840.xml", HEADER + "".join(GOOD + BAD) + "</i>\n")
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="bilibili-xml")
    assert (r.stored, r.quarantined) == (3, 2)
    assert posts(ws, "platform, post_id, author_id, created_at, text, thread_id, source_line") \
        == [
        ("bilibili", "1487654321098752", "6c1a4d3f", datetime(2024, 9, 27, 2, 0, 0), "前方高能",
         "1176840", 10),
        ("bilibili", "1487654321098753", "6c1a4d3f", datetime(2024, 9, 27, 2, 0, 1),
         "前方高能 & 泪目", "1176840", 11),
        ("bilibili", "1487654321098799", "a1b2c3d4", datetime(2024, 9, 27, 2, 1, 6), "UP主加油",
         "1176840", 12),
    ]
    raw = posts(ws, "raw")[1][0]
    assert raw == ('<d p="13.90000,1,25,16777215,1727402401,0,6c1a4d3f,1487654321098753">'
                   "前方高能 &amp; 泪目</d>")
    assert ws.con.execute("select line, reason from quarantine order by line").fetchall() == [
        (13, "danmaku #4: p has 7 fields, expected 8"),
        (14, "danmaku #5: timestamp '昨天' is not a number"),
    ]


def test_one_line_gzipped_file_auto_detected(tmp_path: Path) -> None:
    one_line = (HEADER + "".join(GOOD) + "</i>").replace("\n", "")
    src = tmp_path / "1176840.xml.gz"
    src.write_bytes(gzip.compress(one_line.encode("utf-8")))
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="auto")
    assert r.files[0]["format"] == "bilibili-xml"
    assert r.stored == 3
    assert posts(ws, "source_line, thread_id") == [(1, "1176840")] * 3


def test_thread_falls_back_to_file_stem(tmp_path: Path) -> None:
    src = write(tmp_path / "25123456.xml",
                "<i><chatserver>chat.bilibili.com</chatserver>\n" + GOOD[0] + "</i>")
    ws = Workspace.open(tmp_path / "ws")
    ingest(ws, [src], fmt="bilibili-xml")
    assert posts(ws, "thread_id") == [("25123456",)]


def test_truncated_file_keeps_what_was_read(tmp_path: Path) -> None:
    text = HEADER + "".join(GOOD) + GOOD[0][:40]
    src = write(tmp_path / "1176840.xml", text)
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="bilibili-xml")
    assert (r.stored, r.quarantined) == (3, 1)
    rows = ws.con.execute("select line, reason, raw from quarantine").fetchall()
    assert len(rows) == 1
    line, reason, raw = rows[0]
    assert line == 13
    assert reason == "broken XML, not a danmaku element"
    assert raw == GOOD[0][:40].strip()


@pytest.mark.parametrize("one_line", [False, True])
def test_one_broken_danmaku_costs_itself_not_the_rest_of_the_file(tmp_path: Path,
                                                                   one_line: bool) -> None:
    """An unescaped ``&`` stopped the parser: the danmaku after it were neither stored nor
    counted. Now the broken one is quarantined at its line and every later one read."""
    broken = ('  <d p="13.50000,1,25,16777215,1727402400,0,6c1a4d3f,1487654321098760">'
              "A & B 高能</d>\n")
    later = [f'  <d p="{20 + i}.0,1,25,16777215,{1727402500 + i},0,u{i % 7},'
             f'{1487654321099000 + i}">第{i}条</d>\n' for i in range(5000)]
    text = HEADER + GOOD[0] + broken + GOOD[1] + BAD[0] + "".join(later) + "</i>\n"
    if one_line:
        text = text.replace("\n", "")
    src = write(tmp_path / "1176840.xml", text)
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="bilibili-xml")
    assert (r.read, r.stored, r.quarantined) == (5004, 5002, 2)
    first = 1 if one_line else 10
    assert ws.con.execute("select line, reason, raw from quarantine order by line, reason"
                          ).fetchall() == [
        (first + (0 if one_line else 1),
         "danmaku #2: broken XML (not well-formed (invalid token))",
         broken.strip()),
        (first + (0 if one_line else 3), "danmaku #4: p has 7 fields, expected 8",
         '<d p="70.00000,1,25,16777215,1727402470,0,a1b2c3d4">少了一个字段</d>')]
    assert ws.con.execute("select count(*), max(source_line), count(distinct thread_id) "
                          "from posts").fetchall() == [(5002, first if one_line else first + 5003,
                                                        1)]
    assert (ingest(ws, [src], fmt="bilibili-xml").stored, ws.count("quarantine")) == (0, 2)


def test_reingest_stores_nothing_twice(tmp_path: Path) -> None:
    src = write(tmp_path / "1176840.xml", HEADER + "".join(GOOD) + "</i>\n")
    ws = Workspace.open(tmp_path / "ws")
    ingest(ws, [src], fmt="bilibili-xml")
    again = ingest(ws, [src], fmt="bilibili-xml")
    assert (again.stored, again.duplicate) == (0, 3)
    assert ws.con.execute("select count(*) from posts").fetchone() == (3,)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("feed.xml", '<?xml version="1.0"?><rss><channel><item>x</item></channel></rss>',
     "root element is <rss>"),
    ("danmaku.json", '{"code": 0, "data": []}', "not XML"),
])
def test_wrong_format_raises_before_storing(tmp_path: Path, name: str, text: str,
                                            message: str) -> None:
    src = write(tmp_path / name, text)
    ws = Workspace.open(tmp_path / "ws")
    with pytest.raises(IngestError, match=message):
        ingest(ws, [src], fmt="bilibili-xml")
    assert ws.con.execute("select count(*) from posts").fetchone() == (0,)
    assert ws.con.execute("select count(*) from quarantine").fetchone() == (0,)


def test_streams_in_small_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from undertow.adapters import bilibili_xml

    monkeypatch.setattr(bilibili_xml, "CHUNK", 7)  # chunk borders fall inside UTF-8 characters
    src = write(tmp_path / "1176840.xml", HEADER + "".join(GOOD + BAD) + GOOD[0][:40])
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="bilibili-xml")
    assert (r.stored, r.quarantined) == (3, 3)
    assert [t for (t,) in posts(ws, "text")] == ["前方高能", "前方高能 & 泪目", "UP主加油"]
    assert ws.con.execute("select line, raw from quarantine where reason like 'broken XML%'"
                          ).fetchone() == (15, GOOD[0][:40].strip())


@pytest.mark.parametrize(("declared", "body"), [("bogus", b"hello"),
                                                ("GBK", "你好".encode("gbk"))])
def test_xml_in_an_encoding_the_reader_cannot_read_is_a_clear_error(
        tmp_path: Path, declared: str, body: bytes) -> None:
    """An unknown or multi-byte declared encoding ended in a traceback, or in an error
    that named no file."""
    src = tmp_path / "1176840.xml"
    src.write_bytes(f'<?xml version="1.0" encoding="{declared}"?><i><chatid>1176840</chatid>'
                    '<d p="13.2,1,25,16777215,1727402400,0,abc1,1001">'.encode() + body +
                    b"</d></i>")
    ws = Workspace.open(tmp_path / "ws")
    with pytest.raises(IngestError, match=r"1176840\.xml: cannot read XML in the encoding "
                                          r"it declares .*convert it to UTF-8"):
        ingest(ws, [src], fmt="bilibili-xml")
    assert ws.count("posts") == 0


@pytest.mark.parametrize(("between", "gap"), [(" & ", "&"), ("</x>", "</x>")])
def test_broken_xml_between_two_danmaku_reads_neither_twice(tmp_path: Path, between: str,
                                                            gap: str) -> None:
    """Broken XML right after a danmaku: reading on restarted at that danmaku, which
    was counted and found again (a duplicate), and every later one numbered one on."""
    one, two = GOOD[0].strip(), GOOD[2].strip()
    src = write(tmp_path / "1176840.xml", HEADER + "  " + one + between + two + "\n" +
                BAD[0] + "</i>\n")
    ws = Workspace.open(tmp_path / "ws")
    r = ingest(ws, [src], fmt="bilibili-xml")
    assert (r.read, r.stored, r.duplicate, r.quarantined) == (4, 2, 0, 2)
    assert ws.con.execute("select line, reason, raw from quarantine order by line").fetchall() \
        == [(10, "broken XML, not a danmaku element", gap),
            (11, "danmaku #3: p has 7 fields, expected 8", BAD[0].strip())]


def test_the_examples_in_the_docs_hold() -> None:
    import doctest

    from undertow.adapters import bilibili_xml

    assert doctest.testmod(bilibili_xml).failed == 0
