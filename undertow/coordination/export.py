"""Write a detection to disk: two CSV tables, the campaigns as JSON, the network for Gephi.

:func:`write_outputs` writes five files into one folder:

``accounts.csv``
    One row per flagged account: ``account_id, platform, campaign_id, score, top_signal``.
``campaigns.json``
    ``{"params": ..., "campaigns": [...]}``, UTF-8 with non-ASCII text as is.
``edges.csv``
    ``source, target, weight, signals, first_ts, last_ts, p_value, events`` and then
    ``source_platform, target_platform`` (one account id may live on two platforms).
``network.gexf``
    GEXF 1.3 for Gephi: accounts are nodes (attributes ``account_id, platform, campaign_id,
    score, top_signal``), edges carry ``weight``, ``signals``, ``p_value``, ``events`` and a
    time interval (``start``/``end`` from ``first_ts``/``last_ts``, ``timeformat="dateTime"``)
    that Gephi's timeline plays.
``network.graphml``
    The same graph as GraphML (readable by igraph, networkx, Gephi, Cytoscape, yEd).

Account names and post texts are written by whoever we are watching, so nothing in them is
trusted. CSV cells are quoted by :mod:`csv` and kept exact: a cell starting with ``=``, ``+``,
``-`` or ``@`` is *not* defused, so open the tables in a spreadsheet through its import dialog
(columns as text), not by double-clicking. JSON keeps every string exact. In both XML files
every value is escaped (quotes, ``<``, ``&``, tabs, newlines and carriage returns survive a
parse), and node ids are synthetic (``n0``, ``n1``, ...) so no account name is ever an XML id;
the real name is the ``account_id`` attribute (and the label). XML 1.0 cannot hold control
characters other than tab, newline and carriage return, nor lone surrogates: there, and only
there, they are written as visible escapes (``\\x00``, ``\\ud800``), and a backslash that would
read as the start of one as ``\\x5c``, so that two names never read alike. A lone surrogate
cannot be encoded as UTF-8 either: the CSV files write it as the text ``\\ud800``, the JSON as
the equivalent (and exact) JSON escape.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> accounts = [
    ...     {"account_id": 'Tom "<&>"', "platform": "weibo", "campaign_id": "k1",
    ...      "score": 0.9, "top_signal": "text"},
    ...     {"account_id": "小米粉丝\\n2", "platform": "weibo", "campaign_id": "k1",
    ...      "score": 0.7, "top_signal": "link"}]
    >>> edges = [{"source": 'Tom "<&>"', "target": "小米粉丝\\n2", "source_platform": "weibo",
    ...           "target_platform": "weibo", "weight": 3.0, "events": 3,
    ...           "signals": "text;link", "first_ts": "2024-03-28T10:00:00Z",
    ...           "last_ts": "2024-03-28T10:05:00Z", "p_value": 0.001}]
    >>> paths = write_outputs(Path(tempfile.mkdtemp()), accounts, [], edges, {"window": 60})
    >>> sorted(paths)
    ['accounts', 'campaigns', 'edges', 'gexf', 'graphml']
    >>> read_accounts(paths["accounts"]) == accounts
    True
    >>> 'start="2024-03-28T10:00:00Z"' in paths["gexf"].read_text(encoding="utf-8")
    True
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from undertow.escapes import visible_escape
from undertow.filesets import written_together

ACCOUNT_COLUMNS = ("account_id", "platform", "campaign_id", "score", "top_signal")
EDGE_COLUMNS = (
    "source", "target", "weight", "signals", "first_ts", "last_ts", "p_value", "events",
    "source_platform", "target_platform",
)
FILE_NAMES = {
    "accounts": "accounts.csv",
    "campaigns": "campaigns.json",
    "edges": "edges.csv",
    "gexf": "network.gexf",
    "graphml": "network.graphml",
}

GEXF_NS = "http://gexf.net/1.3"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# (name, GEXF type, GraphML type) of the node and edge attributes in both XML files.
NODE_ATTRIBUTES = (
    ("account_id", "string", "string"),
    ("platform", "string", "string"),
    ("campaign_id", "string", "string"),
    ("score", "double", "double"),
    ("top_signal", "string", "string"),
)
EDGE_ATTRIBUTES = (
    ("signals", "string", "string"),
    ("p_value", "double", "double"),
    ("events", "long", "long"),
)
GRAPHML_EDGE_ATTRIBUTES = (
    ("weight", "double", "double"),
    *EDGE_ATTRIBUTES,
    ("first_ts", "string", "string"),
    ("last_ts", "string", "string"),
)


def write_outputs(out_dir: Path | str, accounts: Sequence[Mapping[str, Any]],
                  campaigns: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]],
                  params: Mapping[str, Any],
                  surges: Sequence[Mapping[str, Any]] = (),
                  then: Callable[[], None] | None = None) -> dict[str, Path]:
    """Write all five files into ``out_dir`` (created if needed); their paths by kind.

    The five are one run's (:func:`undertow.filesets.written_together`): each is written
    beside its place first, and all are moved into place only once every one is whole,
    so a failure or a kill while writing (a full disk, an interrupt) leaves the previous
    run's files as they were, never a mix of two runs or a cut file; two runs with one
    ``out_dir`` take turns at the moves. ``then`` (storing the run in the workspace, say)
    is called between the two, and a failure there also leaves the previous files in
    place.
    """
    with written_together(out_dir, list(FILE_NAMES.values())) as staged:
        partial = {kind: staged[name] for kind, name in FILE_NAMES.items()}
        write_accounts_csv(partial["accounts"], accounts)
        write_campaigns_json(partial["campaigns"], campaigns, params, surges)
        write_edges_csv(partial["edges"], edges)
        graph = build_graph(accounts, edges)
        write_gexf(partial["gexf"], graph)
        write_graphml(partial["graphml"], graph)
        if then is not None:
            then()
    return {kind: Path(out_dir) / name for kind, name in FILE_NAMES.items()}


# --- CSV -------------------------------------------------------------------------------


def write_accounts_csv(path: Path, accounts: Iterable[Mapping[str, Any]]) -> Path:
    """``accounts.csv``: exactly the columns :data:`ACCOUNT_COLUMNS`."""
    return _write_csv(path, ACCOUNT_COLUMNS, accounts)


def write_edges_csv(path: Path, edges: Iterable[Mapping[str, Any]]) -> Path:
    """``edges.csv``: the columns :data:`EDGE_COLUMNS`."""
    return _write_csv(path, EDGE_COLUMNS, edges)


def read_accounts(path: Path | str) -> list[dict[str, Any]]:
    """Load ``accounts.csv`` back: strings as written, ``score`` as float (``None`` if empty).

    Raises ``ValueError``, naming the file (and the line), when a column of
    :data:`ACCOUNT_COLUMNS` is missing, a score is not a number or the file is not
    UTF-8 text.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ACCOUNT_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
            return [_account_row(row, path, reader.line_num) for row in reader]
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
                         ) from None


