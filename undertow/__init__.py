"""Undertow: find the coordinated current under the crowd.

Undertow ingests social posts from the formats people really have into one
canonical ``posts`` table (a DuckDB file), then finds accounts that act in
concert and measures what the organic public thinks.

Example:
    >>> from undertow import Workspace, ingest
    >>> ws = Workspace.open("undertow-data")            # doctest: +SKIP
    >>> report = ingest(ws, ["tweets.jsonl"])             # doctest: +SKIP
    >>> report.line()                                     # doctest: +SKIP
    'read 1000, stored 998, duplicate 2, quarantined 0'
"""

from undertow.ingest import IngestReport, ingest
from undertow.workspace import Workspace

__all__ = ["IngestReport", "Workspace", "ingest"]
__version__ = "0.1.0"
