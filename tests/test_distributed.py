"""Distributed mode with a real redis-server: two workers and one ingester crawl the sample web;
every page is stored exactly once and the combined request rate per host stays within the limit."""

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict

import pytest
import redis

from crawler.sampleweb import server as sampleweb
from tests.conftest import FAST, organwatch
from tests.test_sampleweb import MANIFEST

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server not installed (.ci/run installs it)"),
]
DELAY = 0.25  # seconds between two requests to one host, across all workers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def logged_web(monkeypatch):
    """The sample web, noting (port, time) of every request it answers."""
    hits = []
    monkeypatch.setattr(
        sampleweb._Handler, "log_request",
        lambda self, *args: hits.append((self.server.server_address[1], time.monotonic())),
    )
    with sampleweb.SampleWeb() as web:
        yield web, hits


def start(*args):
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(proc) -> str:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return err.decode()


def test_two_workers_one_ingester(tmp_path, redis_url, logged_web):
    web, hits = logged_web
    db = tmp_path / "dist.db"
    ingester = start("ingest", "--redis", redis_url, "--db", str(db), "--idle", "2")
    worker = ["crawl", *web.seeds(), "--redis", redis_url, "--allow-private", "--warc-dir", str(tmp_path / "warc"),
              *FAST, "-s", f"ORGANWATCH_SHARED_DELAY={DELAY}", "-s", "ORGANWATCH_IDLE_EXIT=10",
              "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
    # idle for 10 s, not 2: the first worker takes the seeds, and their links reach the shared
    # queue only once its reader processes have started and read the pages (a few seconds)
    workers = [start(*worker), start(*worker)]
    for proc in [*workers, ingester]:
        finish(proc)

    con = sqlite3.connect(db)
    crawlable = {web.bases[m["site"]] + m["path"] for m in MANIFEST if m["crawlable"]}
    assert crawlable <= {url for (url,) in con.execute("select url from pages")}
    assert con.execute("select url from captures group by url having count(*) > 1").fetchall() == []
    per_crawl = con.execute("select c.status, count(p.id) from crawls c left join captures p on p.crawl_id = c.id group by c.id")
    assert [(status, n > 0) for status, n in per_crawl] == [("finished", True), ("finished", True)]

    by_host = defaultdict(list)
    for port, at in hits:
        by_host[port].append(at)
    tight = {
        port: (len(times), round(max(times) - min(times), 2))
        for port, times in by_host.items()
        if len(times) > 1 and (max(times) - min(times)) < (len(times) - 1) * DELAY * 0.9
    }
    assert not tight, f"hosts answered faster than one request per {DELAY}s: {tight}"


def test_ingest_replays_what_a_dead_ingester_left(tmp_path, redis_url):
    """Messages taken but not committed (the ingester died) are written on the next start, once."""
    client = redis.Redis.from_url(redis_url)
    item = {"url": "https://a.example/", "final_url": "https://a.example/", "fetched_at": "2026-01-01T00:00:00Z",
            "status": 200, "page": {"url": "https://a.example/", "domain": "a.example", "title": "t", "text": "x"}}
    messages = [
        {"type": "start", "worker": "w1", "seeds": [], "settings": {}, "software": "test"},
        {"type": "item", "worker": "w1", "item": item},
        {"type": "finish", "worker": "w1", "stats": {}, "reason": "finished"},
    ]
    client.rpush("organwatch:items:processing", *(json.dumps(m) for m in messages))
    for _ in range(2):
        assert organwatch("ingest", "--redis", redis_url, "--db", str(tmp_path / "i.db"), "--idle", "0.5", timeout=60).returncode == 0
        client.rpush("organwatch:items:processing", *(json.dumps(m) for m in messages[1:]))
    con = sqlite3.connect(tmp_path / "i.db")
    assert con.execute("select count(*) from captures").fetchone() == (1,)
    client.close()


@pytest.mark.parametrize("args", [["--redis", "localhost:6379"], ["--redis", "redis://x/0", "--job", "j"]])
def test_bad_redis_usage_exits_2(args):
    result = organwatch("crawl", "https://a.example/", *args)
    assert result.returncode == 2 and "--redis" in result.stderr
