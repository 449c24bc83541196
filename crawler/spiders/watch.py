"""Spider `watch`: from seeds, follow links within each seed's registered domain, within the
depth and page budgets, and hand every fetch (page, skipped content, or failure) to the
pipelines as a capture item.

    scrapy crawl watch -a seeds=seeds.txt -a urls=https://a.example/,https://b.example/
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS

from crawler.extract import extract
from crawler.seeds import collect_seeds
from crawler.urls import canonical, is_http, registered_domain

HTML_TYPES = ("text/html", "application/xhtml+xml")
_SKIP_EXT = {"." + e for e in IGNORED_EXTENSIONS}


def utc(ts: datetime | None = None) -> str:
    return (ts or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WatchSpider(scrapy.Spider):
    name = "watch"

    def __init__(self, seeds: str | None = None, urls: str | list[str] | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(urls, str):
            urls = [u for u in urls.replace(",", " ").split() if u]
        self.seed_urls = collect_seeds(urls or [], seeds)
        if not self.seed_urls:
            raise ValueError("no seeds: give URLs (-a urls=...) or a seeds file (-a seeds=FILE)")
        self.scope = {registered_domain(u) for u in self.seed_urls}
        self.scheduled: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.domain_cap = crawler.settings.getint("ORGANWATCH_DOMAIN_PAGE_CAP", 2000)
        spider.max_depth = crawler.settings.getint("ORGANWATCH_MAX_DEPTH", 10)
        return spider

    async def start(self):
        for url in self.seed_urls:
            self.scheduled[registered_domain(url)] += 1
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, meta={"seed": url})

    def parse(self, response):
        item = self._capture(response)
        content_type = item["content_type"]
        if not isinstance(response, TextResponse) or not content_type.startswith(HTML_TYPES):
            item["skipped"] = f"content type {content_type or 'unknown'}"
            yield item
            return
        page = extract(response.text, response.url)
        item["page"] = {
            "url": canonical(response.request.url),
            "domain": registered_domain(response.url),
            "title": page.title,
            "text": page.text,
        }
        yield item
        yield from self._follow(response, page.links)

    def _follow(self, response, links):
        if response.meta.get("depth", 0) >= self.max_depth:
            return
        seed = response.meta.get("seed")
        seen = set()
        for href, anchor in links:
            url = urljoin(response.url, href)
            if not is_http(url):
                continue
            url = canonical(url)
            path = urlsplit(url).path.lower()
            if url in seen or any(path.endswith(ext) for ext in _SKIP_EXT):
                continue
            seen.add(url)
            domain = registered_domain(url)
            if domain not in self.scope:
                self.crawler.stats.inc_value("organwatch/links_offsite")
                continue
            if self.scheduled[domain] >= self.domain_cap:
                self.crawler.stats.inc_value("organwatch/links_over_domain_cap")
                continue
            self.scheduled[domain] += 1
            yield scrapy.Request(
                url, callback=self.parse, errback=self.failed,
                meta={"seed": seed, "anchor": anchor},
                headers={"Referer": response.url},
            )

    def _capture(self, response) -> dict:
        request = response.request
        body = response.body
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        warc = response.meta.get("warc") or {}
        return {
            **warc,
            "url": canonical(request.url),
            "requested_url": request.meta.get("redirect_urls", [request.url])[0],
            "final_url": response.url,
            "fetched_at": utc(),
            "status": response.status,
            "headers": json.dumps(headers, ensure_ascii=False),
            "content_type": headers.get("Content-Type", "").split(";")[0].strip().lower(),
            "payload_sha256": warc.get("payload_sha256") or hashlib.sha256(body).hexdigest(),
            "size": len(body),
            "server_ip": str(response.ip_address) if response.ip_address else None,
            "depth": response.meta.get("depth", 0),
            "seed": response.meta.get("seed"),
            "referer": (request.headers.get("Referer") or b"").decode("latin-1") or None,
            "blocked": response.meta.get("blocked"),
        }

    def failed(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None and hasattr(response, "status"):
            item = self._capture(response)
            item["error"] = f"HTTP {response.status}"
        else:
            item = {
                "url": canonical(request.url),
                "requested_url": request.url,
                "final_url": request.url,
                "fetched_at": utc(),
                "depth": request.meta.get("depth", 0),
                "seed": request.meta.get("seed"),
                "error": f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500],
            }
        yield item
