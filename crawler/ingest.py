"""`organwatch ingest`: the single SQLite writer of a distributed crawl. Reads the workers'
messages from Redis (see crawler/distributed.py) and stores them with the same Store as a local
crawl: one crawls row per worker, captures, pages and indicators.

Reliable: messages move to `organwatch:items:processing` before they are written and leave it
once their transaction is committed; an ingester that died in between replays them on start,
skipping captures already stored."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field

from crawler.distributed import ITEMS_KEY, connect
from crawler.store import CAPTURE_FIELDS, Store

PROCESSING_KEY = ITEMS_KEY + ":processing"
CRAWLS_KEY = "organwatch:crawl_ids"  # worker -> crawls.id
@dataclass
class IngestResult:
    captures: int = 0
    workers: set = field(default_factory=set)
    finished: set = field(default_factory=set)


class Ingester:
    def __init__(self, redis_url: str, db: str, batch: int = 200):
        self.redis = connect(redis_url)
        self.redis.ping()
        self.store = Store(db)
        self.batch = batch
        self.result = IngestResult()

    def close(self) -> None:
        self.store.close()
        self.redis.close()

    def crawl_id(self, worker: str) -> int | None:
        value = self.redis.hget(CRAWLS_KEY, worker)
        return int(value) if value is not None else None

    def handle(self, message: dict, replay: bool) -> None:
        kind, worker = message["type"], message["worker"]
        self.result.workers.add(worker)
        if kind == "start":
            known = self.crawl_id(worker)
            if replay and known is not None and self.store.db["crawls"].count_where("id = ?", [known]):
                return
            crawl_id = self.store.start_crawl(message["seeds"], message["settings"], message["software"])
            self.redis.hset(CRAWLS_KEY, worker, crawl_id)
        elif kind == "item":
            crawl_id = self.crawl_id(worker)
            item = message["item"]
            capture = {k: item.get(k) for k in CAPTURE_FIELDS} | {"crawl_id": crawl_id}
            if replay and self.store.db.execute(
                "select 1 from captures where crawl_id = ? and url = ? and fetched_at = ?",
                [crawl_id, capture["url"], capture["fetched_at"]],
            ).fetchone():
                return
            page = item.get("page")
            if page is not None:
                page["last_status"] = item.get("status")
            self.store.record(capture, page, item.get("indicators"))
            self.result.captures += 1
        elif kind == "finish":
            self.store.finish_crawl(self.crawl_id(worker), {**message["stats"], "finish_reason": message["reason"]},
                                    message["reason"])
            self.result.finished.add(worker)

    def take(self, timeout: float) -> list[bytes]:
        first = self.redis.blmove(ITEMS_KEY, PROCESSING_KEY, timeout, "LEFT", "RIGHT")
        if first is None:
            return []
        taken = [first]
        while len(taken) < self.batch:
            more = self.redis.lmove(ITEMS_KEY, PROCESSING_KEY, "LEFT", "RIGHT")
            if more is None:
                break
            taken.append(more)
        return taken

    def write(self, messages: list[bytes], replay: bool = False) -> None:
        with self.store.db.atomic():
            for raw in messages:
                self.handle(json.loads(raw), replay)
        self.redis.delete(PROCESSING_KEY)

    def line(self) -> str:
        r = self.result
        return f"ingested {r.captures} captures from {len(r.workers)} workers ({len(r.finished)} finished)"

    def run(self, idle: float, progress=None) -> IngestResult:
        """Write messages until at least one worker came, every worker seen has finished, and
        nothing came for `idle` seconds (idle 0: run until interrupted)."""
        left = self.redis.lrange(PROCESSING_KEY, 0, -1)
        if left:
            self.write(left, replay=True)
        last = shown = time.monotonic()
        while True:
            messages = self.take(timeout=1)
            if messages:
                self.write(messages)
                last = time.monotonic()
                if progress and last - shown >= 5:
                    print(self.line(), file=progress, flush=True)
                    shown = last
                continue
            done = self.result.workers and self.result.workers <= self.result.finished
            if idle > 0 and done and time.monotonic() - last >= idle:
                return self.result


def ingest(redis_url: str, db: str, idle: float = 60.0, progress=sys.stderr) -> IngestResult:
    ingester = Ingester(redis_url, db)
    try:
        return ingester.run(idle, progress)
    finally:
        ingester.close()
