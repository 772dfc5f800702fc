import pytest

from lupin.lib import cpv


def test_the_full_cpv_2008_list_is_shipped():
    codes = cpv.all_codes()
    assert len(codes) == 9454
    assert codes["72000000"].label_en.startswith("IT services")
    assert codes["72000000"].label_nb


@pytest.mark.parametrize("text", ["72000000", "72000000-5", " 72000000 "])
def test_code_with_or_without_check_digit_is_accepted(text):
    assert cpv.parse(text) == "72000000"


@pytest.mark.parametrize(
    ("text", "message"),
    [("7200000", "not a CPV code"), ("abc", "not a CPV code"), ("99999999", "not in the CPV")],
)
def test_unknown_codes_are_refused_with_a_reason(text, message):
    with pytest.raises(cpv.UnknownCpvCode, match=message):
        cpv.parse(text)


def test_parse_many_keeps_order_drops_duplicates_and_reports_each_bad_code():
    codes, errors = cpv.parse_many("72000000-5, 33196200 72000000; 12345678")
    assert codes == ["72000000", "33196200"]
    assert len(errors) == 1
    assert "12345678" in errors[0]


def test_levels_and_divisions():
    codes = cpv.all_codes()
    assert codes["72000000"].level == 1
    assert codes["72200000"].level == 2
    assert codes["72220000"].level == 3
    assert codes["72000000"].division == "72"
    divisions = cpv.divisions()
    assert all(code.level == 1 for code in divisions)
    assert 40 < len(divisions) < 50


def test_search_finds_words_in_either_language_broadest_first():
    english = cpv.search("snow clearing")
    norwegian = cpv.search("snørydding")
    assert english
    assert norwegian
    assert {c.code for c in english} & {c.code for c in norwegian}
    assert [c.level for c in english] == sorted(c.level for c in english)


def test_search_by_number_prefix():
    hits = cpv.search("7221")
    assert hits
    assert all(c.code.startswith("7221") for c in hits)


def test_label_follows_language():
    code = cpv.all_codes()["90620000"]
    assert code.label("nb") == code.label_nb
    assert code.label("en") == code.label_en
