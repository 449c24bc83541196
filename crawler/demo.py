"""`organwatch demo`: serve the sample web on 127.0.0.1, crawl it into a fresh database, and
serve the results in Datasette: the whole product, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.sampleweb.server import SampleWeb
from crawler.serve import serve

DEMO_SETTINGS = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


def run_demo(db: str = "data/demo.db", port: int = 8001, serve_after: bool = True) -> int:
    db_path = Path(db)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    with SampleWeb() as web:
        print(f"organwatch demo: sample web of {len(web.bases)} sites on 127.0.0.1", file=sys.stderr)
        for name, base in web.bases.items():
            print(f"  {base}/  {name}", file=sys.stderr)
        command = [sys.executable, "-m", "crawler.cli", "crawl", *web.seeds(), "--db", str(db_path),
                   "--allow-private", "--depth", "6"]
        for setting in DEMO_SETTINGS:
            command += ["-s", setting]
        code = subprocess.call(command)
        if code != 0:
            print(f"organwatch demo: the crawl failed (exit {code})", file=sys.stderr)
            return code
        print(f"organwatch demo: results in {db_path}", file=sys.stderr)
        if serve_after:
            return serve(db_path, port=port)
    return 0
