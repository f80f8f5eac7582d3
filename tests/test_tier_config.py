"""The [tier] section of clientbook.toml: shown by `config show`, validated with the key named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientbook.cli import app
from clientbook.config import TierSettings, load_settings


def test_config_show_prints_the_tier_section(runner: CliRunner) -> None:
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    shown = tomllib.loads(result.stdout)["tier"]
    assert shown["quadrant_threshold"] == 50
    assert shown["bands"] == {"A": 1000, "B": 500, "C": 100}
    assert shown["priority_weights"] == {"potential": 0.6, "ease": 0.4}
    assert set(shown["potential_weights"]) == {
        "aum", "assets_elsewhere", "income", "growth", "age", "occupation", "education",
        "product_gap",
    }  # fmt: skip
    assert set(shown["ease_weights"]) == {
        "recency",
        "products",
        "tenure",
        "distance",
        "reachability",
    }
    assert "信托" in shown["high_margin_products"]


def test_config_beside_the_book_overrides_defaults(tmp_path: Path) -> None:
    (tmp_path / "clientbook.toml").write_text(
        "[tier]\nquadrant_threshold = 60\n[tier.bands]\nA = 3000\nB = 800\nC = 200\n"
        "[tier.potential_weights]\naum = 1\n",
        encoding="utf-8",
    )
    tier = load_settings(tmp_path / "book.xlsx").tier
    assert tier.quadrant_threshold == 60
    assert (tier.bands.A, tier.bands.B, tier.bands.C) == (3000, 800, 200)
    assert tier.potential_weights.aum == 1
    assert tier.potential_weights.income == 0.15  # the rest keep their defaults


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[tier.bands]\nA = 500\nB = 500\n", "tier.bands"),  # not descending
        ("[tier.bands]\nC = -1\n", "tier.bands.C"),
        ("[tier.potential_weights]\nincome = -0.1\n", "tier.potential_weights.income"),
        (
            "[tier.ease_weights]\nrecency = 0\nproducts = 0\ntenure = 0\ndistance = 0\n"
            "reachability = 0\n",
            "tier.ease_weights",
        ),
        ("[tier.priority_weights]\npotential = 0\nease = 0\n", "tier.priority_weights"),
        ("[tier]\nquadrant_threshold = 150\n", "tier.quadrant_threshold"),
        ("[tier.ease_weights]\nfriendliness = 1\n", "tier.ease_weights.friendliness"),
        ('[tier.bands]\nA = "lots"\n', "tier.bands.A"),
    ],
)
def test_invalid_tier_settings_name_the_key(
    runner: CliRunner, tmp_path: Path, toml: str, key: str
) -> None:
    cfg = tmp_path / "clientbook.toml"
    cfg.write_text(toml, encoding="utf-8")
    result = runner.invoke(app, ["config", "show", "--config", str(cfg)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert f"配置项 {key} 无效：" in line or f"Invalid setting {key}: " in line
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_the_readme_example_is_a_valid_config(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- tier -->", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    cfg = tmp_path / "clientbook.toml"
    cfg.write_text(example, encoding="utf-8")
    tier = load_settings(config_file=cfg).tier
    assert (tier.bands.A, tier.quadrant_threshold, tier.potential_weights.age) == (3000, 60, 0)
    assert tier.priority_weights.potential == 0.7


def test_the_readme_lists_the_default_weights() -> None:
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = " ".join(readme.split("<!-- tier -->", 1)[1].split("Default weights", 1)[1].split())
    potential, ease = section.split("ease:", 1)
    defaults = TierSettings()
    for text, weights in (
        (potential, defaults.potential_weights.as_dict()),
        (ease, defaults.ease_weights.as_dict()),
    ):
        for key, value in weights.items():
            assert re.search(rf"\b{key} {value:.2f}\b", text), key
