"""The private-address guard, on a real crawl: a site on 127.0.0.2 (explicitly allowed) redirects
to a service on 127.0.0.1, which must never be requested."""

import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import FAST, organwatch


class Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []
    target = ""

    def log_message(self, *args):
        pass

    def do_GET(self):
        Recorder.hits.append(f"{self.server.server_address[0]}{self.path}")
        if self.path == "/go":
            self.send_response(302)
            self.send_header("Location", Recorder.target)
            self.end_headers()
            return
        body = b"<html><title>internal</title><body>secret admin page</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def servers():
    internal = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    outside = ThreadingHTTPServer(("127.0.0.2", 0), Recorder)
    for s in (internal, outside):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    Recorder.hits = []
    Recorder.target = f"http://127.0.0.1:{internal.server_address[1]}/secret"
    yield f"http://127.0.0.2:{outside.server_address[1]}/go"
    for s in (internal, outside):
        s.shutdown()
        s.server_close()


def crawl(url, db, *extra):
    return organwatch("crawl", url, "--db", str(db), *FAST, "-s", "ORGANWATCH_ALLOWED_NETWORKS=127.0.0.2/32", *extra)


def test_redirect_to_loopback_is_refused(servers, tmp_path):
    db = tmp_path / "g.db"
    result = crawl(servers, db)
    assert result.returncode == 0, result.stderr
    assert not any(h.startswith("127.0.0.1") for h in Recorder.hits), Recorder.hits
    errors = [r[0] for r in sqlite3.connect(db).execute("select error from captures")]
    assert any("non-public address (127.0.0.1)" in (e or "") for e in errors), errors
    assert sqlite3.connect(db).execute("select count(*) from pages").fetchone()[0] == 0


def test_allow_private_follows_the_redirect(servers, tmp_path):
    db = tmp_path / "g.db"
    result = crawl(servers, db, "--allow-private")
    assert result.returncode == 0, result.stderr
    assert any(h.startswith("127.0.0.1") for h in Recorder.hits)
    titles = [r[0] for r in sqlite3.connect(db).execute("select title from pages")]
    assert titles == ["internal"]
