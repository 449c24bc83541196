"""The stall watchdog: a crawl that still has requests to make but has received nothing for
ORGANWATCH_STALL_TIMEOUT seconds says which requests hang, drops them, and stops with the reason
`stalled` (exit 1; with --job the next run goes on with what was still queued)."""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

logger = logging.getLogger(__name__)

PROGRESS_STATS = ("downloader/response_count", "downloader/exception_count", "item_scraped_count")


class StallWatchdog:
    def __init__(self, crawler, timeout: float):
        self.crawler = crawler
        self.timeout = timeout
        self.last_progress = None
        self.last_seen = time.monotonic()
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        timeout = crawler.settings.getfloat("ORGANWATCH_STALL_TIMEOUT", 600.0)
        if timeout <= 0:
            raise NotConfigured
        ext = cls(crawler, timeout)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider):
        self.last_seen = time.monotonic()
        self.loop = task.LoopingCall(self.check)
        self.loop.start(min(self.timeout / 4, 10.0), now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()

    def check(self):
        stats = self.crawler.stats
        progress = tuple(stats.get_value(k, 0) for k in PROGRESS_STATS)
        now = time.monotonic()
        if progress != self.last_progress:
            self.last_progress, self.last_seen = progress, now
            return
        engine = self.crawler.engine
        waiting = engine.downloader.active or engine._slot.scheduler.has_pending_requests()
        if not waiting or now - self.last_seen < self.timeout:
            return
        hanging = sorted(r.url for r in engine.downloader.active)
        logger.warning(
            "stalled: nothing received for %.0f s; %d requests in flight%s",
            now - self.last_seen, len(hanging), (": " + ", ".join(hanging[:10])) if hanging else "",
        )
        stats.set_value("organwatch/stalled_requests", hanging[:100])
        self.loop.stop()
        if hasattr(engine, "close_spider_async"):  # Scrapy 2.14+
            deferred_from_coro(engine.close_spider_async(reason="stalled"))
        else:
            engine.close_spider(engine.spider, reason="stalled")
        abort_downloads()


def abort_downloads() -> None:
    """Drop the crawler's open HTTP connections: closing waits for in-flight downloads, and a
    stalled one may only give up at DOWNLOAD_TIMEOUT. Their requests end as failed captures."""
    from twisted.internet import reactor, tcp

    for selectable in {*reactor.getReaders(), *reactor.getWriters()}:
        if isinstance(selectable, tcp.Client):
            selectable.abortConnection()
