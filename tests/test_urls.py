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
