"""Coordination detection at scale: ``undertow detect`` wall time and peak memory up to 10M posts.

For each size, an ``undertow simulate`` stream (seed 1, 7 days) is written and
ingested once into a workspace kept in ``--cache`` (simulating and ingesting 10M
posts takes about 10 minutes; later runs reuse it). Then ``undertow detect``
(all signals, DuckDB, ``--memory-limit``) runs in a fresh process whose peak
resident memory is read from ``wait4`` (the kernel's ``ru_maxrss`` of that one
process, DuckDB's threads included), and ``undertow evaluate`` scores it
against the planted truth.

Usage:
    python bench/bench_scale.py [--sizes 1000000,10000000] [--cache /tmp/undertow-bench-scale]
        [--memory-limit 2GB] [--out bench/results/scale.json]

Targets (the coordination issue): all signals at 1M in <= 60 s, 10M posts in
<= 10 minutes under 4 GiB, on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

SEED = 1
GIB = 1024 ** 3
UNDERTOW = [sys.executable, "-m", "undertow.cli"]
#: ``undertow`` with each detection step logged as it ends (the log is kept).
LOGGED = [sys.executable, "-c", "import logging; logging.basicConfig(level=logging.INFO, "
          "format='%(asctime)s %(message)s'); from undertow.cli import main; main()"]


def run_measured(cmd: list[str], log: Path, tree: bool = False) -> dict[str, Any]:
    """Run ``cmd`` in a fresh process: exit status, wall and CPU seconds, peak RSS bytes.

    With ``tree``, also ``peak_tree_rss_bytes``: the peak of the resident memory of the
    process and every process under it together, sampled every 0.2 s (``wait4`` gives
    the process's own peak, and of its children only the largest).
    """
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], tree_rss(proc.pid))

        watcher = threading.Thread(target=sample, daemon=True)
        if tree:
            watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        if tree:
            watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    got = {"rc": proc.returncode, "wall_s": round(time.perf_counter() - started, 1),
           "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
           "peak_rss_bytes": usage.ru_maxrss * 1024}
    if tree:
        got["peak_tree_rss_bytes"] = max(peak[0], got["peak_rss_bytes"])
    return got


def tree_rss(root: int) -> int:
    """Resident bytes of process ``root`` and every process under it, from /proc."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, more = {root}, {root}
    while more:
        more = {pid for pid, ppid in parent.items() if ppid in more} - tree
        tree |= more
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            continue
    return total * os.sysconf("SC_PAGE_SIZE")


def workspace(n: int, cache: Path, console: Console) -> tuple[Path, Path, dict[str, Any]]:
    """The cached workspace and truth file for ``n`` posts, built if missing."""
    here = cache / str(n)
    ws, truth, done = here / "ws", here / "truth.json", here / "ws" / ".built.json"
    if done.exists():
        return ws, truth, json.loads(done.read_text(encoding="utf-8"))
    shutil.rmtree(here, ignore_errors=True)
    here.mkdir(parents=True)
    posts = here / "posts.jsonl"
    console.print(f"building the {n:,}-post workspace in {here} …")
    sim = run_measured([*UNDERTOW, "simulate", "--posts", str(n), "--out", str(posts),
                        "--truth", str(truth), "--seed", str(SEED)], here / "simulate.log")
    ing = run_measured([*UNDERTOW, "ingest", str(posts), "-w", str(ws)], here / "ingest.log")
    if sim["rc"] or ing["rc"]:
        raise SystemExit(f"building {n:,} failed; see {here}/*.log")
    posts.unlink()  # 3 GB at 10M; the workspace holds the posts
    built = {"simulate": sim, "ingest": ing}
    done.write_text(json.dumps(built), encoding="utf-8")
    return ws, truth, built


def bench_size(n: int, args: argparse.Namespace, console: Console) -> dict[str, Any]:
    ws, truth, built = workspace(n, args.cache, console)
    out = args.cache / str(n) / "detect"
    shutil.rmtree(out, ignore_errors=True)
    load_start = [round(x, 2) for x in os.getloadavg()]
    log = args.cache / str(n) / "detect.log"
    run = run_measured([*LOGGED, "detect", "-w", str(ws), "--out", str(out), "--json",
                        "--memory-limit", args.memory_limit], log)
    result: dict[str, Any] = {"posts": n, "memory_limit": args.memory_limit, "detect": run,
                              "build": built, "loadavg_at_start": load_start,
                              "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]}
    text = log.read_text(encoding="utf-8", errors="replace")
    if run["rc"]:
        result["error"] = text[-2000:]
        return result
    result["summary"] = json.loads(text.strip().splitlines()[-1])
    scored = subprocess.run([*UNDERTOW, "evaluate", "--truth", str(truth), "--detected",
                             str(out), "--json"], capture_output=True, text=True, check=True)
    result["accuracy"] = json.loads(scored.stdout)
    return result


def report(results: list[dict[str, Any]], console: Console) -> None:
    table = Table(title=f"undertow detect, all signals, DuckDB, {os.cpu_count()} cores "
                        "(fresh process per run)")
    for col in ("posts", "memory limit", "wall s", "CPU s", "peak RSS GiB", "features",
                "pairs", "significance", "bursts", "campaigns", "campaigns found",
                "precision", "recall", "ARI", "outrage flagged"):
        table.add_column(col, justify="right")
    for r in results:
        d, s = r["detect"], r.get("summary", {})
        t, a = s.get("seconds", {}), r.get("accuracy", {})
        o = a.get("organic_outrage_flagged", {})
        table.add_row(f"{r['posts']:,}", r["memory_limit"], f"{d['wall_s']:.1f}",
                      f"{d['cpu_s']:.1f}", f"{d['peak_rss_bytes'] / GIB:.2f}",
                      *(f"{t[k]:.1f}" if k in t else "—"
                        for k in ("features", "pairs", "significance", "bursts", "campaigns")),
                      str(s.get("campaigns", "error")),
                      *(f"{a[k]:.3f}" if a.get(k) is not None else "—"
                        for k in ("precision", "recall", "ari_planted")),
                      f"{o.get('count', '—')} of {o.get('total', '—')}")
    console.print(table)
    for r in results:
        wall, peak = r["detect"]["wall_s"], r["detect"]["peak_rss_bytes"] / GIB
        if r["posts"] == 1_000_000:
            met = wall <= 60 and not r["detect"]["rc"]
            verdict = "MET" if met else "NOT MET"
            console.print(f"target 1M ≤ 60 s: {wall:.1f} s — [bold]{verdict}[/]")
        if r["posts"] == 10_000_000:
            met = wall <= 600 and peak <= 4 and not r["detect"]["rc"]
            console.print(f"target 10M ≤ 600 s under 4 GiB: {wall:.1f} s, {peak:.2f} GiB — "
                          f"[bold]{'MET' if met else 'NOT MET'}[/]")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", default="1000000,10000000",
                    help="comma-separated post counts (default 1000000,10000000)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/undertow-bench-scale"),
                    help="where the simulated workspaces are kept between runs")
    ap.add_argument("--memory-limit", default="2GB", help="passed to undertow detect")
    ap.add_argument("--out", type=Path, default=Path("bench/results/scale.json"))
    args = ap.parse_args()
    console = Console(width=max(Console().width, 170))
    import duckdb

    results = []
    doc: dict[str, Any] = {"benchmark": "coordination_scale", "python": sys.version.split()[0],
                           "duckdb": duckdb.__version__, "cpus": os.cpu_count(), "seed": SEED,
                           "results": results}
    for n in (int(s) for s in args.sizes.split(",") if s):
        r = bench_size(n, args, console)
        results.append(r)
        console.print(f"{n:,} posts: detect {r['detect']['wall_s']:.1f} s, peak "
                      f"{r['detect']['peak_rss_bytes'] / GIB:.2f} GiB"
                      + (f" — failed: {r['error'][-300:]}" if "error" in r else ""))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    report(results, console)
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
