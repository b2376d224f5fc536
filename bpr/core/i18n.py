"""The language bpr writes in: message catalogues, plural forms and numbers per locale.

Every word bpr writes itself comes from a gettext catalogue: ``bpr/locale/<dir>/LC_MESSAGES/
<domain>.po`` holds a language's translations of one area (``validate``, ``diagram``,
``measures``, ``diff``, ``lint``, ``report``...), compiled to the ``.mo`` beside it. The
English text is the message id itself, so English needs no catalogue and reads exactly as the
source writes it. ``scripts/catalogues.py`` extracts the messages, updates every language's
``.po`` and compiles them; the tests fail on a missing, empty, fuzzy or stale entry.

The output language is a context variable, set once by the command (``--lang``, else
``BPR_LANG``, else the locale, else English) with :func:`use`; the modules that write words
read it when they write, so no layer passes a language down by hand::

    _, ngettext, pgettext = domain("lint")      # at module level
    ...
    _("the step {step} is never reached").format(step=step.id)
    ngettext("{n} visit", "{n} visits", n).format(n=n)

>>> with use("ru"):
...     current(), plural_index(1), plural_index(2), plural_index(5), plural_index(21)
('ru', 0, 1, 2, 0)
>>> with use("ru"):
...     number(1234.5, ",.1f")
'1\\xa0234,5'
>>> number(1234.5, ",.1f")
'1,234.5'
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gettext as _gettext
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import NamedTuple

from bpr.core.vocab import DEFAULT_LANGUAGE, LANGUAGES, is_language
from bpr.errors import UsageError

__all__ = [
    "DOMAINS",
    "LOCALE_DIR",
    "N_",
    "PLURAL_FORMS",
    "Words",
    "catalogue_dir",
    "choose",
    "chosen",
    "current",
    "date",
    "domain",
    "language_from_locale",
    "number",
    "numeral",
    "plural_index",
    "resolve",
    "restore",
    "use",
]

#: Where the catalogues live, inside the package.
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

#: The catalogues' areas: each module that writes words belongs to exactly one of them.
DOMAINS: tuple[str, ...] = (
    "common",
    "validate",
    "measures",
    "diagram",
    "diff",
    "lint",
    "report",
    "simulate",
    "portfolio",
    "mining",
)

#: The plural rule of each language, in the form a ``.po`` header writes it (CLDR's rules for
#: integers: Russian has three forms; the Turkic languages write a noun after a numeral in the
#: singular, so their two forms read alike but are kept for the translator).
PLURAL_FORMS: Mapping[str, str] = {
    "en": "nplurals=2; plural=(n != 1);",
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "uz": "nplurals=2; plural=(n != 1);",
    "uz-Cyrl": "nplurals=2; plural=(n != 1);",
    "az": "nplurals=2; plural=(n != 1);",
    "kk": "nplurals=2; plural=(n != 1);",
}

#: Decimal mark and group separator per language (CLDR, the same as Babel's ``numbers``): the
#: group separator is a no-break space where the locale writes a space.
_NUMBER_SYMBOLS: Mapping[str, tuple[str, str]] = {
    "en": (".", ","),
    "ru": (",", "\u00a0"),
    "uz": (",", "\u00a0"),
    "uz-Cyrl": (",", "\u00a0"),
    "az": (",", "."),
    "kk": (",", "\u00a0"),
}

_current: ContextVar[str | None] = ContextVar("bpr_language", default=None)
#: The language the command chose (:func:`choose`): what threads and the blocks outside any
#: :func:`use` write in, since a new thread does not inherit the context.
_chosen: list[str] = [DEFAULT_LANGUAGE]


def current() -> str:
    """The language bpr writes in now (``en`` unless a command chose another)."""
    return _current.get() or _chosen[0]


@contextlib.contextmanager
def use(lang: str | None) -> Iterator[str]:
    """Write in ``lang`` inside the block (``None``: as :func:`resolve` chooses).

    >>> with use("kk"):
    ...     current()
    'kk'
    >>> current()
    'en'
    """
    chosen = resolve(lang)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def choose(lang: str | None) -> str:
    """Write in ``lang`` (``None``: as :func:`resolve` chooses) from now on, in this context
    and in the threads it starts: what a command does once, before it writes anything.
    :func:`chosen` and :func:`restore` put back what was there before."""
    chosen_now = resolve(lang)
    _chosen[0] = chosen_now
    _current.set(chosen_now)
    return chosen_now


def chosen() -> tuple[str, str | None]:
    """What :func:`choose` and :func:`use` have set, for :func:`restore` to put back."""
    return _chosen[0], _current.get()


def restore(state: tuple[str, str | None]) -> None:
    """Put back the languages :func:`chosen` returned."""
    _chosen[0] = state[0]
    _current.set(state[1])


def resolve(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The output language: ``explicit`` (``--lang``), else ``BPR_LANG``, else the locale's
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English.

    An unknown explicit or ``BPR_LANG`` value is an error listing the languages; a locale bpr
    has no catalogue for falls back to English.

    >>> resolve("ru"), resolve(None, {"BPR_LANG": "az"}), resolve(None, {"LANG": "ru_RU.UTF-8"})
    ('ru', 'az', 'ru')
    >>> resolve(None, {"LANG": "uz_UZ.UTF-8@cyrillic"}), resolve(None, {"LANG": "de_DE"})
    ('uz-Cyrl', 'en')
    """
    env = os.environ if environ is None else environ
    for value, where in ((explicit, "--lang"), (env.get("BPR_LANG") or None, "BPR_LANG")):
        if value is None:
            continue
        chosen = _canonical(value)
        if chosen is None:
            raise UsageError(
                f"{where}: unknown language {value!r}; choose one of {', '.join(LANGUAGES)}"
            )
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return language_from_locale(value) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def _canonical(value: str) -> str | None:
    """A language code as bpr spells it, case and ``_`` forgiven (``uz_cyrl`` -> ``uz-Cyrl``)."""
    wanted = value.strip().replace("_", "-").lower()
    for code in LANGUAGES:
        if code.lower() == wanted:
            return code
    return None


