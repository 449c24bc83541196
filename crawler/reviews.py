"""Reviewers' verdicts: append-only rows; a page's current status is its latest review.

`record_review` is the one writer of the reviews table (the Datasette review form calls it in
Datasette's write thread). Code that must act in the same transaction as a review, such as the
evidence custody log, registers a function in AFTER_REVIEW: it is called with the
sqlite_utils.Database and the review row (with its id) before the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from crawler.public import refresh_status
from crawler.store import utcnow

VERDICTS = {
    "confirmed_advertising": "Confirmed: advertising",
    "confirmed_brokerage": "Confirmed: brokerage",
    "not_relevant": "Not relevant",
    "needs_follow_up": "Needs follow-up",
}
MAX_NOTE = 10_000

AFTER_REVIEW: list[Callable[[sqlite_utils.Database, dict], None]] = []


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
        for hook in AFTER_REVIEW:
            hook(db, review)
    return review
