from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from crawler.sampleweb.server import SampleWeb

FIXTURES = Path(__file__).parent / "fixtures"

# The language model's cached arrays (nlp/language.py, cache_path) in a folder of the session's
# own, which the crawls the tests run inherit: no test reads what an older build left in ~/.cache.
os.environ["ORGANWATCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="organwatch-test-cache-")
atexit.register(shutil.rmtree, os.environ["ORGANWATCH_CACHE_DIR"], ignore_errors=True)

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False"]


@pytest.fixture(scope="session")
def fixture_web():
    """Two small sites (alpha, beta) on loopback, with cross links and legacy encodings."""
    with SampleWeb(FIXTURES / "web") as web:
        yield web


def organwatch(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the organwatch command as a user would, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def crawled_db(tmp_path_factory, fixture_web):
    """The fixture web crawled once into a database (tests read it, never write)."""
    folder = tmp_path_factory.mktemp("crawl")
    db = folder / "organwatch.db"
    result = organwatch(
        "crawl", *fixture_web.seeds(), "--db", str(db), "--warc-dir", str(folder / "warc"), "--allow-private", *FAST
    )
    assert result.returncode == 0, result.stderr
    return db


REVIEWER, REVIEWER_PASSWORD = "alice", "correct horse battery staple"


@pytest.fixture(scope="session")
def accounts_env():
    """A reviewer account in the environment, its hash made now (no password is stored anywhere)."""
    from datasette_auth_passwords.utils import hash_password

    env = {"ORGANWATCH_ACCOUNTS": f"{REVIEWER}:reviewer",
           f"ORGANWATCH_PASSWORD_HASH_{REVIEWER.upper()}": hash_password(REVIEWER_PASSWORD)}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        yield env


def reviewer_cookies(ds) -> dict:
    return {"ds_actor": ds.sign({"a": {"id": REVIEWER}}, "actor")}
