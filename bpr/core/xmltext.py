"""Text that XML 1.0 can hold: the one filter for BPMN and XES output."""

from __future__ import annotations

import re

__all__ = ["xml_text"]

# Characters XML 1.0 cannot hold at all, even escaped (control characters, lone surrogates,
# U+FFFE/FFFF). A model may carry them, written as escapes in quoted YAML strings.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str, replacement: str = "") -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced; everything else is kept.

    >>> xml_text("Check\\x07 the form\\x00"), xml_text("Tab\\tand\\nline")
    ('Check the form', 'Tab\\tand\\nline')
    >>> xml_text("a\\x01b", "\\ufffd")
    'a\\ufffdb'
    """
    return _NOT_XML.sub(replacement, text)
