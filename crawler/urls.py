"""URL facts: canonical form, registered domain (offline public-suffix list), scope."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract
from w3lib.url import canonicalize_url

# The suffix list bundled with tldextract, never fetched from the network; private suffixes
# (blogspot.com, github.io ...) count, so each blog is its own site.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)

# Links to files of these types are not followed: Scrapy's IGNORED_EXTENSIONS (scrapy.linkextractors),
# written out so that reader processes need not import Scrapy; tests/test_urls.py checks they agree.
SKIPPED_EXTENSIONS = (
    "7z", "7zip", "bz2", "rar", "tar", "tar.gz", "xz", "zip", "mng", "pct", "bmp", "gif", "jpg",
    "jpeg", "png", "pst", "psp", "tif", "tiff", "ai", "drw", "dxf", "eps", "ps", "svg", "cdr",
    "ico", "webp", "mp3", "wma", "ogg", "wav", "ra", "aac", "mid", "au", "aiff", "3gp", "asf",
    "asx", "avi", "mov", "mp4", "mpg", "qt", "rm", "swf", "wmv", "m4a", "m4v", "flv", "webm", "xls",
    "xlsm", "xlsx", "xltm", "xltx", "potm", "potx", "ppt", "pptm", "pptx", "pps", "doc", "docb",
    "docm", "docx", "dotm", "dotx", "odt", "ods", "odg", "odp", "css", "pdf", "exe", "bin", "rss",
    "dmg", "iso", "apk", "jar", "sh", "rb", "js", "hta", "bat", "cpl", "msi", "msp", "py"
)


# A path of unreserved characters without dot segments ("/." or "/.."), query or fragment.
_PLAIN_PATH = r"(?:/(?!\.\.?(?:/|$))[A-Za-z0-9._~-]*)+"
PLAIN_PATH = re.compile(_PLAIN_PATH)
# A URL w3lib's canonicalize_url returns as it is: http(s), a lower-case host, a port without a
# leading zero, a plain path. Most links of a crawl are; tests/test_urls.py compares the two.
_PLAIN_URL = re.compile(r"https?://[a-z0-9.-]+(?::(?P<port>[1-9][0-9]{0,4}))?" + _PLAIN_PATH)


def canonical(url: str) -> str:
    """The URL in w3lib's canonical form (query sorted, fragment dropped, escapes normalized);
    ValueError for a URL it cannot parse (a port out of range). A plain URL, already canonical,
    is returned after a regular expression (1 us) instead of canonicalize_url (18 us)."""
    match = _PLAIN_URL.fullmatch(url)
    if match and (match["port"] is None or int(match["port"]) <= 65535):
        return url
    return _canonicalize(url)


@lru_cache(maxsize=65536)  # a site's navigation links come back on every page
def _canonicalize(url: str) -> str:
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
