"""An unseen crawl: a site made up now with random contacts, crawled by `organwatch crawl`, served
by `organwatch serve` on loopback, and every anonymous door searched over HTTP for the planted values."""

import json
import os
import random
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request

from crawler.sampleweb.server import SampleWeb
from tests.conftest import FAST, organwatch
from tests.doors import door_paths, leaks, visit

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/call-{digits}.html">Call us</a> <a href="/offer.html">Offer</a></nav>
<h1>{title}</h1><p>{body}</p></body></html>"""


def planted(rng: random.Random) -> dict:
    word = lambda n: "".join(rng.choices(string.ascii_lowercase, k=n))  # noqa: E731
    mobile = f"3{rng.randint(0, 4)}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}"
    return {"phone": f"+92 {mobile[:3]} {mobile[3:]}", "e164": "+92" + mobile, "local": "0" + mobile,
            "email": f"{word(7)}.{word(4)}@{word(8)}.example", "telegram": word(6) + str(rng.randint(10, 99)),
            "wechat": f"{word(5)}_{rng.randint(100, 999)}", "url_digits": f"92{rng.randint(3000000000, 3499999999)}"}


def write_site(root, c):
    site = root / "broker"
    site.mkdir(parents=True)
    offer = (f"Kidney for sale, donor available, blood group O+, healthy. Transplant in India within 2 weeks, "
             f"USD 40,000 all inclusive. WhatsApp {c['phone']}, Telegram @{c['telegram']}, WeChat ID: {c['wechat']}, "
             f"e-mail {c['email']}.")
    (site / "index.html").write_text(PAGE.format(title=f"Kidney donors {c['local']}", digits=c["url_digits"], body=offer))
    (site / "offer.html").write_text(PAGE.format(title="Offer", digits=c["url_digits"], body=offer.upper()))
    (site / f"call-{c['url_digits']}.html").write_text(
        PAGE.format(title="Call", digits=c["url_digits"], body=f"Call {c['e164']} or write {c['email']}"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch_from(base):
    def fetch(path):
        try:
            with urllib.request.urlopen(base + path, timeout=30) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
            e.close()
            return e.code, body
    return fetch


def test_unseen_crawl_served_leaks_no_planted_contact(tmp_path, accounts_env):
    contacts = planted(random.Random(os.getpid() ^ time.time_ns()))
    write_site(tmp_path / "web", contacts)
    db = tmp_path / "organwatch.db"
    with SampleWeb(tmp_path / "web") as web:
        result = organwatch("crawl", *web.seeds(), "--db", str(db), "--warc-dir", str(tmp_path / "warc"),
                            "--allow-private", *FAST)
    assert result.returncode == 0, result.stderr
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        fetch = fetch_from(f"http://127.0.0.1:{port}")
        for _ in range(300):
            try:
                if fetch("/-/versions.json")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        responses = visit(fetch, door_paths(db, "organwatch", ["kidney", contacts["telegram"][:4]]), limit=800)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    secrets = [contacts[k] for k in ("e164", "local", "email", "telegram", "wechat", "url_digits")]
    secrets += [contacts["phone"], contacts["e164"][3:], contacts["email"].split("@")[0]]
    assert sum(status == 200 for status, _ in responses.values()) > 50
    assert leaks(responses, secrets) == []
    public_text = " ".join(r["text"] for r in json.loads(responses["/organwatch/public_pages.json?_shape=array"][1]))
    assert f"WhatsApp +92•••{contacts['e164'][-2:]}" in public_text
