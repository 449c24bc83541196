"""Every capture of a crawl is in a WARC file that `warcio check` accepts, where the row says."""

import hashlib
import sqlite3
import subprocess
import sys

from warcio.archiveiterator import ArchiveIterator


def test_warcio_check_passes_on_every_file(crawled_db):
    files = sorted((crawled_db.parent / "warc").glob("*.warc.gz"))
    assert files
    result = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_capture_rows_point_at_their_response_records(crawled_db):
    rows = sqlite3.connect(crawled_db).execute(
        "select url, warc_file, warc_offset, warc_record_id, payload_sha256, server_ip from captures where status is not null"
    ).fetchall()
    assert rows
    for url, path, offset, record_id, sha, ip in rows:
        with open(path, "rb") as f:
            f.seek(offset)
            record = next(iter(ArchiveIterator(f)))
            assert record.rec_headers.get_header("WARC-Record-ID") == record_id
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert record.rec_headers.get_header("WARC-IP-Address") == ip == "127.0.0.1"
            assert hashlib.sha256(record.content_stream().read()).hexdigest() == sha


def test_each_file_starts_with_warcinfo_naming_the_software(crawled_db):
    for path in (crawled_db.parent / "warc").glob("*.warc.gz"):
        with open(path, "rb") as f:
            first = next(iter(ArchiveIterator(f)))
            assert first.rec_type == "warcinfo"
            assert b"organwatch/" in first.content_stream().read()


def test_links_are_fetched_with_the_page_they_were_found_on_as_referer(crawled_db):
    referers = dict(sqlite3.connect(crawled_db).execute("select url, referer from captures where referer is not null"))
    assert referers
    sent = {}
    for path in (crawled_db.parent / "warc").glob("*.warc.gz"):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "request":
                    sent[record.rec_headers.get_header("WARC-Target-URI")] = record.http_headers.get_header("Referer")
    assert {url: sent.get(url) for url in referers} == referers
