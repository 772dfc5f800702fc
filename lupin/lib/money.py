"""Money in NOK: Decimal with øre precision, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ORE = Decimal("0.01")


def to_nok(value: str | int | Decimal) -> Decimal:
    """Parse an amount as people write it ("1 250 000,50", "1250000.5"); raise ValueError."""
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = value.replace("\u00a0", "").replace(" ", "").replace("kr", "").strip()
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}” is not an amount.") from None
    if not amount.is_finite():
        raise ValueError(f"“{value}” is not an amount.")
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def format_nok(amount: Decimal | None) -> str:
    """'1 250 000 kr' (øre shown only when there are any), with a narrow no-break space."""
    if amount is None:
        return "–"
    whole = amount.quantize(ORE, rounding=ROUND_HALF_UP)
    digits = f"{whole:,.2f}".replace(",", "\u202f").replace(".", ",")
    if digits.endswith(",00"):
        digits = digits[:-3]
    return f"{digits}\u00a0kr"
