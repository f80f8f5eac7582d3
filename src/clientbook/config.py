"""clientbook.toml as typed settings: beside the book, or --config FILE.

Each command's section is a pydantic model with defaults; unknown keys and bad values
are a ConfigError naming the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clientbook.errors import ConfigError

CONFIG_NAME = "clientbook.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ValidateSettings(_Section):
    risk_validity_days: int = Field(365, ge=1, le=3650)
    max_age: int = Field(120, ge=1, le=150)


class Settings(_Section):
    validate_: ValidateSettings = Field(default_factory=ValidateSettings, alias="validate")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def load_settings(book: Path | None = None, config_file: Path | None = None) -> Settings:
    """Settings from --config FILE, else clientbook.toml beside the book, else defaults."""
    path = config_file
    if path is None and book is not None:
        beside = book.parent / CONFIG_NAME
        path = beside if beside.is_file() else None
    if path is None:
        return Settings()
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(key=str(path), reason="file not found / 文件不存在") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(key=str(path), reason=str(exc)) from exc
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(key=key, reason=first["msg"]) from exc
