"""`clientbook tier` end to end on real workbooks: what it writes, backs up and refuses."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from clientbook.cli import app
from clientbook.config import TierSettings
from clientbook.register.read import latest_contacts, open_book
from clientbook.register.schema import TIER_COLUMNS
from clientbook.tier import score_book
from tier_fixtures import FIRST_DATA_ROW, HEADER_ROW, ZH_HEADERS, write_register

ZH_TIER_HEADERS = [
    "客户层级",
    "潜力分",
    "易达分",
    "优先级得分",
    "优先级象限",
    "优先排名",
    "优先级说明",
]
EN_TIER_HEADERS = ["Tier", "Potential", "Ease", "Priority score", "Quadrant", "Rank", "Reason"]
FIRST_NEW_COLUMN = len(ZH_HEADERS) + 1  # the seven columns go after the formula column


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private vault, a passphrase in the environment, and fast scrypt for the tests."""
    from clientbook.vault import store

    vault = tmp_path / "vault"
    monkeypatch.setenv("CLIENTBOOK_VAULT", str(vault))
    monkeypatch.setenv("CLIENTBOOK_PASSPHRASE", "correct horse battery staple")
    monkeypatch.delenv("CLIENTBOOK_BOOK_PASSWORD", raising=False)
    monkeypatch.setattr(store, "DEFAULT_WORK_FACTOR", 10)
    return vault


@pytest.fixture
def book(tmp_path: Path) -> Path:
    folder = tmp_path / "客户 名册"  # Chinese and a space in the path
    folder.mkdir()
    return write_register(folder / "我的客户.xlsx")


def sheet_values(path: Path) -> list[list[Any]]:
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def tier_cells(path: Path, row: int) -> list[Any]:
    values = sheet_values(path)[row - 1]
    return values[FIRST_NEW_COLUMN - 1 : FIRST_NEW_COLUMN + 6]


def invoke(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, ["tier", *args], catch_exceptions=False)


def test_writes_seven_columns_in_place(runner: CliRunner, env: Path, book: Path) -> None:
    before = sheet_values(book)
    result = invoke(runner, str(book))
    assert result.exit_code == 0, result.output
    after = sheet_values(book)
    header = after[HEADER_ROW - 1]
    assert header[: len(ZH_HEADERS)] == ZH_HEADERS
    assert header[FIRST_NEW_COLUMN - 1 :] == ZH_TIER_HEADERS
    # The hand-checked scores of test_tier_scoring.three_clients.
    assert tier_cells(book, FIRST_DATA_ROW) == [
        "A 超高净值", 100, 25, 70, "培养", 1, "90天未联系；AUM 前33%；他行资产 800万"
    ]  # fmt: skip
    assert tier_cells(book, FIRST_DATA_ROW + 1)[:6] == ["C 中端", 15, 100, 49, "维持", 2]
    assert tier_cells(book, FIRST_DATA_ROW + 2)[:6] == ["D 普通", 35, 25, 31, "放弃", 3]
    for row in range(FIRST_DATA_ROW + 3, FIRST_DATA_ROW + 6):  # duplicate ID ×2, no AUM
        assert tier_cells(book, row) == [None] * 7
    # Everything else is as it was: title, header, data, the formula.
    assert [r[: len(ZH_HEADERS)] for r in after] == [r[: len(ZH_HEADERS)] for r in before]
    assert after[FIRST_DATA_ROW - 1][len(ZH_HEADERS) - 1] == f"=D{FIRST_DATA_ROW}*10000"
    # Summary on stdout, what happened on stderr.
    assert "A 超高净值" in result.stdout and "张伟" in result.stdout
    assert "未评分" in result.stdout and "重复" in result.stdout
    assert "写入 7 列" in result.stderr and "加密备份" in result.stderr


def test_a_second_run_changes_nothing(runner: CliRunner, env: Path, book: Path) -> None:
    assert invoke(runner, str(book)).exit_code == 0
    first = sheet_values(book)
    assert invoke(runner, str(book)).exit_code == 0
    assert sheet_values(book) == first  # same cells, no duplicate columns


