"""Datasette as reviewers meet it (signed in), through datasette.client against a crawled database.
The anonymous, redacted side is tested in test_review.py."""

import asyncio

import pytest
import yaml

from crawler.serve import METADATA, make_datasette
from crawler.store import Store
from tests.conftest import reviewer_cookies


def get(ds, path):
    return asyncio.run(ds.client.get(path, cookies=reviewer_cookies(ds)))


@pytest.fixture(scope="module")
def ds(crawled_db, accounts_env):
    return make_datasette(crawled_db)


def test_pages_facets(ds):
    data = get(ds, "/organwatch/pages.json?_extra=facet_results").json()
    facets = set(data["facet_results"]["results"]) if "results" in data["facet_results"] else set(data["facet_results"])
    assert {"flagged", "lang", "domain", "destinations", "organs"} <= facets


def test_stored_query_lists_flagged_page(ds, fixture_web):
    rows = get(ds, "/organwatch/flagged.json?_shape=objects").json()["rows"]
    assert fixture_web.bases["alpha"] + "/posts/kidney.html" in {r["url"] for r in rows}
    risks = [r["risk"] for r in rows]
    assert risks == sorted(risks, reverse=True)


def test_table_descriptions_on_pages(ds):
    html = get(ds, "/organwatch/pages").text
    assert "One row per canonical URL, with its latest analysis." in html


def test_full_text_search(ds, fixture_web):
    rows = get(ds, "/organwatch/pages.json?_search=trafficking&_shape=objects").json()["rows"]
    assert [r["url"] for r in rows] == [fixture_web.bases["alpha"] + "/posts/news.html"]


def test_every_table_and_column_is_described(tmp_path):
    store = Store(tmp_path / "schema.db")
    tables = yaml.safe_load(METADATA.read_text())["databases"]["organwatch"]["tables"]
    for name in store.db.table_names():
        if name.startswith("_") or "_fts" in name:  # FTS index tables
            continue
        assert tables.get(name, {}).get("description"), f"table {name} has no description"
        missing = set(store.db[name].columns_dict) - set(tables[name].get("columns", {}))
        assert not missing, f"{name}: columns without description: {missing}"
