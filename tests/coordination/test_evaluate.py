"""Scoring a detection against planted truth, and the adjusted Rand index behind it."""

from __future__ import annotations

import doctest
import itertools
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from undertow.cli import main
from undertow.coordination import evaluate as evaluate_module
from undertow.coordination.evaluate import (
    adjusted_rand_index,
    evaluate,
    evaluate_files,
    format_report,
)
from undertow.coordination.export import write_accounts_csv

TRUTH: dict[str, Any] = {
    "campaigns": [
        {"campaign_id": "c1", "kind": "copy_paste", "accounts": ["a1", "a2", "a3", "a4"]},
        {"campaign_id": "c2", "kind": "repost_ring", "accounts": ["b1", "b2", "b3"]},
        {"campaign_id": "c3", "kind": "copy_paste", "accounts": ["d1", "d2"]},
    ],
    "accounts": {"a1": "c1", "a2": "c1", "a3": "c1", "a4": "c1", "b1": "c2", "b2": "c2",
                 "b3": "c2", "d1": "c3", "d2": "c3"},
    "organic_outrage": {"event": "battery_fire", "accounts": ["o1", "o2", "o3"]},
}


def _rows(groups: dict[str, list[str]], platform: str = "weibo") -> list[dict[str, Any]]:
    return [{"account_id": a, "platform": platform, "campaign_id": k, "score": 0.8,
             "top_signal": "text"} for k, members in groups.items() for a in members]


PERFECT = {"k1": ["a1", "a2", "a3", "a4"], "k2": ["b1", "b2", "b3"], "k3": ["d1", "d2"]}


# --- adjusted Rand index ---------------------------------------------------------------


def _ari_by_pairs(x: Sequence[Any], y: Sequence[Any]) -> float:
    """ARI from the pair confusion counts, O(n^2): an independent formula to check against."""
    same_same = same_diff = diff_same = diff_diff = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        sx, sy = x[i] == x[j], y[i] == y[j]
        same_same += sx and sy
        same_diff += sx and not sy
        diff_same += sy and not sx
        diff_diff += not sx and not sy
    num = 2 * (same_same * diff_diff - same_diff * diff_same)
    den = ((same_same + same_diff) * (same_diff + diff_diff)
           + (same_same + diff_same) * (diff_same + diff_diff))
    return 1.0 if den == 0 else num / den


@pytest.mark.parametrize(("x", "y", "expected"), [
    ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
    ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),                      # renaming does not matter
    (["a", "a", "b"], [(1,), (1,), None], 1.0),             # any hashable labels
    ([0, 0, 1, 1], [0, 0, 1, 2], 4 / 7),                    # index 1, expected 1/3, max 3/2
    ([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2], 8 / 33),       # index 2, expected 6/5, max 9/2
    # true a a a a b b b c c vs pred x x x y y y z z z: contingency [[3,1,0],[0,2,1],[0,0,2]]
    # index 3+1+1 = 5, rows 6+3+1 = 10, cols 3+3+3 = 9, pairs 36, expected 2.5, max 9.5
    (list("aaaabbbcc"), list("xxxyyyzzz"), 5 / 14),
    ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),                     # worse than chance
    ([0, 0, 0, 0], [0, 1, 2, 3], 0.0),                      # one campaign split apart
    ([0, 1, 2, 3], [0, 1, 2, 3], 1.0),                      # trivial, but identical
    ([0, 0, 0], [1, 1, 1], 1.0),
    ([7], [3], 1.0),
    ([], [], 1.0),
])
def test_ari_known_values(x: list[Any], y: list[Any], expected: float) -> None:
    assert adjusted_rand_index(x, y) == pytest.approx(expected, abs=1e-12)
    assert adjusted_rand_index(y, x) == pytest.approx(expected, abs=1e-12)


def test_ari_matches_pair_counting() -> None:
    rnd = random.Random(5)
    for _ in range(50):
        n = rnd.randint(2, 40)
        x = [rnd.randrange(rnd.randint(1, 6)) for _ in range(n)]
        y = [rnd.randrange(rnd.randint(1, 6)) for _ in range(n)]
        assert adjusted_rand_index(x, y) == pytest.approx(_ari_by_pairs(x, y), abs=1e-12)


def test_ari_length_mismatch() -> None:
    with pytest.raises(ValueError):
        adjusted_rand_index([1, 2], [1])


# --- evaluate --------------------------------------------------------------------------


def test_perfect_detection() -> None:
    result = evaluate(TRUTH, _rows(PERFECT))
    assert (result["precision"], result["recall"], result["f1"]) == (1.0, 1.0, 1.0)
    assert result["ari_planted"] == 1.0 and result["ari_union"] == 1.0
    assert result["planted_campaigns"] == result["detected_campaigns"] == 3
    assert result["kinds"] == {
        "copy_paste": {"campaigns": 2, "planted": 6, "found": 6, "recall": 1.0,
                       "detected_campaigns": 2, "precision": 1.0},
        "repost_ring": {"campaigns": 1, "planted": 3, "found": 3, "recall": 1.0,
                        "detected_campaigns": 1, "precision": 1.0},
    }
    assert result["organic_flagged"] == {"count": 0, "accounts": []}
    assert result["organic_outrage_flagged"] == {"count": 0, "accounts": [], "total": 3}


