"""Hardened reading of BPMN XML: no DTDs, no entities, no network; errors with file and line."""

from __future__ import annotations

import re
from typing import Any

from bpr.core.text import for_xml
from bpr.errors import BpmnError

__all__ = [
    "BPMNDI_NS",
    "BPMN_NS",
    "BPR_NS",
    "DC_NS",
    "DI_NS",
    "XSI_NS",
    "BpmnError",
    "for_xml",
    "lxml_etree",
    "ncname",
    "parse_xml",
]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
#: The namespace of bpr's own extension elements: the figures BPMN has no place for.
BPR_NS = "urn:bpr:bpmn:1"

#: The largest BPMN file bpr reads, and so the largest ``bpr export`` writes (it refuses a
#: model whose file would be larger): what one command writes, the other reads. An export of
#: 100,000 steps takes 140-150 MB; refusing anything larger early bounds memory and time.
MAX_BYTES = 512 * 1024 * 1024

_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def ncname(prefix: str, text: str) -> str:
    """A valid XML id (NCName) made of ``prefix`` and ``text``, the same for the same input.

    Letters, digits, ``_``, ``-`` and ``.`` are kept; any other character becomes ``_xHHHH_``
    (its code point), so different texts never give the same id.

    >>> ncname("Task_", "check"), ncname("Gateway_", "xor:check"), ncname("", "1st")
    ('Task_check', 'Gateway_xor_x003A_check', '_1st')
    """
    body = _NOT_NAME.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    name = prefix + body
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "_" + name
    return name


_etree: Any = None


def lxml_etree() -> Any:
    """lxml's ``etree`` module, imported on first use (it is slow to import, and untyped) and
    kept, so that the writers, which ask for it once per element, pay no import lookup."""
    global _etree
    if _etree is None:
        from lxml import etree  # type: ignore[import-untyped]

        _etree = etree
    return _etree


def parse_xml(data: bytes, file: str) -> Any:
    """Parse XML safely and return the lxml tree; raise :class:`BpmnError` with file and line.

    Two independent guards: a first pass with ``defusedxml`` refuses any DOCTYPE (entity
    declarations can read local files, fetch URLs or expand a few bytes into gigabytes), and
    the lxml parser that builds the tree (for line numbers) has entity resolution, DTD loading
    and network access switched off.
    """
    import xml.parsers.expat

    from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
    from defusedxml import ElementTree as SafeElementTree

    etree = lxml_etree()

    if len(data) > MAX_BYTES:
        raise BpmnError(
            f"{file}: the file is {len(data) // (1024 * 1024)} MB; BPMN process models are far "
            f"smaller (the limit is {MAX_BYTES // (1024 * 1024)} MB)"
        )
    if not data.strip():
        raise BpmnError(f"{file}: the file is empty; expected BPMN 2.0 XML")
    _check_utf8(data, file)
    try:
        # The guard builds nothing (a tree of a large file would cost several times its size).
        guard = SafeElementTree.DefusedXMLParser(
            target=_Nothing(), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        guard.feed(data)
        guard.close()
    except (DTDForbidden, EntitiesForbidden) as exc:
        raise BpmnError(
            f"{file}:{_doctype_line(data)}: the file declares a DOCTYPE"
            f"{' with entities' if isinstance(exc, EntitiesForbidden) else ''}; BPMN files "
            "never need one, and bpr refuses them because entities can read local files, "
            "fetch URLs or expand without bound. Remove the <!DOCTYPE ...> declaration"
        ) from None
    except DefusedXmlException as exc:
        raise BpmnError(f"{file}: unsafe XML refused: {exc}") from None
    except SafeElementTree.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        reason = xml.parsers.expat.ErrorString(exc.code) if hasattr(exc, "code") else str(exc)
        raise BpmnError(
            f"{file}:{line}:{column + 1}: malformed XML: {reason}; the file is not well-formed "
            "(was it cut short, or edited by hand?)"
        ) from None
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )
    try:
        return etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as exc:
        namespace = etree.ErrorDomains.NAMESPACE
        if not exc.error_log or any(e.domain != namespace for e in exc.error_log):
            line = exc.lineno or 0
            raise BpmnError(f"{file}:{line}: malformed XML: {exc.msg}") from None
    # Only namespace errors, such as a namespace URI with a space in it: the file is
    # well-formed (expat read it above), and bpmn-moddle and ElementTree read it as it
    # stands; so does bpr, with libxml2's recovery, which keeps the URI as written.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        recover=True,
    )
    return etree.ElementTree(etree.fromstring(data, parser))


class _Nothing:
    """A parser target that keeps nothing: the guard pass only reads the file through."""

    def close(self) -> None:
        return None


_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = {b"utf-8", b"utf8"}


def _check_utf8(data: bytes, file: str) -> None:
    """Refuse a file that XML reads as UTF-8 (it declares UTF-8, or no encoding and has no
    UTF-16 byte order mark) but that is not UTF-8, naming the first bad byte and where it is.

    >>> _check_utf8(b'<?xml version="1.0"?>\\n<a name="Pr\\xfcfung"/>', "t.bpmn")
    Traceback (most recent call last):
    ...
    bpr.errors.BpmnError: t.bpmn:2:12: the file is not valid UTF-8: the byte 0xFC at ... 33 ...
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:2] in (b"<\x00", b"\x00<"):
        return  # UTF-16 (or UTF-32): the parser decodes it
    declared = _DECLARED.match(data.lstrip(b"\xef\xbb\xbf"))
    if declared is not None and declared.group(1).lower() not in _UTF8_NAMES:
        return  # another encoding, declared: the parser decodes it
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = 1 + data.count(b"\n", 0, offset)
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        said = (
            "declares UTF-8"
            if declared is not None
            else "declares no encoding, so XML reads it as UTF-8,"
        )
        raise BpmnError(
            f"{file}:{line}:{column}: the file is not valid UTF-8: the byte 0x{data[offset]:02X} "
            f"at byte offset {offset} cannot be read (the file {said} but was saved in "
            "another encoding); save it as UTF-8 in your tool, or declare the encoding it "
            'has, such as <?xml version="1.0" encoding="ISO-8859-1"?>'
        ) from None


def _doctype_line(data: bytes) -> int:
    index = data.find(b"<!DOCTYPE")
    if index < 0:
        index = data.find(b"<\x00!\x00D\x00")  # UTF-16
        return 1 + data[:index].count(b"\n\x00") if index >= 0 else 1
    return 1 + data[:index].count(b"\n")
