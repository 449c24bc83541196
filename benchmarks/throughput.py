"""Throughput: one generated local site crawled by a bare Scrapy spider (follow every link, keep
nothing) and by organwatch's full pipeline (WARC evidence, extraction, language, classifier,
indicators, SQLite), alternately in the same run, with the same Scrapy settings. Prints pages/s
of each round, the medians and their ratio (target: at least 0.8 on 2 cores), the rate of the
whole command (start-up included) and the CPU a page of each command's processes.

    python benchmarks/throughput.py                       # 3 rounds of 2,000 pages
    python benchmarks/throughput.py --pages 500 --rounds 1
    python benchmarks/throughput.py --ad-every 1          # every page an ad: every page read

About one page in fifty of the site reads like an ad; the others name no organ, and the topic gate
(nlp/gate.py) lets organwatch skip their extraction and classification, as it does for most pages
of a real crawl. `--ad-every 1` measures the other end, where every page is read in full.
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


def processes(pid: int) -> list[int]:
    """A process and its descendants (the evidence writer, the fork server and the readers), from /proc."""
    found = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += processes(int(child))
    except OSError:  # gone meanwhile
        pass
    return found


def run(command: list[str]) -> tuple[str, float, float, float]:
    """Run a command; (its stdout, wall seconds, CPU seconds of its own process, CPU seconds of its
    descendants: the evidence writer, the fork server and the readers), the CPU read from /proc while it runs."""
    clock = os.sysconf("SC_CLK_TCK")
    cpu: dict[int, float] = {}
    start = time.perf_counter()
    output = tempfile.TemporaryFile("w+")  # not a pipe: nobody reads it while the command runs
    proc = subprocess.Popen(command, stdout=output, stderr=subprocess.DEVNULL, text=True)
    while proc.poll() is None:
        for pid in processes(proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cpu[pid] = (int(fields[11]) + int(fields[12])) / clock  # utime + stime
            except (OSError, IndexError):
                pass
        time.sleep(0.2)
    wall = time.perf_counter() - start
    output.seek(0)
    out = output.read()
    output.close()
    if proc.returncode:
        sys.exit(f"{command[:4]} failed with exit {proc.returncode}")
    own = cpu.pop(proc.pid, 0.0)
    return out, wall, own, sum(cpu.values())


def measure(stats: dict, wall: float, own: float, others: float) -> dict:
    n = stats["response_received_count"]
    return {"pages": n, "elapsed": stats["elapsed_time_seconds"], "rate": n / stats["elapsed_time_seconds"],
            "command_rate": n / wall, "cpu_own": 1000 * own / n, "cpu_others": 1000 * others / n,
            "readers_wait": stats.get("organwatch/readers_wait_seconds", 0.0)}


def measure_bare(seed: str, pages: int) -> dict:
    out, wall, own, others = run([sys.executable, __file__, "--bare-child", seed, str(pages)])
    return measure(json.loads(out.splitlines()[-1]), wall, own, others)


def measure_organwatch(seed: str, pages: int, folder: Path) -> dict:
    db = folder / "bench.db"
    command = [sys.executable, "-m", "crawler.cli", "crawl", seed, "--db", str(db), "--warc-dir", str(folder / "warc"),
               "--allow-private", "--max-pages", str(pages), "-s", "ORGANWATCH_PROGRESS_INTERVAL=0"]
    for name, value in SAME.items():
        command += ["-s", f"{name}={value}"]
    _, wall, own, others = run(command)
    (stats,) = sqlite3.connect(db).execute("select stats from crawls").fetchone()
    return measure(json.loads(stats), wall, own, others)


def main() -> None:
    if sys.argv[1:2] == ["--bare-child"]:
        stats = bare_crawl(sys.argv[2], int(sys.argv[3]))
        print(json.dumps({k: v for k, v in stats.items() if k in ("response_received_count", "elapsed_time_seconds")}))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages to crawl in each run (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (bare, organwatch) runs (default 3)")
    parser.add_argument("--ad-every", type=int, default=50, help="one page in N reads like an ad (default 50; 1: all)")
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"bare Scrapy spider": [], "organwatch pipeline": []}
    print(f"throughput on one generated local site (one page in {args.ad_every} an ad), {args.pages} pages a run, "
          f"same Scrapy settings, {os.cpu_count()} cores")
    with GeneratedSite(args.pages * 2, args.ad_every) as site:
        for round_ in range(1, args.rounds + 1):
            with tempfile.TemporaryDirectory() as tmp:
                runs["bare Scrapy spider"].append(measure_bare(site.seed, args.pages))
                runs["organwatch pipeline"].append(measure_organwatch(site.seed, args.pages, Path(tmp)))
            print(f"  round {round_}: " + ", ".join(f"{name} {r[-1]['rate']:.1f} pages/s" for name, r in runs.items()),
                  flush=True)
    # The crawl rate counts from the spider's opening to its closing (Scrapy's elapsed_time_seconds);
    # the command's rate also counts starting Python, imports and loading the model. CPU is per
    # page fetched, start-up included: the crawl's own process, then its writer, fork server and readers.
    medians: dict[str, dict[str, float]] = {}
    for name, results in runs.items():
        medians[name] = {key: statistics.median(r[key] for r in results) for key in results[0]}
        m = medians[name]
        print(f"  {name:<20} median {m['rate']:7.1f} pages/s crawling, {m['command_rate']:6.1f} pages/s of the whole "
              f"command; CPU a page {m['cpu_own']:.1f} ms in its process + {m['cpu_others']:.1f} ms in its other processes "
              f"(first round: {results[0]['pages']} pages in {results[0]['elapsed']:.1f} s)"
              + (f"; its first pages waited {m['readers_wait']:.1f} s for the readers' preload" if m["readers_wait"] else ""))
    bare, ours = medians["bare Scrapy spider"], medians["organwatch pipeline"]
    print(f"  ratio organwatch / bare: {ours['rate'] / bare['rate']:.2f} crawling (target >= 0.8), "
          f"{ours['command_rate'] / bare['command_rate']:.2f} for the whole command")

if __name__ == "__main__":
    main()
