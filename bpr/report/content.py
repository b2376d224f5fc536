"""What a report says, independent of its format: tables, headline figures, changes, documents."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bpr.analysis.measures import MEASURE_KEYS, PHASE_MEASURE_KEYS, phase_measures
from bpr.analysis.table import format_number as _format_number
from bpr.comparison import Comparison
from bpr.comparison.rows import STAGE_MEASURES, Change, document_changes, stage_change, step_changes
from bpr.core import i18n
from bpr.core.durations import Duration
from bpr.core.i18n import N_, domain
from bpr.core.model import END, Model, Step
from bpr.core.money import Money, money_cell
from bpr.core.money import format_money as _format_money
from bpr.core.vocab import CHANNELS
from bpr.core.words import channel_name as channel_text
from bpr.core.words import duration_text as step_duration
from bpr.core.words import hours_text as duration_text
from bpr.core.words import join_words
from bpr.errors import BprError
from bpr.lint import format_gain
from bpr.report.collect import AS_IS, Pair, Portfolio, Service, Variant
from bpr.report.measure_words import measure_label, measure_unit_kind
from bpr.simulate import staff_needed

_, ngettext, pgettext = domain("report")

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
    "applicants_text",
    "cell_text",
    "change_records",
    "change_sentence",
    "channel_text",
    "compact_money",
    "compact_number",
    "display_label",
    "document_table",
    "duration_text",
    "format_money",
    "format_number",
    "format_percent",
    "format_value",
    "gain_text",
    "has_passport",
    "headline",
    "join_words",
    "made_with",
    "measure_table",
    "passport_table",
    "phase_table",
    "portfolio_table",
    "severity_text",
    "skipped_heading",
    "staff_needed_text",
    "stage_name",
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
#: The measures of the portfolio table (key, heading, unit), each As-Is, To-Be and change (%);
#: the headings are written in the output language where they are shown.
PORTFOLIO_MEASURES = (
    ("steps", N_("Steps"), ""),
    ("visits", N_("Visits"), ""),
    ("certificates", N_("Certificates"), ""),
    ("lead_time_days", N_("Lead time"), "days"),
    ("annual_burden", N_("Burden per year"), "money"),
)
#: The UN e-service maturity stages, as the loader names them (in English; see
#: :func:`stage_name` for the output language).
MATURITY_STAGES = {
    1: N_("information"),
    2: N_("downloadable forms"),
    3: N_("transactional"),
    4: N_("proactive"),
}
#: The units of the measures, as the report writes them after a label.
_UNITS = {"days": N_("days"), "hours": N_("hours")}


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

    kind: str  # "Step removed", "Document now exchanged", "Redesign", ... (in English)
    item: str  # the step or document id (or the redesign kind)
    name: str
    detail: str = ""

    @property
    def title(self) -> str:
        """The kind of change in the output language."""
        return _(self.kind)


def _english(function: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    """What ``function`` writes in English: the numbers of the layers below, whatever they
    do with the language, are then written the current language's way by :func:`i18n.numeral`."""
    with i18n.use("en"):
        return function(*args, **kwargs)


def format_number(value: Any, decimals: int = 2) -> str:
    """A number grouped in the current language's way (``1 234,5`` in Russian).

    >>> format_number(1234.5), format_number(7)
    ('1,234.50', '7')
    """
    return i18n.numeral(_english(_format_number, value, decimals))


def format_money(amount: float | None, currency: str | None, *, unit: bool = True) -> str:
    """An amount as :func:`bpr.core.money.format_money` writes it, in the language's numbers.

    >>> format_money(6000, "UZS")
    '6,000.00 UZS'
    >>> with i18n.use("ru"):
    ...     format_money(6000, "UZS")
    '6\xa0000,00 UZS'
    """
    return i18n.numeral(_english(_format_money, amount, currency, unit=unit))


