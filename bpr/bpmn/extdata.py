"""The fields of a model that BPMN and bpr's named extension attributes do not hold, carried
as a tree of ``bpr:`` extension elements so that export then import keeps all of them.

bpr's extension elements (``bpr:model``, ``bpr:actor``, ``bpr:document``, ``bpr:step``)
name the old fields as attributes. Every other field of the format (``lint``, and whatever
:func:`bpr.files.writer.model_data` writes: phases, acts, legal basis, kinds, name maps...)
travels as the plain data of the model file, under a ``bpr:data`` child:

- a mapping is ``<bpr:map key="K">`` with its entries as children,
- a list is ``<bpr:list key="K">`` with its items as children (without ``key``),
- text, numbers, booleans and nulls are ``<bpr:text>``, ``<bpr:number>``, ``<bpr:bool>``
  and ``<bpr:null>``.

So a new field of the format round-trips as soon as the model writer writes it.

>>> from lxml import etree
>>> holder = etree.Element("holder")
>>> write_data(holder, {"lint": {"ignore": [{"rule": "once-only", "reason": "no registry"}]}})
>>> read_data(holder)
{'lint': {'ignore': [{'rule': 'once-only', 'reason': 'no registry'}]}}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from bpr.bpmn.xml import BPR_NS, for_xml, lxml_etree

__all__ = ["COVERED", "extra_fields", "read_data", "write_data"]

_IN = "{" + BPR_NS + "}"

#: The fields of each part of a model that BPMN or bpr's named attributes already hold.
COVERED: dict[str, frozenset[str]] = {
    "model": frozenset({
        "bpr", "service", "variant", "name", "maturity", "volume", "currency", "tariff",
        "sources", "actors", "documents", "steps",
    }),
    "actor": frozenset({"name", "kind", "agency"}),
    "document": frozenset({"name", "issuer", "exchange"}),
    "step": frozenset({
        "id", "name", "actor", "channel", "work", "wait", "fee", "needs", "produces", "next",
        "join", "replaces",
    }),
}  # fmt: skip


def extra_fields(part: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of one part's plain data (``model``, ``actor``, ``document``, ``step``) that
    are not held otherwise: new keys, and a covered ``name`` given as a map of languages.

    >>> extra_fields("actor", {"name": "Tax office", "registry": True})
    {'registry': True}
    >>> extra_fields("step", {"id": "a", "name": {"en": "Apply", "ru": "Подать"}})
    {'name': {'en': 'Apply', 'ru': 'Подать'}}
    """
    covered = COVERED[part]
    return {
        key: value
        for key, value in data.items()
        if key not in covered or (key == "name" and not isinstance(value, str))
    }


def write_data(parent: Any, data: Mapping[str, Any]) -> None:
    """Add ``data`` (plain YAML data) to ``parent`` as a ``bpr:data`` element; nothing where
    ``data`` is empty."""
    if not data:
        return
    etree = lxml_etree()
    holder = etree.SubElement(parent, _IN + "data")
    for key, value in data.items():
        _write(holder, str(key), value)


def _write(parent: Any, key: str | None, value: Any) -> None:
    etree = lxml_etree()
    if isinstance(value, Mapping):
        element = etree.SubElement(parent, _IN + "map")
        for child_key, child in value.items():
            _write(element, str(child_key), child)
    elif isinstance(value, list | tuple):
        element = etree.SubElement(parent, _IN + "list")
        for child in value:
            _write(element, None, child)
    elif value is None:
        element = etree.SubElement(parent, _IN + "null")
    elif isinstance(value, bool):
        element = etree.SubElement(parent, _IN + "bool")
        element.text = "true" if value else "false"
    elif isinstance(value, int | float):
        element = etree.SubElement(parent, _IN + "number")
        element.text = str(value) if isinstance(value, int) else repr(float(value))
    else:
        element = etree.SubElement(parent, _IN + "text")
        element.text = for_xml(str(value))
    if key is not None:
        element.set("key", for_xml(key))


def read_data(parent: Any) -> dict[str, Any]:
    """The plain data under ``parent``'s ``bpr:data`` child (empty where it has none); parts a
    BPMN tool has garbled are skipped, and the model's loader judges the rest."""
    holder = parent.find(_IN + "data") if parent is not None else None
    if holder is None:
        return {}
    return dict(_entries(holder))


def _entries(element: Any) -> Iterable[tuple[str, Any]]:
    for child in element:
        key = child.get("key")
        if key is None or not isinstance(child.tag, str):
            continue
        value = _read(child)
        if value is not _SKIP:
            yield key, value


_SKIP = object()


def _read(element: Any) -> Any:
    tag = str(element.tag)
    if not tag.startswith(_IN):
        return _SKIP
    kind = tag[len(_IN) :]
    text = element.text or ""
    if kind == "map":
        return dict(_entries(element))
    if kind == "list":
        items = (_read(c) for c in element if isinstance(c.tag, str))
        return [item for item in items if item is not _SKIP]
    if kind == "null":
        return None
    if kind == "bool":
        return text.strip() == "true"
    if kind == "number":
        return _number(text.strip())
    if kind == "text":
        return text
    return _SKIP


def _number(text: str) -> Any:
    """A number as written: an int where it is one, else a finite float; else skipped."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return _SKIP
    return value if math.isfinite(value) else _SKIP
