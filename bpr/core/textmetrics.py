"""Text metrics for diagrams: estimated widths in DejaVu Sans and line wrapping."""

from __future__ import annotations

import unicodedata

from bpr.core.text import one_line

__all__ = ["text_width", "truncate", "wrap"]

# Advance widths of DejaVu Sans in ems (from the font's metrics, rounded up a little), so that
# boxes are sized the same on every machine without loading a font; bold is about 10% wider.
_WIDTHS: dict[str, float] = {
    " ": 0.32,
    "!": 0.40,
    '"': 0.46,
    "#": 0.84,
    "$": 0.64,
    "%": 0.95,
    "&": 0.78,
    "'": 0.28,
    "(": 0.39,
    ")": 0.39,
    "*": 0.50,
    "+": 0.84,
    ",": 0.32,
    "-": 0.36,
    ".": 0.32,
    "/": 0.34,
    ":": 0.34,
    ";": 0.34,
    "<": 0.84,
    "=": 0.84,
    ">": 0.84,
    "?": 0.53,
    "@": 1.0,
    "[": 0.39,
    "\\": 0.34,
    "]": 0.39,
    "^": 0.84,
    "_": 0.50,
    "`": 0.50,
    "{": 0.64,
    "|": 0.34,
    "}": 0.64,
    "~": 0.84,
    "a": 0.62,
    "b": 0.64,
    "c": 0.56,
    "d": 0.64,
    "e": 0.62,
    "f": 0.36,
    "g": 0.64,
    "h": 0.64,
    "i": 0.28,
    "j": 0.28,
    "k": 0.58,
    "l": 0.28,
    "m": 0.98,
    "n": 0.64,
    "o": 0.62,
    "p": 0.64,
    "q": 0.64,
    "r": 0.42,
    "s": 0.53,
    "t": 0.40,
    "u": 0.64,
    "v": 0.60,
    "w": 0.82,
    "x": 0.60,
    "y": 0.60,
    "z": 0.53,
    "A": 0.69,
    "B": 0.69,
    "C": 0.70,
    "D": 0.77,
    "E": 0.64,
    "F": 0.58,
    "G": 0.78,
    "H": 0.76,
    "I": 0.30,
    "J": 0.30,
    "K": 0.66,
    "L": 0.56,
    "M": 0.87,
    "N": 0.75,
    "O": 0.79,
    "P": 0.61,
    "Q": 0.79,
    "R": 0.70,
    "S": 0.64,
    "T": 0.62,
    "U": 0.74,
    "V": 0.69,
    "W": 0.99,
    "X": 0.69,
    "Y": 0.62,
    "Z": 0.69,
}
# The letters of Russian, Kazakh, Uzbek Cyrillic and Azerbaijani that are wider than the
# default below, from the same font: the wider of the regular advance and the bold one / 1.1,
# rounded up, so that a word in capitals (a badge) fits its box in bold too.
_WIDTHS.update(
    {
        letter: em
        for em, letters in {
            0.67: "Рл",
            0.68: "Ғ",
            0.69: "ц",
            0.70: "БВСЬЭ",
            0.71: "АУХЯъЎҚҲ",
            0.74: "ЧдңҺ",
            0.75: "К",
            0.76: "Лм",
            0.77: "ИЙНП",
            0.79: "ОӘӨƏ",
            0.81: "Д",
            0.83: "ы",
            0.85: "Ц",
            0.86: "Ъ",
            0.87: "Ң",
            0.89: "ю",
            0.91: "МФжф",
            0.95: "Ы",
            0.97: "ш",
            1.01: "щ",
            1.08: "Ю",
            1.12: "Ж",
            1.13: "Ш",
            1.21: "Щ",
        }.items()
        for letter in letters
    }
)
_WIDTHS["\u00a0"] = _WIDTHS[" "]  # the no-break space between digit groups (1 234,5)
_DIGIT = 0.64
_DEFAULT = 0.66  # other Latin, Cyrillic and Greek letters and symbols
_WIDE = 1.0  # East Asian wide characters


