"""Throughput: one generated local site crawled by a bare Scrapy spider (follow every link, keep
nothing) and by organwatch's full pipeline (WARC evidence, extraction, language, classifier,
indicators, SQLite), one after the other in the same run, with the same Scrapy concurrency.
Prints pages/s of each and the ratio (target: at least 0.8 on 2 cores).

    python benchmarks/throughput.py              # 2,000 pages
    python benchmarks/throughput.py --pages 500
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gensite import GeneratedSite  # noqa: E402

SAME = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "ROBOTSTXT_OBEY": "False",
    "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "ORGANWATCH_DOMAIN_PAGE_CAP": "10000000",
}


def bare_crawl(seed: str, pages: int) -> dict:
    """Run in a child process: a plain Scrapy spider that follows every link and yields nothing."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = [seed]

        def parse(self, response):
            yield from response.follow_all(css="a")

    process = CrawlerProcess({**SAME, "LOG_LEVEL": "WARNING", "CLOSESPIDER_PAGECOUNT": pages, "TELNETCONSOLE_ENABLED": False})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    return crawler.stats.get_stats()


def rate(stats: dict) -> tuple[int, float, float]:
    n = stats["response_received_count"]
    return n, stats["elapsed_time_seconds"], n / stats["elapsed_time_seconds"]


def measure_bare(seed: str, pages: int) -> tuple[int, float, float]:
    out = subprocess.run([sys.executable, __file__, "--bare-child", seed, str(pages)], capture_output=True, text=True, check=True)
    return rate(json.loads(out.stdout.splitlines()[-1]))


def measure_organwatch(seed: str, pages: int, folder: Path) -> tuple[int, float, float]:
    db = folder / "bench.db"
    command = [sys.executable, "-m", "crawler.cli", "crawl", seed, "--db", str(db), "--warc-dir", str(folder / "warc"),
               "--allow-private", "--max-pages", str(pages), "-s", "ORGANWATCH_PROGRESS_INTERVAL=0"]
    for name, value in SAME.items():
        command += ["-s", f"{name}={value}"]
    subprocess.run(command, check=True, capture_output=True)
    (stats,) = sqlite3.connect(db).execute("select stats from crawls").fetchone()
    return rate(json.loads(stats))


def main() -> None:
    if sys.argv[1:2] == ["--bare-child"]:
        stats = bare_crawl(sys.argv[2], int(sys.argv[3]))
        print(json.dumps({k: v for k, v in stats.items() if k in ("response_received_count", "elapsed_time_seconds")}))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages to crawl in each run (default 2000)")
    args = parser.parse_args()
    with GeneratedSite(args.pages * 2) as site, tempfile.TemporaryDirectory() as tmp:
        bare = measure_bare(site.seed, args.pages)
        full = measure_organwatch(site.seed, args.pages, Path(tmp))
    print(f"throughput on one generated local site, {args.pages} pages, same Scrapy concurrency")
    for name, (n, elapsed, pps) in (("bare Scrapy spider", bare), ("organwatch pipeline", full)):
        print(f"  {name:<20} {n:>6} pages in {elapsed:6.1f} s  {pps:7.1f} pages/s")
    print(f"  ratio organwatch / bare: {full[2] / bare[2]:.2f}  (target >= 0.8)")


if __name__ == "__main__":
    main()
