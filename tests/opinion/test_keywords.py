"""Keyword tracking across dated documents: counts, rates, matching rules, inputs, KWIC, CLI."""

from __future__ import annotations

import doctest
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from undertow.cli import main
from undertow.opinion import keywords
from undertow.opinion.keywords import Document, KeywordError, load_documents, track

FILLER = ["we", "build", "phones", "for", "everyone", "and", "the", "company", "keeps", "its",
          "promise", "to", "fans", "with", "honest", "prices", "and", "great", "cameras"]


def speech(hits: int, words: int, seed: int) -> str:
    """``words`` words of filler with ``hits`` of them "premium" (in several spellings)."""
    rng = random.Random(seed)
    body = [rng.choice(FILLER) for _ in range(words - hits)]
    for n in range(hits):
        body.insert(rng.randrange(len(body) + 1), ("premium", "Premium", "PREMIUM")[n % 3])
    return " ".join(body) + "."


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def count(text: str, term: str, language: str | None = None) -> int:
    report = track([Document("d.txt", "2024", text, language=language)], [term])
    return report.counts[term]["2024"]


@pytest.fixture
def speeches(tmp_path: Path) -> Path:
    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "lei_jun_2021.txt").write_text(speech(31, 4000, 1), encoding="utf-8")
    (folder / "20220811.txt").write_text(speech(22, 5000, 2), encoding="utf-8")
    (folder / "2023-08-14-annual-speech.md").write_text(
        "# Annual speech\n\n" + speech(46, 3998, 3), encoding="utf-8")
    return folder


# --- counts per period --------------------------------------------------------------------------


def test_json_counts_premium_31_22_46_with_rates(speeches: Path) -> None:
    result = run("keywords", str(speeches), "--term", "premium", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"premium": {
        "2021": {"count": 31, "words": 4000, "per_1000": 7.75},
        "2022": {"count": 22, "words": 5000, "per_1000": 4.4},
        "2023": {"count": 46, "words": 4000, "per_1000": 11.5},
    }}


def test_every_period_appears_for_every_term_with_zero_counts(speeches: Path) -> None:
    table = json.loads(run("keywords", str(speeches), "-t", "premium", "-t", "tablet",
                           "--json").output)
    assert list(table) == ["premium", "tablet"]
    assert table["tablet"] == {p: {"count": 0, "words": w, "per_1000": 0.0}
                               for p, w in (("2021", 4000), ("2022", 5000), ("2023", 4000))}


def test_per_1000_is_rounded_to_three_decimals() -> None:
    report = track([Document("a.txt", "2021", "premium and two more words plus one")], ["premium"])
    assert report.table()["premium"]["2021"] == {"count": 1, "words": 7, "per_1000": 142.857}


def test_month_grouping_sums_documents_in_the_same_month() -> None:
    docs = [Document("a", "2021-08-01", "premium premium phones"),
            Document("b", "2021-08-30", "premium"),
            Document("c", "2021-09-02", "plain phones")]
    table = track(docs, ["premium"], by="month").table()["premium"]
    assert table == {"2021-08": {"count": 3, "words": 4, "per_1000": 750.0},
                     "2021-09": {"count": 0, "words": 2, "per_1000": 0.0}}
    assert track(docs, ["premium"]).table()["premium"] == {
        "2021": {"count": 3, "words": 6, "per_1000": 500.0}}


def test_month_grouping_needs_a_month_in_every_date(speeches: Path) -> None:
    result = CliRunner().invoke(main, ["keywords", str(speeches), "-t", "premium",
                                       "--by", "month"])
    assert result.exit_code == 2
    assert "lei_jun_2021.txt: date 2021 has no month" in result.output


def test_words_exclude_punctuation_and_count_chinese_segments() -> None:
    text = "Premium-Smartphones, don't stop! — 我们坚持高端化。 2023 ..."
    report = track([Document("a", "2023", text)], ["premium"])
    # Premium-Smartphones / don't / stop / 我们 / 坚持 / 高端化 / 2023
    assert report.words == {"2023": 7}


# --- matching rules -----------------------------------------------------------------------------


def test_case_and_width_are_folded() -> None:
    assert count("ＰＲＥＭＩＵＭ Premium PREMIUM premium ｐｒｅｍｉｕｍ", "premium") == 5
    assert count("a premium phone", "ＰＲＥＭＩＵＭ") == 1


def test_whole_words_only_and_no_stemming() -> None:
    text = "premiums premiumly supremium premiumization premium."
    assert count(text, "premium") == 1
    assert count(text, "premiums") == 1


def test_english_possessive_is_the_word() -> None:
    assert count("Xiaomi's phones and Xiaomi’s fans, Xiaomis", "xiaomi") == 2


def test_german_compounds_that_begin_with_the_term_count() -> None:
    text = ("Das Premiumsegment wächst schneller als der Markt, und wir bauen "
            "Premium-Smartphones für alle, die Premium wollen.")
    assert count(text, "premium") == 3


