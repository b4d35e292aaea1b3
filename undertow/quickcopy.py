"""Cheaper copies while sqlframe builds query plans: the same copies, less Python.

sqlframe copies the whole plan so far on every DataFrame operation (a relational
step of detection is a few dozen operations). Two things made those copies slow,
and neither changes what is copied:

- sqlglot copies each node's metadata dict (source positions of parsed names,
  sqlframe's display names) with :func:`copy.deepcopy`, in Python, although its
  values are plain strings and numbers. A dict of such values deep-copies to
  ``dict.copy()``. On the plans of one detection that was most of the time spent
  building plans.
- :meth:`sqlframe.base.dataframe.BaseDataFrame.copy` copied every attribute,
  then replaced the ones it was given new values for: the old plan was copied
  only to be thrown away.

:func:`install` puts both right, once per process; anything that is not a dict
(or list) of plain values still goes through :func:`copy.deepcopy`. It also makes
sqlframe name its dialect once per dialect (:func:`remembered_names`), not on
every function it looks up: 0.6 M Python calls of each 100k-post detection.

Example:
    >>> import sqlglot
    >>> install()
    >>> tree = sqlglot.parse_one("SELECT a FROM t")
    >>> copied = tree.copy()
    >>> copied.sql(), copied is tree, copied.find(sqlglot.exp.Column).meta == \\
    ...     tree.find(sqlglot.exp.Column).meta
    ('SELECT a FROM t', False, True)
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from uuid import uuid4

#: Types whose values never change: a container of only these is deep-copied by a
#: shallow copy.
PLAIN: frozenset[type] = frozenset({str, int, float, bool, bytes, type(None)})

#: What :func:`install` replaced: (owner, attribute name, the original).
REPLACED: list[tuple[Any, str, Any]] = []


def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """:func:`copy.deepcopy`, quicker for a dict or list of plain values.

    >>> meta = {"line": 1, "col": 7, "name": "a"}
    >>> twin = deepcopy(meta)
    >>> twin == meta and twin is not meta
    True
    >>> nested = {"tags": ["x"]}
    >>> deepcopy(nested)["tags"] is nested["tags"]
    False
    """
    kind = type(value)
    # Within a larger copy (``memo`` given), an object met twice must be copied once:
    # only deepcopy's own bookkeeping does that.
    if memo is None and kind is dict:
        for key, item in value.items():
            if type(key) not in PLAIN or type(item) not in PLAIN:
                return copy.deepcopy(value)
        return value.copy()
    if memo is None and kind is list:
        for item in value:
            if type(item) not in PLAIN:
                return copy.deepcopy(value)
        return value.copy()
    return copy.deepcopy(value, memo)


def _dataframe_copy(self: Any, **kwargs: Any) -> Any:
    """sqlframe's ``BaseDataFrame.copy``, without copying what ``kwargs`` replace."""
    kwargs["join_on_uuid"] = str(uuid4())
    values = {name: value.copy() if hasattr(value, "copy") else copy.copy(value)
              for name, value in vars(self).items() if name not in kwargs}
    values.update(kwargs)
    return self.__class__(**values)


def remembered_names(name_of: Callable[[Any], str]) -> Callable[[Any], str]:
    """``name_of`` (a dialect's registered name), asked once per dialect class.

    sqlframe names the session's dialect on every function it looks up, by
    inverting sqlglot's registry of dialects; sqlglot re-imports each of its
    dialect modules on every look at that registry while the registry holds a
    class it has no module for (sqlframe registers its own).

    >>> calls = []
    >>> named = remembered_names(lambda d: calls.append(d) or type(d).__name__)
    >>> named(1), named(2), len(calls)
    ('int', 'int', 1)
    """
    names: dict[type, str] = {}

    def remembered(dialect: Any) -> str:
        kind = type(dialect)
        if kind not in names:
            names[kind] = name_of(dialect)
        return names[kind]

    return remembered


def _replace(owner: Any, name: str, new: Any) -> None:
    REPLACED.append((owner, name, getattr(owner, name)))
    setattr(owner, name, new)


def install() -> None:
    """Make sqlglot and sqlframe use the cheaper copies (once per process; a
    version of either that lacks the hook is left as it is)."""
    if REPLACED:
        return
    try:
        from sqlglot.expressions import core
    except ImportError:  # an older sqlglot: expressions in one module
        from sqlglot import expressions as core  # type: ignore[no-redef]
    if getattr(core, "deepcopy", None) is copy.deepcopy:
        _replace(core, "deepcopy", deepcopy)
    try:
        from sqlframe.base.dataframe import BaseDataFrame
    except ImportError:
        return
    # Only over the copy this was written against (attributes copied, then replaced).
    code = getattr(BaseDataFrame.copy, "__code__", None)
    if code is not None and "object_to_dict" in code.co_names:
        _replace(BaseDataFrame, "copy", _dataframe_copy)
    from sqlframe.base import util
    if hasattr(util, "dialect_to_string"):
        _replace(util, "dialect_to_string", remembered_names(util.dialect_to_string))
