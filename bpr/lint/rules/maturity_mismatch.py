"""maturity-mismatch: the declared maturity stage and the channels of the steps disagree."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.lint.context import LintContext, Rule, quote
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]

_, ngettext, _pgettext = domain("lint")

#: The UN e-service maturity stages, as the messages name them.
_STAGES = {
    1: N_("information"),
    2: N_("downloadable forms"),
    3: N_("transactional"),
    4: N_("proactive"),
}


def _both(first: str, second: str) -> str:
    # TRANSLATORS: two reasons joined: "the applicant must come in person at 'a' and ..."
    return _("{first} and {second}").format(first=first, second=second)


def check(ctx: LintContext) -> Iterator[Finding]:
    """Stage 3 or 4 with visits, post or an applicant who starts the case (an error); a lower
    stage whose channels already meet stage 3 (information)."""
    model = ctx.model
    stage = model.maturity
    if stage is None:
        return
    line = model.locate("maturity")[0]
    visits = [s.id for s in model.steps if s.is_visit]
    names = {"stage": stage, "stage_name": _(_STAGES[stage])}
    if stage >= 3:
        reasons = []
        if visits:
            reasons.append(
                # TRANSLATORS: counted by the steps {steps} names (Russian: на шаг, на шаги)
                ngettext(
                    "the applicant must come in person at {steps}",
                    "the applicant must come in person at {steps}",
                    len(visits),
                ).format(steps=quote(visits))
            )
        # the applicant's own steps by post: papers mailed in, not an application made online
        posted = [s.id for s in model.steps if s.channel == "post" and ctx.actor(s).is_applicant]
        if posted:
            reasons.append(
                # TRANSLATORS: counted by the steps {steps} names (Russian: на шаг, на шаги)
                ngettext(
                    "the applicant sends papers by post at {steps}",
                    "the applicant sends papers by post at {steps}",
                    len(posted),
                ).format(steps=quote(posted))
            )
        offline = [*visits, *posted]
        starter = model.first
        applies = stage == 4 and model.is_applicant_step(starter)
        if applies:
            reasons.append(
                _("the case starts with the applicant at '{step}'").format(step=starter.id)
            )
        if not reasons:
            return
        why = functools.reduce(_both, reasons)
        if stage == 4:
            message = _(
                "the file declares maturity stage {stage} ({stage_name}), but {reasons}: at "
                "stage {stage} the agency starts the case itself, and the applicant does not "
                "apply at all; change those steps or declare the stage the channels give"
            )
        else:
            message = _(
                "the file declares maturity stage {stage} ({stage_name}), but {reasons}: at "
                "stage {stage} the application is made and completed online; change those steps "
                "or declare the stage the channels give"
            )
        yield ctx.finding(
            "maturity-mismatch",
            "error",
            message.format(reasons=why, **names),
            steps=[*offline, *([starter.id] if applies and starter.id not in offline else [])],
            line=line,
            change=ctx.gains.online(offline, "maturity-mismatch") if offline else None,
        )
    elif not visits and any(s.channel == "online" for s in model.steps):
        yield ctx.finding(
            "maturity-mismatch",
            "info",
            _(
                "the file declares maturity stage {stage} ({stage_name}), but no step needs a "
                "visit and the applicant deals with the agencies online: the channels meet stage "
                "3 (transactional); declare it if the application is also completed online"
            ).format(**names),
            line=line,
        )


RULE = Rule(
    "maturity-mismatch",
    "error",
    N_("the declared maturity stage and the channels of the steps disagree"),
    check,
)
