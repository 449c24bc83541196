"""A loopback site of crawler traps, the way hostile or broken sites behave in the wild.

Serves on 127.0.0.2 (so the private-address guard can allow exactly it) and keeps an "internal"
service on 127.0.0.1 that a redirect points to and that must never be requested.

    with HostileWeb() as web:
        web.base          # http://127.0.0.2:PORT
        web.internal_hits # paths the internal service was asked for (must stay empty)
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MB = 1024 * 1024
HUGE_BYTES = 50 * MB
BOMB_BYTES = 512 * MB  # what the gzip bomb inflates to
DRIP_SECONDS = 60  # the slow-drip answer sends one byte every half second for this long

TRAPS = {
    # path on the index: the problem the crawl must record for it
    "/calendar/2024/01": "trap",
    "/loop/a": "redirect_loop",
    "/redirect/1": "redirect_loop",
    "/huge": "too_large",
    "/huge-stream": "too_large",
    "/bomb": "decompression_bomb",
    "/drip": "timeout",
    "/charset/missing": "charset_missing",
    "/charset/latin1-but-utf8": "charset_wrong",
    "/charset/utf8-but-cp1251": "charset_wrong",
    "/binary": "binary_as_html",
    "/broken": "broken_html",
    "/busy": "rate_limited",
    "/busy-forever": "rate_limited",
    "/private/secret.html": "robots_disallowed",
    "/go-internal": "private_address",
}

RUSSIAN = "Трансплантация почки за рубежом: цены и сроки. Новости клиники."


def _page(title: str, body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}<title>{title}</title></head><body>{body}</body></html>"


def _gzip_bomb(size: int) -> bytes:
    z = zlib.compressobj(1, zlib.DEFLATED, 31)  # gzip container
    chunk = b"\0" * MB
    parts = [z.compress(b"<html><body>")]
    parts += [z.compress(chunk) for _ in range(size // MB)]
    parts.append(z.flush())
    return b"".join(parts)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    web: HostileWeb

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", headers=()):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the crawler hung up (on the bomb, as it should)
            self.close_connection = True

    def _redirect(self, location: str):
        self._send(302, b"", headers=[("Location", location)])

    def do_GET(self):  # noqa: C901  (one branch per trap reads best here)
        path = self.path.split("?", 1)[0]
        self.web.hits.append(self.path)
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/":
            links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in TRAPS)
            return self._send(200, _page("Hostile site", f"<h1>Traps</h1><ul>{links}</ul>").encode())
        if m := re.fullmatch(r"/calendar/(\d+)/(\d+)(?:/(\d+))?", path):
            year, month = int(m[1]), int(m[2])
            prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
            next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
            days = "".join(f'<a href="/calendar/{year}/{month:02d}/{d:02d}">{d}</a> ' for d in range(1, 29))
            body = (
                f'<a href="/calendar/{prev_y}/{prev_m:02d}">previous month</a> '
                f'<a href="/calendar/{next_y}/{next_m:02d}">next month</a><p>{days}</p>'
            )
            return self._send(200, _page(f"Events {year}-{month:02d}", body).encode())
        if path == "/loop/a":
            return self._redirect("/loop/b")
        if path == "/loop/b":
            return self._redirect("/loop/a")
        if m := re.fullmatch(r"/redirect/(\d+)", path):
            return self._redirect(f"/redirect/{int(m[1]) + 1}")
        if path == "/huge":
            return self._stream(HUGE_BYTES, with_length=True)
        if path == "/huge-stream":
            return self._stream(HUGE_BYTES, with_length=False)
        if path == "/bomb":
            return self._send(200, self.web.bomb, headers=[("Content-Encoding", "gzip")])
        if path == "/drip":
            return self._drip()
        if path == "/charset/missing":
            body = _page("Без кодировки", f"<p>{RUSSIAN}</p>").encode("utf-8")
            return self._send(200, body, "text/html")
        if path == "/charset/latin1-but-utf8":
            body = _page("Неверная кодировка", f"<p>{RUSSIAN}</p>").encode("utf-8")
            return self._send(200, body, "text/html; charset=iso-8859-1")
        if path == "/charset/utf8-but-cp1251":
            body = _page("Кодировка cp1251", f"<p>{RUSSIAN} {RUSSIAN}</p>").encode("cp1251")
            return self._send(200, body, "text/html; charset=utf-8")
        if path == "/binary":
            png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
            return self._send(200, png, "text/html")
        if path == "/broken":
            nested = "<div>" * 5000 + "deep" + "</span>" * 10
            body = (
                "<html><head><title>Broken markup</title><body><p>Unclosed <b>bold <i>italic"
                "<table><tr><td>cell<td>cell</table></table></html></body>"
                "<p>Text after the end \x00 with a NUL</p><scr<script>ipt>alert(1)</script>" + nested
            )
            return self._send(200, body.encode("utf-8"))
        if path == "/busy":
            if self.web.busy_answered:
                return self._send(200, _page("Busy, then fine", "<p>Served after waiting.</p>").encode())
            self.web.busy_answered = True
            return self._send(429, b"slow down", "text/plain", headers=[("Retry-After", "1")])
        if path == "/busy-forever":
            return self._send(429, b"slow down", "text/plain", headers=[("Retry-After", "86400")])
        if path == "/private/secret.html":
            return self._send(200, _page("Disallowed", "<p>robots.txt says no</p>").encode())
        if path == "/go-internal":
            return self._redirect(f"{self.web.internal_base}/admin")
        return self._send(404, b"not found", "text/plain")

    def _stream(self, size: int, with_length: bool):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if with_length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        try:
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
        except OSError:  # the crawler hung up, as it should
            pass

    def _drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        try:
            for _ in range(DRIP_SECONDS * 2):
                if self.web.stopping.is_set():
                    return
                self.wfile.write(b"<")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass


class _Internal(BaseHTTPRequestHandler):
    web: HostileWeb

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.web.internal_hits.append(self.path)
        body = b"<html><title>internal admin</title><body>secret</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HostileWeb:
    def __init__(self, host: str = "127.0.0.2", internal_host: str = "127.0.0.1"):
        self.host, self.internal_host = host, internal_host
        self.hits: list[str] = []
        self.internal_hits: list[str] = []
        self.busy_answered = False
        self.stopping = threading.Event()
        self.bomb = _gzip_bomb(BOMB_BYTES)
        self.servers: list[ThreadingHTTPServer] = []

    def _serve(self, host: str, handler) -> str:
        handler = type(handler.__name__, (handler,), {"web": self})
        server = ThreadingHTTPServer((host, 0), handler)
        server.daemon_threads = True
        self.servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://{host}:{server.server_address[1]}"

    def __enter__(self) -> HostileWeb:
        self.base = self._serve(self.host, _Handler)
        self.internal_base = self._serve(self.internal_host, _Internal)
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for server in self.servers:
            server.shutdown()
            server.server_close()
