"""A relationship manager's day through the real CLI, on registers made by `clientbook init`.

init → type clients in as people do (500万, 1.2亿, 2024年3月5日, full-width digits,
+86 138-1234-5678, 稳健型, 每季度 / 45天) → validate → fix → tier → backup list / verify /
restore → re-tier (a no-op). In Chinese and in English. Dates are relative to today because
the CLI uses the real clock.
"""

from __future__ import annotations

import json
import os
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from clientbook.cli import app

PASSPHRASE = "四季 平安 correct horse"
ZH_TIER = ["客户层级", "潜力分", "易达分", "优先级得分", "优先级象限", "优先排名", "优先级说明"]
EN_TIER = ["Tier", "Potential", "Ease", "Priority score", "Quadrant", "Rank", "Reason"]
ZH_QUADRANTS = {"速赢", "培养", "维持", "放弃"}
EN_QUADRANTS = {"Quick win", "Cultivate", "Maintain", "Deprioritize"}


@pytest.fixture
def vault(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private vault, the passphrase in the environment, fast scrypt (as test_vault*)."""
    from clientbook.vault import store

    folder = tmp_path / "备份 库"
    monkeypatch.setenv("CLIENTBOOK_VAULT", str(folder))
    monkeypatch.setenv("CLIENTBOOK_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("CLIENTBOOK_BOOK_PASSWORD", raising=False)
    monkeypatch.setattr(store, "DEFAULT_WORK_FACTOR", 10)
    return folder


def cli(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def id_number(area: str, birth: date, seq: int, male: bool) -> str:
    """A synthetic GB 11643 ID number with a correct check digit."""
    body = f"{area}{birth:%Y%m%d}{seq:02d}{1 if male else 2}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def fill(path: Path, rows: list[dict[str, Any]]) -> None:
    """Type rows under the template's header, by header text, as a user would."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    columns = {cell.value: cell.column for cell in ws[1] if cell.value}
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(row=r, column=columns[header], value=value)
    wb.save(path)


def set_cells(path: Path, cells: dict[str, Any]) -> None:
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)


def findings(result: Result) -> set[tuple[str, str]]:
    return {(f["code"], f["cell"]) for f in json.loads(result.stdout)["findings"]}


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def zh_clients(today: date) -> list[dict[str, Any]]:
    def ago(days: int) -> date:
        return today - timedelta(days=days)

    assessed = ago(100)
    return [
        {  # 1.2亿 → A; 每季度; an international mobile with dashes; 稳健型 → C3
            "客户号": "C001",
            "客户姓名": "王建国",
            "性别": "男",
            "身份证号": id_number("110101", date(1975, 3, 12), 12, True),
            "手机号": "+86 138-1234-5678",
            "资产规模(万元)": "1.2亿",
            "上年资产规模(万元)": "9000万",
            "年收入(万元)": 300,
            "他行资产(万元)": "500万",
            "风险等级": "稳健型",
            "风险测评日期": f"{assessed.year}年{assessed.month}月{assessed.day}日",
            "联系频率": "每季度",
            "最近联系日期": ago(30).strftime("%Y/%m/%d"),
            "开户日期": date(2015, 6, 1),
            "职业": "企业主",
            "持有产品": "理财、基金",
            "联系方式偏好": "电话",
        },
        {  # a number client ID, full-width digits, 45天, an ID ending in X
            "客户号": 10023,
            "客户姓名": "李秀英",
            "性别": "女",
            "身份证号": id_number("310104", date(1988, 7, 21), 34, False),
            "手机号": "１３９１２３４５６７８",
            "资产规模(万元)": "５００万",
            "年收入(万元)": "８０",
            "风险等级": "C4 积极型",
            "联系频率": "45天",
            "最近联系日期": ago(60).strftime("%Y%m%d"),
            "开户日期": "2020年1月8日",
            "职业": "医生",
        },
        {
            "客户号": "C003",
            "客户姓名": "张伟",
            "出生日期": "1960-02-29",
            "手机号": "13700001111",
            "资产规模(万元)": "150",
            "风险等级": "C2",
            "最近联系日期": ago(7).strftime("%Y-%m-%d"),
        },
        {
            "客户号": "C004",
            "客户姓名": "赵敏",
            "资产规模(万元)": 85.5,
            "风险等级": "保守型",
            "手机号": "138 0013 8000",
            "邮箱": "zhao@example.com",
        },
        {  # row 6: what goes wrong on a busy day
            "客户号": "C005",
            "客户姓名": "刘洋",
            "资产规模(万元)": "一百万",
            "手机号": "12345678901",
            "出生日期": "1980-13-45",
            "风险等级": "稳建型",
            "最近联系日期": (today + timedelta(days=40)).isoformat(),
        },
        {  # row 7: the same client ID typed twice
            "客户号": "C005",
            "客户姓名": "陈静",
            "资产规模(万元)": -5,
            "邮箱": "chen@",
        },
    ]