def stage_name(stage: int) -> str:
    """The name of a UN maturity stage in the output language."""
    return _(MATURITY_STAGES[stage])


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
    """The unit of measure ``key`` in words: ``days``, ``hours``, the currency code."""
    unit = measure_unit_kind(key)
    if unit == "money":
        return currency or _("currency")
    return _(_UNITS[unit]) if unit in _UNITS else unit


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
    # TRANSLATORS: a percent; Russian writes a no-break space before the sign
    return _("{value}%").format(value=i18n.number(value, "+.1f") if value else "0")


def compact_number(value: float | None) -> str:
    """Large amounts shortened for wide tables: ``21.63 bn``, ``4.2 M``; smaller as is.

    >>> compact_number(21632500000), compact_number(4200000), compact_number(950)
    ('21.63 bn', '4.2 M', '950')
    """
    if value is None:
        return "–"
    size = abs(value)
    for limit, template in _COMPACT:
        if size >= limit:
            number = f"{value / limit:.2f}".rstrip("0").rstrip(".")
            return _(template).format(value=i18n.numeral(number))
    return format_number(value, 0 if size >= 100 else 2)


_COMPACT = (
    # TRANSLATORS: an amount in trillions, as in "1.2 tn"
    (1e12, N_("{value} tn")),
    # TRANSLATORS: an amount in billions (thousand millions), as in "21.63 bn"
    (1e9, N_("{value} bn")),
    # TRANSLATORS: an amount in millions, as in "4.2 M"
    (1e6, N_("{value} M")),
)


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
    money = currency or _("currency")
    columns = [Column(_("Service"), "text")]
    for key, heading, unit in PORTFOLIO_MEASURES:
        group = _(heading)
        unit = money if unit == "money" else _(_UNITS[unit]) if unit in _UNITS else unit
        kind = "money" if key == "annual_burden" else "number"
        owned = currency if kind == "money" else None
        columns.append(Column("As-Is", kind, unit, group, owned))
        columns.append(Column("To-Be", kind, unit, group, owned))
        columns.append(Column(_("Change"), "percent", "", group))
    if currency is None:
        columns.append(Column(_("Currency"), "text"))
    stage = _("Maturity stage")
    columns.append(Column("As-Is", "number", "", stage))
    columns.append(Column("To-Be", "number", "", stage))

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
        for key, _heading, unit in PORTFOLIO_MEASURES:
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
        label = measure_label(key)
        unit = unit_of(key, currency)
        money = measure_unit_kind(key) == "money" and currency is not None
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
    columns = [Column(_("Measure"), "text"), Column(_("Unit"), "text")]
    base = service.as_is
    if base is not None:
        columns.append(Column(display_label(base.label), "number", currency=currency))
    for variant in service.to_bes:
        columns.append(Column(display_label(variant.label), "number", currency=currency))
        if base is not None:
            columns.append(Column(_("Change"), "number", currency=currency))
            columns.append(Column("%", "percent"))
    table = Table(columns)
    pairs = {id(p.to_be): p for p in service.pairs}
    for key in MEASURE_KEYS:
        row: list[Any] = [measure_label(key), unit_of(key, currency)]
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
        if measure_unit_kind(key) == "money":
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
    if all(per_phase is None for _variant, per_phase in found):
        return None
    currency = service.currency
    keys = PHASE_MEASURE_KEYS[1:]  # after the name
    columns = [Column(_("Phase"), "text")]
    for key in keys:
        label, unit = measure_label(key), measure_unit_kind(key)
        for variant, _found in found:
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
    for _variant, per_phase in found:
        for ident, entry in (per_phase or {}).items():
            names.setdefault(ident, entry["name"])
    table = Table(columns)
    for ident, name in names.items():
        row: list[Any] = [name]
        for key in keys:
            for _variant, per_phase in found:
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
# (ChangeRecord.kind keeps the English text; ChangeRecord.title is it in the output language.)
_STEP_KINDS = {
    "removed": N_("Step removed"),
    "replaced": N_("Step replaces"),
    "added": N_("Step added"),
    "changed": N_("Step changed"),
}
_DOCUMENT_KINDS = {
    "removed": N_("Document no longer needed"),
    "added": N_("Document newly needed"),
    "now exchanged": N_("Document now exchanged"),
    "no longer exchanged": N_("Document no longer exchanged"),
}
_REDESIGN = N_("Redesign")


