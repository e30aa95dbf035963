"""DAG parsing at many sites: ``dags/news_sites.py`` over N site files (one DAG each), as the dag-processor
parses it, against Airflow's ``[core] dagbag_import_timeout`` and ``[dag_processor] dag_file_processor_timeout``.

A fresh interpreter per measurement imports Airflow and parses a minimal DAG with an Asset outlet first
(Airflow's own one-time start-up, not counted), then times the DagBag import of the file (what
``dagbag_import_timeout`` bounds) and the serialisation of every DAG (the rest of the processor's work on
the file, bounded with the import by ``dag_file_processor_timeout``). The baseline is the same file over
one site file, in the same run: the per-site cost is (T(N) - T(1)) / (N - 1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from scale_support import ROOT

PARSE_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import airflow.sdk
    from airflow.configuration import conf
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization

    DagBag(dag_folder=sys.argv[2])  # Airflow's lazy start-up (providers for Asset URIs), not counted
    started = time.perf_counter()
    bag = DagBag(dag_folder=sys.argv[1])
    imported = time.perf_counter()
    for dag in bag.dags.values():
        DagSerialization.to_dict(dag)
    done = time.perf_counter()
    print("RESULT " + json.dumps({
        "dags": len(bag.dags), "errors": {k: str(v)[:300] for k, v in bag.import_errors.items()},
        "import_s": imported - started, "serialise_s": done - imported,
        "import_timeout_s": conf.getfloat("core", "dagbag_import_timeout"),
        "processor_timeout_s": conf.getfloat("dag_processor", "dag_file_processor_timeout"),
    }))
""")
WARM_UP_DAG = textwrap.dedent("""
    from datetime import datetime
    from airflow.sdk import Asset, dag, task

    @dag(dag_id="warm_up", schedule=None, start_date=datetime(2024, 1, 1))
    def warm_up():
        @task(outlets=[Asset("warmup://asset/x")])
        def t():
            pass
        t()
    warm_up()
""")


@dataclass(frozen=True)
class ParseResult:
    """One parse of the DAG file over ``sites`` site files."""

    sites: int
    dags: int
    import_s: float
    serialise_s: float
    import_timeout_s: float
    processor_timeout_s: float

    @property
    def total_s(self) -> float:
        """Import plus serialisation: the processor's work on the file."""
        return self.import_s + self.serialise_s


def write_sites(folder: Path, count: int, hosts: int = 5) -> None:
    """count generated-site configs in folder (ids s0000...), spread over a few hosts (where sites point
    does not matter for parsing)."""
    from newsarchive.demosite.generated.config import write_site_config

    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        write_site_config(folder, f"http://127.0.0.1:{18000 + n % hosts}/", f"s{n:04d}")


def parse(sites_dir: Path) -> ParseResult:
    """Parse dags/news_sites.py over the site files in sites_dir, in a fresh interpreter."""
    warm_up = sites_dir.parent / "warm_up_dag.py"
    warm_up.write_text(WARM_UP_DAG, encoding="utf-8")
    env = {**os.environ, "NEWSARCHIVE_SITES_DIR": str(sites_dir), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    cmd = [sys.executable, "-c", PARSE_SCRIPT, str(ROOT / "dags" / "news_sites.py"), str(warm_up)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False, cwd=ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"DAG parse failed: {proc.stderr[-3000:]}")
    data = json.loads(lines[-1].removeprefix("RESULT "))
    if data["errors"]:
        raise RuntimeError(f"DAG import errors: {data['errors']}")
    count = len(list(sites_dir.glob("*.toml")))
    return ParseResult(count, data["dags"], data["import_s"], data["serialise_s"], data["import_timeout_s"],
                       data["processor_timeout_s"])


def measure(work: Path, sites: int, repeat: int = 2) -> tuple[ParseResult, ParseResult]:
    """(baseline over one site file, N site files): the faster of ``repeat`` parses each."""
    one, many = work / "sites-1", work / f"sites-{sites}"
    write_sites(one, 1)
    write_sites(many, sites)
    base = min((parse(one) for _ in range(repeat)), key=lambda r: r.total_s)
    big = min((parse(many) for _ in range(repeat)), key=lambda r: r.total_s)
    if big.dags != sites:
        raise RuntimeError(f"{sites} site files gave {big.dags} DAGs")
    return base, big


def report(base: ParseResult, big: ParseResult) -> list[str]:
    """Markdown lines for the parse results."""
    per_site_ms = (big.total_s - base.total_s) / max(big.sites - base.sites, 1) * 1000
    per_import_ms = (big.import_s - base.import_s) / max(big.sites - base.sites, 1) * 1000
    return [
        "| site files | DAGs | import s | serialise s | total s | vs dagbag_import_timeout | vs processor timeout |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(f"| {r.sites:,} | {r.dags:,} | {r.import_s:.3f} | {r.serialise_s:.3f} | {r.total_s:.3f} | "
          f"{r.import_s / r.import_timeout_s:.1%} of {r.import_timeout_s:g} s | "
          f"{r.total_s / r.processor_timeout_s:.1%} of {r.processor_timeout_s:g} s |" for r in (base, big)),
        "",
        f"per site: **{per_site_ms:.1f} ms** ({per_import_ms:.1f} ms import, the rest serialisation); "
        f"{big.sites:,} sites parse in {big.total_s / base.total_s:.1f}x the time of one.",
    ]
