"""Amounts keep their currency's minor units and are never mixed across currencies."""

from __future__ import annotations

import doctest

import pytest

import bpr.core.money as money_module
from bpr.core.money import (
    Money,
    excel_number_format,
    format_money,
    minor_units,
    money_cell,
    sort_key,
    totals_by_currency,
)


def test_docstring_examples() -> None:
    result = doctest.testmod(money_module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 5


@pytest.mark.parametrize(
    ("currency", "decimals"),
    [
        ("AZN", 2),
        ("USD", 2),
        ("UZS", 2),
        ("KZT", 2),
        ("RUB", 2),
        ("EUR", 2),
        ("JPY", 0),
        ("KWD", 3),
        ("azn", 2),
        ("ZZZ", 2),
        (None, 2),
        ("", 2),
    ],
)
def test_minor_units_follow_iso_4217(currency: str | None, decimals: int) -> None:
    assert minor_units(currency) == decimals


def test_a_fee_under_one_manat_is_not_rounded_away() -> None:
    assert format_money(0.97, "AZN") == "0.97 AZN"
    assert format_money(0.97, "AZN", unit=False) == "0.97"
    assert format_money(2.805, "AZN") in {"2.81 AZN", "2.80 AZN"}  # binary float, either way
    assert format_money(480000, "UZS") == "480,000.00 UZS"
    assert format_money(1234.5678, "KWD") == "1,234.568 KWD"
    assert format_money(-0.001, "AZN") == "0.00 AZN"


def test_excel_formats_show_the_decimals_and_the_code() -> None:
    assert excel_number_format("AZN") == '#,##0.00 "AZN"'
    assert excel_number_format("KWD") == '#,##0.000 "KWD"'
    assert excel_number_format("JPY") == '#,##0 "JPY"'
    assert excel_number_format('A"B') == '#,##0.00 "AB"'  # a quote cannot end the literal


def test_totals_are_kept_per_currency() -> None:
    totals = totals_by_currency(
        [(480000, "UZS"), (2.81, "AZN"), (20000, "uzs"), (None, "KZT"), (0.1, "AZN"), (0.2, "AZN")]
    )
    assert totals == {"UZS": 500000.0, "AZN": 3.11}


def test_sorting_never_interleaves_currencies() -> None:
    amounts = [Money(480000, "UZS"), Money(2.81, "AZN"), Money(3, "UZS"), Money(900, "AZN")]
    ordered = sorted(amounts, key=sort_key)
    assert [m.currency for m in ordered] == ["AZN", "AZN", "UZS", "UZS"]
    assert [m.amount for m in ordered] == [2.81, 900, 3, 480000]


def test_money_cell_wraps_numbers_only() -> None:
    assert money_cell(5, "AZN") == Money(5.0, "AZN")
    assert money_cell(None, "AZN") is None
    assert money_cell(True, "AZN") is True
    assert money_cell("n/a", "AZN") == "n/a"
    assert str(Money(1, "AZN")) == "1.00 AZN"