def test_a_chinese_managers_day(runner: CliRunner, vault: Path, tmp_path: Path) -> None:
    today = date.today()
    folder = tmp_path / "理财 工作"
    folder.mkdir()
    book = folder / "王经理 名册.xlsx"

    # init: a new register, never over an existing one
    made = cli(runner, "init", str(book), "--lang", "zh")
    assert made.exit_code == 0, made.output
    assert "clientbook validate" in made.stderr
    again = cli(runner, "init", str(book), "--lang", "zh")
    assert "--force" in one_line_error(again)

    fill(book, zh_clients(today))

    # validate: every mistake, each at its cell; the typed-in formats are all accepted
    checked = cli(runner, "validate", str(book), "--format", "json")
    assert checked.exit_code == 1, checked.output
    assert findings(checked) == {
        ("duplicate_id", "A6"),
        ("duplicate_id", "A7"),
        ("invalid_date", "D6"),
        ("invalid_mobile", "F6"),
        ("invalid_number", "L6"),
        ("invalid_choice", "P6"),
        ("future_date", "X6"),
        ("invalid_email", "G7"),
        ("negative_amount", "L7"),
    }
    report = json.loads(checked.stdout)
    assert report["rows"] == 6 and report["header_row"] == 1
    masked = {f["cell"]: f["value"] for f in report["findings"]}
    assert masked["F6"] == "123****8901"  # mobiles masked even in findings
    suggestion = next(f for f in report["findings"] if f["cell"] == "P6")
    assert "C3 稳健型" in suggestion["message"]

    # the annotated copy marks exactly those cells; the register is only read
    before_annotate = book.read_bytes()
    marked = folder / "检查 结果.xlsx"
    annotated = cli(runner, "validate", str(book), "--annotate", str(marked))
    assert annotated.exit_code == 1
    assert book.read_bytes() == before_annotate
    ws = load_workbook(marked).worksheets[0]
    commented = {c.coordinate for row in ws.iter_rows() for c in row if c.comment is not None}
    assert commented == {cell for _, cell in findings(checked)}
    assert "C3 稳健型" in ws["P6"].comment.text
    assert ws["L6"].fill.fill_type == "solid" and ws["L2"].fill.fill_type is None

    # fix the cells the way the messages say
    set_cells(
        book,
        {
            "D6": "1980-12-25",
            "F6": "136 1234 5678",
            "L6": "100万",
            "P6": "C3 稳健型",
            "X6": (today - timedelta(days=200)).isoformat(),
            "A7": "C006",
            "G7": "chen@example.com",
            "L7": 50,
        },
    )
    clean = cli(runner, "validate", str(book))
    assert clean.exit_code == 0, clean.output

    # tier in place, with an encrypted backup of the file as it was
    pre_tier = book.read_bytes()
    restored_template = tmp_path / "pre-tier copy.xlsx"
    restored_template.write_bytes(pre_tier)
    tiered = cli(runner, "tier", str(book))
    assert tiered.exit_code == 0, tiered.output
    assert "写入 7 列" in tiered.stderr and "加密备份" in tiered.stderr
    wb = load_workbook(book)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:30] == [c.value for c in load_workbook(restored_template)["客户"][1]]
    assert header[30:] == ZH_TIER
    for col in range(31, 38):  # styled like the neighbouring header cells
        assert ws.cell(1, col).font.b == ws.cell(1, 30).font.b
        assert ws.cell(1, col).fill.fgColor.rgb == ws.cell(1, 30).fill.fgColor.rgb
    assert ws.auto_filter.ref == "A1:AK1"  # the template's header filter reaches the new columns
    cells = {
        str(ws.cell(r, 1).value): [ws.cell(r, c).value for c in range(31, 38)] for r in range(2, 8)
    }
    assert {cid: v[0] for cid, v in cells.items()} == {
        "C001": "A 超高净值",  # 1.2亿 = 12000万
        "10023": "B 高净值",  # ５００万
        "C003": "C 中端",
        "C004": "D 普通",
        "C005": "C 中端",  # 100万, fixed
        "C006": "D 普通",
    }
    for potential, ease, priority, quadrant, _, reason in (v[1:] for v in cells.values()):
        for score in (potential, ease, priority):
            assert isinstance(score, int | float) and 0 <= score <= 100  # numbers, not text
        assert quadrant in ZH_QUADRANTS
        assert isinstance(reason, str) and reason
    assert sorted(v[5] for v in cells.values()) == [1, 2, 3, 4, 5, 6]

    # the vault: one snapshot of the pre-tier file; verify; restore gives its bytes back
    listed = cli(runner, "backup", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    snapshots = json.loads(listed.stdout)
    assert [s["book"] for s in snapshots] == [book.name]
    snap = snapshots[0]["id"]
    assert book.name not in "".join(p.name for p in vault.rglob("*"))  # names reveal nothing
    verified = cli(runner, "backup", "verify", snap)
    assert verified.exit_code == 0, verified.output
    restored = folder / "恢复 的名册.xlsx"
    back = cli(runner, "backup", "restore", snap, "--to", str(restored))
    assert back.exit_code == 0, back.output
    assert restored.read_bytes() == pre_tier
    refused = cli(runner, "backup", "restore", snap, "--to", str(restored))
    assert "--force" in one_line_error(refused)
    assert restored.read_bytes() == pre_tier

    # tier again on the same data: the same bytes (no duplicate columns, no churn)
    after_first = book.read_bytes()
    rerun = cli(runner, "tier", str(book))
    assert rerun.exit_code == 0, rerun.output
    assert book.read_bytes() == after_first

    # prune --dry-run lists, removes nothing
    pruned = cli(runner, "backup", "prune", "--keep-last", "1", "--dry-run")
    assert pruned.exit_code == 0, pruned.output
    relisted = json.loads(cli(runner, "backup", "list", "--format", "json").stdout)
    assert len(relisted) == 2  # the pre-tier file and the tiered one


def test_an_english_managers_day(runner: CliRunner, vault: Path, tmp_path: Path) -> None:
    today = date.today()
    book = tmp_path / "my book" / "clients.xlsx"
    book.parent.mkdir()
    made = cli(runner, "init", str(book), "--lang", "en")
    assert made.exit_code == 0, made.output
    header = [c.value for c in load_workbook(book).worksheets[0][1]]
    assert header[:3] == ["Client ID", "Name", "Gender"]
    fill(
        book,
        [
            {
                "Client ID": "E1",
                "Name": "Alice Chen",
                "AUM (10k CNY)": "1,500",
                "Risk profile": "C3",
                "Last contact": (today - timedelta(days=10)).isoformat(),
                "Contact frequency": "每月",
                "Mobile": "+86 139 0000 1111",
            },
            {"Client ID": "E2", "Name": "Bob Li", "AUM (10k CNY)": "80万"},
            {"Client ID": "E3", "Name": "Carol Wu", "AUM (10k CNY)": 620, "Email": "carol@"},
            {"Client ID": "E4", "Name": "Dan Zhou", "AUM (10k CNY)": "lots"},
        ],
    )
    checked = cli(runner, "validate", str(book), "--format", "csv")
    assert checked.exit_code == 1
    assert checked.stdout.startswith("\ufeff")  # for Excel, which opens the file
    lines = checked.stdout.removeprefix("\ufeff").strip().splitlines()
    assert lines[0].startswith("severity,code,sheet,cell")
    assert {(line.split(",")[1], line.split(",")[3]) for line in lines[1:]} == {
        ("invalid_email", "G4"),
        ("invalid_number", "L5"),
    }
    assert "not a valid" in checked.stdout or "is not" in checked.stdout  # English messages

    # tier with the errors still there: E4 (no usable AUM) is listed and left blank
    tiered = cli(runner, "tier", str(book), "--lang", "zh")
    assert tiered.exit_code == 0, tiered.output
    assert "优先排名前 10" in tiered.stdout  # the summary follows --lang ...
    ws = load_workbook(book).worksheets[0]
    assert [c.value for c in ws[1]][30:] == EN_TIER  # ... the cells the register's language
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(31, 38)] for r in (2, 3, 4, 5)}
    assert rows["E1"][0] == "A UHNW" and rows["E2"][0] == "D Mass" and rows["E3"][0] == "B HNW"
    assert rows["E4"] == [None] * 7
    assert all(rows[c][4] in EN_QUADRANTS for c in ("E1", "E2", "E3"))
    assert sorted(rows[c][5] for c in ("E1", "E2", "E3")) == [1, 2, 3]

    # --output and --dry-run leave the register alone and need no backup
    tiered_bytes = book.read_bytes()
    out = book.with_name("ranked copy.xlsx")
    copy = cli(runner, "tier", str(book), "--output", str(out), "--lang", "en")
    assert copy.exit_code == 0 and "Top 10 by rank" in copy.stdout
    dry = cli(runner, "tier", str(book), "--dry-run")
    assert dry.exit_code == 0
    assert book.read_bytes() == tiered_bytes
    assert [c.value for c in load_workbook(out).worksheets[0][1]][30:] == EN_TIER


