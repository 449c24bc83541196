"""Focused crawling against breadth-first, side by side on one generated web.

The web: SITES sites of PAGES pages each (20,000 by default) on loopback addresses 127.0.1.N,
about 2% of the pages relevant (advertising transplants abroad or brokering organs) and clustered
the way real sites are: a few facilitator and broker sites where many pages are ads, classifieds
and hospitals with a relevant corner, and many news, NGO, medical-tourism, recipe, garden and
general sites, some of them talking about organ trafficking. Pages take their text and titles
from the bundled sample web (crawler/sampleweb), by its manifest's labels; links carry the
target's title as anchor text and a slug of it in the URL; sites link to each other, brokers'
sites more often to each other.

Three crawls run organwatch's full pipeline with the same seeds, settings and budget (10% of the
pages): breadth-first (ORGANWATCH_FOCUS=False), breadth-first with Scrapy's default queue that
serves sites in turn (what a plain Scrapy spider does), and focused. Printed: harvest rate (relevant pages / pages
fetched) and target recall (relevant pages fetched / all relevant pages) at 10% of the pages,
the ratios of the focused harvest rate to the others (target: at least 3), and the crawl's own recorded figures.

Each crawl runs --runs times (3), in turns, and the figures are medians: which links a crawl meets
first depends on timing, and whether it finds a broker site early decides much of its harvest
(identical focused crawls found 64 to 155 relevant pages).

    python benchmarks/focus.py [--sites 200] [--pages 100] [--seeds 40] [--budget 0.10] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crawler.extract import extract
from crawler.sampleweb.server import SITES_DIR

# site kind: (number of sites per 200, share of relevant pages, sample kinds of its other pages)
KINDS = {
    "broker": (6, 0.40, ["general"]),
    "classifieds": (6, 0.15, ["general", "homonym"]),
    "hospital": (6, 0.10, ["patient_education", "domestic_programme", "general"]),
    "news": (30, 0.0, ["news", "investigation", "general"]),
    "ngo": (10, 0.0, ["ngo", "legal", "altruistic_appeal"]),
    "tourism": (12, 0.0, ["medical_tourism_other", "general"]),
    "hobby": (30, 0.0, ["homonym", "general"]),
    "forum": (10, 0.0, ["forum_discussion", "general", "altruistic_appeal"]),
    "general": (90, 0.0, ["general"]),
}
RELEVANT_KINDS = ("broker", "classifieds", "hospital")


@dataclass
class Sample:
    title: str
    text: str


@dataclass
class Page:
    title: str
    text: str
    relevant: bool
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, anchor)


def load_samples() -> tuple[list[Sample], dict[str, list[Sample]]]:
    """Relevant samples, and the others by kind, from the bundled sample web (not the about and
    contact pages of the sites that carry ads: they are neither clearly one nor the other)."""
    relevant, others = [], {}
    rows = [json.loads(line) for line in (SITES_DIR / "manifest.jsonl").read_text().splitlines()]
    ad_sites = {r["site"] for r in rows if r["advertising"] or r["brokerage"]}
    for row in rows:
        if row["site"] in ad_sites and row["kind"] == "general":
            continue
        path = SITES_DIR / row["site"] / (row["path"].lstrip("/") or "index.html")
        if path.is_dir() or row["path"].endswith("/"):
            path = path / "index.html"
        if not path.suffix == ".html" or not path.exists():
            continue
        page = extract(path.read_bytes().decode("utf-8", "replace"))
        text = re.sub(r"\{\{site:[a-z0-9-]+\}\}", "", page.text)
        if not page.title or len(text) < 200:
            continue
        sample = Sample(page.title, text)
        if row["advertising"] or row["brokerage"]:
            relevant.append(sample)
        else:
            others.setdefault(row["kind"], []).append(sample)
    return relevant, others


def slug(title: str) -> str:
    words = re.findall(r"\w+", title.lower())[:6]
    return "-".join(words) or "page"


def generate(n_sites: int, n_pages: int, seed: int = 7) -> tuple[list[str], dict[str, dict[str, Page]]]:
    """Site kinds (one per site) and every site's pages by path."""
    rng = random.Random(seed)
    relevant, others = load_samples()
    kinds = [k for k, (count, _, _) in KINDS.items() for _ in range(round(count * n_sites / 200))]
    kinds = (kinds + ["general"] * n_sites)[:n_sites]
    rng.shuffle(kinds)
    sites: list[dict[str, Page]] = []
    for kind in kinds:
        share, other_kinds = KINDS[kind][1], KINDS[kind][2]
        n_relevant = round(share * n_pages)
        pages: dict[str, Page] = {}
        for i in range(n_pages):
            if i == 0:
                sample, is_rel, section = rng.choice(others[rng.choice(other_kinds)]), False, ""
            elif i <= n_relevant:  # the relevant corner: one section, pages next to each other
                sample, is_rel, section = rng.choice(relevant), True, "s1/"
            else:
                sample, is_rel, section = rng.choice(others[rng.choice(other_kinds)]), False, f"s{2 + i % 4}/"
            path = "/" if i == 0 else f"/{section}{i}-{slug(sample.title)}.html"
            pages[path] = Page(f"{sample.title} ({i})", sample.text, is_rel)
        sites.append(pages)
    return kinds, sites


