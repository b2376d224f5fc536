"""The draft To-Be of ``bpr lint --fix-draft``: the safe suggestions applied, written as YAML."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import yaml

from bpr.core.durations import Duration, DurationError, format_hours, parse_duration
from bpr.core.model import END, Flow, Model, Step
from bpr.lint.edits import Edit, Note, exchange_documents, parallelise
from bpr.lint.findings import SAFE_RULES, Finding

__all__ = ["Draft", "build_draft", "draft_to_be", "yaml_scalar"]

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

# Text that can stand unquoted in block and flow context and reads back as the same text.
_PLAIN = re.compile(r"[^\W\d_](?:[\w .()'/-]*[\w.()'/-])?")
# What YAML allows in a comment: no line breaks, printable characters only.
_UNPRINTABLE = re.compile("[^\x09\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Draft:
    """A draft To-Be: its YAML text, its model, and which findings it applies and which not."""

    text: str
    model: Model
    applied: tuple[Finding, ...]
    skipped: tuple[tuple[Finding, str], ...]  # (finding, why it was not applied)


def draft_to_be(model: Model, findings: Iterable[Finding]) -> str:
    """The YAML text of a draft To-Be with the safe suggestions among ``findings`` applied.

    Certificates become exchanged (once-only) and independent steps run in parallel
    (sequential-independent); every change is marked with a ``# lint:`` comment, and the
    header lists the findings left to the analyst. The text loads with :func:`bpr.loads`.

    >>> import bpr
    >>> from bpr.lint import lint
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\n"
    ...     "actors: {tax: {name: Tax office}, desk: {name: Desk}}\\n"
    ...     "documents: {clearance: {name: No-debt certificate, issuer: tax}}\\n"
    ...     "steps: [{id: apply, actor: desk, needs: [clearance]}]\\n"
    ... )
    >>> draft = bpr.loads(draft_to_be(m, lint(m)))
    >>> draft.variant, draft.documents["clearance"].exchange
    ('to-be-draft', True)
    """
    return build_draft(model, findings).text


def build_draft(model: Model, findings: Iterable[Finding]) -> Draft:
    """Apply the safe suggestions one after the other and write the result.

    A suggestion that no longer fits the model changed by the earlier ones is skipped.
    """
    order = {rule: i for i, rule in enumerate(SAFE_RULES)}
    current = model
    notes: list[Note] = []
    applied: list[Finding] = []
    skipped: list[tuple[Finding, str]] = []
    for finding in sorted(findings, key=lambda f: (order.get(f.rule, len(order)), f.line)):
        if finding.rule not in order:
            skipped.append((finding, "needs the analyst's judgement"))
            continue
        edit = _edit(current, finding)
        if edit is None:
            skipped.append((finding, "does not fit after the changes above"))
            continue
        current = edit.model
        notes.extend(edit.notes)
        applied.append(finding)
    variant = "to-be-draft" if model.variant == "as-is" else f"{model.variant}-draft"
    drafted = dataclasses.replace(
        current, variant=variant, name=f"Draft To-Be from bpr lint: {model.title}"
    )
    text = _write(model, drafted, notes, applied, skipped)
    return Draft(text, drafted, tuple(applied), tuple(skipped))


def _edit(model: Model, finding: Finding) -> Edit | None:
    if finding.rule == "once-only":
        return exchange_documents(model, finding.documents)
    if finding.rule == "sequential-independent" and len(finding.steps) == 2:
        return parallelise(model, finding.steps[0], finding.steps[1])
    return None


# -- writing YAML -------------------------------------------------------------------------------


def yaml_scalar(text: str) -> str:
    """Text as a YAML scalar that reads back as the same text, in block or flow context.

    Plain where that is safe and readable, double-quoted (with escapes) otherwise.

    >>> yaml_scalar("Cadastre office"), yaml_scalar("yes"), yaml_scalar("a: b # c")
    ('Cadastre office', '"yes"', '"a: b # c"')
    """
    if _PLAIN.fullmatch(text) and yaml.load(text, Loader=_Loader) == text:
        return text
    dumped: str = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf"))
    return dumped.rstrip("\n")


def _number(value: float) -> str:
    """A number YAML reads back exactly (PyYAML needs a dot in a float with an exponent)."""
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    mantissa, _, exponent = text.partition("e")
    if exponent and "." not in mantissa:
        text = f"{mantissa}.0e{exponent}"
    return text


def _hours(hours: float) -> str:
    """A duration in the format's units that reads back as exactly these hours."""
    text = format_hours(hours)
    try:
        if parse_duration(text).mean == hours:
            return text
    except DurationError:  # pragma: no cover - format_hours writes valid durations
        pass
    return format(Decimal(repr(hours)), "f") + "h"


def _duration(value: Duration) -> str:
    if value.kind == "uniform":
        return yaml_scalar(f"{_hours(value.low)}..{_hours(value.high)}")
    if value.kind == "triangular":
        return (
            f"{{min: {_hours(value.low)}, mode: {_hours(value.mode)}, max: {_hours(value.high)}}}"
        )
    return _hours(value.mode)


def _comment(text: str, indent: str = "") -> str:
    clean = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return f"{indent}# {clean}".rstrip()


def _ids(ids: Iterable[str]) -> str:
    return "[" + ", ".join(yaml_scalar(i) for i in ids) + "]"