def test_a_workbook_open_in_excel_can_be_previewed_not_written(
    runner: CliRunner, vault: Path, tmp_path: Path
) -> None:
    book = tmp_path / "名册.xlsx"
    assert cli(runner, "init", str(book), "--lang", "zh").exit_code == 0
    fill(book, [{"客户号": "C1", "客户姓名": "甲", "资产规模(万元)": 600}])
    (tmp_path / "~$名册.xlsx").write_bytes(b"")
    before = book.read_bytes()
    refused = cli(runner, "tier", str(book))
    assert "~$名册.xlsx" in one_line_error(refused)
    assert book.read_bytes() == before and not vault.exists()
    forced = cli(runner, "tier", str(book), "--force")
    assert forced.exit_code == 0, forced.output
    assert load_workbook(book).worksheets[0]["AE2"].value == "B 高净值"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["missing", "folder", "csv", "corrupt", "xls"])
def test_files_that_are_not_registers(
    runner: CliRunner, vault: Path, tmp_path: Path, kind: str, lang: str
) -> None:
    """Every command: one line on stderr, in the chosen language, exit 2, nothing written."""
    path = tmp_path / ("名册.xls" if kind == "xls" else "名册.xlsx")
    if kind == "folder":
        path.mkdir()
    elif kind == "csv":
        path.write_text("客户号,资产规模\nC1,100\n", encoding="utf-8")
    elif kind == "corrupt":
        assert cli(runner, "init", str(tmp_path / "ok.xlsx"), "--lang", "zh").exit_code == 0
        path.write_bytes((tmp_path / "ok.xlsx").read_bytes()[:1500])
    elif kind == "xls":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    commands = [
        ["validate", str(path)],
        ["validate", str(path), "--annotate", str(tmp_path / "out.xlsx")],
        ["tier", str(path)],
        ["tier", str(path), "--dry-run"],
    ]
    if kind in ("missing", "folder"):
        commands.append(["backup", "create", str(path)])
    for command in commands:
        line = one_line_error(cli(runner, *command, "--lang", lang))
        has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in line.replace("名册", ""))
        assert has_chinese == (lang == "zh"), line
        assert str(path.name) in line
    assert not (tmp_path / "out.xlsx").exists() and not vault.exists()


