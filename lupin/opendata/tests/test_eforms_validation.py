"""A notice that is not valid eForms is refused with the line and the field that are wrong."""

from __future__ import annotations

import re

import pytest

from lupin.opendata import eforms
from lupin.opendata.tests.eforms_helpers import NOTICES, PREFIX, line_of, notice_text


def errors_of(text: str) -> list[eforms.NoticeError]:
    with pytest.raises(eforms.InvalidNotice) as refused:
        eforms.notice_to_release(eforms.parse_notice(text.encode()), ocid_prefix=PREFIX)
    return refused.value.errors


def test_a_bad_amount_names_its_line_and_field():
    amount = '<cbc:EstimatedOverallContractAmount currencyID="NOK">16 000 000 kr<'
    text = notice_text(
        "no__eu_cn_24.xml", ('currencyID="NOK">16000000<', 'currencyID="NOK">16 000 000 kr<')
    )
    (error,) = errors_of(text)
    assert error.line == line_of(text, amount)
    assert error.field == "BT-27-Procedure (cbc:EstimatedOverallContractAmount)"
    assert error.where == f"line {error.line}, BT-27-Procedure (cbc:EstimatedOverallContractAmount)"
    assert error.message.startswith("Estimated Value: ")
    assert "'16 000 000 kr' is not a valid value" in error.message


def test_a_bad_amount_in_a_lot_is_the_lot_field():
    # cn_24_maximal has an estimated value for the procedure, the group of lots and each lot.
    text = notice_text("cn_24_maximal.xml")
    amount = '<cbc:EstimatedOverallContractAmount currencyID="EUR">9999999.99<'
    first_lot = re.search(r'<cac:ProcurementProjectLot>\s*<cbc:ID schemeName="Lot">', text)
    assert first_lot is not None
    at = text.index(amount, first_lot.end())
    text = text[:at] + amount.replace("9999999.99", "about a million") + text[at + len(amount) :]
    (error,) = errors_of(text)
    assert error.line == line_of(text, "about a million")
    assert error.field == "BT-27-Lot (cbc:EstimatedOverallContractAmount)"


def test_a_missing_currency_is_the_currency_field():
    text = notice_text(
        "no__eu_cn_24.xml",
        (
            '<cbc:EstimatedOverallContractAmount currencyID="NOK">',
            "<cbc:EstimatedOverallContractAmount>",
        ),
    )
    (error,) = errors_of(text)
    assert error.field == (
        "BT-27-Procedure-Currency (cbc:EstimatedOverallContractAmount/@currencyID)"
    )
    assert "currencyID" in error.message


def test_a_removed_element_names_the_missing_field():
    text = re.sub(
        r"<cbc:ContractFolderID>.*?</cbc:ContractFolderID>", "", notice_text("cn_24_minimal.xml")
    )
    (error,) = errors_of(text)
    # libxml2 notices the gap at the element after it.
    assert error.line == line_of(text, "<cbc:IssueDate>")
    assert error.field == "BT-04-notice (cbc:ContractFolderID)"
    assert error.message.startswith("Procedure Identifier: ")


def test_a_missing_lot_identifier_names_the_business_term():
    text = notice_text("cn_24_minimal.xml", ('<cbc:ID schemeName="Lot">LOT-0000</cbc:ID>', ""))
    (error,) = errors_of(text)
    assert error.field == "BT-137 (cbc:ID)"


def test_a_bad_deadline_names_the_deadline_field():
    text = notice_text(
        "cn_24_minimal.xml",
        ("<cbc:EndDate>2020-02-04+02:00</cbc:EndDate>", "<cbc:EndDate>04.02.2020</cbc:EndDate>"),
    )
    (error,) = errors_of(text)
    assert error.line == line_of(text, "04.02.2020")
    assert error.field == "BT-131(d)-Lot (cbc:EndDate)"


def test_an_unknown_element_is_named():
    text = notice_text(
        "cn_24_minimal.xml",
        ("<cbc:RegulatoryDomain>", "<cbc:Surprise>1</cbc:Surprise><cbc:RegulatoryDomain>"),
    )
    (error,) = errors_of(text)
    assert error.line == line_of(text, "<cbc:Surprise>")
    assert error.field == "cbc:Surprise"
    assert "This element is not expected" in error.message


