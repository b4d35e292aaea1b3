"""Opinion at scale: scoring, ``opinion`` and ``spikes`` time and peak memory on 1M and 10M posts.

Uses the workspaces ``bench_scale.py`` builds and caches (an ``undertow simulate``
stream, seed 1, 7 days, with its detection), copied so the cache stays as it was.
Each step runs in a fresh process whose peak resident memory is read from
``wait4``:

- scoring every post with the fast tier in one process, all at once (``batch_rows``
  larger than the stream: how Undertow scored before it read a batch at a time),
- the same, 100,000 posts at a time,
- the same in a process a core (the default for 200,000 posts or more); then, with
  the scores kept,
- ``undertow opinion`` (brand against rival, all and organic) and
- ``undertow spikes --by hour``.

Scoring all at once is skipped above ``--whole-up-to`` posts (10M would need more
memory than these machines have), and in one process above ``--one-up-to``.

Usage:
    python bench/bench_opinion_scale.py [--sizes 1000000,10000000]
        [--cache /tmp/undertow-bench-scale] [--out bench/results/opinion_scale.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import GIB, UNDERTOW, run_measured, workspace  # noqa: E402

BRAND = "Xiaomi=Xiaomi,小米,Redmi,红米,SU7"
RIVAL = "Apple=Apple,苹果,iPhone"
#: Rows a batch when scoring "all at once": more than any stream here.
WHOLE = 10 ** 12


def score_cmd(ws: Path, batch_rows: int, workers: int | None) -> list[str]:
    """A fresh process that forgets every stored score, then scores every post in
    ``workers`` processes (``None``: as Undertow chooses)."""
    code = ("import sys; from undertow import Workspace; "
            "from undertow.opinion.scored import score_posts; "
            "ws = Workspace.open(sys.argv[1]); "
            "ws.con.execute('DROP TABLE IF EXISTS post_sentiment'); "
            "ws.con.execute('DROP TABLE IF EXISTS post_sentiment_scorer'); "
            "workers = int(sys.argv[3]) or None; "
            "print(score_posts(ws, batch_rows=int(sys.argv[2]), workers=workers), 'scored')")
    return [sys.executable, "-c", code, str(ws), str(batch_rows), str(workers or 0)]


def detected(ws: Path) -> bool:
    """Whether ``undertow detect`` has stored its campaigns in the workspace."""
    from undertow import Workspace
    from undertow.opinion.scored import has_detection

    with Workspace.open(ws, read_only=True) as opened:
        return has_detection(opened)


def bench_size(n: int, args: argparse.Namespace, console: Console) -> list[dict[str, Any]]:
    cached, _, _ = workspace(n, args.cache, console)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="undertow-opinion-scale-") as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(cached, ws)
        if not detected(ws):  # the organic cohort needs the campaigns (not timed)
            console.print(f"{n:,} posts: detecting campaigns first …")
            run_measured([*UNDERTOW, "detect", "-w", str(ws), "--out", str(Path(tmp) / "detect")],
                         Path(tmp) / "detect.log")
        steps: list[tuple[str, list[str]]] = []
        if n <= args.whole_up_to:
            steps.append(("score, all at once, one process", score_cmd(ws, WHOLE, 1)))
        if n <= args.one_up_to:
            steps.append(("score, 100,000 at a time, one process", score_cmd(ws, 100_000, 1)))
        steps += [
            ("score, 100,000 at a time, a process a core", score_cmd(ws, 100_000, None)),
            ("opinion (scores kept)", [*UNDERTOW, "opinion", "--workspace", str(ws),
                                       "--brand", BRAND, "--rival", RIVAL,
                                       "--out", str(Path(tmp) / "opinion")]),
            ("spikes --by hour (scores kept)", [*UNDERTOW, "spikes", "--workspace", str(ws),
                                                "--brand", BRAND, "--brand", RIVAL,
                                                "--by", "hour"]),
        ]
        for name, cmd in steps:
            console.print(f"{n:,} posts: {name} …")
            got = run_measured(cmd, Path(tmp) / "step.log", tree=True)
            if got["rc"] != 0:
                tail = (Path(tmp) / "step.log").read_text(encoding="utf-8", errors="replace")
                got["log_tail"] = tail[-2000:]
            rows.append({"posts": n, "step": name, **got})
    return rows


def report(rows: list[dict[str, Any]], console: Console) -> None:
    table = Table(title="Opinion at scale (fresh process per step, peak RSS from wait4)")
    for head in ("posts", "step", "wall s", "CPU s", "peak RSS GiB", "with workers",
                 "status"):
        table.add_column(head, justify="left" if head in ("step", "status") else "right")
    for r in rows:
        table.add_row(f"{r['posts']:,}", r["step"], f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}",
                      f"{r['peak_rss_bytes'] / GIB:.2f}",
                      f"{r['peak_tree_rss_bytes'] / GIB:.2f}", "ok" if r["rc"] == 0 else "failed")
    console.print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000000",
                    help="comma-separated post counts (10000000 takes about 8 minutes with "
                         "--one-up-to 0, about 17 without)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/undertow-bench-scale"),
                    help="where bench_scale.py keeps its workspaces")
    ap.add_argument("--whole-up-to", type=int, default=1_000_000,
                    help="largest stream to also score all at once")
    ap.add_argument("--one-up-to", type=int, default=1_000_000,
                    help="largest stream to also score in one process")
    ap.add_argument("--out", type=Path, default=Path("bench/results/opinion_scale.json"))
    args = ap.parse_args()
    console = Console()
    rows: list[dict[str, Any]] = []
    for n in (int(s) for s in args.sizes.split(",")):
        rows += bench_size(n, args, console)
    report(rows, console)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=2), encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
