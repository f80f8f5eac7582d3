"""Registers saved by WPS Office (金山 WPS 表格), through the real CLI.

The workbook comes from `wps_fixtures.build_wps_register`: an openpyxl register post-processed
into the shape WPS saves (custom properties, cell images, etc: namespace, shared strings).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from clientbook.cli import app
from libreoffice import SOFFICE, soffice_csv
from wps_fixtures import (
    CLIENT_SHEET,
    DEFECT_CELL,
    DEFECT_ROW,
    ETC_NS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HEADERS,
    IMAGE_IDS,
    WPS_MEMBERS,
    build_wps_register,
    client_rows,
)
from write_fixtures import members

TIER_HEADERS = [
    "客户层级",
    "潜力分",
    "易达分",
    "优先级得分",
    "优先级象限",
    "优先排名",
    "优先级说明",
]
FIRST_NEW = len(HEADERS)  # 0-based index of the first tier column (after 照片)
CLIENT_PART = "xl/worksheets/sheet1.xml"


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLIENTBOOK_VAULT", str(tmp_path / "vault"))
    monkeypatch.delenv("CLIENTBOOK_PASSPHRASE", raising=False)
    monkeypatch.delenv("CLIENTBOOK_BOOK_PASSWORD", raising=False)
    folder = tmp_path / "WPS 名册"
    folder.mkdir()
    return build_wps_register(folder / "客户名册.xlsx")


def tier(runner: CliRunner, book: Path) -> Any:
    return runner.invoke(app, ["tier", str(book), "--no-backup", "--lang", "zh"])


def test_the_fixture_looks_like_a_wps_file(book: Path) -> None:
    parts = members(book)
    assert b"<Application>WPS" in parts["docProps/app.xml"]
    assert b'name="KSOProductBuildVer"><vt:lpwstr>2052-' in parts["docProps/custom.xml"]
    assert b"http://www.wps.cn/officeDocument/2020/cellImage" in parts["xl/_rels/workbook.xml.rels"]
    assert b'xml:space="preserve"' in parts["xl/sharedStrings.xml"]
    sheet = parts[CLIENT_PART].decode()
    assert f'xmlns:etc="{ETC_NS}"' in sheet and "etc:filterBottomFollowUsedRange" in sheet
    assert 't="inlineStr"' not in sheet  # WPS writes shared strings
    for image_id in IMAGE_IDS:
        assert image_id.encode() in parts["xl/cellimages.xml"]
        assert f"_xlfn.DISPIMG(&quot;{image_id}&quot;,1)" in sheet or (
            f'_xlfn.DISPIMG("{image_id}",1)' in sheet
        )


def test_validate_reads_the_wps_register(runner: CliRunner, book: Path) -> None:
    result = runner.invoke(app, ["validate", str(book), "--format", "json"])
    assert result.exit_code == 1, result.output  # one error: the defect
    report = json.loads(result.stdout)
    assert report["sheet"] == CLIENT_SHEET
    assert report["header_row"] == HEADER_ROW
    assert report["rows"] == len(client_rows())
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [(f["code"], f["cell"], f["row"], f["header"]) for f in errors] == [
        ("invalid_id_number", DEFECT_CELL, DEFECT_ROW, "身份证号")
    ]
    # numbers stored as text (客户号, 手机号, an amount) and serial dates raise nothing
    cells = {f["cell"] for f in report["findings"] if f["sheet"] == CLIENT_SHEET}
    assert cells == {DEFECT_CELL}


def test_validate_exit_codes(runner: CliRunner, book: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", str(book)]).exit_code == 1
    clean = build_wps_register(tmp_path / "clean.xlsx", defect=False)
    result = runner.invoke(app, ["validate", str(clean), "--format", "json"])
    assert result.exit_code == 0, result.output  # a warning only
    report = json.loads(result.stdout)
    assert (report["errors"], report["warnings"]) == (0, 1)
    assert report["findings"][0]["code"] == "suitability_mismatch"
    assert runner.invoke(app, ["validate", str(clean), "--strict"]).exit_code == 1
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(book.read_bytes()[: len(book.read_bytes()) // 2])
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def _tier_values(path: Path) -> list[list[Any]]:
    ws = openpyxl.load_workbook(path)[CLIENT_SHEET]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW)]


def test_tier_keeps_every_wps_part(runner: CliRunner, book: Path) -> None:
    before = members(book)
    result = tier(runner, book)
    assert result.exit_code == 0, result.output
    after = members(book)
    assert list(after) == list(before)  # same members, same order
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {CLIENT_PART, "xl/workbook.xml"}, changed
    assert CLIENT_PART in changed
    for name in WPS_MEMBERS:
        assert after[name] == before[name], name
    # the client sheet keeps the WPS namespace, the autoFilter attribute and the image formulas
    sheet = after[CLIENT_PART].decode()
    assert f'xmlns:etc="{ETC_NS}"' in sheet
    assert re.search(r"<autoFilter [^>]*etc:filterBottomFollowUsedRange=\"0\"", sheet)
    for image_id in IMAGE_IDS:
        assert image_id in sheet
    rows = _tier_values(book)
    assert rows[0][:FIRST_NEW] == HEADERS
    assert rows[0][FIRST_NEW : FIRST_NEW + 7] == TIER_HEADERS
    data = rows[FIRST_DATA_ROW - HEADER_ROW :]
    assert len(data) == len(client_rows())
    assert sorted(r[FIRST_NEW + 5] for r in data) == list(range(1, len(data) + 1))
    assert all(r[FIRST_NEW] for r in data)
    assert data[0][8] == f'=_xlfn.DISPIMG("{IMAGE_IDS[0]}",1)'
    assert [r[0] for r in data] == [r[0] for r in client_rows()]


def test_a_second_tier_run_changes_nothing(runner: CliRunner, book: Path) -> None:
    assert tier(runner, book).exit_code == 0
    once = book.read_bytes()
    assert tier(runner, book).exit_code == 0
    assert members(book) == members(once)


def test_openpyxl_and_calamine_read_the_result(runner: CliRunner, book: Path) -> None:
    import python_calamine

    assert tier(runner, book).exit_code == 0
    opened = _tier_values(book)
    sheet = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name(CLIENT_SHEET)
    rows = sheet.to_python()
    header = rows[HEADER_ROW - 1]
    assert list(header[FIRST_NEW : FIRST_NEW + 7]) == TIER_HEADERS
    for r, mine in zip(rows[FIRST_DATA_ROW - 1 :], opened[1:], strict=True):
        assert r[FIRST_NEW] == mine[FIRST_NEW]  # tier
        assert float(r[FIRST_NEW + 5]) == mine[FIRST_NEW + 5]  # rank
        assert r[0] == mine[0]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_the_tiered_wps_register(
    runner: CliRunner, book: Path, tmp_path: Path
) -> None:
    assert SOFFICE is not None
    assert tier(runner, book).exit_code == 0
    expected = _tier_values(book)
    lines = soffice_csv(book, tmp_path)
    assert lines[HEADER_ROW - 1][FIRST_NEW : FIRST_NEW + 7] == TIER_HEADERS
    for line, mine in zip(lines[FIRST_DATA_ROW - 1 :], expected[1:], strict=True):
        assert line[0] == mine[0]
        assert line[FIRST_NEW] == mine[FIRST_NEW]
        assert float(line[FIRST_NEW + 1]) == pytest.approx(mine[FIRST_NEW + 1])
        assert int(line[FIRST_NEW + 5]) == mine[FIRST_NEW + 5]
        assert line[FIRST_NEW + 6] == mine[FIRST_NEW + 6]
