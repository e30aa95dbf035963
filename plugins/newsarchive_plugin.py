"""The newsarchive Airflow plugin: a "News archive" page in the UI's navigation.

Airflow 3 plugins extend the UI with FastAPI apps and external views (no Flask-AppBuilder): the app serves
the page under /newsarchive/ in the api-server, and the external view puts it in the navigation bar, rendered
in an iframe at /plugin/news-archive. The page's data and HTML are in newsarchive_page.py (no Airflow there);
this module adds what needs Airflow: runs from the metadata DB, the S3 connection, authorization.

Every Airflow process loads plugins (the task runner of each task too), so nothing heavy is imported at the
top: FastAPI and the app are built the first time the api-server asks for `fastapi_apps`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow.plugins_manager import AirflowPlugin

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from newsarchive_page import BrokenFile, RunInfo, SiteStatus

log = logging.getLogger("newsarchive.ui")

URL_PREFIX = "/newsarchive"
# A newspaper, drawn with currentColor-free strokes so it reads on the light and the dark theme alike.
ICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#6b7785" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round"><path d="M4 4h13v15a1 1 0 0 0 1 1H5a1 1 0 0 1-1-1z"/>'
    '<path d="M17 8h3v11a1 1 0 0 1-2 0"/><path d="M7 8h7M7 12h7M7 16h4"/></svg>'
)
RUNS_PER_SITE = 25  # enough to find the last failure among recent runs without scanning a site's whole history


async def _authorize(request: Request) -> None:
    """Airflow's own check: whoever may read DAGs may read this page (all-admins mode lets everyone in).

    Airflow's security module is imported here, at request time, where the api-server has it loaded already:
    importing it when the plugin loads would cost every Airflow process (each task too) seconds.
    """
    from airflow.api_fastapi.core_api.security import get_user, requires_access_dag
    from fastapi.security import HTTPAuthorizationCredentials

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer = HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if token else None
    user = await get_user(request, None, bearer)
    requires_access_dag("GET")(request, user)


def airflow_runs(dag_id: str) -> list[RunInfo]:
    """The DAG's recent runs, newest first, with the tasks that failed in each."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from newsarchive_page import RunInfo, run_window
    from sqlalchemy import select

    with create_session() as session:
        runs = session.scalars(
            select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.run_after.desc()).limit(RUNS_PER_SITE)
        ).all()
        failed: dict[str, list[str]] = {}
        if runs:
            rows = session.execute(select(TaskInstance.run_id, TaskInstance.task_id).where(
                TaskInstance.dag_id == dag_id, TaskInstance.state == "failed",
                TaskInstance.run_id.in_([r.run_id for r in runs]))).all()
            for run_id, task_id in rows:
                failed.setdefault(run_id, []).append(task_id)
        result = []
        for run in runs:
            start, end = run_window(run.conf, run.data_interval_start, run.data_interval_end)
            result.append(RunInfo(run_id=run.run_id, state=str(run.state), window_start=start, window_end=end,
                                  started=run.start_date, ended=run.end_date,
                                  failed_tasks=tuple(sorted(failed.get(run.run_id, ())))))
        return result


def _s3_options() -> Any:
    """S3 settings from the connection `newsarchive_s3` (mapped as the DAG's tasks map it), or None."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    from newsarchive.archive.s3_options import options_from_connection
    from newsarchive.pipeline import settings

    if not settings.archive_url().startswith("s3://"):
        return None
    try:
        conn = Connection.get_connection_from_secrets("newsarchive_s3")
    except AirflowNotFoundException:
        return None
    return options_from_connection(conn.login, conn.password, conn.extra_dejson)


def _ui_base() -> str:
    """The UI's path prefix (non-empty when Airflow is served under a sub-path), for links out of the iframe."""
    from airflow.configuration import conf

    return urlsplit(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")


def statuses() -> tuple[list[SiteStatus], str, list[BrokenFile]]:
    """Every configured site's row, the archive URL they were read from, and the site files with mistakes."""
    from newsarchive_page import broken_files, collect

    from newsarchive.archive.store import open_store
    from newsarchive.pipeline import settings
    from newsarchive.pipeline.sites import load_sites

    catalog = load_sites(settings.sites_dir())
    store = open_store(settings.archive_url(), s3=_s3_options())
    today = datetime.now(UTC).date()
    return collect(catalog.sites, store, airflow_runs, today), store.url, broken_files(catalog.errors)


def _jsonable(rows: Sequence[SiteStatus] | Sequence[BrokenFile]) -> list[dict[str, Any]]:
    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value.isoformat() if hasattr(value, "isoformat") else value

    return [convert(dataclasses.asdict(row)) for row in rows]


@functools.cache
def get_app() -> FastAPI:
    """The page's FastAPI app (built once per process, on first use)."""
    from fastapi import Depends, FastAPI, Request
    from fastapi.responses import HTMLResponse, Response

    # FastAPI injects by annotation, and this module's annotations are strings (deferred) naming classes it
    # imports only now: give the dependency the class itself. The handlers return Any for the same reason.
    _authorize.__annotations__["request"] = Request
    app = FastAPI(title="News archive", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(_authorize)])

    @app.get("/", response_class=HTMLResponse)
    def page() -> Any:
        """The page: one row per site."""
        from newsarchive_page import render

        rows, archive_url, broken = statuses()
        return HTMLResponse(render(rows, datetime.now(UTC), archive_url, _ui_base(), broken))

    @app.get("/icon.svg")
    def icon() -> Any:
        """The navigation bar's icon for the page."""
        return Response(ICON_SVG, media_type="image/svg+xml")

    @app.get("/api/sites")
    def sites_json() -> Any:
        """The same data as JSON (for scripts and monitoring)."""
        rows, _, _ = statuses()
        return _jsonable(rows)

    @app.get("/api/site-errors")
    def site_errors_json() -> Any:
        """The site files with mistakes, one entry per mistake: file, site_id, field, problem."""
        from newsarchive_page import broken_files

        from newsarchive.pipeline import settings
        from newsarchive.pipeline.sites import load_sites

        return _jsonable(broken_files(load_sites(settings.sites_dir()).errors))

    return app


class NewsArchivePlugin(AirflowPlugin):
    """Registers the page's app and its navigation entry."""

    name = "newsarchive"
    external_views = [{  # noqa: RUF012
        "name": "News archive",
        "href": f"{URL_PREFIX}/",
        "destination": "nav",
        "url_route": "news-archive",
        "icon": f"{URL_PREFIX}/icon.svg",
        "nav_top_level": True,  # its own button in the navigation bar, not under a "Plugins" menu
    }]

    @property
    def fastapi_apps(self) -> list[dict[str, Any]]:  # type: ignore[override]
        """The page's app, built when asked for: only the api-server mounts it."""
        return [{"app": get_app(), "url_prefix": URL_PREFIX, "name": "News archive"}]
