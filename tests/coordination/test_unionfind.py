"""Union-find: groups rooted at their lowest number, whatever order they are joined in."""

from __future__ import annotations

import doctest

from undertow.coordination import unionfind
from undertow.coordination.unionfind import find, union


def test_module_examples() -> None:
    assert doctest.testmod(unionfind).failed == 0


def test_groups_rooted_at_their_lowest_number_in_any_order() -> None:
    for joins in ([(5, 4), (4, 2), (7, 6)], [(7, 6), (2, 5), (4, 5)]):
        root = list(range(8))
        for a, b in joins:
            union(root, a, b)
        assert [find(root, k) for k in range(8)] == [0, 1, 2, 3, 2, 2, 6, 6]
