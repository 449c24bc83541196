"""The classifier on the sample web's HTML pages (crawler/sampleweb/sites, labelled in its
manifest): whole pages of whole sites, through the same extraction as a crawl.

    python benchmarks/sampleweb_quality.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from scrapy.http import HtmlResponse

from nlp.dataset import read_jsonl
from nlp.evaluate import evaluate, format_report

SITES = Path(__file__).resolve().parent.parent / "crawler" / "sampleweb" / "sites"


def labelled_pages(out: Path) -> None:
    with open(out, "w", encoding="utf-8") as f:
        for line in (SITES / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            m = json.loads(line)
            path = m["path"] + ("index.html" if m["path"].endswith("/") else "")
            body = (SITES / m["site"] / path.lstrip("/")).read_bytes()
            html = HtmlResponse(url="http://sample.test/", body=body, headers={"Content-Type": "text/html"}).text
            cats = {"advertising": m["advertising"], "brokerage": m["brokerage"]}
            f.write(json.dumps({"html": html, "url": "http://sample.test" + m["path"], "cats": cats,
                                "lang": m["lang"], "kind": m["kind"]}, ensure_ascii=False) + "\n")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sampleweb.jsonl"
        labelled_pages(path)
        print(format_report(evaluate(list(read_jsonl(path)))))


if __name__ == "__main__":
    main()
