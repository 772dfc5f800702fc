"""eForms notices to OCDS: one notice, one release, following the Open Contracting
Partnership's "OCDS for eForms" guidance field by field, with its mapping tables (copied in
`data/eforms-ocds-mapping/`). Where Lupin departs from the guidance, or adds to it, the comment
says so. Reading and validating the XML is `lupin.opendata.eforms`.

The ocid:

- The guidance asks for a new ocid (the publisher's prefix and an identifier of its choice) for
  the first notice of a procedure, and the previous notice's ocid for the ones that follow. The
  procedure identifier BT-04 (`cbc:ContractFolderID`, a UUID) is that identifier: every notice of
  one procedure carries it, so a contract notice, its changes and its award notice share the ocid
  `<LUPIN_OCID_PREFIX>-<BT-04>` without looking anything up.
- Prior information notices used only for information (subtypes 1-9) have no BT-04, and the
  guidance gives the notices that follow them a new ocid anyway. Their ocid is built from the
  notice identifier BT-701, or from the identifier of the notice a change notice changes (BT-758),
  so a change lands in the same process.
- Lupin's own projects use the same prefix with a number; these identifiers are UUIDs (checked
  here, as the eForms rules require), so the two never meet.

The release id is the notice identifier and its version (BT-701 "-" BT-757), so a corrected
version is a release of its own and the same notice read again is the same release.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from lupin.lib import orgnr

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
_EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
_MAPPING = Path(__file__).resolve().parent / "data" / "eforms-ocds-mapping"
_UUID = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$")
_ZONE = re.compile(r"(Z|[+-]\d{2}:\d{2})$")

# eForms language codes (ISO 639-3) → ISO 639-1, as the guidance asks: the EU's official
# languages and the Nordic ones Doffin uses.
_LANGUAGES = {
    "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en", "EST": "et",
    "FIN": "fi", "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu", "ITA": "it", "LAV": "lv",
    "LIT": "lt", "MLT": "mt", "NLD": "nl", "POL": "pl", "POR": "pt", "RON": "ro", "SLK": "sk",
    "SLV": "sl", "SPA": "es", "SWE": "sv", "NOR": "no", "NOB": "nb", "NNO": "nn", "ISL": "is",
}  # fmt: skip
# Country codes (ISO 3166-1 alpha-3 → alpha-2) for the EEA, Switzerland and the United Kingdom;
# an address elsewhere keeps its region and town but no country code.
_COUNTRIES = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "HRV": "HR", "CYP": "CY", "CZE": "CZ", "DNK": "DK",
    "EST": "EE", "FIN": "FI", "FRA": "FR", "DEU": "DE", "GRC": "GR", "HUN": "HU", "IRL": "IE",
    "ITA": "IT", "LVA": "LV", "LTU": "LT", "LUX": "LU", "MLT": "MT", "NLD": "NL", "POL": "PL",
    "PRT": "PT", "ROU": "RO", "SVK": "SK", "SVN": "SI", "ESP": "ES", "SWE": "SE", "NOR": "NO",
    "ISL": "IS", "LIE": "LI", "CHE": "CH", "GBR": "GB",
}  # fmt: skip
# English names of the procedure types (eForms SDK codelist procurement-procedure-type).
_PROCEDURE_NAMES = {
    "open": "Open",
    "restricted": "Restricted",
    "neg-w-call": "Negotiated with prior publication of a call for competition / "
    "competitive with negotiation",
    "neg-wo-call": "Negotiated without prior call for competition",
    "comp-dial": "Competitive dialogue",
    "comp-tend": "Competitive tendering",
    "innovation": "Innovation partnership",
    "oth-single": "Other single stage procedure",
    "oth-mult": "Other multiple stage procedure",
}
_CATEGORIES = {"works": "works", "services": "services", "supplies": "goods"}
# BT-142 Winner Chosen: award status and the label from the winner-selection-status table.
_WINNER_CHOSEN = {
    "selec-w": ("active", "At least one winner was chosen."),
    "clos-nw": ("unsuccessful", "No winner was chosen and the competition is closed."),
}
_PLACES = {
    "anyw": "Anywhere",
    "anyw-cou": "Anywhere in the given country",
    "anyw-eea": "Anywhere in the European Economic Area",
}
# Operations guidance, "Convert a duration to a number of days".
_DAYS = {"DAY": 1, "CALENDAR_DAY": 1, "WEEK": 7, "MONTH": 30, "QUARTER": 91, "YEAR_HALF": 182,
         "YEAR": 365}  # fmt: skip
_CRITERION_NUMBERS = {
    "number-weight": ("number-weight", "weight"),
    "number-fixed": ("number-fixed", "fixed"),
    "number-threshold": ("number-threshold", "threshold"),
}


class MappingError(Exception):
    """The notice lacks something its release needs: the element (or its missing `child`) and
    what is wrong."""

    def __init__(self, element: etree._Element, message: str, *, child: str = "") -> None:
        super().__init__(message)
        self.element = element
        self.message = message
        self.child = child


@cache
def _table(name: str) -> dict[str, dict[str, str]]:
    with (_MAPPING / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {row["eForms code"]: row for row in csv.DictReader(handle)}


def _codes(cell: str) -> list[str]:
    """ "'award', 'contract'" → ['award', 'contract'] (the mapping tables quote OCDS codes)."""
    return [part.strip().strip("'") for part in cell.split(",") if part.strip().strip("'")]


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _texts(element: etree._Element, path: str, *, lines: bool = False) -> dict[str, str]:
    """Text by language ("ENG" → …) for a multilingual field, in the order of the notice."""
    texts: dict[str, str] = {}
    for found in element.findall(path, NS):
        raw = found.text or ""
        if lines:
            # Notices are hard-wrapped XML: keep the paragraphs, not the line breaks.
            paragraphs = re.split(r"\n\s*\n", raw.strip())
            text = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
        else:
            text = " ".join(raw.split())
        if text:
            texts.setdefault(found.get("languageID", ""), text)
    return texts


def _number(amount: Decimal) -> int | float:
    # JSON has one number type; the digits survive the round trip (shortest repr).
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _value(element: etree._Element | None) -> dict[str, Any] | None:
    if element is None or not (element.text or "").strip():
        return None
    value: dict[str, Any] = {"amount": _number(Decimal((element.text or "").strip()))}
    if currency := element.get("currencyID"):
        value["currency"] = currency
    return value


def _split_zone(value: str) -> tuple[str, str]:
    match = _ZONE.search(value)
    return (value[: match.start()], match.group()) if match else (value, "")


class _Mapper:
    """One notice → one OCDS release. Parties are collected as the mapping meets them."""

    def __init__(self, root: etree._Element, ocid_prefix: str) -> None:
        self.root = root
        self.ocid_prefix = ocid_prefix
        self.language = _text(root, "cbc:NoticeLanguageCode")
        self.parties: dict[str, dict[str, Any]] = {}  # by the notice's organisation id
        self.items = 0

    # The release

    def release(self) -> dict[str, Any]:
        root = self.root
        notice_id = self._required("cbc:ID[@schemeName='notice-id']", uuid=True)
        self._required("cbc:NoticeTypeCode")
        form = root.find("cbc:NoticeTypeCode", NS)
        form_type = form.get("listName", "") if form is not None else ""
        if form_type not in _table("form-type"):
            raise MappingError(
                form if form is not None else root,
                _("Lupin does not import notices of form type “%(type)s”.") % {"type": form_type},
            )
        folder = _text(root, "cbc:ContractFolderID")
        if folder:
            self._required("cbc:ContractFolderID", uuid=True)
        changed = _text(root, f"{_EXT}/efac:Changes/efbc:ChangedNoticeIdentifier")
        process = folder or (changed[:36] if _UUID.match(changed[:36]) else "") or notice_id
        version = _text(root, "cbc:VersionID")
        self._required("cbc:IssueDate")
        release: dict[str, Any] = {
            "ocid": f"{self.ocid_prefix}-{process}",
            "id": f"{notice_id}-{version}" if version else notice_id,
            "date": self._datetime(root.find("cbc:IssueDate", NS), root.find("cbc:IssueTime", NS)),
            "tag": _codes(_table("form-type")[form_type]["Release tag"]),
            "initiationType": "tender",
        }
        if language := _LANGUAGES.get(self.language):
            release["language"] = language

        for company in root.findall(
            f"{_EXT}/efac:Organizations/efac:Organization/efac:Company", NS
        ):
            self._organisation(company)
        buyers = self._buyers()
        tender = self._tender(form_type, process)
        bids, awards, contracts = self._results(tender)

        if self.parties:
            release["parties"] = list(self.parties.values())
        if buyers:
            release["buyer"] = self._reference(buyers[0])
        release["tender"] = tender
        if bids:
            release["bids"] = {"details": bids}
        if awards:
            release["awards"] = awards
        if contracts:
            release["contracts"] = contracts
        return release

    def _required(self, path: str, *, uuid: bool = False) -> str:
        element = self.root.find(path, NS)
        value = (element.text or "").strip() if element is not None else ""
        if element is None or not value:
            raise MappingError(self.root, _("It is missing."), child=path.split("[", 1)[0])
        if uuid and not _UUID.match(value):
            raise MappingError(
                element, _("%(value)s is not a UUID, as eForms requires.") % {"value": value}
            )
        return value

    def _datetime(
        self, date: etree._Element | None, time: etree._Element | None = None, *, end: bool = False
    ) -> str | None:
        """eForms date (and time) → ISO 8601, as the guidance's "Convert a date to ISO format":
        a missing time is the end or the start of the day, a missing zone is UTC."""
        if date is None or not (date.text or "").strip():
            return None
        day, date_zone = _split_zone((date.text or "").strip())
        if time is not None and (time.text or "").strip():
            clock, time_zone = _split_zone((time.text or "").strip())
        else:
            clock, time_zone = ("23:59:59" if end else "00:00:00"), ""
        value = f"{day}T{clock}{time_zone or date_zone or 'Z'}"
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise MappingError(
                date, _("%(value)s is not a date Lupin can read.") % {"value": value}
            ) from None
        return value

    def _localised(self, target: dict[str, Any], key: str, texts: dict[str, str]) -> None:
        """The text in the notice's language as `key`, the others as OCDS language variants
        (`title_no`)."""
        if not texts:
            return
        main = self.language if self.language in texts else next(iter(texts))
        target[key] = texts[main]
        for language, text in texts.items():
            code = _LANGUAGES.get(language)
            if language != main and code:
                target[f"{key}_{code}"] = text

    # Parties

    def _organisation(self, company: etree._Element) -> None:
        technical_id = _text(company, "cac:PartyIdentification/cbc:ID")
        if not technical_id:
            return
        party = self._party(technical_id)
        self._localised(party, "name", _texts(company, "cac:PartyName/cbc:Name"))
        address = self._address(company.find("cac:PostalAddress", NS))
        legal_id = _text(company, "cac:PartyLegalEntity/cbc:CompanyID")
        if legal_id:
            # The guidance puts BT-501 in additionalIdentifiers with a scheme the publisher has
            # to work out; for Norwegian organisation numbers the scheme is known (NO-BRC), and
            # it is the organisation's primary identifier, which is what Lupin lists show.
            if address.get("country") == "NO" and orgnr.is_valid(legal_id):
                party["identifier"] = {"scheme": "NO-BRC", "id": orgnr.normalise(legal_id)}
            else:
                party["identifier"] = {"id": legal_id}
            if "name" in party:
                party["identifier"]["legalName"] = party["name"]
        if address:
            party["address"] = address
        contact = {
            key: value
            for key, value in (
                ("name", _text(company, "cac:Contact/cbc:Name")),
                ("email", _text(company, "cac:Contact/cbc:ElectronicMail")),
                ("telephone", _text(company, "cac:Contact/cbc:Telephone")),
                ("faxNumber", _text(company, "cac:Contact/cbc:Telefax")),
            )
            if value
        }
        if contact:
            party["contactPoint"] = contact
        details = {
            key: value
            for key, value in (
                ("url", _text(company, "cbc:WebsiteURI")),
                ("scale", _text(company, "efbc:CompanySizeCode")),
            )
            if value
        }
        if details:
            party["details"] = details

    def _party(self, technical_id: str) -> dict[str, Any]:
        # The party id is the notice's organisation id (OPT-200, "ORG-0001"), as the guidance
        # says; Lupin does not keep a register of organisations across notices.
        return self.parties.setdefault(technical_id, {"id": technical_id})

    def _role(self, technical_id: str, role: str) -> None:
        if not technical_id:
            return
        roles = self._party(technical_id).setdefault("roles", [])
        if role not in roles:
            roles.append(role)

    def _reference(self, technical_id: str) -> dict[str, Any]:
        party = self._party(technical_id)
        return {"id": party["id"], **({"name": party["name"]} if "name" in party else {})}

    def _buyers(self) -> list[str]:
        buyers = []
        for contracting in self.root.findall("cac:ContractingParty", NS):
            buyer = _text(contracting, "cac:Party/cac:PartyIdentification/cbc:ID")
            if not buyer:
                continue
            buyers.append(buyer)
            self._role(buyer, "buyer")
            if profile := _text(contracting, "cbc:BuyerProfileURI"):
                self._party(buyer).setdefault("details", {})["buyerProfile"] = profile
            for provider in contracting.findall("cac:Party/cac:ServiceProviderParty", NS):
                role = {"serv-prov": "procurementServiceProvider", "ted-esen": "eSender"}.get(
                    _text(provider, "cbc:ServiceTypeCode")
                )
                if role:
                    self._role(_text(provider, "cac:Party/cac:PartyIdentification/cbc:ID"), role)
        return buyers

    def _address(self, element: etree._Element | None) -> dict[str, Any]:
        if element is None:
            return {}
        street = ", ".join(
            value
            for value in (
                _text(element, "cbc:StreetName"),
                _text(element, "cbc:AdditionalStreetName"),
                *(
                    (line.text or "").strip()
                    for line in element.findall("cac:AddressLine/cbc:Line", NS)
                ),
            )
            if value
        )
        address = {
            key: value
            for key, value in (
                ("streetAddress", street),
                ("locality", _text(element, "cbc:CityName")),
                ("postalCode", _text(element, "cbc:PostalZone")),
                ("region", _text(element, "cbc:CountrySubentityCode")),  # NUTS
                ("country", _COUNTRIES.get(_text(element, "cac:Country/cbc:IdentificationCode"))),
                ("description", _PLACES.get(_text(element, "cbc:Region"))),
            )
            if value
        }
        return address

    # The tender

    def _tender(self, form_type: str, process: str) -> dict[str, Any]:
        root = self.root
        # BT-04; OCDS requires a tender id, so a notice without a procedure has its process's.
        tender: dict[str, Any] = {"id": process}
        if status := _codes(_table("form-type")[form_type]["Tender status"]):
            tender["status"] = status[0]
        project = root.find("cac:ProcurementProject", NS)
        items = []
        if project is not None:
            self._project(tender, project)
            if addresses := self._places(project):
                tender["deliveryAddresses"] = addresses
            if item := self._item(project):
                items.append(item)
        procedure = _text(root, "cac:TenderingProcess/cbc:ProcedureCode")
        if procedure:
            if method := _codes(
                _table("procurement-procedure-type").get(procedure, {}).get("OCDS code", "")
            ):
                tender["procurementMethod"] = method[0]
            # The guidance maps BT-88 Procedure Features here; Lupin puts the procedure type's
            # name first, as the OCDS method alone loses it ("selective" for five types).
            name = _PROCEDURE_NAMES.get(procedure, procedure)
            features = _texts(root, "cac:TenderingProcess/cbc:Description", lines=True)
            details = {language: f"{name}: {text}" for language, text in features.items()}
            self._localised(tender, "procurementMethodDetails", details or {"": name})

        lots = []
        for element in root.findall("cac:ProcurementProjectLot", NS):
            identifier = element.find("cbc:ID", NS)
            scheme = identifier.get("schemeName") if identifier is not None else None
            lot_project = element.find("cac:ProcurementProject", NS)
            if scheme == "Lot":
                lot = self._lot(element)
                lots.append(lot)
                if lot_project is not None and (item := self._item(lot_project, lot["id"])):
                    items.append(item)
            elif scheme == "Part" and lot_project is not None and (item := self._item(lot_project)):
                # Parts of a prior information notice: Lupin keeps one process per notice (the
                # guidance would split them) and lists what each part buys.
                items.append(item)
        if items:
            tender["items"] = items
        if lots:
            tender["lots"] = lots
            # Lupin's addition: the tender's periods are the earliest of its lots', so a list
            # can show one deadline.
            for period in ("tenderPeriod", "enquiryPeriod"):
                ends = [lot[period]["endDate"] for lot in lots if period in lot]
                if ends:
                    tender[period] = {"endDate": min(ends, key=datetime.fromisoformat)}
        return tender

    def _project(self, target: dict[str, Any], project: etree._Element) -> None:
        """Title, description, main nature and estimated value (BT-21, 24, 23, 27)."""
        self._localised(target, "title", _texts(project, "cbc:Name"))
        self._localised(target, "description", _texts(project, "cbc:Description", lines=True))
        if category := _CATEGORIES.get(_text(project, "cbc:ProcurementTypeCode")):
            target["mainProcurementCategory"] = category
        amount = project.find("cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount", NS)
        if value := _value(amount):
            target["value"] = value

    def _places(self, project: etree._Element) -> list[dict[str, Any]]:
        """Place of performance (BT-5071 NUTS, BT-5131 town, BT-727 …)."""
        return [
            address
            for location in project.findall("cac:RealizedLocation", NS)
            if (address := self._address(location.find("cac:Address", NS)))
        ]

    def _item(self, project: etree._Element, lot_id: str = "") -> dict[str, Any] | None:
        """What is bought: CPV main (BT-262) and additional (BT-263) codes, and where."""
        main = project.find("cac:MainCommodityClassification/cbc:ItemClassificationCode", NS)
        if main is None or not (main.text or "").strip():
            return None
        self.items += 1
        item: dict[str, Any] = {"id": str(self.items), "classification": _classification(main)}
        additional = [
            _classification(code)
            for code in project.findall(
                "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode", NS
            )
            if (code.text or "").strip()
        ]
        if additional:
            item["additionalClassifications"] = additional
        if lot_id:
            item["relatedLot"] = lot_id
            if addresses := self._places(project):
                item["deliveryAddresses"] = addresses
        return item

    def _lot(self, element: etree._Element) -> dict[str, Any]:
        lot: dict[str, Any] = {"id": _text(element, "cbc:ID")}
        project = element.find("cac:ProcurementProject", NS)
        if project is not None:
            self._project(lot, project)
            period = {
                key: value
                for key, value in (
                    (
                        "startDate",
                        self._datetime(project.find("cac:PlannedPeriod/cbc:StartDate", NS)),
                    ),
                    (
                        "endDate",
                        self._datetime(project.find("cac:PlannedPeriod/cbc:EndDate", NS), end=True),
                    ),
                    (
                        "durationInDays",
                        self._days(project.find("cac:PlannedPeriod/cbc:DurationMeasure", NS)),
                    ),
                )
                if value is not None
            }
            if period:
                lot["contractPeriod"] = period
        process = element.find("cac:TenderingProcess", NS)
        if process is not None:
            # BT-131 tenders' deadline, else BT-1311 requests to participate (restricted and
            # negotiated procedures): both are the lot's tenderPeriod in the guidance.
            for deadline in (
                "cac:TenderSubmissionDeadlinePeriod",
                "cac:ParticipationRequestReceptionPeriod",
            ):
                end = self._datetime(
                    process.find(f"{deadline}/cbc:EndDate", NS),
                    process.find(f"{deadline}/cbc:EndTime", NS),
                    end=True,
                )
                if end:
                    lot["tenderPeriod"] = {"endDate": end}
                    break
            enquiries = self._datetime(
                process.find("cac:AdditionalInformationRequestPeriod/cbc:EndDate", NS),
                process.find("cac:AdditionalInformationRequestPeriod/cbc:EndTime", NS),
                end=True,
            )
            if enquiries:
                lot["enquiryPeriod"] = {"endDate": enquiries}
        terms = element.find("cac:TenderingTerms", NS)
        if terms is not None:
            if criteria := self._criteria(terms):
                lot["awardCriteria"] = {"criteria": criteria}
            for reviewer in terms.findall(
                "cac:AppealTerms/cac:AppealReceiverParty/cac:PartyIdentification/cbc:ID", NS
            ):
                self._role((reviewer.text or "").strip(), "reviewBody")
        return lot

    def _days(self, element: etree._Element | None) -> int | None:
        if element is None or not (element.text or "").strip():
            return None
        factor = _DAYS.get(element.get("unitCode", ""))
        if factor is None:
            return None
        return int(Decimal((element.text or "").strip()) * factor)

    def _criteria(self, terms: etree._Element) -> list[dict[str, Any]]:
        """Award criteria (BT-539 type, BT-734 name, BT-540 description, BT-541/5421-5423)."""
        criteria = []
        path = "cac:AwardingTerms/cac:AwardingCriterion/cac:SubordinateAwardingCriterion"
        for element in terms.findall(path, NS):
            criterion: dict[str, Any] = {}
            if kind := _text(element, "cbc:AwardingCriterionTypeCode"):
                criterion["type"] = kind
            self._localised(criterion, "name", _texts(element, "cbc:Name"))
            self._localised(criterion, "description", _texts(element, "cbc:Description"))
            numbers = []
            for parameter in element.findall(f"{_EXT}/efac:AwardCriterionParameter", NS):
                code = parameter.find("efbc:ParameterCode", NS)
                number = _text(parameter, "efbc:ParameterNumeric")
                if code is None or not number:
                    continue
                table, key = _CRITERION_NUMBERS.get(code.get("listName", ""), ("", ""))
                entry: dict[str, Any] = {"number": _number(Decimal(number))}
                if table and (row := _table(table).get((code.text or "").strip())):
                    entry[key] = row["OCDS code"]
                numbers.append(entry)
            if numbers:
                criterion["numbers"] = numbers
            if criterion:
                criteria.append(criterion)
        return criteria

    # Results: bids, awards, contracts

    def _results(
        self, tender: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        result = self.root.find(f"{_EXT}/efac:NoticeResult", NS)
        if result is None:
            return [], [], []
        tenderers = {
            _text(group, "cbc:ID"): [
                (tenderer.text or "").strip()
                for tenderer in group.findall("efac:Tenderer/cbc:ID", NS)
            ]
            for group in result.findall("efac:TenderingParty", NS)
        }
        bids: dict[str, dict[str, Any]] = {}
        bid_parties: dict[str, list[str]] = {}
        for element in result.findall("efac:LotTender", NS):
            bid: dict[str, Any] = {"id": _text(element, "cbc:ID")}
            if lot_id := _text(element, "efac:TenderLot/cbc:ID"):
                bid["relatedLots"] = [lot_id]
            if value := _value(element.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS)):
                bid["value"] = value  # BT-720
            parties = tenderers.get(_text(element, "efac:TenderingParty/cbc:ID"), [])
            for party in parties:
                self._role(party, "tenderer")
            if parties:
                bid["tenderers"] = [self._reference(party) for party in parties]
            bids[bid["id"]] = bid
            bid_parties[bid["id"]] = parties
        settled = {
            _text(element, "cbc:ID"): element
            for element in result.findall("efac:SettledContract", NS)
        }

        awards = []
        awards_of_contract: dict[str, list[str]] = {}
        lots = {lot["id"]: lot for lot in tender.get("lots", [])}
        for element in result.findall("efac:LotResult", NS):
            award: dict[str, Any] = {"id": _text(element, "cbc:ID")}
            lot_id = _text(element, "efac:TenderLot/cbc:ID")
            if lot_id:
                award["relatedLots"] = [lot_id]
            code = _text(element, "cbc:TenderResultCode")  # BT-142
            if code == "open-nw" and lot_id in lots:
                lots[lot_id]["status"] = "active"
            elif code in _WINNER_CHOSEN:
                award["status"], award["statusDetails"] = _WINNER_CHOSEN[code]
            if element.find("efac:DecisionReason/efbc:DecisionReasonCode", NS) is not None:
                award["status"] = "unsuccessful"  # BT-144 Not Awarded Reason
            related_bids = [
                (bid.text or "").strip() for bid in element.findall("efac:LotTender/cbc:ID", NS)
            ]
            if related_bids:
                award["relatedBids"] = related_bids
            contract_ids = [
                (contract.text or "").strip()
                for contract in element.findall("efac:SettledContract/cbc:ID", NS)
            ]
            for contract_id in contract_ids:
                awards_of_contract.setdefault(contract_id, []).append(award["id"])
            # The winners: the tenders of the contracts concluded for this result (BT-3202),
            # or, without contracts, the tenders of a result that has a winner.
            winners = [
                (bid.text or "").strip()
                for contract_id in contract_ids
                if contract_id in settled
                for bid in settled[contract_id].findall("efac:LotTender/cbc:ID", NS)
            ]
            if not winners and award.get("status") == "active":
                winners = related_bids
            suppliers = list(dict.fromkeys(p for bid in winners for p in bid_parties.get(bid, [])))
            for supplier in suppliers:
                self._role(supplier, "supplier")
            if suppliers:
                award["suppliers"] = [self._reference(supplier) for supplier in suppliers]
            # BT-720: the winning tender's value. With several winners (a framework agreement
            # with several suppliers) each bid keeps its own value and the award has none.
            if len(winners) == 1 and "value" in bids.get(winners[0], {}):
                award["value"] = bids[winners[0]]["value"]
            maximum = element.find("efac:FrameworkAgreementValues/cbc:MaximumValueAmount", NS)
            if value := _value(maximum):
                award["maximumValue"] = value  # BT-709
            # BT-1451 Winner Decision Date: the earliest of the result's contracts.
            dates = [
                date
                for contract_id in contract_ids
                if contract_id in settled
                and (date := self._datetime(settled[contract_id].find("cbc:AwardDate", NS)))
            ]
            if dates:
                award["date"] = min(dates, key=datetime.fromisoformat)
            awards.append(award)

        contracts = []
        for contract_id, element in settled.items():
            award_ids = awards_of_contract.get(contract_id)
            if not award_ids:
                continue  # OCDS needs the award a contract belongs to
            contract: dict[str, Any] = {"id": contract_id, "awardID": award_ids[0]}
            if len(award_ids) > 1:
                contract["awardIDs"] = award_ids
            self._localised(contract, "title", _texts(element, "cbc:Title"))
            if signed := self._datetime(element.find("cbc:IssueDate", NS)):
                contract["dateSigned"] = signed  # BT-145
            related = [
                (bid.text or "").strip() for bid in element.findall("efac:LotTender/cbc:ID", NS)
            ]
            if related:
                contract["relatedBids"] = related
            contracts.append(contract)
        return list(bids.values()), awards, contracts


def _classification(code: etree._Element) -> dict[str, str]:
    # BT-26: the scheme is the list name, capitalised ("cpv" → "CPV").
    return {"scheme": code.get("listName", "cpv").upper(), "id": (code.text or "").strip()}


def map_notice(root: etree._Element, *, ocid_prefix: str) -> dict[str, Any]:
    """Map a notice (valid against its XSD) to one OCDS release; MappingError if it lacks what a
    release needs. See the module's docstring for the ocid."""
    return _Mapper(root, ocid_prefix).release()
