"""`organwatch snapshot`: render pages in headless Chromium (Debian's `chromium` through Playwright,
never a downloaded browser) and keep a full-page screenshot and the rendered DOM as WARC
`resource` records (`urn:view:URL` and `urn:dom:URL`, with `WARC-Refers-To` the capture's response
record), a `snapshots` row with their SHA-256, and a custody entry.

The browser fetches the page again (it is a rendering, not the capture itself) and every
sub-request passes the same private-address rule as the crawler.
"""

from __future__ import annotations

import hashlib
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler import custody
from crawler.middlewares import is_public
from crawler.store import Store, utcnow
from crawler.warc import WarcFiles, make_record
from nlp import organwatch_version

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


class SnapshotError(ValueError):
    """Bad input (exit 2)."""


@dataclass
class SnapshotOptions:
    db: str
    urls: list[str] = field(default_factory=list)
    flagged: bool = False
    warc_dir: str = "data/warc"
    allow_private: bool = False
    timeout_s: float = 30.0
    width: int = 1280


def _host_is_public(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return True  # the browser's own DNS failure will show
    return all(is_public(info[4][0]) for info in infos)


def select_targets(store: Store, options: SnapshotOptions) -> list[dict]:
    clauses, params = [], []
    if options.urls:
        clauses.append(f"p.url in ({', '.join('?' for _ in options.urls)})")
        params += options.urls
    if options.flagged or not options.urls:
        clauses.append("(p.flagged = 1 and p.live = 1)")
    rows = [
        dict(zip(("page_id", "url", "capture_id", "record_id"), r, strict=True))
        for r in store.db.execute(
            "select p.id, p.url, p.last_capture_id, c.warc_record_id from pages p "
            f"left join captures c on c.id = p.last_capture_id where {' or '.join(clauses)} order by p.id",
            params,
        )
    ]
    missing = sorted(set(options.urls) - {r["url"] for r in rows})
    if missing:
        raise SnapshotError(f"--url {missing[0]}: not a page in {options.db}")
    return rows


def take_snapshots(options: SnapshotOptions) -> list[dict]:
    """Render each target; return the snapshots rows written. Pages that fail to render are
    reported in the row's absence and in the returned list's `errors` key of each failure."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if not Path(options.db).exists():
        raise SnapshotError(f"{options.db}: database not found")
    if not Path(CHROMIUM).exists():
        raise SnapshotError(f"{CHROMIUM} not found: apt-get install chromium")
    store = Store(options.db)
    results: list[dict] = []
    try:
        targets = select_targets(store, options)
        if not targets:
            return results
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            software = f"organwatch/{organwatch_version()} (Playwright, Chromium {browser.version})"
            files = WarcFiles(options.warc_dir, {"software": software, "format": "WARC File Format 1.1",
                                                 "description": "Browser renderings (screenshot, DOM) of captured pages."},
                              prefix="organwatch-snapshot")
            try:
                context = browser.new_context(viewport={"width": options.width, "height": 900}, service_workers="block")
                if not options.allow_private:
                    context.route("**/*", lambda route: route.continue_() if _host_is_public(route.request.url) else route.abort())
                for target in targets:
                    page = context.new_page()
                    try:
                        page.goto(target["url"], wait_until="load", timeout=options.timeout_s * 1000)
                        png = page.screenshot(full_page=True, type="png")
                        dom = page.content().encode("utf-8")
                    except PlaywrightError as e:
                        results.append({"url": target["url"], "error": str(e).splitlines()[0]})
                        continue
                    finally:
                        page.close()
                    results.append(_store_snapshot(store, files, target, png, dom, software))
            finally:
                files.close()
                browser.close()
    finally:
        store.close()
    return results


def _store_snapshot(store: Store, files: WarcFiles, target: dict, png: bytes, dom: bytes, software: str) -> dict:
    url = target["url"]
    headers = {"WARC-Date": utcnow()}
    if target["record_id"]:
        headers["WARC-Refers-To"] = target["record_id"]
    shot = files.write(make_record(f"urn:view:{url}", "resource", png, headers=headers, content_type="image/png"))
    page_dom = files.write(make_record(f"urn:dom:{url}", "resource", dom, headers=headers,
                                       content_type="text/html; charset=utf-8"))
    row = {
        "capture_id": target["capture_id"], "page_id": target["page_id"], "url": url, "taken_at": headers["WARC-Date"],
        "browser": software, "warc_file": shot["warc_file"],
        "screenshot_offset": shot["warc_offset"], "screenshot_length": shot["warc_length"],
        "screenshot_record_id": shot["warc_record_id"], "screenshot_sha256": hashlib.sha256(png).hexdigest(),
        "dom_offset": page_dom["warc_offset"], "dom_length": page_dom["warc_length"],
        "dom_record_id": page_dom["warc_record_id"], "dom_sha256": hashlib.sha256(dom).hexdigest(),
    }
    with store.db.atomic():
        row["id"] = store.db["snapshots"].insert(row).last_pk
        custody.append(store.db, "snapshot", f"capture:{target['capture_id']}", row["screenshot_sha256"],
                       {"url": url, "dom_sha256": row["dom_sha256"], "warc_file": row["warc_file"]})
    return row
