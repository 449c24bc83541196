"""Focus: link scores, off-site hops within a budget, and harvest rate / target recall per crawl."""

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.focus import SITE_PAGES, LinkScorer, link_score, priority, site_weight
from crawler.traps import TrapDetector, url_pattern
from tests.conftest import FAST, organwatch

LEXICON = {
    "organ": {"kidney": {"kidney", "kidneys"}},
    "sell": {"sell": {"for sale"}},
    "donor_offer": {"donor_offer": {"donor provided"}},
    "food": {"food": {"recipe", "beans"}},
}


@pytest.fixture(scope="module")
def scorer():
    return LinkScorer(LEXICON)


def test_anchor_text_about_organs_for_sale_scores_above_a_recipe(scorer):
    assert scorer.text_score("Kidney for sale, donor provided", "http://a.example/x") > scorer.text_score(
        "Kidney beans recipe", "http://a.example/y"
    )


def test_url_words_count(scorer):
    assert scorer.text_score("more", "http://a.example/kidney-for-sale.html") > scorer.text_score("more", "http://a.example/p/1")


def test_the_risk_of_the_page_a_link_was_found_on_counts(scorer):
    words = scorer.text_score("next", "http://a.example/2")
    assert link_score(words, page_risk=90) > link_score(words, page_risk=5)


def test_scores_and_priorities_stay_in_range(scorer):
    score = link_score(scorer.text_score("kidney kidneys for sale donor provided", "http://a.example/kidney/for-sale"), 100, 1.0)
    assert 0 <= score <= 1 and 0 <= priority(score) <= 100


def test_a_site_keeps_its_weight_while_its_pages_are_flagged_and_loses_it_when_none_is():
    assert site_weight(0, 0) == 1.0  # not read yet
    assert site_weight(SITE_PAGES, 1) == 1.0 and site_weight(40, 30) == 1.0
    assert site_weight(SITE_PAGES, 0) == 0.5
    weights = [site_weight(n, 0) for n in range(0, 200, 10)]
    assert weights == sorted(weights, reverse=True) and weights[-1] < 0.06


def test_the_shipped_lexicon_loads_into_a_scorer():
    assert isinstance(LinkScorer().phrases, dict)


@pytest.mark.parametrize(
    "a,b",
    [
        ("http://x.example/calendar/2024/01", "http://x.example/calendar/1999/12"),
        ("http://x.example/s?q=1&page=2", "http://x.example/s?page=9&q=kidney"),
        ("http://x.example/item/3f2b9c1e-1a2b-4c3d-9e8f-0123456789ab", "http://x.example/item/aaaaaaaa-1a2b-4c3d-9e8f-0123456789ab"),
    ],
)
def test_url_pattern_makes_numbers_and_ids_generic(a, b):
    assert url_pattern(a) == url_pattern(b)


def test_trap_detector_caps_a_pattern():
    traps = TrapDetector(pattern_cap=3)
    verdicts = [traps.check(f"http://x.example/day/{d}") for d in range(5)]
    assert [v is None for v in verdicts] == [True, True, True, False, False]


@pytest.mark.parametrize("url", ["http://x.example/a/b/a/b/a/b/a/b", "http://x.example/" + "x" * 600])
def test_trap_detector_refuses_repeating_and_overlong_urls(url):
    assert TrapDetector().check(url) is not None


