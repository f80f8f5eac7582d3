"""clientbook.toml as typed settings: beside the book, or --config FILE.

Each command's section is a pydantic model with defaults; unknown keys and bad values
are a ConfigError naming the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from clientbook.errors import ConfigError

CONFIG_NAME = "clientbook.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ValidateSettings(_Section):
    risk_validity_days: int = Field(365, ge=1, le=3650)
    max_age: int = Field(120, ge=1, le=150)


# --- tier ----------------------------------------------------------------------------


class TierBands(_Section):
    """Lowest AUM (万元) of tiers A, B and C; below C is tier D."""

    A: float = Field(1000, ge=0)
    B: float = Field(500, ge=0)
    C: float = Field(100, ge=0)

    @model_validator(mode="after")
    def _descending(self) -> TierBands:
        if not self.A > self.B > self.C:
            raise ValueError(
                "bands must be descending, A > B > C (万元) / 分层下限必须递减：A > B > C"
            )
        return self


class _Weights(_Section):
    @model_validator(mode="after")
    def _positive_sum(self) -> _Weights:
        if sum(self.as_dict().values()) <= 0:
            raise ValueError("at least one weight must be > 0 / 至少一个权重须大于 0")
        return self

    def as_dict(self) -> dict[str, float]:
        return {key: float(value) for key, value in self.model_dump().items()}


class PotentialWeights(_Weights):
    """How much each indicator counts in the potential score (normalised by their sum)."""

    aum: float = Field(0.20, ge=0)
    assets_elsewhere: float = Field(0.15, ge=0)
    income: float = Field(0.15, ge=0)
    growth: float = Field(0.15, ge=0)
    age: float = Field(0.10, ge=0)
    occupation: float = Field(0.10, ge=0)
    education: float = Field(0.05, ge=0)
    product_gap: float = Field(0.10, ge=0)


class EaseWeights(_Weights):
    """How much each indicator counts in the ease score (normalised by their sum)."""

    recency: float = Field(0.35, ge=0)
    products: float = Field(0.15, ge=0)
    tenure: float = Field(0.20, ge=0)
    distance: float = Field(0.15, ge=0)
    reachability: float = Field(0.15, ge=0)


class PriorityWeights(_Weights):
    """Priority score = potential·w + ease·w (normalised by their sum)."""

    potential: float = Field(0.6, ge=0)
    ease: float = Field(0.4, ge=0)


class TierSettings(_Section):
    quadrant_threshold: float = Field(50, ge=0, le=100)
    high_margin_products: list[str] = Field(
        default_factory=lambda: [
            "私募",
            "信托",
            "保险",
            "基金",
            "理财",
            "private",
            "trust",
            "insurance",
            "fund",
            "wealth management",
        ]
    )
    owner_keywords: list[str] = Field(
        default_factory=lambda: [
            "企业主",
            "老板",
            "董事长",
            "总经理",
            "总裁",
            "创始人",
            "合伙人",
            "高管",
            "个体",
            "私营",
            "business owner",
            "owner",
            "founder",
            "ceo",
            "chairman",
            "executive",
            "partner",
            "director",
            "entrepreneur",
        ]
    )
    professional_keywords: list[str] = Field(
        default_factory=lambda: [
            "医生",
            "医师",
            "律师",
            "教授",
            "工程师",
            "会计师",
            "建筑师",
            "公务员",
            "飞行员",
            "经理",
            "教师",
            "研究员",
            "doctor",
            "physician",
            "surgeon",
            "dentist",
            "lawyer",
            "attorney",
            "professor",
            "engineer",
            "accountant",
            "architect",
            "civil servant",
            "pilot",
            "manager",
            "teacher",
            "researcher",
        ]
    )
    bands: TierBands = Field(default_factory=TierBands)
    potential_weights: PotentialWeights = Field(default_factory=PotentialWeights)
    ease_weights: EaseWeights = Field(default_factory=EaseWeights)
    priority_weights: PriorityWeights = Field(default_factory=PriorityWeights)


class Settings(_Section):
    validate_: ValidateSettings = Field(default_factory=ValidateSettings, alias="validate")
    tier: TierSettings = Field(default_factory=TierSettings)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def load_settings(book: Path | None = None, config_file: Path | None = None) -> Settings:
    """Settings from --config FILE, else clientbook.toml beside the book (or in the current
    folder when no book is named), else defaults."""
    path = config_file
    if path is None:
        beside = (book.parent if book is not None else Path(".")) / CONFIG_NAME
        path = beside if beside.is_file() else None
    if path is None:
        return Settings()
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise ConfigError("error.config_file", path=str(path)) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("error.config_syntax", path=str(path), detail=str(exc)) from exc
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        reason = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            raise ConfigError("error.config_unknown_key", setting=key, path=str(path)) from exc
        raise ConfigError(setting=key, reason=reason, path=str(path)) from exc
