"""`organwatch snapshot` with Debian's Chromium: screenshot and DOM as WARC resource records tied
to the capture, exported in the case bundle and verified."""

import hashlib
import sqlite3
import zipfile

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.cli import main
from tests.test_bundle import copy_db


@pytest.fixture(scope="module")
def snapped(crawled_db, fixture_web, tmp_path_factory):
    folder = tmp_path_factory.mktemp("snap")
    db = copy_db(crawled_db, folder / "s.db")
    url = fixture_web.bases["alpha"] + "/posts/kidney.html"
    assert main(["snapshot", "--db", str(db), "--url", url, "--warc-dir", str(folder / "warc"), "--allow-private"]) == 0
    return db, url, folder


def test_snapshot_records_match_the_row(snapped):
    db, url, _ = snapped
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = conn.execute("select s.*, c.warc_record_id as capture_record from snapshots s join captures c "
                       "on c.id = s.capture_id").fetchone()
    conn.close()
    with open(row["warc_file"], "rb") as f:
        f.seek(row["screenshot_offset"])
        shot = next(iter(ArchiveIterator(f)))
        png = shot.content_stream().read()
        f.seek(row["dom_offset"])
        dom = next(iter(ArchiveIterator(f))).content_stream().read()
    assert png.startswith(b"\x89PNG") and hashlib.sha256(png).hexdigest() == row["screenshot_sha256"]
    assert shot.rec_headers.get_header("WARC-Target-URI") == f"urn:view:{url}"
    assert shot.rec_headers.get_header("WARC-Refers-To") == row["capture_record"]
    assert b"<html" in dom and hashlib.sha256(dom).hexdigest() == row["dom_sha256"]


def test_private_addresses_are_refused_without_allow_private(snapped, capsys):
    db, url, folder = snapped
    assert main(["snapshot", "--db", str(db), "--url", url, "--warc-dir", str(folder / "w2"), "--timeout", "10"]) == 1
    assert f"FAIL {url}" in capsys.readouterr().err


def test_snapshot_goes_into_the_bundle_and_verifies(snapped, capsys):
    db, url, folder = snapped
    out = folder / "case.wacz"
    assert main(["export", "--db", str(db), "--out", str(out), "--url", url]) == 0
    with zipfile.ZipFile(out) as z:
        index = z.read("indexes/index.cdxj").decode()
    assert "image/png" in index
    assert main(["verify", str(out)]) == 0
