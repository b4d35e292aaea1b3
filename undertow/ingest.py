"""Ingest: source files → validated, deduplicated rows of the ``posts`` table.

Every record ends in exactly one place: stored, counted as a duplicate of a
stored post, or quarantined with its file, line and reason. Each batch is
committed in one transaction, so a run killed mid-way and run again stores
every record exactly once.

Example:
    >>> from undertow.workspace import Workspace
    >>> ws = Workspace.open("/tmp/undertow-doctest-ingest")       # doctest: +SKIP
    >>> ingest(ws, ["posts.csv"]).line()                          # doctest: +SKIP
    'read 3, stored 3, duplicate 0, quarantined 0'
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from undertow import relational
from undertow.adapters import resolve
from undertow.engines import Engine, make_engine
from undertow.entities import extract_hashtags, extract_mentions, extract_urls, normalize_urls
from undertow.langdetect import detect_languages
from undertow.records import Account, FormatError, ReadOptions, Rejected, Source
from undertow.schema import ACCOUNTS, POSTS, QUARANTINE, arrow_schema
from undertow.timeparse import TimeParseError, parse_time, twitter_snowflake_time, zone
from undertow.workspace import Workspace

MAX_RECORD_BYTES = 1_000_000
POSTS_SCHEMA = arrow_schema(POSTS)
ACCOUNTS_SCHEMA = arrow_schema(ACCOUNTS)
QUARANTINE_SCHEMA = arrow_schema(QUARANTINE)

_LANG_NAMES = {
    "english": "en", "german": "de", "deutsch": "de", "chinese": "zh", "russian": "ru",
    "french": "fr", "spanish": "es", "italian": "it", "ukrainian": "uk", "arabic": "ar",
    "japanese": "ja", "korean": "ko", "portuguese": "pt", "dutch": "nl", "turkish": "tr",
    "polish": "pl", "swedish": "sv", "indonesian": "id", "中文": "zh", "英文": "en",
}


class IngestError(Exception):
    """A file that cannot be ingested at all (missing, unreadable, wrong format)."""


@dataclass
class IngestReport:
    """What happened to every record read."""

    read: int = 0
    stored: int = 0
    duplicate: int = 0
    quarantined: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary ``read N, stored N, duplicate N, quarantined N``."""
        return (f"read {self.read}, stored {self.stored}, duplicate {self.duplicate}, "
                f"quarantined {self.quarantined}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def add(self, other: IngestReport) -> None:
        self.read += other.read
        self.stored += other.stored
        self.duplicate += other.duplicate
        self.quarantined += other.quarantined


@lru_cache(maxsize=4096)
def normalize_lang(value: str | None) -> str | None:
    """An ISO 639-1 code from ``en``, ``zh-cn``, ``English``…; ``None`` if unknown."""
    if not value:
        return None
    low = value.strip().lower()
    code = low.replace("_", "-").split("-")[0]
    if len(code) == 2 and code.isalpha():
        return code
    return _LANG_NAMES.get(low)


def stable_id(platform: str, author: str, created: datetime, text: str) -> str:
    """A post id for sources without one, stable across re-ingests."""
    key = "\x1f".join((platform, author, created.isoformat(), text))
    return "h" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]


