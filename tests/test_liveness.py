"""Liveness: rechecks of a loopback site whose pages change, disappear and come back."""

import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.liveness import Visit, VisitLog, apply_visits, judge, site_down_domains
from crawler.store import Store
from tests.conftest import FAST, organwatch

AD = "<html><head><title>Kidney for sale</title></head><body><p>Kidney for sale, donor available, blood group O+, "
AD_END = "price 40000 USD, transplant in 2 weeks abroad. WhatsApp +92 300 1234567.</p>{extra}</body></html>"


class MutableSite:
    """One loopback site whose pages the test edits: path -> (status, html)."""

    def __init__(self):
        self.pages = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, body = site.pages.get(self.path, (404, "<html><body>not found</body></html>"))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = MutableSite()
    links = '<a href="/ad/1">one</a> <a href="/ad/2">two</a>'
    s.pages = {"/": (200, f"<html><body><p>Classifieds</p>{links}</body></html>"),
               "/ad/1": (200, AD + AD_END.format(extra="")), "/ad/2": (200, AD + AD_END.format(extra="<p>Call now.</p>"))}
    yield s
    s.close()


def events(db, url):
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "select e.event from page_events e join pages p on p.id = e.page_id where p.url = ? order by e.id", [url]
    ).fetchall()
    conn.close()
    return [r[0] for r in rows]


def page(db, url):
    conn = sqlite3.connect(db)
    row = conn.execute("select live, gone_since, failures from pages where url = ?", [url]).fetchone()
    conn.close()
    return row


def test_page_goes_gone_after_n_failures_and_comes_back(site, tmp_path):
    db = str(tmp_path / "l.db")
    run = ["--db", db, "--allow-private", *FAST, "-s", "ORGANWATCH_GONE_AFTER=2", "-s", "RETRY_ENABLED=False"]
    assert organwatch("crawl", site.base + "/", *run).returncode == 0
    one, two = site.base + "/ad/1", site.base + "/ad/2"
    del site.pages["/ad/1"]
    site.pages["/ad/2"] = (200, site.pages["/ad/2"][1].replace("Call now.", "Call today."))
    result = organwatch("recheck", "--url", one, "--url", two, *run)
    assert result.returncode == 0, result.stderr
    assert page(db, one)[0] == 1  # one failure is not gone
    assert organwatch("recheck", "--url", one, *run).returncode == 0
    live, gone_since, failures = page(db, one)
    assert (live, failures) == (0, 2) and gone_since
    site.pages["/ad/1"] = (200, AD + AD_END.format(extra=""))
    assert organwatch("recheck", "--url", one, *run).returncode == 0
    assert events(db, one) == ["seen", "failed", "failed", "gone", "back"]
    assert events(db, two) == ["seen", "changed"]
    assert page(db, one) == (1, None, 0)


def visit(url, outcome="fail", network=True, **kw):
    return Visit(url=url, domain="a.example", at="2026-03-01T10:00:00.000000Z", outcome=outcome, network=network,
                 reason="ConnectionRefusedError", **kw)


def spooled(visits: list[Visit]) -> VisitLog:
    """The visits as the crawl keeps them: in a temporary file."""
    log = VisitLog()
    for v in visits:
        log.append(v)
    return log


def test_visit_log_gives_back_every_visit_each_time_it_is_read():
    first = [visit(f"https://a.example/{n}") for n in range(3)]
    log = spooled(first)
    assert list(log) == first and list(log) == first
    log.append(visit("https://b.example/1", outcome="ok"))  # the crawl goes on after a read
    assert [v.url for v in log] == [v.url for v in first] + ["https://b.example/1"]
    log.close()


def apply(store: Store, batch: list[Visit], keep) -> None:
    visits = keep(batch)
    apply_visits(store, None, visits, gone_after=3)
    if isinstance(visits, VisitLog):
        visits.close()


@pytest.mark.parametrize("keep", [list, spooled])
def test_whole_site_down_counts_once_a_day(tmp_path, keep):
    store = Store(tmp_path / "s.db")
    urls = ["https://a.example/1", "https://a.example/2"]
    for url in urls:
        store.record({"url": url, "fetched_at": "2026-02-01T00:00:00Z", "status": 200},
                     {"url": url, "domain": "a.example", "text": "x"})
    for hour in range(10, 15):  # five failed rechecks on one bad day
        batch = [visit(u) for u in urls]
        for v in batch:
            v.at = f"2026-03-01T{hour}:00:00.000000Z"
        apply(store, batch, keep)
    assert {r["failures"] for r in store.db["pages"].rows} == {1}
    assert {r["live"] for r in store.db["pages"].rows} == {1}
    for day in ("02", "03"):
        batch = [visit(u) for u in urls]
        for v in batch:
            v.at = f"2026-03-{day}T10:00:00.000000Z"
        apply(store, batch, keep)
    assert {(r["live"], r["gone_since"]) for r in store.db["pages"].rows} == {(0, "2026-03-01T10:00:00.000000Z")}
    store.close()


@pytest.mark.parametrize("visits, down", [
    ([("fail", True)], {"a.example"}),  # one page, the network failed: the site is down
    ([("fail", False)], set()),  # one page answered 404: not enough to call the site down
    ([("fail", False), ("fail", False)], {"a.example"}),
    ([("fail", True), ("ok", False)], set()),
    ([("inconclusive", False), ("fail", True)], {"a.example"}),  # inconclusive answers do not count
    ([("inconclusive", False)], set()),
])
def test_site_down_needs_every_counted_visit_failed(visits, down):
    made = [visit(f"https://a.example/{n}", outcome=o, network=net) for n, (o, net) in enumerate(visits)]
    assert site_down_domains(made) == down


def test_one_page_404_while_site_answers_is_not_site_down():
    visits = [visit("https://a.example/1", network=False), visit("https://a.example/2", outcome="ok", network=False)]
    assert site_down_domains(visits) == set()


@pytest.mark.parametrize("item, prior, outcome", [
    ({"status": 410}, {"text_sha256": "a", "flagged": 1, "live": 1}, "fail"),
    ({"status": 503, "error": "HTTP 503"}, {"text_sha256": "a", "flagged": 1, "live": 1}, "inconclusive"),
    ({"status": 200, "page": {"text_sha256": "b", "flagged": 0}}, {"text_sha256": "a", "flagged": 1, "live": 1},
     "fail"),
    ({"status": 200, "page": {"text_sha256": "a", "flagged": 0}}, {"text_sha256": "a", "flagged": 1, "live": 1},
     "ok"),
])
def test_judge_visits(item, prior, outcome):
    item = {"url": "https://a.example/1", "fetched_at": "2026-03-01T00:00:00Z", **item}
    assert judge(item, prior).outcome == outcome
