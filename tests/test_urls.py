import pytest

from crawler.urls import canonical, registered_domain


@pytest.mark.parametrize(
    "url, domain",
    [
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),
        ("http://kidney-care.blogspot.com/p/1", "kidney-care.blogspot.com"),  # private suffix: each blog its own site
        ("http://Shop.Example.COM./x", "example.com"),
        ("http://127.0.0.1:8000/", "127.0.0.1"),
        ("https://xn--fiqs8s.xn--fiqs8s/", "xn--fiqs8s.xn--fiqs8s"),
    ],
)
def test_registered_domain_offline(url, domain):
    assert registered_domain(url) == domain


def test_canonical_drops_fragment_and_sorts_query():
    assert canonical("http://a.example/p?b=2&a=1#top") == "http://a.example/p?a=1&b=2"


def test_skipped_extensions_are_scrapys():
    from scrapy.linkextractors import IGNORED_EXTENSIONS

    from crawler.urls import SKIPPED_EXTENSIONS

    assert list(SKIPPED_EXTENSIONS) == IGNORED_EXTENSIONS


def test_reading_a_page_imports_no_scrapy():
    """Reader processes load crawler.reading in the fork server: without Scrapy (and Twisted) it
    preloads 0.4 s sooner, and the crawl waits that much less for its readers."""
    import subprocess
    import sys

    code = "import sys, crawler.reading; print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