class Batch:
    """Posts, accounts and rejected records of one source, columnar, until flushed."""

    def __init__(self, source: Source, platform: str, fmt: str, tz: tzinfo):
        self.source = source
        self.platform = platform
        self.fmt = fmt
        self.tz = tz
        self.cols: dict[str, list[Any]] = {name: [] for name, _, _ in POSTS}
        self.accounts: list[dict[str, Any]] = []
        self.rejected: list[Rejected] = []

    def __len__(self) -> int:
        return len(self.cols["post_id"]) + len(self.rejected)

    def add_post(self, rec: dict[str, Any]) -> None:
        """Validate and derive one post; a bad one becomes a rejected record."""
        raw = rec.get("raw") or ""
        line = int(rec.get("source_line") or 0)
        if len(raw) > MAX_RECORD_BYTES:
            self.rejected.append(Rejected(line, f"record too long ({len(raw)} bytes > 1 MB)", raw))
            return
        platform = rec.get("platform") or self.platform
        author = rec.get("author_id")
        if not author:
            self.rejected.append(Rejected(line, "missing author id", raw))
            return
        post_id = rec.get("post_id")
        notes: list[str] = []
        created = rec.get("created_at")
        try:
            if created is None:
                if platform == "twitter" and post_id and str(post_id).isdigit():
                    created = twitter_snowflake_time(str(post_id))
                    notes.append("time from status id")
                else:
                    raise TimeParseError("missing time")
            else:
                created = parse_time(created, self.tz)
        except TimeParseError as exc:
            self.rejected.append(Rejected(line, str(exc), raw))
            return
        text = rec.get("text") or ""
        if "\x00" in text:
            text = text.replace("\x00", "")
            notes.append("NUL bytes removed from text")
            raw = raw.replace("\x00", "")
        if post_id is None:
            post_id = stable_id(platform, author, created, text)
        urls = rec.get("urls")
        if urls is None:
            urls = extract_urls(text)
        hashtags = rec.get("hashtags")
        if hashtags is None:
            hashtags = extract_hashtags(text)
        mentions = rec.get("mentions")
        if mentions is None:
            mentions = extract_mentions(text)
        cols = self.cols
        cols["platform"].append(platform)
        cols["post_id"].append(post_id)
        cols["author_id"].append(author)
        cols["author_name"].append(rec.get("author_name"))
        cols["created_at"].append(created)
        cols["text"].append(text)
        cols["lang"].append(normalize_lang(rec.get("lang")))
        cols["urls"].append(urls)
        cols["urls_norm"].append(normalize_urls(urls) if urls else [])
        cols["hashtags"].append(hashtags)
        cols["mentions"].append(mentions)
        for name in ("reply_to_post_id", "reply_to_author_id", "repost_of_post_id",
                     "thread_id", "object_id"):
            cols[name].append(rec.get(name))
        cols["source_file"].append(self.source.name)
        cols["source_line"].append(line)
        notes.extend(rec.get("notes") or ())
        cols["notes"].append("; ".join(notes) if notes else None)
        cols["raw"].append(raw)

    def add_account(self, acc: Account) -> None:
        row = {name: acc.get(name) for name, _, _ in ACCOUNTS}
        row["platform"] = row["platform"] or self.platform
        if not row["author_id"]:
            return
        if row["created_at"] is not None:
            try:
                row["created_at"] = parse_time(row["created_at"], self.tz)
            except TimeParseError:
                row["created_at"] = None
        row["source_file"] = self.source.name
        self.accounts.append(row)

    def tables(self) -> tuple[pa.Table, pa.Table, pa.Table]:
        """The batch as Arrow tables (posts, accounts, quarantine); languages filled in."""
        langs = self.cols["lang"]
        missing = [i for i, lang in enumerate(langs) if lang is None]
        if missing:
            texts = self.cols["text"]
            for i, lang in zip(missing, detect_languages([texts[i] for i in missing]),
                               strict=True):
                langs[i] = lang
        posts = pa.table(
            {name: pa.array(self.cols[name], type=typ) for name, _, typ in POSTS},
            schema=POSTS_SCHEMA,
        )
        accounts = pa.Table.from_pylist(self.accounts, schema=ACCOUNTS_SCHEMA)
        quarantine = pa.table(
            {
                "source_file": [self.source.name] * len(self.rejected),
                "line": [r.line for r in self.rejected],
                "reason": [r.reason for r in self.rejected],
                "raw": [r.raw for r in self.rejected],
                "format": [self.fmt] * len(self.rejected),
            },
            schema=QUARANTINE_SCHEMA,
        )
        return posts, accounts, quarantine


Tables = tuple[pa.Table, pa.Table, pa.Table]


