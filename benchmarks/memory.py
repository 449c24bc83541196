"""Memory: peak memory of an organwatch crawl of a generated local site (default 100,000 pages),
run as a user runs it (`organwatch crawl --job DIR`, full pipeline), sampled every second and
printed at intervals, so one sees whether it stays flat or grows with pages. Target: at most
1 GB, flat.

The crawl is a tree of processes: the crawl's own, its evidence writer (WARC and SQLite), a fork
server that loaded the model, and the readers forked from it, which share the model's pages with
it. Summing their RSS counts those shared pages once per process; the PSS (proportional set size,
/proc/PID/smaps_rollup) divides each shared page between the processes that share it, so its sum
is the memory the crawl takes.
Both are printed; the target is checked on the PSS.

    python benchmarks/memory.py                      # 100,000 pages (hours at the pipeline's rate)
    python benchmarks/memory.py --pages 5000 --every 30
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gensite import GeneratedSite  # noqa: E402
from throughput import SAME, processes  # noqa: E402


def _kb(path: str, field: str) -> int:
    try:
        return next((int(line.split()[1]) for line in Path(path).read_text().splitlines() if line.startswith(field)), 0)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0


def memory_mb(pid: int) -> tuple[float, float]:
    """(PSS, RSS) summed over the process tree, in MB (0 once it has gone)."""
    tree = processes(pid)
    pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in tree)
    rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in tree)
    return pss / 1024, rss / 1024


def captures(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return con.execute("select count(*) from captures").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000, help="pages to crawl (default 100000)")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between printed samples (default 60)")
    args = parser.parse_args()
    with GeneratedSite(args.pages * 2) as site, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "memory.db"
        command = [sys.executable, "-m", "crawler.cli", "crawl", site.seed, "--db", str(db), "--warc-dir", f"{tmp}/warc",
                   "--job", f"{tmp}/job", "--allow-private", "--max-pages", str(args.pages), "--depth", "20",
                   "-s", "ORGANWATCH_PROGRESS_INTERVAL=0"]
        for name, value in SAME.items():
            command += ["-s", f"{name}={value}"]
        started = time.monotonic()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples: list[tuple[float, int, float, float]] = []  # (seconds, pages, PSS, RSS)
        shown = 0.0
        print(f"memory of an organwatch crawl of {args.pages} generated pages (the crawl's process tree: "
              "crawl, evidence writer, fork server, readers)")
        print(f"  {'seconds':>8} {'pages':>8} {'PSS MB':>8} {'RSS MB':>8}")
        while proc.poll() is None:
            time.sleep(1)
            now = time.monotonic() - started
            pss, rss = memory_mb(proc.pid)
            if rss:
                samples.append((now, captures(db), pss, rss))
            if now - shown >= args.every and samples:
                print("  {:8.0f} {:8d} {:8.0f} {:8.0f}".format(*samples[-1]), flush=True)
                shown = now
        pages = captures(db)
    if not samples:
        sys.exit(f"the crawl exited at once (exit {proc.returncode})")
    peak, peak_rss = max(s[2] for s in samples), max(s[3] for s in samples)
    # flat or growing: the highest PSS in the first and in the last fifth of the run
    fifth = max(1, len(samples) // 5)
    early, late = max(s[2] for s in samples[:fifth]), max(s[2] for s in samples[-fifth:])
    print(f"  peak PSS {peak:.0f} MB for {pages} pages (target <= 1024 MB), peak RSS summed {peak_rss:.0f} MB; "
          f"exit {proc.returncode}")
    print(f"  highest PSS in the first fifth of the run {early:.0f} MB, in the last fifth {late:.0f} MB: "
          f"growth {late - early:+.0f} MB")

if __name__ == "__main__":
    main()
