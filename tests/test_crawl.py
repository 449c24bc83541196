"""Crawl the fixture web on loopback, as a user runs it, and read the database."""

import json
import sqlite3

from tests.conftest import FAST, organwatch

HTML_PAGES = {
    "alpha": ["/", "/posts/kidney.html", "/posts/news.html", "/contact.html", "/gbk.html", "/cp1256.html", "/sjis.html"],
    "beta": ["/"],
}


def rows(db, sql):
    return sqlite3.connect(db).execute(sql).fetchall()


def test_every_page_lands_with_language_and_scores(crawled_db, fixture_web):
    expected = {fixture_web.bases[site] + path for site, paths in HTML_PAGES.items() for path in paths}
    got = {r[0]: r[1:] for r in rows(crawled_db, "select url, lang, advertising, brokerage, risk from pages")}
    assert set(got) == expected
    assert all(lang and adv is not None and brok is not None and 0 <= risk <= 100 for lang, adv, brok, risk in got.values())


def test_languages_of_legacy_encoded_pages(crawled_db, fixture_web):
    base = fixture_web.bases["alpha"]
    langs = dict(rows(crawled_db, "select url, lang from pages"))
    assert (langs[base + "/gbk.html"], langs[base + "/cp1256.html"], langs[base + "/sjis.html"]) == ("zh-cn", "ar", "ja")


def test_offsite_links_are_not_followed(crawled_db):
    assert rows(crawled_db, "select count(*) from captures where url like '%who.int%'") == [(0,)]


def test_non_html_is_recorded_as_skipped(crawled_db, fixture_web):
    skipped = rows(crawled_db, "select url, skipped, page_id from captures where skipped is not null")
    assert skipped == [(fixture_web.bases["alpha"] + "/feed.json", "content type application/json", None)]


def test_crawl_row_keeps_stats(crawled_db):
    (status, stats, seeds), = rows(crawled_db, "select status, stats, seeds from crawls")
    assert status == "finished"
    assert json.loads(stats)["organwatch/pages"] == 8
    assert len(json.loads(seeds)) == 2


def test_indicators_are_stored_with_normalized_values(crawled_db, fixture_web):
    found = set(rows(crawled_db, "select kind, normalized from indicators"))
    assert {("phone", "+923001234567"), ("email", "transplant@alpha-medtravel.example")} <= found


def test_second_crawl_adds_captures_not_pages(tmp_path, fixture_web):
    db = tmp_path / "twice.db"
    for _ in range(2):
        result = organwatch("crawl", *fixture_web.seeds(), "--db", str(db), "--allow-private", *FAST)
        assert result.returncode == 0, result.stderr
    (pages, distinct), = rows(db, "select count(*), count(distinct url) from pages")
    assert pages == distinct == 8
    assert rows(db, "select count(*) from captures where page_id is not null") == [(16,)]
    assert rows(db, "select count(*) from pages where first_seen < last_seen") == [(8,)]


def test_progress_and_summary_are_shown(tmp_path, fixture_web):
    result = organwatch(
        "crawl", fixture_web.seeds()[1], "--db", str(tmp_path / "p.db"), "--allow-private", *FAST,
        "-s", "ORGANWATCH_PROGRESS_INTERVAL=0.2",
    )
    assert "done (finished): pages " in result.stderr and "flagged" in result.stderr


def test_max_pages_and_depth_budgets(tmp_path, fixture_web):
    db = tmp_path / "b.db"
    result = organwatch("crawl", fixture_web.seeds()[0], "--db", str(db), "--allow-private", "--depth", "0", *FAST)
    assert result.returncode == 0, result.stderr
    assert rows(db, "select count(*) from pages") == [(1,)]
    # an ordinary crawl warns of nothing ordinary (the parts for --redis or --job are off), only of
    # the safety guard its --allow-private turned off
    warnings = [line for line in result.stderr.splitlines() if " WARNING: " in line]
    assert len(warnings) == 1 and "Disabled crawler.middlewares.PrivateAddressGuard: " in warnings[0], warnings


def test_scrapy_crawl_works_too(tmp_path, fixture_web):
    import subprocess
    import sys

    seeds = tmp_path / "seeds.txt"
    seeds.write_text(fixture_web.seeds()[1] + "\n")
    db = tmp_path / "s.db"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "watch", "-a", f"seeds={seeds}", "-s", f"ORGANWATCH_DB={db}",
         "-s", "ORGANWATCH_ALLOW_PRIVATE=True", "-s", "ORGANWATCH_MAX_DEPTH=0", *FAST],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert rows(db, "select count(*) from pages") == [(1,)]
    # logged at INFO, as this run is: no console that runs code in the crawl's process (Scrapy's default)
    assert "Spider opened" in result.stderr and "Remote control" not in result.stderr
