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
        sep = ", " if lang == "en" else "、"
        parts = sep.join(text(f"validate.part.{kind}", lang) for kind in result.lost)
        err.print(text("validate.annotate_lost", lang, parts=parts), markup=False, style="yellow")


# --- tier ----------------------------------------------------------------------------


# --- backup --------------------------------------------------------------------------


if TYPE_CHECKING:
    from pathlib import Path

    from clientbook.vault.store import CreateResult, PruneResult, Snapshot, VerifyReport


def _short(snapshot_id: str) -> str:
    return snapshot_id[:8]


def print_backup_created(result: CreateResult, vault_dir: Path, lang: str) -> None:
    """One line per new snapshot on stdout; where the vault is on stderr."""
    from clientbook.messages import text

    for snap in result.snapshots:
        line = text(
            "vault.created",
            lang,
            book=snap.book,
            id=_short(snap.id),
            size=snap.size,
            sha=snap.sha256[:12],
        )
        sys.stdout.write(line + "\n")
        if snap.id in result.reused:
            sys.stdout.write(text("vault.reused", lang) + "\n")
    sys.stderr.write(text("vault.vault_at", lang, path=vault_dir) + "\n")


def print_snapshots(snapshots: list[Snapshot], fmt: str, lang: str) -> None:
    """The snapshot list: a JSON array (model_dump) or a table."""
    import json

    from clientbook.messages import text

    if fmt == "json":
        data = [s.model_dump(mode="json") for s in snapshots]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if not snapshots:
        sys.stderr.write(text("vault.empty", lang) + "\n")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for key in ("id", "created", "book", "size", "sha256"):
        table.add_column(
            text(f"vault.col.{key}", lang), justify="right" if key == "size" else "left"
        )
    for snap in snapshots:
        table.add_row(
            _short(snap.id),
            snap.created.strftime("%Y-%m-%d %H:%M:%S"),
            snap.book,
            f"{snap.size:,}",
            snap.sha256[:12],
        )
    stdout_console().print(table)


def print_verified(snap: Snapshot, lang: str) -> None:
    from clientbook.messages import text

    line = text("vault.verified", lang, id=_short(snap.id), book=snap.book, size=snap.size)
    sys.stdout.write(line + "\n")


def print_verify_report(report: VerifyReport, lang: str) -> None:
    """Every verified snapshot on stdout, then the damaged ones on stderr."""
    from clientbook.messages import text

    for snap in report.ok:
        print_verified(snap, lang)
    if not report.ok and not report.damaged:
        sys.stderr.write(text("vault.empty", lang) + "\n")
    for bad in report.damaged:
        reason = text(bad.reason, lang, snapshot=_short(bad.id), path="")
        sys.stderr.write(
            text("vault.verify_damaged", lang, id=_short(bad.id), book=bad.book, reason=reason)
            + "\n"
        )


def print_restored(snapshot_id: str, path: Path, lang: str) -> None:
    from clientbook.messages import text

    sys.stdout.write(text("vault.restored", lang, id=snapshot_id, path=path) + "\n")


def print_prune(result: PruneResult, lang: str) -> None:
    """Each snapshot with keep/forget and the rules that keep it, then a summary."""
    from rich.table import Table

    from clientbook.messages import text

    rows = [(s, True) for s in result.keep] + [(s, False) for s in result.forget]
    rows.sort(key=lambda row: (row[0].created, row[0].id), reverse=True)
    if rows:
        table = Table(box=None, pad_edge=False)
        for key in ("id", "created", "book"):
            table.add_column(text(f"vault.col.{key}", lang))
        table.add_column("")
        table.add_column(text("vault.col.reason", lang))
        for snap, kept in rows:
            why = ", ".join(
                text(f"vault.reason.{r}", lang) for r in result.reasons.get(snap.id, [])
            )
            table.add_row(
                _short(snap.id),
                snap.created.strftime("%Y-%m-%d %H:%M"),
                snap.book,
                text("vault.keep" if kept else "vault.forget", lang),
                why,
            )
        stdout_console().print(table)
    key = "vault.prune_dry_run" if result.dry_run else "vault.prune_summary"
    summary = text(
        key, lang, keep=len(result.keep), forget=len(result.forget), files=result.removed_files
    )
    sys.stderr.write(summary + "\n")


# --- plan ----------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------
