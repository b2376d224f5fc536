"""What a report says, independent of its format: tables, headline figures, changes, documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bpr.analysis.measures import MEASURE_KEYS, MEASURE_LABELS, PHASE_MEASURE_KEYS, phase_measures
from bpr.analysis.table import format_number
from bpr.comparison import Comparison
from bpr.comparison.rows import STAGE_MEASURES, Change, document_changes, stage_change, step_changes
from bpr.core.durations import Duration, format_hours
from bpr.core.model import END, Model, Step
from bpr.core.money import Money, format_money, money_cell
from bpr.errors import BprError
from bpr.lint import format_gain
from bpr.report.collect import AS_IS, Pair, Portfolio, Service, Variant
from bpr.simulate import staff_needed

__all__ = [
    "DEADLINE_SHARE",
    "HEADLINE_KEYS",
    "HIGHER_IS_BETTER",
    "MATURITY_STAGES",
    "PORTFOLIO_MEASURES",
    "ChangeRecord",
    "Column",
    "Headline",
    "Table",
    "cell_text",
    "change_records",
    "change_sentence",
    "compact_money",
    "compact_number",
    "display_label",
    "document_table",
    "format_percent",
    "format_value",
    "gain_text",
    "headline",
    "measure_table",
    "phase_table",
    "portfolio_table",
    "staff_needed_text",
    "step_table",
    "unit_of",
    "variant_facts",
]

#: The measures shown as headline figures of a service.
HEADLINE_KEYS = (
    "steps",
    "visits",
    "certificates",
    "lead_time_days",
    "applicant_hours",
    "burden",
    "annual_burden",
)
#: Measures where a rise is the gain (for every other one a fall is).
HIGHER_IS_BETTER = frozenset({"maturity", "documents_exchanged"})
#: The measures of the portfolio table (key, heading, unit), each As-Is, To-Be and change (%).
PORTFOLIO_MEASURES = (
    ("steps", "Steps", ""),
    ("visits", "Visits", ""),
    ("certificates", "Certificates", ""),
    ("lead_time_days", "Lead time", "days"),
    ("annual_burden", "Burden per year", "money"),
)
#: The UN e-service maturity stages, as the loader names them.
MATURITY_STAGES = {1: "information", 2: "downloadable forms", 3: "transactional", 4: "proactive"}


@dataclass(frozen=True)
class Column:
    """A column of a table: ``kind`` is ``text``, ``number``, ``percent`` or ``money``."""

    label: str
    kind: str = "number"
    unit: str = ""
    group: str = ""  # a heading over several columns (portfolio: "Steps", "Lead time")
    currency: str | None = None  # the currency the heading names: its amounts omit the code

    @property
    def heading(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass
class Table:
    """Rows of raw values (numbers stay numbers); ``links`` gives a row's anchor, if any."""

    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)
    footer: list[list[Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the measure key of each row, where any


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    unit: str
    before: Any
    after: Any = None
    percent: float | None = None
    compared: bool = False


@dataclass(frozen=True)
class ChangeRecord:
    """One classified change between an As-Is and a To-Be."""

    kind: str  # "Step removed", "Document now exchanged", "Redesign", ...
    item: str  # the step or document id (or the redesign kind)
    name: str
    detail: str = ""


def display_label(label: str) -> str:
    """A variant label as headings show it.

    >>> display_label("as-is"), display_label("to-be-2030"), display_label("pilot")
    ('As-Is', 'To-Be 2030', 'pilot')
    """
    lower = label.lower()
    for prefix, shown in (("as-is", "As-Is"), ("to-be", "To-Be")):
        if lower.startswith(prefix):
            rest = label[len(prefix) :].strip(" -_")
            return f"{shown} {rest}" if rest else shown
    return label


def unit_of(key: str, currency: str | None) -> str:
    unit = MEASURE_LABELS.get(key, (key, ""))[1]
    return (currency or "currency") if unit == "money" else unit


def format_value(value: Any, kind: str = "number") -> str:
    """A value as a report shows it: numbers grouped, percents signed, None as a dash.

    Amounts (:class:`~bpr.core.money.Money`) keep their currency's decimals and code.

    >>> format_value(-58.333, "percent"), format_value(None), format_value(2.5e9, "money")
    ('-58.3%', '–', '2,500,000,000')
    >>> format_value(Money(0.97, "AZN"))
    '0.97 AZN'
    """
    if value is None:
        return "–"
    if isinstance(value, Money):
        return format_money(value.amount, value.currency)
    if kind == "percent":
        return format_percent(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def format_percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:+.1f}%" if value else "0%"


def compact_number(value: float | None) -> str:
    """Large amounts shortened for wide tables: ``21.63 bn``, ``4.2 M``; smaller as is.

    >>> compact_number(21632500000), compact_number(4200000), compact_number(950)
    ('21.63 bn', '4.2 M', '950')
    """
    if value is None:
        return "–"
    size = abs(value)
    for limit, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "M")):
        if size >= limit:
            return f"{value / limit:.2f}".rstrip("0").rstrip(".") + f" {suffix}"
    return format_number(value, 0 if size >= 100 else 2)


