"""The SQLite store: the schema (as migrations), and the only code that writes crawl results.

Tables (described for users in datasette/metadata.yml):
  pages       one row per canonical URL, with the latest analysis
  captures    one row per fetch, append-only
  indicators  what the analysis found on a capture
  crawls      one row per run
  reviews     reviewers' verdicts, append-only
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("organwatch")


# The fields of a capture item that become the captures row (crawl pipeline and Redis ingester).
CAPTURE_FIELDS = (
    "url", "final_url", "fetched_at", "status", "headers", "content_type", "payload_sha256", "size",
    "server_ip", "depth", "seed", "referer", "skipped", "error", "blocked",
    "warc_file", "warc_offset", "warc_length", "warc_record_id", "problem", "problem_detail", "focus_score",
)

# The fields of an indicator item that become an indicators row, with its capture_id and page_id.
INDICATOR_FIELDS = ("kind", "value", "normalized", "start", "end")


def utcnow() -> str:
    """UTC ISO 8601 with seconds and a Z: the one timestamp format of the store."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["crawls"].create(
        {
            "id": int, "started": str, "finished": str, "status": str,
            "seeds": str, "settings": str, "stats": str, "software": str,
        },
        pk="id",
    )
    db["pages"].create(
        {
            "id": int, "url": str, "domain": str, "title": str, "lang": str,
            "flagged": int, "risk": int, "advertising": float, "brokerage": float,
            "reasons": str, "organs": str, "destinations": str,
            "text": str, "text_sha256": str, "model_version": str,
            "first_seen": str, "last_seen": str, "live": int, "last_status": int, "last_capture_id": int,
        },
        pk="id",
        not_null={"url", "domain"},
        defaults={"flagged": 0, "risk": 0, "live": 1},
    )
    db["pages"].create_index(["url"], unique=True)
    db["pages"].create_index(["flagged", "risk"])
    db["pages"].create_index(["domain"])
    db["captures"].create(
        {
            "id": int, "page_id": int, "crawl_id": int, "url": str, "final_url": str,
            "fetched_at": str, "status": int, "headers": str, "content_type": str,
            "payload_sha256": str, "size": int, "server_ip": str, "depth": int, "seed": str,
            "referer": str, "skipped": str, "error": str,
            "warc_file": str, "warc_offset": int, "warc_length": int, "warc_record_id": str,
        },
        pk="id",
        foreign_keys=[("page_id", "pages", "id"), ("crawl_id", "crawls", "id")],
    )
    db["captures"].create_index(["page_id"])
    db["captures"].create_index(["crawl_id"])
    db["indicators"].create(
        {
            "id": int, "capture_id": int, "page_id": int, "kind": str, "value": str,
            "normalized": str, "start": int, "end": int,
        },
        pk="id",
        foreign_keys=[("capture_id", "captures", "id"), ("page_id", "pages", "id")],
    )
    db["indicators"].create_index(["page_id"])
    db["indicators"].create_index(["kind", "normalized"])
    db["reviews"].create(
        {
            "id": int, "page_id": int, "reviewer": str, "verdict": str, "note": str,
            "created_at": str, "model_version": str,
        },
        pk="id",
        foreign_keys=[("page_id", "pages", "id")],
    )
    db["pages"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")


@lru_cache(maxsize=16)
def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """`insert into table (columns) values (?, ...)`: for hot paths, where sqlite-utils' insert
    inspects the table on every call."""
    return f"insert into {table} ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"


# A page upserted by URL: `first_seen` kept, `last_seen` moved; its id returned.
_PAGE_COLUMNS = (
    "url", "domain", "title", "lang", "flagged", "risk", "advertising", "brokerage",
    "reasons", "organs", "destinations", "text", "text_sha256", "model_version", "last_status",
)
_UPSERT_PAGE = (
    f"insert into pages ({', '.join(_PAGE_COLUMNS)}, first_seen, last_seen, live) "
    f"values ({', '.join('?' for _ in _PAGE_COLUMNS)}, ?, ?, 1) "
    f"on conflict(url) do update set {', '.join(f'{c} = excluded.{c}' for c in _PAGE_COLUMNS[1:])}, "
    "last_seen = excluded.last_seen, live = 1 returning id"
)


class Store:
    """Open (creating and migrating) the database at `path`. One writer at a time."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA busy_timeout=10000")
        self._wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        if migrations.pending(self.db):
            # under the write lock: a crawl, its workers and an ingester may open a new file at once
            self.db.execute("begin immediate")
            try:
                migrations.apply(self.db)
            except BaseException:
                self.db.conn.rollback()
                raise
            self.db.conn.commit()

    def _wal(self) -> None:
        """Switch to WAL. A new file opened by several processes at once (a crawl, its workers, an
        ingester) can answer "locked" at once, without waiting out busy_timeout: try again."""
        for attempt in range(100):
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or attempt == 99:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        self.db.close()

    # crawls
    def start_crawl(self, seeds: list[str], settings: dict, software: str) -> int:
        with self.db.atomic():
            return self.db["crawls"].insert(
                {
                    "started": utcnow(), "status": "running", "seeds": json.dumps(seeds),
                    "settings": json.dumps(settings, sort_keys=True, default=str), "software": software,
                }
            ).last_pk

    def finish_crawl(self, crawl_id: int, stats: dict, status: str) -> None:
        with self.db.atomic():
            self.db["crawls"].update(
                crawl_id,
                {"finished": utcnow(), "status": status, "stats": json.dumps(stats, sort_keys=True, default=str)},
            )

    # captures and pages: the crawl's hot path, in plain SQL (sqlite-utils' insert inspects the
    # table on every call, which cost more than the writes themselves)
    def record(self, capture: dict, page: dict | None = None, indicators: list[dict] | None = None) -> int:
        """Store one fetch: the capture row, and when it was a page, the page (upserted by URL:
        `first_seen` kept, `last_seen` moved) and the indicators found. One transaction."""
        # one transaction (or, inside the evidence writer's batch, one savepoint) as sqlite-utils'
        # atomic(), without its context manager and random savepoint name, which cost 1.5% of the
        # crawl's process when it stored captures itself
        conn = self.db.conn
        batched = conn.in_transaction
        conn.execute("SAVEPOINT record" if batched else "BEGIN")
        try:
            capture_id = self._record(capture, page, indicators)
        except BaseException:
            if conn.in_transaction:  # a trigger's RAISE(ROLLBACK) may have ended it already
                conn.execute("ROLLBACK TO SAVEPOINT record" if batched else "ROLLBACK")
                if batched:
                    conn.execute("RELEASE SAVEPOINT record")
            raise
        if batched:
            conn.execute("RELEASE SAVEPOINT record")
        else:
            conn.commit()
        return capture_id

    def _record(self, capture: dict, page: dict | None, indicators: list[dict] | None) -> int:
        conn = self.db.conn
        page_id = None
        if page is not None:
            page_id = conn.execute(_UPSERT_PAGE, [*map(page.get, _PAGE_COLUMNS), capture["fetched_at"], capture["fetched_at"]]).fetchone()[0]
        elif capture.get("url"):
            row = conn.execute("select id from pages where url = ?", [capture["url"]]).fetchone()
            page_id = row[0] if row else None
        row = {**capture, "page_id": page_id}
        capture_id = conn.execute(insert_sql("captures", tuple(row)), list(row.values())).lastrowid
        if page_id is not None and page is not None:
            conn.execute("update pages set last_capture_id = ? where id = ?", [capture_id, page_id])
            if indicators:
                conn.executemany(
                    insert_sql("indicators", (*INDICATOR_FIELDS, "capture_id", "page_id")),
                    [[*(ind.get(k) for k in INDICATOR_FIELDS), capture_id, page_id] for ind in indicators],
                )
        return capture_id


# issue 4: evidence (custody log, liveness timeline, browser snapshots)
@migrations()
def m140_custody(db: sqlite_utils.Database) -> None:
    from crawler.custody import create_table

    create_table(db)


@migrations()
def m141_page_events(db: sqlite_utils.Database) -> None:
    db["pages"].add_column("gone_since", str)
    db["pages"].add_column("failures", int, not_null_default=0)
    db["page_events"].create(
        {"id": int, "page_id": int, "capture_id": int, "crawl_id": int, "event": str, "at": str, "detail": str},
        pk="id",
        foreign_keys=[("page_id", "pages", "id"), ("capture_id", "captures", "id"), ("crawl_id", "crawls", "id")],
    )
    db["page_events"].create_index(["page_id", "at"])


@migrations()
def m142_snapshots(db: sqlite_utils.Database) -> None:
    db["snapshots"].create(
        {
            "id": int, "capture_id": int, "page_id": int, "url": str, "taken_at": str, "browser": str,
            "warc_file": str, "screenshot_offset": int, "screenshot_length": int, "screenshot_record_id": str,
            "screenshot_sha256": str, "dom_offset": int, "dom_length": int, "dom_record_id": str, "dom_sha256": str,
        },
        pk="id",
        foreign_keys=[("capture_id", "captures", "id"), ("page_id", "pages", "id")],
    )
    db["snapshots"].create_index(["capture_id"])


# Issue 5: review, networks and the public (redacted) side. The public_* tables are redacted
# copies that crawler/public.py keeps in step with pages, captures and indicators; anonymous
# visitors of Datasette see only those (see datasette/plugins/organwatch_review.py).
@migrations()
def m150_review_public_networks(db: sqlite_utils.Database) -> None:
    db["public_pages"].create(
        {
            "id": int, "url": str, "domain": str, "title": str, "lang": str, "flagged": int, "risk": int,
            "advertising": float, "brokerage": float, "labels": str, "reasons": str, "organs": str,
            "destinations": str, "text": str, "first_seen": str, "last_seen": str, "live": int,
            "last_status": int, "model_version": str, "status": str, "capture_id": int, "review_id": int,
        },
        pk="id",
    )
    db["public_pages"].create_index(["flagged", "risk"])
    db["public_pages"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")
    db["public_indicators"].create(
        {"id": int, "page_id": int, "capture_id": int, "kind": str, "value": str, "normalized": str,
         "contact_id": int, "start": int, "end": int},
        pk="id",
    )
    db["public_indicators"].create_index(["page_id"])
    db["public_indicators"].create_index(["contact_id"])
    db["public_captures"].create(
        {"id": int, "page_id": int, "crawl_id": int, "url": str, "final_url": str, "fetched_at": str,
         "status": int, "headers": str, "content_type": str, "payload_sha256": str, "size": int,
         "skipped": str, "error": str, "warc_record_id": str},
        pk="id",
    )
    db["public_captures"].create_index(["page_id"])
    db["contacts"].create({"id": int, "kind": str, "normalized": str, "masked": str}, pk="id")
    db["contacts"].create_index(["kind", "normalized"], unique=True)
    db["page_minhash"].create({"page_id": int, "text_sha256": str, "signature": bytes}, pk="page_id")
    db["near_duplicates"].create(
        {"page_id": int, "cluster_id": int, "cluster_pages": int, "cluster_domains": int}, pk="page_id"
    )
    db["near_duplicates"].create_index(["cluster_id"])
    db["reviews"].create_index(["page_id"])
    for event in ("update", "delete"):
        db.execute(
            f"create trigger reviews_append_only_{event} before {event} on reviews "
            "begin select raise(abort, 'reviews are append-only'); end"
        )
    # a page's current status is its latest review (SQLite takes the bare columns from the max(id) row)
    db.create_view(
        "page_status",
        "select page_id, verdict as status, reviewer, created_at, model_version, max(id) as review_id, "
        "count(*) as reviews from reviews group by page_id",
    )
    db.create_view(
        "review_queue",
        "select p.id, p.title, p.url, p.domain, p.lang, p.risk, p.advertising, p.brokerage, q.labels, "
        "p.organs, p.destinations, coalesce(s.status, 'unreviewed') as status, p.last_seen "
        "from pages p left join public_pages q on q.id = p.id left join page_status s on s.page_id = p.id "
        "where p.flagged = 1 and (s.status is null or s.status = 'needs_follow_up') "
        "order by p.risk desc, p.last_seen desc",
    )


@migrations()
def m160_capture_blocked(db: sqlite_utils.Database) -> None:
    """captures.blocked: 403, 429 or captcha when the site refused or challenged us."""
    db["captures"].add_column("blocked", str)


@migrations()
def m165_problems_and_focus(db: sqlite_utils.Database) -> None:
    """Hostile-web problems and focus scores on captures; harvest rate and target recall on crawls."""
    db["captures"].add_column("problem", str)
    db["captures"].add_column("problem_detail", str)
    db["captures"].add_column("focus_score", float)
    db["captures"].create_index(["problem"])
    for column, stat in (("harvest_rate", "organwatch/harvest_rate"), ("target_recall", "organwatch/target_recall")):
        db.execute(
            f"alter table crawls add column {column} real generated always as "
            f"(json_extract(stats, '$.\"{stat}\"')) virtual"
        )


@migrations()
def m170_fts_follows_text_only(db: sqlite_utils.Database) -> None:
    """Full-text rows are rebuilt when title or text change, not on every update of a page (its
    last capture, liveness, review status): that rebuilt the index of each page three times."""
    for table in ("pages", "public_pages"):
        db.execute(f"drop trigger if exists [{table}_au]")
        db.execute(
            f"create trigger [{table}_au] after update of title, text on [{table}] begin "
            f"insert into [{table}_fts] ([{table}_fts], rowid, title, text) values ('delete', old.rowid, old.title, old.text); "
            f"insert into [{table}_fts] (rowid, title, text) values (new.rowid, new.title, new.text); end"
        )