def test_outrage_flagged_is_counted() -> None:
    groups = {**PERFECT, "k2": PERFECT["k2"] + ["o2"], "k9": ["o1", "x9"]}
    result = evaluate(TRUTH, _rows(groups))
    assert result["organic_outrage_flagged"] == {"count": 2, "accounts": ["o1", "o2"],
                                                 "total": 3}
    assert result["organic_flagged"] == {"count": 3, "accounts": ["o1", "o2", "x9"]}
    assert result["recall"] == 1.0 and result["precision"] == pytest.approx(9 / 12)
    # o2 sits in the repost ring's detected campaign; k9 has no planted member at all.
    assert result["kinds"]["repost_ring"]["precision"] == pytest.approx(3 / 4)
    assert result["kinds"]["copy_paste"]["precision"] == 1.0
    assert result["ari_planted"] == 1.0 and result["ari_union"] < 1.0


def test_split_campaign_lowers_ari_not_recall() -> None:
    split = {**PERFECT, "k1": ["a1", "a2"], "k1b": ["a3", "a4"]}
    result = evaluate(TRUTH, _rows(split))
    assert result["recall"] == 1.0 and result["precision"] == 1.0
    assert result["ari_planted"] < 1.0 and result["ari_union"] < 1.0
    assert result["kinds"]["copy_paste"]["recall"] == 1.0
    c1 = next(c for c in result["campaigns"] if c["campaign_id"] == "c1")
    assert c1 == {"campaign_id": "c1", "kind": "copy_paste", "size": 4, "found": 4,
                  "recall": 1.0, "detected_campaigns": 2}


def test_merged_campaigns_lower_ari_and_kind_precision() -> None:
    merged = {"k1": PERFECT["k1"] + PERFECT["k2"], "k3": PERFECT["k3"]}
    result = evaluate(TRUTH, _rows(merged))
    assert result["recall"] == 1.0 and result["ari_planted"] < 1.0
    # k1 is mostly copy_paste: the repost ring's accounts count against copy_paste ...
    assert result["kinds"]["copy_paste"]["precision"] == pytest.approx(6 / 9)
    # ... and repost_ring dominates no detected campaign.
    assert result["kinds"]["repost_ring"]["precision"] is None


def test_missed_accounts() -> None:
    partial = {"k1": ["a1", "a2"], "k2": ["b1", "b2", "b3"]}
    result = evaluate(TRUTH, _rows(partial))
    assert result["precision"] == 1.0 and result["recall"] == pytest.approx(5 / 9)
    assert result["f1"] == pytest.approx(2 * 5 / (5 + 9))
    assert result["kinds"]["copy_paste"]["recall"] == pytest.approx(2 / 6)
    assert 0 < result["ari_planted"] < 1


def test_empty_detection() -> None:
    result = evaluate(TRUTH, [])
    assert result["recall"] == 0.0 and result["precision"] is None and result["f1"] == 0.0
    assert result["ari_planted"] == 0.0
    assert result["kinds"]["copy_paste"]["precision"] is None
    assert result["detected_campaigns"] == 0
    report = format_report(result)
    assert "recall 0.000" in report and "precision n/a" in report


def test_empty_truth_and_detection() -> None:
    result = evaluate({"campaigns": [], "accounts": {}}, [])
    assert result["precision"] is None and result["recall"] is None and result["f1"] is None
    assert result["ari_planted"] is None and result["ari_union"] is None
    assert format_report(result)


def test_matches_on_account_id_across_platforms() -> None:
    rows = _rows(PERFECT) + [{"account_id": "a1", "platform": "twitter", "campaign_id": "k7",
                              "score": 0.1, "top_signal": "link"}]
    result = evaluate(TRUTH, rows)
    assert result["flagged_accounts"] == 9 and result["ari_planted"] == 1.0


def test_accounts_without_campaign_stand_alone() -> None:
    rows = _rows(PERFECT)
    for row in rows:
        if row["account_id"] in ("d1", "d2"):
            row["campaign_id"] = ""
    result = evaluate(TRUTH, rows)
    assert result["recall"] == 1.0 and result["ari_planted"] < 1.0


def test_truth_without_accounts_map() -> None:
    truth = {k: v for k, v in TRUTH.items() if k != "accounts"}
    assert evaluate(truth, _rows(PERFECT))["ari_planted"] == 1.0


