"""Validation and derived columns of a batch of posts, column-wise.

An adapter gives each post's fields as the source wrote them; this module turns
a batch of them into rows of ``posts`` and rejected records, without a Python
loop over every post. The regular expressions run in DuckDB (RE2, on all cores,
outside the GIL) on an in-memory connection of their own, and give the same
answers as the per-text functions in :mod:`undertow.entities` and
:mod:`undertow.timeparse`, which still handle the rare values the vectorised
rules leave alone (times in other shapes, posts without an id).

Example:
    >>> import pyarrow as pa
    >>> from datetime import UTC
    >>> batch = pa.table({
    ...     "author_id": ["u1", None], "created_at": ["2025-03-24T08:00:15+08:00", "x"],
    ...     "post_id": ["1", "2"], "text": ["#SU7 见 https://mi.com/?utm_source=a", ""],
    ...     "source_line": [2, 3], "raw": ["…", "…"]})
    >>> posts, rejected = derive_posts(batch, "generic", UTC)
    >>> row = posts.to_pylist()[0]
    >>> row["created_at"], row["hashtags"], row["urls_norm"]
    (datetime.datetime(2025, 3, 24, 0, 0, 15), ['SU7'], ['mi.com'])
    >>> rejected.to_pylist()
    [{'line': 3, 'reason': 'missing author id', 'raw': '…'}]
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from undertow.entities import normalize_url
from undertow.langdetect import detect_languages, predict, sql_clean, sql_language_parts
from undertow.schema import POSTS, arrow_schema
from undertow.timeparse import TimeParseError, parse_time, twitter_snowflake_time

#: Records over this many bytes of UTF-8 are quarantined ("over 1 MB").
MAX_RECORD_BYTES = 1_000_000
POSTS_SCHEMA = arrow_schema(POSTS)
REJECTED_SCHEMA = pa.schema([("line", pa.int64()), ("reason", pa.string()),
                             ("raw", pa.string())])

_LANG_NAMES = {
    "english": "en", "german": "de", "deutsch": "de", "chinese": "zh", "russian": "ru",
    "french": "fr", "spanish": "es", "italian": "it", "ukrainian": "uk", "arabic": "ar",
    "japanese": "ja", "korean": "ko", "portuguese": "pt", "dutch": "nl", "turkish": "tr",
    "polish": "pl", "swedish": "sv", "indonesian": "id", "中文": "zh", "英文": "en",
}


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


_TEXT = pa.string()
_LIST = pa.list_(_TEXT)
#: The columns a batch may hand in, and their types; absent ones are null.
INPUT_FIELDS: dict[str, pa.DataType] = {
    "platform": pa.string(), "post_id": pa.string(), "author_id": pa.string(),
    "author_name": pa.string(), "created_at": pa.string(), "text": pa.string(),
    "lang": pa.string(), "urls": _LIST, "hashtags": _LIST, "mentions": _LIST,
    "reply_to_post_id": pa.string(), "reply_to_author_id": pa.string(),
    "repost_of_post_id": pa.string(), "thread_id": pa.string(), "object_id": pa.string(),
    "source_line": pa.int64(), "notes": _LIST, "raw": pa.string(),
}

# --- the SQL ---------------------------------------------------------------------
# RE2 has no look-behind and an ASCII \w and \s, so the patterns of
# undertow.entities are restated: "not preceded by" becomes "start of text or one
# character outside the set", \w becomes [\pL\pN_] (Python's Unicode \w), and \s
# also takes the Unicode separators \pZ.
_W = r"\pL\pN_"
_S = r"\s\pZ\x{0b}\x{1c}-\x{1f}\x{85}"
_URL = rf"(?i)(?:https?://|www\.)[^{_S}<>\"'，。！？、）)\]}}]+"
_WEIBO_TAG = rf"#([^#{_S}]{{1,60}})#"
_HASHTAG = rf"(?:^|[^{_W}&/])[#＃]([{_W}]+)"
# A bounded repeat of a Unicode class ({1,50}) makes RE2 build a huge program: the
# whole run of handle characters is taken and cut to 50, which is the same.
_MENTION = rf"(?:^|[^{_W}.@/])@([{_W}\-\x{{4e00}}-\x{{9fff}}]+)"
_TRAILING = ".,;:!?…"
# ISO 8601 as datetime.fromisoformat reads it, restricted to the common shapes.
# Where both read a value, DuckDB's TIMESTAMPTZ cast gives the same instant.
_ISO_BASE = (r"^[12]\d{3}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d"
             r"(?::[0-5]\d(?:\.\d{1,6})?)?)?")
_OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)"
_ISO = _ISO_BASE + _OFFSET + "?$"
_ISO_WITH_OFFSET = _ISO_BASE + _OFFSET + "$"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _derive_sql(naive_is_utc: bool) -> str:
    iso = _sql_str(_ISO if naive_is_utc else _ISO_WITH_OFFSET)
    w_tag = _sql_str(_WEIBO_TAG)
    rest = f"regexp_replace(text, {w_tag}, ' ', 'g')"
    script, cleaned = sql_language_parts("_clean")
    return f"""
        SELECT
          CASE WHEN regexp_full_match(created_at, {iso})
               THEN try_cast(created_at AS TIMESTAMPTZ)::TIMESTAMP END AS created_vec,
          CASE WHEN urls IS NOT NULL THEN urls
               WHEN NOT regexp_matches(text, '(?i)http|www\\.') THEN []
               ELSE list_transform(regexp_extract_all(text, {_sql_str(_URL)}),
                                   lambda u: rtrim(u, {_sql_str(_TRAILING)})) END AS urls,
          CASE WHEN hashtags IS NOT NULL THEN hashtags
               WHEN NOT (contains(text, '#') OR contains(text, '＃')) THEN []
               ELSE list_filter(list_concat(
                 list_transform(regexp_extract_all(text, {w_tag}, 1), lambda t: trim(t)),
                 regexp_extract_all({rest}, {_sql_str(_HASHTAG)}, 1)), lambda t: t <> '')
               END AS hashtags,
          CASE WHEN mentions IS NOT NULL THEN mentions
               WHEN NOT contains(text, '@') THEN []
               ELSE list_transform(regexp_extract_all(text, {_sql_str(_MENTION)}, 1),
                                   lambda m: left(m, 50)) END AS mentions,
          {script} AS lang_script,
          {cleaned} AS lang_clean
        FROM (SELECT *, CASE WHEN lang IS NULL THEN {sql_clean("text")} END AS _clean
              FROM batch)
    """


_local = threading.local()
#: URLs recur across batches (a pushed link); each is normalised once per run.
_normal_url = lru_cache(maxsize=1 << 17)(normalize_url)


def _connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection per thread, for the vectorised rules."""
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        _local.con = con
    return con


