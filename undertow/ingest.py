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

import codecs
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from undertow.adapters import resolve
from undertow.adapters.base import as_text, count_or_none, text_or_none
from undertow.derive import (
    INPUT_FIELDS,
    MAX_RECORD_BYTES,
    REJECTED_SCHEMA,
    complete,
    derive_posts,
)
from undertow.engines import Engine, make_engine
from undertow.records import Account, Chunk, Columns, FormatError, ReadOptions, Rejected, Source
from undertow.schema import ACCOUNTS, POSTS, QUARANTINE, arrow_schema
from undertow.timeparse import TimeParseError, parse_time, zone
from undertow.workspace import Workspace

POSTS_SCHEMA = arrow_schema(POSTS)
ACCOUNTS_SCHEMA = arrow_schema(ACCOUNTS)
QUARANTINE_SCHEMA = arrow_schema(QUARANTINE)
_INPUT_SCHEMA = pa.schema(list(INPUT_FIELDS.items()))
#: Posts per transaction. Batches above DuckDB's row group (122,880 rows) are
#: written straight to the file instead of through the write-ahead log (storing
#: 1M posts: 5.4 CPU s against 7.1 s in batches of 50,000).
BATCH_SIZE = 200_000


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


class Batch:
    """Posts, accounts and rejected records of one source until flushed.

    Posts arrive as dicts (one per record) or as column-wise chunks; either way
    they are validated and derived together, column-wise, by
    :func:`undertow.derive.derive_posts` when the batch is flushed.
    """

    def __init__(self, source: Source, platform: str, fmt: str, tz: tzinfo):
        self.source = source
        self.platform = platform
        self.fmt = fmt
        self.tz = tz
        self.cols: dict[str, list[Any]] = {name: [] for name in INPUT_FIELDS}
        self.chunks: list[pa.Table] = []
        self.chunk_rows = 0
        self.accounts: list[dict[str, Any]] = []
        self.rejected: list[Rejected] = []

    def __len__(self) -> int:
        return len(self.cols["raw"]) + self.chunk_rows + len(self.rejected)

    def add_post(self, rec: dict[str, Any]) -> None:
        """Keep one post's fields as the adapter gave them."""
        created = rec.get("created_at")
        if created is not None and not isinstance(created, str):
            # A datetime or an epoch number: read now, handed on as exact ISO text.
            try:
                rec["created_at"] = parse_time(created, self.tz).isoformat() + "+00:00"
            except TimeParseError as exc:
                if rec.get("author_id") and _utf8_len(rec.get("raw")) <= MAX_RECORD_BYTES:
                    self.rejected.append(Rejected(int(rec.get("source_line") or 0), str(exc),
                                                  as_text(rec.get("raw") or "")))
                    return
                rec["created_at"] = None
        for name, values in self.cols.items():
            values.append(rec.get(name))

    def add_columns(self, item: Columns) -> None:
        """Keep posts given as lists of field values."""
        n = len(item.columns["raw"])
        for name, values in self.cols.items():
            given = item.columns.get(name)
            values.extend(given if given is not None else [None] * n)

    def add_chunk(self, chunk: Chunk) -> None:
        """Keep a column-wise chunk of posts."""
        self.chunks.append(complete(chunk.table))
        self.chunk_rows += chunk.table.num_rows

    def add_account(self, acc: Account) -> None:
        row = {name: acc.get(name) for name, _, _ in ACCOUNTS}
        row["platform"] = row["platform"] or self.platform
        if not row["author_id"]:
            return
        # A profile's figures as the source gave them, where they fit their columns:
        # one odd value must not cost a batch its posts.
        for name in ("followers", "following", "posts_count"):
            row[name] = count_or_none(row[name])
        if not isinstance(row["verified"], bool):
            row["verified"] = None
        for name in ("author_name", "description"):
            if row[name] is not None and not isinstance(row[name], str):
                row[name] = text_or_none(row[name])
        if row["created_at"] is not None:
            try:
                row["created_at"] = parse_time(row["created_at"], self.tz)
            except TimeParseError:
                row["created_at"] = None
        row["source_file"] = self.source.name
        self.accounts.append(row)

    def freeze(self) -> None:
        """Turn the posts kept as Python values into an Arrow chunk: the part of
        flushing that holds the GIL, done by the reading thread (see :class:`Writer`)."""
        n = len(self.cols["raw"])
        if n:
            self.chunks.append(pa.table(
                {name: _column(values, typ) for (name, values), typ in
                 zip(self.cols.items(), INPUT_FIELDS.values(), strict=True)},
                schema=_INPUT_SCHEMA))
            self.chunk_rows += n
            self.cols = {name: [] for name in INPUT_FIELDS}

    def tables(self) -> tuple[pa.Table, pa.Table, pa.Table]:
        """The batch as Arrow tables (posts, accounts, quarantine), every field derived."""
        self.freeze()
        batch = pa.concat_tables(self.chunks) if self.chunks else _INPUT_SCHEMA.empty_table()
        posts, rejected = derive_posts(batch, self.platform, self.tz)
        posts = posts.set_column(POSTS_SCHEMA.get_field_index("source_file"), "source_file",
                                 pa.array([self.source.name] * posts.num_rows, pa.string()))
        accounts = pa.Table.from_pylist(self.accounts, schema=ACCOUNTS_SCHEMA)
        early = pa.table({"line": [r.line for r in self.rejected],
                          "reason": [_storable(r.reason) for r in self.rejected],
                          "raw": [_storable(r.raw) for r in self.rejected]},
                         schema=REJECTED_SCHEMA)
        rejected = pa.concat_tables([early, rejected]).sort_by("line")
        n = rejected.num_rows
        quarantine = pa.table(
            {
                "source_file": pa.array([self.source.name] * n, pa.string()),
                "line": rejected.column("line"),
                "reason": rejected.column("reason"),
                "raw": rejected.column("raw"),
                "format": pa.array([self.fmt] * n, pa.string()),
            },
            schema=QUARANTINE_SCHEMA,
        )
        return posts, accounts, quarantine


