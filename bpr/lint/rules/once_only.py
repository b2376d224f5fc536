"""once-only: a certificate that one agency issues and the applicant carries to another."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.core.model import Actor
from bpr.lint.context import LintContext, Rule, clean, quote, who
from bpr.lint.findings import Finding
from bpr.lint.rules._carried import carried

__all__ = ["NOT_EXCHANGED_KINDS", "RULE", "check", "registry_caveat"]

_, ngettext, _pgettext = domain("lint")

#: Document kinds that other rules advise on: a payment receipt (``payment-proof``) and a
#: physical item (``physical-item``) are not pulled from a registry.
NOT_EXCHANGED_KINDS = ("receipt", "object")


def registry_caveat(issuer: Actor) -> str:
    """What once-only needs first where the issuer's register is not known to be queryable
    (``registry: false`` or no ``registry``); nothing where it is (``registry: true``)."""
    registry = issuer.registry
    if registry is True:
        return ""
    if registry is False:
        return _(
            "; {issuer} keeps no register that other agencies can query (registry: false): the "
            "register must be connected first, with a data-exchange agreement"
        ).format(issuer=who(issuer))
    return _(
        "; if {issuer} keeps no register that other agencies can query (its registry is not "
        "recorded), connect it first"
    ).format(issuer=who(issuer))


def check(ctx: LintContext) -> Iterator[Finding]:
    """A document with an issuer that the applicant brings to a step of staff."""
    for paper in carried(ctx):
        if paper.issuer is None or paper.kind in NOT_EXCHANGED_KINDS:
            continue
        doc, issuer = paper.document, paper.issuer
        change = ctx.gains.exchange([doc.id])
        trips = change.steps if change else []
        trip = (
            _("; the trip to fetch it ({steps}) becomes a registry query").format(
                steps=quote(trips)
            )
            if trips
            else ""
        )
        # the issuer's own output that the applicant also shows back to it (the police's
        # fine decision, brought to the police and to the bank)
        back = [
            s.id
            for s in paper.users
            if s.actor == issuer.id or (issuer.agency and ctx.actor(s).agency == issuer.agency)
        ]
        names = {
            "document": clean(doc.name),
            "id": doc.id,
            "issuer": who(issuer),
            "steps": quote(s.id for s in paper.users),
            "trip": trip,
        }
        if paper.own:
            # TRANSLATORS: {trip} is empty or "; the trip to fetch it (...) becomes a registry
            # query"
            # TRANSLATORS: counted by the steps {steps} names (Russian: на шаг, на шаги)
            message = ngettext(
                "the applicant must bring '{document}' ({id}) to {steps}, though {issuer} issues "
                "it itself: ask only for its reference number and look the record up in the "
                "agency's own files (once-only){trip}",
                "the applicant must bring '{document}' ({id}) to {steps}, though {issuer} issues "
                "it itself: ask only for its reference number and look the record up in the "
                "agency's own files (once-only){trip}",
                len(paper.users),
            ).format(**names)
        elif back:
            # TRANSLATORS: {caveat} is empty or a clause on the issuer's register, starting "; "
            message = _(
                "'{document}' ({id}) is an output of {issuer}, and the applicant brings it back "
                "to {back} and to {others}: give it a reference number that every step looks "
                "the record up by, instead of the paper (once-only){trip}{caveat}"
            ).format(
                back=quote(back),
                others=quote(s.id for s in paper.users if s.id not in back),
                caveat=registry_caveat(issuer),
                **names,
            )
        else:
            # TRANSLATORS: counted by the steps {steps} names (Russian: на шаг, на шаги)
            message = ngettext(
                "'{document}' ({id}) is issued by {issuer} and the applicant carries it to "
                "{steps}: pull it from the issuer's registry by data exchange instead "
                "(once-only){trip}{caveat}",
                "'{document}' ({id}) is issued by {issuer} and the applicant carries it to "
                "{steps}: pull it from the issuer's registry by data exchange instead "
                "(once-only){trip}{caveat}",
                len(paper.users),
            ).format(caveat=registry_caveat(issuer), **names)
        yield paper.finding(
            ctx,
            "once-only",
            "warning",
            message,
            change,
        )


RULE = Rule(
    "once-only",
    "warning",
    N_(
        "a certificate that one agency issues and the applicant carries to another: "
        "exchange the data instead"
    ),
    check,
)
