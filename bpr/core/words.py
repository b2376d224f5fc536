"""The words every output writes alike: durations, channels, a step's fields, lists.

The diagrams, the comparison and the reports all write a step's work as ``1h 30m`` (``1 ч 30
мин`` in Russian), a channel as ``in-person`` (``лично``), a changed field as ``actor``
(``исполнитель``) and a list as ``A, B and C``: the words live here once, in the ``common``
catalogue, so the three can never drift apart.

>>> from bpr.core.durations import parse_duration
>>> from bpr.core.i18n import use
>>> hours_text(1.5), duration_text(parse_duration("2d..4d")), join_words(["a", "b", "c"])
('1h 30m', '2d..4d', 'a, b and c')
>>> with use("ru"):
...     hours_text(1.5), channel_name("in-person")
('1\\xa0ч 30\\xa0мин', 'лично')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bpr.core.durations import Duration, format_hours
from bpr.core.i18n import domain, numeral

__all__ = ["channel_name", "duration_text", "hours_text", "join_words", "step_field"]

_, _ngettext, pgettext = domain("common")

_TERM = re.compile(r"(\d+(?:\.\d+)?)([mhdw])(?![A-Za-z])")


def _term(amount: str, unit: str) -> str:
    n = numeral(amount)
    if unit == "m":
        # TRANSLATORS: a duration in minutes, abbreviated (30m)
        return pgettext("duration", "{n}m").format(n=n)
    if unit == "h":
        # TRANSLATORS: a duration in hours, abbreviated (2h)
        return pgettext("duration", "{n}h").format(n=n)
    if unit == "d":
        # TRANSLATORS: a duration in days of 24 hours, abbreviated (5d)
        return pgettext("duration", "{n}d").format(n=n)
    # TRANSLATORS: a duration in weeks, abbreviated (1w)
    return pgettext("duration", "{n}w").format(n=n)


def hours_text(hours: float) -> str:
    """A number of hours as :func:`bpr.core.durations.format_hours` writes it, with the units
    and the decimal mark of the output language.

    >>> hours_text(1.5), hours_text(48.0), hours_text(30.5)
    ('1h 30m', '2d', '30h 30m')
    """
    return _TERM.sub(lambda m: _term(m.group(1), m.group(2)), format_hours(hours))


def duration_text(duration: Duration) -> str:
    """A step's work or wait as the model writes it: ``30m``, ``2d..4d``,
    ``{min: 2d, mode: 3d, max: 9d}`` in English, in the output language's words otherwise.

    >>> from bpr.core.durations import parse_duration
    >>> triangular = parse_duration({"min": "1d", "mode": "2d", "max": "9d"})
    >>> duration_text(parse_duration("1h 30m")), duration_text(triangular)
    ('1h 30m', '{min: 1d, mode: 2d, max: 9d}')
    """
    if duration.kind == "uniform":
        low, high = hours_text(duration.low), hours_text(duration.high)
        # TRANSLATORS: a duration anywhere between two lengths, equally likely (2d..4d)
        return pgettext("duration", "{low}..{high}").format(low=low, high=high)
    if duration.kind == "triangular":
        # TRANSLATORS: a duration between a shortest and a longest length, most often the
        # middle one (the doubled braces are written as single braces)
        return pgettext("duration", "{{min: {low}, mode: {mode}, max: {high}}}").format(
            low=hours_text(duration.low),
            mode=hours_text(duration.mode),
            high=hours_text(duration.high),
        )
    return hours_text(duration.mode)


def channel_name(channel: str) -> str:
    """A channel of the format (``in-person``...) in words of the output language; a value
    the format does not know is written as it is."""
    names = {
        "in-person": pgettext("channel", "in-person"),
        "online": pgettext("channel", "online"),
        "phone": pgettext("channel", "phone"),
        "post": pgettext("channel", "post"),
        "automatic": pgettext("channel", "automatic"),
        "internal": pgettext("channel", "internal"),
    }
    return names.get(channel, channel)


def step_field(name: str) -> str:
    """A step's field as the outputs name it where it changed (``actor``); a field not known
    here is written as the format names it."""
    names = {
        # TRANSLATORS: a step's field that changed: its name
        "name": pgettext("step field", "name"),
        # TRANSLATORS: a step's field that changed: who performs it
        "actor": pgettext("step field", "actor"),
        # TRANSLATORS: a step's field that changed: the agency of its actor
        "agency": pgettext("step field", "agency"),
        # TRANSLATORS: a step's field that changed: in person, online, by phone...
        "channel": pgettext("step field", "channel"),
        # TRANSLATORS: a step's field that changed: its working time
        "work": pgettext("step field", "work"),
        # TRANSLATORS: a step's field that changed: its waiting time
        "wait": pgettext("step field", "wait"),
        # TRANSLATORS: a step's field that changed: the money paid at it
        "fee": pgettext("step field", "fee"),
        # TRANSLATORS: a step's field that changed: the documents it needs
        "needs": pgettext("step field", "needs"),
        # TRANSLATORS: a step's field that changed: the documents it produces
        "produces": pgettext("step field", "produces"),
        # TRANSLATORS: a step's field that changed: the steps that follow it
        "next": pgettext("step field", "next"),
        # TRANSLATORS: a step's field that changed: how it waits for parallel branches
        "join": pgettext("step field", "join"),
        # TRANSLATORS: a step's field that changed: the phase it belongs to
        "phase": pgettext("step field", "phase"),
    }
    return names.get(name, name)


def join_words(items: Iterable[str]) -> str:
    """Items joined by commas, the last by the language's *and*: ``a, b and c``.

    >>> join_words(["a"]), join_words(["a", "b"])
    ('a', 'a and b')
    """
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    # TRANSLATORS: the end of a list: "A, B and C" ({first} is "A, B"), "A and B"
    return _("{first} and {last}").format(first=", ".join(words[:-1]), last=words[-1])
