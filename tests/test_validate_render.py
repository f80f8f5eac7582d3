"""Rendering a ValidationReport: table, JSON and CSV on stdout; formula injection."""

from __future__ import annotations

import csv
import io
import json

import pytest

from clientbook.export_safety import neutralise, neutralise_cell
from clientbook.render import CSV_COLUMNS, print_validation
from clientbook.validate import Code, Finding, Severity, ValidationReport


def sample() -> ValidationReport:
    findings = [
        Finding(
            severity=Severity.error,
            code=Code.invalid_email,
            sheet="客户",
            cell="G3",
            row=3,
            column="G",
            field="email",
            header="邮箱",
            value='=HYPERLINK("http://x")@',
        ),
        Finding(
            severity=Severity.error,
            code=Code.negative_amount,
            sheet="客户",
            cell="H3",
            row=3,
            column="H",
            field="aum",
            header="资产规模(万元)",
            value="-5",
        ),
        Finding(
            severity=Severity.warning,
            code=Code.legacy_id_number,
            sheet="客户",
            cell="E7",
            row=7,
            column="E",
            field="id_number",
            header="身份证号",
            value="1101*******1123",
        ),
    ]
    return ValidationReport(
        file="名册.xlsx",
        sheet="客户",
        header_row=2,
        rows=10,
        errors=2,
        warnings=1,
        findings=findings,
    )


def test_json_is_the_report_plus_messages(capsys: pytest.CaptureFixture[str]) -> None:
    report = sample()
    print_validation(report, "json", "zh")
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert captured.err == ""
    assert "名册.xlsx" in captured.out  # UTF-8, not \\u escapes
    messages = [item.pop("message") for item in data["findings"]]
    assert messages == [f.message("zh") for f in report.findings]
    assert data == report.model_dump(mode="json")


def test_csv_one_line_per_finding_neutralised(capsys: pytest.CaptureFixture[str]) -> None:
    report = sample()
    print_validation(report, "csv", "en")
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")  # not a terminal: the mark Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + len(report.findings)
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["value"] == '\'=HYPERLINK("http://x")@'
    assert first["cell"] == "G3" and first["code"] == "invalid_email"
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert second["value"] == "'-5"
    assert second["message"].startswith("'")  # the message quotes the header first
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_table_groups_by_row_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    print_validation(sample(), "table", "en")
    captured = capsys.readouterr()
    assert "errors: 2, warnings: 1" in captured.err
    out = captured.out
    assert out.count("客户!3") == 1  # the row is named once for its group
    assert "客户!7" in out
    for code in ("invalid_email", "negative_amount", "legacy_id_number"):
        assert code in out
    assert "Findings by code" in out
    assert out.index("Findings by code") > out.index("legacy_id_number")


def test_table_for_a_clean_book(capsys: pytest.CaptureFixture[str]) -> None:
    clean = ValidationReport(
        file="b.xlsx", sheet="客户", header_row=1, rows=3, errors=0, warnings=0, findings=[]
    )
    print_validation(clean, "table", "zh")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "未发现问题" in captured.err


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(raw: str, safe: str) -> None:
    assert neutralise(raw) == safe


def test_neutralise_cell_leaves_numbers() -> None:
    assert neutralise_cell(-5) == -5
    assert neutralise_cell(None) is None
    assert neutralise_cell("-5") == "'-5"


def test_csv_on_a_terminal_has_no_byte_order_mark(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mark is for a file Excel opens; a terminal would show it as a stray character."""
    import sys

    print_validation(sample(), "csv", "en")
    redirected = capsys.readouterr().out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    print_validation(sample(), "csv", "en")
    assert capsys.readouterr().out == redirected.removeprefix("\ufeff")
