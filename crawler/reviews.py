"""Reviewers' verdicts: append-only rows; a page's current status is its latest review.

`record_review` is the one writer of the reviews table (the Datasette review form calls it in
Datasette's write thread); in the same transaction it adds the review to the custody chain.
"""

from __future__ import annotations

import hashlib
import json

import sqlite_utils

from crawler import custody
from crawler.public import refresh_status
from crawler.store import utcnow

VERDICTS = {
    "confirmed_advertising": "Confirmed: advertising",
    "confirmed_brokerage": "Confirmed: brokerage",
    "not_relevant": "Not relevant",
    "needs_follow_up": "Needs follow-up",
}
MAX_NOTE = 10_000


class ReviewError(ValueError):
    """A review that cannot be recorded (unknown page or verdict, empty reviewer, note too long)."""


def record_review(db: sqlite_utils.Database, page_id: int, reviewer: str, verdict: str, note: str = "") -> dict:
    if verdict not in VERDICTS:
        raise ReviewError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    if not reviewer:
        raise ReviewError("a review needs a signed-in reviewer")
    if len(note) > MAX_NOTE:
        raise ReviewError(f"note is {len(note)} characters; at most {MAX_NOTE}")
    with db.atomic():
        found = db.execute("select model_version from pages where id = ?", [page_id]).fetchone()
        if found is None:
            raise ReviewError(f"page {page_id} not found")
        review = {
            "page_id": page_id, "reviewer": reviewer, "verdict": verdict, "note": note.strip(),
            "created_at": utcnow(), "model_version": found[0],
        }
        review["id"] = db["reviews"].insert(review).last_pk
        refresh_status(db, page_id)
        row = json.dumps(review, sort_keys=True, ensure_ascii=False).encode("utf-8")
        custody.append(
            db, "review", f"page:{page_id}", sha256=hashlib.sha256(row).hexdigest(),
            detail={"review_id": review["id"], "verdict": verdict}, actor=reviewer,
        )
    return review