def test_english_headers_are_found_again_by_a_chinese_run(
    runner: CliRunner, env: Path, tmp_path: Path
) -> None:
    book = write_register(tmp_path / "book.xlsx", lang="en")
    result = invoke(runner, str(book))
    assert result.exit_code == 0, result.output
    values = sheet_values(book)
    assert values[HEADER_ROW - 1][FIRST_NEW_COLUMN - 1 :] == EN_TIER_HEADERS
    assert tier_cells(book, FIRST_DATA_ROW) == [
        "A UHNW", 100, 25, 70, "Cultivate", 1,
        "not contacted for 90 days; AUM top 33%; assets elsewhere 8.0M",
    ]  # fmt: skip
    assert "Top 10 by rank" in result.stdout
    again = invoke(runner, str(book), "--lang", "zh")
    assert again.exit_code == 0
    assert sheet_values(book) == values  # the register's language wins for cells
    assert "优先排名前 10" in again.stdout
    assert "90天未联系；AUM 前33%" in again.stdout  # the summary follows --lang


def test_output_leaves_the_original_untouched(runner: CliRunner, env: Path, book: Path) -> None:
    original = book.read_bytes()
    new = book.with_name("分层结果.xlsx")
    result = invoke(runner, str(book), "--output", str(new))
    assert result.exit_code == 0, result.output
    assert book.read_bytes() == original
    assert tier_cells(new, FIRST_DATA_ROW)[0] == "A 超高净值"
    assert not env.exists()  # nothing to back up when the original is not replaced
    assert "原文件未改动" in result.stderr


def test_dry_run_writes_nothing(runner: CliRunner, env: Path, book: Path) -> None:
    original = book.read_bytes()
    listing = sorted(p.name for p in book.parent.iterdir())
    result = invoke(runner, str(book), "--dry-run")
    assert result.exit_code == 0, result.output
    assert book.read_bytes() == original
    assert sorted(p.name for p in book.parent.iterdir()) == listing
    assert not env.exists()
    assert "张伟" in result.stdout and "演练" in result.stderr


