"""WCAG 2.1 success criterion 1.4.10, Reflow: at 320 CSS pixels wide no page scrolls sideways
(a wide table scrolls inside its own region instead).

Checked on the demo's data, in bokmål (the longer words), on every page a visitor, a buyer, a
supplier and a programme advisor reach by following links from the front page, breadth first, up
to `PAGES` pages each. Downloads, the admin, the API and the development pages are not followed.
"""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError
from pytest_django.live_server_helper import LiveServer

from lupin.accounts.models import User
from lupin.browser_tests.conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser

WIDTH = 320
PAGES = 60
NOT_PAGES = re.compile(
    r"\.(csv|xlsx|json|ics|pdf|xml|zip|txt)$|/download|/files?/|/documents?/\d+/$|/feed"
    r"|^/admin/|^/api/|^/dev/|^/static/|^/media/|logout"
)


# The element whose hiding ends the sideways scroll, the deepest such one (for the message).
CULPRIT = """() => {
  const doc = document.documentElement, wide = doc.scrollWidth;
  let node = document.body, path = [];
  for (;;) {
    const next = [...node.children].find(child => {
      const display = child.style.display; child.style.display = 'none';
      const narrower = doc.scrollWidth < wide; child.style.display = display;
      return narrower;
    });
    if (!next) break;
    path.push(next.tagName.toLowerCase() + (next.className ? '.' + next.className : ''));
    node = next;
  }
  return path.join(' > ') + ': ' + (node.textContent || '').trim().slice(0, 60);
}"""


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("demo", "--force", stdout=StringIO())  # a test server nobody else reaches


def crawl(browser: Browser, live_server: LiveServer, username: str | None) -> tuple[int, list[str]]:
    """(pages seen, the ones wider than WIDTH with their width)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": 800}, locale="nb-NO"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "django_language", "value": "nb", "url": live_server.url}])
    if username is not None:
        client = Client()
        client.force_login(User.objects.get(username=username))
        name = settings.SESSION_COOKIE_NAME
        session = client.cookies[name].value
        context.add_cookies([{"name": name, "value": session, "url": live_server.url}])
    page = context.new_page()
    host = urlparse(live_server.url).netloc
    queue, seen, wide, visited = ["/"], {"/"}, [], 0
    try:
        while queue and visited < PAGES:
            path = queue.pop(0)
            try:
                response = page.goto(path)
            except PlaywrightError:  # a download the pattern did not know
                continue
            if response is None or not response.ok:
                continue
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            visited += 1
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                culprit = page.evaluate(CULPRIT)
                wide.append(f"{path} (as {username or 'a visitor'}): {width} px: {culprit}")
            hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            for href in hrefs:
                url = urlparse(urljoin(live_server.url + path, href))
                if url.netloc != host or url.path in seen or NOT_PAGES.search(url.path):
                    continue
                seen.add(url.path)
                queue.append(url.path)
    finally:
        context.close()
    return visited, wide


@pytest.mark.parametrize("username", [None, "buyer", "supplier", "advisor"])
def test_no_page_scrolls_sideways_at_320_pixels(
    browser: Browser, live_server: LiveServer, demo: None, username: str | None
) -> None:
    visited, wide = crawl(browser, live_server, username)

    assert visited >= 15, f"only {visited} pages were reached"
    assert not wide, "Wider than 320 px:\n" + "\n".join(wide)
