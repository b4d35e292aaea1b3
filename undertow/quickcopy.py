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

Three more copies and parses were made on every operation and thrown away:

- a new step of a plan (a common table expression) was made from a copy of the
  whole plan so far, all earlier steps included, and named by writing that whole
  plan out as SQL, although the step keeps neither (:func:`steps_alone`);
- the plan was copied once more to apply pending join hints, also where there
  were none (:func:`hints_only_when_pending`);
- every column named by a string (each output column of each step) was parsed
  with sqlglot's tokenizer and parser, the same hundred or so names again and again
  (:func:`parsed_once`).

Together they took a detection on 2,000 posts from about 2.1 to 1.8 s, and a
100k-post ``near_text`` detection from about 4.0 to 3.7 s (medians of runs with
and without them alternating in one process, BENCHMARKS.md). The queries are
the same: ``tests/test_quickcopy.py`` runs a whole detection both ways and
compares the SQL of every query.

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


def steps_alone(make_step: Callable[..., Any]) -> Callable[..., Any]:
    """sqlframe's ``_create_cte_from_expression`` (a new step of a plan, named by a
    hash of its SQL, from the plan so far), given the plan without its earlier steps
    (its ``WITH`` clause): the step keeps none of them, but copying and naming it
    copied and wrote out all of them, so each operation cost more than the one before.

    The step still refers to earlier steps by their names, which were made the same
    way from theirs, so two steps get one name only where they are one step; and
    sqlframe renames every step by the hash of its own SQL when it writes the
    query out.

    >>> import sqlglot
    >>> seen = []
    >>> made = steps_alone(lambda df, expression, *rest: seen.append(expression.sql()))
    >>> plan = sqlglot.parse_one("WITH a AS (SELECT 1 AS x) SELECT x FROM a")
    >>> made(None, plan, "branch", "sequence"), seen, plan.sql()
    (None, ['SELECT x FROM a'], 'WITH a AS (SELECT 1 AS x) SELECT x FROM a')
    """

    def made(df: Any, expression: Any, *args: Any, **kwargs: Any) -> Any:
        earlier = expression.args.get("with_")
        if earlier is None:
            return make_step(df, expression, *args, **kwargs)
        expression.args["with_"] = None  # set aside, not detached: parents stay as they are
        try:
            return make_step(df, expression, *args, **kwargs)
        finally:
            expression.args["with_"] = earlier

    return made


def hints_only_when_pending(resolve: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """sqlframe's ``_resolve_pending_hints`` (a copy of the DataFrame with its pending
    join hints written into the plan), the DataFrame itself when none is pending.

    Its two callers copy the plan before they change it (when a step is made, and
    when the query is written out, which puts the plan's steps as they are under a
    copy of its last), so the copy made here was thrown away unused.

    >>> class Frame:
    ...     pending_hints: list[str] = []
    >>> frame = Frame()
    >>> hints_only_when_pending(lambda df: "copied")(frame) is frame
    True
    >>> frame.pending_hints = ["broadcast"]
    >>> hints_only_when_pending(lambda df: "copied")(frame)
    'copied'
    """

    def resolved(df: Any) -> Any:
        return resolve(df) if df.pending_hints else df

    return resolved


#: Most column names :func:`parsed_once` keeps parsed (a detection uses about a hundred).
PARSED_NAMES = 4096


def parsed_once(to_column: Callable[..., Any]) -> Callable[..., Any]:
    """sqlglot's ``to_column`` (a column parsed from its name), each name parsed once
    per dialect and its settings, then copied: sqlframe names every output column of
    every step by a string, and parsing one ran sqlglot's tokenizer and parser.

    >>> from sqlglot import exp
    >>> parse = parsed_once(exp.to_column)
    >>> first = parse("t.account_1", dialect="duckdb")
    >>> again = parse("t.account_1", dialect="duckdb")
    >>> first == again, first is again, first.sql()
    (True, False, 't.account_1')
    """
    parsed: dict[tuple[Any, ...], Any] = {}

    def column(sql_path: Any, quoted: Any = None, dialect: Any = None, copy: bool = True,
               **kwargs: Any) -> Any:
        told = _dialect_key(dialect)
        if not isinstance(sql_path, str) or kwargs or told is None:
            return to_column(sql_path, quoted=quoted, dialect=dialect, copy=copy, **kwargs)
        key = (sql_path, quoted, copy, told)
        found = parsed.get(key)
        if found is None:
            if len(parsed) >= PARSED_NAMES:
                parsed.clear()
            found = parsed[key] = to_column(sql_path, quoted=quoted, dialect=dialect, copy=copy)
        return found.copy()

    return column


def _dialect_key(dialect: Any) -> Any:
    """What a parse depends on of ``dialect`` (a name, a dialect or none), or ``None``
    where that cannot be told (then the name is parsed each time)."""
    if dialect is None or isinstance(dialect, str):
        return ("name", dialect)
    settings = getattr(dialect, "settings", None)
    if not isinstance(settings, dict) or any(
            type(k) not in PLAIN or type(v) not in PLAIN for k, v in settings.items()):
        return None
    return (type(dialect), tuple(sorted(settings.items())))


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
    # Each only over the code it was written against.
    make_step = getattr(BaseDataFrame, "_create_cte_from_expression", None)
    code = getattr(make_step, "__code__", None)
    if make_step is not None and code is not None and \
            "_create_hash_from_expression" in code.co_names:
        _replace(BaseDataFrame, "_create_cte_from_expression", steps_alone(make_step))
    resolve = getattr(BaseDataFrame, "_resolve_pending_hints", None)
    code = getattr(resolve, "__code__", None)
    if resolve is not None and code is not None and "pending_hints" in code.co_names:
        _replace(BaseDataFrame, "_resolve_pending_hints", hints_only_when_pending(resolve))
    from sqlglot import expressions as exp
    if hasattr(exp, "to_column"):
        _replace(exp, "to_column", parsed_once(exp.to_column))
    from sqlframe.base import util
    if hasattr(util, "dialect_to_string"):
        _replace(util, "dialect_to_string", remembered_names(util.dialect_to_string))
