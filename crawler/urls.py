"""URL facts: canonical form, registered domain (offline public-suffix list), scope."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract
from w3lib.url import canonicalize_url

# The suffix list bundled with tldextract, never fetched from the network; private suffixes
# (blogspot.com, github.io ...) count, so each blog is its own site.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@lru_cache(maxsize=65536)  # a site's navigation links come back on every page
def canonical(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False)


def registered_domain(url_or_host: str) -> str:
    """'https://www.bbc.co.uk/x' -> 'bbc.co.uk'; an IP address or a bare host stays as it is."""
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    return _host_domain((host or "").lower().rstrip("."))


@lru_cache(maxsize=65536)  # by host: a site's URLs are many, its hosts few
def _host_domain(host: str) -> str:
    if not host:
        return ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    result = _extract(host)
    return result.top_domain_under_public_suffix or host


def is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
