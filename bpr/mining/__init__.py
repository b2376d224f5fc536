"""Process mining with pm4py: a draft As-Is from an event log, and conformance of a model to it.

- :mod:`bpr.mining.discovery`: :func:`mine` and :func:`discover` (the inductive miner's tree
  turned into steps by :mod:`bpr.mining.tree`, written by :mod:`bpr.mining.draft`);
- :mod:`bpr.mining.conformance`: :func:`conform` (the log replayed on the model's Petri net);
- :mod:`bpr.mining.library`: pm4py itself, loaded on first use.

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
