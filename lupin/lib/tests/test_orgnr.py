import pytest

from lupin.lib import orgnr


@pytest.mark.parametrize(
    "number",
    [
        "974760673",  # Brønnøysundregistrene
        "971526920",
        "974 760 673",
        "974.760.673",
    ],
)
def test_valid_numbers_pass_and_are_normalised(number):
    assert orgnr.validate(number) == number.replace(" ", "").replace(".", "")


def test_check_digit_follows_mod11_weights():
    # 9·3+7·2+4·7+7·6+6·5+0·4+6·3+7·2 = 173; 173 mod 11 = 8; 11 − 8 = 3
    assert orgnr.check_digit("97476067") == 3


def test_remainder_eleven_gives_check_digit_zero():
    # 9·3+1·2+3·7+5·6+7·5+9·4+2·3+4·2 = 165, divisible by 11
    assert orgnr.check_digit("91357924") == 0
    assert orgnr.is_valid("913579240")


def test_remainder_ten_makes_every_number_with_that_stem_invalid():
    assert orgnr.check_digit("91234567") is None
    assert not any(orgnr.is_valid(f"91234567{digit}") for digit in range(10))


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("97476067", "nine digits"),
        ("9747606733", "nine digits"),
        ("97476067X", "nine digits"),
        ("", "nine digits"),
        ("974760674", "check digit"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(number, message):
    with pytest.raises(orgnr.InvalidOrgNumber, match=message):
        orgnr.validate(number)


def test_format_groups_in_threes():
    assert orgnr.format_number("974760673") == "974 760 673"
