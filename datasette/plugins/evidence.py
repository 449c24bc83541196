"""Evidence in Datasette: a page's capture timeline (the stored query `page_timeline`, linked from
each page's `live` cell) and `/-/evidence/<page id>.wacz`, the page's case bundle, for signed-in
reviewers only (the download is logged in the custody table as `datasette:<actor id>`). Who may
download is decided in `may_download` alone."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from datasette import hookimpl


async def may_download(datasette, actor) -> bool:
    """Reviewers and admins (the `organwatch-review` permission of the review plugin)."""
    return bool(await datasette.permission_allowed(actor, "organwatch-review", default=False))


def _database(datasette):
    for name, db in datasette.databases.items():
        if name != "_internal" and db.path:
            return name, db.path
    return None, None


def _build(db_path: str, page_url: str, actor: str) -> tuple[bytes, str]:
    from crawler.export import ExportOptions, export_bundle

    with tempfile.TemporaryDirectory() as tmp:
        result = export_bundle(ExportOptions(db=db_path, out=str(Path(tmp) / "case.wacz"), urls=[page_url], actor=actor))
        return result.path.read_bytes(), result.case_id


async def evidence_bundle(datasette, request):
    actor = request.actor
    if not await may_download(datasette, actor):
        return Response.text("Sign in to download evidence bundles.", status=403)
    name, path = _database(datasette)
    page_id = int(request.url_vars["page_id"])
    rows = list(await datasette.get_database(name).execute("select url from pages where id = ?", [page_id]))
    if not rows:
        return Response.text(f"No page {page_id}.", status=404)
    from crawler.export import ExportError

    try:
        data, case_id = await asyncio.to_thread(_build, path, rows[0]["url"], f"datasette:{actor.get('id')}")
    except ExportError as e:
        return Response.text(str(e), status=404)
    return Response(
        data, status=200, content_type="application/wacz",
        headers={"Content-Disposition": f'attachment; filename="organwatch-page-{page_id}.wacz"'},
    )


@hookimpl
def register_routes():
    return [(r"^/-/evidence/(?P<page_id>\d+)\.wacz$", evidence_bundle)]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """The `live` cell of pages: live or gone, with links to the timeline and the evidence bundle."""
    if table != "pages" or column != "live" or "id" not in row.keys():
        return None
    page_id = int(row["id"])
    timeline = datasette.urls.database(database) + f"/page_timeline?page_id={page_id}"
    state = "live" if value else ("gone" if value is not None else "")
    return Markup(
        f'{state} <small>(<a href="{escape(timeline)}">timeline</a> · '
        f'<a href="/-/evidence/{page_id}.wacz">evidence bundle</a>)</small>'
    )