def _names(model: Model, doc_ids: Sequence[str]) -> str:
    names = [model.documents[d].name if d in model.documents else d for d in doc_ids]
    return join_words(names)


def _flow_words(model: Model, step: Step) -> str:
    def name(target: str) -> str:
        return _("the end") if target == END else model.step(target).label

    flow = step.next
    if flow.kind == "parallel":
        # TRANSLATORS: the steps a parallel split starts together
        return _("all of {steps} at once").format(steps=join_words([name(t) for t in flow.targets]))
    if flow.kind == "choice":
        parts = [
            # TRANSLATORS: a branch of a choice and its share of cases, as in "Review (30%)"
            _("{step} ({percent}%)").format(step=name(b.to), percent=format_number(b.p * 100, 0))
            for b in flow.branches
        ]
        # TRANSLATORS: the branches of a choice, one of which a case takes
        return _("one of {steps}").format(steps=join_words(parts))
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
        gone = [d for d in before if d not in after]
        added = [d for d in after if d not in before]
        parts = []
        if gone:
            # TRANSLATORS: documents a step no longer needs (or issues)
            parts.append(_("{documents} no longer").format(documents=_names(old_model, gone)))
        if added:
            names = _names(new_model, added)
            # TRANSLATORS: documents a step needs (or issues) besides those it did
            parts.append(_("{documents} now as well").format(documents=names) if before else names)
        if field_name == "needs":
            if not parts:
                return _("needs: the same, in another order")
            return _("needs: {changes}").format(changes="; ".join(parts))
        if not parts:
            return _("issues: the same, in another order")
        return _("issues: {changes}").format(changes="; ".join(parts))
    if field_name == "name":
        return _("renamed from \u201c{name}\u201d").format(name=old.label)
    if field_name == "actor":
        return _("done by {new} instead of {old}").format(
            new=new_model.actors[new.actor].name, old=old_model.actors[old.actor].name
        )
    if field_name == "agency":
        before = old_model.actors[old.actor].agency or _("no agency")
        after = new_model.actors[new.actor].agency or _("no agency")
        return _("agency: {new} instead of {old}").format(new=after, old=before)
    if field_name == "next":
        return _("next: {new} instead of {old}").format(
            new=_flow_words(new_model, new), old=_flow_words(old_model, old)
        )
    if field_name == "fee":
        return _("fee: {new} instead of {old}").format(
            new=format_money(new.fee, new_model.currency),
            old=format_money(old.fee, old_model.currency),
        )
    before_value, after_value = getattr(old, field_name, None), getattr(new, field_name, None)
    before_text, after_text = _field_words(before_value), _field_words(after_value)
    template = _FIELD_CHANGES.get(field_name)
    if template is not None:
        return _(template).format(new=after_text, old=before_text)
    return _("{field}: {new} instead of {old}").format(
        field=field_name, new=after_text, old=before_text
    )


#: How the other compared fields of a step read when they change.
_FIELD_CHANGES = {
    "channel": N_("channel: {new} instead of {old}"),
    "work": N_("work: {new} instead of {old}"),
    "wait": N_("wait: {new} instead of {old}"),
    "join": N_("join: {new} instead of {old}"),
    "phase": N_("phase: {new} instead of {old}"),
}


def _field_words(value: Any) -> str:
    """A field's value in a sentence: nothing and no time at all are ``none``."""
    if value is None or (isinstance(value, Duration) and not value.mean):
        return _("none")
    if isinstance(value, Duration):
        return step_duration(value)
    if isinstance(value, str) and value in CHANNELS:
        return channel_text(value)
    return str(value)


