"""`lupin import-eforms`: valid notices are stored once, broken ones reported, the rest imported."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lupin.__main__ import command_name
from lupin.opendata.eforms import import_notices
from lupin.opendata.importer import ImportSummary
from lupin.opendata.models import ExternalNotice, ImportedRelease, NoticeSource
from lupin.opendata.tests.eforms_helpers import NOTICES, line_of, notice_text

pytestmark = pytest.mark.django_db

CN_OCID = "ocds-lupin0-4805c409-5939-4be9-8abd-837f7a5fee23"
NORWEGIAN_OCID = "ocds-lupin0-08921c1a-89a4-4b71-90ff-63f11972d7e2"
BAD_AMOUNT = ('currencyID="NOK">16000000<', 'currencyID="NOK">16 000 000 kr<')


@pytest.fixture(autouse=True)
def prefix(settings):
    settings.LUPIN_OCID_PREFIX = "ocds-lupin0"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*paths: Path) -> ImportSummary:
    summary = ImportSummary()
    import_notices(list(paths), summary=summary)
    return summary


def test_a_broken_notice_is_reported_and_the_others_are_imported(tmp_path):
    good = write(tmp_path, "cn.xml", notice_text("cn_24_minimal.xml"))
    broken_text = notice_text("no__eu_cn_24.xml", BAD_AMOUNT)
    broken = write(tmp_path, "broken.xml", broken_text)

    summary = run(broken, good)

    (problem,) = summary.problems
    assert problem.file == str(broken)
    line = line_of(broken_text, "16 000 000 kr")
    assert problem.where == f"line {line}, BT-27-Procedure (cbc:EstimatedOverallContractAmount)"
    assert problem.kind == "invalid-notice"
    assert "16 000 000 kr" in problem.message
    assert summary.releases_skipped == 1
    assert summary.releases_new == 1
    assert list(ImportedRelease.objects.values_list("ocid", flat=True)) == [CN_OCID]
    assert not ExternalNotice.objects.filter(ocid=NORWEGIAN_OCID).exists()
    notice = ExternalNotice.objects.get()
    assert notice.source == NoticeSource.EFORMS
    assert notice.publisher == "Doffin/TED"
    assert ImportedRelease.objects.get().source_file == str(good)


def test_the_same_notice_imported_twice_is_stored_once(tmp_path):
    path = write(tmp_path, "cn.xml", notice_text("cn_24_minimal.xml"))
    first = run(path)
    assert (first.releases_new, first.processes_new) == (1, 1)

    again = run(path)
    assert (again.releases_new, again.releases_unchanged, again.processes_unchanged) == (0, 1, 1)
    copy = write(tmp_path, "copy.xml", path.read_text(encoding="utf-8"))
    both = run(path, copy)
    assert both.releases_repeated == 1
    assert ImportedRelease.objects.count() == 1
    assert ExternalNotice.objects.count() == 1


def test_a_norwegian_notice_fills_the_notice_list_fields(tmp_path):
    path = write(tmp_path, "doffin.xml", notice_text("no__eu_cn_24.xml"))
    summary = run(path)
    assert summary.problems == []
    notice = ExternalNotice.objects.get(ocid=NORWEGIAN_OCID)
    assert notice.title == "25088 Carpentry services, framework agreement"
    assert notice.buyer_name == "Flekkefjord Kommune"
    assert notice.buyer_identifier == "NO-BRC-964967369"
    assert notice.main_cpv == "50000000"
    assert notice.cpv_codes[:3] == ["50000000", "50700000", "45422000"]
    assert notice.nuts_region == "NO092"
    assert (notice.value, notice.currency) == (Decimal("16000000.00"), "NOK")
    assert notice.deadline == datetime(2028, 4, 28, 10, 0, tzinfo=UTC)
    assert notice.published_at == datetime(2025, 1, 15, 11, 0, tzinfo=UTC)
    assert notice.compiled_release()["tender"]["title_no"] == "25088 Snekkertjenester, rammeavtale"


def test_the_award_notice_joins_the_contract_notice_of_its_procedure(tmp_path):
    notice = write(tmp_path, "1-cn.xml", notice_text("cn_24_minimal.xml"))
    award = write(
        tmp_path,
        "2-can.xml",
        notice_text(
            "can_24_minimal.xml",
            (
                "<cbc:ContractFolderID>022d0ef9-6338-42d9-afa4-a87709128061",
                "<cbc:ContractFolderID>4805c409-5939-4be9-8abd-837f7a5fee23",
            ),
        ),
    )
    run(notice, award)
    compiled = ExternalNotice.objects.get().compiled_release()
    assert ImportedRelease.objects.filter(ocid=CN_OCID).count() == 2
    assert compiled["awards"][0]["suppliers"] == [
        {"id": "ORG-0004", "name": "Espaces Verts Lemire"}
    ]
    assert compiled["awards"][0]["value"] == {"amount": 95414, "currency": "EUR"}


def test_a_template_with_placeholders_is_reported_not_imported(tmp_path):
    path = tmp_path / "template.xml"
    shutil.copy(NOTICES / "no__eu_cn_24.xml", path)
    summary = run(path)
    assert [p.kind for p in summary.problems] == ["placeholder"] * 3
    assert summary.problems[0].where.startswith("line 127, OPT-002-notice")
    assert not ImportedRelease.objects.exists()


def test_the_command_imports_a_folder_and_reports_each_refused_file(tmp_path):
    folder = tmp_path / "notices"
    folder.mkdir()
    for name in ("cn_24_minimal.xml", "can_24_maximal.xml", "pin-buyer_24.xml"):
        write(folder, name, notice_text(name))
    write(folder, "not-xml.xml", "<ContractNotice>\n<oops>\n</ContractNotice>\n")
    out = io.StringIO()

    call_command("import_eforms", str(folder), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[:4] == [
        "Files: 4 read, 0 could not be read.",
        "Processes: 3 new, 0 updated, 0 unchanged.",
        "Releases: 3 new, 0 changed, 0 unchanged; 0 read twice (identical), 1 not imported.",
        "Problems: 1 (not-xml 1).",
    ]
    assert lines[4].startswith(f"  {folder / 'not-xml.xml'}: line 3: [not-xml] ")
    assert ExternalNotice.objects.count() == 3


def test_the_command_fails_for_a_missing_path_and_imports_the_rest(tmp_path):
    path = write(tmp_path, "cn.xml", notice_text("cn_24_minimal.xml"))
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_eforms", str(tmp_path / "nowhere.xml"), str(path), stdout=out)
    assert failed.value.returncode == 1
    assert "No such file or folder." in out.getvalue()
    assert ImportedRelease.objects.count() == 1


def test_the_command_can_be_spelt_with_a_dash():
    assert command_name(["lupin", "import-eforms", "x.xml"]) == ["lupin", "import_eforms", "x.xml"]
