"""BPMN 2.0 XML to a model of the format: lanes to actors, tasks to steps, gateways to flows.

The import reads what other tools write (Camunda, bpmn.io, Signavio, Trisotech, ARIS, Bizagi,
Bonita, ...). Where the format cannot hold an element it is mapped to the nearest thing the
format has and the approximation is reported, as a warning on stderr and a comment in the
YAML; an activity is never dropped without a warning that names it with its id and line.

The jobs of an import, in order, each a module of this package:

- :mod:`~bpr.bpmn.importer.scan`: the XML of one process into a graph of flow nodes;
- :mod:`~bpr.bpmn.importer.lanes`: which pool, who performs each activity, the model's fields;
- :mod:`~bpr.bpmn.importer.phases`: expanded sub-processes and call activities to phases;
- :mod:`~bpr.bpmn.importer.documents`: data objects to documents, needs and produces;
- :mod:`~bpr.bpmn.importer.fit`: the flow after each activity into the format's ``next``;
- :mod:`~bpr.bpmn.importer.repair`: parallel splits the format cannot hold, approximated;
- :mod:`~bpr.bpmn.importer.build`: the YAML text;
- :mod:`~bpr.bpmn.importer.warnings`: the messages, and the refusal of a flow.

They share one :class:`~bpr.bpmn.importer.state.State`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bpr.bpmn.importer.build import write_yaml
from bpr.bpmn.importer.documents import read_documents
from bpr.bpmn.importer.fit import fit_flow
from bpr.bpmn.importer.lanes import choose_process, read_lanes, read_model_fields
from bpr.bpmn.importer.phases import read_phases
from bpr.bpmn.importer.repair import repair_parallel
from bpr.bpmn.importer.scan import read_definitions, read_process
from bpr.bpmn.importer.state import State
from bpr.bpmn.importer.warnings import refused
from bpr.bpmn.xml import BpmnError, parse_xml
from bpr.core._gc import gc_paused
from bpr.core.model import Model
from bpr.errors import ModelError, Problem
from bpr.files.load import loads

__all__ = ["ImportResult", "import_bpmn"]


@dataclass
class ImportResult:
    """What :func:`import_bpmn` gives: the YAML text, the model loaded from it, the warnings."""

    text: str
    model: Model
    warnings: list[Problem]
    process: str


def import_bpmn(
    source: str | os.PathLike[str] | bytes,
    *,
    file: str | None = None,
    process: str | None = None,
    service: str | None = None,
    variant: str | None = None,
    strict: bool = False,
) -> ImportResult:
    """Read a BPMN 2.0 file into a model of the format.

    ``source`` is a path or the file's bytes (then ``file`` names it in messages). ``process``
    picks a pool (participant or process, by id or name) where the file has several; by
    default the one with the most activities. Raises :class:`BpmnError` for files that cannot
    be read; everything approximated is in ``warnings``, and with ``strict`` each of them is
    an error instead (one :class:`BpmnError` that names them all).

    >>> result = import_bpmn("tests/data/bpmn/simple.bpmn")  # doctest: +SKIP
    >>> print(result.text)  # doctest: +SKIP
    """
    if isinstance(source, bytes):
        data, name = source, file or "<bytes>"
    else:
        name = file or os.fspath(source)
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise BpmnError(f"{name}: no such file; check the path") from None
        except IsADirectoryError:
            raise BpmnError(f"{name}: this is a folder; name a .bpmn file") from None
        except OSError as exc:
            raise BpmnError(f"{name}: cannot read the file: {exc.strerror}") from None
    try:
        with gc_paused():  # many small objects and no cycles (see bpr.core._gc)
            result = _run(State(parse_xml(data, name), name, process, service, variant))
    except RecursionError:
        raise BpmnError(
            f"{name}: the flow runs through hundreds of gateways or events in a row without an "
            "activity between them (or sub-processes nested as deep); bpr cannot follow it. "
            "Simplify the flow in your BPMN tool"
        ) from None
    if strict and result.warnings:
        count = len(result.warnings)
        lines = [f"{w.file}:{w.line}:1: error: {w.message}" for w in result.warnings]
        raise BpmnError(
            f"{name}: --strict: the import would approximate {count} "
            f"thing{'s' if count != 1 else ''} the format cannot hold as they are:\n"
            + "\n".join(lines)
            + "\nFix them in your BPMN tool, or import without --strict and review the comments"
        )
    return result


def _run(st: State) -> ImportResult:
    """The jobs of the import, in order."""
    read_definitions(st)
    process, participant = choose_process(st)
    read_process(st, process)
    read_phases(st)
    # Diamonds of gateways with no activity between them multiply the ways through
    # (2 to the number of diamonds); real files need a few visits per node.
    st.budget = max(200_000, 50 * len(st.nodes))
    read_lanes(st, process, participant)
    read_documents(st, process)
    st.model_fields = read_model_fields(st, process, participant)
    fit_flow(st, process)
    repair_parallel(st)
    text = write_yaml(st, process)
    try:
        model = loads(text, st.file + " (imported)")
    except ModelError as exc:
        raise refused(st, exc) from None
    st.warnings.sort(key=lambda p: p.line)
    return ImportResult(text, model, st.warnings, process.get("id") or "")
