"""eForms notices map to OCDS releases as the OCP guidance says (no database needed)."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from lupin.opendata import eforms
from lupin.opendata.tests.eforms_helpers import (
    NOTICES,
    PREFIX,
    notice_text,
    release_of,
    schema_errors,
)

EXAMPLES = sorted(path.name for path in NOTICES.glob("*.xml"))


def party(release: dict[str, Any], party_id: str) -> dict[str, Any]:
    return next(p for p in release["parties"] if p["id"] == party_id)


def cpv_codes(release: dict[str, Any]) -> list[str]:
    codes = []
    for item in release["tender"]["items"]:
        for classification in [item["classification"], *item.get("additionalClassifications", [])]:
            assert classification["scheme"] == "CPV"
            codes.append(classification["id"])
    return codes


def test_there_is_an_example_of_every_notice_kind():
    assert EXAMPLES == [
        "can_24_maximal.xml",
        "can_24_minimal.xml",
        "cn_24_maximal.xml",
        "cn_24_minimal.xml",
        "no__eu_cn_24.xml",
        "pin-buyer_24.xml",
    ]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_validates_and_maps_to_a_valid_ocds_release(name):
    release = release_of(name)
    assert schema_errors(release) == []
    assert release["initiationType"] == "tender"
    assert release["ocid"].startswith(f"{PREFIX}-")


@pytest.mark.parametrize("name", EXAMPLES)
def test_mapping_the_same_notice_twice_gives_the_same_release(name):
    assert release_of(name) == release_of(name)


def test_contract_notice_minimal():
    release = release_of("cn_24_minimal.xml")
    assert release["ocid"] == f"{PREFIX}-4805c409-5939-4be9-8abd-837f7a5fee23"  # BT-04
    assert release["id"] == "f42be27e-09cf-4f0e-a745-63ec689631e6-01"  # BT-701 + BT-757
    assert release["date"] == "2019-11-21T00:00:00+01:00"  # BT-05
    assert release["tag"] == ["tender"]
    assert release["language"] == "en"
    assert release["buyer"] == {
        "id": "ORG-0001",
        "name": "Publications Office of the European Union",
    }
    assert party(release, "ORG-0001")["roles"] == ["buyer"]
    assert party(release, "ORG-0001")["address"]["region"] == "LU000"
    assert party(release, "ORG-0003")["roles"] == ["reviewBody"]
    tender = release["tender"]
    assert tender["id"] == "4805c409-5939-4be9-8abd-837f7a5fee23"
    assert tender["status"] == "active"
    assert tender["title"].startswith("Provision of IT Services Related to OP IT Systems")
    assert tender["description"].startswith("Provision of IT services related to the information")
    assert tender["mainProcurementCategory"] == "services"
    assert tender["procurementMethod"] == "open"
    assert tender["procurementMethodDetails"] == "Open"
    assert cpv_codes(release) == ["72230000", "72230000"]  # procedure, lot
    assert tender["deliveryAddresses"] == [{"region": "FRD22", "country": "FR"}]
    assert [lot["id"] for lot in tender["lots"]] == ["LOT-0000"]
    assert tender["lots"][0]["tenderPeriod"] == {"endDate": "2020-02-04T10:00:00+02:00"}
    assert tender["lots"][0]["contractPeriod"] == {"durationInDays": 48 * 30}
    assert tender["tenderPeriod"] == {"endDate": "2020-02-04T10:00:00+02:00"}  # BT-131
    assert "value" not in tender
    assert "awards" not in release


def test_contract_notice_maximal_has_values_lots_and_periods():
    release = release_of("cn_24_maximal.xml")
    assert release["tag"] == ["tender"]
    tender = release["tender"]
    assert tender["value"] == {"amount": 9999999.99, "currency": "EUR"}  # BT-27
    assert tender["procurementMethod"] == "selective"
    # The procedure type (BT-105) and its features (BT-88).
    assert tender["procurementMethodDetails"] == (
        "Negotiated with prior publication of a call for competition / competitive with "
        "negotiation: Description of the procedure ---"
    )
    lots = {lot["id"]: lot for lot in tender["lots"]}
    assert sorted(lots) == ["LOT-0001", "LOT-0002"]
    assert lots["LOT-0001"]["title"] == "Title ---"
    assert lots["LOT-0002"]["value"] == {"amount": 9999999.99, "currency": "EUR"}
    assert lots["LOT-0001"]["enquiryPeriod"] == {"endDate": "2023-05-20T20:59:32+01:00"}  # BT-13
    assert lots["LOT-0001"]["contractPeriod"]["startDate"] == "2023-01-01T00:00:00+01:00"
    assert lots["LOT-0001"]["contractPeriod"]["endDate"] == "2023-05-23T23:59:59+01:00"
    assert tender["tenderPeriod"] == {"endDate": "2023-05-22T20:59:32+01:00"}
    criteria = lots["LOT-0001"]["awardCriteria"]["criteria"]
    assert [(c["type"], c["numbers"][0]["number"]) for c in criteria] == [
        ("cost", 60),
        ("quality", 40),
    ]
    assert criteria[0]["numbers"][0]["weight"] == "percentageExact"
    assert [item.get("relatedLot") for item in tender["items"]] == [None, "LOT-0001", "LOT-0002"]
    assert party(release, "ORG-0007")["roles"] == ["eSender"]


def test_norwegian_doffin_notice():
    release = release_of("no__eu_cn_24.xml")
    assert release["ocid"] == f"{PREFIX}-08921c1a-89a4-4b71-90ff-63f11972d7e2"
    assert release["date"] == "2025-01-15T12:00:00+01:00"
    assert release["language"] == "en"
    buyer = party(release, release["buyer"]["id"])
    assert buyer["name"] == "Flekkefjord Kommune"
    assert buyer["identifier"] == {
        "scheme": "NO-BRC",
        "id": "964967369",
        "legalName": "Flekkefjord Kommune",
    }
    assert buyer["address"]["region"] == "NO092"
    assert buyer["address"]["country"] == "NO"
    assert buyer["details"]["buyerProfile"] == "https://www.flekkefjord.kommune.no/"
    assert party(release, "ORG-0002")["roles"] == ["reviewBody"]
    assert party(release, "ORG-0003")["roles"] == ["procurementServiceProvider"]
    tender = release["tender"]
    assert tender["title"] == "25088 Carpentry services, framework agreement"
    assert tender["title_no"] == "25088 Snekkertjenester, rammeavtale"
    assert tender["description_no"].startswith(
        "Konkurransen gjelder levering av entreprenør-, tømrer- og snekkertjenester med materiell."
    )
    assert tender["value"] == {"amount": 16000000, "currency": "NOK"}
    assert cpv_codes(release)[:3] == ["50000000", "50700000", "45422000"]
    assert tender["deliveryAddresses"] == [{"region": "NO092", "country": "NO"}]
    assert tender["tenderPeriod"] == {"endDate": "2028-04-28T10:00:00.000Z"}
    assert len(tender["lots"]) == 1
    # "oth-single" has no OCDS procurement method (the guidance's note); its name says what it is.
    assert "procurementMethod" not in tender
    assert tender["procurementMethodDetails"] == "Other single stage procedure"
    weights = [c["numbers"][0]["number"] for c in tender["lots"][0]["awardCriteria"]["criteria"]]
    assert weights == [30, 20, 20, 20, 10]


def test_prior_information_notice_is_a_planning_release_of_its_own():
    release = release_of("pin-buyer_24.xml")
    # No procedure identifier in a PIN used for information: the notice's identifier.
    assert release["ocid"] == f"{PREFIX}-e5dc3c2b-3df5-45e0-af7f-399ca201d7e0"
    assert release["tag"] == ["planning"]
    assert release["language"] == "it"
    assert release["buyer"]["name"] == "IRCCS Policlinico ospedale San Martino"
    tender = release["tender"]
    assert tender["status"] == "planned"
    assert tender["title"].startswith("Avviso consultazione preliminare")
    assert tender["mainProcurementCategory"] == "goods"
    assert cpv_codes(release) == ["33157000"]
    assert tender["deliveryAddresses"][0]["region"] == "ITC33"
    assert party(release, "ORG-0002")["roles"] == ["eSender"]


def test_contract_award_notice_minimal_names_the_winner_and_the_value():
    release = release_of("can_24_minimal.xml")
    assert release["tag"] == ["award", "contract"]
    assert release["tender"]["status"] == "complete"
    (award,) = release["awards"]
    assert award["id"] == "RES-0001"
    assert award["status"] == "active"
    assert award["relatedLots"] == ["LOT-0000"]
    assert award["suppliers"] == [{"id": "ORG-0004", "name": "Espaces Verts Lemire"}]
    assert award["value"] == {"amount": 95414, "currency": "EUR"}  # BT-720
    assert party(release, "ORG-0004")["roles"] == ["tenderer", "supplier"]
    assert party(release, "ORG-0004")["details"]["scale"] == "micro"
    (contract,) = release["contracts"]
    assert contract["id"] == "CON-0001"
    assert contract["awardID"] == "RES-0001"
    assert contract["dateSigned"] == "2019-09-03T00:00:00+02:00"  # BT-145
    (bid,) = release["bids"]["details"]
    assert bid["id"] == "TEN-0001"
    assert bid["value"] == {"amount": 95414, "currency": "EUR"}


def test_contract_award_notice_maximal_with_several_winners_and_a_lot_without():
    release = release_of("can_24_maximal.xml")
    awards = {award["id"]: award for award in release["awards"]}
    winners = awards["RES-0001"]
    assert winners["status"] == "active"
    assert [s["name"] for s in winners["suppliers"]] == [
        "Gyro Soft SA",
        "The best App Ltd.",
        "Competitor",
    ]
    assert winners["date"] == "2023-03-23T00:00:00+02:00"  # BT-1451
    assert winners["maximumValue"] == {"amount": 9999999.99, "currency": "EUR"}  # BT-709
    # Two winning tenders: each keeps its value on its bid, the award has none of its own.
    assert "value" not in winners
    closed = awards["RES-0002"]
    assert closed["status"] == "unsuccessful"
    assert "suppliers" not in closed
    assert {c["id"]: c["awardID"] for c in release["contracts"]} == {
        "CON-0001": "RES-0001",
        "CON-0002": "RES-0001",
    }


def test_notices_of_one_procedure_share_the_ocid():
    notice = release_of("cn_24_minimal.xml")
    award = release_of(
        "can_24_minimal.xml",
        (
            "<cbc:ContractFolderID>022d0ef9-6338-42d9-afa4-a87709128061",
            "<cbc:ContractFolderID>4805c409-5939-4be9-8abd-837f7a5fee23",
        ),
    )
    assert award["ocid"] == notice["ocid"]
    assert award["id"] != notice["id"]


def test_a_change_to_a_prior_information_notice_joins_its_process():
    root = eforms.parse_notice(notice_text("pin-buyer_24.xml").encode())
    extension = root.find(".//efext:EformsExtension", eforms.NS)
    assert extension is not None
    changes = etree.SubElement(extension, f"{{{eforms.NS['efac']}}}Changes")
    changed = etree.SubElement(changes, f"{{{eforms.NS['efbc']}}}ChangedNoticeIdentifier")
    changed.text = "0d5f8a34-2b5e-4c3a-9b1e-4a6f1f0c7e21-01"
    notice_id = root.find("cbc:ID", eforms.NS)
    assert notice_id is not None
    notice_id.text = "7b0c2d1e-3f4a-4b5c-8d6e-9f0a1b2c3d4e"
    release = eforms.notice_to_release(root, ocid_prefix=PREFIX)
    assert release["ocid"] == f"{PREFIX}-0d5f8a34-2b5e-4c3a-9b1e-4a6f1f0c7e21"
    assert release["id"] == "7b0c2d1e-3f4a-4b5c-8d6e-9f0a1b2c3d4e-01"
