"""Benchmark of the simulation with staff against queueing theory, with its sampling error.

Run by hand: ``python benchmarks/bench_queueing.py`` (about a minute on two cores). It updates
the section "Queueing theory" of benchmarks/RESULTS.md and leaves the other sections alone.

One desk with Poisson arrivals and fixed work of 1 h is an M/D/1 queue, whose mean waiting is
the Pollaczek-Khinchine formula ``rho / (2 (1 - rho))`` hours; ``c`` desks with exponential
work of mean 1 h are an M/M/c queue, whose mean waiting is Erlang C's ``C(c, a) / (c - a)``
hours at an offered load of ``a = rho c``. The waits of successive cases are correlated (a
case that waits long is followed by others that do), the more so the busier the desks, so
the sampling error of one run is not the spread of its cases over their square root: it is
estimated by batch means, and at the busiest loads also by independent runs.

For each queue:

- one run of 200,000 cases: the first 1 % discarded as the warm-up from an empty office, the
  rest cut into 30 batches in arrival order whose means give the standard error, and the 95 %
  confidence interval ``mean +- t(29) * error``;
- at a utilisation of 0.9, 40 independent runs of 200,000 cases (seeds 100 to 139): their
  mean and its standard error from the spread of the 40 run means (independent, so no
  assumption about correlation is needed), 8 million cases in all.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _results import machine, write_section  # noqa: E402

import bpr  # noqa: E402
from bpr.core.durations import Duration  # noqa: E402
from bpr.simulate import simulate  # noqa: E402

CASES = 200_000
WARM_UP = 0.01
BATCHES = 30
T_29 = 2.045  # the 97.5 % quantile of Student's t with 29 degrees of freedom
T_39 = 2.023  # ... with 39 (40 independent runs)
SEEDS = range(100, 140)
HOURS_A_YEAR = 365.25 * 24


def single_desk(rho: float) -> bpr.Model:
    """M/D/1: one desk, fixed work of 1 h, ``rho`` arrivals an hour."""
    return bpr.loads(
        f"bpr: 1\nservice: md1\nvariant: as-is\nvolume: {rho * HOURS_A_YEAR}\n"
        "actors: {desk: {name: Desk}}\nsteps:\n  - {id: serve, actor: desk, work: 1h}\n"
    )


def desks_exponential(desks: int, rho: float) -> bpr.Model:
    """M/M/c: ``desks`` desks, exponential work of mean 1 h, ``rho * desks`` arrivals an hour."""
    m = single_desk(rho * desks)
    step = dataclasses.replace(m.steps[0], work=Duration(0.0, 1.0, math.inf, "exponential"))
    return dataclasses.replace(m, steps=(step,))


def pollaczek_khinchine(rho: float) -> float:
    """Mean waiting (hours) of M/D/1 with work 1 h: lambda E[S^2] / (2 (1 - rho))."""
    return rho / (2 * (1 - rho))


def erlang_c(desks: int, rho: float) -> float:
    """Mean waiting (hours) of M/M/c with work of mean 1 h: C(c, a) / (c mu - lambda)."""
    a = rho * desks
    top = a**desks / math.factorial(desks) * desks / (desks - a)
    waiting = top / (sum(a**k / math.factorial(k) for k in range(desks)) + top)
    return waiting / (desks - a)


def batch_means(values: object) -> tuple[float, float]:
    """The mean after the warm-up, and its standard error by batch means."""
    import numpy as np

    data = np.asarray(values)
    kept = data[int(len(data) * WARM_UP) :]
    size = len(kept) // BATCHES
    means = kept[: size * BATCHES].reshape(BATCHES, size).mean(axis=1)
    return float(kept.mean()), float(means.std(ddof=1) / math.sqrt(BATCHES))


def one_run(m: bpr.Model, desks: int, seed: int) -> tuple[float, float]:
    result = simulate(m, CASES, seed=seed, staff={"desk": desks})
    assert result.queue_hours is not None
    return batch_means(result.queue_hours)


@dataclasses.dataclass
class Check:
    name: str
    formula: float
    mean: float
    error: float  # standard error of the mean
    half_width: float  # of the 95 % confidence interval

    @property
    def difference(self) -> float:
        return self.mean / self.formula - 1

    @property
    def inside(self) -> bool:
        return abs(self.mean - self.formula) <= self.half_width

    def row(self) -> str:
        return (
            f"| {self.name} | {self.formula:.4f} | {self.mean:.4f} | "
            f"{100 * self.difference:+.2f} % | {100 * self.error / self.formula:.2f} % | "
            f"+-{100 * self.half_width / self.formula:.2f} % | "
            f"{'yes' if self.inside else '**no**'} |"
        )


QUEUES = [
    ("M/D/1, rho 0.5 (Pollaczek-Khinchine)", 1, 0.5, False),
    ("M/D/1, rho 0.8 (Pollaczek-Khinchine)", 1, 0.8, False),
    ("M/D/1, rho 0.9 (Pollaczek-Khinchine)", 1, 0.9, False),
    ("M/M/3, rho 0.5 (Erlang C)", 3, 0.5, True),
    ("M/M/3, rho 0.8 (Erlang C)", 3, 0.8, True),
    ("M/M/5, rho 0.9 (Erlang C)", 5, 0.9, True),
]


def main() -> None:
    import numpy as np

    began = time.perf_counter()
    simulate(single_desk(0.5), 1_000, seed=0, staff={"desk": 1})  # compiled or loaded
    singles: list[Check] = []
    pooled: list[Check] = []
    for name, desks, rho, exponential in QUEUES:
        m = desks_exponential(desks, rho) if exponential else single_desk(rho)
        formula = erlang_c(desks, rho) if exponential else pollaczek_khinchine(rho)
        mean, error = one_run(m, desks, seed=11)
        singles.append(Check(name, formula, mean, error, T_29 * error))
        print(singles[-1].row(), flush=True)
        if rho == 0.9:
            means = np.array([one_run(m, desks, seed)[0] for seed in SEEDS])
            spread = float(means.std(ddof=1) / math.sqrt(len(means)))
            pooled.append(
                Check(
                    f"{name}, {len(means)} runs",
                    formula,
                    float(means.mean()),
                    spread,
                    T_39 * spread,
                )
            )
            print(pooled[-1].row(), flush=True)
    header = (
        "   | queue | formula (h) | bpr (h) | difference | standard error | "
        "95 % interval | formula inside |\n   |---|---|---|---|---|---|---|"
    )
    single_rows = "\n".join("   " + c.row() for c in singles)
    pooled_rows = "\n".join("   " + c.row() for c in pooled)
    worst = max(abs(c.difference) for c in pooled)
    misses = [c.name for c in singles + pooled if not c.inside]
    verdict = (
        "The formula lies inside the 95 % interval of every run."
        if not misses
        else f"The formula lies outside the 95 % interval of: {', '.join(misses)}."
    )
    sharp = [c for c in singles if c.half_width / c.formula <= 0.02]
    widest = max(c.half_width / c.formula for c in pooled)
    also = " (and so does each interval)" if widest <= 0.02 else ""
    closing = textwrap.fill(
        f"{verdict} One run of {CASES:,} cases pins the mean within 2% only where its own "
        f"interval is that narrow ({', '.join(c.name for c in sharp) or 'none'}); at a "
        f"utilisation of 0.9 the standard error of one run is itself "
        f"{100 * singles[2].error / singles[2].formula:.1f}% (M/D/1) and "
        f"{100 * singles[5].error / singles[5].formula:.1f}% (M/M/5), so one run cannot show "
        f"a 2% agreement there, whatever the simulator: the single M/D/1 run's "
        f"{100 * singles[2].difference:+.2f}% and the M/M/5 run's "
        f"{100 * singles[5].difference:+.2f}% are within their own intervals. Pooled over "
        f"{len(SEEDS)} independent runs, the differences are "
        f"{' and '.join(f'{100 * c.difference:+.2f}%' for c in pooled)}, within intervals of "
        f"{' and '.join(f'+-{100 * c.half_width / c.formula:.2f}%' for c in pooled)}: the "
        f"largest, {100 * worst:.2f}%, meets issue 16's 2%{also}, and no bias shows at this "
        "precision.",
        width=96,
    )
    body = f"""## Queueing theory (`benchmarks/bench_queueing.py`)

