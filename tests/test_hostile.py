"""The hostile web suite: one real crawl of a loopback site full of traps (tests/hostile_web.py).
The crawl must end by itself within its budgets, name every problem in captures and in the
crawl's stats, never touch the internal service, and stay within bounded memory."""

import json
import sqlite3

import pytest

from tests.conftest import organwatch
from tests.hostile_web import BOMB_BYTES, HUGE_BYTES, TRAPS, HostileWeb

PATTERN_CAP = 10
MEMORY_LIMIT = 600 * 1024 * 1024  # the gzip bomb alone inflates to 512 MB


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "hostile.db"
    with HostileWeb() as web:
        result = organwatch(
            "crawl", web.base + "/", "--db", str(db), "--warc-dir", str(folder / "warc"),
            "-s", "ORGANWATCH_ALLOWED_NETWORKS=127.0.0.2/32", "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=1",
            "-s", f"ORGANWATCH_TRAP_PATTERN_CAP={PATTERN_CAP}", "--max-pages", "500",
            timeout=240,
        )
        internal_hits = list(web.internal_hits)
    con = sqlite3.connect(db)
    yield {"result": result, "db": con, "base": web.base, "internal_hits": internal_hits}
    con.close()


def test_crawl_finishes_by_itself(hostile):
    assert hostile["result"].returncode == 0, hostile["result"].stderr
    (status,) = hostile["db"].execute("select status from crawls").fetchone()
    assert status == "finished"


@pytest.mark.parametrize("path,problem", sorted(TRAPS.items()))
def test_each_trap_is_recorded_in_captures(hostile, path, problem):
    found = {
        p for (p,) in hostile["db"].execute("select problem from captures where url = ?", [hostile["base"] + path])
    }
    assert problem in found, f"{path}: {found}"


def test_each_problem_is_counted_in_crawl_stats(hostile):
    stats = json.loads(hostile["db"].execute("select stats from crawls").fetchone()[0])
    counted = {k.removeprefix("organwatch/problems/") for k in stats if k.startswith("organwatch/problems/")}
    assert set(TRAPS.values()) <= counted


def test_calendar_stops_at_the_pattern_cap(hostile):
    (days,) = hostile["db"].execute(
        "select count(*) from captures where url glob '*/calendar/[0-9]*/[0-9]*/[0-9]*'"
    ).fetchone()
    assert days == PATTERN_CAP


def test_internal_service_is_never_requested(hostile):
    assert hostile["internal_hits"] == []


def test_memory_stays_bounded(hostile):
    stats = json.loads(hostile["db"].execute("select stats from crawls").fetchone()[0])
    assert BOMB_BYTES > MEMORY_LIMIT / 2 and HUGE_BYTES < BOMB_BYTES
    assert stats["memusage/max"] < MEMORY_LIMIT
    assert 0 < stats["organwatch/reader_memory_max"] < MEMORY_LIMIT  # the processes that read the pages
    assert 0 <= stats["organwatch/readers_wait_seconds"] < 60  # the first pages' wait for the readers' preload


@pytest.mark.parametrize("path", ["/charset/missing", "/charset/latin1-but-utf8", "/charset/utf8-but-cp1251"])
def test_wrong_and_missing_charsets_are_decoded_right(hostile, path):
    (text,) = hostile["db"].execute("select text from pages where url = ?", [hostile["base"] + path]).fetchone()
    assert "Трансплантация почки за рубежом" in text


def test_binary_served_as_html_is_not_analysed(hostile):
    (page_id, skipped), = hostile["db"].execute(
        "select page_id, skipped from captures where url = ?", [hostile["base"] + "/binary"]
    ).fetchall()
    assert (page_id, skipped) == (None, "PNG image served as text/html")


def test_broken_html_still_lands_as_a_page(hostile):
    (title,) = hostile["db"].execute("select title from pages where url = ?", [hostile["base"] + "/broken"]).fetchone()
    assert title == "Broken markup"
