"""Score a detection against the ground truth of ``undertow simulate --truth``.

Accounts are matched on ``account_id`` alone: the truth names plain author ids, a detection
names ``(account_id, platform)``. An account is *flagged* when it is in the detection
(``accounts.csv``) and *positive* when a planted campaign has it. The result holds:

- ``precision``, ``recall``, ``f1`` over accounts (``None`` where undefined: precision with
  nothing flagged, recall with nothing planted);
- per planted campaign kind (``kinds``): ``recall`` of its accounts and ``precision`` over the
  detected campaigns it *dominates* (the kind most of their planted members have): its own
  accounts in them / all flagged accounts in them (``None`` when it dominates none);
- two adjusted Rand indices (Hubert & Arabie 1985) of detected against planted campaigns:
  ``ari_planted`` over the planted accounts only, missed ones each in a cluster of their own
  (how well the campaigns are recovered and kept apart; flagged organic accounts do not count);
  ``ari_union`` over planted and flagged accounts together, organic ones each in their own
  planted "cluster" (also punished for lumping organic accounts into campaigns);
- ``organic_flagged`` and ``organic_outrage_flagged``: how many flagged accounts were not
  planted, and how many took part in the organic outrage (real anger, not coordination), with
  at most 20 of their ids.

Example:
    >>> truth = {"campaigns": [{"campaign_id": "c1", "kind": "copy_paste",
    ...                         "accounts": ["a1", "a2", "a3"]},
    ...                        {"campaign_id": "c2", "kind": "repost_ring",
    ...                         "accounts": ["b1", "b2"]}],
    ...          "organic_outrage": {"event": "recall", "accounts": ["o1", "o2"]}}
    >>> detected = [{"account_id": a, "platform": "weibo", "campaign_id": k}
    ...             for a, k in [("a1", "k1"), ("a2", "k1"), ("b1", "k2"), ("b2", "k2"),
    ...                          ("o1", "k2")]]
    >>> result = evaluate(truth, detected)
    >>> result["precision"], result["recall"], round(result["f1"], 3)
    (0.8, 0.8, 0.8)
    >>> result["kinds"]["repost_ring"]["precision"], result["organic_outrage_flagged"]["count"]
    (0.6666666666666666, 1)
    >>> round(result["ari_planted"], 3), round(result["ari_union"], 3)
    (0.545, 0.318)
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from undertow.coordination.export import read_accounts
from undertow.escapes import visible

LIST_LIMIT = 20


# --- adjusted Rand index ---------------------------------------------------------------


def adjusted_rand_index(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> float:
    """Hubert & Arabie's adjusted Rand index of two partitions of the same items.

    1.0 for identical partitions (up to renaming), about 0 for independent ones, negative
    for worse than chance. Two identical trivial partitions (all together, or all apart,
    or fewer than two items) score 1.0, as in scikit-learn.

    Example:
        >>> adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0])
        1.0
        >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]), 4)  # 4/7
        0.5714
        >>> adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1])
        -0.5
    """
    if len(labels_true) != len(labels_pred):
        raise ValueError(f"{len(labels_true)} true labels but {len(labels_pred)} predicted")
    rows, cols = _codes(labels_true), _codes(labels_pred)
    cells = np.unique(rows * (int(cols.max(initial=0)) + 1) + cols, return_counts=True)[1]
    index = _pairs(cells)
    a, b = _pairs(np.bincount(rows)), _pairs(np.bincount(cols))
    total = len(rows) * (len(rows) - 1) // 2
    if total == 0:
        return 1.0
    # (index - expected) / (maximum - expected), with expected = a*b/total and
    # maximum = (a+b)/2, multiplied through by 2*total to stay in exact integers.
    numerator = 2 * (index * total - a * b)
    denominator = (a + b) * total - 2 * a * b
    if denominator == 0:
        return 1.0
    return numerator / denominator


def _codes(labels: Sequence[Hashable]) -> np.ndarray:
    """Labels as integer codes 0..k-1, in order of first appearance."""
    seen: dict[Hashable, int] = {}
    return np.fromiter((seen.setdefault(x, len(seen)) for x in labels), dtype=np.int64,
                       count=len(labels))


def _pairs(counts: np.ndarray) -> int:
    """Sum of ``n choose 2`` over ``counts``, exactly."""
    c = counts.astype(np.int64)
    return int((c * (c - 1) // 2).sum())


# --- reading the two sides -------------------------------------------------------------


def planted_accounts(truth: Mapping[str, Any]) -> dict[str, str]:
    """Planted account id -> its campaign id (the truth's ``accounts`` map wins)."""
    planted: dict[str, str] = {}
    for campaign in truth.get("campaigns", []):
        for account in campaign.get("accounts", []):
            planted.setdefault(str(account), str(campaign["campaign_id"]))
    planted.update({str(a): str(c) for a, c in (truth.get("accounts") or {}).items()})
    return planted


def detected_accounts(accounts: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Flagged account id -> detected campaign label.

    An account without a campaign id is a campaign of its own; an id flagged on several
    platforms keeps its highest-scoring row.
    """
    best: dict[str, tuple[float, str]] = {}
    for row in accounts:
        account = str(row["account_id"])
        campaign = str(row.get("campaign_id") or "")
        label = f"campaign:{campaign}" if campaign else f"alone:{account}"
        score = _score(row.get("score"))
        if account not in best or score > best[account][0]:
            best[account] = (score, label)
    return {account: label for account, (_, label) in best.items()}


def _score(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("-inf")
    return number if number == number else float("-inf")


# --- the evaluation --------------------------------------------------------------------


def evaluate(truth: Mapping[str, Any], accounts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Score detected ``accounts`` (rows of ``accounts.csv``) against ``truth``."""
    planted = planted_accounts(truth)
    detected = detected_accounts(accounts)
    kinds = {str(c["campaign_id"]): str("unknown" if c.get("kind") is None else c["kind"])
             for c in truth.get("campaigns", [])}
    flagged = set(detected)
    hits = len(flagged & set(planted))
    outrage = {str(a) for a in (truth.get("organic_outrage") or {}).get("accounts", [])}
    return {
        "planted_accounts": len(planted),
        "flagged_accounts": len(flagged),
        "true_positives": hits,
        "precision": _ratio(hits, len(flagged)),
        "recall": _ratio(hits, len(planted)),
        "f1": _ratio(2 * hits, len(flagged) + len(planted)),
        "planted_campaigns": len(set(planted.values())),
        "detected_campaigns": len(set(detected.values())),
        "ari_planted": _ari_planted(planted, detected),
        "ari_union": _ari_union(planted, detected),
        "kinds": _per_kind(planted, detected, kinds),
        "campaigns": _per_campaign(planted, detected, kinds),
        "organic_flagged": _listing(flagged - set(planted)),
        "organic_outrage_flagged": {**_listing(flagged & outrage), "total": len(outrage)},
    }


def evaluate_files(truth_path: Path | str, accounts_path: Path | str) -> dict[str, Any]:
    """:func:`evaluate` on a truth JSON file and an ``accounts.csv``."""
    return evaluate(read_truth(truth_path), read_accounts(accounts_path))


TRUTH_SHAPE = ('{"campaigns": [{"campaign_id": "c1", "kind": "copy_paste", "accounts": '
               '["a1", "a2"]}], "organic_outrage": {"accounts": ["o1"]}}')


def read_truth(path: Path | str) -> dict[str, Any]:
    """The ground truth in ``path`` (what ``undertow simulate --truth`` writes, or a file of
    the same shape made by hand), checked so that a wrong file fails with a reason instead
    of scoring as if nothing had been planted.

    Example:
        >>> import tempfile, os
        >>> f = os.path.join(tempfile.mkdtemp(), "truth.json")
        >>> _ = open(f, "w").write('{"campaigns": [{"campaign_id": "c1"}]}')
        >>> read_truth(f)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ...truth.json: campaign 1 needs "campaign_id" and a list of "accounts" ...
    """
    where = str(path)
    try:
        truth = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not JSON ({exc.msg} at line {exc.lineno} column "
                         f"{exc.colno}); expected {TRUTH_SHAPE}") from None
    if not isinstance(truth, dict) or not ("campaigns" in truth or "accounts" in truth):
        raise ValueError(f"{where}: expected a JSON object like {TRUTH_SHAPE}")
    campaigns = truth.get("campaigns", [])
    if not isinstance(campaigns, list):
        raise ValueError(f'{where}: "campaigns" must be a list, like {TRUTH_SHAPE}')
    for number, campaign in enumerate(campaigns, 1):
        if not (isinstance(campaign, dict) and _named(campaign.get("campaign_id"))
                and isinstance(campaign.get("accounts"), list)):
            raise ValueError(f'{where}: campaign {number} needs "campaign_id" and a list of '
                             f'"accounts" (like {TRUTH_SHAPE})')
        if campaign.get("kind") is not None and not _named(campaign["kind"]):
            raise ValueError(f'{where}: campaign {number}: "kind" must be a name')
        for account in campaign["accounts"]:
            if not _named(account):  # null or an object would plant "None" or its repr
                raise ValueError(f"{where}: campaign {number}: {account!r} is not an "
                                 "account id")
    planted = truth.get("accounts") or {}
    if not isinstance(planted, dict):
        raise ValueError(f'{where}: "accounts" must map account ids to campaign ids')
    for account, campaign_id in planted.items():
        if not _named(campaign_id):  # null would plant the account in a campaign "None"
            raise ValueError(f'{where}: "accounts": {account!r} maps to {campaign_id!r}, '
                             "not a campaign id")
    outrage = truth.get("organic_outrage") or {}
    if not (isinstance(outrage, dict) and isinstance(outrage.get("accounts", []), list)
            and all(_named(a) for a in outrage.get("accounts", []))):
        raise ValueError(f'{where}: "organic_outrage" must be an object with a list of '
                         '"accounts" (account ids)')
    return truth


def _named(value: Any) -> bool:
    """Whether ``value`` can name a campaign, a kind or an account: text or a whole
    number."""
    return (isinstance(value, str) and bool(value.strip())) or \
        (isinstance(value, int) and not isinstance(value, bool))


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _listing(ids: set[str]) -> dict[str, Any]:
    return {"count": len(ids), "accounts": sorted(ids)[:LIST_LIMIT]}


def _ari_planted(planted: Mapping[str, str], detected: Mapping[str, str]) -> float | None:
    """ARI over planted accounts; a missed one is a cluster of its own."""
    if not planted:
        return None
    ids = sorted(planted)
    return adjusted_rand_index([planted[a] for a in ids],
                               [detected.get(a, f"missed:{a}") for a in ids])


def _ari_union(planted: Mapping[str, str], detected: Mapping[str, str]) -> float | None:
    """ARI over planted and flagged accounts; organic or missed ones stand alone."""
    ids = sorted(set(planted) | set(detected))
    if not ids:
        return None
    return adjusted_rand_index([planted.get(a, f"organic:{a}") for a in ids],
                               [detected.get(a, f"missed:{a}") for a in ids])


def _dominant_kinds(planted: Mapping[str, str], detected: Mapping[str, str],
                    kinds: Mapping[str, str]) -> dict[str, list[str]]:
    """Planted kind -> all flagged members of the detected campaigns it dominates.

    A detected campaign is dominated by the kind most of its planted members have (ties go
    to the alphabetically first kind); one without planted members is dominated by none.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for account, label in detected.items():
        members[label].append(account)
    dominated: dict[str, list[str]] = defaultdict(list)
    for group in members.values():
        votes = Counter(_kind(planted, kinds, a) for a in group if a in planted)
        if votes:
            top = max(votes.values())
            dominated[min(k for k, n in votes.items() if n == top)].extend(group)
    return dominated


def _kind(planted: Mapping[str, str], kinds: Mapping[str, str], account: str) -> str:
    return kinds.get(planted[account], "unknown")


def _per_kind(planted: Mapping[str, str], detected: Mapping[str, str],
              kinds: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    dominated = _dominant_kinds(planted, detected, kinds)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for account in planted:
        by_kind[_kind(planted, kinds, account)].append(account)
    out: dict[str, dict[str, Any]] = {}
    for kind in sorted(by_kind):
        mine = by_kind[kind]
        found = sum(a in detected for a in mine)
        group = dominated.get(kind, [])
        right = sum(a in planted and _kind(planted, kinds, a) == kind for a in group)
        out[kind] = {
            "campaigns": len({planted[a] for a in mine}),
            "planted": len(mine),
            "found": found,
            "recall": _ratio(found, len(mine)),
            "detected_campaigns": len({detected[a] for a in group}),
            "precision": _ratio(right, len(group)),
        }
    return out


def _per_campaign(planted: Mapping[str, str], detected: Mapping[str, str],
                  kinds: Mapping[str, str]) -> list[dict[str, Any]]:
    members: dict[str, list[str]] = defaultdict(list)
    for account, campaign in planted.items():
        members[campaign].append(account)
    rows = []
    for campaign in sorted(members):
        found = [a for a in members[campaign] if a in detected]
        rows.append({
            "campaign_id": campaign,
            "kind": kinds.get(campaign, "unknown"),
            "size": len(members[campaign]),
            "found": len(found),
            "recall": _ratio(len(found), len(members[campaign])),
            "detected_campaigns": len({detected[a] for a in found}),
        })
    return rows


# --- the terminal report ---------------------------------------------------------------


def format_report(result: Mapping[str, Any]) -> str:
    """A few aligned lines for the terminal (account ids and kinds, which come from
    files, with characters that would act on it shown as escapes).

    Example:
        >>> truth = {"campaigns": [{"campaign_id": "c1", "kind": "copy_paste",
        ...                         "accounts": ["a1", "a2"]}]}
        >>> print(format_report(evaluate(truth, [])))  # doctest: +NORMALIZE_WHITESPACE
        accounts   planted 2   flagged 0   true positives 0
                   precision n/a   recall 0.000   F1 0.000
        grouping   ARI planted 0.000  (planted accounts; missed ones alone)
                   ARI union   0.000  (planted + flagged; organic and missed ones alone)
        organic    flagged 0   of them in the organic outrage 0 of 0
        kind        campaigns  planted  found  recall  precision
        copy_paste          1        2      0   0.000        n/a
    """
    outrage = result["organic_outrage_flagged"]
    lines = [
        f"accounts   planted {result['planted_accounts']}   flagged "
        f"{result['flagged_accounts']}   true positives {result['true_positives']}",
        f"           precision {_num(result['precision'])}   recall {_num(result['recall'])}"
        f"   F1 {_num(result['f1'])}",
        f"grouping   ARI planted {_num(result['ari_planted'])}  "
        "(planted accounts; missed ones alone)",
        f"           ARI union   {_num(result['ari_union'])}  "
        "(planted + flagged; organic and missed ones alone)",
        f"organic    flagged {result['organic_flagged']['count']}   of them in the organic "
        f"outrage {outrage['count']} of {outrage['total']}"
        + (": " + ", ".join(visible(a) for a in outrage["accounts"])
           if outrage["accounts"] else ""),
    ]
    return "\n".join(lines + _kind_table(result["kinds"]))


def _kind_table(kinds: Mapping[str, Mapping[str, Any]]) -> list[str]:
    if not kinds:
        return []
    kinds = {visible(kind): k for kind, k in kinds.items()}  # names from a truth file
    width = max(len("kind"), *(len(k) for k in kinds))
    head = f"{'kind':<{width}}  campaigns  planted  found  recall  precision"
    rows = [
        f"{kind:<{width}}  {k['campaigns']:>9}  {k['planted']:>7}  {k['found']:>5}  "
        f"{_num(k['recall']):>6}  {_num(k['precision']):>9}"
        for kind, k in kinds.items()
    ]
    return [head, *rows]


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