Machine: {machine()}.

Mean queue waiting of one step with Poisson arrivals against the formulas: one desk with fixed
work of 1 h (M/D/1, Pollaczek-Khinchine) and several desks with exponential work of mean 1 h
(M/M/c, Erlang C). Waits of successive cases are correlated, so the sampling error of a run
is estimated by batch means: the first {100 * WARM_UP:g} % of the cases are discarded (the
office opens empty), the rest are cut into {BATCHES} batches in arrival order, and the
standard error of the mean is the spread of the batch means over the square root of their
number; the 95 % interval is {T_29} standard errors (Student's t, 29 degrees of freedom).

1. One run of {CASES:,} cases each (seed 11):

{header}
{single_rows}

2. At a utilisation of 0.9, where one run's error is itself 2 to 5 %: {len(SEEDS)} independent
   runs of {CASES:,} cases (seeds {SEEDS.start} to {SEEDS.stop - 1}, {len(SEEDS) * CASES:,}
   cases), their mean, and its standard error from the spread of the run means (95 %
   interval: {T_39} standard errors, {len(SEEDS) - 1} degrees of freedom):

{header}
{pooled_rows}

{closing}

(The benchmark took {time.perf_counter() - began:.0f} s.)
"""
    write_section("bench_queueing", body)
    print(body)


if __name__ == "__main__":
    main()
