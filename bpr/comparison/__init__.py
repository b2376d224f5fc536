"""As-Is against To-Be: the diff of two variants, the redesigns it applies, and its reports.

- :mod:`bpr.comparison.diff`: :func:`compare` two variants into a :class:`Comparison` (steps,
  documents, :class:`MeasureChange` per measure);
- :mod:`bpr.comparison.redesign`: the :class:`Redesign` classes the changes apply;
- :mod:`bpr.comparison.acts`: the law behind a redesign (:class:`ActChanges`: the provisions
  to amend and those the To-Be newly relies on);
- :mod:`bpr.comparison.words`: the words for documents by kind, shared with ``bpr lint``;
- :mod:`bpr.comparison.rows`: the rows every report shows;
- :mod:`bpr.comparison.text`, :mod:`~bpr.comparison.markdown`, :mod:`~bpr.comparison.html`:
  the reports for the terminal, Markdown and HTML.
"""

from __future__ import annotations

from bpr.comparison.acts import ActChanges, Provision, act_changes
from bpr.comparison.diff import (
    STEP_FIELDS_COMPARED,
    Comparison,
    MeasureChange,
    compare,
    compare_folder,
    variant_files,
)
from bpr.comparison.html import to_html
from bpr.comparison.markdown import to_markdown
from bpr.comparison.redesign import CONTACT_CHANNELS, REDESIGN_KINDS, Redesign, classify
from bpr.comparison.text import to_text

__all__ = [
    "CONTACT_CHANNELS",
    "REDESIGN_KINDS",
    "STEP_FIELDS_COMPARED",
    "ActChanges",
    "Comparison",
    "MeasureChange",
    "Provision",
    "Redesign",
    "act_changes",
    "classify",
    "compare",
    "compare_folder",
    "to_html",
    "to_markdown",
    "to_text",
    "variant_files",
]