def compact_money(value: Any) -> str:
    """An amount shortened like :func:`compact_number`, with its currency code.

    >>> compact_money(Money(21632500000, "UZS")), compact_money(Money(0.97, "AZN"))
    ('21.63 bn UZS', '0.97 AZN')
    """
    if isinstance(value, Money):
        size = abs(value.amount)
        text = compact_number(value.amount) if size >= 1e6 else format_money(value.amount, None)
        return f"{text} {value.currency}" if value.currency else text
    return compact_number(value)


def cell_text(value: Any, column: Column, *, compact: bool = False) -> str:
    """A table cell as text: an amount without its code where the column's heading names its
    currency, with it where the column mixes currencies.

    >>> cell_text(Money(3, "AZN"), Column("Fee", "money", "AZN", currency="AZN"))
    '3.00'
    >>> cell_text(Money(3, "AZN"), Column("Fee", "money"))
    '3.00 AZN'
    """
    if isinstance(value, Money):
        text = compact_money(value) if compact else format_value(value)
        if value.currency and value.currency == column.currency:
            text = text.removesuffix(f" {value.currency}")
        return text
    if compact:
        return compact_number(value)
    return format_value(value, column.kind)


def _single_currency(services: Sequence[Service]) -> str | None:
    currencies = {s.currency for s in services} - {None}
    return currencies.pop() if len(currencies) == 1 else None


def portfolio_table(portfolio: Portfolio) -> Table:
    """One row per service: the As-Is and primary To-Be figures, changes and maturity."""
    currency = _single_currency(portfolio.services)
    money = currency or "currency"
    columns = [Column("Service", "text")]
    for key, group, unit in PORTFOLIO_MEASURES:
        unit = money if unit == "money" else unit
        kind = "money" if key == "annual_burden" else "number"
        owned = currency if kind == "money" else None
        columns.append(Column("As-Is", kind, unit, group, owned))
        columns.append(Column("To-Be", kind, unit, group, owned))
        columns.append(Column("Change", "percent", "", group))
    if currency is None:
        columns.append(Column("Currency", "text"))
    columns.append(Column("As-Is", "number", "", "Maturity stage"))
    columns.append(Column("To-Be", "number", "", "Maturity stage"))

    table = Table(columns)
    for service in portfolio.services:
        pair = service.primary
        if pair is not None:
            before, after = pair.as_is.measures, pair.to_be.measures
        else:
            only = service.variants[0]
            before = only.measures if only is service.as_is else {}
            after = {} if only is service.as_is else only.measures
        row: list[Any] = [service.title]
        for key, _, unit in PORTFOLIO_MEASURES:
            if unit == "money":
                row += [money_cell(before.get(key), service.currency)]
                row += [money_cell(after.get(key), service.currency)]
            else:
                row += [before.get(key), after.get(key)]
            row.append(pair.change(key)[2] if pair is not None else None)
        if currency is None:
            row.append(service.currency or "")
        row += [before.get("maturity"), after.get("maturity")]
        table.rows.append(row)
        table.links.append(service.anchor)
    return table


def headline(service: Service) -> list[Headline]:
    """The headline figures: As-Is and primary To-Be side by side, or one variant alone."""
    pair = service.primary
    currency = service.currency
    out = []
    for key in HEADLINE_KEYS:
        label = MEASURE_LABELS[key][0]
        unit = unit_of(key, currency)
        money = MEASURE_LABELS[key][1] == "money" and currency is not None
        if money:
            unit = ""  # each amount names its currency

        def value(raw: Any, money: bool = money) -> Any:
            return money_cell(raw, currency) if money else raw

        if pair is not None:
            before, after, percent = pair.change(key)
            out.append(
                Headline(key, label, unit, value(before), value(after), percent, compared=True)
            )
        else:
            out.append(Headline(key, label, unit, value(service.variants[0].measures.get(key))))
    return out


