"""Crash safety: kill -9 a resumable crawl mid-way, run it again with the same --job, and find
every page exactly once, nothing stored lost, and a sound database."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.sampleweb.server import SampleWeb
from tests.conftest import FAST, organwatch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_web():
    with SampleWeb() as web:
        yield web


def count(db, sql, args=()):
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return con.execute(sql, args).fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def crawl_args(web, db, *extra):
    return ["crawl", *web.seeds(), "--db", str(db), "--allow-private", *FAST, *extra]


def test_kill_9_then_resume_loses_and_duplicates_nothing(tmp_path, sample_web):
    reference = tmp_path / "reference.db"  # the same crawl, uninterrupted, side by side
    ref = subprocess.Popen([sys.executable, "-m", "crawler.cli", *crawl_args(sample_web, reference)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db, job = tmp_path / "crash.db", tmp_path / "job"
    args = crawl_args(sample_web, db, "--job", str(job))
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while count(db, "select count(*) from captures") < 40 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    before = {r[0] for r in sqlite3.connect(db).execute("select url from pages")}
    assert ref.wait(timeout=300) == 0
    expected = {r[0] for r in sqlite3.connect(reference).execute("select url from pages")}
    assert 0 < len(before) < len(expected)

    rerun = organwatch(*args)
    assert rerun.returncode == 0, rerun.stderr

    con = sqlite3.connect(db)
    assert con.execute("pragma integrity_check").fetchone() == ("ok",)
    after = {r[0] for r in con.execute("select url from pages")}
    assert before <= after == expected
    twice = con.execute("select url, count(*) from captures group by url having count(*) > 1").fetchall()
    assert twice == []
    assert [r[0] for r in con.execute("select status from crawls order by id")] == ["running", "finished"]


def children(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]


def test_when_the_evidence_writer_dies_the_crawl_stops_and_keeps_what_it_committed(tmp_path, sample_web):
    db = tmp_path / "writer.db"
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *crawl_args(sample_web, db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while count(db, "select count(*) from captures") < 40 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.05)
    (writer,) = [c for c in children(proc.pid) if b"crawler.writer" in Path(f"/proc/{c}/cmdline").read_bytes()]
    os.kill(writer, signal.SIGKILL)
    stored = count(db, "select count(*) from captures")
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "the evidence writer process is gone" in stderr
    con = sqlite3.connect(db)
    assert con.execute("pragma integrity_check").fetchone() == ("ok",)
    assert con.execute("select count(*) from captures").fetchone()[0] >= stored >= 40
    assert con.execute("select status from crawls").fetchone() == ("writer_failed",)
