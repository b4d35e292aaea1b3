"""`make demo` runs `undertow demo`: the whole path on generated data, nothing downloaded."""

from __future__ import annotations

import io
import json

from rich.console import Console

from undertow.demo import run_demo


def test_demo_end_to_end(tmp_path):
    out = io.StringIO()
    result = run_demo(tmp_path / "demo", n_posts=6_000, seed=2,
                      console=Console(file=out, width=120))
    text = out.getvalue()
    for step in ("1. simulate", "2. ingest", "3. summary", "4. detect", "5. evaluate",
                 "6. opinion", "7. spikes"):
        assert step in text
    assert result["ingest"]["stored"] == 6_000
    assert result["evaluation"]["precision"] >= 0.95
    assert result["evaluation"]["organic_outrage_flagged"]["count"] == 0
    assert (tmp_path / "demo" / "detect" / "campaigns.json").exists()
    # The organic cohort is the stream without the accounts detect placed in campaigns.
    opinion = result["opinion"]
    assert opinion["detection"]["campaign_accounts"] == result["evaluation"]["flagged_accounts"]
    labelled = {c: {r["brand"]: r["labelled"] for r in opinion["cohorts"][c]["aspects"]
                    if r["aspect"] == "all"} for c in ("all", "organic")}
    assert 0 < labelled["organic"]["Xiaomi"] < labelled["all"]["Xiaomi"]
    assert "Where Xiaomi leads / trails Apple (organic)" in text
    assert (tmp_path / "demo" / "opinion" / "lead_trail.csv").exists()
    # Spikes and shifts of every series are saved; each brand's own are printed.
    saved = json.loads((tmp_path / "demo" / "spikes.json").read_text(encoding="utf-8"))
    assert saved["spikes"] == result["spikes"]["spikes"] and saved["spikes"]
    assert "Spikes (" in text and "Shifts in net sentiment" in text
    rerun = run_demo(tmp_path / "demo", n_posts=6_000, seed=2,
                     console=Console(file=io.StringIO()))
    assert rerun["ingest"]["stored"] == 0 and rerun["ingest"]["duplicate"] == 6_000
