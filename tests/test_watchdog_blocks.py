"""The stall watchdog and the per-host report of 403, 429 and CAPTCHA-like answers, against a
loopback server that refuses, challenges, or never answers."""

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.blocks import CAPTCHA, block_kind
from tests.conftest import FAST, organwatch

PAGES = {
    "/": (200, b'<html><body><a href="/refused">a</a> <a href="/busy">b</a> <a href="/challenge">c</a></body></html>'),
    "/refused": (403, b"<html><body>Forbidden</body></html>"),
    "/busy": (429, b"<html><body>Too many requests</body></html>"),
    "/challenge": (200, b'<html><head><title>Just a moment...</title></head><body><div class="g-recaptcha"></div></body></html>'),
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/hang":
            self.server.release.wait(60)
            return
        status, body = PAGES[self.path]
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.release = threading.Event()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


def test_refusals_and_challenges_are_reported_per_host(tmp_path, server):
    db = tmp_path / "b.db"
    result = organwatch("crawl", server + "/", "--db", str(db), "--allow-private", *FAST, timeout=120)
    con = sqlite3.connect(db)
    blocked = dict(con.execute("select url, blocked from captures"))
    assert blocked == {server + "/": None, server + "/refused": "403", server + "/busy": "429", server + "/challenge": "captcha"}
    (stats,) = con.execute("select stats from crawls").fetchone()
    assert json.loads(stats)["organwatch/blocked_hosts"] == {server.removeprefix("http://"): {"403": 1, "429": 1, "captcha": 1}}
    assert "refused or challenged us" in result.stderr


@pytest.mark.parametrize("status, body, kind", [
    (200, b"<p>kidney transplant</p>", None),
    (503, b"<script src='https://challenges.cloudflare.com/turnstile/v0/api.js'></script>", "captcha"),
    (403, b"", "403"),
])
def test_block_kind(status, body, kind):
    assert block_kind(status, body) == kind


@pytest.mark.parametrize("marker", [
    b"<div class='g-recaptcha'>", b"https://www.google.com/recaptcha/api.js", b"<div class='h-captcha'>",
    b"js.hcaptcha.com", b"<form id='cf-challenge-form'>", b"challenges.cloudflare.com", b"<div class='cf-turnstile'>",
    b"<title>Just a moment...</title>", b"<TITLE> Attention Required! | Cloudflare</TITLE>",
    b"<title>Access Denied</title>", b"<title>Are you a robot?</title>", b"geo.captcha-delivery.com",
    b"<div id='px-captcha'>", b"Please verify you are a human", b"Verify you are human", b"Solve the CAPTCHA below",
    b"Enter the characters you see below",
])
def test_each_kind_of_challenge_passes_the_needles_and_is_found(marker):
    """block_kind runs its pattern only on bodies holding one of NEEDLES: one example of each of
    the pattern's alternatives, found both ways."""
    assert CAPTCHA.search(marker.lower())
    assert block_kind(200, b"<html><body>" + marker + b"</body></html>") == "captcha"