def _storable(text: str | bytes) -> str:
    """A quarantined record's text as UTF-8 can hold it: bytes the file's encoding could
    not read become ``?`` (its reason says so), never an error that stops the file."""
    text = as_text(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _utf8_len(raw: str | bytes | None) -> int:
    """Bytes of a raw record in UTF-8 (the JSON adapters hand them over as bytes)."""
    if raw is None:
        return 0
    return len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "replace"))


def _column(values: list[Any], typ: pa.DataType) -> pa.Array:
    """Python values as an Arrow column. Raw records may come as UTF-8 bytes (the
    JSON adapters re-serialise each record with orjson): those are only validated,
    where ``str`` would be decoded and encoded again."""
    if typ == pa.string() and values and type(values[0]) is bytes:
        try:
            return pa.array(values, pa.binary()).cast(typ)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            values = [v.decode("utf-8", "replace") if type(v) is bytes else v for v in values]
    return pa.array(values, typ)


Tables = tuple[pa.Table, pa.Table, pa.Table]


def store_tables(ws: Workspace, eng: Engine, tables: Tables, fmt: str = "") -> IngestReport:
    """Write a batch's posts, accounts and quarantined records in one transaction.

    A post whose id is stored already is a duplicate when its author and text are
    the same; otherwise two posts share one id (ids a spreadsheet rounded to
    ``5.40E+17``, an id column mapped wrongly) and the later one is quarantined
    with the reason, not counted as a duplicate and lost."""
    posts, accounts, quarantine = tables
    report = IngestReport(read=posts.num_rows + quarantine.num_rows)
    with ws.transaction():
        if posts.num_rows:
            report.stored = eng.insert_new("posts", posts, ["platform", "post_id"],
                                           "source_line")
        if report.stored < posts.num_rows:
            quarantine = pa.concat_tables([quarantine, _id_clashes(eng, posts, fmt)])
        quarantine = _raw_filled(quarantine)
        for name, data, keys, order in (
            ("accounts", accounts, ["platform", "author_id"], "author_id"),
            ("quarantine", quarantine, QUARANTINE_KEYS, "line"),
        ):
            if data.num_rows:
                eng.insert_new(name, data, keys, order)
    # A record repeated word for word (the same reason, the same raw text) is a duplicate.
    report.quarantined = quarantine.select(QUARANTINE_KEYS).group_by(
        QUARANTINE_KEYS).aggregate([]).num_rows if quarantine.num_rows else 0
    report.duplicate = report.read - report.stored - report.quarantined
    return report


#: What tells one quarantined record from another. A line can hold many records (a page
#: of 100 tweets is one line of JSON), so the line and the reason are not enough: two
#: tweets of one page that both lack a time are two records.
QUARANTINE_KEYS = ["source_file", "line", "reason", "raw"]


