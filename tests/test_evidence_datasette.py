"""Datasette: a page's timeline, and its evidence bundle for signed-in actors only."""

import asyncio
import sqlite3

import pytest

from crawler.serve import make_datasette
from crawler.verify import verify_bundle
from tests.conftest import REVIEWER
from tests.test_bundle import copy_db


@pytest.fixture(scope="module")
def served(crawled_db, tmp_path_factory, accounts_env):
    db = copy_db(crawled_db, tmp_path_factory.mktemp("ds") / "organwatch.db")
    conn = sqlite3.connect(db)
    page_id = conn.execute("select id from pages where flagged = 1 order by id limit 1").fetchone()[0]
    conn.close()
    return make_datasette(db), db, page_id


def get(ds, path, actor=None):
    cookies = {"ds_actor": ds.sign({"a": actor}, "actor")} if actor else None
    return asyncio.run(ds.client.get(path, cookies=cookies))


REVIEWER_ACTOR = {"id": REVIEWER}


def test_anonymous_download_is_refused(served):
    ds, _, page_id = served
    assert get(ds, f"/-/evidence/{page_id}.wacz").status_code == 403


def test_signed_in_reviewer_gets_a_bundle_that_verifies(served, tmp_path):
    ds, db, page_id = served
    response = get(ds, f"/-/evidence/{page_id}.wacz", actor=REVIEWER_ACTOR)
    assert response.status_code == 200
    (tmp_path / "p.wacz").write_bytes(response.content)
    assert verify_bundle(tmp_path / "p.wacz").ok
    conn = sqlite3.connect(db)
    assert conn.execute("select actor from custody where action = 'export'").fetchall() == [("datasette:alice",)]
    conn.close()


def test_signed_in_actor_without_an_account_is_refused(served):
    ds, _, page_id = served
    assert get(ds, f"/-/evidence/{page_id}.wacz", actor={"id": "mallory"}).status_code == 403


def test_unknown_page_is_404(served):
    assert get(served[0], "/-/evidence/999999.wacz", actor=REVIEWER_ACTOR).status_code == 404


def test_timeline_lists_captures_and_events(served):
    ds, _, page_id = served
    rows = get(ds, f"/organwatch/page_timeline.json?page_id={page_id}&_shape=objects", REVIEWER_ACTOR).json()["rows"]
    assert {r["kind"] for r in rows} == {"capture", "seen"}


def test_pages_link_to_timeline_and_bundle(served):
    ds, _, page_id = served
    html = get(ds, "/organwatch/pages", REVIEWER_ACTOR).text
    assert f"/-/evidence/{page_id}.wacz" in html and f"page_timeline?page_id={page_id}" in html