# --- the batch -----------------------------------------------------------------


def complete(batch: pa.Table) -> pa.Table:
    """``batch`` with every column of :data:`INPUT_FIELDS`, in that order and type."""
    n = batch.num_rows
    cols = []
    for name, typ in INPUT_FIELDS.items():
        if name in batch.column_names:
            col = batch.column(name)
            cols.append(col if col.type == typ else col.cast(typ))
        else:
            cols.append(pa.nulls(n, typ))
    return pa.table(cols, names=list(INPUT_FIELDS))


def derive_posts(batch: pa.Table, platform: str, tz: tzinfo = UTC) -> tuple[pa.Table, pa.Table]:
    """Rows of ``posts`` and rejected records (line, reason, raw) from one batch.

    ``batch`` holds the fields of :data:`INPUT_FIELDS` (absent ones are null);
    ``created_at`` is text as the source wrote it, read in ``tz`` when it has no
    offset. A record is rejected when it is over 1 MB, has no author, or has no
    time that can be read; everything else is derived (text without NUL bytes,
    entities where the source gave none, normalised URLs and language, a stable
    id where the source gave none).
    """
    batch = complete(batch).combine_chunks()
    n = batch.num_rows
    if n == 0:
        return POSTS_SCHEMA.empty_table(), REJECTED_SCHEMA.empty_table()
    raw = pc.fill_null(batch.column("raw"), "")
    text = pc.fill_null(batch.column("text"), "")
    # Per row, only where there is something to say (most rows have neither).
    notes: dict[int, list[str]] = {}
    reasons: dict[int, str] = {}

    lengths = pc.binary_length(raw)  # bytes of UTF-8, not characters
    for i in _where(pc.greater(lengths, MAX_RECORD_BYTES)):
        reasons[i] = f"record too long ({lengths[i].as_py()} bytes > 1 MB)"
    authors = batch.column("author_id")
    for i in _where(pc.fill_null(pc.equal(authors, ""), True)):
        reasons.setdefault(i, "missing author id")
    with_nul = _where(pc.match_substring(text, "\x00"))
    if with_nul:
        text = pc.replace_substring(text, "\x00", "")
        raw = pc.replace_substring(raw, "\x00", "")
        for i in with_nul:
            notes.setdefault(i, []).append("NUL bytes removed from text")
    platforms = pc.fill_null(batch.column("platform"), platform)
    batch = batch.set_column(batch.column_names.index("text"), "text", text)

    con = _connection()
    con.register("batch", batch)
    try:
        derived = con.sql(_derive_sql(tz is UTC)).to_arrow_table()
    finally:
        con.unregister("batch")

    created = _times(batch, derived.column("created_vec"), platforms, tz, notes, reasons)
    post_ids = _post_ids(batch.column("post_id"), platforms, authors, created, text, reasons)
    given_notes = batch.column("notes")
    for i in _where(pc.is_valid(given_notes)):
        notes.setdefault(i, []).extend(given_notes[i].as_py())
    urls = derived.column("urls")
    posts = pa.table({
        "platform": platforms, "post_id": post_ids, "author_id": authors,
        "author_name": batch.column("author_name"), "created_at": created, "text": text,
        "lang": _languages(batch.column("lang"), text, derived),
        "urls": urls, "urls_norm": _normalized_urls(urls),
        "hashtags": derived.column("hashtags"), "mentions": derived.column("mentions"),
        **{name: batch.column(name) for name in (
            "reply_to_post_id", "reply_to_author_id", "repost_of_post_id", "thread_id",
            "object_id")},
        "source_file": pa.nulls(n, pa.string()), "source_line": batch.column("source_line"),
        "notes": _sparse(n, {i: "; ".join(x) for i, x in notes.items() if x}),
        "raw": raw,
    })
    if not reasons:
        return posts.cast(POSTS_SCHEMA), REJECTED_SCHEMA.empty_table()
    order = sorted(reasons)
    rejected = pa.table({
        "line": pc.take(batch.column("source_line"), pa.array(order, pa.int64())),
        "reason": pa.array([reasons[i] for i in order], pa.string()),
        "raw": pc.take(raw, pa.array(order, pa.int64())),
    })
    keep = pc.invert(_sparse(n, dict.fromkeys(order, True), pa.bool_(), False))
    return posts.filter(keep).cast(POSTS_SCHEMA), rejected.cast(REJECTED_SCHEMA)


