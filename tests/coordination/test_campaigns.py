"""Which bursts tie their accounts into campaigns (``campaigns.repeated_bursts``)."""

from __future__ import annotations

import doctest

import pyarrow as pa

from undertow.coordination import campaigns
from undertow.coordination.campaigns import BurstPost, repeated_bursts

NO_EDGES = pa.table({"account_1": pa.array([], pa.string()),
                     "account_2": pa.array([], pa.string())})


def _burst(signal: str, key: str, accounts: list[str], at: float) -> dict[str, object]:
    return {"signal": signal, "key": key, "accounts": sorted(accounts), "hour_share": 0.05,
            "posts": [BurstPost(a, f"{key}-{a}", at + i) for i, a in enumerate(accounts)]}


def test_doctests() -> None:
    assert doctest.testmod(campaigns).failed == 0


def test_a_crowd_that_joins_two_surges_is_not_a_campaign() -> None:
    """A brand's 1,000 active accounts: 400 repost a viral post, and three hours later
    20 post a trending hashtag within one minute, 12 of whom had reposted (8 would by
    chance). Meeting again inside a crowd that large is chance, not concert; twelve
    accounts that flood two hashtags together are a campaign."""
    fans = [f"twitter:fan{i}" for i in range(1000)]
    viral = _burst("repost", "twitter:star1", fans[:400], 0.0)
    tag = _burst("hashtag", "su7recall", fans[388:408], 3 * 3600.0)
    ring = [f"twitter:bot{i}" for i in range(12)]
    floods = [_burst("hashtag", "buysu7", ring, 7200.0), _burst("hashtag", "su7best", ring,
                                                                9000.0)]
    bursts = [viral, tag, *floods]
    kept, alone = repeated_bursts(bursts, NO_EDGES, 60.0, {"twitter": 1012})
    assert [b["key"] for b in kept] == ["buysu7", "su7best"]
    assert tag["meets_again"] == 0.0
    # Counting every shared account, 12 of the 20 (60%) "meet again": a campaign.
    kept, _ = repeated_bursts(bursts, NO_EDGES, 60.0)
    assert "su7recall" in [b["key"] for b in kept]
