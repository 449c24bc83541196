"""The crawl's reader processes: `await Readers(n).read(body, content_type, url)` runs
crawler/reading.py's `read_page` in one of n processes (ORGANWATCH_READERS), so a machine of N
cores reads N pages at once while the crawl's own process keeps fetching and handing evidence
to its writer (crawler/writer.py). This module imports no reading code: the crawl's process
starts the fork server (which loads the model) first thing, before it imports Scrapy's and its
own modules.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
import traceback
from collections import deque
from multiprocessing import forkserver
from pathlib import Path

logger = logging.getLogger(__name__)


class UnreadablePage(Exception):
    """A page that could not be read: its capture is stored with problem 'unreadable'."""


def reader_count(readers) -> int:
    """The setting ORGANWATCH_READERS as a number: by default (None) one reader process per core
    (on 2 cores 1, 2 and 3 readers crawled at about the same rate: the crawl's own process sets
    the pace). Each one's share of memory (PSS) is about 100 MB, the model's pages counted in part."""
    if readers not in (None, ""):
        return int(readers)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Pages go to a reader in batches, one message each: every message wakes a reader process, and on
# the benchmark's 2-core machine a wake-up cost the crawl's process 90 us (median) to 4 ms (1%,
# when the woken reader took its core). A batch is sent when it holds BATCH pages or its first
# page has waited LINGER seconds, and only while the reader has no batch in flight: the reader
# then takes the whole message before it answers, so the two directions of a pipe never block
# each other, whatever the pages' sizes.
BATCH = 8
# A page waits at most this long for others. The focus waits for a page's links, but 0.1 s did not
# change what it found (benchmarks/focus.py, relevant pages in its 2,000-page budget, median of 6
# or 8 crawls: 137 with 0.1 s, 128 with 0.02 s; single crawls range from 64 to 155).
LINGER = 0.1
DEPTH = 2 * BATCH  # pages a reader holds: one batch being read, the next one filling
BIG = 64 * 1024  # a larger body goes in a batch of its own to a reader with nothing queued: if it kills the reader, it takes no other page with it


class Readers:
    """`await readers.read(body, content_type, url)`: read_page in one of `processes` worker
    processes (0: in this process), each with the model loaded once.

    Workers talk to the event loop over pipes, with no thread in between (one thread only starts
    them): concurrent.futures' pool hands work over through threads, and their fight for the GIL
    stalled the event loop a few ms per page. Pages go to a reader in batches (BATCH), and it
    holds up to DEPTH, so it does not wait for the event loop between two batches. A worker
    that dies (out of memory on a monstrous page) is replaced, and its pages tried once more
    before they count as unreadable."""

    def __init__(self, processes: int):
        self.processes = processes
        self.workers: list[_Worker] = []
        self.waiting: deque[tuple[int, tuple, asyncio.Future]] = deque()  # pages waiting for a reader with room
        self.started: asyncio.Future | None = None  # the reader processes, (process, pipe) pairs
        self.start_time = 0.0  # when `start` was called (time.monotonic)
        self.wait = 0.0  # seconds from `start` until the readers could take pages (the fork server's preload)
        if processes:  # the fork server loads the model while Scrapy starts (if run_crawl has not started it)
            start_fork_server()

    async def read(self, body: bytes, content_type: str, url: str) -> dict:
        if not self.processes:
            from crawler.reading import read_page

            try:
                return read_page(body, content_type, url)
            except Exception as e:
                logger.exception("reading %s failed", url)
                raise UnreadablePage(f"{type(e).__name__}: {e}") from e
        if not self.workers:
            self.start()
            started = await self.started
            if not self.workers:  # the first page back from the wait makes them
                self.workers = [_Worker(*pair) for pair in started]
                self.wait = time.monotonic() - self.start_time
        for _attempt in (1, 2):
            # one event loop, no await between finding a reader and giving it the page: no lock
            args = (body, content_type, url)
            worker = None if self.waiting else self._free(len(body))
            if worker is not None:
                answer = worker.submit(args)
            else:  # every reader is full: wait in line until `_hand_over` gives the page to one
                turn = asyncio.get_running_loop().create_future()
                self.waiting.append((len(body), args, turn))
                worker, answer = await turn
            try:
                result = await answer
            except _WorkerDied:
                if worker in self.workers:
                    logger.error("a reader process died reading %s; starting a new one", url)
                    worker.close()
                    self.workers[self.workers.index(worker)] = _Worker()
                continue
            finally:
                self._hand_over()
            if isinstance(result, BaseException):
                raise result
            return result
        raise UnreadablePage("the reader process died twice reading it")

    def _hand_over(self) -> None:
        """A reader has room again: give it the first waiting page. Only that page's task wakes
        up: waking every waiting page to look for a reader resumed each through Scrapy's chain of
        middlewares, and cost more than reading."""
        while self.waiting:
            size, args, turn = self.waiting[0]
            if turn.done():  # its crawl task was cancelled
                self.waiting.popleft()
                continue
            worker = self._free(size)
            if worker is None:
                return
            self.waiting.popleft()
            turn.set_result((worker, worker.submit(args)))

    def start(self) -> None:
        """Start the reader processes (the crawl does when its spider opens) without blocking the
        event loop: the first start waits for the fork server to load the model, so it runs in a
        thread while the crawl fetches its first pages. `read` waits for them."""
        if self.processes and self.started is None:
            self.start_time = time.monotonic()
            self.started = asyncio.get_running_loop().run_in_executor(None, _start_readers, self.processes)

    def _free(self, size: int) -> _Worker | None:
        """The least busy reader that may take one more page of this size."""
        room = 1 if size > BIG else DEPTH
        return min((w for w in self.workers if len(w.waiting) < room), key=lambda w: len(w.waiting), default=None)

    def peak_memory(self) -> int:
        """The largest peak resident memory of the running readers, in bytes (0 if unknown)."""
        return max((w.peak_memory() for w in self.workers), default=0)

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        started = self.started
        never_used = not self.workers and started is not None and started.done() and not started.cancelled()
        if never_used and started.exception() is None:
            for process, conn in started.result():  # started, but no page ever came
                _stop(process, conn)
        self.workers.clear()
        self.started = None


def start_fork_server():
    """Readers are not forks of the crawl's process, which runs an event loop and threads a fork
    would copy, but forks of a fork server: one clean process that loads the model once, so a
    reader starts in milliseconds and shares the model's memory with the others."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["crawler.preload"])
    forkserver.ensure_running()  # returns at once; the first reader's start waits for the preload
    return context


