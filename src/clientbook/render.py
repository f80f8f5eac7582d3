"""The only module that talks to the terminal: tables, progress, JSON/CSV on stdout.

Data goes to stdout; messages and progress to stderr. NO_COLOR is respected.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from clientbook.annotate import AnnotateResult
    from clientbook.config import Settings
    from clientbook.register.written import WriteResult
    from clientbook.tier import ClientScore, TierResult
    from clientbook.validate import ValidationReport


def utf8_streams() -> None:
    """Make stdout and stderr UTF-8 when they go to a file or a pipe.

    Redirected output otherwise uses the locale's code page (cp1252 on an English Windows,
    cp936 on a Chinese one), where Chinese text or a dash crash the write with a
    UnicodeEncodeError: a traceback instead of the JSON/CSV the spec promises in UTF-8.
    A terminal keeps its encoding (the Windows console is UTF-16 already) and replaces
    what it cannot show instead of failing.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = str(getattr(stream, "encoding", "") or "").lower().replace("_", "-")
        if reconfigure is None or encoding in ("utf-8", "utf8"):
            continue
        try:
            interactive = stream.isatty()
        except (OSError, ValueError):
            interactive = False
        if interactive:
            reconfigure(errors="replace")
        else:
            reconfigure(encoding="utf-8")


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


@contextlib.contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner with `message` on stderr while long work runs; terminals only."""
    console = stderr_console()
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


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

    if not _is_terminal(sys.stdout):
        # Redirected to a file (`> findings.csv`): a UTF-8 byte order mark, without which
        # Excel reads the file in the system's code page and the Chinese comes out garbled.
        sys.stdout.write("\ufeff")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in report.as_json(lang)["findings"]:
        writer.writerow([neutralise_cell(item[key]) for key in CSV_COLUMNS])


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


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
    if result.previous is not None:
        err.print(
            text("write.previous_kept", lang, path=result.path, previous=result.previous),
            markup=False,
        )
    if result.lost:
        sep = ", " if lang == "en" else "、"
        parts = sep.join(text(f"validate.part.{kind}", lang) for kind in result.lost)
        err.print(text("validate.annotate_lost", lang, parts=parts), markup=False, style="yellow")


# --- tier ----------------------------------------------------------------------------


def print_tier_json(
    result: TierResult, clients: Iterable[Sequence[ClientScore]] | None = None
) -> None:
    """The whole TierResult as JSON on stdout, nothing else (= model_dump(mode="json")).

    Serialised by pydantic-core directly, a thousand clients at a time: for 100,000 clients
    the text (over 100 MB) is never all in memory. `clients`: the result's clients in
    slices when it does not list them itself (TierRun.client_slices()).
    """
    for piece in result.json_chunks(clients=clients):
        sys.stdout.write(piece)
    sys.stdout.write("\n")


def print_tier_summary(result: TierResult, lang: str, unscored_limit: int = 20) -> None:
    """Clients and AUM per tier, clients per quadrant, top 10, unscored rows: on stdout."""
    from rich.table import Table

    from clientbook.messages import text
    from clientbook.tier import Quadrant, Tier, quadrant_label, tier_label

    def t(key: str, **params: Any) -> str:
        return text(key, lang, **params)

    summary = result.summary
    console = stdout_console()
    if not console.is_terminal:  # piped or redirected: room for the reasons on one line
        console.width = max(console.width, 160)
    console.print(
        t(
            "tier.summary.title",
            file=result.file,
            sheet=result.sheet,
            scored=summary.scored,
            unscored=summary.unscored,
        ),
        markup=False,
        highlight=False,
    )

    tiers = Table(title=t("tier.summary.per_tier"), title_justify="left")
    tiers.add_column(t("tier.col.tier"))
    tiers.add_column(t("tier.col.clients"), justify="right")
    tiers.add_column(t("tier.col.aum"), justify="right")
    for tier in Tier:
        tiers.add_row(
            tier_label(tier, lang),
            str(summary.clients_per_tier[tier]),
            f"{summary.aum_per_tier[tier]:,.2f}",
        )
    tiers.add_row(
        t("tier.summary.total"),
        str(summary.scored),
        f"{sum(summary.aum_per_tier.values()):,.2f}",
    )
    console.print(tiers)

    quadrants = Table(title=t("tier.summary.per_quadrant"), title_justify="left")
    quadrants.add_column(t("tier.col.quadrant"))
    quadrants.add_column(t("tier.col.clients"), justify="right")
    for quadrant in Quadrant:
        quadrants.add_row(
            quadrant_label(quadrant, lang), str(summary.clients_per_quadrant[quadrant])
        )
    console.print(quadrants)

    if summary.top:
        top = Table(title=t("tier.summary.top"), title_justify="left")
        for key in ("rank", "client_id", "name", "tier", "quadrant", "priority"):
            top.add_column(t(f"tier.col.{key}"), no_wrap=True)
        top.add_column(t("tier.col.reason"), overflow="fold", ratio=1, min_width=20)
        for entry in summary.top:
            top.add_row(
                str(entry.rank),
                entry.client_id,
                entry.name or "",
                tier_label(entry.tier, lang),
                quadrant_label(entry.quadrant, lang),
                f"{entry.priority:.1f}",
                entry.reason,
            )
        console.print(top)

    if result.unscored:
        unscored = Table(title=t("tier.summary.unscored"), title_justify="left")
        unscored.add_column(t("tier.col.row"), justify="right")
        unscored.add_column(t("tier.col.client_id"))
        unscored.add_column(t("tier.col.why"), overflow="fold")
        for row in result.unscored[:unscored_limit]:
            unscored.add_row(str(row.row), row.client_id or "", row.render(lang))
        console.print(unscored)
        if len(result.unscored) > unscored_limit:
            more = len(result.unscored) - unscored_limit
            console.print(t("tier.summary.unscored_more", count=more), markup=False)


@contextlib.contextmanager
def tier_progress(lang: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the step (reading, scoring, writing); terminals only."""
    from clientbook.messages import text

    console = stderr_console()
    if not console.is_terminal:
        yield lambda step: None
        return
    with console.status(text("tier.step.reading", lang)) as status:
        yield lambda step: status.update(text(f"tier.step.{step}", lang))


def print_tier_done(
    write: WriteResult,
    lang: str,
    *,
    new_file: bool = False,
    snapshot: str | None = None,
    vault: object = None,
    no_backup: bool = False,
) -> None:
    """What happened to the files (dry run, new file, written, backed up): on stderr."""
    from clientbook.messages import text

    headers = ", ".join(column.header for column in write.columns)
    if write.dry_run:
        lines = [text("tier.done.dry_run", lang)]
    elif new_file:
        lines = [text("tier.done.output", lang, path=write.output)]
    else:
        count = len(write.columns)
        lines = [text("tier.done.written", lang, path=write.output, count=count, headers=headers)]
    if write.previous is not None:
        lines.append(text("write.previous_kept", lang, path=write.output, previous=write.previous))
    if snapshot is not None:
        lines.append(text("tier.done.backup", lang, vault=vault, snapshot=snapshot))
    elif no_backup:
        lines.append(text("tier.done.no_backup", lang))
    for line in lines:
        sys.stderr.write(line + "\n")


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