def test_backup_of_the_old_file_goes_into_the_vault(
    runner: CliRunner, env: Path, book: Path, tmp_path: Path
) -> None:
    original = book.read_bytes()
    assert invoke(runner, str(book)).exit_code == 0
    listed = runner.invoke(app, ["backup", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    snapshots = json.loads(listed.stdout)
    assert len(snapshots) == 1 and snapshots[0]["book"] == book.name
    restored = tmp_path / "restored.xlsx"
    done = runner.invoke(app, ["backup", "restore", snapshots[0]["id"], "--to", str(restored)])
    assert done.exit_code == 0, done.output
    assert restored.read_bytes() == original  # the register as it was before `tier`


def test_no_passphrase_and_no_terminal_stops(
    runner: CliRunner, env: Path, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIENTBOOK_PASSPHRASE")
    original = book.read_bytes()
    result = invoke(runner, str(book))
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "CLIENTBOOK_PASSPHRASE" in message and "--passphrase-file" in message
    assert "--no-backup" in message
    assert book.read_bytes() == original
    assert result.stdout == ""
    # Nothing is replaced with --dry-run or --output, so no passphrase is needed there.
    assert invoke(runner, str(book), "--dry-run").exit_code == 0
    assert invoke(runner, str(book), "--output", str(book.with_name("new.xlsx"))).exit_code == 0
    assert book.read_bytes() == original


def test_a_missing_register_is_said_before_the_passphrase(
    runner: CliRunner, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped path is the problem to name, not the missing passphrase."""
    monkeypatch.delenv("CLIENTBOOK_PASSPHRASE")
    missing = tmp_path / "no such book.xlsx"
    result = invoke(runner, str(missing))
    assert result.exit_code == 2
    assert str(missing) in result.stderr and "CLIENTBOOK_PASSPHRASE" not in result.stderr
    not_a_book = tmp_path / "notes.xlsx"
    not_a_book.write_text("not a workbook", encoding="utf-8")
    result = invoke(runner, str(not_a_book))
    assert result.exit_code == 2 and "CLIENTBOOK_PASSPHRASE" not in result.stderr
    csv = tmp_path / "book.csv"  # read by validate, never written back
    csv.write_text("客户号,姓名\nC1,张三\n", encoding="utf-8")
    result = invoke(runner, str(csv))
    assert result.exit_code == 2 and ".xlsx" in result.stderr
    assert "CLIENTBOOK_PASSPHRASE" not in result.stderr


def test_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(app, ["tier", "--help"])
    assert result.exit_code == 0
    assert "Example: clientbook tier" in result.stdout
    for option in ("--output", "--dry-run", "--no-backup", "--force", "--passphrase-file"):
        assert option in result.stdout


def test_passphrase_file_is_used(
    runner: CliRunner, env: Path, book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIENTBOOK_PASSPHRASE")
    secret = tmp_path / "pass.txt"
    secret.write_text("another passphrase\n", encoding="utf-8")
    result = invoke(runner, str(book), "--passphrase-file", str(secret))
    assert result.exit_code == 0, result.output
    assert (env / "index.age").is_file()


def test_no_backup_skips_the_vault(
    runner: CliRunner, env: Path, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIENTBOOK_PASSPHRASE")
    result = invoke(runner, str(book), "--no-backup")
    assert result.exit_code == 0, result.output
    assert tier_cells(book, FIRST_DATA_ROW)[5] == 1
    assert not env.exists()
    assert "--no-backup" in result.stderr


def test_vault_option_wins_over_the_environment(
    runner: CliRunner, env: Path, book: Path, tmp_path: Path
) -> None:
    chosen = tmp_path / "elsewhere"
    assert invoke(runner, str(book), "--vault", str(chosen)).exit_code == 0
    assert (chosen / "index.age").is_file() and not env.exists()


def test_an_open_workbook_is_refused_unless_forced(
    runner: CliRunner, env: Path, book: Path
) -> None:
    lock = book.with_name("~$" + book.name)
    lock.write_bytes(b"owner")
    original = book.read_bytes()
    result = invoke(runner, str(book))
    assert result.exit_code == 2
    assert "~$" in result.stderr and "--force" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert book.read_bytes() == original
    forced = invoke(runner, str(book), "--force")
    assert forced.exit_code == 0, forced.output
    assert tier_cells(book, FIRST_DATA_ROW)[0] == "A 超高净值"


def test_an_open_workbook_can_still_be_previewed_or_copied(
    runner: CliRunner, env: Path, book: Path, tmp_path: Path
) -> None:
    book.with_name("~$" + book.name).write_bytes(b"owner")
    original = book.read_bytes()
    preview = invoke(runner, str(book), "--dry-run")
    assert preview.exit_code == 0, preview.output
    copy = tmp_path / "copy.xlsx"
    written = invoke(runner, str(book), "--output", str(copy))
    assert written.exit_code == 0, written.output
    assert tier_cells(copy, FIRST_DATA_ROW)[0] == "A 超高净值"
    assert book.read_bytes() == original


def test_json_is_the_library_result_and_nothing_else(
    runner: CliRunner, env: Path, book: Path
) -> None:
    expected_book = open_book(book)
    expected = score_book(
        expected_book, TierSettings(), date.today(), latest_contacts(expected_book)
    ).model_dump(mode="json")
    result = invoke(runner, str(book), "--format", "json", "--dry-run")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected
    data = json.loads(result.stdout)
    assert data["summary"]["clients_per_tier"] == {"A": 1, "B": 0, "C": 1, "D": 1}
    assert [u["why"] for u in data["unscored"]] == [
        "duplicate_client_id",
        "duplicate_client_id",
        "missing_aum",
    ]


def test_contacts_sheet_counts_as_a_contact(runner: CliRunner, env: Path, tmp_path: Path) -> None:
    book = write_register(tmp_path / "book.xlsx", contacts=True)
    result = invoke(runner, str(book), "--format", "json", "--dry-run")
    data = json.loads(result.stdout)
    li = next(c for c in data["clients"] if c["client_id"] == "3")
    assert li["inputs"]["recency"] == 2
    assert "last_contact" not in li["unknown"]


def test_config_beside_the_book_changes_the_bands(runner: CliRunner, env: Path, book: Path) -> None:
    (book.parent / "clientbook.toml").write_text(
        "[tier.bands]\nA = 2000\nB = 1000\nC = 40\n", encoding="utf-8"
    )
    assert invoke(runner, str(book), "--no-backup").exit_code == 0
    tiers = [tier_cells(book, FIRST_DATA_ROW + i)[0] for i in range(3)]
    assert tiers == ["B 高净值", "C 中端", "C 中端"]


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("missing.xlsx", None, "missing.xlsx"),
        ("old.xls", b"not really", ".xls"),
        ("fake.xlsx", b"plain text, not a workbook", "fake.xlsx"),
    ],
)
def test_unusable_files_are_one_line_and_exit_2(
    runner: CliRunner, env: Path, tmp_path: Path, name: str, content: bytes | None, expect: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = invoke(runner, str(path), "--no-backup")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert expect in result.stderr
    assert "Traceback" not in result.output


def test_a_register_without_aum_is_refused(runner: CliRunner, env: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["客户号", "客户姓名", "手机号", "职业"])
    ws.append(["1", "张伟", "13800001111", "医生"])
    path = tmp_path / "no_aum.xlsx"
    wb.save(path)
    original = path.read_bytes()
    result = invoke(runner, str(path), "--no-backup")
    assert result.exit_code == 2
    assert "资产规模" in result.stderr
    assert path.read_bytes() == original


def test_passphrase_is_asked_without_echo_on_a_terminal(tmp_path: Path) -> None:
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    book = write_register(tmp_path / "book.xlsx")
    vault = tmp_path / "vault"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTBOOK_")}
    env.update({"LANG": "C.UTF-8", "NO_COLOR": "1", "COLUMNS": "200"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "clientbook", "tier", str(book), "--vault", str(vault), "--lang", "en"],
        env=env,
        encoding="utf-8",
        timeout=120,
    )
    child.expect("New passphrase for the new vault")
    child.sendline("s3cret pass")
    child.expect("Repeat the passphrase")
    child.sendline("s3cret pass")
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert child.exitstatus == 0, output
    assert "s3cret" not in output  # not echoed
    assert (vault / "index.age").is_file()
    assert tier_cells(book, FIRST_DATA_ROW)[0] == "A 超高净值"


def test_encrypted_register_is_written_back_encrypted(
    runner: CliRunner, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import msoffcrypto
    import msoffcrypto.format.ooxml

    plain = write_register(tmp_path / "plain.xlsx")
    book = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, book.open("wb") as dest:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("密码123", dest)
    refused = invoke(runner, str(book), "--no-backup")
    assert refused.exit_code == 2 and "CLIENTBOOK_BOOK_PASSWORD" in refused.stderr
    monkeypatch.setenv("CLIENTBOOK_BOOK_PASSWORD", "密码123")
    result = invoke(runner, str(book))
    assert result.exit_code == 0, result.output
    with book.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        assert office.is_encrypted()
        office.load_key(password="密码123")
        decrypted = io.BytesIO()
        office.decrypt(decrypted)
    opened = tmp_path / "opened.xlsx"
    opened.write_bytes(decrypted.getvalue())
    assert tier_cells(opened, FIRST_DATA_ROW)[:2] == ["A 超高净值", 100]


@pytest.mark.slow
def test_libreoffice_reads_what_tier_wrote(runner: CliRunner, env: Path, book: Path) -> None:
    from libreoffice import SOFFICE, soffice_csv

    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    assert invoke(runner, str(book)).exit_code == 0
    rows = soffice_csv(book, book.parent)
    assert rows[HEADER_ROW - 1][FIRST_NEW_COLUMN - 1 :] == ZH_TIER_HEADERS
    first = rows[FIRST_DATA_ROW - 1]
    assert first[FIRST_NEW_COLUMN - 1 : FIRST_NEW_COLUMN + 6] == [
        "A 超高净值", "100", "25", "70", "培养", "1", "90天未联系；AUM 前33%；他行资产 800万"
    ]  # fmt: skip
    assert first[len(ZH_HEADERS) - 1] == "10000000"  # the formula =D4*10000, recalculated


def test_sheet_option_picks_the_client_sheet(runner: CliRunner, env: Path, tmp_path: Path) -> None:
    book = write_register(tmp_path / "book.xlsx")
    wb = load_workbook(book)
    wb["客户"].title = "名单"
    notes = wb.create_sheet("说明", 0)
    notes["A1"] = "本工作簿第二个工作表是客户名单"
    wb.save(book)
    without = invoke(runner, str(book), "--no-backup")
    assert without.exit_code == 2 and "说明" in without.stderr
    result = invoke(runner, str(book), "--no-backup", "--sheet", "名单")
    assert result.exit_code == 0, result.output
    wb = load_workbook(book)
    assert wb["说明"]["A1"].value == "本工作簿第二个工作表是客户名单"
    assert wb["说明"].max_column == 1
    row = [c.value for c in wb["名单"][FIRST_DATA_ROW]]
    assert row[FIRST_NEW_COLUMN - 1 : FIRST_NEW_COLUMN + 1] == ["A 超高净值", 100]


def test_json_in_another_language_keeps_the_breakdown_and_the_register_language(
    runner: CliRunner, env: Path, book: Path
) -> None:
    result = invoke(runner, str(book), "--format", "json", "--lang", "en", "--no-backup")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first = data["clients"][0]
    assert data["lang"] == "en" and first["tier_label"] == "A UHNW"
    assert first["reason"].startswith("not contacted for 90 days")
    assert first["inputs"]["recency"] == 90 and first["scores"]["recency"] == 0
    assert tier_cells(book, FIRST_DATA_ROW)[0] == "A 超高净值"  # cells in the register's


def test_book_password_is_asked_without_echo_on_a_terminal(tmp_path: Path) -> None:
    import os
    import sys

    import msoffcrypto

    pexpect = pytest.importorskip("pexpect")
    plain = write_register(tmp_path / "plain.xlsx")
    book = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, book.open("wb") as dest:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("密码123", dest)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTBOOK_")}
    env.update({"LANG": "C.UTF-8", "NO_COLOR": "1", "COLUMNS": "200"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "clientbook", "tier", str(book), "--output", str(tmp_path / "out.xlsx")],
        env=env,
        encoding="utf-8",
        timeout=120,
    )
    child.expect("已加密，请输入密码")
    child.sendline("密码123")
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert child.exitstatus == 0, output
    assert "密码123" not in output  # not echoed
    assert (tmp_path / "out.xlsx").is_file()


def test_an_existing_output_file_is_kept_as_old(
    runner: CliRunner, env: Path, book: Path, tmp_path: Path
) -> None:
    out = tmp_path / "结果.xlsx"
    out.write_bytes(b"someone's other workbook")
    result = invoke(runner, str(book), "--output", str(out))
    assert result.exit_code == 0, result.output
    kept = tmp_path / "结果.old.xlsx"
    assert kept.read_bytes() == b"someone's other workbook"
    assert str(kept) in result.stderr
    assert tier_cells(out, FIRST_DATA_ROW)[0] == "A 超高净值"
    again = invoke(runner, str(book), "--output", str(out))
    assert again.exit_code == 0, again.output
    assert (tmp_path / "结果.old-2.xlsx").is_file()


@pytest.mark.parametrize(("lang", "contacts"), [("zh", True), ("en", True), ("zh", False)])
def test_written_cells_are_the_listed_result(
    runner: CliRunner, env: Path, tmp_path: Path, lang: str, contacts: bool
) -> None:
    """The command writes its columns without listing the clients (a faster path): the cells
    must be exactly what the listed result says, whatever language the summary is shown in,
    with a contacts sheet or without (the command then reads no contact dates but the
    register's own, a last contact in the future among them)."""
    book = write_register(tmp_path / "book.xlsx", lang, contacts=contacts)
    if not contacts:
        wb = load_workbook(book)
        ws = wb.worksheets[0]
        column = ZH_HEADERS.index("最近联系日期") + 1
        ws.cell(row=FIRST_DATA_ROW, column=column, value=date(2099, 1, 1))
        wb.save(book)
    read = open_book(book)
    expected = score_book(read, TierSettings(), date.today(), latest_contacts(read))
    shown = "en" if lang == "zh" else "zh"
    result = invoke(runner, str(book), "--lang", shown, "--no-backup")
    assert result.exit_code == 0, result.output
    rows = sheet_values(book)
    values = expected.column_values()
    written = 0
    for offset, (key, _, _) in enumerate(TIER_COLUMNS):
        for row, value in values[key].items():
            assert rows[row - 1][FIRST_NEW_COLUMN - 1 + offset] == value, (key, row)
            written += value is not None
    assert written == 7 * expected.summary.scored > 0
    assert expected.summary.unscored > 0  # blank cells are checked too


def test_a_register_changed_during_the_run_is_backed_up_again(
    runner: CliRunner, env: Path, book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backup is made before the reading (little memory in use); if the register is
    saved again meanwhile, what is replaced is backed up too, just before the replace."""
    from clientbook import tier

    original = book.read_bytes()
    real_score = tier._score

    def score_while_someone_saves(*args: Any, **kwargs: Any) -> Any:
        wb = load_workbook(book)
        wb.worksheets[0]["A1"] = "改过的标题"
        wb.save(book)
        return real_score(*args, **kwargs)

    monkeypatch.setattr(tier, "_score", score_while_someone_saves)
    result = invoke(runner, str(book))
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["backup", "list", "--format", "json"]).stdout)
    assert len(listed) == 2
    restored = []
    for snapshot in listed:
        out = tmp_path / f"{snapshot['id']}.xlsx"
        done = runner.invoke(app, ["backup", "restore", snapshot["id"], "--to", str(out)])
        assert done.exit_code == 0, done.output
        restored.append(out)
    assert restored[0].read_bytes() == original
    changed = sheet_values(restored[1])
    assert changed[0][0] == "改过的标题" and sheet_values(book)[0][0] == "改过的标题"


@pytest.mark.parametrize("lang", [None, "en"])
def test_streamed_clients_give_the_same_json(tmp_path: Path, lang: Any) -> None:
    """--format json makes the clients a thousand at a time; the text is the listed one's."""
    from clientbook.tier import tier_register

    book = write_register(tmp_path / "book.xlsx", contacts=True)
    common: dict[str, Any] = {"dry_run": True, "lang": lang}
    listed = tier_register(book, TierSettings(), date.today(), **common)
    streamed = tier_register(book, TierSettings(), date.today(), stream=True, **common)
    assert streamed.result.clients == [] and len(listed.result.clients) == 3
    slices = streamed.client_slices()
    assert slices is not None and listed.client_slices() is None
    text = "".join(streamed.result.json_chunks(clients=slices))
    assert text == "".join(listed.result.json_chunks()) == listed.result.model_dump_json(indent=2)


def test_a_read_ahead_writes_the_same_cells_and_is_stopped_on_a_refusal(
    runner: CliRunner, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every client sheet counted as big, the command starts its worker before it
    loads (fastcells.read_ahead): the written file is the one a run without it writes, and
    when the command stops early (Excel has the file open) the worker is stopped too."""
    from clientbook.register import fastcells
    from clientbook.register.guard import column_letter

    started: list[Any] = []
    real = fastcells.read_ahead

    def recorded(*args: Any) -> Any:
        started.append(real(*args))
        return started[-1]

    without = write_register(tmp_path / "without.xlsx")
    assert invoke(runner, str(without), "--no-backup").exit_code == 0

    monkeypatch.setattr(fastcells, "SPLIT_FROM", 0)
    monkeypatch.setattr(fastcells, "read_ahead", recorded)
    with_ahead = write_register(tmp_path / "with.xlsx")
    result = invoke(runner, str(with_ahead), "--no-backup")
    assert result.exit_code == 0, result.output
    assert started and started[-1] is not None
    assert started[-1].worker.submit(column_letter, 1).exception() is not None  # closed
    assert sheet_values(with_ahead) == sheet_values(without)

    refused = write_register(tmp_path / "refused.xlsx")
    refused.with_name("~$refused.xlsx").write_bytes(b"owner")
    assert invoke(runner, str(refused), "--no-backup").exit_code == 2
    ahead = started[-1]
    assert ahead is not None and ahead.path == refused
    assert ahead.worker.submit(column_letter, 1).exception() is not None  # the worker is gone


def test_what_the_command_made_is_kept_until_the_next_command(
    runner: CliRunner, env: Path, book: Path
) -> None:
    """The console process ends without freeing anything (launch.exit_now): the command
    leaves what it made in cli._RETAINED, out of the cyclic collector's sight, with the
    collector on again; the next `tier` lets it go."""
    import gc

    from clientbook import cli

    try:
        assert invoke(runner, str(book), "--no-backup").exit_code == 0
        assert gc.isenabled() and gc.get_freeze_count() > 0
        first = [id(kept) for kept in cli._RETAINED]
        assert len(first) == 4  # the scores, two lists of reasons, the columns
        assert invoke(runner, str(book), "--no-backup").exit_code == 0
        assert len(cli._RETAINED) == 4 and gc.isenabled()
    finally:
        cli._RETAINED.clear()
        gc.unfreeze()
