"""`organwatch recheck`: revisit known pages with the crawl machinery (the `watch` spider at depth
0, the same pipelines), so every visit is a capture with its WARC record, and the crawl's
evidence writer moves each page's timeline as it stores it (crawler/liveness.py, crawler/writer.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from crawler.run import CrawlOptions, run_crawl

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class RecheckError(ValueError):
    """Bad input: the message names the value."""


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '24h', '7d', '2w' -> timedelta."""
    m = _DURATION.match(text or "")
    if not m:
        raise RecheckError(f"--older-than {text!r}: give a number and a unit s, m, h, d or w (e.g. 24h)")
    return timedelta(**{_UNITS[m.group(2)]: float(m.group(1))})


@dataclass
class RecheckOptions:
    db: str
    flagged: bool = False
    older_than: timedelta | None = None
    urls: list[str] = field(default_factory=list)
    include_gone: bool = True
    warc_dir: str | None = None
    allow_private: bool = False
    settings: dict = field(default_factory=dict)
    verbose: bool = False


def select_urls(options: RecheckOptions, now: datetime | None = None) -> list[str]:
    if not Path(options.db).exists():
        raise RecheckError(f"{options.db}: database not found")
    where, params = ["1 = 1"], []
    if options.flagged:
        where.append("flagged = 1")
    if options.older_than is not None:
        cutoff = (now or datetime.now(UTC)) - options.older_than
        where.append("coalesce(last_visit, last_seen) < ?")
        params.append(cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    if not options.include_gone:
        where.append("live = 1")
    if options.urls:
        where.append(f"url in ({', '.join('?' for _ in options.urls)})")
        params.extend(options.urls)
    db = sqlite_utils.Database(options.db)
    try:
        sql = (
            "select url from (select url, flagged, live, last_seen, "
            "(select max(fetched_at) from captures c where c.page_id = pages.id) as last_visit from pages) "
            f"where {' and '.join(where)} order by url"
        )
        urls = [r[0] for r in db.execute(sql, params)]
    finally:
        db.close()
    missing = sorted(set(options.urls) - set(urls))
    if missing and not (options.flagged or options.older_than):
        raise RecheckError(f"not a known page in {options.db}: {missing[0]}")
    return urls


def run_recheck(options: RecheckOptions) -> dict:
    """Revisit the selected pages; return the crawl's stats (with `organwatch/rechecked`)."""
    urls = select_urls(options)
    if not urls:
        return {"finish_reason": "finished", "organwatch/rechecked": 0}
    crawl = CrawlOptions(
        seeds=urls, db=options.db, warc_dir=options.warc_dir, depth=0, allow_private=options.allow_private,
        settings={"ORGANWATCH_DOMAIN_PAGE_CAP": len(urls) + 1, **options.settings}, verbose=options.verbose,
    )
    stats = run_crawl(crawl)
    stats["organwatch/rechecked"] = len(urls)
    return stats