def _char_width(char: str) -> float:
    width = _WIDTHS.get(char)
    if width is not None:
        return width
    if char.isdigit():
        return _DIGIT
    if unicodedata.combining(char):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE
    base = unicodedata.normalize("NFD", char)[:1]
    return _WIDTHS.get(base, _DEFAULT)


def _advance(text: str, start: float = 0.0) -> float:
    """``start`` plus the advance widths of the characters in ems, added left to right.

    Every width here is such a running sum (not :func:`sum`, which Python 3.12 compensates),
    so that a line measured as it grows has exactly the width of the finished line.
    """
    total = start
    for char in text:
        total += _char_width(char)
    return total


def _points(advance: float, size: float, bold: bool) -> float:
    width = advance * size
    return width * 1.1 if bold else width


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width in points of one line of text at a font size in points.

    >>> round(text_width("Obtain", 10), 1)
    33.7
    """
    return _points(_advance(text), size, bold)


def truncate(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """The text cut with an ellipsis so that it fits ``width`` points.

    >>> truncate("Notarise the sale contract", 60, 10)
    'Notarise t…'
    """
    if text_width(text, size, bold=bold) <= width:
        return text
    ellipsis = _char_width("…")
    keep, advance = 0, 0.0  # the longest start of the text that fits with the ellipsis
    for index, char in enumerate(text):
        advance += _char_width(char)
        if _points(advance + ellipsis, size, bold) > width:
            break  # widths only grow: no longer start fits either
        keep = index + 1
    return text[:keep].rstrip() + "…"


def _break_word(
    word: str, width: float, size: float, bold: bool, lines: list[str], max_lines: int
) -> tuple[str, float]:
    """Cut a word wider than a line into pieces that end in "-" (appended to ``lines``);
    returns the last piece, which fits, and its advance. Each character is measured about
    twice, so that a word of any length is broken in linear time."""
    hyphen = _char_width("-")
    start = 0
    while True:
        advance = 0.0
        cut = 0  # the longest start of the rest that fits with a hyphen after it
        end = start
        overflows = False
        while end < len(word):
            advance += _char_width(word[end])
            end += 1
            if _points(advance, size, bold) > width:
                overflows = True
                break
            if end < len(word) and _points(advance + hyphen, size, bold) <= width:
                cut = end - start
        if not overflows or len(word) - start <= 1:  # it fits, or one character is left
            return word[start:], advance
        cut = max(cut, 1)
        lines.append(word[start : start + cut] + "-")
        start += cut
        if max_lines and len(lines) > max_lines:
            return word[start:], 0.0  # the lines past the limit are never shown


def wrap(
    text: str, width: float, size: float, *, bold: bool = False, max_lines: int = 0
) -> list[str]:
    """Break text into lines no wider than ``width`` points, at spaces where possible.

    Words longer than a line are cut; with ``max_lines`` the last line kept ends in "…".
    The time is linear in the length of the text, whatever its words.

    >>> wrap("Notarise the sale contract", 80, 10)
    ['Notarise the', 'sale contract']
    >>> wrap("Registration", 40, 10)
    ['Registr-', 'ation']
    """
    space = _char_width(" ")
    lines: list[str] = []
    current = ""
    advance = 0.0  # of ``current``, measured as it grew
    for word in one_line(text).split(" "):
        if max_lines and len(lines) > max_lines:
            break  # the lines past the limit are never shown
        candidate = _advance(word, advance + space if current else 0.0)
        if _points(candidate, size, bold) <= width:
            current = f"{current} {word}" if current else word
            advance = candidate
            continue
        if current:
            lines.append(current)
        current, advance = _break_word(word, width, size, bold, lines, max_lines)
    if current or not lines:
        lines.append(current)
    if max_lines and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = truncate(kept[-1] + " " + lines[max_lines], width, size, bold=bold)
        if not kept[-1].endswith("…"):
            kept[-1] = truncate(kept[-1] + "…", width, size, bold=bold)
        return kept
    return lines
