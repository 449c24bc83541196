"""Serve the bundled sample web (sites/<name>/...) on 127.0.0.1: one port per site, with
`{{site:NAME}}` in pages replaced by that site's address so sites link to each other."""

from __future__ import annotations

import re
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITES_DIR = Path(__file__).parent / "sites"
_PLACEHOLDER = re.compile(rb"\{\{site:([a-z0-9-]+)\}\}")
_TYPES = {".html": "text/html", ".txt": "text/plain", ".css": "text/css", ".js": "application/javascript",
          ".json": "application/json", ".xml": "application/xml", ".pdf": "application/pdf", ".png": "image/png"}


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, *args, root: Path, bases: dict[str, str], **kwargs):
        self.root = root
        self.bases = bases
        super().__init__(*args, **kwargs)

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.endswith("/"):
            path += "index.html"
        target = (self.root / path.lstrip("/")).resolve()
        if self.root not in target.parents or not target.is_file():
            self.send_error(404)
            return
        body = target.read_bytes()
        if target.suffix == ".html":
            body = _PLACEHOLDER.sub(lambda m: self.bases.get(m.group(1).decode(), "http://127.0.0.1:9").encode(), body)
        self.send_response(200)
        self.send_header("Content-Type", _TYPES.get(target.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class SampleWeb:
    """Context manager: `with SampleWeb() as web: web.bases` maps site name -> base URL."""

    def __init__(self, sites_dir: Path = SITES_DIR, host: str = "127.0.0.1"):
        self.sites_dir = Path(sites_dir)
        self.host = host
        self.servers: list[ThreadingHTTPServer] = []
        self.bases: dict[str, str] = {}

    def sites(self) -> list[str]:
        return sorted(p.name for p in self.sites_dir.iterdir() if p.is_dir())

    def start(self) -> SampleWeb:
        for name in self.sites():
            handler = partial(_Handler, root=(self.sites_dir / name).resolve(), bases=self.bases)
            server = ThreadingHTTPServer((self.host, 0), handler)
            server.daemon_threads = True
            self.servers.append(server)
            self.bases[name] = f"http://{self.host}:{server.server_address[1]}"
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        self.servers.clear()

    def seeds(self) -> list[str]:
        return [base + "/" for base in self.bases.values()]

    def __enter__(self) -> SampleWeb:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
