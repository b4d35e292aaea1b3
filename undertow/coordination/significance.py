"""Which co-actions are more than chance.

**Edges.** Cut time into cells of one window per (signal, key). Under the null
model each account joins cells independently, at its own rate in each hour:
two accounts that act ``r_a`` and ``r_b`` times in hour ``h`` meet in the same
cell with expected count ``r_a r_b K_h``, where ``K_h = Σ s(s-1) / (Σ s)²``
over that hour's cells (``s`` = accounts in a cell). Busy hours, popular keys
and crowded cells all raise ``K_h``, so an outrage hour where everyone uses the
same hashtag expects many chance meetings. Co-actions are counted within ±one
window, twice a cell's width, so the expectation is doubled:
``λ_ab = 2 Σ_h r_a,h r_b,h K_h``. The observed count is the number of distinct
co-action events (signal, key, window) the two accounts share; its p-value is
the Poisson upper tail, and edges are kept when ``p × (edges tested)`` is at
most ``alpha`` (Bonferroni: the family-wise error rate). A false-discovery
rate is too lenient here: when thousands of campaign edges are truly
significant, Benjamini–Hochberg lets in a fixed share of chance edges too
(on 100k simulated posts: account precision 0.37 against 1.00). One shared
moment is never enough on its own (an edge needs at least two separate
windows): among all the pairs that could have met, some will by chance, so a
single large moment is judged as a burst instead. The same accounts meeting
again and again is what counts.

**Bursts.** A cell where unusually many accounts act on one key at once (a
500-account flood of one text) is tested against the key's own rate in the
surrounding hour, Poisson again, Bonferroni-corrected over the cells tested.

Example:
    >>> import numpy as np
    >>> p = poisson_sf(np.array([1, 5]), np.array([0.01, 0.01]))
    >>> bool(p[0] < 0.02), bool(p[1] < 1e-10)
    (True, True)
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammainc


def poisson_sf(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``P(X >= observed)`` for ``X ~ Poisson(expected)``, element-wise."""
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.maximum(np.asarray(expected, dtype=np.float64), 1e-300)
    out = np.ones_like(expected)
    pos = observed > 0
    # P(X >= k) = regularised lower incomplete gamma P(k, λ).
    out[pos] = gammainc(observed[pos], expected[pos])
    return out


def neg_log10(p: np.ndarray, cap: float = 300.0) -> np.ndarray:
    """``-log10 p``, capped (for weights and display)."""
    return np.minimum(-np.log10(np.maximum(np.asarray(p, dtype=np.float64), 1e-300)), cap)