def measure_table(service: Service) -> Table:
    """Every measure of the contract: a column per variant, change and percent per To-Be."""
    currency = service.currency
    columns = [Column("Measure", "text"), Column("Unit", "text")]
    base = service.as_is
    if base is not None:
        columns.append(Column(display_label(base.label), "number", currency=currency))
    for variant in service.to_bes:
        columns.append(Column(display_label(variant.label), "number", currency=currency))
        if base is not None:
            columns.append(Column("Change", "number", currency=currency))
            columns.append(Column("%", "percent"))
    table = Table(columns)
    pairs = {id(p.to_be): p for p in service.pairs}
    for key in MEASURE_KEYS:
        row: list[Any] = [MEASURE_LABELS[key][0], unit_of(key, currency)]
        if base is not None:
            row.append(base.measures.get(key))
        for variant in service.to_bes:
            row.append(variant.measures.get(key))
            if base is not None:
                pair = pairs.get(id(variant))
                before, after, percent = pair.change(key) if pair else (None, None, None)
                change: float | int | str | None = None
                if pair is not None and pair.comparison is not None:
                    change = pair.comparison.measures[key].change
                elif isinstance(before, int | float) and isinstance(after, int | float):
                    change = after - before
                if key in STAGE_MEASURES:  # a stage moves "stage 1 -> 3", never by a percent
                    change, percent = (stage_change(before, after) if pair else None), None
                row += [change, percent]
        if MEASURE_LABELS[key][1] == "money":
            row = row[:2] + [
                value if column.kind == "percent" else money_cell(value, currency)
                for value, column in zip(row[2:], columns[2:], strict=True)
            ]
        table.rows.append(row)
        table.keys.append(key)
    return table


def phase_table(service: Service) -> Table | None:
    """The measures of each phase (``bpr metrics --json``'s ``phases``), a row per phase and,
    under each measure, a column per variant; None where no variant has phases.

    A phase a variant does not declare is blank in its columns; a lead time is blank where
    the phase is not one block of that variant's flow.
    """
    found = [(variant, phase_measures(variant.model)) for variant in service.variants]
    if all(per_phase is None for _, per_phase in found):
        return None
    currency = service.currency
    keys = PHASE_MEASURE_KEYS[1:]  # after the name
    columns = [Column("Phase", "text")]
    for key in keys:
        label, unit = MEASURE_LABELS[key]
        for variant, _ in found:
            columns.append(
                Column(
                    display_label(variant.label),
                    "number",
                    unit_of(key, currency) if unit else "",
                    group=label,
                    currency=currency,
                )
            )
    names: dict[str, str] = {}
    for _, per_phase in found:
        for ident, entry in (per_phase or {}).items():
            names.setdefault(ident, entry["name"])
    table = Table(columns)
    for ident, name in names.items():
        row: list[Any] = [name]
        for key in keys:
            for _, per_phase in found:
                value = (per_phase or {}).get(ident, {}).get(key)
                row.append(money_cell(value, currency) if key == "fees" else value)
        table.rows.append(row)
    return table


def _doc_name(models: Sequence[Model], doc_id: str) -> str:
    for model in models:
        if doc_id in model.documents:
            return model.documents[doc_id].name
    return doc_id


# What the report calls each change of bpr.comparison.rows, in the report's order.
_STEP_KINDS = {
    "removed": "Step removed",
    "replaced": "Step replaces",
    "added": "Step added",
    "changed": "Step changed",
}
_DOCUMENT_KINDS = {
    "removed": "Document no longer needed",
    "added": "Document newly needed",
    "now exchanged": "Document now exchanged",
    "no longer exchanged": "Document no longer exchanged",
}


def _names(model: Model, doc_ids: Sequence[str]) -> str:
    names = [model.documents[d].name if d in model.documents else d for d in doc_ids]
    return _join(names)