def _account_row(row: Mapping[str, str | None], path: Path | str, line: int
                 ) -> dict[str, Any]:
    out: dict[str, Any] = {c: row.get(c) or "" for c in ACCOUNT_COLUMNS}
    try:
        out["score"] = float(out["score"]) if out["score"] != "" else None
    except ValueError:
        raise ValueError(f"{path}, line {line}: score {out['score']!r} is not a number"
                         ) from None
    return out


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return path


def _cell(value: Any) -> str:
    """A CSV cell: empty for missing, ``repr`` for floats (exact round-trip), else ``str``."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple | set):
        return ";".join(str(v) for v in value)
    return str(value)


_BUILTIN_SCALARS = frozenset({str, float, int, bool, type(None)})


def _plain(value: Any) -> Any:
    """NumPy scalars as Python scalars; everything else unchanged."""
    if type(value) in _BUILTIN_SCALARS:
        return value
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value


# --- JSON ------------------------------------------------------------------------------


def write_campaigns_json(path: Path, campaigns: Sequence[Mapping[str, Any]],
                         params: Mapping[str, Any],
                         surges: Sequence[Mapping[str, Any]] = ()) -> Path:
    """``campaigns.json``: ``{"params": params, "campaigns": campaigns, "surges": surges}``
    (the one-off surges left out, no account named), indented UTF-8.

    NaN and infinities become ``null`` (JSON has neither); NumPy scalars, tuples and sets
    become plain numbers and lists, dates ISO strings, anything else its ``str``.
    """
    doc = _jsonable({"params": params, "campaigns": campaigns, "surges": list(surges)})
    text = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False, default=str)
    # A lone surrogate can only sit inside a JSON string, where a \\u escape is exact.
    path.write_bytes(text.encode("utf-8", errors="backslashreplace") + b"\n")
    return path


def _jsonable(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _key(key: Any) -> Any:
    key = _plain(key)
    return key if isinstance(key, str | int | float | bool) or key is None else str(key)


# --- the graph both XML files describe -------------------------------------------------


@dataclass
class Graph:
    """Nodes (one per ``(platform, account_id)``) and edges between their synthetic ids."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    _by_key: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _by_account: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def add_node(self, account_id: str, platform: str, **attrs: Any) -> str:
        """The id of the node for ``(platform, account_id)``, created on first sight."""
        key = (platform, account_id)
        if key not in self._by_key:
            node_id = f"n{len(self.nodes)}"
            self._by_key[key] = node_id
            self._by_account.setdefault(account_id, []).append(node_id)
            self.nodes.append({"id": node_id, "account_id": account_id, "platform": platform,
                               **attrs})
        return self._by_key[key]

    def endpoint(self, account_id: str, platform: str | None) -> str:
        """The node of an edge end; without a platform, the only node with that account."""
        if platform is None:
            known = self._by_account.get(account_id, [])
            if len(known) == 1:
                return known[0]
            platform = ""
        return self.add_node(account_id, platform)


