"""The one writer of model YAML: every command that writes a model (import, mine, lint's
draft To-Be, init) quotes its scalars and lays out its documents here, so that what it writes
always loads back as exactly what was meant, in one house style.

- :func:`yaml_scalar`, :func:`yaml_number`, :func:`yaml_duration`: one scalar each;
- :func:`model_text`: a new model document from plain data, with optional comments
  (:class:`Commented`); :func:`model_data` gives a loaded model as that data;
- :func:`edit_model_text` changes an existing model file and keeps the rest of it byte for
  byte (ruamel.yaml's round-trip mode, imported only there).

A new field of the format is written by adding it to :func:`model_data` (where it has a
default to leave out); its place among the keys comes from :mod:`bpr.core.schema`.

>>> print(model_text({
...     "bpr": 1, "service": "permit", "variant": "as-is",
...     "actors": {"desk": {"name": "Front desk"}},
...     "steps": [Commented({"id": "apply", "actor": "desk", "work": "30m"}, above=("first",))],
... }, header=["A permit"]), end="")
# A permit
bpr: 1
service: permit
variant: as-is
<BLANKLINE>
actors:
  desk: {name: Front desk}
<BLANKLINE>
steps:
  # first
  - id: apply
    actor: desk
    work: 30m
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from bpr.core.durations import Duration, DurationError, format_hours, parse_duration
from bpr.core.model import END, Basis, Model, Step
from bpr.core.schema import ACTOR_FIELDS, DOCUMENT_FIELDS, STEP_FIELDS, TOP_FIELDS
from bpr.core.text import for_yaml_comment

__all__ = [
    "REMOVE",
    "Commented",
    "edit_model_text",
    "model_data",
    "model_text",
    "yaml_comment",
    "yaml_duration",
    "yaml_number",
    "yaml_scalar",
]

_SPECIAL_WORDS = {
    "yes", "no", "true", "false", "on", "off", "y", "n", "null", "~", "none", ".nan", ".inf",
}  # fmt: skip
# Plain scalars: no commas, brackets or braces, which end a value inside a flow mapping.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.()/&'+-]*")
# What PyYAML reads as printable inside a quoted scalar; anything else is escaped.
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Line breaks to YAML besides \n and \r: inside quotes they would fold into a space.
_BREAKS = frozenset("\x85\u2028\u2029")
# A duration in the format's units (30m, 1h 30m, 2d..5d): plain, though it starts with a digit.
_TERMS = r"\d+(?:\.\d+)?[a-z]+(?: \d+(?:\.\d+)?[a-z]+)*"
_DURATION = re.compile(rf"{_TERMS}(?:\.\.{_TERMS})?")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
# An id as a plain scalar in the file (the format's id pattern).
_ID_TEXT = re.compile(r"[A-Za-z0-9_-]+")
# Where a comment at the end of a line starts, until model_text aligns it.
_MARK = "\x00"
# Keys whose text values are durations, and the keys of a triangular duration.
_DURATION_KEYS = frozenset({"work", "wait"})

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar that loads back as exactly this string.

    Plain where that is unambiguous, otherwise double-quoted with escapes for anything YAML
    would read differently or refuse (line breaks, control characters, ``: ``, ``#``).

    >>> yaml_scalar("Check the application"), yaml_scalar("yes"), yaml_scalar("a: b")
    ('Check the application', '"yes"', '"a: b"')
    """
    if (
        _PLAIN.fullmatch(text)
        and text.lower() not in _SPECIAL_WORDS
        and not text.endswith((" ", "-", "."))
        and ": " not in text
        and " #" not in text
    ):
        return text
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif _PRINTABLE.match(ch) and ch not in _BREAKS:
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def yaml_duration(text: str) -> str:
    """A duration's text, plain where it is written in the format's units, else quoted.

    >>> yaml_duration("1h 30m"), yaml_duration("2d..5d"), yaml_duration("1e6")
    ('1h 30m', '2d..5d', '"1e6"')
    """
    if _DURATION.fullmatch(text) and yaml.load(text, Loader=_Loader) == text:
        return text
    return yaml_scalar(text)


