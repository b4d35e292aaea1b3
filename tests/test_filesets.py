"""Files of one run put in place together, also when two runs share a folder."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

from undertow import filesets
from undertow.filesets import written_together

#: One run: write three files, each naming the run and holding many lines (so that two
#: runs writing at once overlap), then move them into place together.
RUN = """
import sys
from undertow.filesets import written_together
folder, run = sys.argv[1], sys.argv[2]
for attempt in range(20):
    with written_together(folder, ["a.csv", "b.csv", "c.json"]) as paths:
        for name, path in paths.items():
            path.write_text("".join(f"{run} {attempt} {name} {i}\\n" for i in range(20000)))
"""


def test_the_examples_in_the_docs_hold() -> None:
    assert doctest.testmod(filesets).failed == 0


def test_two_runs_writing_to_one_folder_leave_one_run_s_files_whole(tmp_path: Path) -> None:
    """Two detections with one --out once wrote into the same partial files (an
    edges.csv of neither run's rows) or failed on the other's moves, leaving one run's
    accounts.csv beside the other's edges.csv."""
    runs = [subprocess.Popen([sys.executable, "-c", RUN, str(tmp_path), run])
            for run in ("first", "second")]
    assert [proc.wait(timeout=120) for proc in runs] == [0, 0]
    written = set()
    for name in ("a.csv", "b.csv", "c.json"):
        lines = (tmp_path / name).read_text().splitlines()
        # Whole, and one run's: every line of one run, one attempt and this file.
        assert len(lines) == 20000 and len({line.rsplit(" ", 1)[0] for line in lines}) == 1
        written.add(tuple(lines[0].split()[:2]))
    assert len(written) == 1  # and the three files of one run's attempt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "c.json"]


def test_partial_files_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    left = tmp_path / f".a.csv.{dead}.0123abcd.partial"
    left.write_text("half a file")
    other = tmp_path / ".notes.txt.1.0123abcd.partial"  # not this run's file: left alone
    other.write_text("x")
    with written_together(tmp_path, ["a.csv"]) as paths:
        paths["a.csv"].write_text("whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "a.csv"]