def build_graph(accounts: Iterable[Mapping[str, Any]],
                edges: Iterable[Mapping[str, Any]]) -> Graph:
    """Accounts become nodes; edge ends not among them become nodes without attributes.

    Example:
        >>> g = build_graph([{"account_id": "a", "platform": "x", "campaign_id": "k1",
        ...                   "score": 0.5, "top_signal": "text"}],
        ...                 [{"source": "a", "target": "b", "weight": 1.0}])
        >>> [(n["id"], n["account_id"], n["platform"]) for n in g.nodes]
        [('n0', 'a', 'x'), ('n1', 'b', '')]
        >>> (g.edges[0]["source_id"], g.edges[0]["target_id"])
        ('n0', 'n1')
    """
    graph = Graph()
    for acc in accounts:
        attrs = {name: _plain(acc.get(name)) for name in ("campaign_id", "score", "top_signal")}
        graph.add_node(str(acc.get("account_id", "")), str(acc.get("platform") or ""), **attrs)
    for edge in edges:
        source = graph.endpoint(str(edge.get("source", "")), _opt_str(edge.get("source_platform")))
        target = graph.endpoint(str(edge.get("target", "")), _opt_str(edge.get("target_platform")))
        graph.edges.append({**{k: _plain(v) for k, v in edge.items()},
                            "source_id": source, "target_id": target})
    return graph


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


# --- XML escaping ----------------------------------------------------------------------

