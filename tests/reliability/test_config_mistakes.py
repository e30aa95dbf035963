"""Site files with mistakes: `newsarchive sites` and DAG parsing name the exact file and field of each, and the
other sites' DAGs still load (tests/pipeline/test_sites.py covers single-file validation; this is the folder).

The same table is fed to the spider's own spec parser: it refuses exactly the files the loader refuses, with
the same field named, and accepts the good ones (one site model, issue 15).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from newsarchive.pipeline.cli import main
from newsarchive.pipeline.sites import SiteConfigError, parse_site

ROOT = Path(__file__).resolve().parents[2]
ALLOW = "[discovery]\narticle_allow = ['^/news/']\n"
HEAD = 'id = "{id}"\nname = "Site {id}"\nbase_url = "https://{id}.example/"\n'
# Values that must never be printed: a password in a URL, a secret variable's value.
PASSWORD, SECRET_VALUE = "hunter2-in-url", "topsecret-env-value"
SECRET_ENV = {"AWS_SECRET_ACCESS_KEY": SECRET_VALUE, "NEWSARCHIVE_TEST_HOST": f"user:{SECRET_VALUE}@x.example"}


def site(site_id: str, extra: str = "", discovery: str = "") -> str:
    """A one-mistake site file: HEAD, top-level extra lines, then [discovery] (article_allow plus `discovery`),
    then the tables of `extra` that must come after it."""
    lines = extra.splitlines(keepends=True)
    first_table = next((i for i, line in enumerate(lines) if line.startswith("[")), len(lines))
    return HEAD.format(id=site_id) + "".join(lines[:first_table]) + ALLOW + discovery + "".join(lines[first_table:])


@dataclass(frozen=True)
class Mistake:
    """A site file with one mistake, and the field an error must name (text None: a directory of that name)."""

    file: str
    text: str | bytes | None
    field: str
    known_bug: str | None = None

    @property
    def site_id(self) -> str | None:
        """The id the file declares (None when it cannot be read as text)."""
        if not isinstance(self.text, str):
            return None
        return self.text.split('"')[1]


MISTAKES = (
    Mistake("unknown-key.toml", site("unknown", 'colour = "red"\n'), "colour"),
    Mistake("typo-section.toml", site("typo", "[politeness]\ndelay = 2\n"), "politeness.delay"),
    Mistake("cron-words.toml", site("cronwords", 'schedule = "every day"\n'), "schedule"),
    Mistake("cron-range.toml", site("cronrange", 'schedule = "61 25 * * *"\n'), "schedule"),
    Mistake("bad-base-url.toml", 'id = "badurl"\nname = "x"\nbase_url = "ftp://files.example/"\n' + ALLOW, "base_url"),
    Mistake("bad-feed-url.toml", site("badfeed", discovery='feeds = ["javascript:alert(1)"]\n'), "discovery.feeds[0]"),
    Mistake("bad-regex.toml", HEAD.format(id="badregex") + '[discovery]\narticle_allow = ["(unclosed"]\n',
            "discovery.article_allow[0]"),
    Mistake("bad-checks.toml", site("badchecks", "[checks]\nmax_rejected_share = 2\n"), "checks.max_rejected_share"),
    Mistake("bad-extraction.toml", site("badextract", "[extraction]\nmax_elements = 0\n"), "extraction.max_elements"),
    Mistake("syntax.toml", 'id = "syntax"\nname = \n', "(syntax)"),
    Mistake("zz-duplicate.toml", site("good"), "id"),
    # Issue 13 item 8: what used to raise out of load_sites (and hide every site's DAG).
    Mistake("toml-datetime.toml", site("tomldatetime", "start_date = 2024-01-01T00:00:00Z\n"), "start_date"),
    Mistake("toml-time.toml", site("tomltime", "end_date = 07:30:00\n"), "end_date"),
    Mistake("latin1.toml", site("latin", 'owner = "équipe"\n').encode("latin-1"), "(encoding)"),
    Mistake("folder.toml", None, "(file)"),
    Mistake("ipv6.toml", 'id = "ipv6"\nname = "x"\nbase_url = "http://[::1/"\n' + ALLOW, "base_url"),
    Mistake("zone-folder.toml", site("zonefolder", 'timezone = "America"\n'), "timezone"),
    Mistake("path-key.toml", site("pathkey", 'path = "/etc/passwd"\n'), "path"),
    Mistake("deep.toml", site("deep", "x = " + "[" * 5000 + "]" * 5000 + "\n"), "(syntax)"),
    Mistake("digits.toml", site("digits", "[politeness]\nmax_pages = 1" + "0" * 5000 + "\n"), "(syntax)"),
    # Issue 13 item 9: what the loader accepted and the spider refused.
    Mistake("concurrency-zero.toml", site("conc", "[politeness]\nconcurrency = 0\n"), "politeness.concurrency"),
    Mistake("timeout-zero.toml", site("timeout", "[politeness]\ntimeout_s = 0\n"), "politeness.timeout_s"),
    Mistake("no-allow.toml", HEAD.format(id="noallow") + '[discovery]\nfeeds = ["/rss"]\n',
            "discovery.article_allow"),
    Mistake("empty-allow.toml", HEAD.format(id="emptyallow") + "[discovery]\narticle_allow = []\n",
            "discovery.article_allow"),
    Mistake("nan-delay.toml", site("nandelay", "[politeness]\ndownload_delay = nan\n"), "politeness.download_delay"),
    Mistake("inf-factor.toml", site("inffactor", "[checks]\nmax_residue_factor = inf\n"), "checks.max_residue_factor"),
    Mistake("bool-count.toml", site("boolcount", "[politeness]\nmax_pages = true\n"), "politeness.max_pages"),
    Mistake("string-number.toml", site("strnum", '[politeness]\ndownload_delay = "1"\n'), "politeness.download_delay"),
    Mistake("port.toml", 'id = "port"\nname = "x"\nbase_url = "https://port.example:70000/"\n' + ALLOW, "base_url"),
    Mistake("feed-port.toml", site("feedport", discovery='feeds = ["http://port.example:99999/rss"]\n'),
            "discovery.feeds[0]"),
    Mistake("never-fires.toml", site("never", 'schedule = "0 0 31 2 *"\n'), "schedule"),
    Mistake("never-fires-april.toml", site("april", 'schedule = "0 0 31 4,6,9,11 *"\n'), "schedule"),
    Mistake("no-year.toml", site("noyear", discovery='date_archive = "/archive/{mm}/{dd}/"\n'),
            "discovery.date_archive"),
    Mistake("section-pages-zero.toml", site("sections", discovery="max_section_pages = 0\n"),
            "discovery.max_section_pages"),
    Mistake("lookahead.toml", HEAD.format(id="lookahead") + "[discovery]\narticle_allow = ['^/(?!video/)']\n",
            "discovery.article_allow[0]"),
    Mistake("backreference.toml", HEAD.format(id="backref") + "[discovery]\narticle_allow = ['^/(a+)\\1$']\n",
            "discovery.article_allow[0]"),
    Mistake("bad-xpath.toml", site("badxpath", '[extraction]\nprune_xpaths = ["//div[@"]\n'),
            "extraction.prune_xpaths[0]"),
    Mistake("bad-language.toml", site("badlang", 'languages = ["French"]\n'), "languages[0]"),
    # Issue 13 item 10: variables other than NEWSARCHIVE_*, and credentials, never reach a URL or an output.
    Mistake("env-secret.toml", 'id = "envsecret"\nname = "x"\nbase_url = "https://${AWS_SECRET_ACCESS_KEY}.example/"\n'
            + ALLOW, "base_url"),
    Mistake("env-home.toml", 'id = "envhome"\nname = "x"\nbase_url = "https://x.example${HOME}/"\n' + ALLOW,
            "base_url"),
    Mistake("env-credentials.toml", 'id = "envcred"\nname = "x"\nbase_url = "https://${NEWSARCHIVE_TEST_HOST}/"\n'
            + ALLOW, "base_url"),
    Mistake("url-password.toml", f'id = "urlpw"\nname = "x"\nbase_url = "https://user:{PASSWORD}@x.example/"\n'
            + ALLOW, "base_url"),
)
GOOD = {"good.toml": site("good"), "other.toml": site("other")}


def _write(folder: Path, name: str, text: str | bytes | None) -> None:
    path = folder / name
    if text is None:
        path.mkdir()
    elif isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def sites_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mistakes")
    for name, text in GOOD.items():
        _write(folder, name, text)
    for mistake in MISTAKES:
        _write(folder, mistake.file, mistake.text)
    return folder


@pytest.fixture(scope="module")
def cli_output(sites_dir: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        for name, value in SECRET_ENV.items():
            mp.setenv(name, value)
        code = main(["sites", "--sites-dir", str(sites_dir)])
    return code, out.getvalue(), err.getvalue()


PARSE = textwrap.dedent("""
    import json, logging, sys
    lines = []
    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())
    logging.getLogger("newsarchive").addHandler(Keep())
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=sys.argv[1])
    print("RESULT " + json.dumps({"dags": sorted(bag.dags), "errors": {k: str(v) for k, v in bag.import_errors.items()},
                                  "log": lines}))
