"""The bundled sample web (used by `organwatch demo`): crawled on loopback with the polite
defaults (robots.txt obeyed), every crawlable page of the manifest lands in `pages`."""

import json
import sqlite3

import pytest

from crawler.sampleweb.server import SITES_DIR, SampleWeb
from tests.conftest import organwatch

MANIFEST = [json.loads(line) for line in (SITES_DIR / "manifest.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    db = tmp_path_factory.mktemp("sampleweb") / "demo.db"
    with SampleWeb() as web:
        result = organwatch(
            "crawl", *web.seeds(), "--db", str(db), "--allow-private",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4",
        )
        bases = dict(web.bases)
    assert result.returncode == 0, result.stderr
    con = sqlite3.connect(db)
    return bases, {url: (lang, flagged) for url, lang, flagged in con.execute("select url, lang, flagged from pages")}


def test_manifest_is_big_and_varied_enough():
    assert len(MANIFEST) >= 60
    assert len({m["lang"] for m in MANIFEST}) >= 8
    assert len({m["site"] for m in MANIFEST}) >= 10


def test_every_crawlable_page_is_stored_and_robots_disallowed_ones_are_not(crawl):
    bases, pages = crawl
    crawlable = {bases[m["site"]] + m["path"] for m in MANIFEST if m["crawlable"]}
    hidden = {bases[m["site"]] + m["path"] for m in MANIFEST if not m["crawlable"]}
    assert crawlable <= set(pages)
    assert not hidden & set(pages)


def test_languages_of_the_sample_web(crawl):
    bases, pages = crawl
    wrong = [
        (m["path"], m["lang"], pages[bases[m["site"]] + m["path"]][0])
        for m in MANIFEST
        if m["crawlable"] and pages[bases[m["site"]] + m["path"]][0] != m["lang"]
    ]
    assert len(wrong) <= len(MANIFEST) // 20, wrong
