"""`organwatch serve`: Datasette with the project's metadata, templates and plugins."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from crawler.accounts import auth_plugin_config

DATASETTE_DIR = Path(__file__).resolve().parent.parent / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
DB_KEY = "organwatch"  # the database entry of metadata.yml
SETTINGS = {"sql_time_limit_ms": 3000, "facet_time_limit_ms": 500}


def metadata_for(db_path: str | Path) -> dict:
    """metadata.yml with its database entry (and links) renamed to the served file's name."""
    name = Path(db_path).stem
    meta = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    meta["databases"] = {name: meta["databases"][DB_KEY]}
    if "description_html" in meta:
        meta["description_html"] = meta["description_html"].replace(f"/{DB_KEY}/", f"/{name}/")
    meta.setdefault("plugins", {})["datasette-auth-passwords"] = auth_plugin_config()  # accounts from the environment
    return meta


def make_datasette(db_path: str | Path):
    """The Datasette instance `organwatch serve` runs (tests use it through `ds.client`)."""
    from datasette.app import Datasette

    folders = {name: DATASETTE_DIR / name for name in ("templates", "plugins", "static")}
    return Datasette(
        [str(db_path)],
        metadata=metadata_for(db_path),
        template_dir=str(folders["templates"]) if folders["templates"].is_dir() else None,
        plugins_dir=str(folders["plugins"]) if folders["plugins"].is_dir() else None,
        static_mounts=[("organwatch-static", str(folders["static"]))] if folders["static"].is_dir() else None,
        settings=SETTINGS,
    )


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    import asyncio

    import uvicorn

    ds = make_datasette(db_path)
    asyncio.run(ds.invoke_startup())
    print(f"organwatch: Datasette at http://{host}:{port}/  (Ctrl-C to stop)", file=sys.stderr, flush=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
    return 0
