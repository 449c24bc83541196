"""Liveness: is an ad still up, and since when is it gone? Every visit of a known page (a crawl
or `organwatch recheck`) moves its state and adds to the `page_events` timeline:

  seen      first capture of the page
  changed   the main text's hash differs from the previous capture
  failed    a visit that counts towards "gone": HTTP 404/410/451, a network or DNS failure, or
            the text changed and is no longer flagged (the ad was removed from the page)
  site_down the whole site failed in this run, and a failure was already counted today
            (not counted: one bad day of a site is not N takedowns)
  gone      ORGANWATCH_GONE_AFTER consecutive counted failures (pages.live = 0, gone_since =
            the first of them)
  back      a gone page answers again with its page

Other answers (5xx, 403, 429) are inconclusive: they neither count nor reset. The guard against
calling a whole site gone on one bad day: when every visit to a site in a run failed (and the
run saw two or more of its pages, or the failure was a network error), those failures count at
most once per page and UTC day.
"""

from __future__ import annotations

import json
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from crawler.store import Store, insert_sql
from crawler.urls import registered_domain

FAILURE_STATUSES = {404, 410, 451}


@dataclass
class Visit:
    url: str
    domain: str
    at: str
    outcome: str  # ok | fail | inconclusive
    reason: str = ""
    changed: bool = False
    network: bool = False
    first: bool = False
    live: int | None = None  # the page's state before this visit, when storing it moved `live`


def judge(item: dict, prior: dict | None) -> Visit | None:
    """What one capture item says about its page, given the page row before this visit."""
    url = item.get("url")
    if not url or item.get("skipped"):
        return None
    page = item.get("page")
    visit = Visit(url=url, domain=registered_domain(url), at=item["fetched_at"], outcome="ok", first=prior is None)
    if page is not None:
        if prior is not None:
            visit.live = prior["live"]
            visit.changed = prior["text_sha256"] != page.get("text_sha256")
            if visit.changed and prior["flagged"] and not page.get("flagged"):
                visit.outcome, visit.reason = "fail", "ad text removed (no longer flagged)"
        return visit
    if prior is None:
        return None  # a URL that never was a page
    status = item.get("status")
    if status is None:
        visit.outcome, visit.reason, visit.network = "fail", item.get("error") or "network failure", True
    elif status in FAILURE_STATUSES:
        visit.outcome, visit.reason = "fail", f"HTTP {status}"
    else:
        visit.outcome, visit.reason = "inconclusive", item.get("error") or f"HTTP {status}"
    return visit


def visit_of(db, item: dict) -> Visit | None:
    """`judge` the capture item against its page's row as `db` holds it now."""
    row = db.execute("select text_sha256, flagged, live from pages where url = ?", [item.get("url")]).fetchone()
    return judge(item, dict(zip(("text_sha256", "flagged", "live"), row, strict=True)) if row else None)


