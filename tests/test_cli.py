"""The command line as a user meets it."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from undertow.cli import main


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def csv_file(tmp_path):
    f = tmp_path / "posts.csv"
    f.write_text("id,user,time,text\n1,a,2025-01-01T00:00:00Z,hello world there\n"
                 "2,b,nonsense,bad\n", encoding="utf-8")
    return f


def test_ingest_prints_the_counts_line(tmp_path, csv_file):
    result = run("ingest", str(csv_file), "--workspace", str(tmp_path / "ws"))
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1] == \
        "read 2, stored 1, duplicate 0, quarantined 1"
    assert (tmp_path / "ws" / "undertow.duckdb").exists()


def test_ingest_json_and_workspace_from_environment(tmp_path, csv_file):
    result = run("ingest", str(csv_file), "--json",
                 env={"UNDERTOW_WORKSPACE": str(tmp_path / "envws")})
    assert result.exit_code == 0
    assert json.loads(result.output) == {"read": 2, "stored": 1, "duplicate": 0,
                                         "quarantined": 1}
    assert (tmp_path / "envws" / "undertow.duckdb").exists()


def test_map_option(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("wer,wann,was\nanna,2025-01-01 09:00,Der Preis ist zu hoch\n", encoding="utf-8")
    result = run("ingest", str(f), "-w", str(tmp_path / "ws"), "--map", "wer=author_id",
                 "--map", "wann=created_at", "--map", "was=text", "--tz", "Europe/Berlin")
    assert result.output.strip() == "read 1, stored 1, duplicate 0, quarantined 0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/file.csv"], "cannot read"),
        (["{csv}", "--format", "youtube"], "not this format"),
        (["{csv}", "--map", "nonsense"], "--map takes"),
        (["{csv}", "--tz", "Mars/Base"], "unknown time zone"),
    ],
)
def test_errors_are_one_line_with_status_2(tmp_path, csv_file, args, message):
    args = [a.replace("{csv}", str(csv_file)) for a in args]
    proc = subprocess.run([sys.executable, "-m", "undertow.cli", "ingest", *args, "-w",
                           str(tmp_path / "ws")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert message in proc.stderr


def _commands(group: click.Group) -> list[tuple[str, click.Command]]:
    return sorted(group.commands.items())


@pytest.mark.parametrize(("name", "command"), _commands(main))
def test_every_command_explains_itself_with_an_example(name, command):
    """Like sqlite-utils' docs tests: a command without help and an example fails."""
    result = run(name, "--help")
    assert result.exit_code == 0
    assert command.help and len(command.help) > 40
    assert f"undertow {name}" in result.output, f"`undertow {name} --help` shows no example"


@pytest.mark.parametrize(("name", "command"), _commands(main))
def test_every_command_takes_a_workspace(name, command):
    if name in ("formats", "simulate", "keywords", "sentiment", "train-sentiment"):
        return
    assert any("--workspace" in p.opts for p in command.params)


@pytest.mark.parametrize("args", [["detect"], ["summary"], ["spikes"],
                                  ["opinion", "--brand", "Xiaomi=小米", "--rival", "Apple"]])
def test_a_mistyped_workspace_is_an_error_not_an_empty_result(tmp_path, args):
    # Only ingest makes a workspace; detect on a new empty one reported "0 campaigns".
    missing = tmp_path / "wrokspace"
    result = run(*args, "--workspace", str(missing))
    assert result.exit_code == 2
    assert f"no workspace at {missing}" in result.output
    assert not missing.exists()


@pytest.fixture
def copied_ws(tmp_path):
    """A workspace where ten accounts post one text twice, a minute apart."""
    f = tmp_path / "posts.csv"
    rows = [f"{i}{r},u{i},2025-01-01T0{r}:00:0{i}Z,buy the new phone now at the shop"
            for r in range(2) for i in range(10)]
    f.write_text("id,user,time,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    run("ingest", str(f), "-w", str(tmp_path / "ws"))
    return tmp_path / "ws"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--window", "nan"], "window must be a positive number of seconds"),
        (["--window", "inf"], "window must be a positive number of seconds"),
        (["--window", "1e9"], "longer than a day"),
        (["--alpha", "nan"], "alpha must be between 0 and 1, not nan"),
        (["--min-shares", "3"], "applies only with --no-significance"),
        (["--no-significance", "--signals", "near_text"], "near_text has no co-share"),
        (["--out", "{file}/sub"], "Not a directory"),
        (["--memory-limit", "1KB"], "needs more memory than --memory-limit 1KB"),
    ],
)
def test_detect_refuses_what_cannot_work_in_one_line(tmp_path, copied_ws, args, message):
    """A window of the whole stream made every account meet every other; nan and inf, an
    unwritable --out and a tiny memory limit were tracebacks (the last two after the run,
    or after the workspace's last results were replaced); an alpha of nan kept no edge."""
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    args = [a.replace("{file}", str(tmp_path / "afile")) for a in args]
    proc = subprocess.run([sys.executable, "-m", "undertow.cli", "detect", *args, "-w",
                           str(copied_ws)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr


def test_simulate_writes_only_what_its_name_says(tmp_path):
    for name, message in (("x.parquet", "write posts as .jsonl, .csv or .cnt.csv"),
                          ("nodir/x.jsonl", "No such file or directory")):
        proc = subprocess.run([sys.executable, "-m", "undertow.cli", "simulate", "--posts",
                               "100", "--out", str(tmp_path / name)],
                              capture_output=True, text=True)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_summary_of_an_empty_workspace_has_no_none(tmp_path):
    from undertow import Workspace

    Workspace.open(tmp_path / "ws").close()
    result = run("summary", "-w", str(tmp_path / "ws"))
    assert result.exit_code == 0
    assert "0 posts by 0 accounts on 0 platform(s), – → –" in result.output


def test_a_workspace_folder_that_cannot_be_written_is_a_one_line_error(tmp_path, csv_file):
    """DuckDB could open the workspace but not write its log beside it: a traceback of
    fifty lines, after the whole ingest had run. As root, permissions bind only without
    the capability to override them (``setpriv``, in util-linux)."""
    import os
    import stat

    run("ingest", str(csv_file), "-w", str(tmp_path / "ws"))
    more = tmp_path / "more.csv"
    more.write_text("id,user,time,text\n9,z,2025-01-02T00:00:00Z,one more post\n",
                    encoding="utf-8")
    drop = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"] \
        if os.geteuid() == 0 else []
    (tmp_path / "ws").chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        proc = subprocess.run([*drop, sys.executable, "-m", "undertow.cli", "ingest", str(more),
                               "-w", str(tmp_path / "ws")], capture_output=True, text=True)
    finally:
        (tmp_path / "ws").chmod(stat.S_IRWXU)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "undertow: error: the workspace:" in proc.stderr and "Permission denied" in \
        proc.stderr
