"""Documents: data objects, their references and the process's data inputs and outputs
become the model's documents; an activity's data associations its needs and produces."""

from __future__ import annotations

from typing import Any

from bpr.bpmn.importer.state import IN_BPMN, IN_BPR, State, local
from bpr.bpmn.importer.warnings import bpr_data, describe, warn
from bpr.bpmn.xml import BpmnError
from bpr.core.ids import IdMaker
from bpr.core.schema import ID_PATTERN
from bpr.core.text import clean_name, for_yaml_comment

__all__ = ["data_links", "read_documents", "without_state"]


def read_documents(st: State, process: Any) -> None:
    """Data objects, their references and the process's data inputs and outputs as documents; one
    document per name (a reference's state in brackets aside)."""
    doc_ids = IdMaker()
    by_name: dict[str, str] = {}
    objects = [e for e in process.iter(IN_BPMN + "dataObject")]
    for element in objects:
        ext = element.find(f"{IN_BPMN}extensionElements/{IN_BPR}document")
        name = clean_name(element.get("name"))
        if not name:
            refs = [
                r
                for r in process.iter(IN_BPMN + "dataObjectReference")
                if r.get("dataObjectRef") == element.get("id") and r.get("name")
            ]
            name = without_state(clean_name(refs[0].get("name"))) if refs else ""
        if name and name.lower() in by_name and ext is None:
            st.doc_of[element.get("id")] = by_name[name.lower()]
            continue
        fields: dict[str, Any] = {"name": name or "Document"}
        ident = None
        if ext is not None:
            wanted = ext.get("id") or ""
            if ID_PATTERN.fullmatch(wanted) and doc_ids.claim(wanted):
                ident = wanted
            if ext.get("name"):
                fields["name"] = ext.get("name")
            elif element.get("name"):
                fields["name"] = element.get("name")  # bpr's own file: exactly as written
            if ext.get("issuer"):
                fields["issuer_key"] = ext.get("issuer")
            if ext.get("exchange") == "true":
                fields["exchange"] = True
            fields["extra"] = bpr_data(st, ext, "document")
        if ident is None:
            ident = doc_ids.make(name, fallback="document")
        st.documents[ident] = fields
        st.doc_of[element.get("id")] = ident
        if name:
            by_name.setdefault(name.lower(), ident)
    # References without a data object (some tools write only the reference).
    for ref in process.iter(IN_BPMN + "dataObjectReference"):
        target = ref.get("dataObjectRef")
        if not ref.get("id"):
            continue  # nothing can refer to it
        if target and target in st.doc_of:
            st.doc_of[ref.get("id")] = st.doc_of[target]
            continue
        name = without_state(clean_name(ref.get("name")))
        if name.lower() in by_name:
            st.doc_of[ref.get("id")] = by_name[name.lower()]
            continue
        if target and target not in st.by_id:
            warn(
                st,
                f"{describe(ref)} refers to '{for_yaml_comment(target, 60)}',"
                " which is not in the file (a dangling dataObjectRef); read as a document of "
                "its own",
                ref,
            )
        ident = doc_ids.make(name, fallback="document")
        st.documents[ident] = {"name": name or "Document"}
        st.doc_of[ref.get("id")] = ident
        if name:
            by_name.setdefault(name.lower(), ident)
    # Data inputs and outputs of the process itself are documents too.
    spec = process.find(IN_BPMN + "ioSpecification")
    if spec is not None:
        for element in spec:
            if isinstance(element.tag, str) and local(element.tag) in (
                "dataInput",
                "dataOutput",
            ):
                name = clean_name(element.get("name"))
                if name.lower() in by_name:
                    st.doc_of[element.get("id")] = by_name[name.lower()]
                    continue
                ident = doc_ids.make(name, fallback="document")
                st.documents[ident] = {"name": name or "Document"}
                st.doc_of[element.get("id")] = ident
                if name:
                    by_name.setdefault(name.lower(), ident)


def data_links(st: State, element: Any) -> tuple[list[str], list[str]]:
    """The documents an activity needs and produces, from its data associations."""
    needs: list[str] = []
    produces: list[str] = []
    for tag, side, into in (
        ("dataInputAssociation", "sourceRef", needs),
        ("dataOutputAssociation", "targetRef", produces),
    ):
        for association in element.findall(IN_BPMN + tag):
            for ref in association.findall(IN_BPMN + side):
                target = (ref.text or "").strip()
                document = st.doc_of.get(target)
                if document is not None:
                    if document not in into:
                        into.append(document)
                    continue
                found = st.by_id.get(target)
                if found is None:
                    raise BpmnError(
                        f"{st.file}:{ref.sourceline}: {tag} '{association.get('id')}' of "
                        f"{describe(element)} refers to '{for_yaml_comment(target, 60)}', "
                        "which is not in the file (a dangling reference)"
                    )
                # Data stores were reported once where they stand; the activity's own
                # inputs and outputs (ioSpecification) are not documents.
    return needs, produces


def without_state(name: str) -> str:
    """A data object reference's name without its state: 'Invoice [approved]' -> 'Invoice'."""
    if name.endswith("]") and "[" in name:
        return name[: name.rindex("[")].strip()
    return name
