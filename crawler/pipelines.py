"""Item pipeline: store each capture (pages arrive analysed by the spider, crawler/reading.py)."""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.store import CAPTURE_FIELDS, Store
from crawler.warc import EVIDENCE_SETTINGS
from crawler.writer import EvidenceWriter
from nlp import organwatch_version


class StorePipeline:
    """Stores captures, pages and indicators through the crawl's evidence writer process
    (crawler/writer.py), which commits them together every second or 500 captures; one crawls
    row per run with its stats, written here.

    A crash loses at most the uncommitted captures, and `--job` fetches them again: its frontier
    re-queues what has no stored capture."""

    def __init__(self, crawler):
        self.crawler = crawler
        if crawler.settings.get("ORGANWATCH_REDIS_URL"):
            raise NotConfigured  # distributed: items go to Redis, `organwatch ingest` stores them
        path = crawler.settings.get("ORGANWATCH_DB")
        if not path:
            raise NotConfigured("ORGANWATCH_DB is empty")
        self.store = Store(path)  # the crawls row; creates and migrates the database before the writer opens it
        self.writer = EvidenceWriter.of(crawler)
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

    def close_spider(self):
        self.writer.close()  # everything written and committed, the pages' timelines moved

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
        self.writer.capture(item.get("warc_key"), capture, page, item.get("indicators"))
        return item