def test_an_encrypted_register_stays_encrypted(
    runner: CliRunner, vault: Path, tmp_path: Path
) -> None:
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    assert cli(runner, "init", str(plain), "--lang", "zh").exit_code == 0
    fill(plain, [{"客户号": "C1", "客户姓名": "甲", "资产规模(万元)": "1200万"}])
    book = tmp_path / "加密 名册.xlsx"
    with plain.open("rb") as src, book.open("wb") as dst:
        OOXMLFile(src).encrypt("密码123", dst)
    password = tmp_path / "pw.txt"
    password.write_text("密码123\n", encoding="utf-8")

    assert "CLIENTBOOK_BOOK_PASSWORD" in one_line_error(cli(runner, "validate", str(book)))
    pre = book.read_bytes()
    tiered = cli(runner, "tier", str(book), "--password-file", str(password))
    assert tiered.exit_code == 0, tiered.output
    with book.open("rb") as f:
        office = msoffcrypto.OfficeFile(f)
        assert office.is_encrypted()
        office.load_key(password="密码123")
        decrypted = tmp_path / "decrypted.xlsx"
        with decrypted.open("wb") as out:
            office.decrypt(out)
    assert load_workbook(decrypted).worksheets[0]["AE2"].value == "A 超高净值"
    assert zipfile.is_zipfile(decrypted) and not zipfile.is_zipfile(book)
    snap = json.loads(cli(runner, "backup", "list", "--format", "json").stdout)[0]["id"]
    restored = tmp_path / "back.xlsx"
    assert cli(runner, "backup", "restore", snap, "--to", str(restored)).exit_code == 0
    assert restored.read_bytes() == pre


