"""The evidence writer process (crawler/writer.py), driven from this process as the crawl drives it:
a real writer process, a real SQLite file, real WARC files."""

import hashlib
import sqlite3
import time

from warcio.archiveiterator import ArchiveIterator

from crawler.store import Store
from crawler.writer import EvidenceWriter

INFO = {"software": "organwatch test"}


def fetched(url, body):
    return (url, 200, b"\r\nContent-Type: text/html\r\n\r\n", body, 1_800_000_000.0, "127.0.0.1"), \
        (url, b"GET / HTTP/1.1\r\n\r\n", b"")


def capture(url):
    return {"url": url, "final_url": url, "fetched_at": "2026-11-27T00:00:00Z", "status": 200}


def page(url):
    return {"url": url, "domain": "a.example", "title": "t", "text": "a page", "flagged": 0, "risk": 1}


def hand_over(writer, n, start=0):
    for i in range(start, start + n):
        url = f"https://a.example/{i}"
        key = writer.records(*fetched(url, f"<p>page {i}</p>".encode()))
        writer.capture(key, capture(url), page(url), [])


def started(tmp_path):
    """A writer process storing into a new database and writing WARC files, as a crawl starts one."""
    db = tmp_path / "w.db"
    Store(db).close()
    writer = EvidenceWriter(str(db))
    writer.open_warc(str(tmp_path / "warc"), INFO, 1 << 20)
    return writer, db


def query(db, sql: str) -> list:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_captures_are_stored_with_where_their_records_went(tmp_path):
    writer, db = started(tmp_path)
    hand_over(writer, 3)
    assert writer.close() == {"organwatch/store_errors": 0, "organwatch/captures_without_records": 0}
    rows = query(db, "select url, warc_file, warc_offset, warc_record_id, payload_sha256 from captures order by id")
    assert [r[0] for r in rows] == [f"https://a.example/{i}" for i in range(3)]
    for url, warc_file, offset, record_id, sha in rows:
        with open(warc_file, "rb") as f:
            f.seek(offset)
            record = next(iter(ArchiveIterator(f)))
            assert record.rec_headers.get_header("WARC-Record-ID") == record_id
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert hashlib.sha256(record.content_stream().read()).hexdigest() == sha


def test_a_crawl_that_dies_loses_only_what_was_not_committed(tmp_path):
    """The crawl's process gone without "close" (kill -9): the writer exits without committing."""
    writer, db = started(tmp_path)
    hand_over(writer, 2)
    writer.flush()
    writer.conn.close()  # what the kernel does when the crawl's process dies
    assert writer.process.wait(timeout=10) == 0
    assert query(db, "select count(*) from captures") == [(0,)]
    assert query(db, "pragma integrity_check") == [("ok",)]


def test_a_writer_that_dies_is_reported_and_what_it_committed_is_kept(tmp_path):
    writer, db = started(tmp_path)
    hand_over(writer, 2)
    writer.flush()
    deadline = time.monotonic() + 30
    while query(db, "select count(*) from captures") != [(2,)]:  # committed after a second
        assert time.monotonic() < deadline
        time.sleep(0.1)
    writer.process.kill()
    writer.process.wait()
    hand_over(writer, 2, start=2)
    writer.flush()
    assert writer.failed and "writer process is gone" in writer.failed
    assert writer.close()["organwatch/writer_dropped"] == 2 * 2
    assert query(db, "select count(*) from captures") == [(2,)]
    assert query(db, "pragma integrity_check") == [("ok",)]


def test_a_capture_whose_records_were_forgotten_is_stored_and_counted(tmp_path):
    writer, db = started(tmp_path)
    writer.capture(12345, capture("https://a.example/x"), page("https://a.example/x"), [])
    assert writer.close()["organwatch/captures_without_records"] == 1
    assert query(db, "select url, warc_file from captures") == [("https://a.example/x", None)]


def test_captures_are_committed_every_second_while_more_keep_coming(tmp_path):
    writer, db = started(tmp_path)
    deadline, n = time.monotonic() + 3, 0
    while time.monotonic() < deadline:  # a steady stream, fewer than COMMIT_ITEMS
        hand_over(writer, 1, start=n)
        writer.flush()
        n += 1
        time.sleep(0.05)
    committed = query(db, "select count(*) from captures")[0][0]
    writer.close()
    assert 0 < committed < n