def _record(change: Change, kinds: dict[str, str], comparison: Comparison) -> ChangeRecord:
    detail = change.detail
    if change.kind == "replaced":
        detail = _("replaces: {steps}").format(steps=", ".join(change.replaced_names))
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
    records += [ChangeRecord(_REDESIGN, r.kind, r.title, r.sentence) for r in comparison.redesigns]
    return records


def _travel(model: Model, doc_id: str) -> str:
    """How a document reaches the step that needs it, in one variant."""
    document = model.documents.get(doc_id)
    needed = any(doc_id in s.needs for s in model.steps)
    produced = any(doc_id in s.produces for s in model.steps)
    if document is None or not (needed or produced):
        return "–"
    if not needed:
        return _("issued to the applicant")
    if document.exchange:
        return _("data exchange")
    if document.issuer is not None:
        return _("applicant collects and carries")
    return _("applicant brings")


def _issuer(models: Sequence[Model], doc_id: str) -> str:
    for model in models:
        document = model.documents.get(doc_id)
        if document is not None and document.issuer is not None:
            actor = model.actors[document.issuer]
            return f"{actor.name} ({actor.agency})" if actor.agency else actor.name
    return _("the applicant's own")


def document_table(service: Service) -> Table:
    """Each document of any variant: its issuer, and per variant how it travels."""
    models = [v.model for v in service.variants]
    columns = [Column(_("Document"), "text"), Column(_("Issued by"), "text")]
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


def made_with(services: int, files: int, version: str) -> str:
    """The line under a report's title: how many services from how many files, and the tool.

    >>> made_with(6, 12, "1.0")
    '6 services from 12 model files; made with bpr 1.0.'
    >>> with i18n.use("ru"):
    ...     made_with(1, 2, "1.0")
    '1 услуга из 2 файлов моделей; создано с помощью bpr 1.0.'
    """
    # TRANSLATORS: {services} is "6 services", {from_files} is "from 12 model files"
    return _("{services} {from_files}; made with bpr {version}.").format(
        services=ngettext("{n} service", "{n} services", services).format(n=services),
        from_files=ngettext("from {n} model file", "from {n} model files", files).format(n=files),
        version=version,
    )


def skipped_heading(count: int) -> str:
    """The heading of the list of model files left out of a report."""
    return ngettext("{n} model file skipped:", "{n} model files skipped:", count).format(n=count)


_SEVERITIES = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}


def severity_text(severity: str) -> str:
    """A lint finding's severity in the output language (the key where it is unknown)."""
    return _(_SEVERITIES[severity]) if severity in _SEVERITIES else severity


def gain_text(gain: Mapping[str, float] | None, currency: str | None) -> str:
    """A lint finding's gain in a few words, as ``bpr lint`` writes it."""
    if gain is None:
        return ""
    return format_gain(gain, currency)


def variant_facts(variant: Variant) -> list[tuple[str, str]]:
    """Short facts about one variant shown beside its diagram."""
    model = variant.model
    facts = [(_("File"), model.file), (_("Variant"), model.variant)]
    if model.maturity is not None:
        stage = f"{model.maturity} ({stage_name(model.maturity)})"
        facts.append((_("Maturity stage"), stage))
    if model.volume is not None:
        facts.append((_("Cases per year"), format_number(model.volume)))
    if model.tariff is not None:
        facts.append(
            (
                _("Value of an applicant hour"),
                format_money(model.tariff, model.currency),
            )
        )
    # the service passport, as a register of public services holds it
    for label, value in (
        (_("Owner"), model.owner),
        (_("Applicants"), model.applicants),
        (_("Result"), model.result),
        (_("Register id"), model.register_id),
    ):
        if value:
            facts.append((label, value))
    if model.deadline is not None:
        facts.append((_("Legal deadline"), duration_text(model.deadline.mean)))
    staffing = staff_needed_text(model)
    if staffing is not None:
        facts.append((_("Staff needed for the deadline"), staffing))
    return facts