class _WorkerDied(Exception):
    pass


def _start_reader() -> tuple:
    """A new reader process and the crawl's end of its pipe."""
    context = start_fork_server()
    conn, child = context.Pipe()
    process = context.Process(target=_serve, args=(child,), daemon=True, name="organwatch-reader")
    process.start()
    child.close()
    return process, conn


def _start_readers(n: int) -> list[tuple]:
    return [_start_reader() for _ in range(n)]


def _stop(process, conn) -> None:
    conn.close()  # the reader sees EOF and exits
    process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join()


class _Worker:
    """One reader process and its pipe; answers come back in the order the pages went."""

    def __init__(self, process=None, conn=None):
        self.process, self.conn = (process, conn) if process else _start_reader()
        self.waiting: deque[asyncio.Future] = deque()  # the answers to come: pages sent, then the outbox's
        self.outbox: list[tuple] = []  # the next batch
        self.sent = 0  # pages sent and not answered yet
        self.due = 0.0  # when the outbox's first page has waited LINGER (loop time)
        self.timer: asyncio.TimerHandle | None = None
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.conn.fileno(), self._readable)

    def submit(self, args: tuple) -> asyncio.Future:
        answer = self.loop.create_future()
        self.waiting.append(answer)
        self.outbox.append(args)
        if len(self.outbox) == 1:
            self.due = self.loop.time() + LINGER
            self.timer = self.loop.call_at(self.due, self._flush)
        if len(self.outbox) >= BATCH or len(args[0]) > BIG:
            self._flush()
        return answer

    def _flush(self) -> None:
        """Send the outbox as one batch, unless a batch is in flight: its answer sends this one."""
        if self.sent or not self.outbox:
            return
        batch, self.outbox = self.outbox, []
        self.timer.cancel()
        try:
            self.conn.send(batch)
        except OSError as e:
            self._died(e)
            return
        self.sent = len(batch)

    def _readable(self) -> None:
        try:
            results = self.conn.recv()
        except (EOFError, OSError) as e:
            self._died(e)
            return
        self.sent = 0
        for result in results:
            self.waiting.popleft().set_result(result)
        if len(self.outbox) >= BATCH or (self.outbox and self.loop.time() >= self.due):
            self._flush()

    def _died(self, error: Exception) -> None:
        self.loop.remove_reader(self.conn.fileno())
        if self.timer:
            self.timer.cancel()
        self.outbox.clear()
        while self.waiting:
            self.waiting.popleft().set_exception(_WorkerDied(str(error)))

    def peak_memory(self) -> int:
        """VmHWM, the process's peak resident memory, in bytes (0 where /proc cannot tell)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0)

    def close(self) -> None:
        if self.timer:
            self.timer.cancel()
        if not self.conn.closed:
            self.loop.remove_reader(self.conn.fileno())
        _stop(self.process, self.conn)


def _serve(conn) -> None:
    """A worker's loop: read batches of pages, answer each batch with one message of their
    results in order, until the crawl closes its end of the pipe."""
    from crawler.reading import read_page  # loaded by the fork server's preload
    from nlp.model import load as load_model

    load_model()
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        results = []
        for body, content_type, url in batch:
            try:
                results.append(read_page(body, content_type, url))
            except Exception as e:  # a bug or a page no parser survives: the crawl stores it as unreadable
                traceback.print_exc()
                results.append(UnreadablePage(f"{type(e).__name__}: {e}"))
        conn.send(results)