def language_from_locale(value: str) -> str | None:
    """The bpr language of a POSIX locale name, ``None`` for one bpr does not write.

    >>> language_from_locale("ru_RU.UTF-8"), language_from_locale("uz_UZ@cyrillic")
    ('ru', 'uz-Cyrl')
    >>> language_from_locale("C.UTF-8"), language_from_locale("kk_KZ")
    (None, 'kk')
    """
    match = re.match(
        r"([A-Za-z]{2,3})(?:[_-]([A-Za-z]{4}))?(?:[_-][A-Za-z0-9]+)?(?:\.[^@]*)?(@.*)?$",
        value.strip(),
    )
    if not match:
        return None
    lang, script, modifier = match.group(1).lower(), (match.group(2) or "").lower(), match.group(3)
    if lang == "uz" and (script == "cyrl" or (modifier or "").lower() == "@cyrillic"):
        return "uz-Cyrl"
    return lang if is_language(lang) else None


_LOCALE_NAME = re.compile(
    r"([A-Za-z]{2,3})(?:[_-]([A-Za-z]{4}))?(?:[_-][A-Za-z0-9]+)?(?:\.[^@]*)?(@.*)?$"
)


def catalogue_dir(lang: str) -> str:
    """The folder name of a language's catalogues (gettext spells scripts with ``_``)."""
    return lang.replace("-", "_")


@functools.cache
def _translations(name: str, lang: str) -> _gettext.NullTranslations:
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    path = LOCALE_DIR / catalogue_dir(lang) / "LC_MESSAGES" / f"{name}.mo"
    try:
        with path.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    except FileNotFoundError:
        return _gettext.NullTranslations()


class Words(NamedTuple):
    """The translating functions of one domain, read in the current language at each call."""

    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    pgettext: Callable[[str, str], str]


def domain(name: str) -> Words:
    """The ``gettext``, ``ngettext`` and ``pgettext`` of domain ``name``.

    >>> _, ngettext, pgettext = domain("common")
    >>> _("Start"), ngettext("{n} visit", "{n} visits", 2).format(n=2)
    ('Start', '2 visits')
    """
    if name not in DOMAINS:
        raise ValueError(f"unknown message domain {name!r}; the domains are {', '.join(DOMAINS)}")

    def gettext(message: str) -> str:
        return _translations(name, current()).gettext(message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return _translations(name, current()).ngettext(singular, plural, int(n))

    def pgettext(context: str, message: str) -> str:
        return _translations(name, current()).pgettext(context, message)

    return Words(gettext, ngettext, pgettext)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is defined; translate it where it is used."""
    return message


def plural_index(n: int, lang: str | None = None) -> int:
    """Which plural form of ``lang`` (default: the current language) a count ``n`` takes."""
    rule = _gettext.c2py(PLURAL_FORMS[lang or current()].split("plural=", 1)[1].rstrip(";"))
    return int(rule(abs(int(n))))


def numeral(text: str, lang: str | None = None) -> str:
    """A number written the English way (``1,234.5``) in ``lang``'s way (``1 234,5``).

    Only the separators between digits change, so units and signs stay as they are.

    >>> numeral("-1,234.50 UZS", "ru"), numeral("12.5%", "az"), numeral("3", "ru")
    ('-1\\xa0234,50 UZS', '12,5%', '3')
    """
    decimal, group = _NUMBER_SYMBOLS.get(lang or current(), _NUMBER_SYMBOLS[DEFAULT_LANGUAGE])
    if (decimal, group) == _NUMBER_SYMBOLS[DEFAULT_LANGUAGE]:
        return text
    swap = {".": decimal, ",": group}
    return re.sub(r"(?<=\d)[.,](?=\d)", lambda m: swap[m.group(0)], text)


def number(value: float, spec: str = "", lang: str | None = None) -> str:
    """``format(value, spec)`` in the current language's (or ``lang``'s) way of writing it.

    >>> number(0.5, ".1%", "ru"), number(2, "d")
    ('50,0%', '2')
    """
    return numeral(format(value, spec), lang)


def date(value: datetime.date, lang: str | None = None) -> str:
    """A date as the current language (or ``lang``) writes it in an official text: ISO
    (``2015-12-09``) in English, as bpr always wrote it; day, month and year with dots
    (``09.12.2015``) in Russian, Uzbek, Azerbaijani and Kazakh, as their acts are cited.

    >>> day = datetime.date(2015, 12, 9)
    >>> date(day), date(day, "ru"), date(day, "kk")
    ('2015-12-09', '09.12.2015', '09.12.2015')
    """
    if (lang or current()) == DEFAULT_LANGUAGE:
        return value.isoformat()
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