# Three sites on three loopback addresses: A (the seed) links to B, B links to C.
class _Site(BaseHTTPRequestHandler):
    next_site = ""

    def log_message(self, *args):
        pass

    def do_GET(self):
        link = f'<a href="{self.next_site}/">kidney for sale</a>' if self.next_site else ""
        body = f"<html><title>site {self.server.server_address[0]}</title><body><p>Hello.</p>{link}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def chain():
    servers, bases = [], []
    next_site = ""
    for host in ("127.0.0.5", "127.0.0.4", "127.0.0.3"):  # built from the end of the chain
        handler = type("Site", (_Site,), {"next_site": next_site})
        server = ThreadingHTTPServer((host, 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        next_site = f"http://{host}:{server.server_address[1]}"
        bases.insert(0, next_site)
    yield bases
    for server in servers:
        server.shutdown()
        server.server_close()


def crawled_hosts(db):
    return sorted({u.split("/")[2].split(":")[0] for (u,) in sqlite3.connect(db).execute("select url from pages")})


@pytest.fixture(scope="module")
def one_hop(chain, tmp_path_factory):
    """A crawl of A with --follow-offsite 1 and B, C as targets."""
    folder = tmp_path_factory.mktemp("focus")
    targets = folder / "targets.txt"
    targets.write_text(f"{chain[1]}/\n{chain[2]}/\n")
    db = folder / "one-hop.db"
    result = organwatch(
        "crawl", chain[0] + "/", "--db", str(db), "--allow-private", "--follow-offsite", "1", "--targets", str(targets), *FAST
    )
    assert result.returncode == 0, result.stderr
    return db


def test_follow_offsite_goes_as_many_domain_hops_as_asked(one_hop):
    assert crawled_hosts(one_hop) == ["127.0.0.3", "127.0.0.4"]


def test_without_follow_offsite_the_crawl_stays_on_the_seeds_domains(chain, tmp_path):
    db = tmp_path / "o.db"
    result = organwatch("crawl", chain[0] + "/", "--db", str(db), "--allow-private", *FAST)
    assert result.returncode == 0, result.stderr
    assert crawled_hosts(db) == ["127.0.0.3"]


def test_crawl_records_harvest_rate_and_target_recall(one_hop):
    harvest, recall, stats = sqlite3.connect(one_hop).execute("select harvest_rate, target_recall, stats from crawls").fetchone()
    stats = json.loads(stats)
    assert recall == 0.5 and stats["organwatch/targets_found"] == 1
    assert harvest == stats["organwatch/flagged"] / stats["organwatch/pages"]


def test_links_carry_their_focus_score(chain, one_hop):
    scores = dict(sqlite3.connect(one_hop).execute("select url, focus_score from captures"))
    assert scores[chain[0] + "/"] == 1.0 and 0 < scores[chain[1] + "/"] < 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["--follow-offsite", "-1"], "--follow-offsite takes a number of hops >= 0, got -1"),
        (["--targets", "{tmp}/missing.txt"], "missing.txt: seeds file not found"),
        (["--targets", "{tmp}/bad.txt"], "bad.txt:2: only http and https URLs can be crawled"),
    ],
)
def test_bad_focus_options_exit_2_naming_the_value(tmp_path, args, message):
    (tmp_path / "bad.txt").write_text("https://ok.example/\nftp://no.example/\n")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = organwatch("crawl", "https://a.example/", "--db", str(tmp_path / "x.db"), *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr


class _Talker(BaseHTTPRequestHandler):
    """A site that talks about kidney transplants on every page and advertises none: /N links
    to /N+1 with the same promising anchor."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        n = int(self.path.strip("/") or 0)
        body = (f"<html><title>Notes {n}</title><body><p>Our garden club met on Tuesday to plan the spring planting of beans and tomatoes.</p>"
                f'<a href="/{n + 1}">kidney transplant</a></body></html>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_links_into_a_site_whose_pages_are_not_flagged_lose_score(tmp_path):
    """The same anchor on every page: without the site's record, the scores would settle at one
    value within a few pages; with it, they fall as the site's pages go on being unflagged. The
    next crawl into the same database starts with the site's record."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Talker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    db = tmp_path / "talker.db"
    try:
        for pages in (30, 3):
            result = organwatch("crawl", base + "/", "--db", str(db), "--allow-private", "--max-pages", str(pages), "--depth", "40", *FAST)
            assert result.returncode == 0, result.stderr
    finally:
        server.shutdown()
        server.server_close()
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from pages where flagged").fetchone() == (0,)
    first, again = ({url: score for url, score in con.execute("select url, focus_score from captures where crawl_id = ?", [crawl])}
                    for crawl in (1, 2))
    assert first[f"{base}/5"] > 0.3
    assert first[f"{base}/25"] < 0.6 * first[f"{base}/5"]
    assert again[f"{base}/1"] < 0.6 * first[f"{base}/1"]
