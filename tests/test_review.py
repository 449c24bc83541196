"""The review side through datasette.client: redaction on every anonymous door, the review
form's guards, the page view, networks, queue and overview."""

import asyncio
import re
import sqlite3

import pytest

from crawler.serve import make_datasette
from tests import review_db
from tests.conftest import reviewer_cookies
from tests.doors import door_paths, leaks, visit


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "organwatch.db"
    return path, review_db.build(path)


@pytest.fixture(scope="module")
def ds(db_path, accounts_env):
    ds = make_datasette(db_path[0])
    run(ds.invoke_startup())
    return ds


@pytest.fixture
def ids(db_path):
    return db_path[1]


def get(ds, path, reviewer=False):
    return run(ds.client.get(path, cookies=reviewer_cookies(ds) if reviewer else None))


def reviews(db_path):
    conn = sqlite3.connect(db_path[0])
    try:
        return conn.execute("select page_id, reviewer, verdict, note, model_version from reviews").fetchall()
    finally:
        conn.close()


def test_no_anonymous_door_shows_a_raw_contact(ds, db_path):
    def fetch(path):
        r = get(ds, path)
        return r.status_code, r.text

    responses = visit(fetch, door_paths(db_path[0], "organwatch", ["kidney", "1234567", "donor", "kidneyfree", "whatsapp"]))
    assert len(responses) > 300 and all(status != 500 for status, _ in responses.values())
    assert leaks(responses, review_db.SECRETS) == []


@pytest.mark.parametrize("path", [
    "/organwatch/pages.json", "/organwatch/indicators.csv", "/organwatch/captures/1", "/organwatch/pages_fts.json",
    "/organwatch/contacts.json", "/organwatch/flagged.json", "/organwatch/queue.json", "/organwatch/review_queue",
    "/organwatch.json?sql=select+1", "/organwatch/public_pages.json?_where=1=1", "/-/metadata.json",
])
def test_raw_doors_are_closed_to_anonymous_and_open_to_reviewers(ds, path):
    assert get(ds, path).status_code in (400, 403)  # 400: _where= is refused without the SQL permission
    assert get(ds, path, reviewer=True).status_code == 200


def test_reviewer_sees_the_raw_contact(ds, ids):
    assert review_db.EMAIL in get(ds, f"/-/page/{ids['ad_a']}", reviewer=True).text


def test_public_copy_keeps_what_a_reader_needs(ds, ids):
    row = get(ds, f"/organwatch/public_pages/{ids['ad_a']}.json?_shape=objects").json()["rows"][0]
    assert ("WhatsApp +92•••67" in row["text"], "•••@kidneyfree.example" in row["text"], "Telegram: @•••" in row["text"]) == (True, True, True)


def test_highlights_land_on_the_same_words_in_the_public_text(ds, ids):
    data = get(ds, f"/-/page/{ids['ad_a']}?_format=json").json()
    marked = {(s["kind"], s["text"]) for s in data["segments"] if "kind" in s}
    assert {("messenger", "WhatsApp +92•••67"), ("email", "•••@kidneyfree.example"), ("price", "USD 45,000")} <= marked


def _csrf_and_cookies(ds, page_id):
    r = get(ds, f"/-/page/{page_id}", reviewer=True)
    token = re.search(r'name="csrftoken" value="([^"]+)"', r.text).group(1)
    return token, {**reviewer_cookies(ds), "ds_csrftoken": r.cookies.get("ds_csrftoken")}


def post(ds, page_id, data, cookies):
    return run(ds.client.post(f"/-/page/{page_id}/review", data=data, cookies=cookies))


def test_review_without_sign_in_is_refused_and_writes_nothing(ds, db_path, ids):
    before = reviews(db_path)
    token, cookies = _csrf_and_cookies(ds, ids["ad_b"])
    del cookies["ds_actor"]
    r = post(ds, ids["ad_b"], {"verdict": "not_relevant", "csrftoken": token}, cookies)
    assert (r.status_code, reviews(db_path)) == (403, before)


def test_review_without_csrf_token_is_refused_and_writes_nothing(ds, db_path, ids):
    before = reviews(db_path)
    r = post(ds, ids["ad_b"], {"verdict": "not_relevant"}, reviewer_cookies(ds))
    assert (r.status_code, reviews(db_path)) == (403, before)


