"""open_book() on real workbooks written with openpyxl (and LibreOffice)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from clientbook.errors import NoHeaderRow, UnusableFile, WrongPassword
from clientbook.register.model import Book, ClientRecord
from clientbook.register.read import PASSWORD_ENV, book_password, latest_contacts, open_book
from register_fixtures import (
    EN_HEADERS,
    ID_F,
    ID_M,
    ZH_HEADERS,
    client_rows,
    encrypt,
    member_text,
    patch_member,
    simple_register,
    write_book,
)


def by_id(book: Book) -> dict[str | None, ClientRecord]:
    return {r.client_id: r for r in book.clients.records}


def test_reads_a_chinese_register(tmp_path: Path) -> None:
    book = open_book(simple_register(tmp_path / "名册 2026.xlsx"))
    assert book.format == "xlsx" and book.lang == "zh" and not book.encrypted
    assert book.sheet_names == ["客户信息"]
    sheet = book.clients
    assert sheet.name == "客户信息" and sheet.kind == "clients" and sheet.header_row == 1
    assert [(c.letter, c.field) for c in sheet.columns] == [
        ("A", "client_id"),
        ("B", "name"),
        ("C", "gender"),
        ("D", "birth_date"),
        ("E", "id_number"),
        ("F", "mobile"),
        ("G", "aum"),
    ]
    assert sheet.missing_required == [] and sheet.issues == []
    rows = by_id(book)
    assert list(rows) == ["10023", "C002", "C003"]  # a number cell reads as "10023"
    first = rows["10023"]
    assert first.row == 2 and first.name == "张三" and first.gender == "M"
    assert first.birth_date == date(1980, 1, 1) and first.mobile == "13800138000"
    assert first.aum == 1200.0 and not first.birth_from_id
    second = rows["C002"]
    assert second.birth_date == date(1949, 12, 31) and second.mobile == "13900000001"
    assert second.aum == 12000.0
    assert sheet.cell("aum", second.row) == "G3"


def test_fills_birth_date_and_gender_from_the_id_number(tmp_path: Path) -> None:
    rows = by_id(open_book(simple_register(tmp_path / "r.xlsx")))
    third = rows["C003"]
    assert third.birth_date == date(1949, 12, 31) and third.birth_from_id
    assert third.gender == "F" and third.gender_from_id
    assert third.mobile == "13900000002" and third.aum == 500.0
    assert not rows["10023"].birth_from_id and not rows["10023"].gender_from_id


def test_does_not_fill_from_an_invalid_id_or_over_an_invalid_cell(tmp_path: Path) -> None:
    rows = [
        ZH_HEADERS,
        ["A1", "甲", None, None, "110105194912310021", None, 1],  # bad check digit
        ["A2", "乙", "未知", "明年", ID_F, None, 1],  # cells present but invalid
    ]
    book = open_book(write_book(tmp_path / "r.xlsx", [("客户", rows)]))
    a1, a2 = book.clients.records
    assert a1.birth_date is None and a1.gender is None and not a1.birth_from_id
    assert a2.birth_date is None and a2.gender is None and not a2.gender_from_id
    assert {(i.code, i.field, i.row, i.raw) for i in book.clients.issues} == {
        ("invalid_choice", "gender", 3, "未知"),
        ("invalid_date", "birth_date", 3, "明年"),
    }


def test_english_headers_set_the_language(tmp_path: Path) -> None:
    book = open_book(simple_register(tmp_path / "en.xlsx", EN_HEADERS))
    assert book.lang == "en"
    assert [c.field for c in book.clients.columns][:3] == ["client_id", "name", "gender"]
    assert by_id(book)["C002"].aum == 12000.0


def test_headers_with_spaces_full_width_units_and_aliases(tmp_path: Path) -> None:
    headers = [
        "客 户 编 号",
        "姓名",
        "ＡＵＭ（１０ｋ　ＣＮＹ）",
        "距网点（公里）",
        "联系电话",
        "Notes",
    ]
    rows = [headers, ["X1", "赵六", "80", "3.5", "13800138000", "VIP"]]
    book = open_book(write_book(tmp_path / "r.xlsx", [("Clients", rows)]))
    assert [c.field for c in book.clients.columns] == [
        "client_id",
        "name",
        "aum",
        "branch_km",
        "mobile",
        "notes",
    ]
    assert [c.header for c in book.clients.columns][2] == "ＡＵＭ（１０ｋ　ＣＮＹ）"
    record = book.clients.records[0]
    assert (record.aum, record.branch_km, record.notes) == (80.0, 3.5, "VIP")


def test_header_unit_sets_the_column_unit(tmp_path: Path) -> None:
    rows = [
        ["客户号", "客户姓名", "资产规模（元）", "他行资产(亿元)"],
        ["C1", "甲", 3_000_000, 1.5],
        ["C2", "乙", "500万", "2000万"],
    ]
    records = open_book(write_book(tmp_path / "r.xlsx", [("客户", rows)])).clients.records
    assert (records[0].aum, records[0].assets_elsewhere) == (300.0, 15000.0)
    assert (records[1].aum, records[1].assets_elsewhere) == (500.0, 2000.0)


def test_title_rows_and_merged_cells_above_the_header(tmp_path: Path) -> None:
    rows = [
        ["2026 年客户名册（合成数据）"],
        ["支行：朝阳支行", None, None, "制表：李经理"],
        [],
        ZH_HEADERS,
        *client_rows(),
    ]
    path = write_book(tmp_path / "r.xlsx", [("客户信息", rows)], merge=[("客户信息", "A1:G1")])
    book = open_book(path)
    assert book.clients.header_row == 4
    assert [r.row for r in book.clients.records] == [5, 6, 7]


def test_data_starting_at_c5_keeps_excel_rows_and_letters(tmp_path: Path) -> None:
    rows = [ZH_HEADERS, *client_rows()]
    rows.insert(2, [])  # a blank row inside the data
    rows.insert(3, [None, "   ", "\u3000", " ", " ", "  ", "\t"])  # only spaces: blank too
    path = write_book(tmp_path / "c5.xlsx", [("客户", rows)], origin="C5")
    book = open_book(path)
    sheet = book.clients
    assert sheet.header_row == 5
    assert [c.letter for c in sheet.columns] == ["C", "D", "E", "F", "G", "H", "I"]
    assert [c.index for c in sheet.columns] == [2, 3, 4, 5, 6, 7, 8]
    assert [r.row for r in sheet.records] == [6, 9, 10]
    assert sheet.cell("aum", 9) == "I9"
    assert by_id(book)["C002"].aum == 12000.0


def test_trailing_styled_cell_at_xfd1048576_is_ignored(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from openpyxl.styles import Font, PatternFill

    path = simple_register(tmp_path / "r.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    ws["XFD1048576"].font = Font(bold=True)
    ws["XFD1048576"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["H1048000"].font = Font(italic=True)
    wb.save(path)
    assert 'r="XFD1048576"' in member_text(path, "xl/worksheets/sheet1.xml")
    book = open_book(path)
    assert [r.row for r in book.clients.records] == [2, 3, 4]
    assert book.clients.last_column_index == 6


def test_every_amount_and_date_form(tmp_path: Path) -> None:
    amounts = [
        "1,200",
        "1200.5",
        "500万",
        "1.2亿",
        "¥3,000,000",
        "3000000元",
        "RMB 100",
        "１２００",
    ]
    # a currency sign without a unit means 元: ¥3,000,000 is 300 万元, RMB 100 is 0.01 万元
    expected_amounts = [1200.0, 1200.5, 500.0, 12000.0, 300.0, 300.0, 0.01, 1200.0]
    dates = [
        date(2024, 3, 5),
        datetime(2024, 3, 5, 9, 30),
        "2024-03-05",
        "2024/3/5",
        "2024.3.5",
        "2024年3月5日",
        "20240305",
        45356,
    ]
    rows = [["客户号", "客户姓名", "资产规模(万元)", "最近联系日期"]]
    rows += [[f"C{i}", "某", a, d] for i, (a, d) in enumerate(zip(amounts, dates, strict=True))]
    records = open_book(write_book(tmp_path / "r.xlsx", [("客户", rows)])).clients.records
    assert [r.aum for r in records] == pytest.approx(expected_amounts)
    assert {r.last_contact for r in records} == {date(2024, 3, 5)}


def test_bad_values_become_issues_and_stay_none(tmp_path: Path) -> None:
    rows = [
        ["客户号", "客户姓名", "资产规模", "风险等级", "最近联系日期", "联系频率", "保密要求"],
        ["C1", "甲", "很多", "稳建型", "3/5/2024", "偶尔", "也许"],
        ["C2", "乙", 10, "C3", "2024-03-05", "每月", "是"],
    ]
    book = open_book(write_book(tmp_path / "r.xlsx", [("客户", rows)]))
    c1, c2 = book.clients.records
    assert (c1.aum, c1.risk_level, c1.last_contact, c1.contact_every, c1.confidential) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert (c2.aum, c2.risk_level, c2.last_contact, c2.contact_every, c2.confidential) == (
        10.0,
        "C3",
        date(2024, 3, 5),
        30,
        True,
    )
    issues = {(i.field, i.code, i.row, i.raw): i.suggestion for i in book.clients.issues}
    assert issues[("aum", "invalid_number", 2, "很多")] is None
    assert issues[("risk_level", "invalid_choice", 2, "稳建型")] == "C3 稳健型"
    assert ("last_contact", "invalid_date", 2, "3/5/2024") in issues
    assert ("contact_every", "invalid_choice", 2, "偶尔") in issues
    assert ("confidential", "invalid_choice", 2, "也许") in issues
    assert len(issues) == 5


def test_unknown_duplicate_and_missing_columns(tmp_path: Path) -> None:
    rows = [
        ["客户号", "客户姓名", "风险等级", "内部评分", "姓名", None, "备注"],
        ["C1", "甲", "C2", 88, "重复", "无表头的值", "好"],
    ]
    book = open_book(write_book(tmp_path / "r.xlsx", [("客户", rows)]))
    sheet = book.clients
    assert [(c.letter, c.header, c.field) for c in sheet.columns] == [
        ("A", "客户号", "client_id"),
        ("B", "客户姓名", "name"),
        ("C", "风险等级", "risk_level"),
        ("D", "内部评分", None),
        ("E", "姓名", None),
        ("G", "备注", "notes"),
    ]
    assert [(c.letter, c.header) for c in sheet.duplicates] == [("E", "姓名")]
    assert sheet.missing_required == ["aum"]
    assert sheet.records[0].name == "甲" and sheet.records[0].notes == "好"


def test_no_header_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [[] for _ in range(20)] + [ZH_HEADERS, *client_rows()]
    with pytest.raises(NoHeaderRow) as caught:
        open_book(write_book(tmp_path / "late.xlsx", [("客户", rows)]))
    assert "客户" in caught.value.render("zh") and "20" in caught.value.render("en")
    with pytest.raises(NoHeaderRow):
        open_book(write_book(tmp_path / "two.xlsx", [("客户", [["客户号", "姓名", "x"], [1]])]))
    with pytest.raises(NoHeaderRow):
        open_book(write_book(tmp_path / "empty.xlsx", [("客户", [])]))


def test_header_on_row_20_is_found(tmp_path: Path) -> None:
    rows: list[list[object]] = [["标题"]] + [[] for _ in range(18)] + [ZH_HEADERS, *client_rows()]
    book = open_book(write_book(tmp_path / "r.xlsx", [("客户", rows)]))
    assert book.clients.header_row == 20 and len(book.clients.records) == 3


# --- sheets ------------------------------------------------------------------------------


def test_sheet_choice_by_name_then_first_visible(tmp_path: Path) -> None:
    table = [ZH_HEADERS, *client_rows()]
    other = [["说明"], ["本表为示例"]]
    named = write_book(tmp_path / "named.xlsx", [("说明", other), ("客户信息", table)])
    assert open_book(named).clients.name == "客户信息"
    spaced = write_book(tmp_path / "spaced.xlsx", [("说明", other), (" CLIENTS ", table)])
    assert open_book(spaced).clients.name == " CLIENTS "
    hidden = write_book(
        tmp_path / "hidden.xlsx", [("隐藏", other), ("名单", table)], hidden=["隐藏"]
    )
    assert open_book(hidden).clients.name == "名单"
    chosen = write_book(tmp_path / "chosen.xlsx", [("客户", other), ("二组", table)])
    assert open_book(chosen, sheet="二组").clients.name == "二组"
    with pytest.raises(UnusableFile) as caught:
        open_book(chosen, sheet="三组")
    message = caught.value.render("zh")
    assert "三组" in message and "客户" in message and "二组" in message


def test_holdings_and_contacts_sheets(tmp_path: Path) -> None:
    clients = [["客户号", "客户姓名", "资产规模", "最近联系日期"], ["C1", "甲", 10, "2025-01-10"]]
    clients.append(["C2", "乙", 20, None])
    holdings = [
        ["客户号", "产品名称", "产品风险等级", "金额(万元)", "到期日"],
        ["C1", "稳盈1号", "R2", "50万", date(2026, 6, 30)],
        ["C9", "成长混合", "R9", 10, "2026-13-01"],
    ]
    contacts = [
        ["客户号", "日期", "方式", "内容"],
        ["C1", "2025-03-01", "微信", "节日问候"],
        ["C1", "2024-12-01", "电话", "回访"],
        ["C2", date(2025, 2, 2), "面谈", "到期再投"],
    ]
    path = write_book(
        tmp_path / "r.xlsx",
        [("客户", clients), ("Holdings", holdings), ("联系记录", contacts)],
    )
    book = open_book(path)
    assert book.holdings is not None and book.contacts is not None
    h1, h2 = book.holdings.records
    assert (h1.row, h1.client_id, h1.product, h1.product_risk, h1.amount, h1.matures_on) == (
        2,
        "C1",
        "稳盈1号",
        "R2",
        50.0,
        date(2026, 6, 30),
    )
    assert h2.product_risk is None and h2.matures_on is None
    assert {(i.field, i.code) for i in book.holdings.issues} == {
        ("product_risk", "invalid_choice"),
        ("matures_on", "invalid_date"),
    }
    assert [c.channel for c in book.contacts.records] == ["wechat", "phone", "visit"]
    assert latest_contacts(book) == {"C1": date(2025, 3, 1), "C2": date(2025, 2, 2)}


def test_optional_sheet_without_a_header_is_not_fatal(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "r.xlsx",
        [("客户", [ZH_HEADERS, *client_rows()]), ("持仓", [["以后再填"]])],
    )
    book = open_book(path)
    assert book.holdings is not None
    assert book.holdings.header_row == 0 and book.holdings.records == []
    assert book.holdings.missing_required == ["client_id", "product"]


def test_latest_contacts_without_a_contacts_sheet(tmp_path: Path) -> None:
    rows = [["客户号", "客户姓名", "资产规模", "最近联系日期"], ["C1", "甲", 1, "2025-01-10"]]
    rows.append(["C2", "乙", 1, None])
    book = open_book(write_book(tmp_path / "r.xlsx", [("客户", rows)]))
    assert book.contacts is None and book.holdings is None
    assert latest_contacts(book) == {"C1": date(2025, 1, 10)}


# --- formats -----------------------------------------------------------------------------


def test_xlsm_is_read_and_reported(tmp_path: Path) -> None:
    path = simple_register(tmp_path / "r.xlsx")
    types = member_text(path, "[Content_Types].xml").replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    xlsm = patch_member(path, "[Content_Types].xml", types.encode(), tmp_path / "r.xlsm")
    book = open_book(xlsm)
    assert book.format == "xlsm" and len(book.clients.records) == 3


def test_a_workbook_is_known_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    path = simple_register(tmp_path / "r.xlsx")
    renamed = tmp_path / "export.xls"  # bank systems often misname their exports
    shutil.copy(path, renamed)
    assert len(open_book(renamed).clients.records) == 3


def test_encrypted_workbook(tmp_path: Path) -> None:
    plain = simple_register(tmp_path / "plain.xlsx")
    locked = encrypt(plain, "月亮 2026!", tmp_path / "locked.xlsx")
    assert locked.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    book = open_book(locked, password="月亮 2026!")
    assert book.encrypted and book.format == "xlsx"
    assert [r.client_id for r in book.clients.records] == ["10023", "C002", "C003"]
    for password in (None, "", "wrong"):
        with pytest.raises(WrongPassword) as caught:
            open_book(locked, password=password)
        assert "CLIENTBOOK_BOOK_PASSWORD" in caught.value.render("en")


def test_book_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    assert book_password(None) is None
    secret = tmp_path / "pw.txt"
    secret.write_text("s3cret with spaces \nsecond line\n", encoding="utf-8")
    assert book_password(secret) == "s3cret with spaces "
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    assert book_password(secret) == "from-env"
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(UnusableFile) as caught:
        book_password(tmp_path / "missing.txt")
    assert "missing.txt" in caught.value.render("en")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_workbook_saved_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    rows = [["客户名册"], [], ZH_HEADERS, *client_rows()]
    original = write_book(tmp_path / "orig.xlsx", [("客户信息", rows)], origin="B2")
    out = tmp_path / "lo"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(original),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = open_book(out / "orig.xlsx")
    expected = open_book(original)
    assert converted.clients.header_row == expected.clients.header_row == 4
    assert converted.clients.columns == expected.clients.columns
    assert converted.clients.records == expected.clients.records
    assert converted.clients.issues == expected.clients.issues


def test_rows_of_ids_read_back(tmp_path: Path) -> None:
    rows = by_id(open_book(simple_register(tmp_path / "r.xlsx")))
    assert rows["10023"].id_number == ID_M and rows["C002"].id_number == ID_F


def test_language_follows_most_matched_headers(tmp_path: Path) -> None:
    mostly_en = [
        ["客户号", "Name", "AUM", "Gender", "性别", "Mobile"],
        ["C1", "A", 1, "M", "男", 1],
    ]
    book = open_book(write_book(tmp_path / "en.xlsx", [("Clients", mostly_en)]))
    assert book.lang == "en"
    half = [["客户号", "客户姓名", "AUM", "Gender"], ["C1", "甲", 1, "F"]]
    assert open_book(write_book(tmp_path / "half.xlsx", [("客户", half)])).lang == "zh"


def test_legacy_15_digit_id_fills_birth_and_gender(tmp_path: Path) -> None:
    rows = [["客户号", "客户姓名", "资产规模", "身份证号"], ["C1", "甲", 1, 110105491231001]]
    record = open_book(write_book(tmp_path / "r.xlsx", [("客户", rows)])).clients.records[0]
    assert record.id_number == "110105491231001"
    assert (record.birth_date, record.gender) == (date(1949, 12, 31), "M")
    assert record.birth_from_id and record.gender_from_id


def test_sheet_option_ignores_case_and_spaces(tmp_path: Path) -> None:
    path = write_book(tmp_path / "r.xlsx", [("说明", [["x"]]), ("Team B", [ZH_HEADERS])])
    assert open_book(path, sheet="team b").clients.name == "Team B"
    assert open_book(path, sheet="Team B").clients.records == []


def test_holdings_can_be_left_unread(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "r.xlsx",
        [
            ("客户", [["客户号", "客户姓名", "资产规模(万元)"], ["C1", "甲", 10]]),
            ("持仓", [["客户号", "产品名称", "金额(万元)"], ["C1", "稳利", 5]]),
        ],
    )
    assert open_book(path).holdings is not None
    lean = open_book(path, holdings=False)
    assert lean.holdings is None
    assert [r.client_id for r in lean.clients.records] == ["C1"]


def test_a_register_replaced_while_it_is_opened_is_read_as_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """calamine opens the register by its path only while the path still names the file
    that was checked; replaced in between (as Excel saves), the open handle is read."""
    from clientbook.register import read

    path = write_book(
        tmp_path / "r.xlsx",
        [
            ("客户", [ZH_HEADERS, *client_rows()]),
            (
                "联系记录",
                [["客户号", "日期", "方式", "内容"], ["C1", "2025-03-01", "微信", "问候"]],
            ),
        ],
    )
    other = write_book(tmp_path / "other.xlsx", [("别的", [ZH_HEADERS, *client_rows()[:1]])])
    real = read._calamine_from_path
    opened: list[object] = []

    def replaced_first(source: object, where: Path) -> object:
        shutil.copy(other, tmp_path / "new.xlsx")
        (tmp_path / "new.xlsx").replace(where)
        opened.append(real(source, where))  # type: ignore[arg-type]
        return opened[-1]

    monkeypatch.setattr(read, "_calamine_from_path", replaced_first)
    book = open_book(path)
    assert opened == [None]
    assert book.sheet_names == ["客户", "联系记录"] and len(book.clients.records) == 3
    assert book.contacts is not None and len(book.contacts.records) == 1
    monkeypatch.setattr(read, "_calamine_from_path", real)
    new = open_book(path)  # the new file, by its path
    assert new.sheet_names == ["别的"] and len(new.clients.records) == 1
    with path.open("rb") as handle:
        workbook = real(handle, path)  # unchanged: opened by its path
        assert workbook is not None and workbook.sheet_names == ["别的"]
        workbook.close()
