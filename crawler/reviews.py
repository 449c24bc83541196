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


# What a latest verdict teaches the classifier; needs_follow_up teaches nothing yet.
VERDICT_CATS = {
    "confirmed_advertising": {"advertising": 1, "brokerage": 0},
    "confirmed_brokerage": {"advertising": 0, "brokerage": 1},
    "not_relevant": {"advertising": 0, "brokerage": 0},
}


def training_examples(db_path) -> list[dict]:
    """Reviewed pages as labelled examples (`organwatch train --with-reviews DB`): the analysed
    text (title, newline, text) with the cats of each page's latest review. Pages confirmed both
    ways (one review each) carry both labels."""
    db = sqlite_utils.Database(db_path)
    rows = db.execute(
        """
        select p.id, p.title, p.text, p.lang, r.verdict
        from reviews r join pages p on p.id = r.page_id
        where r.verdict != 'needs_follow_up'
          and r.created_at >= (select max(created_at) from reviews r2
                               where r2.page_id = r.page_id and r2.verdict != 'needs_follow_up')
        order by p.id
        """
    ).fetchall()
    db.close()
    examples: dict[int, dict] = {}
    for page_id, title, text, lang, verdict in rows:
        cats = VERDICT_CATS[verdict]
        example = examples.setdefault(page_id, {
            "text": "\n".join(t for t in (title, text) if t), "cats": {"advertising": 0, "brokerage": 0},
            "lang": lang or "", "kind": "", "source": f"review:{page_id}",
        })
        for label, value in cats.items():
            example["cats"][label] = max(example["cats"][label], value)
    return list(examples.values())
