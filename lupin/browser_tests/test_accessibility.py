"""axe-core on the public pages, in bokmål and English: no serious or critical violations."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from lupin.browser_tests.conftest import set_language
from lupin.projects.models import Project

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
# The WCAG 2.1 A and AA rules (the level Norwegian law requires) and axe's best practices.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
}


def describe(url: str, violation: dict[str, Any]) -> str:
    lines = [f"{url}: {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
        lines.extend(
            f"      - {summary}" for summary in node.get("failureSummary", "").splitlines()
        )
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_public_pages_have_no_serious_accessibility_violations(
    page: Page, live_server: LiveServer, published_project: Project, language: str
) -> None:
    set_language(page, live_server, language)
    axe = Axe()
    problems: list[str] = []
    for url in [
        "/",
        "/projects/",
        f"/projects/{published_project.pk}/",
        "/accounts/login/",
        "/accounts/register/",
        "/opendata/",
        "/notices/",
    ]:
        response = page.goto(url)
        if response is None or not response.ok:
            status = response.status if response else "no response"
            problems.append(f"{url}: the page did not load (HTTP {status})")
            continue
        page_language = page.locator("html").get_attribute("lang")
        if page_language != language:
            problems.append(f"{url}: <html lang={page_language!r}>, expected {language!r}")
        results = axe.run(page, options=AXE_OPTIONS)
        problems.extend(
            describe(url, violation)
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
