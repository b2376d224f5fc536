"""The report as a PDF: the HTML report printed by the headless Chromium browser.

The page's print style sheet does the layout: A4 landscape with 12 mm margins, each service on
a new page, then its drawings laid out for the page by :mod:`bpr.render.page`, each page of a
drawing a printed page at 100 %.

>>> pdf = pdf_report(collect(["models/traffic-fine-payment"]))  # doctest: +SKIP
>>> pdf[:5]  # doctest: +SKIP
b'%PDF-'
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from bpr.backend.chromium import print_to_pdf
from bpr.report.collect import Portfolio, Service
from bpr.report.html import html_report

__all__ = ["pdf_report"]


def pdf_report(
    portfolio: Portfolio,
    *,
    title: str | None = None,
    on_service: Callable[[Service], None] | None = None,
    page: str = "A4",
    orientation: str | None = None,
) -> bytes:
    """The PDF's bytes: the report's HTML page, printed by Chromium in a private folder; the
    text on ``page`` in landscape (portrait where ``orientation`` says so), the drawings laid
    out for ``page`` in ``orientation`` (the better of both for each drawing where None)."""
    html_text = html_report(
        portfolio,
        title=title,
        on_service=on_service,
        printed=True,
        page=page,
        orientation=orientation,
    )
    with tempfile.TemporaryDirectory(prefix="bpr-pdf-") as folder:
        html = Path(folder) / "report.html"
        html.write_text(html_text, encoding="utf-8")
        pdf = print_to_pdf(html, Path(folder) / "report.pdf")
        return pdf.read_bytes()
