"""Norwegian organisation numbers (Enhetsregisteret): nine digits with a MOD11 check digit."""

from __future__ import annotations

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


class InvalidOrgNumber(ValueError):
    """The text is not a valid Norwegian organisation number; the message says why."""


def normalise(value: str) -> str:
    """Strip the spaces and dots people type ("974 760 673", "974.760.673")."""
    return "".join(ch for ch in value if ch not in " .\u00a0-")


def check_digit(first_eight: str) -> int | None:
    """The MOD11 check digit for eight digits, or None when no digit can make them valid."""
    total = sum(int(digit) * weight for digit, weight in zip(first_eight, _WEIGHTS, strict=True))
    remainder = 11 - total % 11
    if remainder == 11:
        return 0
    if remainder == 10:
        return None
    return remainder


def validate(value: str) -> str:
    """Return the normalised number, or raise InvalidOrgNumber saying what is wrong."""
    number = normalise(value)
    if not number.isdigit() or len(number) != 9:
        raise InvalidOrgNumber("An organisation number has exactly nine digits.")
    expected = check_digit(number[:8])
    if expected is None or expected != int(number[8]):
        raise InvalidOrgNumber("The check digit does not match (MOD11): check for a typing error.")
    return number


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidOrgNumber:
        return False
    return True


def format_number(number: str) -> str:
    """Group as Brønnøysund shows it: '974 760 673'."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 9 else number
