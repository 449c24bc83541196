"""`organwatch export`: a case bundle (WACZ) of chosen pages, for a regulator or a court.

Inside the .wacz (a ZIP, see crawler/wacz.py):
  archive/data.warc.gz      the original WARC records of every capture of the chosen pages (copied
                            byte for byte: request, response, browser snapshots, and the warcinfo
                            of each source file), each checked against the database first
  indexes/index.cdxj        where each record is, for replay tools
  pages/pages.jsonl         the pages, for replay tools
  provenance/<capture>.json per capture: requested and final URL, UTC time, server IP, status,
                            hashes, the crawl (software, version, settings, seeds), the seed that
                            led there, the analysis, indicators, reviews, liveness timeline
  report.html               a printable report for people
  datapackage.json          every file above with its SHA-256 and size
  datapackage-digest.json   the SHA-256 of datapackage.json, signed with --sign-key (ECDSA)
"""

from __future__ import annotations

import io
import json
import sqlite3
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler import custody, signing
from crawler.report import render_report
from crawler.store import Store, utcnow
from crawler.wacz import WACZ_VERSION, json_bytes, read_gzip_member, sha256_hex, surt, write_zip
from nlp import organwatch_version

WARC_NAME = "archive/data.warc.gz"


class ExportError(ValueError):
    """Bad input (exit 2): the message names the value."""


class EvidenceError(RuntimeError):
    """The stored evidence does not match the database (exit 1): names the file and record."""


@dataclass
class ExportOptions:
    db: str
    out: str
    urls: list[str] = field(default_factory=list)
    flagged: bool = False
    where: str | None = None
    case_id: str | None = None
    sign_key: str | None = None
    actor: str | None = None


@dataclass
class ExportResult:
    path: Path
    case_id: str
    pages: int
    captures: int
    sha256: str
    signed_by: str | None


def select_pages(db: sqlite3.Connection, options: ExportOptions) -> list[dict]:
    clauses, params = [], []
    if options.urls:
        clauses.append(f"url in ({', '.join('?' for _ in options.urls)})")
        params += options.urls
    if options.flagged:
        clauses.append("flagged = 1")
    if options.where:
        clauses.append(f"({options.where})")
    if not clauses:
        raise ExportError("choose pages: --url URL, --flagged or --where SQL")
    sql = f"select * from pages where {' or '.join(clauses)} order by id"
    try:
        rows = [dict(r) for r in db.execute(sql, params)]
    except sqlite3.Error as e:
        raise ExportError(f"--where {options.where!r}: {e}") from None
    missing = sorted(set(options.urls) - {r["url"] for r in rows})
    if missing:
        raise ExportError(f"--url {missing[0]}: not a page in {options.db}")
    if not rows:
        raise ExportError("no page matches the selection")
    return rows


