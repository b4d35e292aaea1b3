"""``undertow sentiment``: input order, JSON shape, --lang, --aspects, errors."""

from __future__ import annotations

import doctest
import io
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from undertow.cli import main
from undertow.opinion import stream, zh_model

LINES = [
    "电池续航太差了，非常失望",
    '{"text": "Lieferung kam pünktlich, danke!", "lang": "de"}',
    "",
    "I hate the new update, so bad",
    '{"text": "屏幕很清晰，很喜欢"}',
    "{not json, but the battery died",
]


def test_keeps_order_and_shape(default_zh: zh_model.ZhModel) -> None:
    result = CliRunner().invoke(main, ["sentiment", "-"], input="\n".join(LINES) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == len(LINES)
    assert all(list(o) == ["lang", "label", "score", "aspects"] for o in out)
    assert [o["lang"] for o in out[:5]] == ["zh", "de", None, "en", "zh"]
    assert [o["label"] for o in out[:5]] == ["negative", "positive", None, "negative",
                                             "positive"]
    assert out[0]["aspects"] == ["battery"] and out[1]["aspects"] == ["delivery"]
    assert out[3]["aspects"] == ["software"] and out[4]["aspects"] == ["screen"]
    assert out[5]["aspects"] == ["battery"]


def test_file_lang_and_user_aspects(tmp_path: Path, default_zh: zh_model.ZhModel) -> None:
    posts = tmp_path / "posts.txt"
    posts.write_text("Der Lüfter ist laut\nDas Display ist super\n", encoding="utf-8")
    extra = tmp_path / "aspects.yaml"
    extra.write_text("noise:\n  de: [laut, Lärm]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sentiment", str(posts), "--lang", "de",
                                       "--aspects", str(extra)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["lang"] for o in out[:5]] == ["de", "de"]
    assert out[0]["aspects"] == ["heat", "noise"] and out[1]["aspects"] == ["screen"]


def test_bad_json_line_is_answered_with_an_error(default_zh: zh_model.ZhModel) -> None:
    result = CliRunner().invoke(main, ["sentiment"], input='{"lang": "en"}\n')
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["label"] is None and "line 1" in out["error"]


def test_a_line_that_is_not_utf8_is_named(tmp_path: Path,
                                          default_zh: zh_model.ZhModel) -> None:
    """A stray byte is answered in its line's place with the line and the byte, not a
    bare codec error, and the lines after it are read; a byte-order mark before the
    first line is not part of its text."""
    posts = tmp_path / "posts.txt"
    posts.write_bytes("\ufeffGreat phone\n电池续航太差了\nok \xff bad\nGreat phone\n"
                      .encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    result = CliRunner().invoke(main, ["sentiment", str(posts), "--lang", "en"])
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4 and out[0]["label"] == out[3]["label"] == "positive"
    assert out[2] == {"lang": None, "label": None, "score": None, "aspects": [],
                      "error": "line 3: not valid UTF-8 (byte 4: 0xff)"}
    assert "1 of 4 lines could not be read" in result.stderr
    posts.write_bytes("\ufeffGreat phone\n".encode("utf-8"))
    out = json.loads(CliRunner().invoke(main, ["sentiment", str(posts)]).output)
    assert (out["lang"], out["label"]) == ("en", "positive")


def test_null_text_is_a_blank_line(default_zh: zh_model.ZhModel) -> None:
    result = CliRunner().invoke(main, ["sentiment"],
                                input='{"text": null}\n{"text": "Great phone", "lang": "en"}\n')
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert out[0] == {"lang": None, "label": None, "score": None, "aspects": []}
    assert out[1]["label"] == "positive"


def test_help_has_example() -> None:
    result = CliRunner().invoke(main, ["sentiment", "--help"])
    assert result.exit_code == 0 and "undertow sentiment posts.jsonl" in result.output


def test_stream_doctests() -> None:
    assert doctest.testmod(stream).failed == 0


def test_a_long_input_moves_to_worker_processes_in_order(
        default_zh: zh_model.ZhModel, worker_pools: Callable[[], list[int]]) -> None:
    """Past PARALLEL_FROM lines (here 90) the rest goes to a process a core; the output
    is line for line what one process writes."""
    from undertow.opinion.sentiment import SentimentAnalyzer

    lines = [f"{line} {i}" if line and not line.startswith("{") else line
             for i in range(40) for line in LINES]
    source = "\n".join(lines) + "\n"
    alone = io.StringIO()
    assert stream.run(io.StringIO(source), alone, analyzer=SentimentAnalyzer(), batch=30) == 240
    started = worker_pools()
    shared = io.StringIO()
    assert stream.run(io.StringIO(source), shared, analyzer=SentimentAnalyzer(), batch=30,
                      workers=None) == 240
    assert started == [2] and shared.getvalue() == alone.getvalue()
    assert len(alone.getvalue().splitlines()) == 240


def test_unreadable_json_lines_are_answered_in_place_and_the_run_goes_on(
        default_zh: zh_model.ZhModel) -> None:
    """Lines past the first batch are still answered after a JSON line without a string
    text: one output line per input line, in order; each bad one says why, and stderr
    counts them in one line."""
    lines = ['{"text": "Great phone", "lang": "en"}'] * 12
    lines[2] = '{"body": "no text key"}'
    lines[7] = '{"text": 123}'
    lines[9] = '{"lang": "en"}'
    source, sink = io.StringIO("\n".join(lines) + "\n"), io.StringIO()
    errors: list[str] = []
    assert stream.run(source, sink, batch=5, on_error=errors.append) == 12
    out = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert len(out) == 12 and len(errors) == 3
    bad = {i: o for i, o in enumerate(out) if "error" in o}
    assert sorted(bad) == [2, 7, 9]
    assert all((o["lang"], o["label"], o["score"], o["aspects"]) == (None, None, None, [])
               for o in bad.values())
    assert bad[2]["error"].startswith("line 3: ") and "'text'" in bad[2]["error"]
    assert bad[7]["error"].startswith("line 8: ") and "number" in bad[7]["error"]
    assert all(o["label"] == "positive" for i, o in enumerate(out) if i not in bad)
    result = CliRunner().invoke(main, ["sentiment"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == out
    note, = result.stderr.splitlines()
    assert note.startswith("undertow: 3 of 12 lines could not be read (first: line 3: ")


def test_lang_auto_is_any_case_and_a_language_without_a_scorer_is_an_error(
        default_zh: zh_model.ZhModel) -> None:
    result = CliRunner().invoke(main, ["sentiment", "--lang", "Auto"],
                                input="Great phone\n电池很好\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["lang"], o["label"]) for o in out] == [("en", "positive"), ("zh", "positive")]
    for lang in ("french", "xx", "FR"):
        bad = CliRunner().invoke(main, ["sentiment", "--lang", lang], input="Great phone\n")
        assert bad.exit_code == 2 and bad.stdout == ""
        assert bad.stderr.count("\n") == 1 and "de, en, zh" in bad.stderr
        assert repr(lang) in bad.stderr
    assert CliRunner().invoke(main, ["sentiment", "--lang", "DE"],
                              input="Akku ist Schrott\n").exit_code == 0
