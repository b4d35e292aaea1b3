"""Ingest throughput: 1M generic CSV rows and 1M Twitter API v2 records.

Side by side in one run, on the same files: Undertow's ``ingest`` (validation,
quarantine, dedupe, entity extraction, URL normalisation, language detection
where absent, raw kept) against DuckDB loading the same file with no checks at
all (``read_csv`` / ``read_json`` into a table), the floor any ingest pays.

Usage:
    python bench/bench_ingest.py [--rows 1000000] [--out bench/results/ingest.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import orjson
from rich.console import Console
from rich.table import Table

from undertow import Workspace, ingest
from undertow.simulate import simulate


def write_csv(posts: list[dict], path: Path, with_lang: bool) -> None:
    cols = ["post_id", "author_id", "author_name", "created_at", "text"] + (
        ["lang"] if with_lang else [])
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for p in posts:
            w.writerow([p[c] for c in cols])


def write_twitter_v2(posts: list[dict], path: Path, page: int = 100) -> None:
    """JSON Lines of API v2 response pages (``data`` + ``includes.users``)."""
    with path.open("wb") as f:
        for start in range(0, len(posts), page):
            chunk = posts[start:start + page]
            data, users = [], {}
            for p in chunk:
                tweet = {"id": p["post_id"], "author_id": p["author_id"],
                         "created_at": p["created_at"], "text": p["text"], "lang": p["lang"]}
                if p.get("reply_to_post_id"):
                    tweet["referenced_tweets"] = [{"type": "replied_to",
                                                   "id": p["reply_to_post_id"]}]
                if p.get("repost_of_post_id"):
                    tweet["referenced_tweets"] = [{"type": "retweeted",
                                                   "id": p["repost_of_post_id"]}]
                data.append(tweet)
                users[p["author_id"]] = {"id": p["author_id"], "username": p["author_name"],
                                         "name": p["author_name"]}
            f.write(orjson.dumps({"data": data, "includes": {"users": list(users.values())},
                                  "meta": {"result_count": len(data)}}) + b"\n")


def cpu_seconds() -> float:
    """CPU time of this process so far, all threads."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def time_undertow(path: Path, fmt: str, work: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of ingesting ``path`` into a fresh workspace."""
    ws_dir = work / f"ws-{path.stem}"
    shutil.rmtree(ws_dir, ignore_errors=True)
    with Workspace.open(ws_dir) as ws:
        started, cpu = time.perf_counter(), cpu_seconds()
        report = ingest(ws, [path], fmt=fmt)
        return time.perf_counter() - started, cpu_seconds() - cpu, report.line()


def time_duckdb_raw(path: Path, reader: str, work: Path) -> tuple[float, float]:
    """Wall and CPU seconds of DuckDB loading ``path`` into a table, no checks."""
    db = work / "raw.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    started, cpu = time.perf_counter(), cpu_seconds()
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}(?)", [str(path)])
    con.execute("CHECKPOINT")
    elapsed = time.perf_counter() - started, cpu_seconds() - cpu
    con.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("bench/results/ingest.json"))
    args = ap.parse_args()
    console = Console()
    work = Path(tempfile.mkdtemp(prefix="undertow-bench-"))
    try:
        started = time.perf_counter()
        posts = list(simulate(args.rows, seed=1).iter_posts())
        console.print(f"simulated {len(posts):,} posts in {time.perf_counter() - started:.1f} s")
        files = {
            "generic CSV (lang given)": (work / "posts_lang.csv", "csv", "read_csv"),
            "generic CSV (lang detected)": (work / "posts.csv", "csv", "read_csv"),
            "Twitter v2 pages (JSONL)": (work / "tweets.jsonl", "twitter-v2", "read_json"),
        }
        write_csv(posts, files["generic CSV (lang given)"][0], with_lang=True)
        write_csv(posts, files["generic CSV (lang detected)"][0], with_lang=False)
        write_twitter_v2(posts, files["Twitter v2 pages (JSONL)"][0])
        del posts
        results = []
        for name, (path, fmt, reader) in files.items():
            seconds, cpu, line = time_undertow(path, fmt, work)
            raw, raw_cpu = time_duckdb_raw(path, reader, work)
            results.append({"input": name, "rows": args.rows, "undertow_s": round(seconds, 2),
                            "undertow_cpu_s": round(cpu, 2),
                            "undertow_posts_per_s": round(args.rows / seconds),
                            "duckdb_raw_load_s": round(raw, 2),
                            "duckdb_raw_load_cpu_s": round(raw_cpu, 2),
                            "ratio_to_raw_load": round(seconds / raw, 1), "report": line})
        table = Table(title=f"Ingest throughput, {args.rows:,} records, DuckDB engine")
        for col in ("input", "undertow s", "CPU s", "posts/s", "DuckDB raw load s", "CPU s",
                    "× raw load"):
            table.add_column(col, justify="left" if col == "input" else "right")
        for r in results:
            table.add_row(r["input"], f"{r['undertow_s']:.1f}", f"{r['undertow_cpu_s']:.1f}",
                          f"{r['undertow_posts_per_s']:,}", f"{r['duckdb_raw_load_s']:.1f}",
                          f"{r['duckdb_raw_load_cpu_s']:.1f}", f"{r['ratio_to_raw_load']:.1f}")
        console.print(table)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"benchmark": "ingest", "python": sys.version.split()[0],
                                        "duckdb": duckdb.__version__, "results": results},
                                       indent=2), encoding="utf-8")
        console.print(f"wrote {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
