"""A crash-safe frontier for resumable crawls (`organwatch crawl --job DIR`).

Scrapy's own JOBDIR state survives a clean stop but not a kill -9: its disk queues save their
head and tail only on close, and its dupefilter buffers fingerprints in memory. This scheduler
keeps every request it is given in `DIR/frontier.db` (SQLite, WAL), one committed statement per
request, so the file is consistent whenever the process dies:

  queued   waiting to be downloaded
  taken    handed to the downloader (fetched, failed or still in flight when the process died)

On open, `taken` rows whose URL has no capture from this job in the organwatch database go back to
`queued`: they were in flight when the crawl stopped. The rest stay done. With `LinksFirst` (a
spider middleware) a page's links reach the frontier before the page's capture is stored, so a
stored page's links are never lost either. Without JOBDIR, Scrapy's default scheduler is used.

Either way, the scheduler's priority queue is FocusPriorityQueue: the most promising link
(crawler/focus.py) of any site with a free download slot first.
"""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

from scrapy import Request
from scrapy.core.scheduler import BaseScheduler
from scrapy.core.scheduler import Scheduler as ScrapyScheduler
from scrapy.exceptions import NotConfigured
from scrapy.pqueues import DownloaderAwarePriorityQueue
from scrapy.utils.request import request_from_dict

SCHEMA = """
create table if not exists requests (
    id integer primary key,
    fingerprint text unique,          -- null for dont_filter requests (retries)
    url text not null,
    priority integer not null,
    state text not null default 'queued',
    data blob not null
);
create index if not exists requests_next on requests (state, priority desc, id);
"""


def job_captured_urls(db_path: str | Path, job: str) -> set[str]:
    """URLs that crawls run with this job directory stored a capture of."""
    if not Path(db_path).exists():
        return set()
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        if not con.execute("select 1 from sqlite_master where name = 'captures'").fetchone():
            return set()
        rows = con.execute(
            "select distinct c.url from captures c join crawls k on k.id = c.crawl_id "
            "where json_extract(k.settings, '$.JOBDIR') = ?",
            [job],
        )
        return {url for (url,) in rows}
    finally:
        con.close()


class FrontierScheduler(BaseScheduler):
    def __init__(self, crawler, path: Path, db_path: str, job: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.db_path = db_path
        self.job = job
        self.con: sqlite3.Connection | None = None
        self.pending = 0
        self.spider = None

    @classmethod
    def from_crawler(cls, crawler):
        job = crawler.settings.get("JOBDIR")
        if not job:
            return ScrapyScheduler.from_crawler(crawler)
        return cls(crawler, Path(job) / "frontier.db", crawler.settings.get("ORGANWATCH_DB"), job)

    def open(self, spider):
        self.spider = spider
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(self.path, isolation_level=None)
        self.con.execute("pragma journal_mode=wal")
        self.con.execute("pragma synchronous=normal")
        self.con.executescript(SCHEMA)
        taken = self.con.execute("select count(*) from requests where state = 'taken'").fetchone()[0]
        if taken:
            self._resume()
        self.pending = self.con.execute("select count(*) from requests where state = 'queued'").fetchone()[0]
        if self.pending:
            self.stats.set_value("organwatch/frontier_resumed", self.pending)
            spider.logger.info("Resuming job %s: %d requests queued", self.job, self.pending)

    def _resume(self) -> None:
        """Requests taken but never stored (in flight when the process died) are queued again."""
        captured = job_captured_urls(self.db_path, self.job)
        with self.con:
            self.con.execute("begin")
            self.con.execute("create temp table captured (url text primary key)")
            self.con.executemany("insert or ignore into captured values (?)", ((u,) for u in captured))
            self.con.execute(
                "update requests set state = 'queued' where state = 'taken' and url not in (select url from captured)"
            )
            # a URL queued twice (e.g. also reached by a redirect) and stored once is done
            self.con.execute(
                "update requests set state = 'taken' where state = 'queued' and url in (select url from captured)"
            )
            self.con.execute("drop table captured")

    def close(self, reason):
        if self.con is not None:
            self.con.close()
            self.con = None

    def __len__(self) -> int:
        return self.pending

    def has_pending_requests(self) -> bool:
        return self.pending > 0

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = None if request.dont_filter else self.crawler.request_fingerprinter.fingerprint(request).hex()
        data = pickle.dumps(request.to_dict(spider=self.spider), protocol=4)
        cursor = self.con.execute(
            "insert or ignore into requests (fingerprint, url, priority, data) values (?, ?, ?, ?)",
            [fingerprint, request.url, request.priority, data],
        )
        if cursor.rowcount == 0:
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.pending += 1
        self.stats.inc_value("scheduler/enqueued/frontier")
        return True

    def next_request(self) -> Request | None:
        row = self.con.execute(
            "select id, data from requests where state = 'queued' order by priority desc, id limit 1"
        ).fetchone()
        if row is None:
            self.pending = 0
            return None
        self.con.execute("update requests set state = 'taken' where id = ?", [row[0]])
        self.pending -= 1
        self.stats.inc_value("scheduler/dequeued/frontier")
        return request_from_dict(pickle.loads(row[1]), spider=self.spider)


class LinksFirst:
    """Spider middleware: pass a callback's requests on before its items, so that (with the
    frontier) a page's links are saved before the page is stored."""

    def __init__(self, crawler):
        if not crawler.settings.get("JOBDIR"):
            raise NotConfigured  # no JOBDIR (--job): nothing to say on every crawl

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_output(self, response, result):
        items = []
        for output in result:
            if isinstance(output, Request):
                yield output
            else:
                items.append(output)
        yield from items

    async def process_spider_output_async(self, response, result):
        items = []
        async for output in result:
            if isinstance(output, Request):
                yield output
            else:
                items.append(output)
        for item in items:
            yield item


class FocusPriorityQueue(DownloaderAwarePriorityQueue):
    """The scheduler's queue: the highest-priority request of any site that still has a free
    download slot (fewer than CONCURRENT_REQUESTS_PER_DOMAIN active). Scrapy's default queue
    takes sites in turn, which would spread the budget evenly over sites and ignore the focus;
    a plain priority queue would let one promising site fill every download slot and wait on
    its politeness delay."""

    def __init__(self, crawler, *args, **kwargs):
        super().__init__(crawler, *args, **kwargs)
        self.per_site = max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))

    def _next_slot(self, stats: list[tuple[int, str]], *, update_state: bool) -> str:
        best = None
        for active, slot in stats:
            if active >= self.per_site:
                continue
            prio = self.pqueues[slot].curprio  # stored negated: lowest is most urgent
            if prio is not None and (best is None or (prio, active) < best[:2]):
                best = (prio, active, slot)
        if best is None:
            return super()._next_slot(stats, update_state=update_state)
        return best[2]
