"""At the end of every crawl, one `capture` entry in the custody log per WARC file written, with
the file's SHA-256 taken at collection time (after the WARC writer closed it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import custody
from crawler.store import Store


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class CaptureCustody:
    def __init__(self, crawler):
        self.path = crawler.settings.get("ORGANWATCH_DB")
        if not self.path:
            raise NotConfigured("ORGANWATCH_DB is empty")
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self):
        crawl_id = self.crawler.stats.get_value("organwatch/crawl_id")
        if crawl_id is None:
            return
        store = Store(self.path)
        try:
            rows = store.db.execute(
                "select warc_file, count(*) from captures where crawl_id = ? and warc_file is not null "
                "group by warc_file order by warc_file",
                [crawl_id],
            ).fetchall()
            for warc_file, n in rows:
                if Path(warc_file).exists():
                    custody.append(
                        store.db, "capture", f"warc:{Path(warc_file).name}", file_sha256(warc_file),
                        {"crawl_id": crawl_id, "file": warc_file, "captures": n},
                    )
        finally:
            store.close()
