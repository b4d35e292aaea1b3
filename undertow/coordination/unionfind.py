"""Union-find over numbered items (``root[k]``: the item ``k`` points to), the lowest
number of each group its root: groups of bursts that are one act, cores that are one
flood, communities held by the same bursts.

Example:
    >>> root = list(range(5))
    >>> union(root, 3, 1); union(root, 4, 3)
    >>> [find(root, k) for k in range(5)]
    [0, 1, 2, 1, 1]
"""

from __future__ import annotations


def find(root: list[int], k: int) -> int:
    """The root of ``k`` (paths halved on the way)."""
    while root[k] != k:
        root[k] = root[root[k]]
        k = root[k]
    return k


def union(root: list[int], a: int, b: int) -> None:
    """Put ``a`` and ``b`` in one group, rooted at the lower of their roots."""
    ra, rb = find(root, a), find(root, b)
    if ra != rb:
        root[max(ra, rb)] = min(ra, rb)
