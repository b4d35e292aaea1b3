"""Coordination detection: Undertow's ``detect`` against coordination-network-toolkit 1.5.2.

Side by side in one run, on the same ``undertow simulate`` stream (seed 1), written once
as Undertow JSON Lines and once in the toolkit's CSV format (``write_posts(sim,
"x.cnt.csv")``):

- **Load**: Undertow ``ingest`` of the JSONL against the toolkit's ``preprocess_csv_files``
  into its SQLite database (both reported apart from detection).
- **Time per signal**: ``detect`` restricted to one signal (``text``, ``near_text``,
  ``link``, ``hashtag``, ``reply``, ``repost``, ``object``) and with all of them, against
  each toolkit network's compute time (``co_tweet`` ~ text, ``co_similar_tweet`` ~
  near_text, ``co_link`` ~ link, ``co_retweet`` ~ repost, ``co_reply`` ~ reply;
  ``near_text`` alone brings ``text`` with it, as co_similar_tweet counts identical
  texts as similar). Each
  toolkit network is computed in-process by the same Python function its CLI calls, with
  the CLI's settings except ``time_window=60`` (the CLI default is 1 s) and
  ``min_edge_weight=1`` (the CLI default is 2; weight >= 2 is evaluated from the same
  edges), ``n_threads`` = all CPUs as in its CLI, in a subprocess killed when the network
  is not computed after ``--timeout`` seconds (default 300; reading the edges back for
  the accuracy check gets ``--readback`` seconds more). Its GraphML export (what its CLI
  writes; the CSV export crashes) is timed separately at sizes up to ``--export-max``.
- **co_link twice**: in CSV input every post without a URL gets the URL ``''``, so
  ``co_link`` as shipped pairs all link-less posts; it is also run with those
  ``message_url`` rows deleted.
- **co_similar_tweet per window**: it compares every pair of non-repost posts within the
  window, so at sizes up to ``--sweep-max`` it is timed for each of ``--windows``
  (against ``near_text`` at the same window), with the pairs compared and the cost per
  pair; at larger sizes the time it would need is estimated from that cost.
- **Accuracy** on the planted campaigns (``undertow.coordination.evaluate``): precision,
  recall, F1, ARI over planted accounts, per planted kind, organic-outrage accounts
  flagged. For the toolkit an account is flagged when it has at least one edge (self-loops
  excluded, as in its export) of weight >= 1 (also >= 2) in a network, or in the union
  of all five; its campaigns are the connected components (python-igraph).

Usage:
    python bench/bench_coordination.py [--sizes 100000,1000000] [--quick] [--days 7]
        [--timeout 300] [--windows 10,60,300] [--out bench/results/coordination.json]

``--quick`` runs 20,000 posts only. The default takes about 18 minutes on 2 cores; wall
and CPU seconds (all threads and worker processes) are both reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

TOOLKIT_VERSION = "1.5.2"
WINDOW = 60
SEED = 1
#: Toolkit network -> the Undertow signal it corresponds to.
NETWORKS: dict[str, str] = {"co_tweet": "text", "co_similar_tweet": "near_text",
                            "co_link": "link", "co_retweet": "repost", "co_reply": "reply"}
#: Toolkit runs: (run name, network, delete the '' URL rows first). Order matters: the
#: link-less rows are deleted from the shared database, so that run comes last.
TOOLKIT_RUNS: tuple[tuple[str, str, bool], ...] = (
    ("co_tweet", "co_tweet", False),
    ("co_similar_tweet", "co_similar_tweet", False),
    ("co_link", "co_link", False),
    ("co_retweet", "co_retweet", False),
    ("co_reply", "co_reply", False),
    ("co_link_no_blank", "co_link", True),
)
RUN_LABEL = {"co_link": "co_link (as shipped)", "co_link_no_blank": "co_link ('' URLs removed)"}
#: The CLI's defaults for co_similar_tweet (the Python function's own are 0.9 / plain Jaccard).
SIMILARITY_THRESHOLD = 0.8
MIN_DOCUMENT_SIZE = 1
CLI_MIN_EDGE_WEIGHT = 2


# --- the toolkit side, run in a subprocess -------------------------------------------


def self_cpu() -> float:
    """CPU seconds (user + system) of this process so far, all threads."""
    t = os.times()
    return t.user + t.system


def children_cpu() -> float:
    """CPU seconds of the terminated, waited-for descendants of this process."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def toolkit_worker(spec_path: Path) -> None:
    """Compute one toolkit network as its CLI does; write timings and the edges."""
    from coordination_network_toolkit import compute_networks as cn
    from coordination_network_toolkit.graph import get_edge_rows
    from coordination_network_toolkit.output import write_output
    from coordination_network_toolkit.similarity import get_similarity_fn_from_min_size

    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    db, network, window = spec["db"], spec["network"], spec["window"]
    out: dict[str, Any] = {}

    def save() -> None:  # atomically: the parent polls for this file
        tmp = Path(spec["result"] + ".part")
        tmp.write_text(json.dumps(out), encoding="utf-8")
        os.replace(tmp, spec["result"])

    if spec["drop_blank_urls"]:
        con = sqlite3.connect(db)
        with con:
            out["blank_url_rows_deleted"] = con.execute(
                "delete from message_url where url = ''").rowcount
        con.close()
    common = {"n_threads": spec["n_threads"], "min_edge_weight": spec["min_edge_weight"]}
    cpu_started = self_cpu()
    started = time.perf_counter()
    if network == "co_tweet":
        cn.compute_co_tweet_network(db, window, **common)
    elif network == "co_similar_tweet":
        cn.compute_co_similar_tweet(
            db, window, similarity_threshold=SIMILARITY_THRESHOLD,
            similarity_function=get_similarity_fn_from_min_size(MIN_DOCUMENT_SIZE), **common)
    elif network == "co_link":
        cn.compute_co_link_network(db, window, **common)
    elif network == "co_retweet":
        cn.compute_co_retweet_parallel(db, window, **common)
    elif network == "co_reply":
        cn.compute_co_reply_network(db, window, **common)
    else:
        raise ValueError(f"unknown network {network}")
    out["compute_s"] = time.perf_counter() - started
    out["self_cpu_compute"] = self_cpu() - cpu_started
    save()
    if spec.get("edges"):
        schema = pa.schema([("user_1", pa.string()), ("user_2", pa.string()),
                            ("weight", pa.int64())])
        rows = get_edge_rows(db, network, loops=False)
        n_edges = 0
        part = spec["edges"] + ".part"
        with pq.ParquetWriter(part, schema) as writer:
            while chunk := rows.fetchmany(200_000):
                n_edges += len(chunk)
                u1, u2, w, _ = zip(*chunk, strict=True)
                writer.write_table(pa.table([pa.array(u1, pa.string()), pa.array(u2, pa.string()),
                                             pa.array(w, pa.int64())], schema=schema))
        os.replace(part, spec["edges"])  # whole or absent, even if killed
        out["edges"] = n_edges
        save()
    if spec.get("graphml"):
        started = time.perf_counter()
        write_output(db, network, spec["graphml"], output_type="graphml", loops=False,
                     n_messages=10)
        out["export_s"] = time.perf_counter() - started
    # Everything this process did outside the compute step (imports, read-back, export):
    # the parent subtracts it from the CPU time of the whole process tree.
    out["self_cpu_outside_compute"] = self_cpu() - out["self_cpu_compute"]
    save()


