"""Real registers for the `tier` tests, built with openpyxl (synthetic people).

The three scorable clients mirror `three_clients()` in test_tier_scoring.py, with dates
relative to today, so the command gives the hand-checked scores whatever the date.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

ZH_HEADERS = [
    "客户号", "客户姓名", "出生日期", "资产规模(万元)", "上年资产规模(万元)", "年收入(万元)",
    "他行资产(万元)", "职业", "学历", "最近联系日期", "开户日期", "距网点(公里)", "持有产品",
    "联系方式偏好", "联系时段", "自定义标签", "折合元",
]  # fmt: skip
EN_HEADERS = [
    "Client ID", "Name", "Birth date", "AUM", "AUM last year", "Annual income",
    "Assets elsewhere", "Occupation", "Education", "Last contact", "Client since",
    "Distance to branch", "Products held", "Preferred channel", "Contact window", "My tag",
    "In yuan",
]  # fmt: skip
HEADER_ROW = 3
FIRST_DATA_ROW = 4


def client_rows(lang: str, today: date | None = None) -> list[list[Any]]:
    today = today or date.today()
    zh = lang == "zh"
    return [
        [
            1, "张伟" if zh else "Zhang Wei", date(1986, 11, 27), 1000, 500, 120, 800,
            "企业主" if zh else "Business owner", "硕士" if zh else "Master",
            today - timedelta(days=90), today - timedelta(days=3653), 5,
            "定期存款" if zh else "Time deposit", "电话" if zh else "Phone", None, "VIP",
        ],
        [
            2, "王芳" if zh else "Wang Fang", date(1966, 1, 1), 200, 250, 30, 0,
            "医生" if zh else "Doctor", "本科" if zh else "Bachelor",
            today - timedelta(days=10), today - timedelta(days=7600), 1,
            "基金、理财、保险" if zh else "Fund, Wealth management, Insurance",
            "微信" if zh else "WeChat", "晚上" if zh else "evenings", None,
        ],
        [
            3, "李强" if zh else "Li Qiang", None, 50, None, None, None,
            "退休" if zh else "Retired", None, None, today - timedelta(days=544), 20,
            "基金，定期存款" if zh else "Fund; Time deposit", None, None, "老客户",
        ],
        # cannot be scored: duplicate client ID (both rows), AUM missing
        [4, "赵敏" if zh else "Zhao Min", None, 300] + [None] * 12,
        [4, "钱多" if zh else "Qian Duo", None, 600] + [None] * 12,
        [5, "孙丽" if zh else "Sun Li", None, None] + [None] * 12,
    ]  # fmt: skip


def write_register(path: Path, lang: str = "zh", *, contacts: bool = False) -> Path:
    """A register with a title row, a styled header at row 3, a formula column, 6 rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "客户" if lang == "zh" else "Clients"
    ws["A1"] = "2026年客户名册" if lang == "zh" else "Client register 2026"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    headers = ZH_HEADERS if lang == "zh" else EN_HEADERS
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for offset, values in enumerate(client_rows(lang)):
        row = FIRST_DATA_ROW + offset
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
        ws.cell(row=row, column=len(headers), value=f"=D{row}*10000")
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.column_dimensions["B"].width = 18
    if contacts:
        log = wb.create_sheet("联系记录" if lang == "zh" else "Contacts")
        log.append(["客户号", "日期", "方式", "内容"] if lang == "zh" else
                   ["Client ID", "Date", "Channel", "Content"])  # fmt: skip
        log.append(
            [3, date.today() - timedelta(days=2), "电话" if lang == "zh" else "Phone", "回访"]
        )
    wb.save(path)
    return path