def yaml_number(value: float) -> str:
    """A number as YAML that loads back as the same value.

    Whole numbers are written without a fraction; PyYAML reads a float with an exponent only
    where its mantissa has a dot, so one is added.

    >>> yaml_number(3), yaml_number(2.0), yaml_number(0.25), yaml_number(1e-07)
    ('3', '2', '0.25', '1.0e-07')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if math.isnan(number):
        return ".nan"
    if math.isinf(number):
        return ".inf" if number > 0 else "-.inf"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = repr(number)
    mantissa, _, exponent = text.partition("e")
    if exponent and "." not in mantissa:
        text = f"{mantissa}.0e{exponent}"
    return text


def yaml_comment(text: str, indent: str = "") -> str:
    """One comment line: the text on one line, without what a YAML comment cannot hold.

    Spaces that open the text are kept, for an indented example command.

    >>> yaml_comment("two\\nlines", "  "), yaml_comment(""), yaml_comment("  bpr validate x")
    ('  # two lines', '#', '#   bpr validate x')
    """
    lead = " " * (len(text) - len(text.lstrip(" ")))
    return f"{indent}# {lead}{for_yaml_comment(text, max(len(text), 1))}".rstrip()


@dataclass(frozen=True)
class Commented:
    """A value of :func:`model_text` with comments: lines above its key (or list item) and
    one at the end of its line."""

    value: Any
    above: tuple[str, ...] = ()
    after: str = ""


def model_text(
    data: Mapping[str, Any], header: Iterable[str] = (), *, comment_column: int = 0
) -> str:
    """A model document in the house style, from plain data (dicts, lists, text, numbers).

    The top level is a block mapping; a mapping of mappings (``actors``, ``documents``) has
    one flow mapping a line, a list of mappings (``steps``) is a list of block mappings, and
    both come after a blank line. Inside a step, lists and mappings are written in flow
    style, except a list that holds mappings (``next`` with its branches): one flow mapping a
    line. ``work`` and ``wait`` text is written as a duration. Any value may be wrapped in
    :class:`Commented`; ``header`` lines become the comments that open the file. Comments at
    the end of a line start two spaces after the value, or at ``comment_column`` where the
    line is shorter (to align them, as hand-written files do).
    """
    lines = [yaml_comment(line) for line in header]
    for key, item in data.items():
        value, above, after = _unwrap(item)
        name = _key(key)
        if _is_mapping(value) and value and all(_is_mapping(_unwrap(v)[0]) for v in value.values()):
            lines += ["", *_comments(above, ""), f"{name}:{_after(after)}"]
            for entry_key, entry in value.items():
                entry_value, entry_above, entry_after = _unwrap(entry)
                lines += _comments(entry_above, "  ")
                flow = _flow(entry_value, entry_key in _DURATION_KEYS)
                lines.append(f"  {_key(entry_key)}: {flow}{_after(entry_after)}")
        elif _is_list(value) and any(_is_mapping(_unwrap(v)[0]) for v in value):
            lines += ["", *_comments(above, ""), f"{name}:{_after(after)}"]
            for entry in value:
                entry_value, entry_above, entry_after = _unwrap(entry)
                lines += _comments(entry_above, "  ")
                if _is_mapping(entry_value) and entry_value:
                    body = _block(entry_value, "    ")
                    body[0] = "  - " + body[0][4:] + _after(entry_after)
                    lines += body
                else:
                    lines.append(f"  - {_flow(entry_value)}{_after(entry_after)}")
        elif _is_list(value) and value:
            lines += [*_comments(above, ""), f"{name}:{_after(after)}"]
            for entry in value:
                entry_value, entry_above, entry_after = _unwrap(entry)
                lines += _comments(entry_above, "  ")
                lines.append(f"  - {_flow(entry_value)}{_after(entry_after)}")
        elif _is_mapping(value) and value:
            lines += [*_comments(above, ""), f"{name}:{_after(after)}", *_block(value, "  ")]
        else:
            lines += _comments(above, "")
            lines.append(f"{name}: {_flow(value, key in _DURATION_KEYS)}{_after(after)}")
    return "\n".join(_align(line, comment_column) for line in lines) + "\n"


def _align(line: str, column: int) -> str:
    """A line with its end-of-line comment (after the marker that :func:`_after` leaves)."""
    content, marker, comment = line.partition(_MARK)
    if not marker:
        return line
    return content + " " * max(2, column - len(content)) + "# " + comment


def _unwrap(item: Any) -> tuple[Any, tuple[str, ...], str]:
    if isinstance(item, Commented):
        return item.value, tuple(item.above), item.after
    return item, (), ""


def _is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _comments(lines: Iterable[str], indent: str) -> list[str]:
    return [yaml_comment(line, indent) for line in lines]


def _after(comment: str) -> str:
    # A NUL cannot be in the line otherwise: the quoter escapes it and comments drop it.
    return f"{_MARK}{for_yaml_comment(comment, max(len(comment), 1))}" if comment else ""


def _key(key: Any) -> str:
    return yaml_scalar(key) if isinstance(key, str) else _scalar(key)


def _scalar(value: Any, duration: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return yaml_duration(value) if duration else yaml_scalar(value)
    if isinstance(value, (int, float)):
        return yaml_number(value)
    raise TypeError(f"a model holds text, numbers, lists and mappings, not {value!r}")


def _flow(value: Any, duration: bool = False) -> str:
    value = _unwrap(value)[0]
    if _is_mapping(value):
        parts = (
            f"{_key(k)}: {_flow(v, duration or k in _DURATION_KEYS)}" for k, v in value.items()
        )
        return "{" + ", ".join(parts) + "}"
    if _is_list(value):
        return "[" + ", ".join(_flow(v, duration) for v in value) + "]"
    return _scalar(value, duration)


def _block(mapping: Mapping[Any, Any], indent: str) -> list[str]:
    """A block mapping at ``indent``: the keys of a step, or of ``lint``."""
    lines: list[str] = []
    for key, item in mapping.items():
        value, above, after = _unwrap(item)
        lines += _comments(above, indent)
        if _is_list(value) and any(_is_mapping(_unwrap(v)[0]) for v in value):
            lines.append(f"{indent}{_key(key)}:{_after(after)}")
            for entry in value:
                entry_value, entry_above, entry_after = _unwrap(entry)
                lines += _comments(entry_above, indent + "  ")
                lines.append(f"{indent}  - {_flow(entry_value)}{_after(entry_after)}")
        else:
            flow = _flow(value, key in _DURATION_KEYS)
            lines.append(f"{indent}{_key(key)}: {flow}{_after(after)}")
    return lines


# -- a model as plain data ------------------------------------------------------------------


def model_data(model: Model) -> dict[str, Any]:
    """A :class:`~bpr.core.model.Model` as the plain data of its file, for :func:`model_text`.

    Defaults are left out (the ``internal`` channel, zero work, a ``next`` that falls
    through to the following step); a flow into a ``join: all`` step is always written out,
    since it ends a parallel branch.

    >>> import bpr
    >>> m = bpr.loads("bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...               "steps: [{id: x, actor: a, work: 90m}, {id: y, actor: a}]\\n")
    >>> model_data(m)["steps"]
    [{'id': 'x', 'actor': 'a', 'work': '1h 30m'}, {'id': 'y', 'actor': 'a'}]
    """
    data: dict[str, Any] = {
        "bpr": model.version,
        "service": model.service,
        "variant": model.variant,
    }
    if model.language != "en":
        data["language"] = model.language
    if model.name is not None:
        data["name"] = _names(model.names, model.name)
    for key in ("maturity", "volume", "currency", "tariff", "staff_tariff"):
        value = getattr(model, key)
        if value is not None:
            data[key] = value
    if model.uptake != 1.0:
        data["uptake"] = model.uptake
    for key in ("travel", "queue"):
        if not getattr(model, key).is_zero:
            data[key] = _duration(getattr(model, key))
    for key in ("owner", "applicants", "result", "register_id"):
        if getattr(model, key) is not None:
            data[key] = getattr(model, key)
    if model.deadline is not None:
        data["deadline"] = _duration(model.deadline)
    if model.arrivals.kind == "pattern":
        data["arrivals"] = {
            "months": list(model.arrivals.months),
            "weekdays": list(model.arrivals.weekdays),
        }
    elif model.arrivals.kind != "uniform":
        data["arrivals"] = model.arrivals.kind
    if model.holidays:
        data["holidays"] = [d.isoformat() for d in model.holidays]
    if model.sources:
        data["sources"] = list(model.sources)
    if model.acts:
        data["acts"] = {}
        for act in model.acts.values():
            entry_act: dict[str, Any] = {"title": _names(act.names, act.title)}
            if act.number is not None:
                entry_act["number"] = act.number
            if act.date is not None:
                entry_act["date"] = act.date.isoformat()
            if act.kind != "other":
                entry_act["kind"] = act.kind
            data["acts"][act.id] = entry_act
    if model.basis:
        data["basis"] = _basis(model.basis)
    if model.phases:
        data["phases"] = {
            phase.id: {"name": _names(phase.names, phase.name)} for phase in model.phases.values()
        }
    ignored: dict[str, str] = model.lint.get("ignore", {})
    if ignored:
        data["lint"] = {
            "ignore": [{"rule": r, "reason": why} if why else r for r, why in ignored.items()]
        }
    data["actors"] = {}
    for actor in model.actors.values():
        entry: dict[str, Any] = {"name": _names(actor.names, actor.name)}
        if actor.kind != "staff":
            entry["kind"] = actor.kind
        if actor.agency is not None:
            entry["agency"] = actor.agency
        if actor.registry is not None:
            entry["registry"] = actor.registry
        if actor.staff is not None:
            entry["staff"] = actor.staff
        if actor.hours is not None:
            entry["hours"] = actor.hours.text
        data["actors"][actor.id] = entry
    if model.documents:
        data["documents"] = {}
        for doc in model.documents.values():
            entry = {"name": _names(doc.names, doc.name)}
            if doc.issuer is not None:
                entry["issuer"] = doc.issuer
            if doc.exchange:
                entry["exchange"] = True
            if doc.kind != ("certificate" if doc.issuer else "form"):
                entry["kind"] = doc.kind
            if doc.basis:
                entry["basis"] = _basis(doc.basis)
            data["documents"][doc.id] = entry
    joins = {s.id for s in model.steps if s.join is not None}
    steps = model.steps
    data["steps"] = [
        _step_data(step, steps[i + 1].id if i + 1 < len(steps) else END, joins)
        for i, step in enumerate(steps)
    ]
    return data


def _step_data(step: Step, following: str, joins: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": step.id}
    if step.names or (step.name and step.name != step.id):
        data["name"] = _names(step.names, step.name)
    data["actor"] = step.actor
    if step.channel != "internal":
        data["channel"] = step.channel
    if not step.work.is_zero:
        data["work"] = _duration(step.work)
    if not step.wait.is_zero:
        data["wait"] = _duration(step.wait)
    if step.fee:
        data["fee"] = step.fee
    if step.fee_kind != "charge":
        data["fee_kind"] = step.fee_kind
    for key in ("travel", "queue"):
        value = getattr(step, key)
        if value is not None:
            data[key] = _duration(value)
    if step.phase is not None:
        data["phase"] = step.phase
    if step.basis:
        data["basis"] = _basis(step.basis)
    for key in ("needs", "produces"):
        if getattr(step, key):
            data[key] = list(getattr(step, key))
    flow = step.next
    if flow.kind == "parallel":
        data["next"] = {"all": list(flow.targets)}
    elif flow.kind == "sequence" and len(flow.branches) == 1:
        target = flow.branches[0].to
        if target != following or target in joins:
            data["next"] = target
    else:
        data["next"] = [
            {
                "to": b.to,
                "p": b.p,
                **({"when": _names(b.whens, b.when)} if b.when is not None else {}),
            }
            for b in flow.branches
        ]
    if step.join is not None:
        data["join"] = "all"
    if step.replaces:
        data["replaces"] = list(step.replaces)
    return data


def _names(names: Mapping[str, str], text: str) -> str | dict[str, str]:
    """A name as the file writes it: its language map where it has one, else the text."""
    return dict(names) if names else text


def _basis(basis: Sequence[Basis]) -> list[Any]:
    return [{"act": b.act, "article": b.article} if b.article else b.act for b in basis]


def _hours(hours: float) -> str:
    """A duration in the format's units that reads back as exactly these hours."""
    text = format_hours(hours)
    try:
        if parse_duration(text).mean == hours:
            return text
    except DurationError:  # pragma: no cover - format_hours writes valid durations
        pass
    return format(Decimal(repr(hours)), "f") + "h"


def _duration(value: Duration) -> str | dict[str, str]:
    if value.kind == "uniform":
        return f"{_hours(value.low)}..{_hours(value.high)}"
    if value.kind == "triangular":
        return {"min": _hours(value.low), "mode": _hours(value.mode), "max": _hours(value.high)}
    return _hours(value.mode)


# -- editing an existing model file ---------------------------------------------------------

REMOVE: Any = type("Remove", (), {"__repr__": lambda self: "REMOVE"})()
"""A field value for :func:`edit_model_text` that deletes the field."""

# Where a new key goes among those a mapping has: after the last one that comes before it in
# the format's own tables (a new field of the format gets its place there, nowhere else).
_ORDERS: dict[str, tuple[str, ...]] = {
    "": tuple(TOP_FIELDS),
    "steps": tuple(STEP_FIELDS),
    "documents": tuple(DOCUMENT_FIELDS),
    "actors": tuple(ACTOR_FIELDS),
}


def edit_model_text(
    text: str,
    fields: Mapping[tuple[str, ...], Mapping[str, Any]],
    *,
    notes: Mapping[tuple[str, str], Sequence[str]] | None = None,
    header: Iterable[str] = (),
) -> str:
    """An existing model file with some fields changed, and everything else as it was.

    ``fields`` maps ``()`` (the top level) or ``(section, id)`` (``("steps", "apply")``,
    ``("documents", "passport")``, ``("actors", "tax")``) to the fields to set there, as
    plain data (a value of :data:`REMOVE` deletes the field). ``notes`` puts comment lines
    above entries, and ``header`` comment lines open the file. Raises ``ValueError`` where
    the text cannot be read back as a mapping, ``KeyError`` for an entry it does not have.

    The file is read with ruamel.yaml's round-trip mode, which keeps comments, key order and
    quoting, and written back entry by entry: the text of every top-level key, step,
    document and actor that nothing changes is kept byte for byte (with its comments and
    alignment); a changed entry keeps its own comments and the order of its keys, and a new
    key goes where the house style puts it.

    >>> print(edit_model_text(
    ...     "bpr: 1   # format\\nvariant: as-is\\nsteps:\\n  - id: a   # first\\n    actor: x\\n",
    ...     {(): {"variant": "to-be"}, ("steps", "a"): {"channel": "online"}},
    ...     notes={("steps", "a"): ["lint: now online"]},
    ... ), end="")
    bpr: 1   # format
    variant: to-be
    steps:
      # lint: now online
      - id: a   # first
        actor: x
        channel: online
    """
    return _Editor(text).apply(fields, notes or {}, list(header))


def _rt() -> Any:
    """A ruamel.yaml round-trip reader and writer (imported here: ``bpr validate`` never
    needs it)."""
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 1 << 30
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _lines(text: str) -> list[str]:
    """The lines of a text as ruamel.yaml counts them: split at ``\\r\\n``, ``\\r`` and
    ``\\n`` only (``str.splitlines`` splits at U+0085 or U+2028 inside a quoted scalar too)."""
    parts = _LINE_BREAK.split(text)
    lines = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
    return [*lines, parts[-1]] if parts[-1] else lines


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


class _Editor:
    """One edit of a model file's text (see :func:`edit_model_text`)."""

    def __init__(self, text: str) -> None:
        self.rt = _rt()
        self.text = text if text.endswith("\n") or not text else text + "\n"
        self.lines = _lines(self.text)
        from ruamel.yaml import YAMLError

        try:
            self.doc = self.rt.load(self.text)
        except YAMLError as exc:
            raise ValueError(f"ruamel.yaml cannot read the file: {exc}") from None
        if not _is_mapping(self.doc):
            raise ValueError("a model file holds a mapping at its top level")
        self.known: dict[str, list[tuple[str, Any]]] = {}

    # -- values in ruamel's types, quoted the house way --

    def node(self, key: str, value: Any) -> Any:
        """``value`` as ruamel loads the house writer's text of it, so that it is quoted,
        numbered and styled as :func:`model_text` would write it."""
        loaded = self.rt.load("v: " + _flow(value, key in _DURATION_KEYS) + "\n")["v"]
        if _is_list(loaded) and any(_is_mapping(v) for v in loaded):
            loaded.fa.set_block_style()
        return loaded

    def set_fields(self, mapping: Any, changes: Mapping[str, Any], order: tuple[str, ...]) -> None:
        for key, value in changes.items():
            if value is REMOVE:
                if key in mapping:
                    del mapping[key]
                continue
            if key in mapping:
                mapping[key] = self.node(key, value)
                continue
            rank = order.index(key) if key in order else len(order)
            position = 0
            for i, existing in enumerate(mapping):
                if (order.index(existing) if existing in order else len(order)) <= rank:
                    position = i + 1
            mapping.insert(position, key, self.node(key, value))

    # -- where each entry's text is --

    def top_spans(self) -> dict[str, tuple[int, int]]:
        """The lines of each top-level key: from its line to the next key's, less the
        comments and blank lines before the next (they belong to what follows)."""
        keys = list(self.doc)
        starts = [self.doc.lc.key(k)[0] for k in keys]
        spans = {}
        for i, key in enumerate(keys):
            end = starts[i + 1] if i + 1 < len(keys) else len(self.lines)
            spans[key] = (starts[i], self.trim(starts[i], end))
        return spans

    def trim(self, start: int, end: int) -> int:
        while end > start + 1 and _is_comment_or_blank(self.lines[end - 1]):
            end -= 1
        return end

    def entry_spans(self, section: str, span: tuple[int, int]) -> dict[str, tuple[int, int]] | None:
        """The lines of each step, document or actor of a block section; None where the
        section is in flow style or two entries share a line (then it is written whole)."""
        container = self.doc[section]
        if getattr(container.fa, "_flow_style", None) or not container:
            return None
        ids = [ident for ident, _ in self.idents(section)]
        if _is_list(container):
            starts = [container.lc.item(i)[0] for i in range(len(container))]
        else:
            starts = [container.lc.key(k)[0] for k in container]
        if len(set(starts)) != len(starts) or starts[0] <= span[0] or len(set(ids)) != len(ids):
            return None
        spans = {}
        for i, ident in enumerate(ids):
            end = starts[i + 1] if i + 1 < len(starts) else span[1]
            spans[ident] = (starts[i], self.trim(starts[i], end))
        return spans

    # -- writing entries back --

    def dump(self, data: Any) -> list[str]:
        from io import StringIO

        out = StringIO()
        self.rt.dump(data, out)
        return _lines(out.getvalue())

    def render(
        self, data: Any, original: list[str], skip: int, added: Iterable[str] = ()
    ) -> list[str]:
        """The text of ``data`` less its first ``skip`` lines; of the comment and blank
        lines, only those of the ``original`` text are kept (ruamel hangs the comments that
        come before the next entry on the last key of this one), and the ``added`` ones."""
        dumped = self.dump(data)
        lines = dumped[skip:]
        allowed: dict[str, int] = {}
        for line in [*original, *added]:
            if _is_comment_or_blank(line):
                allowed[line.strip()] = allowed.get(line.strip(), 0) + 1
        kept = []
        for line in lines:
            if _is_comment_or_blank(line):
                if not allowed.get(line.strip()):
                    continue
                allowed[line.strip()] -= 1
            kept.append(line)
        while kept and _is_comment_or_blank(kept[-1]):
            kept.pop()
        spaced = self.spaced(kept, original)
        if spaced != kept:
            head = "".join(dumped[:skip])
            if self.rt.load(head + "".join(spaced)) == self.rt.load(head + "".join(kept)):
                return spaced
        return kept

    @staticmethod
    def spaced(lines: list[str], original: list[str]) -> list[str]:
        """The comments at the end of lines with two spaces before them, where ruamel left one
        because the value grew past the comment's column (the house style, and yamllint's
        default, want two). Only comments of the original lines are touched, and the caller
        keeps the change only where the data reads the same."""
        ends = {line[line.rindex(" #") + 1 :] for line in original if " #" in line}
        out = []
        for line in lines:
            if " #" in line and "  #" not in line and line not in original:
                comment = line[line.rindex(" #") + 1 :]
                if comment in ends:
                    line = line[: len(line) - len(comment)] + " " + comment
            out.append(line)
        return out

    def entry_text(self, section: str, ident: str, span: tuple[int, int]) -> list[str]:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        container = self.doc[section]
        original = self.lines[span[0] : span[1]]
        first = original[0]
        if _is_list(container):
            index = next(i for found, i in self.idents(section) if found == ident)
            column = container.lc.item(index)[1]
            dash = first.index("-") if first.lstrip().startswith("-") else max(column - 2, 0)
            self.rt.indent(mapping=2, sequence=column, offset=dash)
            item = CommentedSeq([container[index]])
            if index in container.ca.items:  # the comment after a step in flow style
                item.ca.items[0] = container.ca.items[index]
            try:
                return self.render(CommentedMap({section: item}), original, 1)
            finally:
                self.rt.indent(mapping=2, sequence=4, offset=2)
        key = next(k for found, k in self.idents(section) if found == ident)
        mini = CommentedMap({key: container[key]})
        if key in container.ca.items:
            mini.ca.items[key] = container.ca.items[key]
        indent = container.lc.key(key)[1]
        self.rt.indent(mapping=indent, sequence=4, offset=2)
        try:
            lines = self.render(CommentedMap({section: mini}), original, 1)
        finally:
            self.rt.indent(mapping=2, sequence=4, offset=2)
        # Keep the alignment of the value, as in ``passport:      {name: ...}``.
        line, column = container.lc.value(key)
        if lines and line == span[0]:
            prefix = first[:column]
            head = prefix.rstrip()
            if lines[0].startswith(head + " "):
                lines[0] = prefix + lines[0][len(head) :].lstrip(" ")
        return lines

    def top_text(self, key: str, original: list[str], added: Iterable[str] = ()) -> list[str]:
        from ruamel.yaml.comments import CommentedMap

        mini = CommentedMap({key: self.doc[key]})
        if key in self.doc.ca.items:
            mini.ca.items[key] = self.doc.ca.items[key]
        return self.render(mini, original, 0, added)

    def apply(
        self,
        fields: Mapping[tuple[str, ...], Mapping[str, Any]],
        notes: Mapping[tuple[str, str], Sequence[str]],
        header: list[str],
    ) -> str:
        if getattr(self.doc.fa, "_flow_style", None):
            return self.whole(fields, notes, header)
        spans = self.top_spans()
        entries: dict[str, dict[str, tuple[int, int]] | None] = {
            s: self.entry_spans(s, spans[s]) for s in ("steps", "documents", "actors") if s in spans
        }
        # Each replacement: (start, end, new lines), applied from the bottom up.
        edits: list[tuple[int, int, list[str]]] = []
        whole_sections: set[str] = set()
        for where, changes in fields.items():
            if where == ():
                continue
            section, ident = where
            target = self.entry(section, ident)
            self.set_fields(target, changes, _ORDERS.get(section, ()))
            if entries.get(section) is None:
                whole_sections.add(section)
        for where in notes:
            section = where[0]
            if entries.get(section) is None:
                whole_sections.add(section)
        for section in whole_sections:
            self.block_style(section, notes)
            start, end = spans[section]
            added = [
                f"# {_flat(n)}" for w, texts in notes.items() if w[0] == section for n in texts
            ]
            edits.append((start, end, self.top_text(section, self.lines[start:end], added)))
        touched = {w for w in fields if w != ()} | set(notes)
        for section, ident in touched:
            if section in whole_sections:
                continue
            section_spans = entries[section]
            assert section_spans is not None
            start, end = section_spans[ident]
            new = (
                self.entry_text(section, ident, (start, end))
                if (section, ident) in fields
                else self.lines[start:end]
            )
            first = self.lines[start]
            indent = " " * (len(first) - len(first.lstrip()))
            comments = [yaml_comment(n, indent) + "\n" for n in notes.get((section, ident), ())]
            edits.append((start, end, comments + list(new)))
        order = _ORDERS[""]
        top = sorted(
            fields.get((), {}).items(),
            key=lambda item: order.index(item[0]) if item[0] in order else len(order),
        )
        for key, value in top:
            if key in spans:
                start, end = spans[key]
                if value is REMOVE:
                    edits.append((start, end, []))
                    continue
                self.doc[key] = self.node(key, value)
                edits.append((start, end, self.top_text(key, self.lines[start:end])))
            elif value is not REMOVE:
                rank = order.index(key) if key in order else len(order)
                after = [k for k in spans if (order.index(k) if k in order else len(order)) <= rank]
                at = spans[after[-1]][1] if after else min(s for s, _ in spans.values())
                from ruamel.yaml.comments import CommentedMap

                edits.append(
                    (at, at, self.render(CommentedMap({key: self.node(key, value)}), [], 0))
                )
        lines = list(self.lines)
        # From the bottom up, so that each span is still where it was; of two insertions at
        # one place, the later one first, so that they end up in the order they were made.
        ordered = sorted(enumerate(edits), key=lambda e: (e[1][0], e[1][1], e[0]), reverse=True)
        for _, (start, end, new) in ordered:
            lines[start:end] = new
        return self.with_header(lines, header)

    def idents(self, section: str) -> list[tuple[str, Any]]:
        """``(id, index or key)`` of each entry of a section, the id as the file writes it:
        ruamel reads ``007`` as the number 7, bpr's loader as the text ``007``."""
        cached = self.known.get(section)
        if cached is not None:
            return cached
        container = self.doc.get(section)
        found: list[tuple[str, Any]] = self.known.setdefault(section, [])
        if _is_list(container):
            for index, item in enumerate(container):
                if _is_mapping(item) and "id" in item:
                    found.append((self.written(item["id"], *item.lc.value("id")), index))
                else:
                    found.append(("", index))
        elif _is_mapping(container):
            for key in container:
                found.append((self.written(key, *container.lc.key(key)), key))
        return found

    def written(self, value: Any, line: int, column: int) -> str:
        if isinstance(value, str):
            return str(value)
        match = _ID_TEXT.match(self.lines[line], column) if line < len(self.lines) else None
        return match.group(0) if match else str(value)

    def entry(self, section: str, ident: str) -> Any:
        for found, where in self.idents(section):
            if found == ident:
                return self.doc[section][where]
        raise KeyError(f"the file has no {section} entry '{ident}'")

    def block_style(self, section: str, notes: Mapping[tuple[str, str], Sequence[str]]) -> None:
        """Write a section that was in flow style the house way, with its notes."""
        container = self.doc[section]
        container.fa.set_block_style()
        for ident, where in self.idents(section):
            if _is_list(container) and _is_mapping(container[where]):
                container[where].fa.set_block_style()
            text = notes.get((section, ident))
            if text:
                container.yaml_set_comment_before_after_key(
                    where, before="\n".join(_flat(t) for t in text), indent=2
                )

    def whole(
        self,
        fields: Mapping[tuple[str, ...], Mapping[str, Any]],
        notes: Mapping[tuple[str, str], Sequence[str]],
        header: list[str],
    ) -> str:
        """A file that is one flow mapping: written whole, the house way."""
        self.doc.fa.set_block_style()
        for where, changes in fields.items():
            if where == ():
                self.set_fields(self.doc, changes, _ORDERS[""])
            else:
                self.set_fields(self.entry(*where), changes, _ORDERS.get(where[0], ()))
        for section in ("actors", "documents", "steps"):
            if self.doc.get(section):
                self.block_style(section, notes)
        return self.with_header(self.dump(self.doc), header)

    def with_header(self, lines: list[str], header: list[str]) -> str:
        comments = [yaml_comment(line) + "\n" for line in header]
        at = 1 if lines and lines[0].startswith("# yaml-language-server:") else 0
        return "".join(lines[:at] + comments + lines[at:])


def _flat(text: str) -> str:
    return for_yaml_comment(text, max(len(text), 1))
