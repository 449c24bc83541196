"""Watchdog: fail a run that stops making progress (`--watchdog MINUTES`, setting
ORGANWATCH_WATCHDOG_MINUTES, default 10; 0 turns it off).

Progress is any response, item or download error. When nothing moved for MINUTES, the watchdog
logs the requests still in flight, closes the spider with reason `watchdog` (the run exits 1 and
the crawls row says so; with --job the next run goes on with what was still queued) and drops
the open connections, since Scrapy's clean close waits for downloads in flight. If the process
is still alive ORGANWATCH_WATCHDOG_GRACE seconds later (a hung download, a blocked reactor) it
is ended with exit code 1. A thread, not a reactor timer, so a blocked reactor is caught too.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured

PROGRESS_STATS = ("response_received_count", "item_scraped_count", "downloader/exception_count", "item_dropped_count")


class Watchdog:
    def __init__(self, crawler, minutes: float, grace: float):
        self.crawler = crawler
        self.limit = minutes * 60
        self.grace = grace
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, name="organwatch-watchdog", daemon=True)

    @classmethod
    def from_crawler(cls, crawler):
        minutes = crawler.settings.getfloat("ORGANWATCH_WATCHDOG_MINUTES", 10)
        if minutes <= 0:
            raise NotConfigured
        ext = cls(crawler, minutes, crawler.settings.getfloat("ORGANWATCH_WATCHDOG_GRACE", 30))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.engine_stopped)
        return ext

    def progress(self) -> int:
        stats = self.crawler.stats
        return sum(stats.get_value(name, 0) for name in PROGRESS_STATS)

    def opened(self, spider):
        self.thread.start()

    def closed(self):
        self.done.set()

    def watch(self):
        from twisted.internet import reactor

        last, since = self.progress(), time.monotonic()
        step = min(5.0, self.limit / 4)
        while not self.done.wait(step):
            now = self.progress()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= self.limit:
                break
        else:
            return
        hanging = self._hanging()
        print(
            f"organwatch: watchdog: no progress for {self.limit / 60:g} minutes, stopping"
            + (f"; in flight: {', '.join(hanging[:10])}" if hanging else ""),
            file=sys.stderr, flush=True,
        )
        self.crawler.stats.set_value("organwatch/watchdog", True)
        self.crawler.stats.set_value("organwatch/watchdog_in_flight", hanging[:100])
        self._mark_crawl()
        reactor.callFromThread(self._close)
        if not self.done.wait(self.grace):
            print("organwatch: watchdog: the run did not stop, ending the process", file=sys.stderr, flush=True)
            os._exit(1)

    def _hanging(self) -> list[str]:
        engine = self.crawler.engine
        try:
            return sorted(r.url for r in list(engine.downloader.active))
        except (AttributeError, RuntimeError):  # engine gone, or the set changed while copied
            return []

    def _mark_crawl(self):
        from crawler.store import Store

        crawl_id = self.crawler.stats.get_value("organwatch/crawl_id")
        path = self.crawler.settings.get("ORGANWATCH_DB")
        if crawl_id is None or not path:
            return
        store = Store(path)
        try:
            store.finish_crawl(crawl_id, {**self.crawler.stats.get_stats(), "finish_reason": "watchdog"}, "watchdog")
        finally:
            store.close()

    def _close(self):
        from scrapy.utils.defer import deferred_from_coro

        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="watchdog"))
        abort_downloads()


def abort_downloads() -> None:
    """Drop the crawler's open HTTP connections: closing waits for in-flight downloads, and a
    stalled one may only give up at DOWNLOAD_TIMEOUT. Their requests end as failed captures."""
    from twisted.internet import reactor, tcp

    for selectable in {*reactor.getReaders(), *reactor.getWriters()}:
        if isinstance(selectable, tcp.Client):
            selectable.abortConnection()
