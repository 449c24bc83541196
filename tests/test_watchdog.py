"""--watchdog fails a run that stops making progress (a server that accepts and never answers)."""

import socket
import sqlite3
import threading
import time

from tests.conftest import FAST, organwatch


def test_stalled_crawl_is_stopped_and_fails(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # never answer
            except (TimeoutError, OSError):
                pass

    threading.Thread(target=accept, daemon=True).start()
    db = tmp_path / "w.db"
    started = time.monotonic()
    try:
        result = organwatch(
            "crawl", f"http://127.0.0.1:{port}/", "--db", str(db), "--allow-private", *FAST,
            "-s", "DOWNLOAD_TIMEOUT=600", "-s", "ORGANWATCH_WATCHDOG_GRACE=3", "--watchdog", "0.05", timeout=120,
        )
    finally:
        stop.set()
        time.sleep(0.3)
        for conn in held:
            conn.close()
        listener.close()
    assert result.returncode == 1
    assert "watchdog: no progress" in result.stderr
    assert f"in flight: http://127.0.0.1:{port}/" in result.stderr
    assert time.monotonic() - started < 60
    conn = sqlite3.connect(db)
    assert conn.execute("select status from crawls").fetchall() == [("watchdog",)]
    conn.close()


def test_watchdog_must_be_positive(tmp_path):
    result = organwatch("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "x.db"), "--watchdog", "0")
    assert result.returncode == 2 and "--watchdog 0" in result.stderr
