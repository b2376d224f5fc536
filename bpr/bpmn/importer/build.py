"""Build the YAML text of the model: the steps in order, with the import's comments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bpr.bpmn.importer.state import State, Step
from bpr.core.model import END
from bpr.core.text import for_yaml_comment
from bpr.files.writer import yaml_scalar

__all__ = ["write_yaml"]


def write_yaml(st: State, process: Any) -> str:
    order = st.written = step_order(st)
    # Ids from bpr's own extension first, so that a step added in a BPMN tool whose name
    # gives the same id does not take it from the step that has it.
    for key in order:
        step = st.steps[key]
        if step.id and not st.step_ids.claim(step.id):
            step.id = ""
    for key in order:
        step = st.steps[key]
        if not step.id:
            step.id = st.step_ids.make(step.name, fallback="step")
    fields = st.model_fields
    lines = [
        f"# Imported by bpr from {for_yaml_comment(Path(st.file).name, 100)} (process "
        f"{for_yaml_comment(process.get('id') or '', 60)}).",
    ]
    if st.warnings:
        lines.append(
            f"# {len(st.warnings)} approximation(s) reported on import; comments below mark them."
        )
    lines += [
        "bpr: 1",
        f"service: {yaml_scalar(fields['service'])}",
        f"variant: {yaml_scalar(fields['variant'])}",
    ]
    if "name" in fields:
        lines.append(f"name: {yaml_scalar(fields['name'])}")
    for key in ("maturity", "volume", "currency", "tariff"):
        if key in fields:
            value = fields[key]
            text = yaml_scalar(value) if isinstance(value, str) else _format_number(value)
            lines.append(f"{key}: {text}")
    if fields.get("sources"):
        lines.append("sources:")
        lines += [f"  - {yaml_scalar(s)}" for s in fields["sources"]]
    lines += ["", "actors:"]
    actors = list(st.actors.items())
    if all("index" in a for _, a in actors):  # bpr's own file: the model's order
        actors.sort(key=lambda item: item[1]["index"])
    for ident, actor in actors:
        parts = [f"name: {yaml_scalar(actor['name'])}"]
        if actor.get("kind"):
            parts.append(f"kind: {actor['kind']}")
        if actor.get("agency"):
            parts.append(f"agency: {yaml_scalar(actor['agency'])}")
        lines.append(f"  {yaml_scalar(ident)}: {{{', '.join(parts)}}}")
    if st.documents:
        lines += ["", "documents:"]
        for ident, document in st.documents.items():
            parts = [f"name: {yaml_scalar(document['name'])}"]
            issuer = document.get("issuer_key")
            if issuer in st.actors:
                parts.append(f"issuer: {yaml_scalar(issuer)}")
                if document.get("exchange"):
                    parts.append("exchange: true")
            lines.append(f"  {yaml_scalar(ident)}: {{{', '.join(parts)}}}")
    lines += ["", "steps:"]
    for position, key in enumerate(order):
        step = st.steps[key]
        following = order[position + 1] if position + 1 < len(order) else END
        lines += step_lines(st, step, following)
    return "\n".join(lines) + "\n"


def step_lines(st: State, step: Step, following: str) -> list[str]:
    out = []
    for comment in step.comments:
        out.append(f"  # {for_yaml_comment(comment)}")
    out.append(f"  - id: {yaml_scalar(step.id)}")
    if step.name and step.name != step.id:
        out.append(f"    name: {yaml_scalar(step.name)}")
    out.append(f"    actor: {yaml_scalar(step.actor)}")
    if step.channel and step.channel != "internal":
        out.append(f"    channel: {step.channel}")
    if step.join:
        out.append("    join: all")
    for key in ("work", "wait"):
        value = getattr(step, key)
        if value and value != "0h":
            out.append(f"    {key}: {value}")
    if step.fee:
        out.append(f"    fee: {_format_number(step.fee)}")
    for key in ("needs", "produces"):
        values = getattr(step, key)
        if values:
            out.append(f"    {key}: {_id_list(values)}")
    if step.replaces:
        out.append(f"    replaces: {_id_list(step.replaces)}")
    ids = [END if t == END else yaml_scalar(st.steps[t].id) for t in step.targets]
    comment = f"  # {for_yaml_comment(step.flow_comment)}" if step.flow_comment else ""
    if step.kind == "seq":
        if step.targets[0] != following:
            out.append(f"    next: {ids[0]}{comment}")
    elif step.kind == "par":
        out.append(f"    next: {{all: [{', '.join(ids)}]}}{comment}")
    else:
        out.append(f"    next:{comment}")
        for ident, p, when in zip(ids, step.probabilities, step.whens, strict=True):
            parts = [f"to: {ident}"]
            if p is not None:
                parts.append(f"p: {_format_p(p, exact=not step.flow_comment)}")
            if when:
                parts.append(f"when: {yaml_scalar(for_yaml_comment(when, 80))}")
            out.append(f"      - {{{', '.join(parts)}}}")
    return out


def step_order(st: State) -> list[str]:
    """Steps in the file's order where the file is bpr's own, else in flow order."""
    keys = list(st.steps)
    if all(st.steps[k].index is not None for k in keys):
        ordered = sorted(keys, key=lambda k: st.steps[k].index or 0)
        if ordered[0] == st.first:
            return ordered
    # Reverse postorder of a depth-first walk: every step after the steps that lead to it,
    # loops aside; the branches of a split one after the other.
    seen: set[str] = set()
    post: list[str] = []

    def later_first(key: str) -> Iterator[str]:
        return reversed(st.steps[key].targets)

    stack: list[tuple[str, Iterator[str]]] = [(st.first, later_first(st.first))]
    seen.add(st.first)
    while stack:
        key, targets = stack[-1]
        for target in targets:
            if target != END and target not in seen:
                seen.add(target)
                stack.append((target, later_first(target)))
                break
        else:
            post.append(key)
            stack.pop()
    return post[::-1]


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _format_p(p: float, *, exact: bool = False) -> str:
    """A probability in at most 12 significant digits: exact for what analysts write (0.8),
    and within the loader's tolerance for shares such as 1/3; ``exact`` keeps every digit of
    a probability the file gives (bpr's own files: export then import changes nothing).

    >>> _format_p(0.8), _format_p(1 / 3), _format_p(1 / 3, exact=True)
    ('0.8', '0.333333333333', '0.3333333333333333')
    """
    text = f"{p:.12g}"
    return repr(float(p)) if exact and float(text) != p else text


def _id_list(ids: list[str]) -> str:
    """A flow list of ids, each quoted where YAML would read it as something else.

    >>> _id_list(["passport", "007", "off"])
    '[passport, "007", "off"]'
    """
    return f"[{', '.join(yaml_scalar(i) for i in ids)}]"
