"""`scrapyd-deploy` from deploy/scrapyd to a real scrapyd on loopback, then a scheduled crawl."""

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

DEPLOY = Path(__file__).parent.parent / "deploy" / "scrapyd"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, path, data=None):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data else None
    with urllib.request.urlopen(base + path, data=body, timeout=10) as r:
        return json.loads(r.read())


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\nmax_proc = 1\n"
        f"eggs_dir = {tmp_path}/eggs\nlogs_dir = {tmp_path}/logs\ndbs_dir = {tmp_path}/dbs\nitems_dir =\n"
    )
    log = open(tmp_path / "scrapyd.log", "w")
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(base, "/daemonstatus.json")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("scrapyd did not start: " + (tmp_path / "scrapyd.log").read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_deploy_and_schedule_a_crawl(scrapyd, tmp_path, fixture_web):
    project = tmp_path / "deploy"
    shutil.copytree(DEPLOY, project, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    cfg = project / "scrapy.cfg"
    cfg.write_text(cfg.read_text().replace("http://localhost:6800/", scrapyd + "/"))
    deployed = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=project, capture_output=True, text=True, timeout=120)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert call(scrapyd, "/listspiders.json?project=organwatch")["spiders"] == ["watch"]
    db = tmp_path / "scheduled.db"
    settings = [f"ORGANWATCH_DB={db}", f"ORGANWATCH_WARC_DIR={tmp_path / 'warc'}", "ORGANWATCH_ALLOW_PRIVATE=True",
                "ORGANWATCH_MAX_DEPTH=0", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "ROBOTSTXT_OBEY=False"]
    job = call(scrapyd, "/schedule.json", {"project": "organwatch", "spider": "watch", "urls": fixture_web.seeds()[1],
                                           "setting": settings})
    assert job["status"] == "ok", job
    for _ in range(300):
        jobs = call(scrapyd, "/listjobs.json?project=organwatch")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the scheduled job did not finish")
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*), min(status) from crawls").fetchone() == (1, "finished")
    assert conn.execute("select count(*) from pages").fetchone() == (1,)
    conn.close()
