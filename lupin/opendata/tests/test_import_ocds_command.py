"""`lupin import-ocds PATH…`: the summary, the progress bar, the problems file, the exit status
and both spellings of the name."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from lupin.__main__ import command_name
from lupin.opendata.import_cli import SHOWN_PROBLEMS
from lupin.opendata.models import ExternalNotice
from lupin.opendata.tests.ocds_helpers import package, release, write

pytestmark = pytest.mark.django_db


def command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_ocds", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def messy(folder: Path, problems: int = 3) -> Path:
    """A package whose releases have `problems` initiation types outside the codelist."""
    releases = [
        release(ocid=f"ocds-test00-{n}", initiationType="planning") for n in range(problems)
    ]
    return write(folder, "messy.json", package(*releases))


def test_the_command_prints_a_summary_and_the_problems(tmp_path: Path) -> None:
    messy(tmp_path)
    write(tmp_path, "broken.json", "{")

    out, _ = command(str(tmp_path))

    lines = out.splitlines()
    assert lines[:4] == [
        "Files: 2 read, 0 could not be read.",
        "Processes: 3 new, 0 updated, 0 unchanged.",
        "Releases: 3 new, 0 changed, 0 unchanged; 0 read twice (identical), 0 not imported.",
        "Problems: 4 (invalid-json 1, not-in-codelist 3).",
    ]
    assert any("broken.json: $: [invalid-json]" in line for line in lines)
    assert f"{tmp_path / 'messy.json'}: $.releases[2].initiationType: [not-in-codelist]" in out


def test_a_second_import_reports_everything_unchanged(tmp_path: Path) -> None:
    messy(tmp_path)
    command(str(tmp_path))

    out, _ = command(str(tmp_path))

    assert "Processes: 0 new, 0 updated, 3 unchanged." in out
    assert "Releases: 0 new, 0 changed, 3 unchanged;" in out


def test_only_the_first_problems_are_listed_unless_asked_for_all(tmp_path: Path) -> None:
    messy(tmp_path, problems=SHOWN_PROBLEMS + 5)

    out, _ = command(str(tmp_path))
    every, _ = command(str(tmp_path), "-v", "2")

    assert out.count("[not-in-codelist]") == SHOWN_PROBLEMS
    assert "… and 5 more (-v 2 lists them all, --problems-csv FILE saves them)." in out
    assert every.count("[not-in-codelist]") == SHOWN_PROBLEMS + 5


def test_every_problem_goes_to_the_csv_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    messy(data, problems=SHOWN_PROBLEMS + 5)
    report = tmp_path / "problems.csv"

    out, _ = command(str(data), "--problems-csv", str(report))

    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[0] == ["file", "where", "kind", "message"]
    assert len(rows) == 1 + SHOWN_PROBLEMS + 5
    assert rows[1][:3] == [
        str(data / "messy.json"),
        "$.releases[0].initiationType",
        "not-in-codelist",
    ]
    assert "… and 5 more, all in the CSV file." in out


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    messy(tmp_path)

    assert command(str(tmp_path), "--quiet") == ("", "")
    assert ExternalNotice.objects.count() == 3


def test_the_progress_bar_goes_to_stderr_when_asked(tmp_path: Path) -> None:
    messy(tmp_path)

    _, quiet_err = command(str(tmp_path))  # stderr is not a terminal here
    _, err = command(str(tmp_path), "--progress")

    assert quiet_err == ""
    assert "Reading" in err and "Merging" in err and "processes" in err


def test_a_missing_path_exits_1_after_importing_the_others(tmp_path: Path) -> None:
    messy(tmp_path)
    out = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_ocds", str(tmp_path / "nowhere.json"), str(tmp_path), stdout=out)

    assert refused.value.returncode == 1
    assert ExternalNotice.objects.count() == 3
    assert "Files: 1 read, 1 could not be read." in out.getvalue()
    assert "nowhere.json: [unreadable] No such file or folder." in out.getvalue()


def test_a_folder_without_ocds_files_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no OCDS here")

    with pytest.raises(CommandError) as refused:
        command(str(tmp_path))

    assert refused.value.returncode == 1


def test_an_unwritable_problems_file_is_a_usage_error(tmp_path: Path) -> None:
    messy(tmp_path)

    with pytest.raises(CommandError) as refused:
        command(str(tmp_path), "--problems-csv", str(tmp_path / "no" / "such" / "dir.csv"))

    assert refused.value.returncode == 2
    assert ExternalNotice.objects.count() == 0


def test_the_publisher_option_names_the_source(tmp_path: Path) -> None:
    messy(tmp_path, problems=1)

    command(str(tmp_path), "--publisher", "Doffin")

    assert ExternalNotice.objects.get().publisher == "Doffin"


def test_the_command_can_be_spelt_with_a_dash() -> None:
    assert command_name(["lupin", "import-ocds", "data/x.json"]) == [
        "lupin",
        "import_ocds",
        "data/x.json",
    ]
    assert command_name(["lupin", "help", "import-ocds"]) == ["lupin", "help", "import_ocds"]
    assert command_name(["lupin", "--version"]) == ["lupin", "--version"]
    assert command_name(["lupin", "import_ocds", "a-b.json"])[2] == "a-b.json"


def test_lupin_import_ocds_runs_from_the_shell(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LUPIN_DEBUG": "1",
        "LUPIN_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lupin.settings",
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "lupin", "import-ocds", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "--problems-csv" in done.stdout
