"""Bilibili danmaku (bullet comments) XML, as ``comment.bilibili.com/{cid}.xml`` serves it.

``<i><chatid>CID</chatid>…<d p="time,mode,size,color,unix_ts,pool,uid_hash,row_id">text</d></i>``.
Each ``<d>`` is a post: ``row_id`` is its id, ``uid_hash`` (a CRC32 of the user id) its
author, ``unix_ts`` its time and the video's cid its thread. The file is parsed as a stream,
with line numbers; newer exports add a ninth field (weight), which is accepted. Control
characters (invalid in XML, but found in old danmaku) are removed before parsing. If the XML
breaks midway (an unescaped ``&`` in one danmaku, a truncated download), what was read is
kept and the rest is read element by element: each later ``<d>`` is a post or a rejected
record of its own, and every stretch that is no element (the cut-off end of a truncated
file) is a rejected record at its line. One broken danmaku costs itself, not the file.

Example:
    >>> danmaku_post('13.215,1,25,16777215,1727402400,0,6c1a4d3f,1487654321098752',
    ...              '前方高能', 3, '1176840')['post_id']
    '1487654321098752'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from undertow.adapters.base import Adapter
from undertow.records import FormatError, Item, ReadOptions, Rejected, Source
from undertow.timeparse import TimeParseError, from_epoch

NAME = "bilibili-xml"
PLATFORM = "bilibili"
CHUNK = 1 << 20
#: Most of a line kept before the point where the XML broke.
MAX_BEFORE = 1 << 10
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ROOT = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?<i[\s>]")

#: (kind, value, text, line): kind is "root" (value: tag), "chatid" or "d" (value: p).
Event = tuple[str, str | None, str, int]


class _Events:
    """Expat callbacks that collect the root, ``<chatid>`` and ``<d>`` elements."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.events: list[Event] = []
        self._depth = 0
        self._open: tuple[str, str | None, int] | None = None
        self._buf: list[str] = []
        #: Byte index (of the bytes fed) where the end tag of the last element read
        #: inside the root starts; -1 before the first.
        self.last_end = -1

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self._depth += 1
        line = self.parser.CurrentLineNumber
        if self._depth == 1:
            self.events.append(("root", name, "", line))
        elif self._depth == 2 and name in ("d", "chatid"):
            self._open = (name, attrs.get("p"), line)
            self._buf = []

    def _end(self, name: str) -> None:
        if self._depth == 2:
            self.last_end = self.parser.CurrentByteIndex
            if self._open is not None:
                kind, p, line = self._open
                self.events.append((kind, p, "".join(self._buf), line))
                self._open = None
        self._depth -= 1

    def _text(self, data: str) -> None:
        if self._open is not None:
            self._buf.append(data)

    def take(self) -> list[Event]:
        events, self.events = self.events, []
        return events


def danmaku_raw(p: str | None, text: str) -> str:
    """The ``<d>`` element as XML text."""
    attr = f" p={quoteattr(p)}" if p is not None else ""
    return f"<d{attr}>{escape(text)}</d>"


def danmaku_post(p: str, text: str, line: int, cid: str) -> dict[str, Any]:
    """The post of one ``<d p="...">text</d>``; :class:`ValueError` says why it is unreadable."""
    fields = [f.strip() for f in p.split(",")]
    if len(fields) not in (8, 9):
        raise ValueError(f"p has {len(fields)} fields, expected 8")
    offset, stamp, uid_hash, row_id = fields[0], fields[4], fields[6], fields[7]
    try:
        float(offset)
    except ValueError:
        raise ValueError(f"video time {offset!r} is not a number") from None
    if not stamp.isdigit():
        raise ValueError(f"timestamp {stamp!r} is not a number")
    try:
        from_epoch(int(stamp))
    except TimeParseError as exc:
        raise ValueError(str(exc)) from None
    if not uid_hash or not row_id:
        raise ValueError("empty user hash or row id")
    return {
        "post_id": row_id,
        "author_id": uid_hash,
        "created_at": int(stamp),
        "text": text,
        "thread_id": cid,
        "source_line": line,
        "raw": danmaku_raw(p, text),
    }


def _danmaku(event: Event, number: int, cid: str) -> Item:
    _, p, text, line = event
    if p is None:
        return Rejected(line, f"danmaku #{number}: <d> without a p attribute",
                        danmaku_raw(p, text))
    try:
        return danmaku_post(p, text, line, cid)
    except ValueError as exc:
        return Rejected(line, f"danmaku #{number}: {exc}", danmaku_raw(p, text))


#: A danmaku element on its own (its text cannot hold ``<`` in XML), and a header element.
_ELEMENT = re.compile(rb"<d\b[^<>]*>[^<]*</d\s*>|<d\b[^<>]*/>")
_IGNORED = re.compile(rb"(?:\s+|</i\s*>|<(\w+)>[^<]*</\1\s*>)*")
#: Most bytes of no element held while reading on, before they are a rejected record.
MAX_GAP = 1 << 20


