"""What the redesigns of a whole portfolio save per year, from the Python API.

Run from the repository root: ``python examples/portfolio_savings.py [FOLDER]``. Loads every
service folder (``as-is.yaml`` and ``to-be.yaml``), compares the two variants and prints the
applicant hours saved per year and the administrative cost saved per year (the Standard Cost
Model's: the applicant's time at the tariff plus the charges paid, without state duties, and
with the To-Be's uptake), service by service and in total per currency.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import bpr


def main(folder: Path) -> None:
    totals: dict[str, float] = defaultdict(float)
    hours_saved = 0.0
    print(f"{'service':28} {'visits':>9} {'lead time (days)':>18} {'SCM saved per year':>24}")
    for service in sorted(p for p in folder.iterdir() if (p / "as-is.yaml").exists()):
        as_is = bpr.load(service / "as-is.yaml")
        to_be = bpr.load(service / "to-be.yaml")
        comparison = bpr.compare(as_is, to_be)
        visits = comparison.measures["visits"]
        lead = comparison.measures["lead_time_days"]
        cost = comparison.measures["annual_admin_cost"]
        saved = -(cost.change or 0)
        currency = as_is.currency or "?"
        totals[currency] += saved
        before, after = bpr.measure(as_is), bpr.measure(to_be)
        hours_saved += (before.applicant_hours - after.applicant_hours) * (as_is.volume or 0)
        print(
            f"{as_is.service:28} {visits.before:>4} -> {visits.after:<3}"
            f" {lead.before:>8.1f} -> {lead.after:<7.1f} {saved:>20,.0f} {currency}"
        )
    print(f"applicant hours saved per year: {hours_saved:,.0f}")
    for currency, amount in sorted(totals.items()):
        print(f"administrative cost saved per year: {amount:,.0f} {currency}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("models"))
