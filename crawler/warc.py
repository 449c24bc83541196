"""WARC (ISO 28500) evidence of every fetch: request and response records, gzipped, in rotating
files, each file opening with a warcinfo record (software, version, crawl settings).

What the records are: a faithful reconstruction, not raw wire bytes. Scrapy hands middlewares
parsed responses; this middleware sits next to the downloader, so it sees the body as the server
sent it (still compressed when the server compressed it, with its Content-Encoding header) and
the request headers as sent, but the status line and header order are rebuilt from the parsed
response and chunked transfer encoding is already removed (Transfer-Encoding is kept as a
header for the record). Digests are SHA-256 (`sha256:` + base32) of the block and the payload.
Header names and values are written as the bytes Scrapy holds.

Records are serialised here rather than with warcio's writer, which cost about 0.8 ms a page
(warcio still reads them: export, verify, tests). A crawl that stores its captures builds and
writes them in its evidence writer process (crawler/writer.py), not in its own process, the one
that sets the pace; a distributed worker, which stores nothing, writes them itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

from nlp import organwatch_version

EVIDENCE_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "ORGANWATCH_MAX_DEPTH", "CLOSESPIDER_PAGECOUNT", "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED", "CONCURRENT_REQUESTS_PER_DOMAIN", "ORGANWATCH_DOMAIN_PAGE_CAP",
    "ORGANWATCH_ALLOW_PRIVATE", "DOWNLOAD_MAXSIZE", "JOBDIR",
)


def sha256_label(data: bytes) -> str:
    return digest_label(hashlib.sha256(data))


def digest_label(digest) -> str:
    """A WARC digest field: `sha256:` + base32."""
    return "sha256:" + base64.b32encode(digest.digest()).decode("ascii")


def warc_date(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts or time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def gzip_member(data: bytes) -> bytes:
    """`data` as one gzip member, compressed at level 6 with a window no larger than the data
    (from 512 bytes to zlib's 32 KB) and a hash table to match: setting up zlib's full-size state
    took most of the time for a page's records (2 x 140 us -> 2 x 45 us for a 3 KB page)."""
    window = min(15, max(9, len(data).bit_length()))
    compressor = zlib.compressobj(6, zlib.DEFLATED, window + 16, window - 7)
    return compressor.compress(data) + compressor.flush()


@dataclass(frozen=True)
class Record:
    record_id: str
    data: bytes  # the whole record, uncompressed


def make_record(uri: str, record_type: str, payload: bytes, http_head: bytes | None = None,
                headers: dict | None = None, content_type: str = "", payload_digest: str | None = None) -> Record:
    """A WARC/1.1 record: `http_head` (status line, headers, blank line) and `payload` form its
    block; `payload_digest` is the payload's sha256 label when the caller has it already."""
    record_id = f"<urn:uuid:{uuid.uuid4()}>"
    block = http_head + payload if http_head is not None else payload
    headers = headers or {}
    fields = {
        "WARC-Type": record_type, "WARC-Record-ID": record_id,
        "WARC-Date": headers["WARC-Date"] if "WARC-Date" in headers else warc_date(), **headers,
        **({"WARC-Target-URI": uri} if uri else {}), "WARC-Block-Digest": sha256_label(block),
    }
    if http_head is not None or record_type == "resource":
        fields["WARC-Payload-Digest"] = payload_digest or sha256_label(payload)
    if http_head is not None:
        content_type = f"application/http; msgtype={record_type}"
    fields["Content-Type"] = content_type or "application/octet-stream"
    fields["Content-Length"] = str(len(block))
    head = "WARC/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    return Record(record_id, head.encode("utf-8") + block + b"\r\n\r\n")


class WarcFiles:
    """Rotating gzipped WARC files under one directory, a gzip member per record; `write`
    returns where each record went."""

    def __init__(self, directory: str | Path, info: dict, max_bytes: int = 100 * 1024 * 1024, prefix: str = "organwatch"):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.info = info
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.seq = 0
        self.file = None
        self.path: Path | None = None

    def _open(self) -> None:
        self.close()
        self.seq += 1
        self.path = self.dir / f"{self.prefix}-{self.stamp}-{os.getpid()}-{self.seq:05d}.warc.gz"
        self.file = open(self.path, "ab")
        self.resolved = str(self.path.resolve())
        fields = "".join(f"{k}: {v}\r\n" for k, v in self.info.items()).encode("utf-8")
        self._append(make_record("", "warcinfo", fields, headers={"WARC-Filename": self.path.name},
                                 content_type="application/warc-fields"))

    def _append(self, record: Record) -> None:
        self.file.write(gzip_member(record.data))

    def write(self, record: Record) -> dict:
        if self.file is None or self.file.tell() >= self.max_bytes:
            self._open()
        offset = self.file.tell()
        self._append(record)
        self.file.flush()
        return {
            "warc_file": self.resolved,
            "warc_offset": offset,
            "warc_length": self.file.tell() - offset,
            "warc_record_id": record.record_id,
        }

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        self.file = None


def write_records(files: WarcFiles, response: tuple, request: tuple) -> dict:
    """Write a response record and its request record; where the response's went, with the
    payload's SHA-256 (hex). `response`: (url, status, headers as `_http_head(b"", ...)`, body,
    time fetched, server IP or None); `request`: (url, request line and headers, body)."""
    url, status, head, body, fetched, ip = response
    request_url, request_head, request_body = request
    common = {"WARC-Date": warc_date(fetched), **({"WARC-IP-Address": ip} if ip else {})}
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    status_line = f"HTTP/1.1 {status} {reason}".strip().encode("latin-1")
    digest = hashlib.sha256(body)
    resp = make_record(url, "response", body, status_line + head, common, payload_digest=digest_label(digest))
    req = make_record(request_url, "request", request_body, request_head,
                      {**common, "WARC-Concurrent-To": resp.record_id})
    where = files.write(resp)
    files.write(req)
    where["payload_sha256"] = digest.hexdigest()
    return where


class WarcRecorder:
    """Downloader middleware next to the downloader: a request and a response record for every
    response. It leaves in `request.meta["warc"]` where they went, or, when the crawl's evidence
    writer writes them, the key that tells the writer which capture they belong to."""

    def __init__(self, crawler):
        from scrapy.exceptions import NotConfigured

        from crawler.writer import EvidenceWriter

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
        max_bytes = settings.getint("ORGANWATCH_WARC_MAX_BYTES", 100 * 1024 * 1024)
        self.writer = EvidenceWriter.of(crawler)
        if self.writer is not None:
            self.writer.open_warc(directory, info, max_bytes)
            self.files = None
        else:
            self.files = WarcFiles(directory, info, max_bytes)
        self.stats = crawler.stats
        from scrapy import signals

        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def close(self, spider=None):
        if self.files is not None:
            self.files.close()

    def process_response(self, request, response):
        ip = str(response.ip_address) if getattr(response, "ip_address", None) else None
        path = request.url.split("/", 3)[3] if request.url.count("/") >= 3 else ""
        # the response's headers without its status line, which write_records puts first
        fetched = (response.url, response.status, _http_head(b"", response.headers), response.body, time.time(), ip)
        sent = (request.url, _http_head(f"{request.method} /{path} HTTP/1.1".encode("latin-1"), request.headers),
                request.body or b"")
        if self.writer is not None:
            where = {"warc_key": self.writer.records(fetched, sent)}
        else:
            where = write_records(self.files, fetched, sent)
        request.meta["warc"] = where  # the spider reads it as response.meta["warc"]
        self.stats.inc_value("organwatch/warc_records", 2)
        return response


def _http_head(first_line: bytes, headers) -> bytes:
    """The status or request line and the headers, as Scrapy holds them, then a blank line."""
    lines = [first_line] + [name + b": " + value for name, values in headers.items() for value in values]
    return b"\r\n".join(lines) + b"\r\n\r\n"