def test_a_procedure_identifier_must_be_a_uuid():
    text = notice_text(
        "cn_24_minimal.xml",
        ("<cbc:ContractFolderID>4805c409-5939-4be9-8abd-837f7a5fee23", "<cbc:ContractFolderID>12"),
    )
    (error,) = errors_of(text)
    assert error.field == "BT-04-notice (cbc:ContractFolderID)"
    assert error.line == line_of(text, "<cbc:ContractFolderID>")


def test_a_template_with_placeholders_left_is_refused_with_each_placeholder():
    text = (NOTICES / "no__eu_cn_24.xml").read_text(encoding="utf-8")
    errors = errors_of(text)
    assert [(e.line, e.field) for e in errors] == [
        (line_of(text, "<cbc:CustomizationID>"), "OPT-002-notice (cbc:CustomizationID)"),
        (line_of(text, "<cbc:IssueDate>${ISSUEDATE}"), "BT-05(a)-notice (cbc:IssueDate)"),
        (line_of(text, "<cbc:IssueTime>"), "BT-05(b)-notice (cbc:IssueTime)"),
    ]
    assert "${EFORMS_MINOR}" in errors[0].message


def test_text_that_is_not_xml_gets_its_line():
    (error,) = errors_of("<ContractNotice>\n<cbc:ID>\n</ContractNotice>")
    assert error.line == 2
    assert "not well-formed XML" in error.message


def test_an_empty_file_is_not_xml():
    (error,) = errors_of("")
    assert "not well-formed XML" in error.message


def test_other_xml_is_not_a_notice():
    (error,) = errors_of(
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    )
    assert error.field == "Invoice"
    assert "not an eForms" in error.message


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the-secret-password")
    text = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE ContractNotice [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2">'
        "&xxe;</ContractNotice>"
    )
    (error,) = errors_of(text)
    assert error.line == 2
    assert "DOCTYPE" in error.message
    assert "the-secret-password" not in str(error)


def test_entity_expansion_is_refused():
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 8))
    text = (
        f'<!DOCTYPE ContractNotice [<!ENTITY l0 "ha">{laughs}]>\n'
        '<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2">'
        "&l7;</ContractNotice>"
    )
    (error,) = errors_of(text)
    # libxml2 stops the amplification itself; were it not to, the DOCTYPE check would.
    assert "amplification" in error.message or "DOCTYPE" in error.message


def test_only_the_first_errors_are_listed():
    # Every amount of the maximal award notice made invalid: 22 errors.
    text = notice_text("can_24_maximal.xml").replace('currencyID="EUR">', 'currencyID="EUR">x')
    errors = errors_of(text)
    assert len(errors) == eforms.MAX_ERRORS + 1
    assert errors[0].field == "BT-795-Review (cbc:FeeAmount)"
    assert all(error.line for error in errors[:-1])
    assert errors[-1].message == "… and 2 more."


def test_reading_a_file_reports_it_missing(tmp_path):
    with pytest.raises(eforms.InvalidNotice) as refused:
        eforms.read_notice(tmp_path / "nowhere.xml", ocid_prefix=PREFIX)
    assert refused.value.errors[0].line is None


def test_a_notice_without_its_identifier_cannot_be_a_release():
    text = re.sub(
        r'<cbc:ID schemeName="notice-id">.*?</cbc:ID>', "", notice_text("cn_24_minimal.xml")
    )
    (error,) = errors_of(text)
    assert error.field == "BT-701-notice (cbc:ID)"
    assert error.message == "Notice Identifier: It is missing."


def test_a_business_registration_notice_is_not_imported():
    # The guidance discards "bri" notices: they are outside any contracting process.
    text = notice_text(
        "cn_24_minimal.xml", ('listName="competition">cn-standard', 'listName="bri">cn-standard')
    )
    (error,) = errors_of(text)
    assert error.line == line_of(text, "<cbc:NoticeTypeCode")
    assert error.field == "BT-02-notice (cbc:NoticeTypeCode)"
    assert "“bri”" in error.message
