"""Amounts of money: the minor units of each currency, and how every output writes them.

This is the one place that knows how many decimals a currency has (ISO 4217) and how an
amount is written for a person (terminal, HTML, Word) or for Excel. Amounts of different
currencies are never added or ordered together: :func:`totals_by_currency` keeps them apart
and :func:`sort_key` groups by currency first.

>>> format_money(0.97, "AZN")
'0.97 AZN'
>>> format_money(480000, "UZS")
'480,000.00 UZS'
>>> format_money(12.6, "JPY", unit=False)
'13'
>>> excel_number_format("AZN")
'#,##0.00 "AZN"'
>>> totals_by_currency([(2.81, "AZN"), (480000, "UZS"), (0.19, "AZN")])
{'AZN': 3.0, 'UZS': 480000.0}
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bpr.core.i18n import numeral

__all__ = [
    "DEFAULT_MINOR_UNITS",
    "MINOR_UNITS",
    "Money",
    "excel_number_format",
    "format_money",
    "minor_units",
    "money_cell",
    "sort_key",
    "totals_by_currency",
]

#: Decimals of the minor unit of common currencies (ISO 4217, the list of codes). The
#: currencies of the programme's countries and their neighbours all have two.
MINOR_UNITS: dict[str, int] = {
    # the programme's countries and their neighbours
    "AZN": 2,
    "UZS": 2,
    "KZT": 2,
    "KGS": 2,
    "TJS": 2,
    "TMT": 2,
    "RUB": 2,
    "GEL": 2,
    "AMD": 2,
    "BYN": 2,
    "UAH": 2,
    "TRY": 2,
    "CNY": 2,
    "AFN": 2,
    "IRR": 2,
    "MNT": 2,
    # reserve and donor currencies
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "CAD": 2,
    "AUD": 2,
    "INR": 2,
    # without a minor unit
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "ISK": 0,
    "CLP": 0,
    "PYG": 0,
    "UGX": 0,
    "XAF": 0,
    "XOF": 0,
    # with three decimals
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}
#: Decimals of a currency not in the table, or of an amount whose currency is not given.
DEFAULT_MINOR_UNITS = 2


def minor_units(currency: str | None) -> int:
    """How many decimals amounts in ``currency`` are written with.

    >>> minor_units("UZS"), minor_units("kwd"), minor_units("XYZ"), minor_units(None)
    (2, 3, 2, 2)
    """
    if not currency:
        return DEFAULT_MINOR_UNITS
    return MINOR_UNITS.get(currency.strip().upper(), DEFAULT_MINOR_UNITS)


@dataclass(frozen=True)
class Money:
    """An amount with its currency (None where the model names none), as tables carry it.

    >>> str(Money(1234.5, "USD")), str(Money(3, None))
    ('1,234.50 USD', '3.00')
    """

    amount: float
    currency: str | None = None

    @property
    def decimals(self) -> int:
        return minor_units(self.currency)

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: float | None, currency: str | None, *, unit: bool = True) -> str:
    """``amount`` with its currency's decimals, thousands grouped, the code after it.

    ``unit=False`` leaves the code out (for a column whose heading names the currency).
    None is written as a dash. The separators are the output language's (see
    :func:`bpr.core.i18n.numeral`): ``480 000,00 UZS`` in Russian.

    >>> format_money(-6000, "UZS"), format_money(None, "AZN"), format_money(2.5, None)
    ('-6,000.00 UZS', '–', '2.50')
    >>> from bpr.core.i18n import use
    >>> with use("ru"):
    ...     format_money(480000, "UZS")
    '480\xa0000,00 UZS'
    """
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    text = f"{amount:,.{minor_units(currency)}f}"
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]  # -0.00 is written 0.00
    text = numeral(text)
    return f"{text} {currency}" if unit and currency else text


def excel_number_format(currency: str | None) -> str:
    """The Excel number format of amounts in ``currency``: its decimals and its code.

    >>> excel_number_format("UZS"), excel_number_format("JPY"), excel_number_format(None)
    ('#,##0.00 "UZS"', '#,##0 "JPY"', '#,##0.00')
    """
    decimals = minor_units(currency)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if currency:
        code = currency.replace('"', "")
        pattern += f' "{code}"'
    return pattern


def money_cell(value: object, currency: str | None) -> object:
    """``value`` as a :class:`Money` of ``currency`` where it is a number; else as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Money(float(value), currency)
    return value


def sort_key(money: Money) -> tuple[str, float]:
    """Orders amounts by currency first, then amount: two currencies are never interleaved.

    >>> sorted([Money(5, "UZS"), Money(9, "AZN"), Money(1, "UZS")], key=sort_key)[0]
    Money(amount=9, currency='AZN')
    """
    return (money.currency or "", money.amount)


def totals_by_currency(amounts: Iterable[tuple[float | None, str | None]]) -> dict[str, float]:
    """The sum of the amounts of each currency, rounded to its decimals; ``""`` for amounts
    without one. Amounts of None are left out. Keys are in order of first appearance.

    >>> totals_by_currency([(1, None), (None, "AZN"), (0.1, "AZN"), (0.2, "AZN")])
    {'': 1.0, 'AZN': 0.3}
    """
    out: dict[str, float] = {}
    for amount, currency in amounts:
        if amount is None:
            continue
        key = (currency or "").strip().upper()
        out[key] = out.get(key, 0.0) + float(amount)
    return {k: round(v, minor_units(k or None)) for k, v in out.items()}
