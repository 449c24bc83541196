"""The crawl's evidence writer: a process of its own that writes the WARC records and stores the
captures in SQLite, so that the crawl's process, which sets the pace, only hands them over a
pipe (throughput benchmark: writing both in the crawl's process took 13% of it).

The crawl's side, `EvidenceWriter.of(crawler)`, is shared by the WARC recorder (crawler/warc.py)
and the store pipeline (crawler/pipelines.py). A response's records go first, with a key; the
capture item follows with the same key, and the writer fills in where the records went and the
payload's digest. Captures are committed together, every COMMIT_SECONDS or COMMIT_ITEMS.

If the crawl's process dies (kill -9), the writer sees its pipe close and exits without
committing: what was not yet committed is lost as it would be in one process, and `--job`
fetches it again (its frontier re-queues what has no stored capture). It ignores SIGINT and
SIGTERM: a Ctrl-C reaches the whole process group, and the crawl then closes it in order.

    python -m crawler.writer IN_FD OUT_FD     # started by EvidenceWriter, not by hand
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from pathlib import Path

from crawler.liveness import VisitLog, apply_visits, visit_of
from crawler.store import Store
from crawler.warc import WarcFiles, write_records

logger = logging.getLogger(__name__)

COMMIT_SECONDS = 1.0
COMMIT_ITEMS = 500
BATCH_MESSAGES, BATCH_BYTES, FLUSH_SECONDS = 64, 256 * 1024, 0.2  # messages go over the pipe in batches
PIPE_BYTES = 1 << 20  # the pipe's buffer: the crawl's process blocks only when the writer is this far behind
LOCATIONS = 10_000  # records waiting for their capture; older ones (redirects: no capture follows) are dropped


class EvidenceWriter:
    """The crawl's end of the writer process: `records(...)` and `capture(...)` hand work over,
    `close()` waits until everything is written and committed and returns the writer's counts."""

    @classmethod
    def of(cls, crawler) -> EvidenceWriter | None:
        """The crawl's writer, started by whichever component asks first; None when this crawl
        stores nothing itself (no ORGANWATCH_DB, or a distributed worker, whose items go to
        Redis: it writes its WARC records in its own process)."""
        settings = crawler.settings
        if not settings.get("ORGANWATCH_DB") or settings.get("ORGANWATCH_REDIS_URL"):
            return None
        writer = getattr(crawler, "organwatch_writer", None)
        if writer is None:
            writer = crawler.organwatch_writer = cls(settings.get("ORGANWATCH_DB"), crawler)
        return writer

    def __init__(self, db: str, crawler=None):
        self.crawler = crawler
        writer_in, crawl_out = os.pipe()
        crawl_in, writer_out = os.pipe()
        try:
            import fcntl

            fcntl.fcntl(crawl_out, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (ImportError, AttributeError, OSError):  # not Linux, or a lower pipe-max-size: the default buffer
            pass
        package_root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler.writer", str(writer_in), str(writer_out)],
            pass_fds=(writer_in, writer_out), env=env,
        )
        os.close(writer_in)
        os.close(writer_out)
        self.conn = Connection(crawl_out, readable=False)
        self.answers = Connection(crawl_in, writable=False)
        self.next_key = 0
        self.batch: list[tuple] = []
        self.batch_bytes = 0
        self.timer = None
        self.failed: str | None = None  # why the writer cannot go on
        self.dropped = 0  # messages handed over after that
        self.closed = False
        self._send(("store", db))
        if crawler is not None:
            from scrapy import signals

            crawler.signals.connect(self._start_timer, signal=signals.spider_opened)
            crawler.signals.connect(self.close, signal=signals.spider_closed)  # if no store pipeline did first

    def open_warc(self, directory: str, info: dict, max_bytes: int) -> None:
        """Write WARC records too, into rotating files under `directory` (crawler/warc.py)."""
        self._send(("warc", directory, info, max_bytes))

    def judge_liveness(self, gone_after: int) -> None:
        """Judge each capture against its page before storing it, and move the pages' timelines
        when the crawl closes (crawler/liveness.py)."""
        self._send(("liveness", gone_after))

    def records(self, response: tuple, request: tuple) -> int:
        """Hand over a response and its request as WARC records; returns the key that the
        capture of this response carries (`warc_key`). `response`: (url, status, http head
        without the status line, body, date, ip); `request`: (url, request line and headers, body)."""
        self.next_key += 1
        self._send(("records", self.next_key, response, request), len(response[3]))
        return self.next_key

    def capture(self, warc_key: int | None, capture: dict, page: dict | None, indicators: list | None) -> None:
        self._send(("capture", warc_key, capture, page, indicators), len(page["text"] or "") if page else 0)

    def _send(self, message: tuple, size: int = 0) -> None:
        """Messages go in batches: a write to the pipe wakes the writer, and one write a message
        cost the crawl's process 0.2 ms a page in the throughput benchmark."""
        if self.failed:  # said once, when it happened: the crawl is closing
            self.dropped += 1
            return
        self.batch.append(message)
        self.batch_bytes += size
        if len(self.batch) >= BATCH_MESSAGES or self.batch_bytes >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Send the batch now (a timer does every FLUSH_SECONDS while the crawl runs)."""
        if not self.batch or self.failed:
            return
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        try:
            self.conn.send(batch)
        except OSError as e:
            self.dropped += len(batch)
            self._failed(f"the evidence writer process is gone (exit {self.process.poll()}): {e}")

    def _failed(self, problem: str) -> None:
        self.failed = problem
        logger.error("%s; closing the crawl (what was committed is kept)", problem)
        try:
            engine = self.crawler.engine if self.crawler is not None else None
        except RuntimeError:  # not started yet
            engine = None
        if engine is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="writer_failed"))

    def _start_timer(self) -> None:
        from twisted.internet.task import LoopingCall

        self.timer = LoopingCall(self.flush)
        self.timer.start(FLUSH_SECONDS, now=False)

    def close(self, timeout: float = 300.0) -> dict:
        """Wait until everything handed over is written and committed; the writer's counts (also
        added to the crawl's stats). Closing twice does nothing."""
        if self.closed:
            return {}
        self.closed = True
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        counts: dict = {}
        try:
            if not self.failed:
                self._send(("close",))
                self.flush()
            if not self.failed:
                if self.answers.poll(timeout):
                    counts = self.answers.recv()
                else:
                    logger.error("the evidence writer did not finish within %.0f s; stopping it", timeout)
        except (OSError, EOFError) as e:
            logger.error("the evidence writer process is gone (exit %s): %s", self.process.poll(), e)
        finally:
            self.conn.close()
            self.answers.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.dropped:
            counts["organwatch/writer_dropped"] = self.dropped
        if self.crawler is not None:
            for name, value in counts.items():
                self.crawler.stats.set_value(name, value)
        return counts