def _resume_at(window: bytes, at: int, last_end: int = -1) -> int:
    """Where to read on after an error at byte ``at`` of ``window``: the start of the
    element it broke (everything before it was read), else of its line; never before
    the end of the element read last (whose end tag starts at ``last_end``, -1 if
    none is in the window), which must not be read twice.

    >>> line = b'<d p="1">one</d> & <d p="2">two</d>'
    >>> line[_resume_at(line, 17, 12):]
    b' & <d p="2">two</d>'
    >>> line[_resume_at(line, 30):]
    b'<d p="2">two</d>'
    """
    at = min(max(at, 0), len(window))
    done = window.find(b">", last_end) + 1 if 0 <= last_end < len(window) else 0
    element = window.rfind(b"<d", done, at + 1)
    line = window.rfind(b"\n", done, at) + 1
    return element if element >= 0 else max(line, done)


def _element(data: bytes, line: int, number: int, cid: str) -> Item:
    """One ``<d>`` element read on its own."""
    events = _Events()
    try:
        events.parser.Parse(b"<i>" + data + b"</i>", True)
    except expat.ExpatError as exc:
        return Rejected(line, f"danmaku #{number}: broken XML ({expat.ErrorString(exc.code)})",
                        data.decode("utf-8", "replace"))
    found = [event for event in events.take() if event[0] == "d"]
    _, p, text, _ = found[0]
    return _danmaku(("d", p, text, line), number, cid)


def _gap(data: bytes, line: int) -> Iterator[Item]:
    """A stretch between elements: nothing when it is blank, the end of the root or a
    header element; otherwise a rejected record at the line where it starts."""
    if _IGNORED.fullmatch(data) is None:
        lead = len(data) - len(data.lstrip())
        yield Rejected(line + data.count(b"\n", 0, lead), "broken XML, not a danmaku element",
                       data.strip()[:MAX_GAP].decode("utf-8", "replace"))


def _read_on(rest: bytes, stream: IO[bytes], line: int, number: int, cid: str
             ) -> Iterator[Item]:
    """The posts and rejected records of ``rest`` (starting at ``line``) and of the rest of
    ``stream``, element by element (after the parser met broken XML)."""
    buf, done = rest, False
    while not done:
        more = stream.read(CHUNK)
        done = not more
        buf += _CONTROL.sub(b"", more)
        pos = 0
        for match in _ELEMENT.finditer(buf):
            gap = buf[pos:match.start()]
            yield from _gap(gap, line)
            line += gap.count(b"\n")
            number += 1
            yield _element(match.group(), line, number, cid)
            line += match.group().count(b"\n")
            pos = match.end()
        buf = buf[pos:]
        if len(buf) > MAX_GAP and not done:  # no element for long: keep a possible start
            cut = max(buf.rfind(b"<d"), len(buf) - MAX_GAP)
            yield from _gap(buf[:cut], line)
            line += buf.count(b"\n", 0, cut)
            buf = buf[cut:]
    yield from _gap(buf, line)


def read(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Danmaku posts and rejected records of a Bilibili XML file."""
    events = _Events()
    cid = source.path.name.split(".")[0]
    root_seen = False
    number = 0
    line_so_far, fed = b"", 0  # the bytes fed since the last line break, and how many in all
    with source.open_binary() as stream:
        while True:
            chunk = _CONTROL.sub(b"", stream.read(CHUNK))
            window, window_start = line_so_far + chunk, fed - len(line_so_far)
            fed += len(chunk)
            line_so_far = window[window.rfind(b"\n") + 1:][-MAX_BEFORE:]
            error: expat.ExpatError | None = None
            try:
                events.parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                error = exc
            except (LookupError, ValueError) as exc:  # an encoding expat cannot read
                raise FormatError(f"{source.path}: cannot read XML in the encoding it "
                                  f"declares ({exc}); convert it to UTF-8 (for example "
                                  "iconv -f GBK -t UTF-8)") from None
            for event in events.take():
                if event[0] == "root":
                    if event[1] != "i":
                        raise FormatError(f"{source.path}: not Bilibili danmaku XML (root "
                                          f"element is <{event[1]}>, expected <i>)")
                    root_seen = True
                elif event[0] == "chatid":
                    cid = event[2].strip() or cid
                else:
                    number += 1
                    yield _danmaku(event, number, cid)
            if error is not None:
                if not root_seen:
                    raise FormatError(f"{source.path}: not XML ({error})")
                start = _resume_at(window, events.parser.ErrorByteIndex - window_start,
                                   events.last_end - window_start)
                line = error.lineno - window.count(b"\n", start,
                                                   events.parser.ErrorByteIndex - window_start)
                yield from _read_on(window[start:], stream, line, number, cid)
                return
            if not chunk:
                break
    if not root_seen:
        raise FormatError(f"{source.path}: not Bilibili danmaku XML (no root element)")


def sniff(head: bytes, filename: str) -> float:
    """0.9 for ``<i>`` with ``<chatid>``, 0.75 for ``<i>`` with ``<d p="...">``."""
    head = head.lstrip(b"\xef\xbb\xbf")
    if not _ROOT.match(head):
        return 0.0
    if b"<chatid>" in head or b"<chatserver>" in head:
        return 0.9
    return 0.75 if b'<d p="' in head else 0.0


ADAPTER = Adapter(NAME, PLATFORM, "Bilibili danmaku XML (<i><d p=...>)", sniff, read)