@pytest.mark.parametrize("codepage", ["cp1252", "cp936"])
def test_redirected_output_is_utf8_on_a_windows_code_page(tmp_path: Path, codepage: str) -> None:
    """`clientbook validate book.xlsx --format json > out.json` on Windows: the redirected
    streams use the locale's code page, which cannot hold every character of the messages
    (Chinese on cp1252, the dash in 13–19 on cp936). The output must be UTF-8, no traceback."""
    import subprocess
    import sys

    book = tmp_path / "名册.xlsx"
    assert cli(CliRunner(), "init", str(book), "--lang", "zh").exit_code == 0
    fill(book, [{"客户号": "C1", "客户姓名": "甲", "资产规模(万元)": 10, "手机号": "12345"}])
    env = {**os.environ, "PYTHONIOENCODING": codepage, "CLIENTBOOK_LANG": "zh"}

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, "-m", "clientbook", *args]
        return subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)

    as_json = run("validate", str(book), "--format", "json")
    assert as_json.returncode == 1, as_json.stderr.decode("utf-8", "replace")
    report = json.loads(as_json.stdout.decode("utf-8"))
    assert [(f["code"], f["cell"]) for f in report["findings"]] == [("invalid_mobile", "F2")]
    assert "13–19" in report["findings"][0]["message"]
    table = run("validate", str(book))
    assert table.returncode == 1 and b"Traceback" not in table.stderr
    assert "手机号" in table.stdout.decode("utf-8")
    missing = run("validate", str(tmp_path / "没有.xlsx"))
    assert missing.returncode == 2
    assert missing.stderr.decode("utf-8").strip().splitlines() == [
        f"找不到文件 {tmp_path / '没有.xlsx'}，请检查路径和文件名"
    ]