def test_german_compound_rules_exclude_inflections_and_camel_case() -> None:
    text = "Die Marken und das Markenrecht, die Markenzeichen der PremiumMarke sind stark."
    assert count(text, "marke") == 2  # Markenrecht, Markenzeichen; not Marken
    assert count(text, "premium") == 0  # PremiumMarke: camel case is a name, not a compound


def test_german_compounds_use_the_detected_language() -> None:
    assert keywords._Languages([Document("d", "2024", "Das Premiumsegment wächst schnell "
                                                      "und die Preise steigen.")]).german(0)
    english = "The premiumsegment grows and we sell premiums and premium-quality phones."
    assert count(english, "premium") == 1  # only the hyphenated compound
    assert count(english, "premium", language="de") == 2  # a given language wins


def test_closed_compound_in_capitals_counts_in_german() -> None:
    assert count("DAS PREMIUMSEGMENT WÄCHST", "premium", language="de") == 1


def test_closed_compound_when_folding_changes_length() -> None:
    text = "Die Straßenbahn fährt durch die Straße, nicht durch die Straßen."
    assert count(text, "strasse", language="de") == 2  # Straßenbahn, Straße; not Straßen


def test_chinese_is_matched_on_segmented_words() -> None:
    text = "我们坚持高端化战略，做高端手机，最高端的产品也卖得好。"
    # segmented: 我们/坚持/高端化/战略/，/做/高端/手机/…/最高/端的/产品/…
    assert count(text, "高端") == 2  # 高端化 (compound) and 高端; not 最高/端的
    assert count(text, "高端手机") == 1  # two segmented words, matched in a row
    assert count(text, "端") == 0  # one character: whole words only, and 端的 is not 端
    assert count(text, "高") == 0
    assert count("价格很高", "高") == 1  # 价格 / 很 / 高


def test_chinese_and_latin_mixed_term() -> None:
    assert count("小米14是高端旗舰，小米 14 也是", "小米14") == 2


def test_multi_word_terms_match_word_sequences() -> None:
    text = ("A premium smartphone, two Premium  Smartphones, premium. Smartphone, "
            "premium phones and a PREMIUM SMARTPHONE-Serie.")
    assert count(text, "premium smartphone") == 2  # not across the full stop, not plural
    assert count(text, "premium smartphones") == 1


def test_terms_must_be_whole_words() -> None:
    with pytest.raises(KeywordError, match="whole words"):
        track([Document("a", "2021", "C++ rocks")], ["C++"])


# --- inputs -------------------------------------------------------------------------------------


def test_dates_from_file_names(tmp_path: Path) -> None:
    names = ["2023-08-14-annual-speech.md", "lei_jun_2021.txt", "20220811.txt", "talk_2020_07.md"]
    for name in names:
        (tmp_path / name).write_text("premium", encoding="utf-8")
    docs = {d.name: d.date for d in load_documents([tmp_path / n for n in names])}
    assert docs == {"2023-08-14-annual-speech.md": "2023-08-14", "lei_jun_2021.txt": "2021",
                    "20220811.txt": "2022-08-11", "talk_2020_07.md": "2020-07"}


def test_front_matter_date_wins_and_is_not_counted(tmp_path: Path) -> None:
    f = tmp_path / "speech-2019.md"
    f.write_text("---\ntitle: \"Premium year\"\ndate: 2023-08-14\n---\n"
                 "Premium phones, [premium](https://example.com/premium).\n", encoding="utf-8")
    (doc,) = load_documents([f])
    assert (doc.date, doc.title) == ("2023-08-14", "Premium year")
    table = track([doc], ["premium"], by="month").table()
    assert table == {"premium": {"2023-08": {"count": 2, "words": 3, "per_1000": 666.667}}}


def test_json_lines_input(tmp_path: Path) -> None:
    f = tmp_path / "speeches.jsonl"
    lines = [{"date": "2021-08-10", "title": "Tenth anniversary", "text": "Premium, premium!"},
             {"date": "2021-12-28T19:30:00+08:00", "text": "Premium phones"},
             {"date": "2022-08-11", "text": "我们坚持高端化"}]
    f.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n",
                 encoding="utf-8")
    result = run("keywords", str(f), "-t", "premium", "-t", "高端", "--by", "month", "--json")
    assert json.loads(result.output) == {
        "premium": {"2021-08": {"count": 2, "words": 2, "per_1000": 1000.0},
                    "2021-12": {"count": 1, "words": 2, "per_1000": 500.0},
                    "2022-08": {"count": 0, "words": 3, "per_1000": 0.0}},
        "高端": {"2021-08": {"count": 0, "words": 2, "per_1000": 0.0},
                 "2021-12": {"count": 0, "words": 2, "per_1000": 0.0},
                 "2022-08": {"count": 1, "words": 3, "per_1000": 333.333}}}
    assert [d.name for d in load_documents([f])] == ["speeches.jsonl:1", "speeches.jsonl:2",
                                                     "speeches.jsonl:3"]


def test_json_line_without_date_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "posts.jsonl"
    f.write_text('{"date": "2021-01-01", "text": "a"}\n{"text": "b"}\n', encoding="utf-8")
    with pytest.raises(KeywordError, match=r"posts\.jsonl:2: no readable date"):
        load_documents([f])


