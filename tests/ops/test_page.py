"""The "News archive" page's data and HTML, from a real (local) archive and a list of runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from newsarchive_page import RunInfo, broken_files, collect, render, run_window

from newsarchive.archive import keys
from newsarchive.archive.local import LocalStore
from newsarchive.pipeline.sites import load_site_file, load_sites

ROOT = Path(__file__).resolve().parents[2]
SITE = load_site_file(ROOT / "sites" / "demo.toml")
OK_RUN = RunInfo("manual__ok", "success", datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 11, 15, 23, tzinfo=UTC),
                 ended=datetime(2024, 11, 16, 0, 5, tzinfo=UTC))
FAILED_RUN = RunInfo("manual__<bad>", "failed", datetime(2024, 10, 1, tzinfo=UTC), datetime(2024, 10, 2, tzinfo=UTC),
                     failed_tasks=("check",))


def _archive(tmp_path: Path) -> LocalStore:
    store = LocalStore(tmp_path)
    for day, n in ((date(2024, 11, 15), 3), (date(2024, 11, 10), 1), (date(2024, 11, 1), 4)):
        for i in range(n):
            store.put(keys.article_key("demo", day, f"{day:%Y%m%d}{i:04d}"), b"{}", content_type="application/json")
    reports = {
        OK_RUN: {"status": "ok", "articles": 8, "warnings": ["rejected_share"]},
        FAILED_RUN: {"status": "failed", "articles": 0, "gates": [
            {"name": "min_articles", "status": "failed", "message": "0 articles archived, at least 1 expected"}]},
    }
    for run, report in reports.items():
        assert run.window_start and run.window_end
        store.put(keys.report_key("demo", run.window_start, run.window_end), json.dumps(report).encode(),
                  content_type="application/json")
    return store


def test_rows_show_last_run_articles_per_day_and_last_failure(tmp_path: Path) -> None:
    [row] = collect([SITE], _archive(tmp_path), lambda dag_id: [OK_RUN, FAILED_RUN], date(2026, 1, 1))
    assert row.last_run == OK_RUN and row.last_articles == 8 and row.last_warnings == ("rejected_share",)
    # 14 days ending on the last run's last day in the site's time zone (2024-11-15 in Paris).
    assert row.per_day[0] == (date(2024, 11, 2), 0) and row.per_day[-1] == (date(2024, 11, 15), 3)
    assert len(row.per_day) == 14 and row.total_14d == 4  # 2024-11-01 is outside the 14 days
    assert row.last_failure == FAILED_RUN
    assert row.failure_reason == "min_articles: 0 articles archived, at least 1 expected"


def test_a_site_that_never_ran(tmp_path: Path) -> None:
    [row] = collect([SITE], LocalStore(tmp_path), lambda dag_id: [], date(2026, 1, 1))
    assert row.last_run is None and row.last_failure is None and row.per_day[-1] == (date(2026, 1, 1), 0)
    html = render([row], datetime(2026, 1, 1, tzinfo=UTC), "file:///x")
    assert "no run yet" in html and 'class="last-failure muted">none<' in html


def test_failure_without_report_names_the_task(tmp_path: Path) -> None:
    crashed = RunInfo("r2", "failed", None, None, failed_tasks=("crawl",))
    [row] = collect([SITE], LocalStore(tmp_path), lambda dag_id: [crashed], date(2026, 1, 1))
    assert row.failure_reason == "task crawl failed (see its log)"


def test_html_links_out_of_the_iframe_and_escapes(tmp_path: Path) -> None:
    rows = collect([SITE], _archive(tmp_path), lambda dag_id: [OK_RUN, FAILED_RUN], date(2026, 1, 1))
    html = render(rows, datetime(2026, 1, 1, tzinfo=UTC), "s3://bucket/archive", ui_base="/airflow")
    assert '<tr data-site="demo">' in html and 'data-state="success"' in html and 'data-articles="8"' in html
    assert 'href="/airflow/dags/news_demo/runs/manual__ok" target="_top"' in html
    assert "manual__%3Cbad%3E" in html and "<bad>" not in html
    assert html.count('data-day=') == 14 and 'data-day="2024-11-15" data-count="3"' in html


def test_broken_site_files_are_listed_with_file_field_and_reason(tmp_path: Path) -> None:
    """Ops see a site file with mistakes on the page (it has no DAG, so nothing else in the UI shows it)."""
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "demo.toml").write_text((ROOT / "sites" / "demo.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (sites / "broken.toml").write_text((ROOT / "sites" / "demo.toml").read_text(encoding="utf-8").replace(
        'id = "demo"', 'id = "broken"').replace("concurrency = 8", "concurrency = 0"), encoding="utf-8")
    (sites / "latin.toml").write_bytes('id = "latin"\nname = "Café <b>"\n'.encode("latin-1"))
    (sites / "folder.toml").mkdir()
    catalog = load_sites(sites)
    broken = broken_files(catalog.errors)
    assert [(Path(b.file).name, b.site_id, b.field) for b in broken] == [
        ("broken.toml", "broken", "politeness.concurrency"), ("folder.toml", "folder", "(file)"),
        ("latin.toml", "latin", "(encoding)")]
    rows = collect(catalog.sites, LocalStore(tmp_path / "archive"), lambda dag_id: [], date(2026, 1, 1))
    html = render(rows, datetime(2026, 1, 1, tzinfo=UTC), "file:///x", broken=broken)
    assert "3 site file(s) with mistakes: no DAG until fixed" in html
    assert f'<tr data-file="{sites / "broken.toml"}" data-field="politeness.concurrency">' in html
    assert "expected an integer from 1 to 64, got 0" in html and '<tr data-site="demo">' in html
    clean = render(rows, datetime(2026, 1, 1, tzinfo=UTC), "file:///x", broken=[])
    assert 'table id="broken-files"' not in clean and "with mistakes" not in clean


def test_run_window_prefers_params_then_interval() -> None:
    start, end = datetime(2024, 11, 13, tzinfo=UTC), datetime(2024, 11, 14, tzinfo=UTC)
    assert run_window({"start": "2024-11-01", "end": "2024-11-02"}, start, end)[0] == datetime(2024, 11, 1, tzinfo=UTC)
    assert run_window({"start": None, "end": None}, start, end) == (start, end)
    assert run_window({"start": "garbage", "end": "x"}, start, end) == (None, None)
    assert run_window(None, None, None) == (None, None)


def test_the_plugin_module_loads_light() -> None:
    # Every Airflow process loads plugins/, the task runner of each task too: FastAPI comes only on demand.
    code = ("import sys, time; t = time.perf_counter(); import newsarchive_plugin, newsarchive_page; "
            "print(time.perf_counter() - t, 'fastapi' in sys.modules, newsarchive_plugin.NewsArchivePlugin.name)")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    out = subprocess.run([sys.executable, "-c", "import airflow.plugins_manager; " + code], env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert out[1:] == ["False", "newsarchive"] and float(out[0]) < 0.2, out
