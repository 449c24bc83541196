"""Reader processes: the same reading as in the crawl's own process, and a dead reader replaced."""

import asyncio
import os
import signal

import pytest

from crawler.readers import Readers, UnreadablePage
from crawler.reading import read_page

AD = (
    b"<html><head><meta charset=utf-8><title>Kidney transplant in Lahore</title></head><body>"
    b"<p>Kidney transplant package: all inclusive price $45,000, donor arranged within 2 weeks. "
    b"WhatsApp +92 300 1234567.</p><a href='/contact'>contact us</a></body></html>"
)


@pytest.fixture
def readers():
    readers = Readers(1)
    yield readers
    readers.close()


def test_a_reader_process_reads_as_the_crawl_process_would(readers):
    got = asyncio.run(readers.read(AD, "text/html; charset=utf-8", "http://a.example/ad"))
    assert got == read_page(AD, "text/html; charset=utf-8", "http://a.example/ad")
    assert got["analysis"]["flagged"] == 1
    assert ("http://a.example/contact", "contact us") in [(url, anchor) for url, anchor, _ in got["links"]]


def test_a_dead_reader_is_replaced_and_the_page_read(readers):
    async def scenario():
        await readers.read(AD, "text/html", "http://a.example/1")
        (worker,) = readers.workers
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.join()
        again = await readers.read(AD, "text/html", "http://a.example/2")
        return worker, again

    dead, again = asyncio.run(scenario())
    assert again["analysis"]["flagged"] == 1
    assert len(readers.workers) == 1 and readers.workers[0] is not dead


def test_a_page_that_cannot_be_read_is_named_unreadable(readers):
    async def scenario():
        with pytest.raises(UnreadablePage, match="TypeError"):
            await readers.read("not bytes", "text/html", "http://a.example/")
        return await readers.read(AD, "text/html", "http://a.example/")

    assert asyncio.run(scenario())["analysis"]["flagged"] == 1


def test_pages_read_at_once_come_back_each_to_its_own_caller(readers):
    pages = [AD.replace(b"Lahore", city.encode()) for city in ("Cairo", "Manila", "Tehran", "Dhaka", "Lahore")]

    async def scenario():
        return await asyncio.gather(*(readers.read(p, "text/html", f"http://a.example/{i}") for i, p in enumerate(pages)))

    titles = [r["title"] for r in asyncio.run(scenario())]
    assert titles == [f"Kidney transplant in {city}" for city in ("Cairo", "Manila", "Tehran", "Dhaka", "Lahore")]


def test_batched_pages_each_get_their_own_answer_and_a_bad_one_spoils_none(readers):
    """More pages than a batch holds, a page the reader cannot read among them, and a page too
    big to share a batch: every caller gets its own page's answer."""
    from crawler.readers import BATCH, BIG

    big = AD.replace(b"</body>", b"<p>" + b"filler words " * (BIG // 10) + b"</p></body>")
    bodies = [AD.replace(b"Lahore", f"City{i}".encode()) for i in range(2 * BATCH + 3)]
    bodies[3], bodies[BATCH + 1] = "not bytes", big

    async def scenario():
        reads = (readers.read(body, "text/html", f"http://a.example/{i}") for i, body in enumerate(bodies))
        return await asyncio.gather(*reads, return_exceptions=True)

    results = asyncio.run(scenario())
    assert isinstance(results[3], UnreadablePage)
    assert results[BATCH + 1]["title"] == "Kidney transplant in Lahore" and len(results[BATCH + 1]["text"]) > BIG
    others = [(i, r) for i, r in enumerate(results) if i not in (3, BATCH + 1)]
    assert [r["title"] for _, r in others] == [f"Kidney transplant in City{i}" for i, _ in others]


def test_readers_started_but_never_given_a_page_are_stopped_on_close():
    readers = Readers(2)

    async def scenario():
        readers.start()  # as the crawl does when its spider opens
        return await readers.started

    processes = [process for process, _ in asyncio.run(scenario())]
    assert all(p.is_alive() for p in processes) and not readers.workers
    readers.close()
    assert not any(p.is_alive() for p in processes)


def test_links_resolve_as_urljoin_would_from_any_page():
    """Absolute URLs and absolute paths are resolved once per site (crawler/reading.py caches
    them by origin): from two pages of a site they resolve as urljoin does from each."""
    from crawler.reading import links

    found = [("/a/../kidney", "k"), ("x?b=2&a=1", "rel"), ("//other.example/y", "sr"), ("mailto:a@b.c", "m"),
             ("/doc.PDF", "pdf"), ("HTTP://Up.Example/Z", "up"), ("#top", "frag")]
    assert [u for u, _, _ in links("http://site.example/dir/p.html?q=1", found)] == [
        "http://site.example/kidney", "http://site.example/dir/x?a=1&b=2", "http://other.example/y",
        "http://up.example/Z", "http://site.example/dir/p.html?q=1",
    ]
    assert [u for u, _, _ in links("https://site.example:8443/", found)] == [
        "https://site.example:8443/kidney", "https://site.example:8443/x?a=1&b=2", "https://other.example/y",
        "http://up.example/Z", "https://site.example:8443/",
    ]


def test_absolute_paths_join_as_urljoin_and_canonicalize_url_would():
    """Plain absolute paths are joined by hand (crawler/reading.py); every other one through urljoin."""
    from urllib.parse import urljoin, urlsplit

    from w3lib.url import canonicalize_url

    from crawler.reading import _SKIP_EXT, links
    from tests.test_urls import random_urls

    hrefs = [href for url in random_urls(5_000, seed=2) if (href := "/" + url.split("/", 3)[-1])[:2] != "//"]
    for base in ("http://site.example/dir/p.html", "https://Site.Example:8443/", "http://127.0.0.1:8000/p/3"):
        got = {url for url, _, _ in links(base, [(href, "") for href in hrefs])}
        expected = {canonicalize_url(urljoin(base, href), keep_fragments=False) for href in hrefs}
        assert got == {url for url in expected if not urlsplit(url).path.lower().endswith(_SKIP_EXT)}


def test_a_link_with_a_port_out_of_range_is_dropped_and_the_page_read():
    page = read_page(b"<title>t</title><p>text</p><a href='http://a.example:99999/x'>bad</a><a href='/ok'>ok</a>",
                     "text/html", "http://a.example/")
    assert [url for url, _, _ in page["links"]] == ["http://a.example/ok"]
