"""Progress: a live line while crawling (pages, flagged, errors, rate) and a summary at the end."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    def __init__(self, crawler, interval: float, stream=None):
        self.crawler = crawler
        self.interval = interval
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("ORGANWATCH_PROGRESS_INTERVAL", 5.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def counts(self) -> dict:
        stats = self.crawler.stats
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = stats.get_value("organwatch/pages", 0)
        return {
            "pages": pages,
            "flagged": stats.get_value("organwatch/flagged", 0),
            "fetched": stats.get_value("response_received_count", 0),
            "errors": stats.get_value("organwatch/errors", 0),
            "rate": pages / elapsed,
            "elapsed": elapsed,
        }

    def line(self) -> str:
        c = self.counts()
        return (
            f"pages {c['pages']}  flagged {c['flagged']}  fetched {c['fetched']}  errors {c['errors']}  "
            f"{c['rate']:.1f} pages/s  {c['elapsed']:.0f}s"
        )

    def opened(self, spider):
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def tick(self):
        end = "\r" if self.stream.isatty() else "\n"
        print(self.line(), end=end, file=self.stream, flush=True)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats
        print(
            f"\ndone ({reason}): {self.line()}; crawl id {stats.get_value('organwatch/crawl_id')}",
            file=self.stream,
            flush=True,
        )