def wire(kinds: list[str], sites: list[dict[str, Page]], bases: list[str], seed: int = 11) -> None:
    """Links: home and nearby pages of the same section, a few random pages of the site, and
    links to other sites (brokers' sites to each other more often)."""
    rng = random.Random(seed)
    relevant_sites = [i for i, k in enumerate(kinds) if k in RELEVANT_KINDS]
    for s, pages in enumerate(sites):
        paths = list(pages)
        for j, path in enumerate(paths):
            page = pages[path]
            targets = {paths[0]}
            targets |= {paths[k] for k in (j - 2, j - 1, j + 1, j + 2) if 0 < k < len(paths)}
            targets |= set(rng.sample(paths, min(5, len(paths))))
            if j == 0:
                targets |= set(paths[1 :: max(1, len(paths) // 12)])
            targets.discard(path)
            page.links = [(bases[s] + t, pages[t].title) for t in sorted(targets)]
            n_out = 1 + (rng.random() < 0.5)
            for _ in range(n_out):
                if kinds[s] in RELEVANT_KINDS and rng.random() < 0.5:
                    other = rng.choice(relevant_sites)
                elif kinds[s] in ("news", "forum") and rng.random() < 0.05:
                    other = rng.choice(relevant_sites)  # a report quotes an ad, a forum post links one
                else:
                    other = rng.randrange(len(sites))
                if other == s:
                    continue
                opaths = list(sites[other])
                target = opaths[0] if rng.random() < 0.5 else rng.choice(opaths)
                page.links.append((bases[other] + target, sites[other][target].title))


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, Page] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        page = self.pages.get(self.path)
        if page is None:
            self.send_error(404)
            return
        from html import escape

        links = "".join(f'<li><a href="{escape(u)}">{escape(a)}</a></li>' for u, a in page.links)
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in page.text.split("\n"))
        body = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(page.title)}</title></head>"
            f"<body><main><h1>{escape(page.title)}</h1>{paragraphs}</main><nav><ul>{links}</ul></nav></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def serve(n_sites: int) -> tuple[list[ThreadingHTTPServer], list[str]]:
    port = free_port("127.0.1.1")
    servers, bases = [], []
    for i in range(n_sites):
        host = f"127.0.{1 + i // 250}.{1 + i % 250}"
        handler = type(f"Site{i}", (_Handler,), {"pages": {}})
        server = ThreadingHTTPServer((host, port), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        bases.append(f"http://{host}:{port}")
    return servers, bases


MODES = {
    # name: extra settings; the first is the baseline of the ratios
    "breadth-first": ["-s", "ORGANWATCH_FOCUS=False"],
    "bf, sites in turn": ["-s", "ORGANWATCH_FOCUS=False", "-s", "SCHEDULER_PRIORITY_QUEUE=scrapy.pqueues.DownloaderAwarePriorityQueue"],
    "organwatch focus": [],
}


def crawl(seeds: list[str], db: Path, targets: Path, budget: int, extra: list[str]) -> float:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", *seeds, "--db", str(db), "--warc-dir", str(db.parent / "warc"),
         "--allow-private", "--max-pages", str(budget), "--depth", "30", "--follow-offsite", "3",
         "--targets", str(targets), *extra, "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False", "-s", "ORGANWATCH_PROGRESS_INTERVAL=0",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        sys.exit(f"crawl failed:\n{result.stderr[-3000:]}")
    return time.monotonic() - started


def measure(db: Path, relevant: set[str], budget: int, kind_of: dict[str, str]) -> dict:
    con = sqlite3.connect(db)
    fetched = [u for (u,) in con.execute("select url from captures where page_id is not null order by id limit ?", [budget])]
    by_kind: dict[str, int] = {}
    for u in fetched:
        kind = kind_of.get(u.split("/", 3)[2], "?")
        by_kind[kind] = by_kind.get(kind, 0) + 1
    harvest, recall, stats = con.execute("select harvest_rate, target_recall, stats from crawls").fetchone()
    con.close()
    hits = sum(1 for u in fetched if u in relevant)
    return {
        "fetched": len(fetched), "relevant": hits, "harvest": hits / max(1, len(fetched)), "recall": hits / len(relevant),
        "recorded_harvest": harvest, "recorded_recall": recall,
        "offsite": json.loads(stats).get("organwatch/links_offsite_followed", 0),
        "by_kind": by_kind,
    }


def medians(rs: list[dict]) -> dict:
    """The median of each figure over runs of one kind of crawl."""
    keys = ["fetched", "relevant", "harvest", "recall", "recorded_harvest", "recorded_recall", "offsite", "seconds"]
    return {k: statistics.median(r[k] or 0 for r in rs) for k in keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--pages", type=int, default=100, help="pages per site")
    parser.add_argument("--seeds", type=int, default=40, help="sites whose home pages are the seeds")
    parser.add_argument("--budget", type=float, default=0.10, help="share of the pages fetched")
    parser.add_argument("--runs", type=int, default=3, help="crawls of each kind; the figures are medians")
    args = parser.parse_args()

    kinds, sites = generate(args.sites, args.pages)
    servers, bases = serve(args.sites)
    for server, pages in zip(servers, sites, strict=True):
        server.RequestHandlerClass.pages = pages
    wire(kinds, sites, bases)
    total = sum(len(p) for p in sites)
    relevant = {bases[s] + path for s, pages in enumerate(sites) for path, page in pages.items() if page.relevant}
    budget = round(total * args.budget)
    rng = random.Random(3)
    seed_sites = rng.sample(range(args.sites), args.seeds)
    seeds = [bases[s] + "/" for s in seed_sites]
    print(f"web: {total} pages on {args.sites} sites, {len(relevant)} relevant ({len(relevant) / total:.1%}) "
          f"on {sum(1 for k in kinds if k in RELEVANT_KINDS)} sites; {args.seeds} seed sites "
          f"({sum(1 for s in seed_sites if kinds[s] in RELEVANT_KINDS)} of them with relevant pages); "
          f"budget {budget} pages ({args.budget:.0%})")
    runs: dict[str, list[dict]] = {name: [] for name in MODES}
    kind_of = {b.split("/", 3)[2]: k for b, k in zip(bases, kinds, strict=True)}
    with tempfile.TemporaryDirectory() as tmp:
        targets = Path(tmp) / "targets.txt"
        targets.write_text("\n".join(sorted(relevant)) + "\n")
        for run in range(args.runs):
            for i, (name, extra) in enumerate(MODES.items()):
                db = Path(tmp) / f"crawl{run}-{i}" / "focus.db"
                seconds = crawl(seeds, db, targets, budget, extra)
                runs[name].append({**measure(db, relevant, budget, kind_of), "seconds": seconds})
                print(f"  run {run + 1}/{args.runs} {name}: {runs[name][-1]['relevant']} relevant pages", flush=True)
    for server in servers:
        server.shutdown()
        server.server_close()
    results = {name: medians(rs) for name, rs in runs.items()}

    print(f"\nmedians of {args.runs} run(s)")
    print(f"{'crawl':<18} {'fetched':>8} {'relevant':>9} {'harvest':>8} {'recall':>7}   recorded: harvest (flagged) recall   offsite  time   relevant, each run")
    for name, r in results.items():
        print(f"{name:<18} {r['fetched']:>8.0f} {r['relevant']:>9.0f} {r['harvest']:>8.3f} {r['recall']:>7.3f}   "
              f"{r['recorded_harvest']:>26.3f} {r['recorded_recall']:>6.3f}   {r['offsite']:>7.0f} {r['seconds']:>5.0f}s   "
              + " ".join(str(x["relevant"]) for x in runs[name]))
    print("\npages fetched by kind of site (the median run of each):")
    for name, rs in runs.items():
        middle = sorted(rs, key=lambda r: r["relevant"])[len(rs) // 2]
        print(f"  {name:<18} " + "  ".join(f"{k} {n}" for k, n in sorted(middle["by_kind"].items(), key=lambda kv: -kv[1])))
    focus = results["organwatch focus"]
    print()
    for name in list(MODES)[:-1]:
        base = results[name]
        if not base["relevant"]:
            print(f"focus / {name}: {name} fetched no relevant page ({focus['relevant']} for focus)")
            continue
        print(f"focus / {name}: harvest rate {focus['harvest'] / base['harvest']:.1f}x (target >= 3x), "
              f"target recall {focus['recall'] / base['recall']:.1f}x")


if __name__ == "__main__":
    main()