def store_tables(ws: Workspace, eng: Engine, tables: Tables) -> IngestReport:
    """Write a batch's posts, accounts and quarantined records in one transaction."""
    posts, accounts, quarantine = tables
    report = IngestReport(read=posts.num_rows + quarantine.num_rows,
                          quarantined=quarantine.num_rows)
    with ws.transaction():
        for name, data, keys, order in (
            ("posts", posts, ["platform", "post_id"], "source_line"),
            ("accounts", accounts, ["platform", "author_id"], "author_id"),
            ("quarantine", quarantine, ["source_file", "line", "reason"], "line"),
        ):
            if data.num_rows == 0:
                continue
            stage = f"_stage_{name}"
            staged = eng.stage(stage, data)
            added = eng.insert(
                relational.new_rows(eng, staged, eng.table(name, keys), keys, order), name
            )
            eng.drop_stage(stage)
            if name == "posts":
                report.stored = added
    report.duplicate = posts.num_rows - report.stored
    return report


class Writer:
    """Stores batches on a background thread while the next batch is read.

    DuckDB releases the GIL while it writes, so reading (Python) and writing
    overlap. One batch is in flight at a time and batches commit in order, each
    in its own transaction, so a kill still leaves whole batches only.
    """

    def __init__(self, ws: Workspace, eng: Engine, report: IngestReport,
                 done: Callable[[], None] | None = None):
        self.ws, self.eng, self.report, self.done = ws, eng, report, done
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="undertow-writer")
        self.pending: Future[IngestReport] | None = None

    def submit(self, batch: Batch) -> None:
        tables = batch.tables()  # Python work (languages…) stays on this thread
        self.wait()
        self.pending = self.pool.submit(store_tables, self.ws, self.eng, tables)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.report.add(pending.result())
            if self.done:
                self.done()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown()


ProgressHook = Callable[[Source, int], None]


def ingest_file(
    ws: Workspace,
    eng: Engine,
    path: str | Path,
    fmt: str = "auto",
    options: ReadOptions | None = None,
    batch_size: int = 50_000,
    on_progress: ProgressHook | None = None,
) -> IngestReport:
    """Ingest one file; :class:`IngestError` if it cannot be read or is not ``fmt``."""
    options = options or ReadOptions()
    try:
        source = Source(path)
        adapter = resolve(fmt, source)
    except FormatError as exc:
        raise IngestError(str(exc)) from None
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from None
    platform = options.platform or adapter.platform
    report = IngestReport()
    writer = Writer(ws, eng, report,
                    (lambda: on_progress(source, source.position)) if on_progress else None)
    batch = Batch(source, platform, adapter.name, options.tz)
    try:
        for item in adapter.read(source, options):
            if type(item) is dict:
                batch.add_post(item)
            elif isinstance(item, Rejected):
                batch.rejected.append(item)
            elif isinstance(item, Account):
                batch.add_account(item)
            if len(batch) >= batch_size:
                writer.submit(batch)
                batch = Batch(source, platform, adapter.name, options.tz)
        if len(batch) or batch.accounts:
            writer.submit(batch)
    except FormatError as exc:
        raise IngestError(str(exc)) from None
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        writer.close()
    report.files.append({"file": source.name, "format": adapter.name, **{
        k: getattr(report, k) for k in ("read", "stored", "duplicate", "quarantined")}})
    return report


def ingest(
    ws: Workspace,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    mapping: dict[str, str] | None = None,
    platform: str | None = None,
    tz: str | None = None,
    encoding: str = "utf-8",
    engine: str | Engine = "duckdb",
    batch_size: int = 50_000,
    on_progress: ProgressHook | None = None,
) -> IngestReport:
    """Ingest ``paths`` into ``ws``; see :func:`ingest_file`."""
    options = ReadOptions(mapping=dict(mapping or {}), platform=platform,
                          tz=zone(tz) if tz else UTC, encoding=encoding)
    eng = make_engine(engine, ws) if isinstance(engine, str) else engine
    total = IngestReport()
    for path in paths:
        one = ingest_file(ws, eng, path, fmt, options, batch_size, on_progress)
        total.add(one)
        total.files.extend(one.files)
    return total


def expand(paths: Iterable[str]) -> list[str]:
    """Files named directly or found (recursively) in named directories."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(str(f) for f in sorted(path.rglob("*")) if f.is_file())
        else:
            out.append(p)
    return out
