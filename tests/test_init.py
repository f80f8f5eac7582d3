"""`clientbook init`: a blank register from the shipped template, never over an existing file."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from clientbook.cli import app
from clientbook.init import TEMPLATE_FILES, build_template, save_reproducibly, sheet_headers
from clientbook.register.schema import CLIENT_FIELDS, HOLDING_FIELDS, FieldType

ROOT = Path(__file__).resolve().parents[1]
ZH_ENV = {"CLIENTBOOK_LANG": "zh", "LANG": "C.UTF-8"}


def _dropdowns(ws: object) -> dict[str, list[str]]:
    """First column letter of each list validation -> its entries."""
    result = {}
    for dv in ws.data_validations.dataValidation:  # type: ignore[attr-defined]
        assert dv.type == "list"
        first = str(dv.sqref).split(":")[0]
        result[first.rstrip("0123456789")] = dv.formula1.strip('"').split(",")
        assert str(dv.sqref).endswith("5000")
    return result


def test_init_writes_a_styled_blank_register(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"], env=ZH_ENV)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "客户名册.xlsx" in result.stderr and "clientbook validate" in result.stderr

    wb = openpyxl.load_workbook(tmp_path / "客户名册.xlsx")
    assert wb.sheetnames[:3] == ["客户", "持仓", "联系记录"]
    ws = wb["客户"]
    headers = [c.value for c in ws[1]]
    assert headers == sheet_headers("clients", "zh")
    assert len(headers) == len(CLIENT_FIELDS)
    assert "资产规模(万元)" in headers and "距网点(公里)" in headers
    assert ws.max_row == 1  # blank: no example row
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}1"
    assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("FCE4D6")
    assert ws["A1"].alignment.wrap_text and ws["A1"].border.left.style == "thin"
    assert ws.column_dimensions["E"].width == 21  # 身份证号

    letters = {f.key: openpyxl.utils.get_column_letter(i) for i, f in enumerate(CLIENT_FIELDS, 1)}
    for fld in CLIENT_FIELDS:
        fmt = ws.column_dimensions[letters[fld.key]].number_format
        if fld.type is FieldType.DATE:
            assert fmt == "yyyy-mm-dd", fld.key
    assert ws.column_dimensions[letters["id_number"]].number_format == "@"

    dropdowns = _dropdowns(ws)
    assert dropdowns[letters["gender"]] == ["男", "女"]
    assert dropdowns[letters["risk_level"]][0] == "C1 保守型"
    assert dropdowns[letters["risk_level"]][-1] == "C5 激进型"
    assert dropdowns[letters["confidential"]] == ["是", "否"]
    assert set(dropdowns) == {
        letters[k]
        for k in ("gender", "risk_level", "horizon", "channel", "contact_every", "confidential")
    }
    holdings = wb["持仓"]
    assert [c.value for c in holdings[1]] == sheet_headers("holdings", "zh")
    assert _dropdowns(holdings) == {"C": ["R1", "R2", "R3", "R4", "R5"]}
    assert holdings.freeze_panes == "A2"
    assert [c.value for c in wb["联系记录"][1]] == ["客户号", "日期", "方式", "内容"]


def test_dropdown_entries_parse_as_schema_choices() -> None:
    """Every dropdown entry is a choice's own label, so the reader maps it to a value."""
    for lang in ("zh", "en"):
        wb = build_template(lang)
        for ws, fields in ((wb.worksheets[0], CLIENT_FIELDS), (wb.worksheets[1], HOLDING_FIELDS)):
            by_letter = {openpyxl.utils.get_column_letter(i): f for i, f in enumerate(fields, 1)}
            for col, entries in _dropdowns(ws).items():
                fld = by_letter[col]
                labels = [c.en if lang == "en" else c.zh for c in fld.choices]
                assert entries == labels
                for entry, choice in zip(entries, fld.choices, strict=True):
                    assert entry in (choice.zh, choice.en, *choice.aliases)


def test_init_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    book = tmp_path / "客户名册.xlsx"
    book.write_bytes(b"my precious register")
    result = runner.invoke(app, ["init", str(book)], env=ZH_ENV)
    assert result.exit_code == 2
    assert "已存在" in result.stderr and "--force" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert book.read_bytes() == b"my precious register"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["客户名册.xlsx"]


def test_force_replaces_and_keeps_the_old_file(runner: CliRunner, tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"old one")
    (tmp_path / "book.old.xlsx").write_bytes(b"older one")
    result = runner.invoke(app, ["init", str(book), "--force", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "book.old-2.xlsx" in result.stderr
    assert (tmp_path / "book.old-2.xlsx").read_bytes() == b"old one"
    assert (tmp_path / "book.old.xlsx").read_bytes() == b"older one"
    assert openpyxl.load_workbook(book).sheetnames[0] == "Clients"


def test_english_register(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Created an empty client register" in result.stderr
    wb = openpyxl.load_workbook(tmp_path / "client_register.xlsx")
    assert wb.sheetnames[:3] == ["Clients", "Holdings", "Contacts"]
    ws = wb["Clients"]
    assert [c.value for c in ws[1]][:3] == ["Client ID", "Name", "Gender"]
    assert "AUM (10k CNY)" in [c.value for c in ws[1]]
    assert _dropdowns(ws)["C"] == ["M", "F"]


def test_chinese_path_with_spaces(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "理财 客户" / "2026 年"
    folder.mkdir(parents=True)
    target = folder / "王经理 客户名册.xlsx"
    result = runner.invoke(app, ["init", str(target), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert f'clientbook validate "{target}"' in result.stderr
    assert openpyxl.load_workbook(target)["客户"]["A1"].value == "客户号"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("book.xls", "必须是 .xlsx"), ("missing folder/book.xlsx", "不存在")],
)
def test_unusable_targets_are_one_line_errors(
    runner: CliRunner, tmp_path: Path, name: str, expected: str
) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / name), "--lang", "zh"])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_committed_templates_are_up_to_date(tmp_path: Path) -> None:
    """templates/*.xlsx are what build_template makes now (same XML, part by part)."""
    for lang, name in TEMPLATE_FILES.items():
        fresh = tmp_path / name
        save_reproducibly(build_template(lang), fresh)
        with zipfile.ZipFile(fresh) as new, zipfile.ZipFile(ROOT / "templates" / name) as old:
            assert new.namelist() == old.namelist()
            for part in new.namelist():
                assert new.read(part) == old.read(part), (name, part)


def test_templates_ship_in_the_wheel() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for name in TEMPLATE_FILES.values():
        assert mapping[f"templates/{name}"] == f"clientbook/templates/{name}"
        assert (ROOT / "templates" / name).is_file()