def test_fixing_cells_in_the_annotated_copy_and_checking_it_again(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The manager corrects the cells in the marked-up copy and annotates that file again:
    her own comment and its author stay, old clientbook notes are not repeated, and a
    fixed cell loses its red fill and note."""
    from openpyxl.comments import Comment

    book = tmp_path / "名册.xlsx"
    assert cli(runner, "init", str(book), "--lang", "zh").exit_code == 0
    fill(
        book,
        [
            {"客户号": "C1", "客户姓名": "甲", "资产规模(万元)": "很多", "邮箱": "a@"},
            {"客户号": "C2", "客户姓名": "乙", "资产规模(万元)": 10},
        ],
    )
    wb = load_workbook(book)
    wb.worksheets[0]["G2"].comment = Comment("客户说邮箱换了", "王经理")
    wb.save(book)

    first = tmp_path / "检查1.xlsx"
    assert cli(runner, "validate", str(book), "--annotate", str(first)).exit_code == 1
    ws = load_workbook(first).worksheets[0]
    assert ws["G2"].comment.author == "王经理"
    assert ws["G2"].comment.text.startswith("客户说邮箱换了\n\n[clientbook] ")
    assert ws["L2"].fill.fgColor.rgb.endswith("FFC7CE")

    set_cells(first, {"L2": 500})  # fixed in the copy; the e-mail is still wrong
    second = tmp_path / "检查2.xlsx"
    assert cli(runner, "validate", str(first), "--annotate", str(second)).exit_code == 1
    ws = load_workbook(second).worksheets[0]
    note = ws["G2"].comment.text
    assert note.startswith("客户说邮箱换了\n\n") and note.count("[clientbook]") == 1
    assert ws["G2"].comment.author == "王经理"
    assert ws["L2"].comment is None and ws["L2"].fill.fill_type is None
    assert ws["L2"].value == 500


def test_a_clean_register_annotated_is_copied_byte_for_byte(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Nothing to mark: the copy is the register itself (fast, nothing lost). Once every
    cell of a marked-up copy is fixed, checking it again clears all the old notes."""
    book = tmp_path / "名册.xlsx"
    assert cli(runner, "init", str(book), "--lang", "zh").exit_code == 0
    fill(book, [{"客户号": "C1", "客户姓名": "甲", "资产规模(万元)": "abc"}])
    marked = tmp_path / "标注.xlsx"
    assert cli(runner, "validate", str(book), "--annotate", str(marked)).exit_code == 1
    assert load_workbook(marked).worksheets[0]["L2"].comment is not None

    set_cells(marked, {"L2": 120})
    cleared = tmp_path / "再查.xlsx"
    result = cli(runner, "validate", str(marked), "--annotate", str(cleared))
    assert result.exit_code == 0, result.output
    ws = load_workbook(cleared).worksheets[0]
    assert ws["L2"].comment is None and ws["L2"].fill.fill_type is None

    set_cells(book, {"L2": 120})
    copy = tmp_path / "副本.xlsx"
    assert cli(runner, "validate", str(book), "--annotate", str(copy)).exit_code == 0
    assert copy.read_bytes() == book.read_bytes()


def test_the_passphrase_prompt_speaks_on_stderr_and_in_chinese(vault: Path, tmp_path: Path) -> None:
    """Without CLIENTBOOK_PASSPHRASE on a terminal: a new vault asks twice, a mismatch is
    said in the user's language and asked again; with stdout redirected to a file
    (`backup list --format json > snapshots.json`) the prompt still shows and the file
    holds only the JSON."""
    import shlex
    import sys

    if os.name != "posix":
        pytest.skip("a pseudo-terminal and /bin/sh")
    import pexpect

    book = tmp_path / "名册.xlsx"
    assert cli(CliRunner(), "init", str(book), "--lang", "zh").exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTBOOK_")}
    env["LANG"] = "C.UTF-8"
    command = [sys.executable, "-m", "clientbook", "backup", "create", str(book)]
    child = pexpect.spawn(
        command[0], command[1:] + ["--vault", str(vault)], env=env, encoding="utf-8", timeout=120
    )
    child.expect("设置口令")
    child.sendline(PASSPHRASE)
    child.expect("再次输入口令")
    child.sendline(PASSPHRASE + "x")
    child.expect("两次输入的口令不一致")
    child.expect("设置口令")
    child.sendline(PASSPHRASE)
    child.expect("再次输入口令")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    out = tmp_path / "snapshots.json"
    listing = [sys.executable, "-m", "clientbook", "backup", "list", "--format", "json"]
    line = " ".join(shlex.quote(a) for a in listing + ["--vault", str(vault)])
    child = pexpect.spawn(
        "/bin/sh", ["-c", f"{line} > {shlex.quote(str(out))}"], env=env, encoding="utf-8"
    )
    child.expect("口令")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    snapshots = json.loads(out.read_text(encoding="utf-8"))
    assert [s["book"] for s in snapshots] == ["名册.xlsx"]
