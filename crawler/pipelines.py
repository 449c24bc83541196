"""Item pipeline: store each capture (pages arrive analysed by the spider, crawler/reading.py)."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from crawler.store import CAPTURE_FIELDS, Store
from crawler.warc import EVIDENCE_SETTINGS
from nlp import organwatch_version

logger = logging.getLogger(__name__)


class StorePipeline:
    """Writes captures, pages and indicators to SQLite; one crawls row per run with its stats.

    Captures are committed together, every COMMIT_SECONDS or COMMIT_ITEMS, whichever comes first
    (a transaction per page cost more than its writes). A crash loses at most the uncommitted
    ones, and `--job` fetches them again: its frontier re-queues what has no stored capture."""

    COMMIT_SECONDS = 1.0
    COMMIT_ITEMS = 500

    def __init__(self, crawler):
        self.crawler = crawler
        if crawler.settings.get("ORGANWATCH_REDIS_URL"):
            raise NotConfigured("distributed: items go to Redis, `organwatch ingest` stores them")
        path = crawler.settings.get("ORGANWATCH_DB")
        if not path:
            raise NotConfigured("ORGANWATCH_DB is empty")
        self.store = Store(path)
        self.crawl_id = None
        self.pending = 0
        self.committer = LoopingCall(self.commit)

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
        self.committer.start(self.COMMIT_SECONDS, now=False)

    def commit(self) -> None:
        if self.pending:
            self.store.db.conn.commit()
            self.pending = 0

    def close_spider(self):
        # before the other pipelines' close_spider (Scrapy closes them last to first): the
        # liveness pipeline reads this crawl's captures
        if self.committer.running:
            self.committer.stop()
        self.commit()

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
        if not self.store.db.conn.in_transaction:
            self.store.db.execute("begin")
        self.store.record(capture, page, item.get("indicators"))
        self.pending += 1
        if self.pending >= self.COMMIT_ITEMS:
            self.commit()
        return item
