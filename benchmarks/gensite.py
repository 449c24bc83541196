"""A generated local site for the throughput and memory benchmarks: pages /p/0 ... /p/{N-1},
each a few KB of varied text (about one page in fifty reads like a transplant package ad, or one
in `ad_every`; every page with `ad_every=1`), linking
to its ten children (10n+1 ... 10n+10, so every page is reachable from /p/0 within log10 N hops),
its parent and a few pseudo-random pages. Served on 127.0.0.1 from a separate process, so the
server's CPU is not counted in the crawler's process."""

from __future__ import annotations

import multiprocessing
import random
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = (
    "health clinic patient doctor treatment hospital care family city news weather travel garden recipe "
    "school market community report season budget council sport match festival music history museum "
    "library water energy road transport housing service policy research study science data"
).split()
AD = (
    "Kidney transplant package in {city}: all inclusive price ${price},000, donor arranged within "
    "2 weeks, visa and airport pick-up included. WhatsApp +92 300 {phone} for a quote."
)
CITIES = ["Istanbul", "Cairo", "Manila", "Lahore", "Tehran", "Dhaka"]


def page(n: int, total: int, ad_every: int = 50) -> bytes:
    rng = random.Random(n)
    paragraphs = []
    for _ in range(rng.randint(4, 8)):
        paragraphs.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))).capitalize() + ".")
    if n % ad_every == 7 % ad_every:
        paragraphs.insert(1, AD.format(city=rng.choice(CITIES), price=rng.randint(20, 90), phone=rng.randint(1000000, 9999999)))
    links = [c for c in range(10 * n + 1, 10 * n + 11) if c < total]
    links += [(n - 1) // 10] if n else []
    links += [rng.randrange(total) for _ in range(3)]
    anchors = "".join(f'<li><a href="/p/{k}">{rng.choice(WORDS)} {k}</a></li>' for k in links)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Page {n}: {rng.choice(WORDS)}</title></head>"
        f"<body><nav><ul>{anchors}</ul></nav><main><h1>Page {n}</h1>{body}</main></body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    total = 0
    ad_every = 50

    def log_message(self, *args):
        pass

    def do_GET(self):
        try:
            n = int(self.path.removeprefix("/p/")) if self.path.startswith("/p/") else -1
        except ValueError:
            n = -1
        if not 0 <= n < self.total:
            self.send_error(404)
            return
        body = page(n, self.total, self.ad_every)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(total: int, ad_every: int, ready) -> None:
    _Handler.total, _Handler.ad_every = total, ad_every
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    ready.send(server.server_address[1])
    server.serve_forever()


class GeneratedSite:
    """`with GeneratedSite(pages) as site: site.seed` is http://127.0.0.1:PORT/p/0."""

    def __init__(self, pages: int, ad_every: int = 50):
        self.pages = pages
        self.ad_every = ad_every
        self.process = None
        self.seed = ""

    def __enter__(self) -> GeneratedSite:
        ours, theirs = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve, args=(self.pages, self.ad_every, theirs), daemon=True)
        self.process.start()
        self.seed = f"http://127.0.0.1:{ours.recv()}/p/0"
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.join()
