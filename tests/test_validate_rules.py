"""check_book on Books built in memory: each rule, its cell, severity and masked value."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clientbook.config import ValidateSettings
from clientbook.messages import text
from clientbook.register.model import (
    Book,
    ClientRecord,
    Column,
    ContactRecord,
    HoldingRecord,
    Sheet,
    ValueIssue,
)
from clientbook.validate import (
    Code,
    Finding,
    ValidationReport,
    check_book,
    id_problem,
    mask,
    mobile_ok,
)
from validate_fixtures import BIRTH, GOOD_ID, LEGACY_ID, break_check_digit, make_id

TODAY = date(2026, 3, 15)
SETTINGS = ValidateSettings()

CLIENT_COLUMNS = [
    ("客户号", "client_id"),
    ("客户姓名", "name"),
    ("性别", "gender"),
    ("出生日期", "birth_date"),
    ("身份证号", "id_number"),
    ("手机号", "mobile"),
    ("邮箱", "email"),
    ("资产规模(万元)", "aum"),
    ("风险等级", "risk_level"),
    ("风险测评日期", "risk_assessed_on"),
    ("最近联系日期", "last_contact"),
    ("开户日期", "onboarded_on"),
    ("距网点(公里)", "branch_km"),
    ("他行资产(万元)", "assets_elsewhere"),
]


def columns(pairs: list[tuple[str, str | None]]) -> list[Column]:
    return [Column(i, chr(65 + i), header, key) for i, (header, key) in enumerate(pairs)]


def client(row: int, cid: str | None = None, **values: Any) -> ClientRecord:
    base: dict[str, Any] = {
        "client_id": cid if cid is not None else f"C{row:03d}",
        "name": "张三",
        "aum": 100.0,
    }
    base.update(values)
    return ClientRecord(row=row, **base)


def book(
    clients: list[ClientRecord],
    *,
    issues: list[ValueIssue] | None = None,
    missing: list[str] | None = None,
    client_columns: list[tuple[str, str | None]] | None = None,
    holdings: list[HoldingRecord] | None = None,
    contacts: list[ContactRecord] | None = None,
) -> Book:
    sheet = Sheet[ClientRecord](
        name="客户",
        kind="clients",
        header_row=2,
        columns=columns(client_columns or CLIENT_COLUMNS),  # type: ignore[arg-type]
        records=clients,
        issues=issues or [],
        missing_required=missing or [],
    )
    hold = None
    if holdings is not None:
        hold = Sheet[HoldingRecord](
            name="持仓",
            kind="holdings",
            header_row=1,
            columns=columns(
                [
                    ("客户号", "client_id"),
                    ("产品名称", "product"),
                    ("产品风险等级", "product_risk"),
                    ("金额(万元)", "amount"),
                    ("到期日", "matures_on"),
                ]
            ),
            records=holdings,
        )
    cont = None
    if contacts is not None:
        cont = Sheet[ContactRecord](
            name="联系记录",
            kind="contacts",
            header_row=1,
            columns=columns([("客户号", "client_id"), ("日期", "date"), ("方式", "channel")]),
            records=contacts,
        )
    return Book(
        path=Path("book.xlsx"),
        format="xlsx",
        lang="zh",
        sheet_names=["客户"],
        clients=sheet,
        holdings=hold,
        contacts=cont,
    )


def only(report: ValidationReport, code: Code) -> list[Finding]:
    return [f for f in report.findings if f.code is code]


def run(b: Book, **settings: Any) -> ValidationReport:
    return check_book(b, ValidateSettings(**settings), TODAY)


def test_clean_book_has_no_findings() -> None:
    rec = client(
        3,
        gender="M",
        birth_date=BIRTH,
        id_number=GOOD_ID,
        mobile="13812345678",
        email="a@example.com",
        risk_level="C3",
        risk_assessed_on=date(2026, 1, 1),
        last_contact=date(2026, 3, 1),
        onboarded_on=date(2010, 1, 1),
        branch_km=0.0,
    )
    report = run(book([rec]))
    assert report.findings == []
    assert (report.errors, report.warnings, report.rows) == (0, 0, 1)
    assert (report.sheet, report.header_row, report.file) == ("客户", 2, "book.xlsx")


def test_missing_column_points_at_header_row() -> None:
    pairs = [p for p in CLIENT_COLUMNS if p[1] != "aum"]
    report = run(book([client(3)], missing=["aum"], client_columns=pairs))
    (finding,) = report.findings
    assert finding.code is Code.missing_column
    assert (finding.cell, finding.row, finding.field, finding.severity) == (
        None,
        2,
        "aum",
        "error",
    )
    assert "资产规模" in finding.message("zh")
    assert "AUM" in finding.message("en")
    assert "row 2" in finding.message("en")


def test_missing_value_only_for_required_fields() -> None:
    report = run(book([client(3, name=None), client(4, aum=None, email=None)]))
    cells = {(f.code, f.cell) for f in report.findings}
    assert cells == {(Code.missing_value, "B3"), (Code.missing_value, "H4")}


def test_reader_issues_become_findings_and_suppress_missing_value() -> None:
    issues = [
        ValueIssue("invalid_number", "aum", 3, "一百万"),
        ValueIssue("invalid_date", "last_contact", 3, "2024-02-30"),
        ValueIssue("invalid_choice", "risk_level", 3, "稳建型", suggestion="C3"),
        ValueIssue("invalid_choice", "gender", 4, "公", suggestion=None),
        ValueIssue("invalid_something", "branch_km", 4, "far"),
    ]
    report = run(book([client(3, aum=None), client(4)], issues=issues))
    got = {(f.code, f.cell, f.value) for f in report.findings}
    assert got == {
        (Code.invalid_number, "H3", "一百万"),
        (Code.invalid_date, "K3", "2024-02-30"),
        (Code.invalid_choice, "I3", "稳建型"),
        (Code.invalid_choice, "C4", "公"),
        (Code.invalid_value, "M4", "far"),
    }
    choice = next(f for f in report.findings if f.cell == "I3")
    assert choice.params["suggestion"] == "C3"
    assert choice.message("zh") == (
        "「稳建型」不是有效的「风险等级」。是否应为「C3 稳健型」？"
        "可选：C1 保守型、C2 谨慎型、C3 稳健型、C4 积极型、C5 激进型"
    )
    assert "Did you mean 'C3 Balanced'?" in choice.message("en")
    gender = next(f for f in report.findings if f.cell == "C4")
    assert "是否应为" not in gender.message("zh")
    assert "男、女" in gender.message("zh")


def test_suggestion_computed_when_reader_gives_none() -> None:
    issues = [ValueIssue("invalid_choice", "risk_level", 3, "稳建", suggestion=None)]
    report = run(book([client(3)], issues=issues))
    assert report.findings[0].params["suggestion"] == "C3"


def test_negative_amounts_and_numbers() -> None:
    report = run(book([client(3, aum=-5.0, assets_elsewhere=-1.5, branch_km=-2.0)]))
    got = {(f.code, f.cell, f.value) for f in report.findings}
    assert got == {
        (Code.negative_amount, "H3", "-5"),
        (Code.negative_amount, "N3", "-1.5"),
        (Code.negative_number, "M3", "-2"),
    }


def test_duplicate_id_reports_every_row() -> None:
    report = run(book([client(3, "C1"), client(4, "C2"), client(5, "C1"), client(9, "C1")]))
    dups = only(report, Code.duplicate_id)
    assert [f.cell for f in dups] == ["A3", "A5", "A9"]
    assert dups[0].params["rows"] == [3, 5, 9]
    assert "3、5、9" in dups[0].message("zh")
    assert "3, 5, 9" in dups[0].message("en")


def test_id_number_rules_and_masking() -> None:
    bad = break_check_digit(make_id("110101", BIRTH, 211))
    report = run(
        book(
            [
                client(3, id_number=bad),
                client(4, id_number="11010119800101"),
                client(5, id_number=make_id("110101", date(1980, 1, 1), 1)[:10] + "1399" + "0011"),
                client(6, id_number=LEGACY_ID),
            ]
        )
    )
    invalid = only(report, Code.invalid_id_number)
    assert [f.cell for f in invalid] == ["E3", "E4", "E5"]
    assert invalid[0].value == bad[:4] + "*" * 10 + bad[-4:]
    assert invalid[0].params["reason_key"] == "validate.reason.id_check_digit"
    assert "校验位不符" in invalid[0].message("zh")
    assert "check digit" in invalid[0].message("en")
    assert invalid[1].params["reason_key"] == "validate.reason.id_format"
    assert invalid[2].params["reason_key"] == "validate.reason.id_birth"
    (legacy,) = only(report, Code.legacy_id_number)
    assert (legacy.cell, legacy.severity, legacy.value) == ("E6", "warning", "1101*******1123")
    for finding in report.findings:
        assert bad not in finding.message("zh") and bad not in finding.model_dump_json()


def test_id_birth_and_gender_mismatch() -> None:
    report = run(
        book(
            [
                client(3, id_number=GOOD_ID, birth_date=date(1981, 2, 2), gender="F"),
                # values filled from the ID by the reader are never a mismatch
                client(4, id_number=LEGACY_ID, birth_date=BIRTH, gender="M"),
                client(5, id_number=LEGACY_ID, gender="F"),
            ]
        )
    )
    legacy = Code.legacy_id_number
    got = {(f.code, f.cell, f.value) for f in report.findings if f.code is not legacy}
    assert got == {
        (Code.id_birth_mismatch, "D3", "1981-02-02"),
        (Code.id_gender_mismatch, "C3", "F"),
        (Code.id_gender_mismatch, "C5", "F"),
        (Code.duplicate_id_number, "E4", "1101*******1123"),
        (Code.duplicate_id_number, "E5", "1101*******1123"),
    }
    gender = only(report, Code.id_gender_mismatch)[0]
    assert gender.message("zh").startswith("性别「女」与身份证号不一致（身份证号第 17 位表示男）")
    assert "(its 17th digit says male)" in gender.message("en")
    birth = only(report, Code.id_birth_mismatch)[0]
    assert "1980-01-01" in birth.message("en")


def test_birth_filled_from_id_is_not_a_mismatch() -> None:
    rec = client(3, id_number=GOOD_ID, birth_date=BIRTH, gender="M")
    rec.birth_from_id = rec.gender_from_id = True
    assert run(book([rec])).findings == []


def test_mobile_and_email() -> None:
    report = run(
        book(
            [
                client(3, mobile="12345678901"),
                client(4, mobile="+86 138-1234-5678"),
                client(5, mobile="1381234567"),
                client(6, email="wang@"),
                client(7, email="wang@example"),
                client(8, email="wang.li@example.com.cn"),
            ]
        )
    )
    got = [(f.code, f.cell, f.value) for f in report.findings]
    assert got == [
        (Code.invalid_mobile, "F3", "123****8901"),
        (Code.invalid_mobile, "F5", "138***4567"),
        (Code.invalid_email, "G6", "wang@"),
        (Code.invalid_email, "G7", "wang@example"),
    ]


def test_future_dates_age_and_expired_risk() -> None:
    report = run(
        book(
            [
                client(3, last_contact=date(2026, 3, 16), onboarded_on=date(2027, 1, 1)),
                client(4, birth_date=date(2026, 5, 1)),
                client(5, birth_date=date(1880, 1, 1)),
                client(6, risk_assessed_on=date(2025, 3, 14)),  # 366 days: expired
                client(7, risk_assessed_on=date(2025, 3, 15)),  # 365 days: still valid
                client(8, risk_assessed_on=date(2026, 4, 1)),  # future
            ]
        )
    )
    got = [(f.code, f.cell, f.severity.value) for f in report.findings]
    assert got == [
        (Code.future_date, "K3", "error"),
        (Code.future_date, "L3", "error"),
        (Code.future_date, "D4", "error"),
        (Code.invalid_age, "D5", "error"),
        (Code.risk_assessment_expired, "J6", "warning"),
        (Code.future_date, "J8", "error"),
    ]
    expired = only(report, Code.risk_assessment_expired)[0]
    assert expired.params == {"validity_days": 365, "expired_on": "2026-03-14", "days_over": 1}
    assert "2026-03-15" in report.findings[0].message("zh")
    shorter = run(book([client(3, risk_assessed_on=date(2026, 1, 1))]), risk_validity_days=30)
    assert [f.code for f in shorter.findings] == [Code.risk_assessment_expired]


def test_age_from_id_points_at_id_cell() -> None:
    old = make_id("110101", date(1890, 5, 5), 11)
    rec = client(3, id_number=old, birth_date=date(1890, 5, 5), gender="M")
    rec.birth_from_id = rec.gender_from_id = True
    (finding,) = run(book([rec])).findings
    assert (finding.code, finding.cell, finding.value) == (
        Code.invalid_age,
        "E3",
        old[:4] + "*" * 10 + old[-4:],
    )
    assert finding.params["age"] == 135


def test_holdings_and_contacts_rules() -> None:
    clients = [client(3, "C1", risk_level="C3"), client(4, "C2")]
    holdings = [
        HoldingRecord(2, "C1", "稳盈", "R3", 10.0, date(2027, 1, 1)),
        HoldingRecord(3, "C9", "稳盈", "R1", 10.0, date(2027, 1, 1)),
        HoldingRecord(4, "C1", "成长", "R4", 10.0, date(2027, 1, 1)),
        HoldingRecord(5, "C1", "季季红", "R2", 30.0, date(2026, 3, 1)),
        HoldingRecord(6, "C2", "月月盈", "R2", 5.0, None),
        HoldingRecord(7, "C1", "安心", "R1", -3.0, None),
        HoldingRecord(8, "C1", "安心", "R1", 0.0, date(2020, 1, 1)),
        HoldingRecord(9, None, None, "R1", 1.0, None),
    ]
    contacts = [
        ContactRecord(2, "C1", date(2026, 3, 1), "phone"),
        ContactRecord(3, "C404", date(2026, 3, 1), "phone"),
        ContactRecord(4, "C1", date(2026, 3, 20), "wechat"),
        ContactRecord(5, "C1", None, "wechat"),
    ]
    report = run(book(clients, holdings=holdings, contacts=contacts))
    got = [(f.code.value, f.sheet, f.cell, f.severity.value) for f in report.findings]
    assert got == [
        ("unknown_client", "持仓", "A3", "error"),
        ("suitability_mismatch", "持仓", "C4", "warning"),
        ("matured_holding", "持仓", "E5", "warning"),
        ("suitability_unknown", "持仓", "C6", "warning"),
        ("negative_amount", "持仓", "D7", "error"),
        ("missing_value", "持仓", "A9", "error"),
        ("missing_value", "持仓", "B9", "error"),
        ("unknown_client", "联系记录", "A3", "error"),
        ("future_date", "联系记录", "B4", "error"),
        ("missing_value", "联系记录", "B5", "error"),
    ]
    suit = only(report, Code.suitability_mismatch)[0]
    assert suit.message("zh") == (
        "客户 C1 的风险等级为 C3，却持有 R4 产品「成长」（需 C4 及以上）。"
        "请重新评估客户风险等级或调整持仓"
    )
    matured = only(report, Code.matured_holding)[0]
    assert "季季红" in matured.message("en") and "30" in matured.message("en")


def test_suitability_unknown_needs_a_risk_column() -> None:
    pairs = [p for p in CLIENT_COLUMNS if p[1] != "risk_level"]
    holdings = [HoldingRecord(2, "C003", "稳盈", "R2", 5.0, None)]
    report = run(book([client(3)], client_columns=pairs, holdings=holdings))
    assert report.findings == []


def test_counts_and_order() -> None:
    report = run(book([client(5, aum=-1.0), client(3, aum=-1.0, email="x")]))
    assert [f.cell for f in report.findings] == ["G3", "H3", "H5"]
    assert report.counts() == {Code.invalid_email: 1, Code.negative_amount: 2}
    assert (report.errors, report.warnings) == (3, 0)


def test_json_dump_adds_only_messages() -> None:
    report = run(book([client(3, aum=-1.0)]))
    data = report.as_json("en")
    assert list(data) == ["file", "sheet", "header_row", "rows", "errors", "warnings", "findings"]
    item = data["findings"][0]
    assert item.pop("message") == report.findings[0].message("en")
    assert data == report.model_dump(mode="json")


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("id_number", "110101198001011234", "1101**********1234"),
        ("mobile", "13812345678", "138****5678"),
        ("mobile", "123", "***"),
        ("email", "a@b.cn", "a@b.cn"),
    ],
)
def test_mask(field: str, value: str, shown: str) -> None:
    assert mask(field, value) == shown


def test_value_helpers() -> None:
    assert id_problem(GOOD_ID) is None
    assert id_problem("11010119800101123") == "id_format"
    assert mobile_ok("+8613812345678") and mobile_ok("138 1234 5678")
    assert not mobile_ok("11812345678")


def test_every_code_has_text_in_both_languages() -> None:
    for code in Code:
        for key in (f"validate.{code.value}", f"validate.title.{code.value}"):
            zh, en = text(key, "zh"), text(key, "en")
            assert zh != key and en != key, key
            assert zh != en, key


def test_every_code_is_in_the_readme_catalogue() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    catalogue = readme.split("<!-- codes -->", 1)[1]
    for code in Code:
        assert f"`{code.value}`" in catalogue, code


def test_no_client_id_column_means_no_unknown_clients() -> None:
    pairs = [p for p in CLIENT_COLUMNS if p[1] != "client_id"]
    holdings = [HoldingRecord(2, "C9", "稳盈", "R1", 5.0, None)]
    contacts = [ContactRecord(2, "C9", date(2026, 3, 1), "phone")]
    clients = [client(3, cid=None)]
    clients[0].client_id = None
    report = run(
        book(
            clients,
            missing=["client_id"],
            client_columns=pairs,
            holdings=holdings,
            contacts=contacts,
        )
    )
    assert [f.code for f in report.findings] == [Code.missing_column]


def test_duplicate_column_and_headerless_sheet() -> None:
    b = book([client(3)], holdings=[])
    b.clients.columns.append(Column(14, "O", "手机号码", None))
    b.clients.duplicates = [b.clients.columns[-1]]
    assert b.holdings is not None
    b.holdings.header_row, b.holdings.columns = 0, []
    b.holdings.missing_required = ["client_id", "product"]
    report = run(b)
    got = [(f.code, f.sheet, f.cell, f.row, f.severity.value) for f in report.findings]
    assert got == [
        (Code.duplicate_column, "客户", "O2", 2, "warning"),
        (Code.missing_column, "持仓", None, None, "error"),
        (Code.missing_column, "持仓", None, None, "error"),
    ]
    dup = report.findings[0]
    assert dup.field == "mobile"
    assert dup.message("zh").startswith("O 列「手机号码」与 F 列「手机号」是同一项")
    assert "no recognisable header row" in report.findings[1].message("en")
