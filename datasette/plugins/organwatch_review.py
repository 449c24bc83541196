"""organwatch's review side of Datasette: who may see what, the page view with its review form,
the overview charts, and the redacted public copies kept fresh.

Roles (crawler/accounts.py): anonymous visitors may read only the redacted public tables and
public stored queries, never run SQL; reviewers read everything and write reviews (CSRF-checked
by Datasette's asgi-csrf); admins also get Datasette's debug pages. Anything not listed as
public is closed to anonymous visitors, so tables added later stay private until listed here.
"""

from __future__ import annotations

import json
import os
import re
import time

import sqlite_utils
from datasette.utils.asgi import Forbidden, Response
from markupsafe import Markup

from crawler import accounts, public
from crawler.page_view import page_context
from crawler.reviews import ReviewError, record_review
from crawler.store import migrations
from datasette import hookimpl

PUBLIC_TABLES = {"public_pages", "public_indicators", "public_captures", "near_duplicates"}
PUBLIC_QUERIES = {"public_flagged", "public_contact_networks", "public_near_duplicates"}
REFRESH_SECONDS = float(os.environ.get("ORGANWATCH_PUBLIC_REFRESH", "30"))


def role(datasette, actor: dict | None) -> str | None:
    """The actor's role from the accounts configured at startup (a removed account loses it at
    the next start, whatever its cookie says)."""
    return getattr(datasette, "organwatch_roles", {}).get(actor.get("id")) if actor else None


def is_reviewer(datasette, actor: dict | None) -> bool:
    return role(datasette, actor) in accounts.ROLES


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    if is_reviewer(datasette, actor):
        if action == "organwatch-review":
            return True
        if action in ("permissions-debug", "debug-menu") and role(datasette, actor) == "admin":
            return True
        return None
    if action == "view-table":
        return resource[1] in PUBLIC_TABLES
    if action == "view-query":
        return resource[1] in PUBLIC_QUERIES
    if action in ("execute-sql", "view-database-download", "organwatch-review"):
        return False
    return None


def _database(datasette):
    return next(db for db in datasette.databases.values() if not db.is_memory and not db.name.startswith("_"))


def _migrate_and_refresh(conn) -> dict:
    db = sqlite_utils.Database(conn)
    migrations.apply(db)
    return public.refresh(db)


async def refresh_public(datasette, force: bool = False) -> None:
    """Bring the redacted copies up to date, at most every ORGANWATCH_PUBLIC_REFRESH seconds
    (requests meanwhile see the copies as they were: late, never unredacted)."""
    last = getattr(datasette, "organwatch_refreshed", None)
    if not force and (last is None or time.monotonic() - last < REFRESH_SECONDS):
        return
    datasette.organwatch_refreshed = time.monotonic()
    await _database(datasette).execute_write_fn(_migrate_and_refresh, block=True)


@hookimpl
def startup(datasette):
    datasette.organwatch_roles = accounts.accounts()

    async def inner():
        await refresh_public(datasette, force=True)

    return inner


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def refreshing(scope, receive, send):
            if scope["type"] == "http":
                await refresh_public(datasette)
            await app(scope, receive, send)

        return refreshing

    return wrap


@hookimpl
def menu_links(datasette, actor):
    db = _database(datasette).name
    links = [{"href": datasette.urls.path("/-/overview"), "label": "Overview"}]
    if is_reviewer(datasette, actor):
        links.insert(0, {"href": datasette.urls.path(f"/{db}/review_queue"), "label": "Review queue"})
    return links


@hookimpl
def extra_template_vars(datasette, request):
    return {"organwatch_reviewer": is_reviewer(datasette, request.actor) if request else False,
            "organwatch_db": _database(datasette).name}


