"""Process mining: a draft As-Is from an event log, and conformance of a model to it.

- :mod:`bpr.mining.reduce`: the log reduced to its variants and figures (pandas or DuckDB);
- :mod:`bpr.mining.discovery`: :func:`mine` and :func:`discover` (the tree of bpr's inductive
  miner, :mod:`bpr.mining.inductive`, turned into steps by :mod:`bpr.mining.tree`, written by
  :mod:`bpr.mining.draft`);
- :mod:`bpr.mining.conformance`: :func:`conform` (the log replayed on the model's Petri net by
  :mod:`bpr.mining.tokenreplay`, or aligned by pm4py);
- :mod:`bpr.mining.library`: pm4py itself, loaded on first use (alignments only).

Event logs are read and written by :mod:`bpr.files.eventlog`.
"""

from __future__ import annotations

from bpr.mining.conformance import ConformanceResult, conform, match_activities
from bpr.mining.discovery import DiscoveryResult, discover, mine

__all__ = [
    "ConformanceResult",
    "DiscoveryResult",
    "conform",
    "discover",
    "match_activities",
    "mine",
]
