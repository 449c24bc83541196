"""The public side of the database: redacted copies that anonymous Datasette visitors see.

`refresh(db)` brings public_pages, public_indicators and public_captures in step with pages,
indicators and captures (only what changed since the last refresh), keeps each page's review
status, the `contacts` table that gives every contact value an opaque id (so the public can see
that two sites share a contact without seeing it), and the near-duplicate clusters.
Datasette runs it at startup and then every ORGANWATCH_PUBLIC_REFRESH seconds.
"""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path

import sqlite_utils

from crawler.networks import refresh_near_duplicates
from crawler.redaction import CONTACT_KINDS, mask_contact, redact, redact_text
from nlp.labels import LABELS

MODEL_META = Path(__file__).resolve().parent.parent / "nlp" / "model" / "meta.json"
_COPIED = ("id", "domain", "lang", "flagged", "risk", "advertising", "brokerage", "organs", "destinations",
           "first_seen", "last_seen", "live", "last_status", "model_version")


@cache
def flag_threshold() -> float:
    try:
        return float(json.loads(MODEL_META.read_text(encoding="utf-8"))["organwatch"]["threshold"])
    except (OSError, KeyError, ValueError):
        return 0.5


def labels(page: dict) -> list[str]:
    """The labels whose score reaches the model's flag threshold."""
    return [label for label in LABELS if (page.get(label) or 0) >= flag_threshold()]


def _contact_id(db: sqlite_utils.Database, kind: str, normalized: str) -> int:
    db.execute(
        "insert or ignore into contacts (kind, normalized, masked) values (?, ?, ?)",
        [kind, normalized, mask_contact(kind, normalized)],
    )
    return db.execute("select id from contacts where kind = ? and normalized = ?", [kind, normalized]).fetchone()[0]


def public_page(db: sqlite_utils.Database, page: dict) -> None:
    """Write the redacted copy of one page and of its latest capture's indicators."""
    lang = page.get("lang") or ""
    title = redact(page.get("title"), lang)
    text = redact(page.get("text"), lang)
    has_title = bool(page.get("title"))
    head = len(page["title"]) + 1 if has_title else 0  # analysed text is title + "\n" + text
    red_head = len(title.text) + 1 if has_title else 0

    def moved(pos: int, end: bool = False) -> int:
        if pos < head:
            return title.offset(pos, end=end)
        return red_head + text.offset(pos - head, end=end)

    row = {c: page.get(c) for c in _COPIED}
    row.update(
        url=redact_text(page.get("url")), title=title.text, text=text.text,
        reasons=redact_text(page.get("reasons")), labels=json.dumps(labels(page)),
        capture_id=page.get("last_capture_id"),
    )
    status = db.execute("select status, review_id from page_status where page_id = ?", [page["id"]]).fetchone()
    row["status"], row["review_id"] = status if status else ("unreviewed", None)
    db["public_pages"].upsert(row, pk="id")
    db.execute("delete from public_indicators where page_id = ?", [page["id"]])
    indicators = db.execute(
        "select id, capture_id, kind, value, normalized, start, end from indicators where capture_id = ?",
        [page.get("last_capture_id")],
    ).fetchall()
    public = []
    for ind_id, capture_id, kind, value, normalized, start, end in indicators:
        contact = kind in CONTACT_KINDS and normalized
        public.append({
            "id": ind_id, "page_id": page["id"], "capture_id": capture_id, "kind": kind,
            "value": redact_text(value, lang),
            "normalized": mask_contact(kind, normalized) if contact else redact_text(normalized, lang),
            "contact_id": _contact_id(db, kind, normalized) if contact else None,
            "start": moved(start) if start is not None else None,
            "end": moved(end, end=True) if end is not None else None,
        })
    if public:
        db["public_indicators"].insert_all(public)


def _captures(db: sqlite_utils.Database) -> int:
    last = db.execute("select coalesce(max(id), 0) from public_captures").fetchone()[0]
    rows = list(db.query("select * from captures where id > ? order by id", [last]))
    db["public_captures"].insert_all(
        {
            "id": r["id"], "page_id": r["page_id"], "crawl_id": r["crawl_id"], "url": redact_text(r["url"]),
            "final_url": redact_text(r["final_url"]), "fetched_at": r["fetched_at"], "status": r["status"],
            "headers": redact_text(r["headers"]), "content_type": r["content_type"],
            "payload_sha256": r["payload_sha256"], "size": r["size"], "skipped": r["skipped"],
            "error": redact_text(r["error"]), "warc_record_id": r["warc_record_id"],
        }
        for r in rows
    )
    return len(rows)


def refresh_status(db: sqlite_utils.Database, page_id: int | None = None) -> None:
    """public_pages.status from the latest review (of one page, or of all that changed)."""
    where = "where id = ?" if page_id is not None else (
        "where review_id is not (select review_id from page_status where page_id = public_pages.id)"
    )
    db.execute(
        "update public_pages set "
        "status = coalesce((select status from page_status where page_id = public_pages.id), 'unreviewed'), "
        f"review_id = (select review_id from page_status where page_id = public_pages.id) {where}",
        [page_id] if page_id is not None else [],
    )


def refresh(db: sqlite_utils.Database) -> dict:
    """Bring the public tables and the networks up to date. One transaction; returns counts."""
    started = time.perf_counter()
    with db.atomic():
        changed = list(db.query(
            "select p.* from pages p left join public_pages q on q.id = p.id where q.id is null "
            "or q.capture_id is not p.last_capture_id or q.model_version is not p.model_version "
            "or q.risk is not p.risk or q.live is not p.live or q.last_seen is not p.last_seen"
        ))
        for page in changed:
            public_page(db, page)
        captures = _captures(db)
        refresh_status(db)
        signatures = refresh_near_duplicates(db)
    return {"pages": len(changed), "captures": captures, "signatures": signatures,
            "seconds": round(time.perf_counter() - started, 3)}
