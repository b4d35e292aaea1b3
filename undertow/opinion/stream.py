"""Line-oriented input and output for ``undertow sentiment``.

Each input line is either plain text, or a JSON object with ``text`` (and optionally ``lang``);
the two may be mixed. Blank lines are texts too (they come back with ``lang`` ``None``), and so
is ``"text": null`` (exports write it for posts that are only an image or a repost), so output
line *n* always answers input line *n*. A JSON line without ``text``, or with one that is not a
string, or one that is not UTF-8, cannot be read: its output line has ``lang``, ``label``
and ``score`` ``None``, no aspects and an ``error`` naming its line number and why (for bytes
that are not UTF-8, the first such byte), and the run goes on (:func:`run` tells
``on_error`` of each).

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> run(io.StringIO('{"text": "Great phone", "lang": "en"}\\n'), out, lang="auto")
    1
    >>> out.getvalue()
    '{"lang":"en","label":"positive","score":0.6249,"aspects":[]}\\n'
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import IO

import orjson

from undertow.adapters.base import json_kind
from undertow.opinion import processes
from undertow.opinion.aspects import base_lang
from undertow.opinion.processes import ProcessAnalyzer, workers_for
from undertow.opinion.sentiment import Sentiment, SentimentAnalyzer

#: Texts analysed at a time: output starts before the whole input is read.
BATCH = 5_000


def parse_line(line: str, number: int) -> tuple[str, str | None]:
    """``(text, lang)`` of one input line (``lang`` ``None`` unless a JSON line gives it).

    >>> parse_line('{"text": "屏幕很好", "lang": "zh"}', 1), parse_line("just text", 2)
    (('屏幕很好', 'zh'), ('just text', None))
    """
    stripped = line.rstrip("\r\n")
    if stripped.lstrip().startswith("{"):
        try:
            obj = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return stripped, None
        if isinstance(obj, dict):
            if "text" in obj and obj["text"] is None:
                return "", None
            text = obj.get("text")
            if "text" not in obj:
                raise ValueError(f"line {number}: JSON object without a 'text' key")
            if not isinstance(text, str):
                raise ValueError(f"line {number}: JSON object whose 'text' is "
                                 f"{json_kind(text)}, not a string")
            lang = obj.get("lang")
            return text, lang if isinstance(lang, str) and lang else None
    return stripped, None


def default_lang(lang: str, analyzer: SentimentAnalyzer) -> str | None:
    """The language for lines that do not give one: ``None`` for ``auto`` (any case:
    detect each line's), else the code, which must be one ``analyzer`` has a scorer for
    (a shipped one, or an adapted model's); else an error naming those it has.

    >>> default_lang("Auto", SentimentAnalyzer()), default_lang("de-AT", SentimentAnalyzer())
    (None, 'de')
    >>> default_lang("french", SentimentAnalyzer())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no sentiment scorer for language 'french'; scorers: de, en, zh (or auto: ...)
    """
    if lang.strip().lower() == "auto":
        return None
    code = base_lang(lang.strip())
    known = sorted(set(getattr(analyzer, "thresholds", {})) | set(getattr(analyzer, "adapted", {})))
    if code not in known:
        raise ValueError(f"no sentiment scorer for language {lang!r}; scorers: {', '.join(known)} "
                         "(or auto: detect each line's; train-sentiment makes a model for "
                         "another language, used with --model)")
    return code


def decode_line(line: bytes, number: int) -> str:
    """One input line as text: UTF-8 (a byte-order mark on the first line dropped), or an
    error naming the line and the byte.

    >>> decode_line("电池".encode(), 3)
    '电池'
    >>> decode_line(b"ok \\xff", 2)
    Traceback (most recent call last):
    ...
    ValueError: line 2: not valid UTF-8 (byte 4: 0xff)
    """
    try:
        return line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"line {number}: not valid UTF-8 (byte {exc.start + 1}: "
                         f"0x{line[exc.start]:02x})") from None


#: One parsed input line: ``(text, lang)``, or the reason it cannot be read.
Parsed = tuple[str, str | None] | str


def _batches(lines: Iterable[str | bytes], size: int) -> Iterator[list[Parsed]]:
    batch: list[Parsed] = []
    for number, line in enumerate(lines, 1):
        try:
            text = decode_line(line, number) if isinstance(line, bytes) else line
            batch.append(parse_line(text, number))
        except ValueError as exc:  # this line's answer says why; the run goes on
            batch.append(str(exc))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(source: IO[str] | IO[bytes], sink: IO[str], lang: str = "auto",
        analyzer: SentimentAnalyzer | None = None, batch: int = BATCH,
        workers: int | None = 1, on_error: Callable[[str], None] | None = None) -> int:
    """Analyse every line of ``source`` (text, or bytes read as UTF-8 line by line, so an
    undecodable line is named) and write one JSON line each to ``sink``; the count.

    ``lang`` other than ``"auto"`` (in any case) is used for lines that do not give their
    own, and must be a language ``analyzer`` has a scorer for (:func:`default_lang`).
    A line that cannot be read (not UTF-8, or a JSON object without a string ``text``) is
    answered with an ``error`` and ``on_error`` is called with it; the run goes on.
    ``workers`` processes analyse (``None``: one, and one a core once a long input has
    given :data:`undertow.opinion.processes.PARALLEL_FROM` lines to the fast tier; a
    script that asks for more than one must keep its top level under
    ``if __name__ == "__main__":``). Output stays in input order either way.
    """
    analyzer = analyzer or SentimentAnalyzer()
    default = default_lang(lang, analyzer)
    count = 0
    pool: ProcessAnalyzer | None = None
    pending: deque[tuple[list[Parsed], Callable[[], list[Sentiment]]]] = deque()
    try:
        for chunk in _batches(source, batch):
            good = [x for x in chunk if not isinstance(x, str)]
            if on_error is not None:
                for reason in (x for x in chunk if isinstance(x, str)):
                    on_error(reason)
            texts = [t for t, _ in good]
            langs = [given or default for _, given in good]
            if pool is None and (n := _processes(analyzer, count, workers)) > 1:
                pool = ProcessAnalyzer(analyzer, n)
            if pool is None or not good:
                pending.append((chunk, _ready(analyzer.analyze(texts, langs) if good else [])))
            else:  # one batch written while the workers analyse the next
                pending.append((chunk, pool.submit(texts, langs)))
            while len(pending) > (0 if pool is None else 1):
                _write(sink, *pending.popleft())
            count += len(chunk)
        while pending:
            _write(sink, *pending.popleft())
    finally:
        if pool is not None:
            pool.close()
    return count


def _processes(analyzer: SentimentAnalyzer, seen: int, workers: int | None) -> int:
    """Processes to analyse the rest of a stream with, ``seen`` lines into it."""
    if workers is not None:
        return workers_for(analyzer, 0, workers)
    return workers_for(analyzer, seen) if seen >= processes.PARALLEL_FROM else 1


def _ready(results: list[Sentiment]) -> Callable[[], list[Sentiment]]:
    return lambda: results


def _write(sink: IO[str], chunk: list[Parsed], results: Callable[[], list[Sentiment]]) -> None:
    """One JSON line for each of ``chunk``'s lines: its result, or why it was not read."""
    found = iter(results())
    for line in chunk:
        if isinstance(line, str):
            sink.write(orjson.dumps({"lang": None, "label": None, "score": None,
                                     "aspects": [], "error": line}).decode() + "\n")
        else:
            sink.write(orjson.dumps(next(found).to_dict()).decode() + "\n")