def _flow(step: Step, following: str | None, joins: set[str]) -> list[str]:
    """The ``next`` lines of a step; none where the case falls through to the following step.

    A flow into a ``join: all`` step is always written out: it ends a parallel branch.
    """
    flow: Flow = step.next
    if flow.kind == "parallel":
        return [f"    next: {{all: {_ids(flow.targets)}}}"]
    if flow.kind == "sequence" and len(flow.branches) == 1:
        target = flow.branches[0].to
        if target == (following or END) and target not in joins:
            return []
        return [f"    next: {yaml_scalar(target)}"]
    lines = ["    next:"]
    for branch in flow.branches:
        parts = [f"to: {yaml_scalar(branch.to)}", f"p: {_number(branch.p)}"]
        if branch.when is not None:
            parts.append(f"when: {yaml_scalar(branch.when)}")
        lines.append("      - {" + ", ".join(parts) + "}")
    return lines


def _step(step: Step, following: str | None, joins: set[str], notes: list[str]) -> list[str]:
    lines = [_comment(f"lint: {n}", "  ") for n in notes]
    lines.append(f"  - id: {yaml_scalar(step.id)}")
    if step.name and step.name != step.id:
        lines.append(f"    name: {yaml_scalar(step.name)}")
    lines.append(f"    actor: {yaml_scalar(step.actor)}")
    if step.channel != "internal":
        lines.append(f"    channel: {step.channel}")
    if not step.work.is_zero:
        lines.append(f"    work: {_duration(step.work)}")
    if not step.wait.is_zero:
        lines.append(f"    wait: {_duration(step.wait)}")
    if step.fee:
        lines.append(f"    fee: {_number(step.fee)}")
    if step.needs:
        lines.append(f"    needs: {_ids(step.needs)}")
    if step.produces:
        lines.append(f"    produces: {_ids(step.produces)}")
    lines += _flow(step, following, joins)
    if step.join is not None:
        lines.append("    join: all")
    if step.replaces:
        lines.append(f"    replaces: {_ids(step.replaces)}")
    return lines


def _summary(finding: Finding) -> str:
    where = f", line {finding.line}" if finding.line else ""
    what = ", ".join((*finding.documents, *finding.steps))
    return f"{finding.rule}{where}: {what}" if what else f"{finding.rule}{where}"


def _write(
    original: Model,
    model: Model,
    notes: list[Note],
    applied: list[Finding],
    skipped: list[tuple[Finding, str]],
) -> str:
    by_entity: dict[tuple[str, str], list[str]] = {}
    for note in notes:
        by_entity.setdefault((note.kind, note.id), []).append(note.text)
    head = [
        f"Draft To-Be of {original.service}, written by `bpr lint --fix-draft`",
        f"from {original.file} ({original.variant}).",
        "It applies the safe suggestions of bpr lint (certificates exchanged, independent steps",
        "in parallel); each change is marked by a comment starting with 'lint:'. The work, wait",
        "and fee of the changed steps are those of the original: review every change, then edit.",
        "",
        f"Applied ({len(applied)}):" if applied else "Applied: none.",
        *(f"  - {_summary(f)}" for f in applied),
        f"Not applied ({len(skipped)}):" if skipped else "Not applied: none.",
        *(f"  - {_summary(f)} ({why})" for f, why in skipped),
    ]
    out = [_comment(line) for line in head]
    out.append("bpr: 1")
    out.append(f"service: {yaml_scalar(model.service)}")
    out.append(f"variant: {yaml_scalar(model.variant)}")
    if model.name is not None:
        out.append(f"name: {yaml_scalar(model.name)}")
    if model.maturity is not None:
        out.append(f"maturity: {model.maturity}")
    if model.volume is not None:
        out.append(f"volume: {_number(model.volume)}")
    if model.currency is not None:
        out.append(f"currency: {yaml_scalar(model.currency)}")
    if model.tariff is not None:
        out.append(f"tariff: {_number(model.tariff)}")
    if model.sources:
        out.append("sources:")
        out += [f"  - {yaml_scalar(s)}" for s in model.sources]
    ignored: dict[str, str] = model.lint.get("ignore", {})
    if ignored:
        out += ["lint:", "  ignore:"]
        for rule, reason in ignored.items():
            if reason:
                out.append(f"    - {{rule: {yaml_scalar(rule)}, reason: {yaml_scalar(reason)}}}")
            else:
                out.append(f"    - {yaml_scalar(rule)}")

    out += ["", "actors:"]
    for actor in model.actors.values():
        parts = [f"name: {yaml_scalar(actor.name)}"]
        if actor.kind != "staff":
            parts.append(f"kind: {yaml_scalar(actor.kind)}")
        if actor.agency is not None:
            parts.append(f"agency: {yaml_scalar(actor.agency)}")
        out.append(f"  {yaml_scalar(actor.id)}: {{{', '.join(parts)}}}")

    if model.documents:
        out += ["", "documents:"]
        for doc in model.documents.values():
            out += [_comment(f"lint: {n}", "  ") for n in by_entity.get(("document", doc.id), [])]
            parts = [f"name: {yaml_scalar(doc.name)}"]
            if doc.issuer is not None:
                parts.append(f"issuer: {yaml_scalar(doc.issuer)}")
            if doc.exchange:
                parts.append("exchange: true")
            out.append(f"  {yaml_scalar(doc.id)}: {{{', '.join(parts)}}}")

    out += ["", "steps:"]
    steps = model.steps
    joins = {s.id for s in steps if s.join is not None}
    for i, step in enumerate(steps):
        following = steps[i + 1].id if i + 1 < len(steps) else None
        out += _step(step, following, joins, by_entity.get(("step", step.id), []))
    return "\n".join(out) + "\n"
