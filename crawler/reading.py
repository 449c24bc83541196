"""Reading a fetched HTML page: decode it, extract title, main text and links (resolved,
canonical, with what their own words say, crawler/focus.py), and analyse the text. `read_page`
is a pure function of (body, Content-Type, URL), so it runs in the crawl's reader processes
(crawler/readers.py) while the crawl's own process keeps fetching (its evidence writer stores).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from urllib.parse import urljoin, urlsplit

from crawler.extract import extract
from crawler.focus import LinkScorer
from crawler.problems import decode_html
from crawler.urls import PLAIN_PATH, SKIPPED_EXTENSIONS, canonical, is_http
from nlp.analyze import analyze


def read_page(body: bytes, content_type: str, url: str) -> dict:
    """{"problems": [(kind, detail)], "title", "text", "links": [(url, anchor, score of the
    link's own words)], "analysis": the page's analysis columns, "indicators": rows with offsets
    into "title\\ntext"}."""
    problems = []
    decoded = decode_html(body, content_type)
    if decoded.problem:
        problems.append((decoded.problem, decoded.detail))
    page = extract(decoded.text, url)
    if page.errors:
        problems.append(("broken_html", f"{len(page.errors)} parser errors: {', '.join(page.errors[:5])}"))
    result = analyze("\n".join(t for t in (page.title, page.text) if t), topic=page.on_topic)
    analysis = {
        "lang": result.lang,
        "flagged": int(result.flagged),
        "risk": result.risk,
        "advertising": result.scores["advertising"],
        "brokerage": result.scores["brokerage"],
        "reasons": json.dumps(result.reasons, ensure_ascii=False),
        "organs": _values(result.indicators, "organ"),
        "destinations": _values(result.indicators, "destination"),
        "text_sha256": hashlib.sha256(page.text.encode("utf-8")).hexdigest(),
        "model_version": result.model_version,
    }
    indicators = [
        {"kind": i.kind, "value": i.text, "normalized": i.value, "start": i.start, "end": i.end}
        for i in result.indicators
    ]
    return {"problems": problems, "title": page.title, "text": page.text, "links": links(url, page.links),
            "analysis": analysis, "indicators": indicators}


_SKIP_EXT = tuple("." + e for e in SKIPPED_EXTENSIONS)


def links(base: str, found: list[tuple[str, str]]) -> list[tuple[str, str, float]]:
    """The page's links worth a request: http(s), canonical, not to a file of a type we skip,
    each once, with the score of its own words (anchor text and URL)."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    http = is_http(base)
    seen, out = set(), []
    for href, anchor in found:
        # an absolute URL or an absolute path resolves the same from any page of the site, so a
        # site's menus, repeated on every page, are resolved once (each resolution ~40 us)
        if href.startswith(("http://", "https://")):
            url = _resolve("", href)
        elif href.startswith("/") and not href.startswith("//"):
            if http and PLAIN_PATH.fullmatch(href):  # joined as urljoin would (tests/test_reading.py), 14 us less
                url = None if href.lower().endswith(_SKIP_EXT) else _canonical(origin + href)
            else:
                url = _resolve(origin, href)
        else:
            url = _resolve(base, href)
        if url is None or url in seen:
            continue
        seen.add(url)
        out.append((url, anchor, _text_score(anchor, url)))
    return out


@lru_cache(maxsize=16384)
def _resolve(base: str, href: str) -> str | None:
    """The canonical URL a link leads to, None if it is not http(s) or names a file we skip."""
    url = urljoin(base, href)
    if not is_http(url):
        return None
    url = _canonical(url)
    return None if url is None or urlsplit(url).path.lower().endswith(_SKIP_EXT) else url


def _canonical(url: str) -> str | None:
    """The canonical URL, None for one that cannot be parsed (a port out of range): a link a
    page gets wrong is not followed, and the page is read all the same."""
    try:
        return canonical(url)
    except ValueError:
        return None


@lru_cache(maxsize=16384)  # a menu's links come back with the same words on every page
def _text_score(anchor: str, url: str) -> float:
    return _scorer().text_score(anchor, url)


@cache
def _scorer() -> LinkScorer:
    return LinkScorer()


def _values(indicators, kind: str) -> str:
    """The distinct normalized values of one kind, as a JSON array (Datasette facets on it)."""
    return json.dumps(sorted({i.value for i in indicators if i.kind == kind}))