def test_evaluate_files_and_report(tmp_path: Path) -> None:
    truth_path = tmp_path / "truth.json"
    truth_path.write_text(json.dumps(TRUTH), encoding="utf-8")
    accounts_path = write_accounts_csv(tmp_path / "accounts.csv",
                                       _rows({**PERFECT, "k9": ["o1"]}))
    result = evaluate_files(truth_path, accounts_path)
    assert result["organic_outrage_flagged"]["accounts"] == ["o1"]
    lines = format_report(result).splitlines()
    assert lines[0].startswith("accounts") and "planted 9" in lines[0]
    assert any("outrage 1 of 3: o1" in line for line in lines)
    table = lines[lines.index(next(x for x in lines if x.startswith("kind"))):]
    assert [line.split()[0] for line in table] == ["kind", "copy_paste", "repost_ring"]
    assert len({len(line) for line in table}) == 1  # aligned columns


def test_the_report_shows_what_would_act_on_a_terminal_as_escapes() -> None:
    """Account ids and kinds come from files anyone can write: an escape sequence in
    one cleared the screen, a right-to-left mark reversed the line."""
    truth = {"campaigns": [{"campaign_id": "c1", "kind": "copy\x1b[31mpaste",
                            "accounts": ["a1", "a2"]}],
             "organic_outrage": {"accounts": ["esc\x1b[2Jred", "\u202eevil"]}}
    report = format_report(evaluate(truth, _rows({"k1": ["a1", "a2", "esc\x1b[2Jred",
                                                          "\u202eevil"]})))
    assert "\x1b" not in report and "\u202e" not in report
    assert "outrage 2 of 2: esc\\x1b[2Jred, \\u202eevil" in report
    table = report.splitlines()[-2:]
    assert table[1].startswith("copy\\x1b[31mpaste  ")
    assert len({len(line) for line in table}) == 1  # still aligned


@pytest.mark.parametrize("content, reason", [
    ("account_id,campaign_id\na1,k1\n", "not JSON (Expecting value at line 1 column 1)"),
    ('["a1", "a2"]', "expected a JSON object like"),
    ('{"planted": ["a1", "a2"]}', "expected a JSON object like"),
    ('{"campaigns": {"c1": ["a1"]}}', '"campaigns" must be a list'),
    ('{"campaigns": [{"campaign_id": "c1", "accounts": "a1 a2"}]}', "campaign 1 needs"),
    ('{"campaigns": [], "organic_outrage": ["o1"]}', '"organic_outrage" must be an object'),
    # null planted a1 in a campaign called "None" (a null kind is "unknown", as none)
    ('{"accounts": {"a1": null}}', "\"accounts\": 'a1' maps to None, not a campaign id"),
    ('{"campaigns": [{"campaign_id": null, "accounts": ["a1"]}]}', "campaign 1 needs"),
    ('{"campaigns": [{"campaign_id": "c1", "kind": ["copy"], "accounts": []}]}',
     'campaign 1: "kind" must be a name'),
    # null or an object planted the accounts "None" and "{'a': 1}"
    ('{"campaigns": [{"campaign_id": "c1", "accounts": ["a1", null]}]}',
     "campaign 1: None is not an account id"),
    ('{"campaigns": [{"campaign_id": "c1", "accounts": [{"a": 1}]}]}',
     "campaign 1: {'a': 1} is not an account id"),
    ('{"campaigns": [], "organic_outrage": {"accounts": [null]}}',
     '"organic_outrage" must be an object with a list of "accounts" (account ids)'),
])
def test_wrong_truth_file_is_refused_with_its_reason(tmp_path: Path, content: str,
                                                     reason: str) -> None:
    # A truth of the wrong shape either crashed or planted nothing (recall "n/a", every
    # flagged account organic: a report that reads like a result).
    truth = tmp_path / "truth.json"
    truth.write_text(content, encoding="utf-8")
    accounts = write_accounts_csv(tmp_path / "accounts.csv", _rows(PERFECT))
    result = CliRunner().invoke(main, ["evaluate", "--truth", str(truth),
                                       "--detected", str(accounts.parent)])
    assert result.exit_code == 2
    assert result.output.startswith(f"undertow: error: {truth}: {reason}")


def test_a_campaign_without_a_kind_is_of_kind_unknown() -> None:
    truth = {"campaigns": [{"campaign_id": "c1", "kind": None, "accounts": ["a1", "a2"]},
                           {"campaign_id": "c2", "accounts": ["a3", "a4"]}]}
    result = evaluate(truth, _rows({"X": ["a1", "a2"], "Y": ["a3", "a4"]}))
    assert list(result["kinds"]) == ["unknown"]
    assert result["kinds"]["unknown"]["recall"] == 1.0


def test_outrage_listing_is_capped() -> None:
    outrage = [f"o{i:03d}" for i in range(50)]
    truth = {**TRUTH, "organic_outrage": {"event": "x", "accounts": outrage}}
    result = evaluate(truth, _rows({"k": outrage}))
    assert result["organic_outrage_flagged"]["count"] == 50
    assert result["organic_outrage_flagged"]["accounts"] == outrage[:20]


def test_module_examples() -> None:
    assert doctest.testmod(evaluate_module).failed == 0