def _where(mask: Any) -> list[int]:
    """Row numbers where a boolean column is true (null counts as false)."""
    return list(pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist())


def _sparse(n: int, values: dict[int, Any], typ: pa.DataType = _TEXT,
            default: Any = None) -> pa.Array:
    """A column of ``n`` rows: ``values`` at their rows, ``default`` elsewhere."""
    column = [default] * n
    for i, value in values.items():
        column[i] = value
    return pa.array(column, typ)


def _times(batch: pa.Table, vectorised: pa.ChunkedArray, platforms: Any, tz: tzinfo,
           notes: dict[int, list[str]], reasons: dict[int, str]) -> pa.Array:
    """Creation times: the vectorised ones, the rest parsed one by one."""
    missing = _where(pc.is_null(vectorised))
    if not missing:
        return vectorised.combine_chunks()
    times: list[datetime | None] = vectorised.to_pylist()
    # Sources whose times are not ISO 8601 (Weibo's, the IRA's) land here for every
    # post: their values are taken out once, not looked up one by one.
    rows = [i for i in missing if i not in reasons]
    values = _at(batch.column("created_at"), rows)
    ids, where = _at(batch.column("post_id"), rows), _at(platforms, rows)
    for i, value, post_id, platform in zip(rows, values, ids, where, strict=True):
        try:
            if value is None:
                if platform == "twitter" and post_id and post_id.isdigit():
                    times[i] = twitter_snowflake_time(post_id)
                    notes.setdefault(i, []).append("time from status id")
                else:
                    raise TimeParseError("missing time")
            else:
                times[i] = parse_time(value, tz)
        except TimeParseError as exc:
            reasons[i] = str(exc)
    return pa.array(times, pa.timestamp("us"))


