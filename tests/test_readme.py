"""The README stays true: its first lines are the two commands, its tables match the code."""

from __future__ import annotations

import re
from pathlib import Path

from undertow.adapters import FORMAT_NAMES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    lines = [ln for ln in README.splitlines() if ln.strip() and not ln.startswith("```")]
    assert lines[0].startswith("make demo")
    assert lines[1].startswith("make test")


def test_every_format_is_documented():
    documented = set(re.findall(r"`([a-z0-9-]+)`", README))
    assert set(FORMAT_NAMES) <= documented


def test_ci_runs_make_test():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