def test_review_is_recorded_and_the_latest_gives_the_status(ds, db_path, ids):
    page = ids["ad_a"]
    for verdict in ("needs_follow_up", "confirmed_brokerage"):
        token, cookies = _csrf_and_cookies(ds, page)
        r = post(ds, page, {"verdict": verdict, "note": "<b>seen</b>", "csrftoken": token}, cookies)
        assert r.status_code == 302
    assert [r for r in reviews(db_path) if r[0] == page][-1] == (page, "alice", "confirmed_brokerage", "<b>seen</b>", "0.1.0")
    html = get(ds, f"/-/page/{page}", reviewer=True).text
    assert 'id="ow-status">confirmed_brokerage<' in html and "&lt;b&gt;seen&lt;/b&gt;" in html
    public = get(ds, f"/organwatch/public_pages/{page}.json?_shape=objects").json()["rows"][0]
    assert public["status"] == "confirmed_brokerage"


def test_a_review_enters_the_custody_chain(ds, db_path, ids):
    page = ids["ad_b"]
    token, cookies = _csrf_and_cookies(ds, page)
    assert post(ds, page, {"verdict": "confirmed_advertising", "csrftoken": token}, cookies).status_code == 302
    conn = sqlite3.connect(db_path[0])
    entries = conn.execute("select actor, subject from custody where action = 'review'").fetchall()
    conn.close()
    assert ("alice", f"page:{page}") in entries


def test_bad_verdict_is_refused(ds, ids):
    token, cookies = _csrf_and_cookies(ds, ids["ad_b"])
    r = post(ds, ids["ad_b"], {"verdict": "guilty", "csrftoken": token}, cookies)
    assert r.status_code == 400 and "guilty" in r.text


def test_reviews_are_append_only(db_path):
    conn = sqlite3.connect(db_path[0])
    conn.execute("insert into reviews (page_id, reviewer, verdict) values (1, 'x', 'not_relevant')")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("update reviews set verdict = 'confirmed_brokerage'")
    conn.rollback()
    conn.close()


@pytest.mark.parametrize("reviewer", [False, True])
def test_hostile_page_renders_inert(ds, ids, reviewer):
    html = get(ds, f"/-/page/{ids['hostile']}", reviewer=reviewer).text
    body = html.split("<body", 1)[1]
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in body and "onerror=&#34;alert(1)&#34;" in body


def test_contact_network_links_the_two_broker_sites(ds):
    rows = get(ds, "/organwatch/public_contact_networks.json?_shape=array").json()
    shared = {r["contact"] for r in rows if r["domains"] >= 2}
    assert {"+92•••67", "•••@kidneyfree.example"} <= shared


def test_near_duplicate_cluster_spans_the_two_sites(ds, ids):
    rows = get(ds, "/organwatch/public_near_duplicates.json?_shape=array").json()
    assert {r["id"] for r in rows} == {ids["ad_a"], ids["ad_b"]}


def test_same_broker_view_lists_siblings(ds, ids):
    data = get(ds, f"/-/page/{ids['ad_b']}?_format=json", reviewer=True).json()
    assert ids["ad_a"] in {s["id"] for s in data["contact_siblings"]}
    assert [s["id"] for s in data["duplicate_siblings"]] == [ids["ad_a"]]


def test_queue_filters_and_counts(ds):
    rows = get(ds, "/organwatch/queue.json?_shape=array&lang=en&destination=in&organ=&label=", reviewer=True).json()
    assert rows and {r["in_queue"] for r in rows} == {len(rows)} and all(r["lang"] == "en" for r in rows)
    assert get(ds, "/organwatch/queue.json?_shape=array&lang=xx&destination=&organ=&label=", reviewer=True).json() == []


def test_overview_counts_and_uses_no_outside_script(ds):
    charts = get(ds, "/-/overview?_format=json").json()
    assert sum(charts["By language"].values()) == 3
    html = get(ds, "/-/overview").text
    assert "<svg" in html and not re.search(r"<script[^>]+src=\"(https?:)?//", html)


def test_login_with_password_signs_in(ds):
    from tests.conftest import REVIEWER, REVIEWER_PASSWORD

    r = get(ds, "/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', r.text).group(1)
    r = run(ds.client.post("/-/login", data={"username": REVIEWER, "password": REVIEWER_PASSWORD, "csrftoken": token},
                           cookies={"ds_csrftoken": r.cookies.get("ds_csrftoken")}))
    assert r.status_code == 302 and ds.unsign(r.cookies.get("ds_actor"), "actor")["a"]["id"] == REVIEWER