def test_missing_date_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "2021.txt").write_text("premium", encoding="utf-8")
    undated = tmp_path / "annual-speech.txt"
    undated.write_text("premium", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "undertow.cli", "keywords", str(tmp_path),
                           "--term", "premium"], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"undertow: error: {undated}: no date in the file name")


def test_unreadable_front_matter_date_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "2021-speech.md"
    f.write_text("---\ndate: last summer\n---\npremium", encoding="utf-8")
    result = CliRunner().invoke(main, ["keywords", str(f), "-t", "premium"])
    assert result.exit_code == 2
    assert "front matter date 'last summer' is not a date" in result.output


# --- keyword in context -------------------------------------------------------------------------


def test_contexts_give_document_date_and_surrounding_text() -> None:
    docs = [Document("2022.txt", "2022-08-11", "Our\nfirst premium phone sold out in a day."),
            Document("2021.txt", "2021-08-10", "Premium-Smartphones für alle.")]
    contexts = track(docs, ["premium"]).contexts("premium", width=12)
    assert [(c.document, c.date, c.left, c.match, c.right) for c in contexts] == [
        ("2021.txt", "2021-08-10", "", "Premium-Smartphones", " für alle."),
        ("2022.txt", "2022-08-11", "Our first ", "premium", " phone sold…"),
    ]
    assert str(contexts[1]) == "2022-08-11  2022.txt  Our first [premium] phone sold…"


def test_cli_table_and_kwic_lines_escape_markup(tmp_path: Path) -> None:
    (tmp_path / "2021-08-10.txt").write_text(
        "[bold red]Fake[/] premium [link=x]claims[/link] and premium prices", encoding="utf-8")
    (tmp_path / "2022-08-11.txt").write_text("no such word", encoding="utf-8")
    result = run("keywords", str(tmp_path), "-t", "premium", "--context", "20")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2 (181.818)" in out and "0 (0.000)" in out  # 11 words, markup included
    assert "premium in context (2 of 2):" in out
    # Shown literally, not as markup; without colour (a pipe) the hit is bracketed.
    assert "[bold red]Fake[/] [premium] [link=x]" in out
    assert "2021-08-10 2021-08-10.txt" in out


def test_kwic_lines_show_backslashes_and_escapes_as_written(tmp_path: Path) -> None:
    """Backslashes before a hit once escaped the bold tag that follows them (three crashed
    the command, six printed as three); escape sequences print as escapes."""
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"date": "2024-05-01", "text": "C:\\\\\\premium"}) + "\n"
                    + json.dumps({"date": "2024-05-02", "text": "D:\\\\\\\\\\\\premium"})
                    + "\n" + json.dumps({"date": "2024-05-03",
                                         "text": "\x1b[2K premium \u202e"}) + "\n",
                    encoding="utf-8")
    result = run("keywords", str(docs), "-t", "premium", "--by", "month")
    assert result.exit_code == 0, result.output
    assert "C:\\\\\\[premium]" in result.output
    assert "D:" + "\\" * 6 + "[premium]" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    # Keyword matching reads control characters as spaces; the override is shown.
    assert "[2K [premium] \\u202e" in result.output


def test_links_and_markup_are_not_words_or_hits(tmp_path: Path) -> None:
    """A speech posted as Markdown: only the spoken "premium" counts, not the ones in a
    bare URL, a link target or an HTML attribute, and none of those are words."""
    (tmp_path / "2021-01-01-links.md").write_text(
        "Source: https://www.mi.com/premium-phones/premium?ref=premium\n"
        "See [our premium page](https://x.com/premium-line).\n"
        '<div class="premium">Hello</div>\n', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("---\ndate: 20220811\n---\nPremium again, "
                                        "see www.premium.example/x\n", encoding="utf-8")
    result = run("keywords", str(tmp_path), "-t", "premium", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"premium": {
        "2021": {"count": 1, "words": 6, "per_1000": 166.667},
        "2022": {"count": 1, "words": 3, "per_1000": 333.333}}}


def test_markdown_emphasis_does_not_break_a_term(tmp_path: Path) -> None:
    """``**premium** smartphone`` in a Markdown speech is the two-word term, and
    ``坚持**高端**化`` holds 高端化; emphasis inside words, a list item's star and
    punctuation between the words are not."""
    (tmp_path / "2023-08-14-talk.md").write_text(
        "Our **premium** smartphone, a _premium_ smartphone, ***premium smartphone***.\n"
        "* premium, smartphone\n"
        "The premium_smartphone file.\n我们坚持**高端**化。\n", encoding="utf-8")
    (tmp_path / "2022-notes.txt").write_text("A **premium** smartphone in plain text.\n",
                                             encoding="utf-8")
    result = run("keywords", str(tmp_path), "-t", "premium smartphone", "-t", "高端化",
                 "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert {period: v["count"] for period, v in found["premium smartphone"].items()} == {
        "2022": 0, "2023": 3}
    assert found["高端化"]["2023"]["count"] == 1


def test_module_doctest() -> None:
    assert doctest.testmod(keywords).failed == 0
