"""Distributed mode: several `organwatch crawl --redis URL` workers, on one machine or many,
share one crawl through Redis, and one `organwatch ingest` writes their results to SQLite.

  scheduler and dupefilter   scrapy-redis (the queue persists: a crawl outlives its workers)
  per-host politeness        SharedPoliteness: one request per ORGANWATCH_SHARED_DELAY seconds to a
                             host (host:port), across all workers, timed by the Redis server's clock
  items                      RedisItems: JSON messages on the list `organwatch:items`
  end                        IdleExit: a worker stops after ORGANWATCH_IDLE_EXIT idle seconds

Messages on `organwatch:items`, in order per worker:
  {"type": "start", "worker", "seeds", "settings", "software"}
  {"type": "item", "worker", "item"}        (a capture, with its page and indicators)
  {"type": "finish", "worker", "stats", "reason"}
"""

from __future__ import annotations

import json
import os
import socket
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler.warc import EVIDENCE_SETTINGS
from nlp import organwatch_version

if TYPE_CHECKING:
    import redis

ITEMS_KEY = "organwatch:items"
SLOT_KEY = "organwatch:slot:"

# Reserve the next free moment for a host: max(now, previous reservation + delay). Returns the wait.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local delay = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0') + delay)
redis.call('SET', KEYS[1], string.format('%.6f', slot), 'EX', math.ceil(delay) + 3600)
return string.format('%.6f', slot - now)
"""


def connect(url: str) -> redis.Redis:
    import redis  # here: a crawl without --redis loads this module's classes (settings) but needs no client (0.1 s)

    return redis.Redis.from_url(url, socket_connect_timeout=10)


def worker_settings(redis_url: str) -> dict:
    """The Scrapy settings that turn a crawl into a worker of the crawl held in `redis_url`."""
    return {
        "ORGANWATCH_REDIS_URL": redis_url,
        "REDIS_URL": redis_url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # never flush the shared queue when one worker stops
    }


class SharedPoliteness:
    """Downloader middleware: before each request, reserve the host's next slot in Redis and wait
    for it, so the combined rate of all workers to one host stays at one request per delay."""

    def __init__(self, crawler):
        url = crawler.settings.get("ORGANWATCH_REDIS_URL")
        if not url:
            raise NotConfigured  # not distributed (no --redis): nothing to say on every crawl
        delay = crawler.settings.get("ORGANWATCH_SHARED_DELAY")
        self.delay = float(crawler.settings.getfloat("DOWNLOAD_DELAY") if delay in (None, "") else delay)
        if self.delay <= 0:
            raise NotConfigured("no shared delay")
        self.reserve = connect(url).register_script(_RESERVE)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        wait = float(self.reserve(keys=[SLOT_KEY + urlsplit(request.url).netloc], args=[self.delay]))
        if wait > 0:
            # imported here, not at the top: run.py imports this module before Scrapy installs its reactor
            from twisted.internet import reactor

            self.stats.inc_value("organwatch/shared_delay_waits")
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return None


class RedisItems:
    """Item pipeline (in place of the store): sends each capture to Redis for `organwatch ingest`."""

    def __init__(self, crawler):
        url = crawler.settings.get("ORGANWATCH_REDIS_URL")
        if not url:
            raise NotConfigured  # not distributed (no --redis): nothing to say on every crawl
        self.crawler = crawler
        self.redis = connect(url)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{time.time():.0f}"

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def send(self, message: dict) -> None:
        self.redis.rpush(ITEMS_KEY, json.dumps({**message, "worker": self.worker}, ensure_ascii=False, default=str))

    def open_spider(self):
        settings = self.crawler.settings
        self.send({
            "type": "start",
            "seeds": getattr(self.crawler.spider, "seed_urls", []),
            "settings": {k: settings.get(k) for k in (*EVIDENCE_SETTINGS, "ORGANWATCH_REDIS_URL")},
            "software": f"organwatch {organwatch_version()}",
        })
        self.crawler.stats.set_value("organwatch/worker", self.worker)

    def process_item(self, item):
        if item.get("error"):
            self.crawler.stats.inc_value("organwatch/errors")
        self.send({"type": "item", "item": dict(item)})
        return item

    def spider_closed(self, spider, reason):
        self.send({"type": "finish", "stats": self.crawler.stats.get_stats(), "reason": reason})
        self.redis.close()


class IdleExit:
    """Extension: keep a worker alive while its queue is empty (other workers may still add
    requests), and let it stop after ORGANWATCH_IDLE_EXIT seconds without work."""

    def __init__(self, crawler, seconds: float):
        self.seconds = seconds
        self.idle_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("ORGANWATCH_REDIS_URL"):
            raise NotConfigured  # not distributed (no --redis): nothing to say on every crawl
        ext = cls(crawler, crawler.settings.getfloat("ORGANWATCH_IDLE_EXIT", 30.0))
        crawler.signals.connect(ext.busy, signal=signals.response_received)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        return ext

    def busy(self, *args, **kwargs):
        self.idle_since = None

    def idle(self, spider):
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.seconds:
            raise DontCloseSpider
