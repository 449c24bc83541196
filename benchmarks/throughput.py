"""Throughput: one generated local site crawled by a bare Scrapy spider (follow every link, keep
nothing) and by organwatch's full pipeline (WARC evidence, extraction, language, classifier,
indicators, SQLite), alternately in the same run, with the same Scrapy settings. Prints pages/s
of each round, the medians and their ratio (target: at least 0.8 on 2 cores).

    python benchmarks/throughput.py                       # 3 rounds of 2,000 pages
    python benchmarks/throughput.py --pages 500 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gensite import GeneratedSite  # noqa: E402

# One site, as fast as it answers. Its pages are numbered (/p/N) like the ads of a classifieds
# site: no trap cap. CONCURRENT_ITEMS is organwatch's own setting, given to the bare spider too.
SAME = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "ROBOTSTXT_OBEY": "False",
    "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "CONCURRENT_ITEMS": "16",
    "ORGANWATCH_DOMAIN_PAGE_CAP": "10000000", "ORGANWATCH_TRAP_PATTERN_CAP": "0",
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


def rate(stats: dict, wall: float) -> tuple[int, float, float, float]:
    """(pages, seconds from spider open to close, pages/s in them, pages/s of the whole command)."""
    n = stats["response_received_count"]
    return n, stats["elapsed_time_seconds"], n / stats["elapsed_time_seconds"], n / wall


def measure_bare(seed: str, pages: int) -> tuple[int, float, float, float]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--bare-child", seed, str(pages)], capture_output=True, text=True, check=True)
    return rate(json.loads(out.stdout.splitlines()[-1]), time.perf_counter() - start)


def measure_organwatch(seed: str, pages: int, folder: Path) -> tuple[int, float, float, float]:
    db = folder / "bench.db"
    command = [sys.executable, "-m", "crawler.cli", "crawl", seed, "--db", str(db), "--warc-dir", str(folder / "warc"),
               "--allow-private", "--max-pages", str(pages), "-s", "ORGANWATCH_PROGRESS_INTERVAL=0"]
    for name, value in SAME.items():
        command += ["-s", f"{name}={value}"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    (stats,) = sqlite3.connect(db).execute("select stats from crawls").fetchone()
    return rate(json.loads(stats), wall)


def main() -> None:
    if sys.argv[1:2] == ["--bare-child"]:
        stats = bare_crawl(sys.argv[2], int(sys.argv[3]))
        print(json.dumps({k: v for k, v in stats.items() if k in ("response_received_count", "elapsed_time_seconds")}))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages to crawl in each run (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (bare, organwatch) runs (default 3)")
    args = parser.parse_args()
    runs: dict[str, list[tuple[int, float, float, float]]] = {"bare Scrapy spider": [], "organwatch pipeline": []}
    print(f"throughput on one generated local site, {args.pages} pages a run, same Scrapy settings, "
          f"{os.cpu_count()} cores")
    with GeneratedSite(args.pages * 2) as site:
        for round_ in range(1, args.rounds + 1):
            with tempfile.TemporaryDirectory() as tmp:
                runs["bare Scrapy spider"].append(measure_bare(site.seed, args.pages))
                runs["organwatch pipeline"].append(measure_organwatch(site.seed, args.pages, Path(tmp)))
            print(f"  round {round_}: " + ", ".join(f"{name} {r[-1][2]:.1f} pages/s" for name, r in runs.items()), flush=True)
    # The crawl rate counts from the spider's opening to its closing (Scrapy's elapsed_time_seconds);
    # the command's rate also counts starting Python, imports and loading the model.
    medians, walls = {}, {}
    for name, results in runs.items():
        medians[name] = statistics.median(r[2] for r in results)
        walls[name] = statistics.median(r[3] for r in results)
        n, elapsed, _, _ = results[0]
        print(f"  {name:<20} median {medians[name]:7.1f} pages/s crawling, {walls[name]:6.1f} pages/s of the whole "
              f"command  (first round: {n} pages in {elapsed:.1f} s)")
    ratio = medians["organwatch pipeline"] / medians["bare Scrapy spider"]
    print(f"  ratio organwatch / bare: {ratio:.2f} crawling (target >= 0.8), "
          f"{walls['organwatch pipeline'] / walls['bare Scrapy spider']:.2f} for the whole command")

if __name__ == "__main__":
    main()
