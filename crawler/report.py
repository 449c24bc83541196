"""report.html of a case bundle: what a person prints and reads. Every value from the web is
escaped; no captured HTML is rendered."""

from __future__ import annotations

import json
from html import escape

STATEMENT = (
    "Each capture below was fetched by organwatch and written at once to a WARC file (ISO 28500) with "
    "SHA-256 digests of the record and of the body as received. The bundle lists the SHA-256 of every "
    "file it holds in datapackage.json; datapackage-digest.json holds the SHA-256 of that list and, when "
    "the bundle is signed, an ECDSA signature over it. <code>organwatch verify</code> recomputes all of "
    "them. What this proves: these files are the ones the holder of the signing key packaged, unchanged "
    "since, and each record is the one organwatch stored at the time shown. What it does not prove: what "
    "a server &quot;really&quot; sent (the records are rebuilt from the parsed HTTP response, not raw "
    "wire bytes), who operates a site, or that a clock was right beyond the machine's own time."
)


def _e(value) -> str:
    return escape("" if value is None else str(value))


def _item(item: dict) -> str:
    c, p, crawl = item["capture"], item["page"], item["crawl"]
    indicators = "".join(
        f"<li>{_e(i['kind'])}: {_e(i['value'])} <small>({_e(i['normalized'])})</small></li>" for i in item["indicators"]
    ) or "<li>none</li>"
    reviews = "".join(
        f"<li>{_e(r['created_at'])} {_e(r['reviewer'])}: {_e(r['verdict'])} {_e(r['note'])}</li>" for r in item["reviews"]
    ) or "<li>none</li>"
    timeline = "".join(f"<li>{_e(t['at'])} {_e(t['event'])}</li>" for t in item["timeline"]) or "<li>none</li>"
    snaps = "".join(
        f"<li>{_e(s['taken_at'])} {_e(s['browser'])}: screenshot sha256 <code>{_e(s['screenshot_sha256'])}</code>, "
        f"DOM sha256 <code>{_e(s['dom_sha256'])}</code></li>"
        for s in item["snapshots"]
    ) or "<li>none</li>"
    rows = [
        ("Requested URL", c["requested_url"]), ("Final URL", c["final_url"]), ("Captured (UTC)", c["fetched_at"]),
        ("Server IP", c["server_ip"]), ("HTTP status", c["status"] or c["error"]),
        ("Body SHA-256", c["payload_sha256"]), ("WARC record", c["warc_record_id"]),
        ("Seed that led here", c["seed"]), ("Found on", c["referer"]),
        ("Software", crawl["software"]), ("Crawl", f"{crawl['id']} started {crawl['started']}"),
        ("Crawl settings", json.dumps(crawl["settings"], sort_keys=True) if crawl["settings"] else ""),
        ("Title", p["title"]), ("Language", p["lang"]),
        ("Analysis", f"flagged={p['flagged']} risk={p['risk']} advertising={p['advertising']} brokerage={p['brokerage']} "
                     f"(model {p['model_version']})"),
        ("Reasons", "; ".join(p["reasons"])), ("Live", f"{p['live']} (gone since {p['gone_since']})" if not p["live"] else "yes"),
    ]
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return (
        f"<section><h2>Capture {_e(c['id'])}: {_e(p['url'])}</h2><table>{table}</table>"
        f"<h3>Indicators</h3><ul>{indicators}</ul><h3>Reviews</h3><ul>{reviews}</ul>"
        f"<h3>Timeline</h3><ul>{timeline}</ul><h3>Browser snapshots</h3><ul>{snaps}</ul>"
        f"<p><small>Provenance: provenance/{_e(c['id'])}.json</small></p></section>"
    )


def render_report(case_id: str, created: str, software: str, items: list[dict], custody_head: str) -> str:
    body = "".join(_item(i) for i in items)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>organwatch case {_e(case_id)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}th{{text-align:left;vertical-align:top;padding-right:1em}}
td{{word-break:break-all}}section{{page-break-inside:avoid;border-top:1px solid #999;margin-top:2em}}</style></head>
<body><h1>organwatch case {_e(case_id)}</h1>
<p>Created {_e(created)} (UTC) by {_e(software)}. {len(items)} capture(s).
Custody log head at export: <code>{_e(custody_head)}</code>.</p>
<h2>What the hashes and signature prove</h2><p>{STATEMENT}</p>
{body}
</body></html>
"""
