"""Site files with mistakes: `newsarchive sites` and DAG parsing name the exact file and field of each, and the
other sites' DAGs still load (tests/pipeline/test_sites.py covers single-file validation; this is the folder)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]
HEAD = 'id = "{id}"\nname = "Site {id}"\nbase_url = "https://{id}.example/"\n'


@dataclass(frozen=True)
class Mistake:
    """A site file with one mistake, and the field an error must name."""

    file: str
    text: str
    field: str
    known_bug: str | None = None


MISTAKES = (
    Mistake("unknown-key.toml", HEAD.format(id="unknown") + 'colour = "red"\n', "colour"),
    Mistake("typo-section.toml", HEAD.format(id="typo") + "[politeness]\ndelay = 2\n", "politeness.delay"),
    Mistake("cron-words.toml", HEAD.format(id="cronwords") + 'schedule = "every day"\n', "schedule"),
    Mistake("cron-range.toml", HEAD.format(id="cronrange") + 'schedule = "61 25 * * *"\n', "schedule"),
    Mistake("bad-base-url.toml", 'id = "badurl"\nname = "x"\nbase_url = "ftp://files.example/"\n', "base_url"),
    Mistake("bad-feed-url.toml", HEAD.format(id="badfeed") + '[discovery]\nfeeds = ["javascript:alert(1)"]\n',
            "discovery.feeds[0]"),
    Mistake("bad-regex.toml", HEAD.format(id="badregex") + '[discovery]\narticle_allow = ["(unclosed"]\n',
            "discovery.article_allow[0]"),
    Mistake("bad-checks.toml", HEAD.format(id="badchecks") + "[checks]\nmax_rejected_share = 2\n",
            "checks.max_rejected_share"),
    Mistake("bad-extraction.toml", HEAD.format(id="badextract") + "[extraction]\nmax_elements = 0\n",
            "extraction.max_elements"),
    Mistake("syntax.toml", 'id = "syntax"\nname = \n', "(syntax)"),
    Mistake("zz-duplicate.toml", HEAD.format(id="good"), "id"),
)
GOOD = {"good.toml": HEAD.format(id="good"), "other.toml": HEAD.format(id="other")}


@pytest.fixture(scope="module")
def sites_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mistakes")
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    for mistake in MISTAKES:
        (folder / mistake.file).write_text(mistake.text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cli_output(sites_dir: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
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
    env = {**os.environ, "NEWSARCHIVE_SITES_DIR": str(sites_dir), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    proc = subprocess.run([sys.executable, "-c", PARSE, str(ROOT / "dags" / "news_sites.py")], env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return dict(json.loads(lines[-1][len("RESULT "):]))


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
    assert {"good", "other"} <= listed
    # No file with a (detected) mistake is listed as a site; the duplicate's id is the good file's.
    wrong = [m.file for m in MISTAKES if not m.known_bug and m.text.split('"')[1] in listed - {"good"}]
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
