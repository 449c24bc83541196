"""Spider `watch`: from seeds, follow links within each seed's registered domain (and, with
ORGANWATCH_FOLLOW_OFFSITE, a few hops beyond it), promising links first (crawler/focus.py),
within the depth, page and trap budgets, and hand every fetch (page, skipped content, or
failure) to the pipelines as a capture item, with the problem it met (crawler/problems.py).

    scrapy crawl watch -a seeds=seeds.txt -a urls=https://a.example/,https://b.example/
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import scrapy
from scrapy.http import TextResponse

from crawler.focus import link_score, priority, site_history, site_weight
from crawler.problems import failure_problem, sniff_binary
from crawler.readers import Readers, UnreadablePage, reader_count
from crawler.seeds import collect_seeds
from crawler.store import utcnow
from crawler.traps import TrapDetector
from crawler.urls import canonical, registered_domain

HTML_TYPES = ("text/html", "application/xhtml+xml")


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
        self.queued: set[int] = set()  # hashes of the URLs scheduled: budgets count each URL once
        self.site_read: Counter[str] = Counter()  # pages analysed per registered domain (this crawl and earlier ones), for site_weight
        self.site_flagged: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.domain_cap = settings.getint("ORGANWATCH_DOMAIN_PAGE_CAP", 2000)
        spider.max_depth = settings.getint("ORGANWATCH_MAX_DEPTH", 10)
        spider.depth_priority = settings.getint("DEPTH_PRIORITY", 0)
        spider.focus = settings.getbool("ORGANWATCH_FOCUS", True)
        if spider.focus:  # what earlier crawls into this database read of each site
            spider.site_read, spider.site_flagged = site_history(settings.get("ORGANWATCH_DB"))
        spider.follow_offsite = settings.getint("ORGANWATCH_FOLLOW_OFFSITE", 0)
        spider.offsite_cap = settings.getint("ORGANWATCH_OFFSITE_PAGE_CAP", 100)
        spider.traps = TrapDetector(
            settings.getint("ORGANWATCH_TRAP_PATTERN_CAP", 1000),
            settings.getint("ORGANWATCH_TRAP_SEGMENT_REPEATS", 3),
            settings.getint("ORGANWATCH_TRAP_URL_LENGTH", 500),
        )
        spider.readers = Readers(reader_count(settings.get("ORGANWATCH_READERS")))
        crawler.signals.connect(spider.readers.start, signal=scrapy.signals.spider_opened)
        crawler.signals.connect(spider._close_readers, signal=scrapy.signals.spider_closed)
        return spider

    async def start(self):
        for url in self.seed_urls:
            self.scheduled[registered_domain(url)] += 1
            self.queued.add(hash(canonical(url)))
            yield scrapy.Request(
                url, callback=self.parse, errback=self.failed, priority=priority(1.0),
                meta={"seed": url, "offsite": 0, "focus": 1.0},
            )

    async def parse(self, response) -> list:
        """The capture and the requests for its links. A coroutine that returns them all at once,
        not an async generator: Scrapy then runs its middlewares over a list instead of resuming a
        chain of async generators for every output (throughput benchmark: 73 -> 85 pages/s)."""
        item = self._capture(response)
        if waits := response.meta.get("retry_after_times"):
            self._problem(item, "rate_limited", f"served after waiting for Retry-After {waits} time(s)")
        content_type = item["content_type"]
        if not isinstance(response, TextResponse) or not content_type.startswith(HTML_TYPES):
            item["skipped"] = f"content type {content_type or 'unknown'}"
            return [item]
        binary = sniff_binary(response.body)
        if binary:
            item["skipped"] = f"{binary} served as {content_type}"
            self._problem(item, "binary_as_html", item["skipped"])
            return [item]
        # decoded, extracted and analysed in a reader process; the page's risk orders its links
        header = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            read = await self.readers.read(response.body, header, response.url)
        except UnreadablePage as e:
            item["skipped"] = str(e)
            self._problem(item, "unreadable", str(e))
            return [item]
        for kind, detail in read["problems"]:
            self._problem(item, kind, detail)
        item["page"] = {
            "url": canonical(response.request.url),
            "domain": registered_domain(response.url),
            "title": read["title"],
            "text": read["text"],
            **read["analysis"],
        }
        item["indicators"] = read["indicators"]
        self.crawler.stats.inc_value("organwatch/pages")
        self.site_read[item["page"]["domain"]] += 1
        if read["analysis"]["flagged"]:
            self.crawler.stats.inc_value("organwatch/flagged")
            self.site_flagged[item["page"]["domain"]] += 1
        links = list(self._links(response, read["links"], item))
        risk = read["analysis"]["risk"]
        # the depth and its priority penalty (DEPTH_PRIORITY: breadth-first within the budgets)
        # and the referer are set here: Scrapy's Depth and Referer middlewares, which would set
        # them on every output, are off (crawler/settings.py); the Referer header is made from
        # meta when the request is fetched (crawler/middlewares.py, RefererHeader)
        depth = response.meta.get("depth", 0) + 1
        output = [item]
        for url, domain, meta, words in links:
            score = 0.0
            if self.focus:
                score = link_score(words, risk, response.meta.get("focus", 0.0))
                score *= site_weight(self.site_read[domain], self.site_flagged[domain])
            output.append(scrapy.Request(
                url, callback=self.parse, errback=self.failed, priority=priority(score) - depth * self.depth_priority,
                meta={**meta, "focus": score, "depth": depth, "referer": response.url},
            ))
        return output

    def _close_readers(self) -> None:
        if self.readers.processes:  # the largest reader's peak, beside Scrapy's memusage/max of this process
            self.crawler.stats.set_value("organwatch/reader_memory_max", self.readers.peak_memory())
            # how long the first pages waited for the fork server's preload after the spider opened
            self.crawler.stats.set_value("organwatch/readers_wait_seconds", round(self.readers.wait, 2))
        self.readers.close()

    def _problem(self, item: dict, kind: str, detail: str) -> None:
        """Name the first problem of a capture; keep every detail; count each in the stats."""
        item.setdefault("problem", kind)
        item["problem_detail"] = "; ".join(d for d in (item.get("problem_detail"), f"{kind}: {detail}") if d)[:1000]
        self.crawler.stats.inc_value(f"organwatch/problems/{kind}")

    def _links(self, response, links, item):
        """The links worth scheduling, as (url, registered domain, meta, score of the link's own words), within
        scope and budgets. The readers resolved them (crawler/reading.py: http, canonical, once)."""
        if response.meta.get("depth", 0) >= self.max_depth:
            return
        seed = response.meta.get("seed")
        here = registered_domain(response.url)
        hops = response.meta.get("offsite", 0)
        trapped = []
        for url, anchor, words in links:
            if hash(url) in self.queued:
                continue
            domain = registered_domain(url)
            offsite = 0 if domain in self.scope else hops + (domain != here)
            if offsite > self.follow_offsite:
                self.crawler.stats.inc_value("organwatch/links_offsite")
                continue
            cap = self.offsite_cap if offsite else self.domain_cap
            if self.scheduled[domain] >= cap:
                self.crawler.stats.inc_value("organwatch/links_over_domain_cap")
                continue
            trap = self.traps.check(url)
            if trap:
                self.crawler.stats.inc_value("organwatch/links_trapped")
                trapped.append(trap)
                continue
            self.scheduled[domain] += 1
            self.queued.add(hash(url))
            if offsite:
                self.crawler.stats.inc_value("organwatch/links_offsite_followed")
            yield url, domain, {"seed": seed, "anchor": anchor, "offsite": offsite}, words
        if trapped:
            self._problem(item, "trap", f"{len(trapped)} links not followed, e.g. {trapped[0]}")

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
            "fetched_at": utcnow(),
            "status": response.status,
            "headers": json.dumps(headers, ensure_ascii=False),
            "content_type": headers.get("Content-Type", "").split(";")[0].strip().lower(),
            # from the WARC recorder, or the evidence writer's (warc_key); without WARC, here
            "payload_sha256": warc.get("payload_sha256") if warc else hashlib.sha256(body).hexdigest(),
            "size": len(body),
            "server_ip": str(response.ip_address) if response.ip_address else None,
            "depth": response.meta.get("depth", 0),
            "seed": response.meta.get("seed"),
            "referer": request.meta.get("referer"),
            "blocked": response.meta.get("blocked"),
            "focus_score": response.meta.get("focus"),
        }

    def failed(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None and hasattr(response, "status"):
            item = self._capture(response)
            item["error"] = f"HTTP {response.status}"
        else:
            first = request.meta.get("redirect_urls", [request.url])[0]
            item = {
                "url": canonical(first),
                "requested_url": first,
                "final_url": request.url,
                "fetched_at": utcnow(),
                "depth": request.meta.get("depth", 0),
                "seed": request.meta.get("seed"),
                "focus_score": request.meta.get("focus"),
                "error": f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500],
            }
        self._problem(item, *failure_problem(failure))
        yield item
