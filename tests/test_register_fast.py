"""The fast read path: sheets checked only when read, column-at-a-time typing, same results.

Every workbook is built here with openpyxl (or patched member by member).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from clientbook.cli import app
from clientbook.errors import UnusableFile
from clientbook.register import guard, read
from clientbook.register.read import open_book
from clientbook.register.schema import CLIENTS, CONTACTS, HOLDINGS, FieldType
from clientbook.register.values import ValueProblem, cell_parser, column_parser
from register_fixtures import ZH_HEADERS, client_rows, member_text, patch_member, write_book

FAR = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
DTD = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'


def _hostile(sheet_xml: str) -> bytes:
    """A worksheet with a DTD and a value in XFD1048576 next to its own cells."""
    data = sheet_xml.encode()
    data = data.replace(b"</sheetData>", FAR + b"</sheetData>")
    return data.replace(b"<worksheet", DTD + b"<worksheet", 1)


def _book(path: Path, second: str) -> Path:
    holdings = [["客户号", "产品名称", "金额(万元)"], ["C002", "稳盈1号", 20]]
    return write_book(path, [("客户信息", [ZH_HEADERS, *client_rows()]), (second, holdings)])


def test_a_sheet_that_is_never_read_is_never_inflated(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", "汇总")
    hostile = _hostile(member_text(path, "xl/worksheets/sheet2.xml"))
    patch_member(path, "xl/worksheets/sheet2.xml", hostile)
    book = open_book(path)
    assert [r.client_id for r in book.clients.records] == ["10023", "C002", "C003"]
    assert book.holdings is None and book.sheet_names == ["客户信息", "汇总"]
    result = CliRunner().invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["rows"] == 3


def test_a_sheet_that_is_read_is_checked_first(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", "持仓")
    sheet = member_text(path, "xl/worksheets/sheet2.xml").encode()
    patch_member(
        path, "xl/worksheets/sheet2.xml", sheet.replace(b"</sheetData>", FAR + b"</sheetData>")
    )
    with pytest.raises(UnusableFile) as caught:
        open_book(path)
    assert caught.value.key == "register.sheet_too_sparse"
    assert caught.value.params["sheet"] == "持仓"
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "持仓" in result.stderr and "\n" == result.stderr[-1:]


def test_a_dtd_in_a_sheet_that_is_read_is_refused(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", "持仓")
    hostile = _hostile(member_text(path, "xl/worksheets/sheet2.xml"))
    patch_member(path, "xl/worksheets/sheet2.xml", hostile)
    with pytest.raises(UnusableFile) as caught:
        open_book(path)
    assert caught.value.key == "register.xml_dtd"


def test_ambiguous_sheet_links_mean_every_sheet_is_checked(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", "汇总")
    hostile = _hostile(member_text(path, "xl/worksheets/sheet2.xml"))
    patch_member(path, "xl/worksheets/sheet2.xml", hostile)
    rels = member_text(path, "xl/_rels/workbook.xml.rels")
    first = rels.index("<Relationship ")
    duplicate = rels[first : rels.index(">", first) + 1]
    patch_member(
        path, "xl/_rels/workbook.xml.rels", rels.replace(duplicate, duplicate * 2, 1).encode()
    )
    with open(path, "rb") as handle:
        with pytest.raises(UnusableFile):
            guard.check_package(handle, str(path), defer_sheets=True)
    with pytest.raises(UnusableFile):
        open_book(path)


def test_deferred_sheets_are_named_in_the_package_info(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", "持仓")
    with open(path, "rb") as handle:
        info = guard.check_package(handle, str(path), defer_sheets=True)
        assert sorted(info.deferred) == ["客户信息", "持仓"]
        guard.check_sheet(handle, str(path), info, "no such sheet")  # checks them all
        assert info.deferred == {}
        everything = guard.check_package(handle, str(path))
    assert everything.deferred == {}


def test_a_wide_sheet_takes_the_slower_scan_and_reads(tmp_path: Path) -> None:
    headers = [*ZH_HEADERS, *(f"备用{i}" for i in range(80))]
    rows = [[*row, *range(80)] for row in client_rows()]
    book = open_book(write_book(tmp_path / "wide.xlsx", [("客户信息", [headers, *rows])]))
    assert len(book.clients.records) == 3 and book.clients.columns[-1].letter == "CI"


# --- column-at-a-time typing gives what cell-by-cell typing gives -------------------------

CELLS: list[Any] = [
    "",
    " ",
    "\u3000",
    "  text  ",
    "-",
    ",,",
    "C3",
    "稳健型",
    "男",
    "是",
    "每月",
    "2周",
    "2024/3/5",
    "20240305",
    "1,200",
    "12万",
    "-5",
    "138 0013 8000",
    "8613800138000",
    "13800138000",
    "008613800138000",
    "110101199001011234",
    "11010119900101123x",
    "１３８",
    "基金、保险",
    5.0,
    -3.5,
    0.0,
    45000.0,
    20240305.0,
    1e308,
    float("inf"),
    7,
    True,
    False,
    date(2020, 1, 1),
    datetime(2021, 5, 6, 7, 8, 9),
]


def _cell_by_cell(parse: Any, cells: list[Any]) -> list[Any]:
    out = []
    for value in cells:
        try:
            out.append(("ok", parse(value)))
        except ValueProblem as problem:
            out.append(("problem", problem.code))
    return out


@pytest.mark.parametrize(
    "fld",
    [f for schema in (CLIENTS, HOLDINGS, CONTACTS) for f in schema.fields],
    ids=lambda f: f"{f.key}",
)
@pytest.mark.parametrize("header", [None, "资产规模(元)", "金额(亿元)"])
def test_column_parser_matches_cell_parser(fld: Any, header: str | None) -> None:
    default = () if fld.type is FieldType.LIST else None
    cell = cell_parser(fld, header, default)
    column = column_parser(fld, header, default)
    expected = _cell_by_cell(cell, CELLS)
    for value, want in zip(CELLS, expected, strict=True):
        try:
            got = ("ok", column([value])[0])
        except ValueProblem as problem:
            got = ("problem", problem.code)
        assert got == want and type(got[1]) is type(want[1]), (value, got, want)
    good = [v for v, (status, _) in zip(CELLS, expected, strict=True) if status == "ok"]
    assert column(good * 3) == [cell(v) for v in good * 3]


def _messy_book(path: Path) -> Path:
    rows: list[list[Any]] = [ZH_HEADERS]
    for i in range(60):
        kind = i % 6
        if kind == 0:
            rows.append([None] * len(ZH_HEADERS))  # an empty row
        elif kind == 1:
            rows.append(["  ", "\u3000", None, None, None, None, None])  # spaces only
        elif kind == 2:
            rows.append([f"C{i}", "张三", "男", "not a date", "bad id", "-", "12万"])
        elif kind == 3:
            rows.append([None, None, None, None, None, "-", None])  # a dash: not blank
        else:
            rows.append([f"C{i}", "李四", "女", date(1980, 1, i % 28 + 1), None, 13800138000, i])
    return write_book(path, [("客户信息", rows)])


def test_rows_read_in_chunks_match_rows_read_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _messy_book(tmp_path / "messy.xlsx")
    whole = open_book(path)
    monkeypatch.setattr(read, "_CHUNK_ROWS", 1)
    single = open_book(path)
    monkeypatch.setattr(read, "_CHUNK_ROWS", 7)
    sevens = open_book(path)
    for other in (single, sevens):
        assert other.clients.records == whole.clients.records
        assert other.clients.issues == whole.clients.issues
    rows = [r.row for r in whole.clients.records]
    assert 2 not in rows and 3 not in rows  # the empty and the spaces-only rows
    assert 5 in rows  # the dash row: a record with nothing readable
    assert [(i.row, i.field) for i in whole.clients.issues][:2] == [
        (4, "birth_date"),
        (10, "birth_date"),
    ]
