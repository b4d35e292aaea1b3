"""Helpers every adapter shares: the examples in their docs hold."""

from __future__ import annotations

import doctest

from undertow.adapters import base


def test_the_examples_in_the_docs_hold():
    assert doctest.testmod(base).failed == 0