class VisitLog:
    """A run's visits, spooled to a temporary file rather than held in memory: a long crawl makes
    millions, and they are needed only when it closes. Iterable as often as needed."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()

    def append(self, visit: Visit) -> None:
        pickle.dump(visit, self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def __iter__(self) -> Iterator[Visit]:
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                self.file.seek(0, 2)  # back to the end, where the next visit goes
                return

    def close(self) -> None:
        self.file.close()


def site_down_domains(visits: Iterable[Visit]) -> set[str]:
    """Sites every counted visit of which failed, seen twice or more or failing at the network."""
    tally: dict[str, tuple[int, bool, bool]] = {}  # domain: (counted visits, all failed, all network)
    for v in visits:
        if v.outcome != "inconclusive":
            n, failed, network = tally.get(v.domain, (0, True, True))
            tally[v.domain] = (n + 1, failed and v.outcome == "fail", network and v.network)
    return {d for d, (n, failed, network) in tally.items() if failed and (n >= 2 or network)}


def apply_visits(store: Store, crawl_id: int | None, visits: Iterable[Visit], gone_after: int) -> dict:
    """Write the visits' events and move pages' live / failures / gone_since. Returns counts."""
    db = store.db
    captures = dict(db.execute("select url, max(id) from captures where crawl_id is ? group by url", [crawl_id]))
    down = site_down_domains(visits)
    counts: dict[str, int] = defaultdict(int)
    with db.atomic():
        for v in visits:
            row = db.execute("select id, live, failures from pages where url = ?", [v.url]).fetchone()
            if row is None:
                continue
            page_id, failures = row[0], row[2] or 0
            live = row[1] if v.live is None else v.live
            base = {"page_id": page_id, "capture_id": captures.get(v.url), "crawl_id": crawl_id, "at": v.at}

            def event(kind: str, base=base, **detail) -> None:
                row = {**base, "event": kind, "detail": json.dumps(detail, ensure_ascii=False)}
                db.execute(insert_sql("page_events", tuple(row)), list(row.values()))
                counts[kind] += 1

            if v.outcome == "inconclusive":
                continue
            if v.outcome == "ok":
                if v.first:
                    event("seen")
                elif v.changed:
                    event("changed")
                if not live:
                    event("back")
                db.execute("update pages set live = 1, gone_since = null, failures = 0 where id = ?", [page_id])
                continue
            if v.domain in down and _counted_site_failure_today(db, page_id, v.at):
                event("site_down", reason=v.reason)
                db.execute("update pages set live = ? where id = ?", [live, page_id])
                continue
            failures += 1
            event("failed", reason=v.reason, count=failures, site_down=v.domain in down)
            # (a page whose ad text was removed was just stored with live = 1: put its state back)
            db.execute("update pages set failures = ?, live = ? where id = ?", [failures, live, page_id])
            if failures >= gone_after and live:
                since = db.execute(
                    "select at from page_events where page_id = ? and event = 'failed' "
                    "and json_extract(detail, '$.count') = 1 order by id desc limit 1",
                    [page_id],
                ).fetchone()[0]
                event("gone", reason=v.reason, failures=failures)
                db.execute("update pages set live = 0, gone_since = ? where id = ?", [since, page_id])
    return dict(counts)


def _counted_site_failure_today(db, page_id: int, at: str) -> bool:
    return db.execute(
        "select 1 from page_events where page_id = ? and event = 'failed' "
        "and json_extract(detail, '$.site_down') and substr(at, 1, 10) = ? limit 1",
        [page_id, at[:10]],
    ).fetchone() is not None


class LivenessPipeline:
    """Before the store writes a capture, judge it against the page as it was; when the run
    closes, write the timeline (the site guard needs the whole run). A crawl with an evidence
    writer (one that stores its captures) does this in the writer process, as it stores them."""

    def __init__(self, crawler):
        # imported here: the evidence writer imports this module, without Scrapy
        from scrapy.exceptions import NotConfigured

        path = crawler.settings.get("ORGANWATCH_DB")
        if not path:
            raise NotConfigured("ORGANWATCH_DB is empty")
        self.crawler = crawler
        self.gone_after = max(1, crawler.settings.getint("ORGANWATCH_GONE_AFTER", 3))
        from crawler.writer import EvidenceWriter

        writer = EvidenceWriter.of(crawler)
        if writer is not None:  # the crawl's evidence writer judges each capture as it stores it
            writer.judge_liveness(self.gone_after)
            raise NotConfigured  # the evidence writer judges liveness (crawler/writer.py)
        self.store = Store(path)
        self.visits = VisitLog()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        visit = visit_of(self.store.db, item)
        if visit is not None:
            self.visits.append(visit)
        return item

    def close_spider(self):
        try:
            crawl_id = self.crawler.stats.get_value("organwatch/crawl_id")
            counts = apply_visits(self.store, crawl_id, self.visits, self.gone_after)
            for kind, n in counts.items():
                self.crawler.stats.set_value(f"organwatch/events/{kind}", n)
        finally:
            self.visits.close()
            self.store.close()