def _raw_filled(quarantine: pa.Table) -> pa.Table:
    """``raw`` never null (a key: null never equals null, so it would be added again)."""
    i = quarantine.schema.get_field_index("raw")
    return quarantine.set_column(i, "raw", pc.fill_null(quarantine.column("raw"), ""))


def _id_clashes(eng: Engine, posts: pa.Table, fmt: str) -> pa.Table:
    """Quarantine rows for the posts of a batch (just stored) whose id is stored
    with another author or text."""
    F = eng.F
    mine = ["platform", "post_id", "author_id", "text", "source_file", "source_line", "raw"]
    staged = eng.stage("_stage_id_clashes", posts.select(mine))
    try:
        stored = eng.table("posts", mine[:-1]).select(
            "platform", "post_id", *(F.col(c).alias(f"stored_{c}") for c in mine[2:-1]))
        same = F.col("author_id").eqNullSafe(F.col("stored_author_id")) & \
            F.col("text").eqNullSafe(F.col("stored_text"))
        rows = eng.to_arrow(staged.join(stored, on=["platform", "post_id"]).filter(~same))
    finally:
        eng.drop_stage("_stage_id_clashes")
    reasons = [
        f"post id {r['post_id']!r} is stored already for another "
        f"{'author' if r['author_id'] != r['stored_author_id'] else 'text'} "
        f"({r['stored_source_file']} line {r['stored_source_line']})"
        + ("; the id looks rounded by a spreadsheet" if _ROUNDED_ID.match(r["post_id"]) else "")
        for r in rows.select(["post_id", "author_id", "stored_author_id", "stored_source_file",
                              "stored_source_line"]).to_pylist()]
    return pa.table({"source_file": rows["source_file"], "line": rows["source_line"],
                     "reason": pa.array(reasons, pa.string()), "raw": rows["raw"],
                     "format": pa.array([fmt] * rows.num_rows, pa.string())}
                    ).cast(QUARANTINE_SCHEMA).sort_by("line")


#: An id in scientific notation (``5.40E+17``): a spreadsheet's rounding of a long one.
_ROUNDED_ID = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


def _derive_and_store(ws: Workspace, eng: Engine, batch: Batch) -> IngestReport:
    return store_tables(ws, eng, batch.tables(), batch.fmt)


class Writer:
    """Derives and stores batches on a background thread while the next batch is read.

    The reading thread turns each batch into Arrow (Python work, under the GIL);
    deriving and writing run mostly in DuckDB and Arrow, outside it, so they
    overlap with reading the next batch. One batch is in flight at a time and
    batches commit in order, each in its own transaction, so a kill still leaves
    whole batches only.
    """

    def __init__(self, ws: Workspace, eng: Engine, report: IngestReport,
                 done: Callable[[], None] | None = None):
        self.ws, self.eng, self.report, self.done = ws, eng, report, done
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="undertow-writer")
        self.pending: Future[IngestReport] | None = None

    def submit(self, batch: Batch) -> None:
        batch.freeze()
        self.wait()
        self.pending = self.pool.submit(_derive_and_store, self.ws, self.eng, batch)

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
    batch_size: int = BATCH_SIZE,
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
    except EOFError as exc:  # a compressed file cut short before anything could be read
        raise IngestError(f"{path} ends early ({exc}); nothing was stored: ingest a "
                          "complete copy") from None
    platform = options.platform or adapter.platform
    report = IngestReport()
    writer = Writer(ws, eng, report,
                    (lambda: on_progress(source, source.position)) if on_progress else None)
    batch = Batch(source, platform, adapter.name, options.tz)
    try:
        for item in adapter.read(source, options):
            if type(item) is dict:
                batch.add_post(item)
            elif isinstance(item, Columns):
                batch.add_columns(item)
            elif isinstance(item, Chunk):
                batch.add_chunk(item)
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
    except EOFError as exc:  # a compressed file cut short: keep what came before the cut
        if len(batch) or batch.accounts:
            writer.submit(batch)
        raise IngestError(f"{path} ends early ({exc}); the records before the cut are "
                          "stored: ingest a complete copy for the rest (nothing is "
                          "added twice)") from None
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
    batch_size: int = BATCH_SIZE,
    on_progress: ProgressHook | None = None,
) -> IngestReport:
    """Ingest ``paths`` into ``ws``; see :func:`ingest_file`."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise IngestError(f"unknown encoding {encoding!r} (try utf-8, gb18030, "
                          "latin-1, cp1252)") from None
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
