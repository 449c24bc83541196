import sqlite3

from crawler.store import Store, migrations


def capture(url, at, **kw):
    return {"url": url, "final_url": url, "fetched_at": at, "status": 200, **kw}


def page(url, **kw):
    return {"url": url, "domain": "a.example", "title": "t", "text": "hello", "flagged": 0, "risk": 3, **kw}


def test_recrawl_keeps_first_seen_moves_last_seen_adds_captures(tmp_path):
    store = Store(tmp_path / "s.db")
    crawl = store.start_crawl(["https://a.example/"], {}, "test")
    store.record({**capture("https://a.example/", "2026-01-01T00:00:00Z"), "crawl_id": crawl}, page("https://a.example/"))
    store.record(
        {**capture("https://a.example/", "2026-02-01T00:00:00Z"), "crawl_id": crawl},
        page("https://a.example/", title="new title", flagged=1, risk=90),
        [{"kind": "phone", "value": "+92 300 1234567", "normalized": "+923001234567", "start": 0, "end": 15}],
    )
    rows = list(store.db.query("select * from pages"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["first_seen"], row["last_seen"], row["title"], row["flagged"]) == (
        "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "new title", 1,
    )
    assert store.db["captures"].count == 2
    assert row["last_capture_id"] == max(r["id"] for r in store.db["captures"].rows)
    assert [r["page_id"] for r in store.db["indicators"].rows] == [row["id"]]


def test_failed_fetch_of_known_page_links_to_it(tmp_path):
    store = Store(tmp_path / "s.db")
    store.record(capture("https://a.example/", "2026-01-01T00:00:00Z"), page("https://a.example/"))
    store.record({**capture("https://a.example/", "2026-01-02T00:00:00Z"), "status": 404, "error": "HTTP 404"})
    assert {r["page_id"] for r in store.db["captures"].rows} == {1}


def test_migrations_apply_once_and_reopen_keeps_data(tmp_path):
    path = tmp_path / "s.db"
    Store(path).record(capture("https://a.example/", "2026-01-01T00:00:00Z"), page("https://a.example/"))
    store = Store(path)
    assert store.db["pages"].count == 1
    assert [m.name for m in migrations.applied(store.db)] == [m.name for m in migrations._migrations]
    assert sqlite3.connect(path).execute("pragma journal_mode").fetchone()[0] == "wal"


def test_full_text_search_finds_page_text(tmp_path):
    store = Store(tmp_path / "s.db")
    store.record(capture("https://a.example/", "2026-01-01T00:00:00Z"), page("https://a.example/", text="riñón en venta"))
    assert [r["url"] for r in store.db["pages"].search("venta")] == ["https://a.example/"]


def test_full_text_index_follows_changed_text_only(tmp_path):
    store = Store(tmp_path / "s.db")
    url = "https://a.example/"
    store.record(capture(url, "2026-01-01T00:00:00Z"), page(url, text="riñón en venta"))
    store.record(capture(url, "2026-01-02T00:00:00Z"), page(url, text="hígado en venta"))
    assert [r["url"] for r in store.db["pages"].search("hígado")] == [url]
    assert list(store.db["pages"].search("riñón")) == []
    store.db.execute("update pages set live = 0")  # no full-text work, and the index stays whole
    assert store.db.execute("select count(*) from pages_fts").fetchone() == (1,)
    assert store.db.execute("insert into pages_fts(pages_fts) values ('integrity-check')")


def test_stores_opened_at_once_on_a_new_file_migrate_it_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "new.db"

    def open_and_count(_):
        store = Store(path)  # each thread its own connection, as a crawl's workers and ingester
        try:
            return len(migrations.applied(store.db))
        finally:
            store.close()

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(open_and_count, range(4))) == [len(migrations._migrations)] * 4