def _post_ids(given: pa.ChunkedArray, platforms: Any, authors: Any, created: pa.Array,
              text: Any, reasons: dict[int, str]) -> pa.Array:
    """The source's ids, and a :func:`stable_id` for posts without one."""
    missing = _where(pc.is_null(given))
    if not missing:
        return given.combine_chunks()
    ids = given.to_pylist()
    rows = [i for i in missing if i not in reasons]
    for i, *key in zip(rows, *(_at(c, rows) for c in (platforms, authors, created, text)),
                       strict=True):
        ids[i] = stable_id(*key)
    return pa.array(ids, pa.string())


def _at(column: Any, rows: list[int]) -> list[Any]:
    """The values of ``column`` at ``rows``, as Python objects."""
    return list(pc.take(column, pa.array(rows, pa.int64())).to_pylist())


def _languages(given: pa.ChunkedArray, text: Any, derived: pa.Table) -> pa.Array:
    """ISO 639-1 codes: the source's, normalised, or detected from the text (the
    script and cleaned text of posts without a language come from the SQL)."""
    values = pc.dictionary_encode(given.combine_chunks())
    codes = pa.array([normalize_lang(v) for v in values.dictionary.to_pylist()], pa.string())
    langs = pc.take(codes, values.indices)
    missing = _where(pc.is_null(langs))
    if not missing:
        return langs
    filled: list[str | None] = langs.to_pylist()
    given_any = _where(pc.is_valid(given))  # a language the source gave but we cannot read
    unreadable = sorted(set(missing) & set(given_any))
    if unreadable:
        texts = pc.take(text, pa.array(unreadable, pa.int64())).to_pylist()
        for i, lang in zip(unreadable, detect_languages(texts), strict=True):
            filled[i] = lang
    scripts = derived.column("lang_script").to_pylist()
    cleaned = derived.column("lang_clean").to_pylist()
    todo: dict[str, list[int]] = {}
    for i in missing:
        if scripts[i] is not None:
            filled[i] = scripts[i]
        elif cleaned[i] is not None:
            todo.setdefault(cleaned[i], []).append(i)
    predict(todo, filled)
    return pa.array(filled, pa.string())


def _normalized_urls(urls: pa.ChunkedArray) -> pa.Array:
    """:func:`normalize_url` of every URL, each distinct URL normalised once."""
    urls = urls.combine_chunks()
    flat = pc.dictionary_encode(pc.list_flatten(urls))
    normal = pa.array([_normal_url(u) for u in flat.dictionary.to_pylist()], pa.string())
    values = pc.take(normal, flat.indices)
    offsets = pc.subtract(urls.offsets, urls.offsets[0])
    return pa.ListArray.from_arrays(offsets, values, mask=pc.is_null(urls))
