"""maturity-mismatch: the declared maturity stage and the channels of the steps disagree."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.lint.context import LintContext, Rule, quote
from bpr.lint.edits import make_online
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]

_STAGES = {1: "information", 2: "downloadable forms", 3: "transactional", 4: "proactive"}


def check(ctx: LintContext) -> Iterator[Finding]:
    """Stage 3 or 4 with visits, post or an applicant who starts the case (an error); a lower
    stage whose channels already meet stage 3 (information)."""
    model = ctx.model
    stage = model.maturity
    if stage is None:
        return
    line = model.locate("maturity")[0]
    visits = [s.id for s in model.steps if s.is_visit]
    declared = f"the file declares maturity stage {stage} ({_STAGES[stage]})"
    if stage >= 3:
        reasons = []
        if visits:
            reasons.append(f"the applicant must come in person at {quote(visits)}")
        # the applicant's own steps by post: papers mailed in, not an application made online
        posted = [s.id for s in model.steps if s.channel == "post" and ctx.actor(s).is_applicant]
        if posted:
            reasons.append(f"the applicant sends papers by post at {quote(posted)}")
        offline = [*visits, *posted]
        starter = model.first
        applies = stage == 4 and model.is_applicant_step(starter)
        if applies:
            reasons.append(f"the case starts with the applicant at '{starter.id}'")
        if not reasons:
            return
        needs = "the application is made and completed online"
        if stage == 4:
            needs = "the agency starts the case itself, and the applicant does not apply at all"
        yield ctx.finding(
            "maturity-mismatch",
            "error",
            f"{declared}, but {' and '.join(reasons)}: at stage {stage} {needs}; change those "
            "steps or declare the stage the channels give",
            steps=[*offline, *([starter.id] if applies and starter.id not in offline else [])],
            line=line,
            edit=make_online(model, offline, "maturity-mismatch") if offline else None,
        )
    elif not visits and any(s.channel == "online" for s in model.steps):
        yield ctx.finding(
            "maturity-mismatch",
            "info",
            f"{declared}, but no step needs a visit and the applicant deals with the agencies "
            "online: the channels meet stage 3 (transactional); declare it if the application "
            "is also completed online",
            line=line,
        )


RULE = Rule(
    "maturity-mismatch",
    "error",
    "the declared maturity stage and the channels of the steps disagree",
    check,
)
