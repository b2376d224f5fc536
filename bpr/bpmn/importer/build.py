"""Build the YAML text of the model: the steps in order, with the import's comments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bpr.bpmn.importer.phases import phase_for
from bpr.bpmn.importer.state import State, Step
from bpr.core.model import END
from bpr.core.text import for_yaml_comment
from bpr.files.writer import Commented, model_text

__all__ = ["write_yaml"]


def write_yaml(st: State, process: Any) -> str:
    """The model's YAML text: ids given to the steps in the file's order, then the writer."""
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
            step.id = st.step_ids.make(step.name or bpmn_id(st, step), fallback="step")
            if not step.name and bpmn_id(st, step):
                step.comments.insert(
                    0,
                    f"no name in BPMN: the id comes from its BPMN id "
                    f"'{for_yaml_comment(bpmn_id(st, step), 80)}'",
                )
    fields = st.model_fields
    header = [
        f"Imported by bpr from {for_yaml_comment(Path(st.file).name, 100)} (process "
        f"{for_yaml_comment(process.get('id') or '', 60)}).",
    ]
    if st.warnings:
        header.append(
            f"{len(st.warnings)} approximation(s) reported on import; comments below mark them."
        )
    data: dict[str, Any] = {"bpr": 1, "service": fields["service"], "variant": fields["variant"]}
    for key in ("name", "maturity", "volume", "currency", "tariff"):
        if key in fields:
            data[key] = _whole(fields[key])
    if fields.get("sources"):
        data["sources"] = list(fields["sources"])
    data.update(fields.get("extra", {}))  # what bpr:data carries: lint, phases, acts...
    phases = step_phases(st, order)
    if phases and "phases" not in data:
        used = dict.fromkeys(phases.values())
        data["phases"] = {p: {"name": st.phases[p]["name"]} for p in used}
    actors = list(st.actors.items())
    if all("index" in a for _, a in actors):  # bpr's own file: the model's order
        actors.sort(key=lambda item: item[1]["index"])
    data["actors"] = {
        ident: {key: actor[key] for key in ("name", "kind", "agency") if actor.get(key)}
        | actor.get("extra", {})
        for ident, actor in actors
    }
    if st.documents:
        data["documents"] = {}
        for ident, document in st.documents.items():
            entry: dict[str, Any] = {"name": document["name"]}
            issuer = document.get("issuer_key")
            if issuer in st.actors:
                entry["issuer"] = issuer
                if document.get("exchange"):
                    entry["exchange"] = True
            data["documents"][ident] = entry | document.get("extra", {})
    steps = []
    for i, key in enumerate(order):
        step = st.steps[key]
        phase = phases.get(key)
        if phase is not None and "phase" not in step.extra:
            step.extra = {"phase": phase, **step.extra}
        steps.append(step_data(st, step, order[i + 1] if i + 1 < len(order) else END))
    data["steps"] = steps
    return model_text(data, header)


def step_phases(st: State, order: list[str]) -> dict[str, str]:
    """The phase of each step that lies in one (the expanded sub-process around it)."""
    out = {}
    for key in order:
        phase = phase_for(st, st.steps[key].node)
        if phase is not None:
            out[key] = phase
    return out


def bpmn_id(st: State, step: Step) -> str:
    """The id of the BPMN activity a step comes from; empty for a step the import added."""
    node = st.nodes.get(step.node)
    if node is None or node.kind != "activity" or node.element is None:
        return ""
    return str(node.element.get("id") or "")


def step_data(st: State, step: Step, following: str) -> Commented:
    """A step as the plain data of the model writer, with the import's comments."""
    data: dict[str, Any] = {"id": step.id}
    if step.name and step.name != step.id:
        data["name"] = step.name
    data["actor"] = step.actor
    if step.channel and step.channel != "internal":
        data["channel"] = step.channel
    if step.join:
        data["join"] = "all"
    for key in ("work", "wait"):
        value = getattr(step, key)
        if value and value != "0h":
            data[key] = _duration(value)
    if step.fee:
        data["fee"] = _whole(step.fee)
    for key in ("needs", "produces", "replaces"):
        if getattr(step, key):
            data[key] = list(getattr(step, key))
    # The fields bpr:data carries (a name map replaces the plain name of the task).
    data.update(step.extra)
    ids = [END if t == END else st.steps[t].id for t in step.targets]
    comment = for_yaml_comment(step.flow_comment) if step.flow_comment else ""
    if step.kind == "seq":
        if step.targets[0] != following:
            data["next"] = Commented(ids[0], after=comment)
    elif step.kind == "par":
        data["next"] = Commented({"all": ids}, after=comment)
    else:
        branches = []
        for ident, p, when in zip(ids, step.probabilities, step.whens, strict=True):
            branch: dict[str, Any] = {"to": ident}
            if p is not None:
                branch["p"] = _probability(p, exact=not step.flow_comment)
            if when:
                names = getattr(when, "names", None)  # bpr's own file, in several languages
                branch["when"] = dict(names) if names else for_yaml_comment(when, 80)
            branches.append(branch)
        data["next"] = Commented(branches, after=comment)
    return Commented(data, above=tuple(for_yaml_comment(c) for c in step.comments))


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


def _whole(value: Any) -> Any:
    """A whole number as an int, written out in full however large (1e18 as its digits).

    >>> _whole(3.0), _whole(1e18), _whole(2.5), _whole("UZS")
    (3, 1000000000000000000, 2.5, 'UZS')
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _duration(text: str) -> str | dict[str, str]:
    """A duration's text as the writer takes it: a triangular one as its mapping.

    >>> _duration("1h 30m"), _duration("{min: 1h, mode: 2h, max: 4h}")
    ('1h 30m', {'min': '1h', 'mode': '2h', 'max': '4h'})
    """
    if not text.startswith("{"):
        return text
    parts = (part.partition(":") for part in text.strip("{}").split(","))
    return {key.strip(): value.strip() for key, _, value in parts}


def _probability(p: float, *, exact: bool = False) -> float:
    """A probability in at most 12 significant digits: exact for what analysts write (0.8),
    and within the loader's tolerance for shares such as 1/3; ``exact`` keeps every digit of
    a probability the file gives (bpr's own files: export then import changes nothing).

    >>> _probability(0.8), _probability(1 / 3), _probability(1 / 3, exact=True)
    (0.8, 0.333333333333, 0.3333333333333333)
    """
    rounded = float(f"{p:.12g}")
    return float(p) if exact and rounded != p else rounded