#: The kinds of applicant of a service passport, as a report names them (the model writes the
#: key).
_APPLICANTS = {
    # TRANSLATORS: a service passport's kind of applicant: people
    "citizen": N_("citizens"),
    # TRANSLATORS: a service passport's kind of applicant: companies and entrepreneurs
    "business": N_("businesses"),
    # TRANSLATORS: a service passport's kind of applicant: people and companies alike
    "both": N_("citizens and businesses"),
}


def applicants_text(applicants: str) -> str:
    """A service passport's kind of applicant in the output language (the key where unknown)."""
    return _(_APPLICANTS[applicants]) if applicants in _APPLICANTS else applicants


def has_passport(service: Service) -> bool:
    """Whether a variant of the service declares a passport field (owner, applicants, result,
    deadline, register id): its report then has a passport page even outside a portfolio."""
    return any(
        m.owner or m.applicants or m.result or m.deadline is not None or m.register_id
        for m in (v.model for v in service.variants)
    )


def passport_table(service: Service) -> Table:
    """The service passport, as a register of public services holds it: a row per field
    (owner, applicants, result, legal deadline, register id, the maturity stage declared and the
    one the flow supports, cases a year), a column per variant; "–" where a variant does not say.
    """
    variants = service.variants
    table = Table([Column("", "text"), *(Column(display_label(v.label), "text") for v in variants)])

    def stage(value: int | None) -> str:
        return "–" if value is None else f"{value} ({stage_name(value)})"

    fields: list[tuple[str, Callable[[Variant], str]]] = [
        (_("Owner"), lambda v: v.model.owner or "–"),
        (
            _("Applicants"),
            lambda v: applicants_text(v.model.applicants) if v.model.applicants else "–",
        ),
        (_("Result"), lambda v: v.model.result or "–"),
        (
            _("Legal deadline"),
            lambda v: duration_text(v.model.deadline.mean) if v.model.deadline else "–",
        ),
        (_("Register id"), lambda v: v.model.register_id or "–"),
        (_("Declared maturity stage"), lambda v: stage(v.model.maturity)),
        (
            _("Maturity stage the flow supports"),
            lambda v: stage(v.measures.get("derived_maturity")),
        ),
        (
            _("Cases per year"),
            lambda v: "–" if v.model.volume is None else format_number(v.model.volume),
        ),
    ]
    for label, value in fields:
        table.rows.append([label, *(value(v) for v in variants)])
    return table


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
        return _("not found: {reason}").format(reason=exc)
    if best is None:
        return _("no staffing within the search meets the deadline")
    names = ", ".join(f"{model.actors[a].name} {n}" for a, n in sorted(best.items()))
    # TRANSLATORS: {staff} is "Clerk 3, Registrar 2"; {share} is "95%"
    share = _("{value}%").format(value=i18n.number(DEADLINE_SHARE * 100, ".0f"))
    return _("{staff} ({share} of cases within the deadline, simulated)").format(
        staff=names, share=share
    )


def step_table(variant: Variant) -> Table:
    """One row per step in file order: who does it, over which channel, its work, wait, fee
    (in the model's currency) and the documents it needs, by name (the full list)."""
    model = variant.model
    currency = model.currency
    columns = [
        Column(_("Step"), "text"),
        Column(_("Actor"), "text"),
        Column(_("Channel"), "text"),
        Column(_("Work"), "text"),
        Column(_("Wait"), "text"),
        Column(_("Fee"), "money", currency or "", currency=currency),
        Column(_("Documents"), "text"),
    ]
    table = Table(columns)
    for step in model.steps:
        actor = model.actors[step.actor]
        documents = [model.documents[d].name if d in model.documents else d for d in step.needs]
        table.rows.append(
            [
                step.label,
                actor.name,
                channel_text(step.channel),
                step_duration(step.work) if step.work.mean else "–",
                step_duration(step.wait) if step.wait.mean else "–",
                Money(step.fee, currency) if step.fee else None,
                ", ".join(documents) if documents else "–",
            ]
        )
    return table
