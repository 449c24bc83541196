"""The custody log: append-only, hash-chained, and verify-log finds any edited or removed row."""

import hashlib
import sqlite3

import pytest

from crawler import custody
from crawler.cli import main
from crawler.store import Store


@pytest.fixture
def log(tmp_path):
    store = Store(tmp_path / "c.db")
    for i in range(4):
        custody.append(store.db, "export", f"bundle:{i}", "ab" * 32, {"n": i}, actor="tester")
    store.close()
    return tmp_path / "c.db"


def test_unbroken_chain_verifies(log, capsys):
    assert main(["verify-log", "--db", str(log)]) == 0
    assert "4 entries" in capsys.readouterr().out


@pytest.mark.parametrize("sql", ["update custody set actor = 'x' where id = 2", "delete from custody where id = 2"])
def test_triggers_refuse_changes(log, sql):
    with sqlite3.connect(log) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(sql)
    conn.close()


@pytest.mark.parametrize("sql, message", [
    ("update custody set subject = 'bundle:other' where id = 2", "custody row 2: content does not match"),
    ("delete from custody where id = 3", "custody row 3: missing"),
])
def test_edit_around_the_triggers_is_detected(log, capsys, sql, message):
    with sqlite3.connect(log) as conn:
        conn.execute("drop trigger custody_no_update")
        conn.execute("drop trigger custody_no_delete")
        conn.execute(sql)
    conn.close()
    assert main(["verify-log", "--db", str(log)]) == 1
    assert capsys.readouterr().err.splitlines()[0].startswith(f"FAIL {message}")


def test_removed_newest_rows_are_caught_with_a_kept_head(log, capsys):
    store = Store(log)
    head = custody.head(store.db)
    store.close()
    with sqlite3.connect(log) as conn:
        conn.execute("drop trigger custody_no_delete")
        conn.execute("delete from custody where id = 4")
    conn.close()
    assert main(["verify-log", "--db", str(log), "--head", head]) == 1
    assert f"head {head}: not in the chain" in capsys.readouterr().err


def test_crawl_logs_each_warc_file_with_its_hash(crawled_db):
    conn = sqlite3.connect(crawled_db)
    rows = conn.execute("select action, detail ->> '$.file', sha256 from custody").fetchall()
    conn.close()
    assert rows and all(action == "capture" for action, _, _ in rows)
    for _, path, sha in rows:
        with open(path, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == sha
