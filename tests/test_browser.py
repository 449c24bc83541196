"""A reviewer and an anonymous visitor in a real browser: Python Playwright driving Debian's
Chromium against `organwatch serve` on loopback. Screenshots go to tests/_artifacts/."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests import review_db
from tests.conftest import REVIEWER, REVIEWER_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "_artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-dev-shm-usage"]

# in CI a missing browser is a failure, not a skip
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="needs Debian's chromium (.ci/run installs it)")


@pytest.fixture(scope="module")
def server(tmp_path_factory, accounts_env):
    db = tmp_path_factory.mktemp("browser") / "organwatch.db"
    ids = review_db.build(db)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=5):
                break
        except OSError:
            time.sleep(0.1)
    yield base, ids
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def test_reviewer_signs_in_reviews_and_sees_the_verdict(server, browser):
    base, ids = server
    page = browser.new_page()
    page.goto(base + "/-/login")
    page.fill("input[name=username]", REVIEWER)
    page.fill("input[name=password]", REVIEWER_PASSWORD)
    page.click("input[type=submit]")
    page.goto(base + "/organwatch/queue")
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
    page.click(f"a[href='/-/page/{ids['ad_a']}']")
    assert review_db.EMAIL in page.inner_text("#ow-text")
    page.check("input[value=confirmed_brokerage]")
    page.fill("textarea[name=note]", "Same WhatsApp as broker-b")
    page.click("#ow-review-form input[type=submit]")
    assert page.inner_text("#ow-status") == "confirmed_brokerage"
    assert "Same WhatsApp as broker-b" in page.inner_text("#ow-reviews")
    page.screenshot(path=str(ARTIFACTS / "reviewed_page.png"), full_page=True)
    page.close()


def test_anonymous_visitor_sees_redacted_contacts(server, browser):
    base, ids = server
    page = browser.new_page()
    page.goto(base + f"/-/page/{ids['ad_a']}")
    text = page.inner_text("#ow-text")
    assert "+92•••67" in text and review_db.EMAIL not in text and review_db.TELEGRAM not in text
    assert page.locator("#ow-review-form").count() == 0
    page.screenshot(path=str(ARTIFACTS / "anonymous_page.png"), full_page=True)
    page.goto(base + "/-/overview")
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    page.close()


def test_hostile_page_runs_no_script(server, browser):
    base, ids = server
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + f"/-/page/{ids['hostile']}")
    page.wait_for_load_state("load")
    assert dialogs == [] and "<script>alert(2)</script>" in page.inner_text("#ow-text")
    page.close()