async def page_view(datasette, request):
    reviewer = is_reviewer(datasette, request.actor)
    db = _database(datasette)
    page_id = int(request.url_vars["page_id"])
    context = await db.execute_fn(lambda conn: page_context(conn, page_id, reviewer))
    if context is None:
        return Response.text(f"page {page_id} not found", status=404)
    if request.args.get("_format") == "json":
        context.pop("verdicts")
        return Response.json(context, default=str)
    config = datasette.plugin_config("organwatch-review") or {}
    evidence = config.get("evidence_url")
    return Response.html(await datasette.render_template(
        "organwatch_page.html",
        {**context, "reviewer": reviewer, "database": db.name, "saved": request.args.get("saved"),
         "evidence_url": evidence.format(page_id=page_id) if evidence and reviewer else None},
        request=request,
    ))


async def review_post(datasette, request):
    if request.method != "POST":
        return Response.text("POST a review", status=405)
    if not await datasette.permission_allowed(request.actor, "organwatch-review", default=False):
        raise Forbidden("sign in as a reviewer to record a verdict")
    page_id = int(request.url_vars["page_id"])
    form = await request.post_vars()
    reviewer = request.actor["id"]

    def write(conn):
        return record_review(sqlite_utils.Database(conn), page_id, reviewer, form.get("verdict", ""),
                             form.get("note", ""))

    try:
        await _database(datasette).execute_write_fn(write, block=True)
    except ReviewError as e:
        return Response.text(f"review not recorded: {e}", status=400)
    return Response.redirect(datasette.urls.path(f"/-/page/{page_id}?saved=1"))


CHARTS = {
    "Flagged pages per week (first seen)":
        "select strftime('%Y-W%W', first_seen) as label, count(*) as n from public_pages "
        "where flagged = 1 group by label order by label",
    "By destination":
        "select j.value as label, count(*) as n from public_pages, json_each(public_pages.destinations) j "
        "where flagged = 1 group by label order by n desc, label limit 20",
    "By language":
        "select lang as label, count(*) as n from public_pages where flagged = 1 group by label "
        "order by n desc, label limit 20",
    "By organ":
        "select j.value as label, count(*) as n from public_pages, json_each(public_pages.organs) j "
        "where flagged = 1 group by label order by n desc, label limit 20",
    "By label":
        "select j.value as label, count(*) as n from public_pages, json_each(public_pages.labels) j "
        "where flagged = 1 group by label order by n desc, label",
    "By review status":
        "select status as label, count(*) as n from public_pages where flagged = 1 group by label order by n desc",
}


async def overview(datasette, request):
    db = _database(datasette)
    charts = []
    for title, sql in CHARTS.items():
        rows = [(r["label"] or "?", r["n"]) for r in await db.execute(sql)]
        charts.append({"title": title, "rows": rows, "max": max((n for _, n in rows), default=0)})
    if request.args.get("_format") == "json":
        return Response.json({c["title"]: dict(c["rows"]) for c in charts})
    return Response.html(await datasette.render_template(
        "organwatch_overview.html", {"charts": charts, "database": db.name}, request=request))


async def metadata_view(datasette, request):
    """/-/metadata names the accounts: signed-in reviewers only."""
    if not is_reviewer(datasette, request.actor):
        raise Forbidden("sign in to see the instance's metadata")
    return Response.text(json.dumps(datasette.metadata(), indent=4, default=repr), headers={
        "content-type": "application/json; charset=utf-8"})


_PAGE_LINK = re.compile(r"/-/page/\d+")


@hookimpl
def render_cell(value, column, datasette):
    """Stored queries give the page view as '/-/page/ID': make it a link."""
    if column in ("review", "view") and isinstance(value, str) and _PAGE_LINK.fullmatch(value):
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(value), "review" if column == "review" else "view")
    return None


@hookimpl
def register_routes():
    return [
        (r"^/-/page/(?P<page_id>\d+)$", page_view),
        (r"^/-/page/(?P<page_id>\d+)/review$", review_post),
        (r"^/-/overview$", overview),
        (r"^/-/metadata(\.json)?$", metadata_view),
    ]
