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


# --- plan ----------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------
