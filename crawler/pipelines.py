"""Item pipelines: analyse each page, then store each capture."""

from __future__ import annotations

import hashlib
import json
import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.store import CAPTURE_FIELDS, Store
from crawler.warc import EVIDENCE_SETTINGS
from nlp.analyze import analyze
from nlp.model import organwatch_version

logger = logging.getLogger(__name__)


def _values(indicators, kind: str) -> str:
    """The distinct normalized values of one kind, as a JSON array (Datasette facets on it)."""
    return json.dumps(sorted({i.value for i in indicators if i.kind == kind}))


class AnalysisPipeline:
    """Adds the analysis (language, scores, risk, flag, reasons, indicators) to page items."""

    def __init__(self, crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        page = item.get("page")
        if page is None or "risk" in page:  # nothing to analyse, or analysed by the spider (focus)
            return item
        text = "\n".join(t for t in (page["title"], page["text"]) if t)
        result = analyze(text)
        page.update(
            lang=result.lang,
            flagged=int(result.flagged),
            risk=result.risk,
            advertising=result.scores["advertising"],
            brokerage=result.scores["brokerage"],
            reasons=json.dumps(result.reasons, ensure_ascii=False),
            organs=_values(result.indicators, "organ"),
            destinations=_values(result.indicators, "destination"),
            text_sha256=hashlib.sha256(page["text"].encode("utf-8")).hexdigest(),
            model_version=result.model_version,
        )
        # spans are offsets in "title\ntext"
        item["indicators"] = [
            {"kind": i.kind, "value": i.text, "normalized": i.value, "start": i.start, "end": i.end}
            for i in result.indicators
        ]
        self.stats.inc_value("organwatch/pages")
        if result.flagged:
            self.stats.inc_value("organwatch/flagged")
        return item


class StorePipeline:
    """Writes captures, pages and indicators to SQLite; one crawls row per run with its stats."""

    def __init__(self, crawler):
        self.crawler = crawler
        if crawler.settings.get("ORGANWATCH_REDIS_URL"):
            raise NotConfigured("distributed: items go to Redis, `organwatch ingest` stores them")
        path = crawler.settings.get("ORGANWATCH_DB")
        if not path:
            raise NotConfigured("ORGANWATCH_DB is empty")
        self.store = Store(path)
        self.crawl_id = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        # the finish reason is known at spider_closed, which comes after the pipelines' close_spider
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        spider = self.crawler.spider
        settings = {k: self.crawler.settings.get(k) for k in EVIDENCE_SETTINGS}
        self.crawl_id = self.store.start_crawl(
            getattr(spider, "seed_urls", []), settings, f"organwatch {organwatch_version()}"
        )
        self.crawler.stats.set_value("organwatch/crawl_id", self.crawl_id)

    def spider_closed(self, spider, reason):
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        self.store.finish_crawl(self.crawl_id, stats, reason)
        self.store.close()

    def process_item(self, item):
        capture = {k: item.get(k) for k in CAPTURE_FIELDS}
        capture["crawl_id"] = self.crawl_id
        page = item.get("page")
        if page is not None:
            page["last_status"] = item.get("status")
        if item.get("error"):
            self.crawler.stats.inc_value("organwatch/errors")
        self.store.record(capture, page, item.get("indicators"))
        return item
