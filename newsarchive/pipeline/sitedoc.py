"""docs/sites.md, generated from the site model: every field's type, default, range and meaning.

`newsarchive sites --reference` prints it; tests/pipeline/test_sites.py checks the committed file matches.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from newsarchive.pipeline.siteerrors import describe
from newsarchive.pipeline.sitefields import ENV_PREFIX, ENV_SECRET_WORDS
from newsarchive.pipeline.sites import MAX_FILE_BYTES, SiteConfig

HEADER = f"""\
# Site files: the reference

<!-- Generated from the site model (newsarchive/pipeline/sites.py) by `newsarchive sites --reference > docs/sites.md`;
     do not edit by hand: tests/pipeline/test_sites.py fails when this file and the model disagree. -->

A news site is one TOML file in `sites/` (or `$NEWSARCHIVE_SITES_DIR`): data only, no code. Copy
`sites/demo.toml`, then run `newsarchive sites`: it lists every site and prints each mistake as
`INVALID <file>: <field>: <problem>` (exit 1). The same model validates the file everywhere: the DAG factory
(a broken file gets no DAG and never hides the other sites' DAGs), the News archive page in the Airflow UI
(which lists broken files with their reason), the stages, and the spider (which receives the whole config in
its crawl spec and accepts exactly the files `newsarchive sites` accepts). A task that meets a file broken
since the DAG was parsed fails at once, without retries, naming the file and the field.

Adding a site step by step, and what the spider does with `[discovery]`, `[updates]` and `[politeness]`:
[crawling.md](crawling.md).

## Rules for every file

- UTF-8 text, a regular file of at most {MAX_FILE_BYTES:,} bytes; hidden files (`.name.toml`) are ignored.
  A file that cannot be read, decoded or parsed is reported as `(file)`, `(encoding)` or `(syntax)`.
- Unknown keys are mistakes (a typo must not pass silently). Types are exact: `"5"` is not a number, `1` is
  not `true`, a TOML date-time is not a date. NaN and infinities are refused. Lists are TOML arrays.
- URLs: absolute `http(s)://host[:port]/...` or relative to `base_url`; the port must be 1-65535, and a
  `user:password@` part is refused (it would be sent to the site and stored in every WARC).
- `base_url` may use `${{VAR}}` or `${{VAR:-default}}` for variables named `{ENV_PREFIX}*` only (for example
  `${{NEWSARCHIVE_DEMO_PORT:-8765}}`); any other variable, or one whose name contains
  {", ".join(ENV_SECRET_WORDS)}, is refused, so a site file cannot copy a worker's secrets into requests.
- `article_allow` / `article_deny` are regular expressions searched in the URL's path, in RE2 syntax:
  matching takes linear time whatever the pattern (no catastrophic backtracking), so backreferences and
  lookaround are refused with the reason; `\\d` and `\\w` match ASCII, as URL paths are.
- `schedule` is a 5-field cron expression in the site's time zone (it must fire on some day: `0 0 31 2 *`
  is refused) or one of the presets; `none` means manual runs and backfills only.

"""


def reference() -> str:
    """The whole of docs/sites.md."""
    parts = [HEADER, _table("Top level", SiteConfig, tables=False)]
    for name, info in SiteConfig.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            parts.append(_table(f"[{name}]", sub, tables=True, doc=(sub.__doc__ or "").strip()))
    return "\n".join(parts)


def _table(title: str, model: type[BaseModel], tables: bool, doc: str = "") -> str:
    lines = [f"## {title}", ""]
    if doc:
        text = " ".join(line.strip() for line in doc.splitlines() if line.strip())
        text = text.removeprefix(f"{title}: ")
        lines += [text[:1].upper() + text[1:], ""]
    lines += ["| key | type | default | range | meaning |", "| --- | --- | --- | --- | --- |"]
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if not tables and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            continue
        noun, bounds = describe(info)
        row = [f"`{info.alias or name}`", noun, _default(info), bounds or "-", info.description or ""]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    value = info.default if info.default_factory is None else None
    if value is PydanticUndefined or value is None:
        return "-"
    return f"`{_toml(value)}`"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:_}"
    return f"{value:g}" if isinstance(value, float) and not value.is_integer() else str(value)
