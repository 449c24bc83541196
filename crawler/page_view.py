"""What the page view shows, read from one SQLite connection.

Signed-in reviewers read the raw tables; everyone else reads the redacted public_* copies, so
the same view cannot show an anonymous visitor a contact value. Text is returned as segments
(plain or highlighted indicator) for the template to escape: nothing here builds HTML.
"""

from __future__ import annotations

import json
import sqlite3

from crawler.reviews import VERDICTS


def _rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def segments(text: str, indicators: list[dict]) -> list[dict]:
    """Split `text` into plain and highlighted pieces by the indicators' [start, end) spans
    (overlaps: the first span wins)."""
    out, pos = [], 0
    for ind in sorted(indicators, key=lambda i: (i["start"], -i["end"])):
        start, end = ind["start"], ind["end"]
        if start is None or end is None or start < pos or end > len(text) or start >= end:
            continue
        if start > pos:
            out.append({"text": text[pos:start]})
        out.append({"text": text[start:end], "kind": ind["kind"], "normalized": ind["normalized"]})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


def page_context(conn: sqlite3.Connection, page_id: int, reviewer: bool) -> dict | None:
    """Everything the page view shows for one page, or None when there is no such page."""
    pages, indicators, captures = ("pages", "indicators", "captures") if reviewer else (
        "public_pages", "public_indicators", "public_captures")
    found = _rows(conn, f"select * from {pages} where id = ?", [page_id])
    if not found:
        return None
    page = found[0]
    capture_id = page["last_capture_id"] if reviewer else page["capture_id"]
    inds = _rows(conn, f"select kind, value, normalized, start, end from {indicators} where capture_id = ? "
                 "order by start", [capture_id])
    analysed = "\n".join(t for t in (page["title"], page["text"]) if t)
    status = _rows(conn, "select status, reviewer, created_at from page_status where page_id = ?", [page_id])
    return {
        "page": page,
        "reasons": json.loads(page["reasons"] or "[]"),
        "segments": segments(analysed, inds),
        "indicators": inds,
        "captures": _rows(conn, f"select id, fetched_at, status, payload_sha256, warc_record_id, url, final_url "
                          f"from {captures} where page_id = ? order by fetched_at desc, id desc", [page_id]),
        "reviews": _rows(conn, "select * from reviews where page_id = ? order by id desc", [page_id])
        if reviewer else [],
        "status": status[0] if status else {"status": "unreviewed"},
        "verdicts": VERDICTS,
        "contact_siblings": contact_siblings(conn, page_id, reviewer),
        "duplicate_siblings": duplicate_siblings(conn, page_id, reviewer),
    }


def contact_siblings(conn: sqlite3.Connection, page_id: int, reviewer: bool) -> list[dict]:
    """Pages on other domains that show a contact value this page shows (the same broker?)."""
    pages = "pages" if reviewer else "public_pages"
    return _rows(
        conn,
        f"""select distinct o.id, o.title, o.domain, o.risk, c.kind, {'c.normalized' if reviewer else 'c.masked'} as contact
        from public_indicators mine
        join contacts c on c.id = mine.contact_id
        join public_indicators theirs on theirs.contact_id = mine.contact_id and theirs.page_id != mine.page_id
        join {pages} o on o.id = theirs.page_id
        join {pages} me on me.id = mine.page_id
        where mine.page_id = ? and o.domain != me.domain
        order by o.risk desc limit 200""",
        [page_id],
    )


def duplicate_siblings(conn: sqlite3.Connection, page_id: int, reviewer: bool) -> list[dict]:
    """Pages in this page's near-duplicate cluster (copies of the same text on other sites)."""
    pages = "pages" if reviewer else "public_pages"
    return _rows(
        conn,
        f"""select o.id, o.title, o.domain, o.risk from near_duplicates mine
        join near_duplicates d on d.cluster_id = mine.cluster_id and d.page_id != mine.page_id
        join {pages} o on o.id = d.page_id
        where mine.page_id = ? order by o.risk desc limit 200""",
        [page_id],
    )