_ILLEGAL_CHARS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff"
# ... and a backslash that would read as the start of such an escape.
_XML_ILLEGAL = re.compile(f"[{_ILLEGAL_CHARS}]|\\\\(?=[xu])")
# Anything escaping or replacing would change; most values have none of it (fast path).
_XML_SPECIAL = re.compile(f'[&<>"\\t\\n\\r{_ILLEGAL_CHARS}]|\\\\(?=[xu])')
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold written as visible escapes, and
    a backslash before ``x`` or ``u`` as ``\\x5c``, so that no name written as it
    was reads like another's escape: the two stay two.

    Example:
        >>> xml_safe("a\\x00b\\ud800c\\nd")
        'a\\\\x00b\\\\ud800c\\nd'
        >>> xml_safe("\\x01a"), xml_safe("\\\\x01a"), xml_safe("C:\\\\temp")
        ('\\\\x01a', '\\\\x5cx01a', 'C:\\\\temp')
    """
    return _XML_ILLEGAL.sub(visible_escape, text)


def _attr(value: Any) -> str:
    """An attribute value, quoted: whitespace survives attribute-value normalisation."""
    text = str(value)
    if _XML_SPECIAL.search(text) is None:
        return f'"{text}"'
    return '"' + xml_safe(text).translate(_ATTR_ESCAPES) + '"'


def _text(value: Any) -> str:
    text = str(value)
    if _XML_SPECIAL.search(text) is None:
        return text
    return xml_safe(text).translate(_TEXT_ESCAPES)


def _tag(name: str, attrs: Sequence[tuple[str, Any]], close: bool = False) -> str:
    inner = "".join(f" {key}={_attr(value)}" for key, value in attrs if value is not None)
    return f"<{name}{inner}{' />' if close else '>'}"


# --- typed values ----------------------------------------------------------------------


def _typed(value: Any, kind: str) -> str | None:
    """The text of an attribute value of XML type ``kind``; ``None`` to leave it out."""
    value = _plain(value)
    if value is None or value == "":
        return None
    if kind == "string":
        return _cell(value)
    if isinstance(value, int) and not isinstance(value, bool) and kind == "long":
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    if kind == "long":
        return str(int(number)) if number == int(number) else None
    return repr(number)


def xsd_datetime(value: Any) -> str | None:
    """An ISO time (or epoch seconds, or ``datetime``) as ``xsd:dateTime``; ``None`` if not one.

    Zoned times are given in UTC with a ``Z``; naive ones stay naive.

    Example:
        >>> xsd_datetime("2024-03-28 18:05:00+08:00"), xsd_datetime("2024-03-28T10:05")
        ('2024-03-28T10:05:00Z', '2024-03-28T10:05:00')
        >>> xsd_datetime("yesterday") is None
        True
    """
    stamp = _stamp(value)
    return None if stamp is None else stamp[1]


# Already xsd:dateTime (UTC or naive), the usual case: kept as it is.
_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3}|\.\d{6})?Z?")


def _stamp(value: Any) -> tuple[datetime, str] | None:
    """The moment (naive, in UTC if it had a zone) to compare, and its xsd:dateTime text."""
    if isinstance(value, str) and _CANONICAL.fullmatch(value):
        try:
            return datetime.fromisoformat(value.removesuffix("Z")), value
        except ValueError:
            return None
    moment = _moment(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment, moment.isoformat()
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc, utc.isoformat() + "Z"


def _moment(value: Any) -> datetime | None:
    """A ``datetime`` from a ``datetime``, ISO text or epoch seconds; ``None`` if none fits."""
    value = _plain(value)
    if isinstance(value, datetime):
        return value
    try:
        if isinstance(value, str):
            return datetime.fromisoformat(value.strip())
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _interval(edge: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``start``, ``end`` of an edge; swapped if reversed (naive times compared as UTC)."""
    first, last = _stamp(edge.get("first_ts")), _stamp(edge.get("last_ts"))
    if first is not None and last is not None and last[0] < first[0]:
        first, last = last, first
    return (None if first is None else first[1]), (None if last is None else last[1])


# --- GEXF ------------------------------------------------------------------------------


def write_gexf(path: Path, graph: Graph) -> Path:
    """``network.gexf``: GEXF 1.3, undirected, dynamic edges (``start``/``end`` as dateTime)."""
    return _write_lines(path, _gexf_lines(graph))


def _gexf_lines(graph: Graph) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>'
    yield _tag("gexf", [("xmlns", GEXF_NS), ("xmlns:xsi", XSI_NS),
                        ("xsi:schemaLocation", f"{GEXF_NS} {GEXF_NS}/gexf.xsd"),
                        ("version", "1.3")])
    yield "  <meta>"
    yield "    <creator>undertow</creator>"
    yield "    <description>Coordinated accounts and the co-actions linking them</description>"
    yield "  </meta>"
    yield "  " + _tag("graph", [("mode", "dynamic"), ("defaultedgetype", "undirected"),
                                ("timeformat", "dateTime"), ("timerepresentation", "interval")])
    yield from _gexf_attributes("node", NODE_ATTRIBUTES)
    yield from _gexf_attributes("edge", EDGE_ATTRIBUTES)
    yield "    " + _tag("nodes", [("count", len(graph.nodes))])
    for node in graph.nodes:
        yield from _gexf_node(node)
    yield "    </nodes>"
    yield "    " + _tag("edges", [("count", len(graph.edges))])
    for i, edge in enumerate(graph.edges):
        yield from _gexf_edge(i, edge)
    yield "    </edges>"
    yield "  </graph>"
    yield "</gexf>"


