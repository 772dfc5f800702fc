from decimal import Decimal

import pytest

from lupin.lib.money import format_nok, to_nok


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("2500000", Decimal("2500000.00")),
        ("2 500 000", Decimal("2500000.00")),
        ("2\u00a0500\u00a0000,50", Decimal("2500000.50")),
        ("1250000.5", Decimal("1250000.50")),
        ("12,345", Decimal("12.35")),
        (Decimal("0.005"), Decimal("0.01")),
        (7, Decimal("7.00")),
    ],
)
def test_amounts_parse_to_ore_precision(text, amount):
    assert to_nok(text) == amount


@pytest.mark.parametrize("text", ["abc", "", "1.2.3", "NaN", "Infinity"])
def test_non_amounts_are_refused(text):
    with pytest.raises(ValueError, match="not an amount"):
        to_nok(text)


def test_format_groups_thousands_and_hides_zero_ore():
    assert format_nok(Decimal("2500000")) == "2\u202f500\u202f000\u00a0kr"
    assert format_nok(Decimal("1234.5")) == "1\u202f234,50\u00a0kr"
    assert format_nok(None) == "–"