def serve(conn: Connection, answers: Connection) -> None:
    """The writer's loop: batches of messages until "close" (commit, answer the counts) or the
    pipe's end (the crawl died: exit without committing)."""
    writer = _Writer()
    while True:
        if writer.pending:  # commit a second after the last commit, whether or not more is coming
            remaining = COMMIT_SECONDS - (time.monotonic() - writer.last_commit)
            if remaining <= 0 or not conn.poll(remaining):
                writer.commit()
                continue
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return  # the crawl's process is gone: the open transaction rolls back
        for message in batch:
            if message[0] == "close":
                writer.close()
                answers.send(writer.counts)
                return
            writer.handle(message)


class _Writer:
    """The writer process's state: the store, the WARC files, where recent records went."""

    def __init__(self):
        self.store = self.files = None
        self.visits: VisitLog | None = None  # with liveness: this crawl's visits
        self.gone_after = 0
        self.crawl_id = None
        self.where: OrderedDict[int, dict] = OrderedDict()  # records' key: where they went
        self.counts = {"organwatch/store_errors": 0, "organwatch/captures_without_records": 0}
        self.pending, self.last_commit = 0, time.monotonic()

    def handle(self, message: tuple) -> None:
        kind = message[0]
        if kind == "records":
            _, key, response, request = message
            self.where[key] = write_records(self.files, response, request)
            if len(self.where) > LOCATIONS:
                self.where.popitem(last=False)
        elif kind == "capture":
            self.record(*message[1:])
        elif kind == "store":
            self.store = Store(message[1])
        elif kind == "warc":
            self.files = WarcFiles(*message[1:])
        elif kind == "liveness":
            self.visits, self.gone_after = VisitLog(), message[1]

    def record(self, key: int | None, capture: dict, page: dict | None, indicators: list | None) -> None:
        if key is not None:
            location = self.where.pop(key, None)
            if location is None:
                self.counts["organwatch/captures_without_records"] += 1
            else:
                capture.update(location)
        conn = self.store.db.conn
        if not conn.in_transaction:
            conn.execute("begin")
        self.crawl_id = capture.get("crawl_id")
        try:
            if self.visits is not None and (visit := visit_of(self.store.db, {**capture, "page": page})):
                self.visits.append(visit)
            self.store.record(capture, page, indicators)
        except Exception:
            self.counts["organwatch/store_errors"] += 1
            logger.exception("storing the capture of %s failed", capture.get("url"))
        self.pending += 1
        if self.pending >= COMMIT_ITEMS:
            self.commit()

    def commit(self) -> None:
        self.store.db.conn.commit()
        self.pending, self.last_commit = 0, time.monotonic()

    def close(self) -> None:
        """Commit the captures, then move the pages' timelines (in a transaction of their own)."""
        if self.files is not None:
            self.files.close()
        if self.store is None:
            return
        if self.store.db.conn.in_transaction:
            self.commit()
        if self.visits is not None:
            for kind, n in apply_visits(self.store, self.crawl_id, self.visits, self.gone_after).items():
                self.counts[f"organwatch/events/{kind}"] = n
            self.visits.close()
        self.store.close()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="organwatch writer: %(levelname)s %(message)s")
    serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))


if __name__ == "__main__":
    main()
