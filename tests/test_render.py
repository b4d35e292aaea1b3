"""Terminal rendering: every section is readable at 80 columns, and post text is not markup."""

from __future__ import annotations

import io
from datetime import datetime

from rich.console import Console

from undertow.render import print_campaigns, print_summary


def _printed(result: dict) -> str:
    console = Console(file=io.StringIO(), width=80)
    print_summary(result, console)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_summary_sections_without_rows_are_one_line() -> None:
    text = _printed({
        "overview": {"posts": 2, "accounts": 1, "platforms": 1,
                     "first": datetime(2025, 1, 1), "last": datetime(2025, 1, 2)},
        "platforms": [{"platform": "weibo", "posts": 2}], "languages": [],
        "hashtags": [], "quarantine": [{"reason": "bad [red]time[/red]", "records": 1}]})
    assert "Languages: none" in text.splitlines()
    assert "Top hashtags: none" in text.splitlines()
    assert "bad [red]time[/red]" in text  # a reason quotes the record: shown as written
    assert "Quarantined records" in text and "Quarantined records: none" not in text


def test_a_run_without_campaigns_says_so_in_a_line() -> None:
    console = Console(file=io.StringIO(), width=80)
    print_campaigns([], {"accounts": 0, "edges": 0, "out": "ws/detect"}, console)
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "Campaigns for review: none"
    assert "0 accounts in campaigns, 0 edges; files in ws/detect" in lines


def test_lone_surges_are_reported_not_hidden() -> None:
    console = Console(file=io.StringIO(), width=100)
    print_campaigns([], {"accounts": 0, "edges": 0, "out": "d", "bursts_alone": 2}, console)
    assert "2 one-off surge(s) left out: a post going viral" in \
        console.file.getvalue()  # type: ignore[attr-defined]


def test_hashtags_and_reasons_cannot_act_on_the_terminal() -> None:
    """A Weibo topic may hold any character: erase-line, cursor-up and right-to-left
    override print as escapes, not as actions."""
    text = _printed({
        "overview": {"posts": 5, "accounts": 1, "platforms": 1,
                     "first": datetime(2025, 1, 1), "last": datetime(2025, 1, 2)},
        "platforms": [{"platform": "weibo", "posts": 5}], "languages": [],
        "hashtags": [{"hashtag": "#\x1b[8m\x1b[2K\x1b[1AHIDDEN#", "posts": 5},
                     {"hashtag": "#\u202egnp.exe", "posts": 1}],
        "quarantine": [{"reason": "bad time '\x9b2J'", "records": 1}]})
    assert not any(c in text for c in "\x1b\x9b\u202e")
    assert "#\\x1b[8m\\x1b[2K\\x1b[1AHIDDEN#" in text
    assert "#\\u202egnp.exe" in text and "bad time '\\x9b2J'" in text
