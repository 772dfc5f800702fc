"""How the public project list and the projects API scale from 10 to 200 published projects.

Run: .venv/bin/python bench/bench_project_list.py [--repeat N]

Builds the projects in a throw-away SQLite database (never touches var/), then requests
/projects/ and GET /api/v1/projects with Django's test client, counting queries and timing each
request. A page that stays flat has the same query count at 10 and 200 projects and a time ratio
near 1 (both are paginated). Prints numbers only: wall-clock limits are never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

SIZES = (10, 200)
URLS = ("/projects/", "/api/v1/projects")


def setup_django(var_dir: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["LUPIN_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("LUPIN_DEBUG", "1")
    os.environ.setdefault("LUPIN_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lupin.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def add_projects(count: int, start: int) -> None:
    """Published projects of one buyer, each with CPV codes and a benefit, as the demo has."""
    from lupin.accounts.models import Organisation, OrganisationKind, Role, User
    from lupin.projects import actions
    from lupin.projects.actions import BenefitData, ProjectData
    from lupin.projects.models import BenefitCategory

    organisation, _ = Organisation.objects.get_or_create(
        org_number="964338531",
        defaults={"kind": OrganisationKind.BUYER, "name": "Fjordvik kommune"},
    )
    buyer = User.objects.filter(username="bench-buyer").first() or User.objects.create_user(
        username="bench-buyer", organisation=organisation, role=Role.BUYER_ADMIN
    )
    for number in range(start, start + count):
        project = actions.create_project(
            buyer,
            ProjectData(
                title=f"Velferdsteknologi i hjemmetjenesten {number}",
                need_statement="Hjemmeboende eldre trenger trygghet om natten.",
                estimated_value=Decimal("2500000"),
                nuts_region="NO0A2",
                cpv_codes=("33196200", "72000000"),
            ),
        )
        actions.add_benefit(
            buyer,
            project,
            BenefitData(
                category=BenefitCategory.PROCESS_HOURS,
                description="Færre unødvendige nattbesøk",
                baseline=Decimal("120"),
                target=Decimal("60"),
                unit="besøk per uke",
                owner="Leder hjemmetjenesten",
                yearly_value=Decimal("900000"),
            ),
        )
        actions.publish_project(buyer, project)


def measure(url: str, repeat: int) -> tuple[int, float]:
    """Queries of one request and the median milliseconds of `repeat` requests."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(url)  # warm caches (templates, CPV list) so every size pays the same
    # The query log is a bounded deque that building the projects filled; counting needs room.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return len(queries), statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests timed per URL and size")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lupin-bench-") as var_dir:
        setup_django(var_dir)
        results: dict[tuple[str, int], tuple[int, float]] = {}
        built = 0
        for size in SIZES:
            add_projects(size - built, start=built)
            built = size
            for url in URLS:
                results[url, size] = measure(url, args.repeat)

        small, large = SIZES
        print(f"{'URL':<20} {'projects':>8} {'queries':>8} {'ms/request':>11}")
        for url in URLS:
            for size in SIZES:
                queries, ms = results[url, size]
                print(f"{url:<20} {size:>8} {queries:>8} {ms:>11.1f}")
        print()
        for url in URLS:
            (q_small, t_small), (q_large, t_large) = results[url, small], results[url, large]
            same = "yes" if q_small == q_large else f"no ({q_small} → {q_large})"
            print(
                f"{url:<20} time({large})/time({small}) = {t_large / t_small:.2f}   "
                f"queries equal: {same}"
            )


if __name__ == "__main__":
    main()
