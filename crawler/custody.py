"""The custody log: an append-only, hash-chained record of who captured, snapshotted, exported,
verified or reviewed what, when, and the SHA-256 that was checked.

Each row's `hash` is the SHA-256 of its own fields and the previous row's hash, so editing,
deleting or inserting a row anywhere breaks the chain from that row on (`organwatch verify-log`).
SQLite triggers refuse UPDATE and DELETE; the chain catches what is done around them. Removing
the newest rows leaves a shorter valid chain: keep the head hash that verify-log prints (it is
also written into every exported bundle) to notice that.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
from dataclasses import dataclass

import sqlite_utils

GENESIS = "0" * 64
FIELDS = ("id", "at", "actor", "action", "subject", "sha256", "detail", "prev_hash")
ACTIONS = ("capture", "snapshot", "export", "verify", "review", "recheck")


def create_table(db: sqlite_utils.Database) -> None:
    db["custody"].create(
        {
            "id": int, "at": str, "actor": str, "action": str, "subject": str, "sha256": str,
            "detail": str, "prev_hash": str, "hash": str,
        },
        pk="id",
        not_null={"at", "actor", "action", "subject", "prev_hash", "hash"},
    )
    db["custody"].create_index(["prev_hash"], unique=True)  # no forks
    db["custody"].create_index(["subject"])
    for op in ("update", "delete"):
        db.execute(
            f"create trigger custody_no_{op} before {op} on custody "
            "begin select raise(abort, 'custody is append-only'); end"
        )


def default_actor() -> str:
    """Who acts: ORGANWATCH_ACTOR, else user@host of the process."""
    return os.environ.get("ORGANWATCH_ACTOR") or f"{getpass.getuser()}@{socket.gethostname()}"


def row_hash(row: dict) -> str:
    canonical = json.dumps([row[f] for f in FIELDS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(db: sqlite_utils.Database, action: str, subject: str, sha256: str | None = None,
           detail: dict | None = None, actor: str | None = None, at: str | None = None) -> dict:
    """Add one entry at the head of the chain and return it. Takes the write lock first, so
    concurrent writers queue instead of forking the chain."""
    from crawler.store import utcnow

    if action not in ACTIONS:
        raise ValueError(f"custody action {action!r} is not one of {', '.join(ACTIONS)}")
    conn = db.conn
    own_transaction = not conn.in_transaction
    if own_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        last = conn.execute("select id, hash from custody order by id desc limit 1").fetchone()
        row = {
            "id": (last[0] + 1) if last else 1,
            "at": at or utcnow(),
            "actor": actor or default_actor(),
            "action": action,
            "subject": subject,
            "sha256": sha256,
            "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
            "prev_hash": last[1] if last else GENESIS,
        }
        row["hash"] = row_hash(row)
        conn.execute(
            f"insert into custody ({', '.join(row)}) values ({', '.join('?' for _ in row)})", list(row.values())
        )
        if own_transaction:
            conn.execute("COMMIT")
    except BaseException:
        if own_transaction and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return row


@dataclass
class ChainReport:
    entries: int
    head: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(db: sqlite_utils.Database) -> ChainReport:
    """Walk the chain from the first row; report every row whose content or link does not match."""
    problems: list[str] = []
    prev = GENESIS
    expected_id = 1
    count = 0
    cursor = db.execute(f"select {', '.join(FIELDS)}, hash from custody order by id")
    names = [*FIELDS, "hash"]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        count += 1
        if row["id"] != expected_id:
            problems.append(f"custody row {expected_id}: missing (next row is {row['id']})")
        if row["prev_hash"] != prev:
            problems.append(f"custody row {row['id']}: prev_hash does not match the hash of the row before it")
        if row_hash(row) != row["hash"]:
            problems.append(f"custody row {row['id']}: content does not match its hash (edited)")
        prev = row["hash"]
        expected_id = row["id"] + 1
    return ChainReport(entries=count, head=prev, problems=problems)


def head(db: sqlite_utils.Database) -> str:
    row = db.execute("select hash from custody order by id desc limit 1").fetchone()
    return row[0] if row else GENESIS
