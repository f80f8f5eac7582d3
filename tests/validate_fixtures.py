"""Synthetic registers for the validate tests: one defect per row, every finding code.

`defect_workbook()` writes a real .xlsx (openpyxl) whose client, holdings and contacts
sheets hold one defect per row; `EXPECTED` lists the findings it must produce
(code, sheet, cell, severity, masked value). All personal data is made up.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(region: str, birth: date, seq: int) -> str:
    """A synthetic 18-character ID number with a correct GB 11643 check digit."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def break_check_digit(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


CLIENT_HEADERS = [
    "客户号",
    "客户姓名",
    "性别",
    "出生日期",
    "身份证号",
    "手机号",
    "邮箱",
    "资产规模(万元)",
    "风险等级",
    "风险测评日期",
    "最近联系日期",
    "开户日期",
    "距网点(公里)",
    "备注",
    "手机号码",  # a second mobile column: duplicate_column O2, its values are ignored
]
CLIENT_HEADERS_EN = [
    "Client ID",
    "Name",
    "Gender",
    "Birth date",
    "ID number",
    "Mobile",
    "Email",
    "AUM (10k CNY)",
    "Risk profile",
    "Risk assessed on",
    "Last contact",
    "Client since",
    "Distance to branch (km)",
    "Notes",
    "Mobile phone",
]
# field key of each client column, A..N
CLIENT_FIELDS = [
    "client_id",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "email",
    "aum",
    "risk_level",
    "risk_assessed_on",
    "last_contact",
    "onboarded_on",
    "branch_km",
    "notes",
    "mobile2",
]

BIRTH = date(1980, 1, 1)
GOOD_ID = make_id("110101", BIRTH, 123)  # odd sequence: male
LEGACY_ID = "110101800101123"  # 15 digits, born 1980-01-01, male
MASKED_GOOD_ID = GOOD_ID[:4] + "*" * 10 + GOOD_ID[-4:]


def client_rows(today: date) -> list[list[Any]]:
    """Data rows of the client sheet (Excel rows 3..), one defect per row after the first."""
    recent = today - timedelta(days=30)
    future = today + timedelta(days=30)
    stale = today - timedelta(days=400)

    seq = iter(range(301, 999, 2))  # odd sequence numbers: male, like 男

    def row(cid: Any, **over: Any) -> list[Any]:
        values: dict[str, Any] = {
            "client_id": cid,
            "name": "张三",
            "gender": "男",
            "birth_date": BIRTH,
            "id_number": GOOD_ID,
            "mobile": "13812345678",
            "email": "zhang@example.com",
            "aum": 100,
            "risk_level": "C3",
            "risk_assessed_on": recent,
            "last_contact": recent,
            "onboarded_on": date(2015, 6, 1),
            "branch_km": 2.5,
            "notes": "",
            "mobile2": "not a phone",
        }
        if cid != "C001" and "id_number" not in over:
            # Each other client gets its own valid ID unless the row tests ID numbers.
            values["id_number"] = make_id("110101", BIRTH, next(seq))
        values.update(over)
        return [values[key] for key in CLIENT_FIELDS]

    return [
        row("C001"),  # 3: clean
        row(None, name="无号客户"),  # 4: missing_value A4
        row("C005", aum=-5),  # 5: negative_amount H5
        row("C006", birth_date="1980-13-45"),  # 6: invalid_date D6
        row("C007", aum="一百万"),  # 7: invalid_number H7
        row("C008", risk_level="稳建型"),  # 8: invalid_choice I8 (C3)
        row("C009"),  # 9: duplicate_id A9
        row("C009", name="李四"),  # 10: duplicate_id A10
        row("C011", id_number=break_check_digit(make_id("110101", BIRTH, 211))),  # 11
        row("C012", birth_date=date(1981, 2, 2)),  # 12: id_birth_mismatch D12
        row("C013", gender="女"),  # 13: id_gender_mismatch C13
        row("C014", mobile="12345678901"),  # 14: invalid_mobile F14
        row("C015", email="wang@"),  # 15: invalid_email G15
        row("C016", last_contact=future),  # 16: future_date K16
        row("C017", risk_assessed_on=stale),  # 17: risk_assessment_expired J17
        row("C018", id_number=GOOD_ID),  # 18: duplicate_id_number E18 (+ E3)
        row("C019", id_number=LEGACY_ID),  # 19: legacy_id_number E19
        row("C020", birth_date="1880-01-01", id_number=None),  # 20: invalid_age D20 (text:
        # Excel has no dates before 1900)
        row("C021", branch_km=-1),  # 21: negative_number M21
        row("C022", risk_level=None),  # 22: clean, no risk level (holdings: unknown)
        row(10023),  # 23: numeric client id, clean
    ]


HOLDING_HEADERS = ["客户号", "产品名称", "产品风险等级", "金额(万元)", "到期日"]


def holding_rows(today: date) -> list[list[Any]]:
    past = today - timedelta(days=10)
    later = today + timedelta(days=100)
    return [
        ["C001", "稳盈一号", "R3", 50, later],  # 2: clean
        ["C999", "稳盈二号", "R2", 10, later],  # 3: unknown_client A3
        ["C001", "成长精选", "R4", 20, later],  # 4: suitability_mismatch C4
        ["C001", "季季红", "R2", 30, past],  # 5: matured_holding E5
        ["C022", "月月盈", "R2", 5, later],  # 6: suitability_unknown C6
        ["C001", "安心存", "R1", -3, later],  # 7: negative_amount D7
        ["10023", "安心存", "R1", 0, past],  # 8: matured with amount 0: no finding
    ]


