"""The only module that talks to the terminal: tables, progress, JSON/CSV on stdout.

Data goes to stdout; messages and progress to stderr. NO_COLOR is respected.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from clientbook.annotate import AnnotateResult
    from clientbook.config import Settings
    from clientbook.validate import ValidationReport


def stdout_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, no_color=bool(os.environ.get("NO_COLOR")), soft_wrap=True)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, no_color=bool(os.environ.get("NO_COLOR")), soft_wrap=True)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _toml_lines(data: dict[str, Any], prefix: str = "") -> list[str]:
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, dict)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, dict)]
    lines = [f"{k} = {_toml_value(v)}" for k, v in scalars]
    for key, table in tables:
        name = f"{prefix}{key}"
        lines += ["", f"[{name}]", *_toml_lines(table, name + ".")]
    return lines


def print_settings(settings: Settings) -> None:
    """Effective settings as TOML on stdout."""
    data = settings.model_dump(mode="json", by_alias=True)
    sys.stdout.write("\n".join(_toml_lines(data)).strip() + "\n")


# --- validate ------------------------------------------------------------------------

CSV_COLUMNS = (
    "severity",
    "code",
    "sheet",
    "cell",
    "row",
    "column",
    "field",
    "header",
    "value",
    "message",
)


def print_validation(report: ValidationReport, fmt: str, lang: str) -> None:
    """The report on stdout as a table (default), JSON or CSV; the headline on stderr."""
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps(report.as_json(lang), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        _validation_csv(report, lang)
        return
    _validation_table(report, lang)


def _validation_csv(report: ValidationReport, lang: str) -> None:
    import csv

    from clientbook.export_safety import neutralise_cell

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in report.as_json(lang)["findings"]:
        writer.writerow([neutralise_cell(item[key]) for key in CSV_COLUMNS])


def _validation_table(report: ValidationReport, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from clientbook.messages import text
    from clientbook.validate import Severity, code_title

    err = stderr_console()
    err.print(
        escape(
            text(
                "validate.headline",
                lang,
                file=report.file,
                sheet=report.sheet,
                header_row=report.header_row,
                rows=report.rows,
                errors=report.errors,
                warnings=report.warnings,
            )
        ),
        highlight=False,
    )
    if not report.findings:
        err.print(text("validate.clean", lang), style="green", highlight=False)
        return
    out = stdout_console()
    table = Table(show_lines=False, highlight=False)
    # The message quotes the (masked) value, so the value needs no column of its own.
    for key in ("row", "cell", "severity", "code"):
        table.add_column(text(f"validate.col.{key}", lang), no_wrap=True)
    table.add_column(text("validate.col.message", lang), overflow="fold", ratio=1)
    previous: tuple[str, int | None] | None = None
    for finding in report.findings:
        group = (finding.sheet, finding.row)
        if previous is not None and group != previous:
            table.add_section()
        where = f"{finding.sheet}!{finding.row}" if group != previous else ""
        previous = group
        style = "red" if finding.severity is Severity.error else "yellow"
        table.add_row(
            escape(where),
            escape(finding.cell or ""),
            text(f"validate.severity.{finding.severity.value}", lang),
            finding.code.value,
            escape(finding.message(lang)),
            style=style,
        )
    out.print(table)
    counts = Table(title=text("validate.counts", lang), highlight=False)
    for key in ("code", "title", "severity", "count"):
        counts.add_column(text(f"validate.col.{key}", lang))
    severity = {f.code: f.severity for f in report.findings}
    for code, count in report.counts().items():
        counts.add_row(
            code.value,
            code_title(code, lang),
            text(f"validate.severity.{severity[code].value}", lang),
            str(count),
        )
    out.print(counts)


def print_annotated(result: AnnotateResult, lang: str) -> None:
    """Where the annotated copy went, and what it could not keep (stderr)."""
    from clientbook.messages import text

    err = stderr_console()
    err.print(text("validate.annotated", lang, path=result.path, cells=result.cells), markup=False)
    if result.lost:
        parts = ", ".join(result.lost)
        err.print(text("validate.annotate_lost", lang, parts=parts), markup=False, style="yellow")


# --- tier ----------------------------------------------------------------------------


# --- backup --------------------------------------------------------------------------


# --- plan ----------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------