def _gexf_attributes(cls: str, attributes: Sequence[tuple[str, str, str]]) -> list[str]:
    decls = [
        "      " + _tag("attribute", [("id", name), ("title", name), ("type", kind)], close=True)
        for name, kind, _ in attributes
    ]
    return ["    " + _tag("attributes", [("class", cls), ("mode", "static")]), *decls,
            "    </attributes>"]


def _attvalues(item: Mapping[str, Any], attributes: Sequence[tuple[str, str, str]]) -> list[str]:
    values = [(name, _typed(item.get(name), kind)) for name, kind, _ in attributes]
    present = [
        "          " + _tag("attvalue", [("for", name), ("value", text)], close=True)
        for name, text in values if text is not None
    ]
    return ["        <attvalues>", *present, "        </attvalues>"] if present else []


def _gexf_node(node: Mapping[str, Any]) -> list[str]:
    return ["      " + _tag("node", [("id", node["id"]), ("label", node["account_id"])]),
            *_attvalues(node, NODE_ATTRIBUTES), "      </node>"]


def _gexf_edge(index: int, edge: Mapping[str, Any]) -> list[str]:
    start, end = _interval(edge)
    head = _tag("edge", [("id", f"e{index}"), ("source", edge["source_id"]),
                         ("target", edge["target_id"]),
                         ("weight", _typed(edge.get("weight"), "double")),
                         ("start", start), ("end", end)])
    return ["      " + head, *_attvalues(edge, EDGE_ATTRIBUTES), "      </edge>"]


# --- GraphML ---------------------------------------------------------------------------


def write_graphml(path: Path, graph: Graph) -> Path:
    """``network.graphml``: undirected; node and edge attributes as typed ``<key>``s."""
    return _write_lines(path, _graphml_lines(graph))


def _graphml_lines(graph: Graph) -> Iterator[str]:
    # Key ids are these fixed names, never data, so they need no escaping.
    node_keys = [(f"v_{name}", name, kind) for name, _, kind in NODE_ATTRIBUTES]
    edge_keys = [(f"e_{name}", name, kind) for name, _, kind in GRAPHML_EDGE_ATTRIBUTES]
    yield '<?xml version="1.0" encoding="UTF-8"?>'
    yield _tag("graphml", [("xmlns", GRAPHML_NS), ("xmlns:xsi", XSI_NS),
                           ("xsi:schemaLocation", f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd")])
    yield from _graphml_keys("node", node_keys)
    yield from _graphml_keys("edge", edge_keys)
    yield '  <graph id="G" edgedefault="undirected">'
    for node in graph.nodes:
        yield from _graphml_item("node", [("id", node["id"])], node, node_keys)
    for i, edge in enumerate(graph.edges):
        head = [("id", f"e{i}"), ("source", edge["source_id"]), ("target", edge["target_id"])]
        yield from _graphml_item("edge", head, edge, edge_keys)
    yield "  </graph>"
    yield "</graphml>"


def _graphml_keys(domain: str, keys: Sequence[tuple[str, str, str]]) -> list[str]:
    return [
        "  " + _tag("key", [("id", key_id), ("for", domain), ("attr.name", name),
                            ("attr.type", kind)], close=True)
        for key_id, name, kind in keys
    ]


def _graphml_item(name: str, head: Sequence[tuple[str, Any]], item: Mapping[str, Any],
                  keys: Sequence[tuple[str, str, str]]) -> list[str]:
    data = [(key_id, _typed(item.get(attr), kind)) for key_id, attr, kind in keys]
    return ["    " + _tag(name, head), *(
        f'      <data key="{key_id}">{_text(text)}</data>'
        for key_id, text in data if text is not None
    ), f"    </{name}>"]


def _write_lines(path: Path, lines: Iterable[str]) -> Path:
    # Every character outside XML's range was escaped already, so strict UTF-8 cannot fail.
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
    return path