def _join(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _flow_words(model: Model, step: Step) -> str:
    def name(target: str) -> str:
        return "the end" if target == END else model.step(target).label

    flow = step.next
    if flow.kind == "parallel":
        return "all of " + _join([name(t) for t in flow.targets]) + " at once"
    if flow.kind == "choice":
        parts = [f"{name(b.to)} ({format_number(b.p * 100, 0)}%)" for b in flow.branches]
        return "one of " + _join(parts)
    return name(flow.targets[0])


def change_sentence(comparison: Comparison, step_id: str, field_name: str) -> str:
    """How one field of a step changed, in words a ministry reads: documents and actors by
    name, amounts in the currency, ``instead of`` for the old value.

    >>> from bpr.files.load import loads
    >>> from bpr.comparison import compare
    >>> head = ("bpr: 1\\nservice: s\\ncurrency: AZN\\nactors: {a: {name: A}}\\n"
    ...         "documents: {passport: {name: Passport}}\\n")
    >>> old = loads(head + "variant: as-is\\nsteps: [{id: x, actor: a, needs: [passport], fee: 3}]")
    >>> new = loads(head + "variant: to-be\\nsteps: [{id: x, actor: a, fee: 0.5}]")
    >>> c = compare(old, new)
    >>> change_sentence(c, "x", "needs"), change_sentence(c, "x", "fee")
    ('needs: Passport no longer', 'fee: 0.50 AZN instead of 3.00 AZN')
    """
    old_model, new_model = comparison.as_is, comparison.to_be
    old, new = old_model.step(step_id), new_model.step(step_id)
    if field_name in ("needs", "produces"):
        before, after = getattr(old, field_name), getattr(new, field_name)
        verb = "needs" if field_name == "needs" else "issues"
        gone = [d for d in before if d not in after]
        added = [d for d in after if d not in before]
        parts = []
        if gone:
            parts.append(f"{_names(old_model, gone)} no longer")
        if added:
            parts.append(
                f"{_names(new_model, added)} now as well" if before else _names(new_model, added)
            )
        return f"{verb}: " + "; ".join(parts) if parts else f"{verb}: the same, in another order"
    if field_name == "name":
        return f"renamed from \u201c{old.label}\u201d"
    if field_name == "actor":
        return (
            f"done by {new_model.actors[new.actor].name} instead of "
            f"{old_model.actors[old.actor].name}"
        )
    if field_name == "agency":
        before = old_model.actors[old.actor].agency or "no agency"
        after = new_model.actors[new.actor].agency or "no agency"
        return f"agency: {after} instead of {before}"
    if field_name == "next":
        return f"next: {_flow_words(new_model, new)} instead of {_flow_words(old_model, old)}"
    if field_name == "fee":
        return (
            f"fee: {format_money(new.fee, new_model.currency)} instead of "
            f"{format_money(old.fee, old_model.currency)}"
        )
    before_value, after_value = getattr(old, field_name, None), getattr(new, field_name, None)
    before_text, after_text = _field_words(before_value), _field_words(after_value)
    return f"{field_name}: {after_text} instead of {before_text}"


def _field_words(value: Any) -> str:
    """A field's value in a sentence: nothing and no time at all are ``none``."""
    if value is None or (isinstance(value, Duration) and not value.mean):
        return "none"
    return str(value)


def _record(change: Change, kinds: dict[str, str], comparison: Comparison) -> ChangeRecord:
    detail = change.detail
    if change.kind == "replaced":
        detail = "replaces: " + ", ".join(change.replaced_names)
    elif change.kind == "changed" and change.id in comparison.changed_steps:
        detail = "; ".join(
            change_sentence(comparison, change.id, f) for f in comparison.changed_steps[change.id]
        )
    return ChangeRecord(kinds[change.kind], change.id, change.name, detail)


def change_records(pair: Pair) -> list[ChangeRecord]:
    """The classified changes of a pair: the steps, the documents, then the redesigns."""
    comparison = pair.comparison
    if comparison is None:
        return []
    order = list(_STEP_KINDS)
    steps = sorted(step_changes(comparison), key=lambda c: order.index(c.kind))
    records = [_record(c, _STEP_KINDS, comparison) for c in steps]
    records += [_record(c, _DOCUMENT_KINDS, comparison) for c in document_changes(comparison)]
    records += [ChangeRecord("Redesign", r.kind, r.title, r.sentence) for r in comparison.redesigns]
    return records


def _travel(model: Model, doc_id: str) -> str:
    """How a document reaches the step that needs it, in one variant."""
    document = model.documents.get(doc_id)
    needed = any(doc_id in s.needs for s in model.steps)
    produced = any(doc_id in s.produces for s in model.steps)
    if document is None or not (needed or produced):
        return "–"
    if not needed:
        return "issued to the applicant"
    if document.exchange:
        return "data exchange"
    if document.issuer is not None:
        return "applicant collects and carries"
    return "applicant brings"


def _issuer(models: Sequence[Model], doc_id: str) -> str:
    for model in models:
        document = model.documents.get(doc_id)
        if document is not None and document.issuer is not None:
            actor = model.actors[document.issuer]
            return f"{actor.name} ({actor.agency})" if actor.agency else actor.name
    return "the applicant's own"


def document_table(service: Service) -> Table:
    """Each document of any variant: its issuer, and per variant how it travels."""
    models = [v.model for v in service.variants]
    columns = [Column("Document", "text"), Column("Issued by", "text")]
    columns += [Column(display_label(m.variant), "text") for m in models]
    table = Table(columns)
    order: dict[str, None] = {}
    for model in models:
        for doc_id in model.documents:
            order.setdefault(doc_id, None)
    for doc_id in order:
        row: list[Any] = [_doc_name(models, doc_id), _issuer(models, doc_id)]
        row += [_travel(m, doc_id) for m in models]
        table.rows.append(row)
    return table


def gain_text(gain: Mapping[str, float] | None, currency: str | None) -> str:
    """A lint finding's gain in a few words, as ``bpr lint`` writes it."""
    if gain is None:
        return ""
    return format_gain(gain, currency)


def variant_facts(variant: Variant) -> list[tuple[str, str]]:
    """Short facts about one variant shown beside its diagram."""
    model = variant.model
    facts = [("File", model.file), ("Variant", model.variant)]
    if model.maturity is not None:
        facts.append(("Maturity stage", f"{model.maturity} ({MATURITY_STAGES[model.maturity]})"))
    if model.volume is not None:
        facts.append(("Cases per year", format_number(model.volume)))
    if model.tariff is not None:
        facts.append(
            (
                "Value of an applicant hour",
                format_money(model.tariff, model.currency),
            )
        )
    # the service passport, as a register of public services holds it
    for label, value in (
        ("Owner", model.owner),
        ("Applicants", model.applicants),
        ("Result", model.result),
        ("Register id", model.register_id),
    ):
        if value:
            facts.append((label, value))
    if model.deadline is not None:
        facts.append(("Legal deadline", format_hours(model.deadline.mean)))
    staffing = staff_needed_text(model)
    if staffing is not None:
        facts.append(("Staff needed for the deadline", staffing))
    return facts


#: The share of cases a To-Be's staff must finish within the legal deadline, in reports.
DEADLINE_SHARE = 0.95


def staff_needed_text(model: Model, *, cases: int = 5_000) -> str | None:
    """For a To-Be whose actors have ``staff`` and that has a ``deadline``: the fewest staff
    per actor for which the simulation finishes 95 % of cases within the deadline, in words;
    None for other models.
    """
    staffed = any(a.staff is not None for a in model.actors.values())
    if model.variant.lower() == AS_IS or not staffed or model.deadline is None:
        return None
    try:
        best = staff_needed(model, f"deadline>={DEADLINE_SHARE}", cases=cases)
    except BprError as exc:
        return f"not found: {exc}"
    if best is None:
        return "no staffing within the search meets the deadline"
    names = ", ".join(f"{model.actors[a].name} {n}" for a, n in sorted(best.items()))
    return f"{names} ({DEADLINE_SHARE:.0%} of cases within the deadline, simulated)"


def step_table(variant: Variant) -> Table:
    """One row per step in file order: who does it, over which channel, its work, wait, fee
    (in the model's currency) and the documents it needs, by name (the full list)."""
    model = variant.model
    currency = model.currency
    columns = [
        Column("Step", "text"),
        Column("Actor", "text"),
        Column("Channel", "text"),
        Column("Work", "text"),
        Column("Wait", "text"),
        Column("Fee", "money", currency or "", currency=currency),
        Column("Documents", "text"),
    ]
    table = Table(columns)
    for step in model.steps:
        actor = model.actors[step.actor]
        documents = [model.documents[d].name if d in model.documents else d for d in step.needs]
        table.rows.append(
            [
                step.label,
                actor.name,
                step.channel,
                str(step.work) if step.work.mean else "–",
                str(step.wait) if step.wait.mean else "–",
                Money(step.fee, currency) if step.fee else None,
                ", ".join(documents) if documents else "–",
            ]
        )
    return table