class _Archive:
    """Builds archive/data.warc.gz from raw records of source WARC files."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.infos: set[str] = set()
        self.index: list[str] = []

    def add(self, raw: bytes) -> int:
        offset = self.buf.tell()
        self.buf.write(raw)
        return offset

    def add_source_info(self, path: str) -> None:
        if path in self.infos:
            return
        self.infos.add(path)
        with open(path, "rb") as f:
            raw = read_gzip_member(f, 0)
        if _parse(raw).rec_type == "warcinfo":
            self.add(raw)

    def index_record(self, raw: bytes, offset: int) -> None:
        record = _parse(raw)
        h = record.rec_headers
        url = h.get_header("WARC-Target-URI")
        entry = {
            "url": url, "digest": h.get_header("WARC-Payload-Digest") or h.get_header("WARC-Block-Digest"),
            "length": str(len(raw)), "offset": str(offset), "filename": WARC_NAME.split("/")[-1],
            "recordId": h.get_header("WARC-Record-ID"),
        }
        if record.http_headers is not None and record.rec_type == "response":
            entry["status"] = record.http_headers.get_statuscode()
            entry["mime"] = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip()
        elif record.rec_type == "resource":
            entry["mime"] = h.get_header("Content-Type")
        else:
            return  # requests and warcinfo are not replayed by themselves
        ts = "".join(c for c in h.get_header("WARC-Date") if c.isdigit())[:14]
        self.index.append(f"{surt(url)} {ts} {json.dumps(entry, sort_keys=True)}")


def _parse(raw: bytes):
    return next(iter(ArchiveIterator(io.BytesIO(raw))))


def _record_at(path: str, offset: int, expect_id: str | None, what: str) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = read_gzip_member(f, offset)
    except (OSError, ValueError, zlib.error) as e:
        raise EvidenceError(f"{path}: {what} at offset {offset} cannot be read ({e})") from None
    if expect_id and _parse(raw).rec_headers.get_header("WARC-Record-ID") != expect_id:
        raise EvidenceError(f"{path}: offset {offset} does not hold record {expect_id} ({what})")
    return raw


def _copy_capture(archive: _Archive, capture: dict) -> None:
    path, offset = capture["warc_file"], capture["warc_offset"]
    archive.add_source_info(path)
    raw = _record_at(path, offset, capture["warc_record_id"], f"capture {capture['id']}")
    record = _parse(raw)
    payload = record.raw_stream.read()
    if capture["payload_sha256"] and sha256_hex(payload) != capture["payload_sha256"]:
        raise EvidenceError(
            f"{path}: record {capture['warc_record_id']} (capture {capture['id']}) does not match its payload_sha256"
        )
    archive.index_record(raw, archive.add(raw))
    # the request record follows its response
    with open(path, "rb") as f:
        try:
            req = read_gzip_member(f, offset + len(raw))
        except ValueError:
            return
    if _parse(req).rec_headers.get_header("WARC-Concurrent-To") == capture["warc_record_id"]:
        archive.add(req)


def _copy_snapshot(archive: _Archive, snap: dict) -> None:
    archive.add_source_info(snap["warc_file"])
    for kind in ("screenshot", "dom"):
        raw = _record_at(snap["warc_file"], snap[f"{kind}_offset"], snap[f"{kind}_record_id"], f"snapshot {snap['id']} {kind}")
        body = _parse(raw).raw_stream.read()
        if sha256_hex(body) != snap[f"{kind}_sha256"]:
            raise EvidenceError(f"{snap['warc_file']}: {kind} record {snap[f'{kind}_record_id']} does not match its sha256")
        archive.index_record(raw, archive.add(raw))


def _rows(db, sql, params=()) -> list[dict]:
    return [dict(r) for r in db.execute(sql, params)]


def _provenance(db, page: dict, capture: dict, case_id: str, snapshots: list[dict]) -> dict:
    crawl = _rows(db, "select * from crawls where id = ?", [capture["crawl_id"]])
    crawl = crawl[0] if crawl else {}
    return {
        "case_id": case_id,
        "capture": {
            "id": capture["id"], "requested_url": capture["url"], "final_url": capture["final_url"],
            "fetched_at": capture["fetched_at"], "server_ip": capture["server_ip"], "status": capture["status"],
            "error": capture["error"], "content_type": capture["content_type"], "size": capture["size"],
            "headers": json.loads(capture["headers"]) if capture["headers"] else None,
            "payload_sha256": capture["payload_sha256"], "warc_record_id": capture["warc_record_id"],
            "warc_source_file": Path(capture["warc_file"]).name if capture["warc_file"] else None,
            "seed": capture["seed"], "referer": capture["referer"], "depth": capture["depth"],
        },
        "crawl": {
            "id": crawl.get("id"), "started": crawl.get("started"), "finished": crawl.get("finished"),
            "software": crawl.get("software"),
            "settings": json.loads(crawl["settings"]) if crawl.get("settings") else None,
            "seeds": json.loads(crawl["seeds"]) if crawl.get("seeds") else None,
        },
        "page": {
            k: page.get(k) for k in (
                "id", "url", "domain", "title", "lang", "flagged", "risk", "advertising", "brokerage",
                "model_version", "first_seen", "last_seen", "live", "gone_since", "text_sha256",
            )
        } | {"reasons": json.loads(page["reasons"]) if page.get("reasons") else []},
        "indicators": _rows(
            db, "select kind, value, normalized, start, end from indicators where capture_id = ? order by id", [capture["id"]]
        ),
        "reviews": _rows(db, "select reviewer, verdict, note, created_at from reviews where page_id = ? order by id", [page["id"]]),
        "timeline": _rows(
            db, "select at, event, capture_id, detail from page_events where page_id = ? order by at, id", [page["id"]]
        ),
        "snapshots": [
            {k: s[k] for k in ("taken_at", "browser", "screenshot_record_id", "screenshot_sha256", "dom_record_id", "dom_sha256")}
            for s in snapshots
        ],
    }


def export_bundle(options: ExportOptions) -> ExportResult:
    if not Path(options.db).exists():
        raise ExportError(f"{options.db}: database not found")
    out = Path(options.out)
    if out.suffix != ".wacz":
        raise ExportError(f"{out}: the bundle name must end in .wacz")
    key = signing.load_private_key(options.sign_key) if options.sign_key else None
    store = Store(options.db)  # migrated, so older databases have every table read below
    db = store.db.conn
    db.row_factory = sqlite3.Row
    try:
        pages = select_pages(db, options)
        case_id = options.case_id or f"case-{uuid.uuid4()}"
        created = utcnow()
        software = f"organwatch {organwatch_version()}"
        archive = _Archive()
        members: list[tuple[str, bytes]] = []
        items, page_lines = [], []
        for page in pages:
            captures = _rows(
                db, "select * from captures where page_id = ? and warc_file is not null order by fetched_at, id", [page["id"]]
            )
            for capture in captures:
                _copy_capture(archive, capture)
                snaps = _rows(db, "select * from snapshots where capture_id = ? order by id", [capture["id"]])
                for snap in snaps:
                    _copy_snapshot(archive, snap)
                prov = _provenance(db, page, capture, case_id, snaps)
                members.append((f"provenance/{capture['id']}.json", json_bytes(prov)))
                items.append(prov)
            if captures:
                page_lines.append({
                    "id": str(page["id"]), "url": page["url"], "title": page["title"] or "",
                    "ts": captures[-1]["fetched_at"],
                })
        if not items:
            raise ExportError("the chosen pages have no captures with WARC records")
        head = custody.head(store.db)
        pages_jsonl = "\n".join(
            json.dumps(x, ensure_ascii=False, sort_keys=True)
            for x in [{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}, *page_lines]
        ) + "\n"
        report = render_report(case_id=case_id, created=created, software=software, items=items, custody_head=head)
        members = [
            (WARC_NAME, archive.buf.getvalue()),
            ("indexes/index.cdxj", ("\n".join(sorted(archive.index)) + "\n").encode("utf-8")),
            ("pages/pages.jsonl", pages_jsonl.encode("utf-8")),
            *members,
            ("report.html", report.encode("utf-8")),
        ]
        package = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": f"organwatch case {case_id}",
            "created": created,
            "software": software,
            "mainPageURL": page_lines[0]["url"],
            "mainPageDate": page_lines[0]["ts"],
            "organwatch": {"case_id": case_id, "custody_head": head, "database": Path(options.db).name},
            "resources": [
                {"name": Path(name).name, "path": name, "hash": "sha256:" + sha256_hex(data), "bytes": len(data)}
                for name, data in members
            ],
        }
        package_bytes = json_bytes(package)
        digest = {"path": "datapackage.json", "hash": "sha256:" + sha256_hex(package_bytes)}
        signed_by = None
        if key is not None:
            public = signing.public_key_b64(key)
            digest["signedData"] = {
                "hash": digest["hash"], "created": created, "software": software,
                "publicKey": public, "signature": signing.sign(key, digest["hash"]),
            }
            signed_by = signing.fingerprint(public)
        members += [("datapackage.json", package_bytes), ("datapackage-digest.json", json_bytes(digest))]
        data = write_zip(members)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
        bundle_sha = sha256_hex(data)
        custody.append(
            store.db, "export", f"bundle:{case_id}", bundle_sha,
            {"file": str(out.resolve()), "captures": [i["capture"]["id"] for i in items], "signed_by": signed_by,
             "datapackage": digest["hash"]},
            actor=options.actor,
        )
        return ExportResult(out, case_id, len(page_lines), len(items), bundle_sha, signed_by)
    finally:
        store.close()