def run_toolkit(spec: dict[str, Any], work: Path, timeout: float, readback: float
                ) -> dict[str, Any]:
    """Run :func:`toolkit_worker` in its own process group.

    The whole group is killed when the network is not computed after ``timeout`` s, or
    when reading its edges back and exporting take ``readback`` s more.
    """
    name = spec["name"]
    spec_path, result = work / f"{name}.spec.json", work / f"{name}.result.json"
    result.unlink(missing_ok=True)
    if spec.get("edges"):
        Path(spec["edges"]).unlink(missing_ok=True)
    spec_path.write_text(json.dumps({**spec, "result": str(result)}), encoding="utf-8")
    log = work / f"{name}.log"
    cpu_before = children_cpu()
    started = time.perf_counter()
    deadline, computed = started + timeout, False
    with log.open("wb") as lf:
        proc = subprocess.Popen([sys.executable, __file__, "--toolkit-worker", str(spec_path)],
                                stdout=lf, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while (rc := proc.poll()) is None:
                now = time.perf_counter()
                if not computed and result.exists():  # written right after the compute step
                    computed, deadline = True, now + readback
                if now >= deadline:
                    break
                time.sleep(0.1)
        finally:
            if proc.poll() is None:  # timed out, or this process was interrupted
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    wall = time.perf_counter() - started
    tree_cpu = children_cpu() - cpu_before
    out: dict[str, Any] = json.loads(result.read_text()) if result.exists() else {}
    if rc is None:
        status = (f"computed; edge read-back/export killed after {readback:g} s"
                  if "compute_s" in out else "timeout")
    elif rc != 0:
        status = "error"
        out["log_tail"] = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    else:
        status = "ok"
        # CPU of the worker and its pool processes in the compute step, all cores summed.
        out["compute_cpu_s"] = tree_cpu - out.pop("self_cpu_outside_compute")
    out.update(status=status, wall_s=round(wall, 2))
    for key in ("compute_s", "compute_cpu_s", "export_s", "self_cpu_compute"):
        if key in out:
            out[key] = round(out[key], 2)
    return out


def toolkit_preprocess(csv_path: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU seconds of loading the CSV into the toolkit's SQLite database."""
    from coordination_network_toolkit.preprocess import preprocess_csv_files

    db.unlink(missing_ok=True)
    cpu, started = self_cpu(), time.perf_counter()
    preprocess_csv_files(str(db), [str(csv_path)])
    return time.perf_counter() - started, self_cpu() - cpu


def window_pairs(timestamps: np.ndarray, window: float) -> int:
    """Ordered pairs (self included) within ``window`` s: what co_similar_tweet compares."""
    t = np.sort(timestamps)
    return int((np.searchsorted(t, t + window, side="right")
                - np.searchsorted(t, t - window, side="left")).sum())


def toolkit_accounts(edge_files: Iterable[Path], min_weight: int) -> list[dict[str, Any]]:
    """Accounts with an edge of ``min_weight`` or more, campaign = connected component."""
    import igraph as ig

    parts = [pq.read_table(p) for p in edge_files if p.exists()]
    parts = [t.filter(pc.greater_equal(t["weight"], min_weight)) for t in parts]
    if not parts or sum(t.num_rows for t in parts) == 0:
        return []
    edges = pa.concat_tables(parts)
    both = np.concatenate([edges["user_1"].to_numpy(zero_copy_only=False),
                           edges["user_2"].to_numpy(zero_copy_only=False)]).astype(str)
    ids, codes = np.unique(both, return_inverse=True)
    pairs = codes.reshape(2, -1).T
    graph = ig.Graph(n=len(ids), edges=pairs.tolist(), directed=False)
    membership = graph.connected_components().membership
    return [{"account_id": str(a), "campaign_id": f"cc{m}"}
            for a, m in zip(ids, membership, strict=True)]


# --- the Undertow side ----------------------------------------------------------------


def undertow_ingest(jsonl: Path, ws_dir: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``ingest`` into a fresh workspace, and its report line."""
    from undertow import Workspace, ingest

    shutil.rmtree(ws_dir, ignore_errors=True)
    with Workspace.open(ws_dir) as ws:
        cpu, started = self_cpu(), time.perf_counter()
        report = ingest(ws, [jsonl])
        return time.perf_counter() - started, self_cpu() - cpu, report.line()


def undertow_detect(ws_dir: Path, signals: Sequence[str] | None, window: float = WINDOW
                    ) -> tuple[float, float, Any]:
    """Wall and CPU seconds (all DuckDB threads) of ``detect``, and its result."""
    from undertow import Workspace
    from undertow.coordination.detect import DetectParams, detect

    params = DetectParams(window=window) if signals is None else DetectParams(
        window=window, signals=tuple(signals))
    with Workspace.open(ws_dir) as ws:
        cpu, started = self_cpu(), time.perf_counter()
        result = detect(ws, params)
        return time.perf_counter() - started, self_cpu() - cpu, result


# --- one size -------------------------------------------------------------------------


def bench_size(n: int, args: argparse.Namespace, work: Path, console: Console
               ) -> dict[str, Any]:
    from undertow.coordination.detect import SIGNALS
    from undertow.coordination.evaluate import evaluate
    from undertow.simulate import simulate, write_posts, write_truth

    here = work / str(n)
    here.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sim = simulate(n, seed=SEED, days=args.days)
    cnt, jsonl = write_posts(sim, here / "posts.cnt.csv"), write_posts(sim, here / "posts.jsonl")
    truth_path = write_truth(sim, here / "truth.json")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    non_repost = sim.timestamps[np.array([r is None for r in sim.columns["repost_of_post_id"]])]
    del sim
    console.print(f"[bold]{n:,} posts[/] simulated and written in "
                  f"{time.perf_counter() - started:.1f} s")
    out: dict[str, Any] = {"posts": n, "window_s": WINDOW,
                           "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}

    # Undertow: ingest, then detect per signal and with all of them.
    ws_dir = here / "ws"
    ingest_s, ingest_cpu, line = undertow_ingest(jsonl, ws_dir)
    out["undertow_ingest"] = {"seconds": round(ingest_s, 2), "cpu_s": round(ingest_cpu, 2),
                              "report": line}
    console.print(f"  undertow ingest {ingest_s:.1f} s, CPU {ingest_cpu:.1f} s ({line})")
    ours: dict[str, dict[str, Any]] = {}
    all_result: Any = None
    for sig in (*SIGNALS, "all"):
        seconds, cpu, result = undertow_detect(ws_dir, None if sig == "all" else [sig])
        ours[sig] = {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), **result.summary(),
                     "timings": result.timings}
        console.print(f"  undertow detect {sig:<9} {seconds:6.1f} s  CPU {cpu:6.1f} s  "
                      f"{len(result.accounts):>6,} accounts  {len(result.edges):>7,} edges")
        if sig == "all":
            all_result = result
    out["undertow"] = ours

    # Toolkit: preprocess, then each network in a subprocess with a hard timeout.
    db = here / "toolkit.db"
    pre_s, pre_cpu = toolkit_preprocess(cnt, db)
    out["toolkit_preprocess"] = {"seconds": round(pre_s, 2), "cpu_s": round(pre_cpu, 2)}
    console.print(f"  toolkit preprocess {pre_s:.1f} s, CPU {pre_cpu:.1f} s")
    export = n <= args.export_max
    theirs: dict[str, dict[str, Any]] = {}
    base = {"db": str(db), "window": WINDOW, "min_edge_weight": 1, "n_threads": args.cpus}
    for name, network, drop in TOOLKIT_RUNS:
        spec = {**base, "name": name, "network": network, "drop_blank_urls": drop,
                "edges": str(here / f"{name}.edges.parquet"),
                "graphml": str(here / f"{name}.graphml") if export else None}
        res = run_toolkit(spec, here, args.timeout, args.readback)
        theirs[name] = res
        (here / f"{name}.graphml").unlink(missing_ok=True)
        shown = f"{res['compute_s']:.1f} s" if "compute_s" in res else res["status"]
        console.print(f"  toolkit {name:<17} {shown:>10}  CPU {_s(res.get('compute_cpu_s')):>6} s"
                      f"  {res.get('edges', 0):>9,} edges (no loops)  [{res['status']}]")
    out["toolkit"] = theirs

    # co_similar_tweet against near_text, window by window.
    sweep: list[dict[str, Any]] = []
    sim_res = theirs["co_similar_tweet"]
    windows = args.windows if n <= args.sweep_max else [WINDOW]
    for w in windows:
        pairs = window_pairs(non_repost, w)
        if w == WINDOW:
            tk, ours_s, ours_cpu = sim_res, ours["near_text"]["seconds"], ours["near_text"]["cpu_s"]
        else:
            tk = run_toolkit({**base, "window": w, "name": f"co_similar_tweet_w{w}",
                              "network": "co_similar_tweet", "drop_blank_urls": False,
                              "edges": None, "graphml": None}, here, args.timeout,
                             args.readback)
            ours_s, ours_cpu, _ = undertow_detect(ws_dir, ["near_text"], window=w)
        tk_s, tk_cpu = tk.get("compute_s"), tk.get("compute_cpu_s")
        sweep.append({"window_s": w, "pairs_compared": pairs, "toolkit_s": tk_s,
                      "toolkit_cpu_s": tk_cpu, "toolkit_status": tk["status"],
                      "toolkit_us_per_pair": round(tk_s / pairs * 1e6, 2) if tk_s else None,
                      "toolkit_cpu_us_per_pair": (round(tk_cpu / pairs * 1e6, 2) if tk_cpu
                                                  else None),
                      "undertow_near_text_s": round(ours_s, 2),
                      "undertow_near_text_cpu_s": round(ours_cpu, 2)})
    out["co_similar_by_window"] = sweep

    # Accuracy on the planted campaigns.
    acc: dict[str, dict[str, Any]] = {"undertow (all signals)": evaluate(truth,
                                                                       all_result.accounts)}
    files = {name: here / f"{name}.edges.parquet" for name, _, _ in TOOLKIT_RUNS}
    for name, _, _ in TOOLKIT_RUNS:
        if files[name].exists():
            acc[f"toolkit {RUN_LABEL.get(name, name)} w>=1"] = evaluate(
                truth, toolkit_accounts([files[name]], 1))
    five = [f for k, f in files.items() if k != "co_link_no_blank"]
    five_clean = [f for k, f in files.items() if k != "co_link"]
    for weight in (1, CLI_MIN_EDGE_WEIGHT):
        acc[f"toolkit union of 5, co_link as shipped, w>={weight}"] = evaluate(
            truth, toolkit_accounts(five, weight))
        acc[f"toolkit union of 5, co_link '' removed, w>={weight}"] = evaluate(
            truth, toolkit_accounts(five_clean, weight))
    out["accuracy"] = acc
    out["accuracy_missing_toolkit_networks"] = [k for k, f in files.items() if not f.exists()]
    out["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    shutil.rmtree(here, ignore_errors=True)
    return out


def source_version() -> str | None:
    """``git describe --always --dirty`` of the checkout, if there is one (read only)."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None


# --- reporting ------------------------------------------------------------------------


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{a / b:.1f}×"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def print_size(r: dict[str, Any], timeout: float, console: Console) -> None:
    n, ours, theirs = r["posts"], r["undertow"], r["toolkit"]

    def tk_time(name: str) -> str:
        res = theirs.get(name, {})
        if "compute_s" in res:
            return f"{res['compute_s']:.1f}"
        if res.get("status") == "timeout":
            return f"did not finish in {timeout:g} s"
        return res.get("status", "—")

    table = Table(title=f"Coordination detection time, {n:,} posts, window {WINDOW} s, "
                        f"{os.cpu_count()} cores (wall s and CPU s; toolkit {TOOLKIT_VERSION})")
    for col in ("Undertow signal", "Undertow s", "CPU s", "accounts", "toolkit network",
                "toolkit s", "CPU s ", "edges", "GraphML s", "toolkit ÷ Undertow",
                "(CPU)"):
        table.add_column(col, justify="left" if "network" in col or "signal" in col else "right")
    ing, pre = r["undertow_ingest"], r["toolkit_preprocess"]
    table.add_row("ingest (JSONL)", _s(ing["seconds"]), _s(ing["cpu_s"]), "",
                  "preprocess (CSV → SQLite)", _s(pre["seconds"]), _s(pre["cpu_s"]), "", "",
                  _ratio(pre["seconds"], ing["seconds"]), _ratio(pre["cpu_s"], ing["cpu_s"]))
    by_signal = {sig: name for name, sig in NETWORKS.items()}
    for sig, res in ours.items():
        if sig == "all":
            continue
        names = [by_signal[sig]] if sig in by_signal else [""]
        if sig == "link":
            names.append("co_link_no_blank")
        for i, name in enumerate(names):
            tk = theirs.get(name, {})
            first = i == 0
            table.add_row(sig if first else "", _s(res["seconds"]) if first else "",
                          _s(res["cpu_s"]) if first else "",
                          f"{res['accounts']:,}" if first else "", RUN_LABEL.get(name, name),
                          tk_time(name) if name else "", _s(tk.get("compute_cpu_s")),
                          f"{tk['edges']:,}" if "edges" in tk else (
                              "not read back" if "compute_s" in tk else ""),
                          _s(tk.get("export_s")), _ratio(tk.get("compute_s"), res["seconds"]),
                          _ratio(tk.get("compute_cpu_s"), res["cpu_s"]))
    times = [theirs[k].get("compute_s") for k in NETWORKS]
    cpus = [theirs[k].get("compute_cpu_s") for k in NETWORKS]
    total = sum(t for t in times if t is not None) if None not in times else None
    total_cpu = sum(t for t in cpus if t is not None) if None not in cpus else None
    table.add_row("all signals", _s(ours["all"]["seconds"]), _s(ours["all"]["cpu_s"]),
                  f"{ours['all']['accounts']:,}", "sum of the 5 (co_link as shipped)",
                  _s(total) if total is not None else "did not finish", _s(total_cpu), "", "",
                  _ratio(total, ours["all"]["seconds"]), _ratio(total_cpu, ours["all"]["cpu_s"]))
    console.print(table)

    sweep = Table(title=f"co_similar_tweet vs near_text by window, {n:,} posts")
    for col in ("window s", "pairs compared", "toolkit s", "CPU s", "CPU µs / pair",
                "Undertow near_text s", "CPU s ", "toolkit ÷ Undertow", "(CPU)"):
        sweep.add_column(col, justify="right")
    for row in r["co_similar_by_window"]:
        tk_s = row.get("toolkit_s")
        shown = _s(tk_s) if tk_s else (f"did not finish in {timeout:g} s"
                                       if row["toolkit_status"] == "timeout"
                                       else row["toolkit_status"])
        est = r.get("estimate")
        if not tk_s and est:
            shown += (f" (est. {row['pairs_compared'] * est['us_per_pair'] / 1e6:,.0f} s"
                      f" from {est['posts']:,})")
        sweep.add_row(str(row["window_s"]), f"{row['pairs_compared']:,}", shown,
                      _s(row.get("toolkit_cpu_s")), _s(row.get("toolkit_cpu_us_per_pair")),
                      _s(row["undertow_near_text_s"]), _s(row["undertow_near_text_cpu_s"]),
                      _ratio(tk_s, row["undertow_near_text_s"]),
                      _ratio(row.get("toolkit_cpu_s"), row["undertow_near_text_cpu_s"]))
    console.print(sweep)

    acc = Table(title=f"Accuracy on the planted campaigns, {n:,} posts "
                      "(toolkit: accounts with an edge of weight ≥ w, campaigns = components)")
    for col in ("detector", "flagged", "precision", "recall", "F1", "ARI planted",
                "campaigns", "outrage flagged"):
        acc.add_column(col, justify="left" if col == "detector" else "right")
    for name, e in r["accuracy"].items():
        o = e["organic_outrage_flagged"]
        acc.add_row(name, f"{e['flagged_accounts']:,}", _num(e["precision"]), _num(e["recall"]),
                    _num(e["f1"]), _num(e["ari_planted"]), f"{e['detected_campaigns']:,}",
                    f"{o['count']} of {o['total']}")
    console.print(acc)
    if r["accuracy_missing_toolkit_networks"]:
        console.print("  toolkit networks missing from the unions (not computed or not read "
                      "back in time): " + ", ".join(r["accuracy_missing_toolkit_networks"]))

    cols = ["undertow (all signals)", "toolkit union of 5, co_link '' removed, w>=1",
            "toolkit union of 5, co_link as shipped, w>=1"]
    kinds = Table(title=f"Per planted kind, {n:,} posts: recall / precision")
    kinds.add_column("kind")
    kinds.add_column("planted", justify="right")
    for c in ("Undertow", "toolkit union ('' removed), w ≥ 1", "toolkit union (as shipped), w ≥ 1"):
        kinds.add_column(c, justify="right")
    ref = r["accuracy"][cols[0]]["kinds"]
    for kind in ref:
        cells = []
        for c in cols:
            k = r["accuracy"][c]["kinds"].get(kind, {})
            cells.append(f"{_num(k.get('recall'))} / {_num(k.get('precision'))}")
        kinds.add_row(kind, str(ref[kind]["planted"]), *cells)
    console.print(kinds)


def check_target(r: dict[str, Any], timeout: float, console: Console) -> dict[str, Any]:
    """Undertow near_text should be >= 20x faster than co_similar_tweet (window 60)."""
    tk = r["toolkit"]["co_similar_tweet"]
    ours = r["undertow"]["near_text"]
    wall = tk["compute_s"] / ours["seconds"] if tk.get("compute_s") else None
    cpu = tk["compute_cpu_s"] / ours["cpu_s"] if tk.get("compute_cpu_s") else None
    # Killed at the timeout: the speed-up is at least timeout / ours.
    at_least = timeout / ours["seconds"] if tk["status"] == "timeout" else None
    met = (wall or at_least or 0.0) >= 20
    measured = (f"≥ {at_least:.1f}× wall (did not finish in {timeout:g} s vs "
                f"{ours['seconds']:.1f} s)" if at_least else
                f"{_ratio(tk.get('compute_s'), ours['seconds'])} wall "
                f"({_s(tk.get('compute_s'))} s vs {ours['seconds']:.1f} s), "
                f"{_ratio(tk.get('compute_cpu_s'), ours['cpu_s'])} CPU")
    console.print(f"target at {r['posts']:,} posts: near_text ≥ 20× faster than "
                  f"co_similar_tweet — measured {measured}: "
                  f"[bold]{'MET' if met else 'NOT MET'}[/]")
    return {"posts": r["posts"], "speedup_wall": round(wall, 1) if wall else None,
            "speedup_cpu": round(cpu, 1) if cpu else None,
            "speedup_wall_at_least": round(at_least, 1) if at_least else None, "met": met}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000",
                    help="comma-separated post counts (default 100000,1000000)")
    ap.add_argument("--quick", action="store_true", help="20,000 posts only")
    ap.add_argument("--days", type=int, default=7,
                    help="days the simulated stream spans (fewer days, more posts per window)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before a toolkit network is killed")
    ap.add_argument("--readback", type=float, default=120.0,
                    help="seconds more for reading a computed network's edges back and "
                         "exporting it")
    ap.add_argument("--windows", default="10,60,300",
                    help="windows for timing co_similar_tweet against near_text")
    ap.add_argument("--sweep-max", type=int, default=100_000,
                    help="largest size at which the window sweep runs")
    ap.add_argument("--export-max", type=int, default=100_000,
                    help="largest size at which the toolkit's GraphML export is timed")
    ap.add_argument("--cpus", type=int, default=os.cpu_count() or 1,
                    help="toolkit worker processes (its CLI default: all CPUs)")
    ap.add_argument("--out", type=Path, default=Path("bench/results/coordination.json"))
    ap.add_argument("--toolkit-worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.toolkit_worker:
        toolkit_worker(args.toolkit_worker)
        return
    sizes = [20_000] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    args.windows = sorted({int(w) for w in args.windows.split(",") if w} | {WINDOW})
    console = Console(width=max(Console().width, 170))
    installed = version("coordination-network-toolkit")
    if installed != TOOLKIT_VERSION:
        console.print(f"[yellow]coordination-network-toolkit {installed} installed; "
                      f"this benchmark was written for {TOOLKIT_VERSION}[/]")
    import duckdb

    report: dict[str, Any] = {
        "benchmark": "coordination", "python": sys.version.split()[0],
        "duckdb": duckdb.__version__, "coordination_network_toolkit": installed,
        "cpus": os.cpu_count(), "seed": SEED, "undertow_source": source_version(),
        "settings": {"window_s": WINDOW, "toolkit_min_edge_weight_computed": 1,
                     "toolkit_min_edge_weight_cli_default": CLI_MIN_EDGE_WEIGHT,
                     "toolkit_similarity_threshold": SIMILARITY_THRESHOLD,
                     "toolkit_min_document_size_similarity": MIN_DOCUMENT_SIZE,
                     "toolkit_n_threads": args.cpus, "toolkit_timeout_s": args.timeout,
                     "toolkit_readback_timeout_s": args.readback,
                     "toolkit_flagged": "endpoint of a non-loop edge of weight >= w",
                     "toolkit_campaign": "connected component (igraph, undirected)",
                     "undertow_params": "DetectParams defaults, window 60"},
        "results": [], "targets": []}
    work = Path(tempfile.mkdtemp(prefix="undertow-bench-coord-"))
    started = time.perf_counter()
    estimate: dict[str, Any] | None = None  # co_similar_tweet's cost per pair, window 60
    try:
        for n in sizes:
            r = bench_size(n, args, work, console)
            measured = next((row for row in r["co_similar_by_window"]
                             if row["window_s"] == WINDOW and row.get("toolkit_us_per_pair")),
                            None)
            if measured and estimate is None:
                estimate = {"posts": n, "us_per_pair": measured["toolkit_us_per_pair"]}
            elif not measured and estimate:
                r["estimate"] = estimate
            print_size(r, args.timeout, console)
            report["targets"].append(check_target(r, args.timeout, console))
            report["results"].append(r)
            report["total_s"] = round(time.perf_counter() - started, 1)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
        console.print(f"total {time.perf_counter() - started:.0f} s; wrote {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
