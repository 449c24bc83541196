"""A small database for the review side: two broker sites sharing contacts and a copied ad, a
page with hostile markup, a news page. Analysed by the real classifier; stored by the real Store."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.store import Store
from nlp.analyze import analyze

PHONE, PHONE_E164 = "+92 300 1234567", "+923001234567"
EMAIL = "donor.help@kidneyfree.example"
TELEGRAM, WECHAT = "kidneyhelp88", "kidney_cn_88"
ODD_NUMBER = "0300-7654321"  # not accepted as a valid number by every reader: must be masked anyway
HEADER_EMAIL = "abuse-desk@brokerhost.example"
# every form a raw contact could leak in
SECRETS = [PHONE_E164, "923001234567", "3001234567", "300 1234567", EMAIL, "donor.help", TELEGRAM, WECHAT,
           "7654321", HEADER_EMAIL, "abuse-desk"]

AD = (
    "Kidney transplant in 2 weeks, donor guaranteed. Healthy donor available, blood group O+, age 25, "
    "tests done. Full package USD 45,000 including visa, flights, hotel and dialysis. No waiting list. "
    f"WhatsApp {PHONE} or call {ODD_NUMBER}. Telegram: @{TELEGRAM}. WeChat ID: {WECHAT}. Email {EMAIL}. "
    "Deposit by wire transfer before travel; our coordinator stays with you in the hospital."
)
HOSTILE_TITLE = 'Kidney for sale <script>alert("title")</script>'
HOSTILE_TEXT = ('I sell my kidney, O+ healthy. <img src=x onerror="alert(1)"> <script>alert(2)</script> '
                f'Price 30 lakh negotiable. Contact WhatsApp {PHONE}.')
NEWS = ("Police arrested three men accused of running an organ trafficking ring that lured poor villagers "
        "to sell kidneys, prosecutors said on Monday. The investigation began after a victim went to hospital.")


def build(path: Path) -> dict[str, int]:
    """Write the pages; return name -> page id."""
    store = Store(path)
    crawl = store.start_crawl(["https://broker-a.example/"], {}, "test")
    pages = {
        "ad_a": ("https://broker-a.example/kidney-9230012.html", "Kidney transplant package - donor guaranteed", AD),
        "ad_b": ("https://broker-b.example/offer.html", "Transplant package with donor", AD + " Ask for Dr. Khan."),
        "hostile": ("https://seller-c.example/sell.html", HOSTILE_TITLE, HOSTILE_TEXT),
        "news": ("https://news-d.example/ring.html", "Organ ring arrested", NEWS),
    }
    ids = {}
    for n, (name, (url, title, text)) in enumerate(pages.items()):
        result = analyze(f"{title}\n{text}")
        page = {
            "url": url, "domain": url.split("/")[2], "title": title, "text": text, "lang": result.lang,
            "flagged": int(result.flagged or name != "news"), "risk": max(result.risk, 0 if name == "news" else 80),
            "advertising": result.scores["advertising"], "brokerage": result.scores["brokerage"],
            "reasons": json.dumps(result.reasons), "organs": json.dumps(sorted({i.value for i in result.indicators if i.kind == "organ"})),
            "destinations": json.dumps(["IN"] if name != "news" else []), "text_sha256": f"sha{n}", "model_version": "0.1.0",
        }
        indicators = [{"kind": i.kind, "value": i.text, "normalized": i.value, "start": i.start, "end": i.end}
                      for i in result.indicators]
        capture = {"url": url, "final_url": url, "fetched_at": f"2026-01-0{n + 1}T00:00:00Z", "status": 200,
                   "crawl_id": crawl, "headers": json.dumps({"X-Abuse": HEADER_EMAIL, "Server": "nginx"}),
                   "payload_sha256": f"{n:064x}", "warc_record_id": f"<urn:uuid:{n}>"}
        store.record(capture, page, indicators)
        ids[name] = store.db.execute("select id from pages where url = ?", [url]).fetchone()[0]
    store.finish_crawl(crawl, {}, "finished")
    store.close()
    return ids
