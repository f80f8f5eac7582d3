"""`clientbook validate` end to end: real workbooks in tmp_path, the real CLI."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientbook.cli import app
from validate_fixtures import (
    CLIENT_HEADERS,
    GOOD_ID,
    defect_workbook,
    expected,
    expected_en,
    make_id,
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def small_book(path: Path, rows: list[list[object]], headers: list[str] | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(headers or ["客户号", "客户姓名", "资产规模(万元)", "风险测评日期", "身份证号"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", *args])
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def findings_of(stdout: str) -> list[dict[str, object]]:
    data = json.loads(stdout)
    findings: list[dict[str, object]] = data["findings"]
    return findings


def test_every_defect_is_found_at_its_cell(runner: CliRunner, tmp_path: Path) -> None:
    today = date.today()
    book = defect_workbook(tmp_path / "客户 名册.xlsx", today)
    code, out, _ = invoke(runner, str(book), "--format", "json")
    assert code == 1
    got = sorted(
        (f["code"], f["sheet"], f["cell"], f["severity"], f["value"]) for f in findings_of(out)
    )
    assert got == sorted(expected(today))  # type: ignore[type-var]


def test_json_equals_the_library_report(runner: CliRunner, tmp_path: Path) -> None:
    from clientbook.config import ValidateSettings
    from clientbook.register.read import open_book
    from clientbook.validate import check_book

    today = date.today()
    book = defect_workbook(tmp_path / "book.xlsx", today)
    _, out, err = invoke(runner, str(book), "--format", "json")
    data = json.loads(out)
    assert list(data) == ["file", "sheet", "header_row", "rows", "errors", "warnings", "findings"]
    assert (data["sheet"], data["header_row"], data["rows"]) == ("客户", 2, 21)
    assert data["errors"] + data["warnings"] == len(data["findings"])
    report = check_book(open_book(book), ValidateSettings(), today)
    messages = [item.pop("message") for item in data["findings"]]
    assert messages == [f.message("zh") for f in report.findings]
    assert data == report.model_dump(mode="json")
    choice = next(f for f in report.findings if f.code == "invalid_choice")
    assert "是否应为「C3 稳健型」" in choice.message("zh")
    assert GOOD_ID not in out and "13812345678" not in out
    assert err == "" or "\n" not in err.strip()


def test_csv_has_a_header_and_one_line_per_finding(runner: CliRunner, tmp_path: Path) -> None:
    book = defect_workbook(tmp_path / "book.xlsx", date.today())
    code, out, _ = invoke(runner, str(book), "--format", "csv")
    assert code == 1
    assert out.startswith("\ufeffseverity,code,")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert len(rows) == len(expected(date.today()))
    negative = next(r for r in rows if r["cell"] == "H5")
    assert negative["code"] == "negative_amount"
    assert negative["value"] == "'-5"  # formula injection neutralised
    assert negative["message"]


def test_table_groups_by_row_and_counts_codes(runner: CliRunner, tmp_path: Path) -> None:
    book = defect_workbook(tmp_path / "book.xlsx", date.today())
    code, out, err = invoke(runner, str(book))
    assert code == 1
    assert "按代码统计" in out
    for finding_code in {c for c, *_ in expected(date.today())}:
        assert finding_code in out
    assert "21 行客户" in err


def test_english_register_gives_english_messages(runner: CliRunner, tmp_path: Path) -> None:
    book = defect_workbook(tmp_path / "book.xlsx", date.today(), english=True)
    _, out, _ = invoke(runner, str(book), "--format", "json")
    findings = findings_of(out)
    choice = next(f for f in findings if f["code"] == "invalid_choice")
    assert "Did you mean 'C3 Balanced'?" in str(choice["message"])
    negative = next(f for f in findings if f["cell"] == "H5")
    assert "cannot be negative" in str(negative["message"])
    got = sorted((f["code"], f["sheet"], f["cell"], f["severity"], f["value"]) for f in findings)
    assert got == sorted(expected_en(date.today()))  # type: ignore[type-var]
    _, out_zh, _ = invoke(runner, str(book), "--format", "json", "--lang", "zh")
    assert "是否应为「C3 稳健型」" in out_zh


def test_clean_book_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    recent = date.today() - timedelta(days=10)
    book = small_book(
        tmp_path / "clean.xlsx",
        [["C1", "张三", 100, recent, GOOD_ID], ["C2", "李四", "1,200", recent, None]],
    )
    code, out, err = invoke(runner, str(book))
    assert code == 0
    assert out == ""
    assert "未发现问题" in err


def test_warnings_pass_unless_strict(runner: CliRunner, tmp_path: Path) -> None:
    stale = date.today() - timedelta(days=500)
    book = small_book(tmp_path / "w.xlsx", [["C1", "张三", 100, stale, GOOD_ID]])
    code, out, _ = invoke(runner, str(book), "--format", "json")
    assert code == 0
    assert [f["code"] for f in findings_of(out)] == ["risk_assessment_expired"]
    code, _, _ = invoke(runner, str(book), "--format", "json", "--strict")
    assert code == 1


def test_config_beside_the_book(runner: CliRunner, tmp_path: Path) -> None:
    assessed = date.today() - timedelta(days=40)
    book = small_book(tmp_path / "c.xlsx", [["C1", "张三", 100, assessed, GOOD_ID]])
    assert invoke(runner, str(book), "--format", "json")[0] == 0
    (tmp_path / "clientbook.toml").write_text("[validate]\nrisk_validity_days = 30\n")
    code, out, _ = invoke(runner, str(book), "--format", "json")
    assert code == 0
    assert [f["code"] for f in findings_of(out)] == ["risk_assessment_expired"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[validate]\nrisk_validity_days = 0\n")
    code, out, err = invoke(runner, str(book), "--config", str(bad))
    assert code == 2 and out == ""
    assert "validate.risk_validity_days" in err


def test_missing_column_is_reported_on_the_header_row(runner: CliRunner, tmp_path: Path) -> None:
    book = small_book(
        tmp_path / "m.xlsx",
        [["C1", "张三", "13812345678"]],
        headers=["客户号", "客户姓名", "手机号"],
    )
    code, out, _ = invoke(runner, str(book), "--format", "json")
    assert code == 1
    (finding,) = findings_of(out)
    assert (finding["code"], finding["cell"], finding["row"], finding["field"]) == (
        "missing_column",
        None,
        1,
        "aum",
    )
    assert "资产规模" in str(finding["message"])


def test_sheet_option(runner: CliRunner, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["这是说明页"])
    ws = wb.create_sheet("二组")
    ws.append(CLIENT_HEADERS[:3] + ["资产规模"])
    ws.append(["C1", "张三", "男", -1])
    path = tmp_path / "s.xlsx"
    wb.save(path)
    code, out, _ = invoke(runner, str(path), "--format", "json", "--sheet", "二组")
    assert code == 1
    data = json.loads(out)
    assert data["sheet"] == "二组"
    assert [(f["code"], f["cell"]) for f in data["findings"]] == [("negative_amount", "D2")]


def test_annotate_writes_a_copy_and_keeps_the_original(runner: CliRunner, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = defect_workbook(tmp_path / "book.xlsx", date.today())
    before = digest(book)
    out_path = tmp_path / "检查 结果.xlsx"
    code, out, err = invoke(runner, str(book), "--annotate", str(out_path), "--format", "json")
    assert code == 1
    assert digest(book) == before
    json.loads(out)  # stdout is still only the JSON
    assert "检查 结果.xlsx" in err
    wb = load_workbook(out_path)
    assert wb["客户"]["H5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "不能为负数" in wb["客户"]["H5"].comment.text
    assert wb["客户"]["J17"].fill.fgColor.rgb.endswith("FFEB9C")
    assert wb["客户"]["A3"].comment is None  # clean cells untouched
    assert wb["持仓"]["C4"].comment is not None


def test_annotate_refuses_the_register(runner: CliRunner, tmp_path: Path) -> None:
    book = defect_workbook(tmp_path / "book.xlsx", date.today())
    before = digest(book)
    code, out, err = invoke(runner, str(book), "--annotate", str(book))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert digest(book) == before


def encrypt(plain: Path, target: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with plain.open("rb") as stream, target.open("wb") as out:
        OOXMLFile(stream).encrypt(password, out)
    return target


def test_encrypted_register(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIENTBOOK_BOOK_PASSWORD", raising=False)
    plain = small_book(tmp_path / "plain.xlsx", [["C1", "张三", -3, None, None]])
    book = encrypt(plain, tmp_path / "secret.xlsx", "密码 123")
    code, out, err = invoke(runner, str(book))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("nope\n", encoding="utf-8")
    code, _, err = invoke(runner, str(book), "--password-file", str(wrong))
    assert code == 2 and len(err.strip().splitlines()) == 1
    right = tmp_path / "right.txt"
    right.write_text("密码 123\n", encoding="utf-8")
    annotated = tmp_path / "annotated.xlsx"
    args = ["--password-file", str(right), "--format", "json", "--annotate", str(annotated)]
    code, out, _ = invoke(runner, str(book), *args)
    assert code == 1
    assert [f["cell"] for f in findings_of(out)] == ["C2"]
    assert annotated.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # the copy stays encrypted
    monkeypatch.setenv("CLIENTBOOK_BOOK_PASSWORD", "密码 123")
    assert invoke(runner, str(book), "--format", "json")[0] == 1


def hostile_files(tmp_path: Path) -> list[Path]:
    files = []
    text = tmp_path / "text.xlsx"
    text.write_text("客户号,客户姓名\nC1,张三\n", encoding="utf-8")
    files.append(text)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    files.append(empty)
    broken = tmp_path / "broken.xlsx"
    import zipfile

    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not really")
    files.append(broken)
    no_header = small_book(tmp_path / "noheader.xlsx", [["a", "b", "c"]], headers=["x", "y", "z"])
    files.append(no_header)
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    files.append(folder)
    files.append(tmp_path / "missing.xlsx")
    return files


def test_unusable_files_exit_2_with_one_line(runner: CliRunner, tmp_path: Path) -> None:
    for path in hostile_files(tmp_path):
        code, out, err = invoke(runner, str(path))
        assert code == 2, (path.name, err)
        assert out == "", path.name
        assert len(err.strip().splitlines()) == 1, (path.name, err)


def test_ids_are_masked_everywhere(runner: CliRunner, tmp_path: Path) -> None:
    other = make_id("320102", date(1990, 6, 1), 22)
    book = small_book(
        tmp_path / "ids.xlsx",
        [["C1", "张三", 1, None, other], ["C2", "李四", 1, None, other]],
    )
    for fmt in ("json", "csv", "table"):
        _, out, err = invoke(runner, str(book), "--format", fmt)
        assert "duplicate_id_number" in out
        assert other not in out + err
        if fmt != "table":  # the table may wrap the message inside the ID
            assert other[:4] + "*" * 10 + other[-4:] in out


def test_password_prompt_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    plain = small_book(tmp_path / "plain.xlsx", [["C1", "张三", -3, None, None]])
    book = encrypt(plain, tmp_path / "加密 名册.xlsx", "s3cret")
    env = {k: v for k, v in os.environ.items() if k != "CLIENTBOOK_BOOK_PASSWORD"}
    env.update({"LANG": "C.UTF-8", "NO_COLOR": "1", "COLUMNS": "200"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "clientbook", "validate", str(book), "--format", "csv"],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect("password|密码")
    child.sendline("s3cret")
    child.expect(pexpect.EOF)
    child.close()
    output = child.before
    assert "s3cret" not in output  # no echo
    assert "negative_amount" in output
    assert child.exitstatus == 1

    # Ctrl-C at the prompt: the interrupted message and 130, no traceback.
    child = pexpect.spawn(
        sys.executable,
        ["-m", "clientbook", "validate", str(book)],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect("password|密码")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert "Traceback" not in child.before
    assert child.exitstatus == 130


def test_id_number_typed_as_a_number_says_so(runner: CliRunner, tmp_path: Path) -> None:
    # Excel keeps 15 significant digits of a number: the ID's last digits are already gone.
    book = small_book(tmp_path / "r.xlsx", [["C1", "张三", 100, None, 110101197503121218]])
    code, out, _ = invoke(runner, str(book), "--format", "json")
    assert code == 1
    (finding,) = findings_of(out)
    assert (finding["code"], finding["cell"]) == ("invalid_id_number", "E2")
    assert "文本" in str(finding["message"]) and "数字" in str(finding["message"])
    code, out, _ = invoke(runner, str(book), "--format", "json", "--lang", "en")
    assert "Format the column as Text" in str(findings_of(out)[0]["message"])


def test_totals_and_notes_rows_are_skipped_not_clients(runner: CliRunner, tmp_path: Path) -> None:
    book = small_book(
        tmp_path / "r.xlsx",
        [
            ["C1", "张三", 100, None, None],
            ["C2", "李四", 300, None, None],
            ["合计", None, 400, None, None],
            ["注：资产单位为万元", None, None, None, None],
        ],
    )
    code, out, _ = invoke(runner, str(book), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["rows"] == 2
    got = [(f["code"], f["cell"], f["severity"], f["value"]) for f in data["findings"]]
    assert got == [
        ("skipped_row", "A4", "warning", "合计"),
        ("skipped_row", "A5", "warning", "注：资产单位为万元"),
    ]
    tiered = runner.invoke(app, ["tier", str(book), "--dry-run", "--format", "json"])
    assert tiered.exit_code == 0, tiered.output
    assert [c["client_id"] for c in json.loads(tiered.stdout)["clients"]] == ["C2", "C1"]


def test_annotate_keeps_an_existing_output_file(runner: CliRunner, tmp_path: Path) -> None:
    book = small_book(tmp_path / "r.xlsx", [["C1", None, 100, None, None]])
    out = tmp_path / "marked.xlsx"
    out.write_bytes(b"precious")
    code, _, err = invoke(runner, str(book), "--annotate", str(out))
    assert code == 1
    assert (tmp_path / "marked.old.xlsx").read_bytes() == b"precious"
    assert "marked.old.xlsx" in err


def test_totals_and_notes_rows_are_skipped_and_client_ids_alike_are_not(
    runner: CliRunner, tmp_path: Path
) -> None:
    """合计/Total/注： rows are listed as skipped rows; IDs that only look alike stay clients."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Clients"
    ws.append(["Client ID", "Name", "AUM (10k CNY)"])
    rows = [
        ("C1", "Ann", 10),
        ("Sum1", "Bob", 20),  # a client whose ID starts like a label
        ("T100", "Cy", 30),
        ("  TOTAL ", None, 60),
        ("Grand Total", None, 60),
        (None, "合 计", 60),  # the label in the name column, the ID left empty
        ("注：金额单位万元", None, None),
        ("ｔｏｔａｌ", "Di", 5),  # full-width letters are not the word total
    ]
    for row in rows:
        ws.append(list(row))
    path = tmp_path / "book.xlsx"
    wb.save(path)
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    report = json.loads(result.stdout)
    skipped = sorted(f["row"] for f in report["findings"] if f["code"] == "skipped_row")
    assert skipped == [5, 6, 7, 8]
    assert report["rows"] == 4  # C1, Sum1, T100 and the full-width one
