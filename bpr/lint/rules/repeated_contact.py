"""repeated-contact: the applicant comes in person to one office, or one agency, again."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.core.model import Step
from bpr.core.vocab import Severity
from bpr.lint.context import (
    LintContext,
    Rule,
    amount,
    clean,
    percent,
    plural_count,
    quote,
    times,
    who,
)
from bpr.lint.findings import Finding

__all__ = ["REPEATED_FROM", "RULE", "check"]

_, ngettext, _pgettext = domain("lint")

#: From this many repeated visits per case on average (beyond the most frequent visit of the
#: group), a repeated contact is a warning; below it, info.
REPEATED_FROM = 0.5


def check(ctx: LintContext) -> Iterator[Finding]:
    """Visits to one office (or to offices of one agency) that one case makes more than once."""
    model = ctx.model
    visits = [s for s in model.steps if s.is_visit and not ctx.actor(s).is_applicant]
    by_office: dict[str, list[Step]] = {}
    by_agency: dict[str, list[Step]] = {}
    for step in visits:
        by_office.setdefault(step.actor, []).append(step)
        agency = ctx.actor(step).agency
        if agency:
            by_agency.setdefault(agency, []).append(step)
    for actor_id, group in by_office.items():
        repeated = _one_case_visits(ctx, group)
        if repeated is None:
            continue
        ids, later, most = repeated
        severity, how_often, average = _weighed(ctx, ids, most)
        yield ctx.finding(
            "repeated-contact",
            severity,
            # TRANSLATORS: {how_often} is "twice", "3 times", "up to twice"...; {average} is
            # empty or "; 1.3 visits a case on average (...)"
            _(
                "the applicant comes in person to {office} {how_often} ({steps}){average}: make "
                "the first contact enough and serve the rest online or by data exchange"
            ).format(
                office=who(model.actors[actor_id]),
                how_often=how_often,
                steps=quote(ids),
                average=average,
            ),
            steps=ids,
            line=ctx.step_line(later[0]),
            change=ctx.gains.online(later, "repeated-contact"),
        )
    for agency, group in by_agency.items():
        repeated = _one_case_visits(ctx, group)
        if repeated is None:
            continue
        ids, later, most = repeated
        offices = {model.step(s).actor for s in ids}
        if len(offices) < 2:
            continue
        severity, how_often, average = _weighed(ctx, ids, most)
        yield ctx.finding(
            "repeated-contact",
            severity,
            ngettext(
                "the applicant comes in person to {n} office of {agency} {how_often} ({steps})"
                "{average}: one front office of the agency could serve them in one contact, "
                "the rest online or by data exchange",
                "the applicant comes in person to {n} offices of {agency} {how_often} ({steps})"
                "{average}: one front office of the agency could serve them in one contact, "
                "the rest online or by data exchange",
                len(offices),
            ).format(
                n=len(offices),
                agency=clean(agency),
                how_often=how_often,
                steps=quote(ids),
                average=average,
            ),
            steps=ids,
            line=ctx.step_line(later[0]),
            change=ctx.gains.online(later, "repeated-contact"),
        )


def _one_case_visits(
    ctx: LintContext, group: list[Step]
) -> tuple[list[str], list[str], int] | None:
    """The visits of a group that one case can make both of, or None.

    Returns the visits that a case can combine with another of the group (file order), those
    that can come after another (they become online in the gain), and the most visits of the
    group one case can make. Visits on exclusive branches of a choice are not repeated contact:
    no case makes both; visits on branches of a parallel split are, since every branch runs.
    """
    linked = [s for s in group if any(o is not s and ctx.together(o, s) for o in group)]
    if len(linked) < 2:
        return None
    later = [s.id for s in linked if any(o is not s and ctx.comes_before(o, s) for o in linked)]
    return [s.id for s in linked], later, _most_together(ctx, linked)


def _most_together(ctx: LintContext, visits: list[Step]) -> int:
    """The largest number of these visits that one case makes (a largest set of visits that
    are pairwise together; groups of visits to one office are small)."""
    if len(visits) > 16:  # pragma: no cover - no procedure sends a citizen to one office so often
        return len(visits)
    near = {s.id: {o.id for o in visits if o is not s and ctx.together(o, s)} for s in visits}
    best = 0

    def grow(chosen: int, candidates: set[str], rest: set[str]) -> None:
        nonlocal best
        if not candidates and not rest:
            best = max(best, chosen)
        for node in list(candidates):
            grow(chosen + 1, candidates & near[node], rest & near[node])
            candidates = candidates - {node}
            rest = rest | {node}

    grow(0, {s.id for s in visits}, set())
    return best


def _up_to(most: int, visits: int) -> str:
    """``twice`` where a case makes every visit; ``up to 2 times`` where it makes some."""
    if most == visits:
        return times(most)
    return ngettext("up to {n} time", "up to {n} times", most).format(n=most)


def _weighed(ctx: LintContext, ids: list[str], most: int) -> tuple[Severity, str, str]:
    """The severity, how often and the average of the visits, weighed by how many cases make
    each (:attr:`LintContext.runs`).

    Where every case makes each visit once, it is ``twice``, with no average. Where a visit
    lies on a branch that only some cases take, it is ``up to twice`` (``at least twice``
    where the only difference is a loop that some cases go round again), and the message
    gives the visits a case makes on average, with each visit's share. The repeated visits
    an average case makes (beyond the most frequent visit of the group): from
    :data:`REPEATED_FROM` on it is a warning, below that info (a branch that 7% of cases
    take is not every case's second visit).
    """
    runs = [ctx.runs[s] for s in ids]
    every = all(abs(r - 1) < 1e-9 for r in runs)
    if every:
        return "warning", _up_to(most, len(ids)), ""
    if most == len(ids):
        least = all(r > 1 - 1e-9 for r in runs)  # every case, some round a loop
        if least:
            # TRANSLATORS: {times} is "twice" or "3 times"
            how_often = _("at least {times}").format(times=times(most))
        else:
            how_often = _("up to {times}").format(times=times(most))
    else:
        how_often = _up_to(most, len(ids))
    shares = [
        _("'{step}' in {share} of cases").format(step=s, share=percent(r))
        if r < 1
        else ngettext(
            "'{step}' {n} time a case", "'{step}' {n} times a case", plural_count(r)
        ).format(step=s, n=amount(r))
        for s, r in zip(ids, runs, strict=True)
        if abs(r - 1) >= 1e-9
    ]
    total = sum(runs)
    average = ngettext(
        "; {n} visit a case on average ({shares})",
        "; {n} visits a case on average ({shares})",
        plural_count(total),
    ).format(n=amount(total), shares=", ".join(shares))
    extra = sum(runs) - max(runs)
    return ("warning" if extra >= REPEATED_FROM else "info"), how_often, average


RULE = Rule(
    "repeated-contact",
    "warning",
    N_("the applicant comes in person to the same office, or the same agency, more than once"),
    check,
)