""")


@pytest.fixture(scope="module")
def dag_parse(sites_dir: Path) -> dict[str, object]:
    env = {**os.environ, **SECRET_ENV, "NEWSARCHIVE_SITES_DIR": str(sites_dir),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    proc = subprocess.run([sys.executable, "-c", PARSE, str(ROOT / "dags" / "news_sites.py")], env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = dict(json.loads(lines[-1][len("RESULT "):]))
    result["output"] = proc.stdout + proc.stderr
    return result


def _mark(mistake: Mistake, request: pytest.FixtureRequest) -> None:
    if mistake.known_bug:
        request.applymarker(pytest.mark.xfail(strict=True, reason=mistake.known_bug))


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.file)
def test_cli_names_file_and_field(mistake: Mistake, sites_dir: Path, cli_output: tuple[int, str, str],
                                  request: pytest.FixtureRequest) -> None:
    _mark(mistake, request)
    code, _, err = cli_output
    assert code == 1
    expected = f"INVALID {sites_dir / mistake.file}: {mistake.field}: "
    assert any(line.startswith(expected) for line in err.splitlines()), (expected, err)


def test_cli_still_lists_the_good_sites(cli_output: tuple[int, str, str]) -> None:
    code, out, _ = cli_output
    listed = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert code == 1
    assert listed == {"good", "other"}
    # No file with a (detected) mistake is listed as a site; the duplicate's id is the good file's.
    wrong = [m.file for m in MISTAKES if not m.known_bug and m.site_id in listed - {"good"}]
    assert wrong == []


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.file)
def test_dag_parsing_names_file_and_field(mistake: Mistake, sites_dir: Path, dag_parse: dict[str, object],
                                          request: pytest.FixtureRequest) -> None:
    _mark(mistake, request)
    expected = f"{sites_dir / mistake.file}: {mistake.field}: "
    log = [str(line) for line in dag_parse["log"]]  # type: ignore[attr-defined]
    assert any(expected in line for line in log), (expected, log)


def test_other_sites_dags_still_load(dag_parse: dict[str, object]) -> None:
    dags = list(dag_parse["dags"])  # type: ignore[call-overload]
    assert "news_good" in dags and "news_other" in dags
    assert not [d for d in dags if d.startswith("news_") and d not in ("news_good", "news_other")], dags


def test_dag_parsing_has_no_import_error(dag_parse: dict[str, object]) -> None:
    assert dag_parse["errors"] == {}


def test_credentials_are_never_printed(cli_output: tuple[int, str, str], dag_parse: dict[str, object]) -> None:
    """A password in a URL and the value of a secret variable appear in no output, CLI or DAG parsing."""
    _, out, err = cli_output
    outputs = {"cli": out + err, "dag log": "\n".join(map(str, dag_parse["log"])),  # type: ignore[call-overload]
               "dag process output": str(dag_parse["output"])}
    for where, text in outputs.items():
        assert PASSWORD not in text and SECRET_VALUE not in text, where
    assert "https://***@x.example/" in err  # the URL is still shown, its credentials redacted


# -- the spider refuses exactly what the loader refuses -------------------------------------------------------

GOOD_TABLE = {
    **GOOD,
    **{path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "sites").glob("*.toml"))},
    "with-everything.toml": site("everything", 'languages = ["fr", "zh-cn"]\ncountry = "fr"\ntimezone = "Asia/Tokyo"\n'
                                 'schedule = "0 0 29 2 *"\nstart_date = 2024-02-01\nend_date = "2025-01-01"\n'
                                 "[politeness]\nconcurrency = 64\ndownload_delay = 600\ntimeout_s = 0.5\n"
                                 '[extraction]\nprune_xpaths = ["//aside", "//div[@class=\'ad\']"]\n',
                                 discovery='feeds = ["//cdn.example/rss"]\ndate_archive = "/{yyyy}/{mm}/"\n'
                                           "article_deny = ['/video/', '[[:digit:]]{5}']\n"),
}
TABLE_MISTAKES = [m for m in MISTAKES if isinstance(m.text, str) and not m.field.startswith("(")
                  and m.file != "zz-duplicate.toml"]  # files the spider could be given: one table each


def loader_verdict(name: str, table: dict[str, Any]) -> str | None:
    """None when the loader accepts the table, else the first field it names."""
    try:
        parse_site(Path(name), table)
    except SiteConfigError as exc:
        return exc.field
    return None


def spec_of(table: dict[str, Any]) -> dict[str, Any]:
    """The crawl spec of a site table as the spider receives it: through JSON (TOML dates become strings)."""
    def encode(value: Any) -> str:
        assert isinstance(value, date | datetime) or hasattr(value, "isoformat"), value
        return str(value.isoformat())

    site_id = table.get("id") if isinstance(table.get("id"), str) else "x"
    spec = {"site": site_id, "config": table, "start": "2024-11-01T00:00:00+00:00",
            "end": "2024-11-02T00:00:00+00:00", "user_agent": "newsarchive-test/0.1"}
    return dict(json.loads(json.dumps(spec, default=encode)))


def spider_verdict(table: dict[str, Any]) -> str | None:
    """None when the spider's spec parser accepts the site, else the first field it names (as the loader's)."""
    from spiders.spec import SpecError, parse_spec

    try:
        parse_spec(spec_of(table))
    except SpecError as exc:
        return "id" if exc.field == "site" else exc.field.removeprefix("config.")
    return None


@pytest.mark.parametrize("name", sorted(GOOD_TABLE))
def test_loader_and_spider_accept_the_same_good_files(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSARCHIVE_DEMO_PORT", raising=False)
    table = tomllib.loads(GOOD_TABLE[name])
    assert loader_verdict(name, table) is None
    assert spider_verdict(table) is None


@pytest.mark.parametrize("mistake", TABLE_MISTAKES, ids=lambda m: m.file)
def test_loader_and_spider_refuse_the_same_bad_files(mistake: Mistake, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRET_ENV.items():
        monkeypatch.setenv(name, value)
    assert isinstance(mistake.text, str)
    table = tomllib.loads(mistake.text)
    assert loader_verdict(mistake.file, table) == mistake.field
    assert spider_verdict(table) == mistake.field


def test_the_spider_process_refuses_a_bad_site_naming_the_field(tmp_path: Path) -> None:
    """`python -m spiders.runner` itself: exit 2, one line on stderr naming the field (nothing fetched)."""
    table = tomllib.loads(site("conc", "[politeness]\nconcurrency = 0\n"))
    (tmp_path / "spec.json").write_text(json.dumps(spec_of(table)), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "spiders.runner", "--spec", str(tmp_path / "spec.json"), "--warc-out",
                           str(tmp_path / "out.warc.gz"), "--stats-out", str(tmp_path / "stats.json")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "'config.politeness.concurrency'" in proc.stderr and proc.stderr.count("\n") == 1
    assert not (tmp_path / "out.warc.gz").exists()
