import random

import pytest
from w3lib.url import canonicalize_url

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


def random_urls(n: int, seed: int) -> list[str]:
    """URLs near the plain ones canonical() returns as they are: dots, dot segments, doubled
    slashes, upper case, ports with leading zeros or out of range, queries, escapes."""
    rng = random.Random(seed)
    urls = []
    for _ in range(n):
        path = "/" + "".join(rng.choice("abcAZ09._~-/....") for _ in range(rng.randint(0, 12)))
        host = "".join(rng.choice("ab0.-") for _ in range(rng.randint(1, 6)))
        port = rng.choice(["", "", ":80", ":8000", ":0", ":080", ":65535", ":65536", ":99999"])
        tail = rng.choice(["", "", "", "?b=1&a=2", "#top", "%7e", "%41"])
        urls.append(f"{rng.choice(['http', 'https', 'HTTP'])}://{rng.choice([host, host.upper()])}{port}{path}{tail}")
    return urls


def test_canonical_is_w3libs_for_plain_urls_and_the_others():
    for url in random_urls(20_000, seed=1):
        try:
            expected = canonicalize_url(url, keep_fragments=False)
        except ValueError:
            with pytest.raises(ValueError):
                canonical(url)
            continue
        assert canonical(url) == expected, url
    assert canonical("http://a.example:0080/x") == "http://a.example:80/x"
    with pytest.raises(ValueError, match="[Pp]ort"):
        canonical("http://a.example:99999/x")


def test_skipped_extensions_are_scrapys():
    from scrapy.linkextractors import IGNORED_EXTENSIONS

    from crawler.urls import SKIPPED_EXTENSIONS

    assert list(SKIPPED_EXTENSIONS) == IGNORED_EXTENSIONS
