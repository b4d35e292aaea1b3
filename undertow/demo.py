"""``undertow demo``: generated data, end to end, with nothing to download:
simulate → ingest → summary → detect → evaluate against the planted truth → opinion
(the two simulated brands compared over all accounts and over the organic public) →
spikes and shifts, each labelled organic or coordinated."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from rich.console import Console

from undertow.coordination.detect import DetectParams, detect, params_dict
from undertow.coordination.evaluate import evaluate, format_report
from undertow.coordination.export import write_outputs
from undertow.coordination.store import save
from undertow.escapes import markup
from undertow.ingest import ingest
from undertow.opinion import compare as opinion
from undertow.opinion.brands import parse_brand
from undertow.opinion.spikes import find_spikes, print_spikes
from undertow.render import print_campaigns, print_summary
from undertow.simulate import simulate, write_posts, write_truth
from undertow.summary import summarize
from undertow.workspace import Workspace

#: The simulated brands (see :mod:`undertow.simulate`), with their aliases in the
#: stream's three languages.
BRAND = "Xiaomi=小米,Xiaomi,Redmi,红米,SU7"
RIVAL = "Apple=苹果,Apple,iPhone"


def run_demo(workspace: Path, n_posts: int = 20_000, seed: int = 0,
             console: Console | None = None) -> dict[str, object]:
    """Simulate ``n_posts``, ingest them into ``workspace`` and print a summary."""
    console = console or Console()
    workspace.mkdir(parents=True, exist_ok=True)
    posts_file = workspace / "demo-posts.jsonl"
    truth_file = workspace / "demo-truth.json"
    started = time.perf_counter()
    sim = simulate(n_posts, seed=seed)
    write_posts(sim, posts_file)
    write_truth(sim, truth_file)
    console.print(f"[bold]1. simulate[/]: {len(sim):,} posts, "
                  f"{len(sim.truth['campaigns'])} planted campaigns, "
                  f"{len(sim.truth['organic_outrage']['accounts'])} organic outrage accounts "
                  f"→ {posts_file}")
    with Workspace.open(workspace) as ws:
        report = ingest(ws, [posts_file])
        console.print(f"[bold]2. ingest[/]: {report.line()}")
        result = summarize(ws)
        console.print("[bold]3. summary[/]")
        print_summary(result, console)
        detection = detect(ws, DetectParams())
        save(ws, detection.accounts, detection.campaigns, detection.edges)
    folder = workspace / "detect"
    write_outputs(folder, detection.accounts, detection.campaigns, detection.edges,
                  params_dict(detection.params), detection.surges)
    console.print("[bold]4. detect[/]")
    print_campaigns(detection.campaigns, {**detection.summary(), "out": folder}, console)
    scores = evaluate(sim.truth, detection.accounts)
    console.print("[bold]5. evaluate against the planted truth[/]")
    console.print(markup(format_report(scores)))
    # Printed as each step ends: the Chinese model is trained on first use (about 30 s).
    brand, rival = parse_brand(BRAND), parse_brand(RIVAL)
    with Workspace.open(workspace) as ws:
        compared = opinion.compare(ws, brand, rival, by="day")
    opinion.write_outputs(compared, workspace / "opinion")
    named = [f"{b.name} ({', '.join(b.aliases)})" for b in (brand, rival)]
    console.print(f"[bold]6. opinion[/]: {markup(named[0])} against {markup(named[1])}, "
                  f"all accounts and organic only; files in "
                  f"{markup(str(workspace / 'opinion'))}")
    opinion.print_brief(compared, console)
    with Workspace.open(workspace) as ws:
        spikes = find_spikes(ws, [brand, rival])
    spikes_file = workspace / "spikes.json"
    spikes_file.write_text(json.dumps(spikes, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"[bold]7. spikes[/]: {_tally(spikes['spikes'], 'spikes')} and "
                  f"{_tally(spikes['shifts'], 'shifts')} over every brand and aspect, in "
                  f"{markup(str(spikes_file))}; those of each brand as a whole:")
    print_spikes({**spikes, "spikes": [x for x in spikes["spikes"] if x["aspect"] is None],
                  "shifts": [x for x in spikes["shifts"] if x["aspect"] is None]}, console)
    console.print(f"done in {time.perf_counter() - started:.1f} s; workspace {workspace}")
    return {"ingest": report.as_dict(), "summary": result, "evaluation": scores,
            "opinion": compared, "spikes": spikes}


def _tally(found: list[dict[str, object]], what: str) -> str:
    """``"12 spikes (3 coordinated)"``."""
    labels = Counter(x["label"] for x in found)
    return f"{len(found)} {what} ({labels['coordinated']} coordinated)"
