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
    from clientbook.tier import TierResult


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


def print_tier_json(result: TierResult) -> None:
    """The whole TierResult as JSON on stdout, nothing else."""
    import json

    data = result.model_dump(mode="json")
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_tier_summary(result: TierResult, lang: str, unscored_limit: int = 20) -> None:
    """Clients and AUM per tier, clients per quadrant, top 10, unscored rows: on stdout."""
    from rich.table import Table

    from clientbook.messages import text
    from clientbook.tier import Quadrant, Tier, quadrant_label, tier_label

    def t(key: str, **params: Any) -> str:
        return text(key, lang, **params)

    summary = result.summary
    console = stdout_console()
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
        for key in ("rank", "client_id", "name", "tier", "quadrant", "priority", "reason"):
            top.add_column(t(f"tier.col.{key}"), overflow="fold")
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


def print_tier_done(lines: list[str]) -> None:
    """What happened to the files (written, backed up, dry run): on stderr."""
    for line in lines:
        sys.stderr.write(line + "\n")


# --- backup --------------------------------------------------------------------------


# --- plan ----------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------
