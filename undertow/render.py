"""Terminal rendering of results with rich (text is made safe to show: posts are untrusted,
see :mod:`undertow.escapes`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from undertow.escapes import markup


def _table(title: str, rows: list[dict[str, Any]]) -> Table | str:
    if not rows:  # a line: an empty table is narrower than its title, which then wraps
        return f"{title}: none"
    table = Table(title=title, title_justify="left")
    for col in rows[0]:
        table.add_column(col, justify="right" if isinstance(rows[0][col], int) else "left")
    for row in rows:
        table.add_row(*(markup(v) if v is not None else "–" for v in row.values()))
    return table


def print_summary(result: dict[str, Any], console: Console | None = None) -> None:
    """Print :func:`undertow.summary.summarize`'s result as tables."""
    console = console or Console()
    o = result["overview"]
    console.print(
        f"[bold]{o['posts']:,}[/] posts by [bold]{o['accounts']:,}[/] accounts on "
        f"{o['platforms']} platform(s), {_when(o['first'])} → {_when(o['last'])}"
    )
    for key, title in (("platforms", "Posts per platform"), ("languages", "Languages"),
                       ("hashtags", "Top hashtags"), ("quarantine", "Quarantined records")):
        console.print(_table(title, result[key]))


def print_campaigns(campaigns: list[dict[str, Any]], summary: dict[str, Any],
                    console: Console | None = None, top: int = 20) -> None:
    """Print a detection run: one line per campaign, then where the files are."""
    console = console or Console()
    if campaigns:
        console.print(_campaign_table(campaigns, top))
    else:
        console.print("Campaigns for review: none")
    if len(campaigns) > top:
        console.print(f"… and {len(campaigns) - top} more")
    console.print(f"{summary.get('accounts', 0):,} accounts in campaigns, "
                  f"{summary.get('edges', 0):,} edges; files in {markup(summary['out'])}")
    alone = summary.get("bursts_alone", 0)
    if alone:
        console.print(f"{alone:,} one-off surge(s) left out: a post going viral, an article "
                      "shared or a hashtag taken up at once is no campaign unless its "
                      "accounts meet again")
    console.print("Coordination is a signal for human review, shown with its evidence; "
                  "it is not a verdict on any person.")


def _campaign_table(campaigns: list[dict[str, Any]], top: int) -> Table:
    table = Table(title=f"{len(campaigns)} campaign(s) for review", title_justify="left")
    for col in ("campaign", "kind", "accounts", "signals", "synchrony", "text sim.",
                "p (chance)"):
        table.add_column(col, justify="right" if col in ("accounts", "p (chance)") else "left")
    for c in campaigns[:top]:
        scores = c.get("scores") or {}
        signals = " ".join(k for k, _ in sorted(c.get("signals", {}).items(),
                                                key=lambda kv: -kv[1])[:3])
        p = c.get("p_chance")
        table.add_row(markup(c["campaign_id"]), markup(c["kind"]), str(c["size"]),
                      markup(signals), _fmt(scores.get("synchrony")),
                      _fmt(scores.get("text_similarity")),
                      "–" if p is None else f"{p:.1e}")
    return table


def _when(value: Any) -> str:
    """A first or last time as shown ("–" for an empty workspace's)."""
    return "–" if value is None else markup(value)


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}"
