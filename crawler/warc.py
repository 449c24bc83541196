"""WARC (ISO 28500) evidence of every fetch: request and response records, gzipped, in rotating
files, each file opening with a warcinfo record (software, version, crawl settings).

What the records are: a faithful reconstruction, not raw wire bytes. Scrapy hands middlewares
parsed responses; this middleware sits next to the downloader, so it sees the body as the server
sent it (still compressed when the server compressed it, with its Content-Encoding header) and
the request headers as sent, but the status line and header order are rebuilt from the parsed
response and chunked transfer encoding is already removed (Transfer-Encoding is kept as a
header for the record). Digests are SHA-256 (`sha256:` + base32) of the block and the payload.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from nlp.model import organwatch_version

EVIDENCE_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "ORGANWATCH_MAX_DEPTH", "CLOSESPIDER_PAGECOUNT", "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED", "CONCURRENT_REQUESTS_PER_DOMAIN", "ORGANWATCH_DOMAIN_PAGE_CAP",
    "ORGANWATCH_ALLOW_PRIVATE", "DOWNLOAD_MAXSIZE", "JOBDIR",
)


def sha256_label(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def warc_date(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts or time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcFiles:
    """Rotating gzipped WARC files under one directory; `write` returns where each record went."""

    def __init__(self, directory: str | Path, info: dict, max_bytes: int = 100 * 1024 * 1024, prefix: str = "organwatch"):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.info = info
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.seq = 0
        self.file = None
        self.writer = None
        self.path: Path | None = None

    def _open(self) -> None:
        self.close()
        self.seq += 1
        self.path = self.dir / f"{self.prefix}-{self.stamp}-{os.getpid()}-{self.seq:05d}.warc.gz"
        self.file = open(self.path, "ab")
        self.resolved = str(self.path.resolve())
        self.writer = WARCWriter(self.file, gzip=True)
        record = self.writer.create_warcinfo_record(self.path.name, self.info)
        self.writer.write_record(record)

    def write(self, record) -> dict:
        if self.file is None or self.file.tell() >= self.max_bytes:
            self._open()
        offset = self.file.tell()
        self.writer.write_record(record)
        self.file.flush()
        return {
            "warc_file": self.resolved,
            "warc_offset": offset,
            "warc_length": self.file.tell() - offset,
            "warc_record_id": record.rec_headers.get_header("WARC-Record-ID"),
        }

    def record(self, uri: str, record_type: str, payload: bytes, http_headers=None, headers: dict | None = None,
               content_type: str = ""):
        block = (http_headers.to_bytes() if http_headers else b"") + payload
        warc_headers = {"WARC-Block-Digest": sha256_label(block), **(headers or {})}
        if http_headers is not None or record_type == "resource":
            warc_headers["WARC-Payload-Digest"] = sha256_label(payload)
        return self.writer_for_build().create_warc_record(
            uri, record_type, payload=BytesIO(payload), length=len(payload),
            warc_content_type=content_type, warc_headers_dict=warc_headers, http_headers=http_headers,
        )

    def writer_for_build(self) -> WARCWriter:
        if self.writer is None:
            self._open()
        return self.writer

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        self.file = self.writer = None


class WarcRecorder:
    """Downloader middleware next to the downloader: writes a request and a response record for
    every response and leaves where they went in `request.meta["warc"]`."""

    def __init__(self, crawler):
        settings = crawler.settings
        directory = settings.get("ORGANWATCH_WARC_DIR")
        if not directory:
            raise NotConfigured("ORGANWATCH_WARC_DIR is empty")
        info = {
            "software": f"organwatch/{organwatch_version()} (Scrapy)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "organwatch-settings": json.dumps({k: settings.get(k) for k in EVIDENCE_SETTINGS}, sort_keys=True, default=str),
            "description": "Records rebuilt from Scrapy's parsed responses; see crawler/warc.py.",
        }
        self.files = WarcFiles(directory, info, settings.getint("ORGANWATCH_WARC_MAX_BYTES", 100 * 1024 * 1024))
        self.stats = crawler.stats
        from scrapy import signals

        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def close(self, spider=None):
        self.files.close()

    def process_response(self, request, response):
        now = warc_date()
        ip = str(response.ip_address) if getattr(response, "ip_address", None) else None
        common = {"WARC-Date": now}
        if ip:
            common["WARC-IP-Address"] = ip
        path = request.url.split("/", 3)[3] if request.url.count("/") >= 3 else ""
        req_headers = StatusAndHeaders(
            f"{request.method} /{path} HTTP/1.1",
            [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in request.headers.items() for v in vs],
            is_http_request=True,
        )
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        resp_headers = StatusAndHeaders(
            f"{response.status} {reason}".strip(),
            [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs],
            protocol="HTTP/1.1",
        )
        resp = self.files.record(response.url, "response", response.body, resp_headers, common)
        req = self.files.record(
            request.url, "request", request.body or b"", req_headers,
            {**common, "WARC-Concurrent-To": resp.rec_headers.get_header("WARC-Record-ID")},
        )
        where = self.files.write(resp)
        self.files.write(req)
        where["payload_sha256"] = hashlib.sha256(response.body).hexdigest()
        request.meta["warc"] = where  # the spider reads it as response.meta["warc"]
        self.stats.inc_value("organwatch/warc_records", 2)
        return response
