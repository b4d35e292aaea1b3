"""Terminal rendering of results with rich (text is escaped: posts are untrusted)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    if not rows:
        table.add_column("(none)")
        return table
    for col in rows[0]:
        table.add_column(col, justify="right" if isinstance(rows[0][col], int) else "left")
    for row in rows:
        table.add_row(*(escape(str(v)) if v is not None else "–" for v in row.values()))
    return table


def print_summary(result: dict[str, Any], console: Console | None = None) -> None:
    """Print :func:`undertow.summary.summarize`'s result as tables."""
    console = console or Console()
    o = result["overview"]
    console.print(
        f"[bold]{o['posts']:,}[/] posts by [bold]{o['accounts']:,}[/] accounts on "
        f"{o['platforms']} platform(s), {escape(str(o['first']))} → {escape(str(o['last']))}"
    )
    for key, title in (("platforms", "Posts per platform"), ("languages", "Languages"),
                       ("hashtags", "Top hashtags"), ("quarantine", "Quarantined records")):
        console.print(_table(title, result[key]))