CONTACT_HEADERS = ["客户号", "日期", "方式", "内容"]


def contact_rows(today: date) -> list[list[Any]]:
    return [
        ["C001", today - timedelta(days=3), "电话", "回访"],  # 2: clean
        ["C404", today - timedelta(days=3), "电话", "回访"],  # 3: unknown_client A3
        ["C001", today + timedelta(days=5), "微信", "预约"],  # 4: future_date B4
    ]


# (code, sheet, cell, severity, value) for every finding the defect workbook must give.
EXPECTED: list[tuple[str, str, str | None, str, str | None]] = [
    ("duplicate_column", "客户", "O2", "warning", "手机号码"),
    ("missing_value", "客户", "A4", "error", None),
    ("negative_amount", "客户", "H5", "error", "-5"),
    ("invalid_date", "客户", "D6", "error", "1980-13-45"),
    ("invalid_number", "客户", "H7", "error", "一百万"),
    ("invalid_choice", "客户", "I8", "error", "稳建型"),
    ("duplicate_id", "客户", "A9", "error", "C009"),
    ("duplicate_id", "客户", "A10", "error", "C009"),
    ("invalid_id_number", "客户", "E11", "error", "MASK"),
    ("id_birth_mismatch", "客户", "D12", "error", "1981-02-02"),
    ("id_gender_mismatch", "客户", "C13", "error", "F"),
    ("invalid_mobile", "客户", "F14", "error", "123****8901"),
    ("invalid_email", "客户", "G15", "error", "wang@"),
    ("future_date", "客户", "K16", "error", "FUTURE"),
    ("risk_assessment_expired", "客户", "J17", "warning", "STALE"),
    ("duplicate_id_number", "客户", "E3", "warning", MASKED_GOOD_ID),
    ("duplicate_id_number", "客户", "E18", "warning", MASKED_GOOD_ID),
    ("legacy_id_number", "客户", "E19", "warning", "1101*******1123"),
    ("invalid_age", "客户", "D20", "error", "1880-01-01"),
    ("negative_number", "客户", "M21", "error", "-1"),
    ("unknown_client", "持仓", "A3", "error", "C999"),
    ("suitability_mismatch", "持仓", "C4", "warning", "R4"),
    ("matured_holding", "持仓", "E5", "warning", "PAST"),
    ("suitability_unknown", "持仓", "C6", "warning", "R2"),
    ("negative_amount", "持仓", "D7", "error", "-3"),
    ("unknown_client", "联系记录", "A3", "error", "C404"),
    ("future_date", "联系记录", "B4", "error", "CFUTURE"),
]


def expected(today: date) -> list[tuple[str, str, str | None, str, str | None]]:
    """EXPECTED with the date-dependent and masked values filled in."""
    bad_id = break_check_digit(make_id("110101", BIRTH, 211))
    fill = {
        "MASK": bad_id[:4] + "*" * 10 + bad_id[-4:],
        "FUTURE": (today + timedelta(days=30)).isoformat(),
        "STALE": (today - timedelta(days=400)).isoformat(),
        "PAST": (today - timedelta(days=10)).isoformat(),
        "CFUTURE": (today + timedelta(days=5)).isoformat(),
    }
    return [(c, s, cell, sev, fill.get(v or "", v)) for c, s, cell, sev, v in EXPECTED]


def expected_en(today: date) -> list[tuple[str, str, str | None, str, str | None]]:
    """expected() for the English workbook (sheet names and the duplicate header differ)."""
    sheets = {"客户": "Clients", "持仓": "Holdings", "联系记录": "Contacts"}
    rows = []
    for code, sheet, cell, sev, value in expected(today):
        if code == "duplicate_column":
            value = "Mobile phone"
        rows.append((code, sheets[sheet], cell, sev, value))
    return rows


def defect_workbook(path: Path, today: date, *, english: bool = False) -> Path:
    """Write the defect register to `path` (title row, header on row 2)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Clients" if english else "客户"
    ws["A1"] = "Client register (synthetic)" if english else "客户名册（测试数据）"
    ws.append(CLIENT_HEADERS_EN if english else CLIENT_HEADERS)
    for values in client_rows(today):
        if english:
            values = ["M" if v == "男" else "F" if v == "女" else v for v in values]
        ws.append(values)
    for cell in ws["D"][2:] + ws["J"][2:] + ws["K"][2:] + ws["L"][2:]:
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
    holdings = wb.create_sheet("Holdings" if english else "持仓")
    holdings.append(
        ["Client ID", "Product", "Product risk", "Amount", "Maturity"]
        if english
        else HOLDING_HEADERS
    )
    for values in holding_rows(today):
        holdings.append(values)
    contacts = wb.create_sheet("Contacts" if english else "联系记录")
    contacts.append(["Client ID", "Date", "Channel", "Content"] if english else CONTACT_HEADERS)
    for values in contact_rows(today):
        contacts.append(values)
    wb.save(path)
    return path
