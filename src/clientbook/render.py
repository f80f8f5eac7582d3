"""The only module that talks to the terminal: tables, progress, JSON/CSV on stdout.

Data goes to stdout; messages and progress to stderr. NO_COLOR is respected.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from clientbook.config import Settings


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
