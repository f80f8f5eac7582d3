"""--annotate: a marked-up copy; the register's bytes never change."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from clientbook.annotate import ERROR_FILL, WARNING_FILL, annotate_copy
from clientbook.errors import UsageError, WrongPassword
from clientbook.validate import Code, Finding, Severity, ValidationReport


def finding(
    code: Code, cell: str | None, row: int, severity: Severity, **params: object
) -> Finding:
    return Finding(
        severity=severity,
        code=code,
        sheet="客户",
        cell=cell,
        row=row,
        column=cell[0] if cell else None,
        field="aum",
        header="资产规模" if cell else None,
        value="-5" if cell else None,
        params={**params},
    )


def report(findings: list[Finding]) -> ValidationReport:
    errors = sum(1 for f in findings if f.severity is Severity.error)
    return ValidationReport(
        file="book.xlsx",
        sheet="客户",
        header_row=1,
        rows=4,
        errors=errors,
        warnings=len(findings) - errors,
        findings=findings,
    )


def register(path: Path, *, image: bool = True) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from PIL import Image as PILImage

    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户号", "客户姓名", "资产规模", "风险等级"])
    ws.append(["C1", "张三", 100, "C3"])
    ws.append(["C2", "李四", -5, "C9"])
    ws.append(["C3", "王五", "=C2*2", "C1"])
    ws["B2"].comment = Comment("VIP 客户", "RM")
    ws.merge_cells("D4:E4")
    if image:
        buffer = io.BytesIO()
        PILImage.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
        ws.add_image(Image(buffer), "G2")
    wb.create_sheet("其他").append(["不要动"])
    wb.save(path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill_of(cell: object) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]  # type: ignore[attr-defined]


def test_annotated_copy_marks_cells_and_keeps_the_original(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    source = register(tmp_path / "名册 2026.xlsx")
    before = digest(source)
    findings = [
        finding(Code.missing_column, None, 1, Severity.error, kind="clients"),
        finding(Code.negative_amount, "C3", 3, Severity.error),
        finding(Code.risk_assessment_expired, "B2", 2, Severity.warning),
        finding(Code.matured_holding, "D3", 3, Severity.warning),
        finding(Code.negative_amount, "D3", 3, Severity.error),
        finding(Code.invalid_choice, "E4", 4, Severity.warning),
    ]
    out = tmp_path / "标注 副本.xlsx"
    result = annotate_copy(source, report(findings), out, "zh")
    assert digest(source) == before
    assert result.cells == 5
    assert result.lost == []

    ws = load_workbook(out)["客户"]
    assert fill_of(ws["A1"]) == ERROR_FILL
    assert fill_of(ws["C3"]) == ERROR_FILL
    assert fill_of(ws["B2"]) == WARNING_FILL
    assert fill_of(ws["D3"]) == ERROR_FILL  # an error and a warning: red wins
    assert fill_of(ws["D4"]) == WARNING_FILL  # E4 is inside the merged D4:E4
    assert ws["C3"].comment.text == "[clientbook] " + findings[1].message("zh")
    assert ws["D3"].comment.text.count("[clientbook]") == 2
    assert ws["B2"].comment.text.startswith("VIP 客户\n\n[clientbook] ")  # theirs kept
    assert ws["C4"].value == "=C2*2"
    assert len(ws._images) == 1
    assert load_workbook(out)["其他"]["A1"].value == "不要动"


def test_english_messages_in_comments(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    source = register(tmp_path / "book.xlsx", image=False)
    item = finding(Code.negative_amount, "C3", 3, Severity.error)
    annotate_copy(source, report([item]), tmp_path / "out.xlsx", "en")
    text = load_workbook(tmp_path / "out.xlsx")["客户"]["C3"].comment.text
    assert "cannot be negative" in text


def test_refuses_the_register_itself(tmp_path: Path) -> None:
    source = register(tmp_path / "book.xlsx", image=False)
    before = digest(source)
    for target in (source, tmp_path / "." / "book.xlsx"):
        with pytest.raises(UsageError) as caught:
            annotate_copy(source, report([]), target, "zh")
        assert caught.value.key == "validate.annotate_same_file"
    with pytest.raises(UsageError) as caught:
        annotate_copy(source, report([]), tmp_path / "out.csv", "zh")
    assert caught.value.key == "validate.annotate_suffix"
    assert digest(source) == before


def test_lost_parts_are_reported(tmp_path: Path) -> None:
    source = register(tmp_path / "book.xlsx", image=False)
    # A part openpyxl does not carry over (a slicer), added to the package.
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/slicers/slicer1.xml", "<slicers/>")
    result = annotate_copy(source, report([]), tmp_path / "out.xlsx", "zh")
    assert result.lost == ["slicers"]


def test_encrypted_register_gives_an_encrypted_copy(tmp_path: Path) -> None:
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile
    from openpyxl import load_workbook

    plain = register(tmp_path / "plain.xlsx", image=False)
    source = tmp_path / "secret.xlsx"
    with plain.open("rb") as stream, source.open("wb") as target:
        OOXMLFile(stream).encrypt("s3cret-密码", target)
    before = digest(source)
    item = finding(Code.negative_amount, "C3", 3, Severity.error)
    with pytest.raises(WrongPassword):
        annotate_copy(source, report([item]), tmp_path / "x.xlsx", "zh", "wrong")
    assert not (tmp_path / "x.xlsx").exists()

    out = tmp_path / "out.xlsx"
    annotate_copy(source, report([item]), out, "zh", "s3cret-密码")
    assert digest(source) == before
    assert out.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # still an encrypted container
    office = msoffcrypto.OfficeFile(io.BytesIO(out.read_bytes()))
    office.load_key(password="s3cret-密码")
    decrypted = io.BytesIO()
    office.decrypt(decrypted)
    ws = load_workbook(decrypted)["客户"]
    assert fill_of(ws["C3"]) == ERROR_FILL


def test_rich_workbook_copy_keeps_what_it_can_and_says_what_not(tmp_path: Path) -> None:
    from datetime import date

    from openpyxl import load_workbook

    from clientbook.config import ValidateSettings
    from clientbook.register.read import open_book
    from clientbook.validate import check_book
    from rich_workbook import Variant, build_rich_workbook

    source = build_rich_workbook(tmp_path / "rich.xlsm", Variant(macro=True))
    before = digest(source)
    report = check_book(open_book(source), ValidateSettings(), date(2026, 3, 15))
    kept = annotate_copy(source, report, tmp_path / "copy.xlsm", "zh")
    assert kept.lost == ["x14_conditional_formats"]  # images, charts and macros survive
    with zipfile.ZipFile(tmp_path / "copy.xlsm") as archive:
        names = archive.namelist()
    assert "xl/vbaProject.bin" in names
    assert any(n.startswith("xl/media/") for n in names)
    assert any(n.startswith("xl/charts/chart") for n in names)
    as_xlsx = annotate_copy(source, report, tmp_path / "copy.xlsx", "en")
    assert as_xlsx.lost == ["macros", "x14_conditional_formats"]
    names_out = load_workbook(io.BytesIO((tmp_path / "copy.xlsx").read_bytes())).sheetnames
    assert names_out == open_book(source).sheet_names
    assert digest(source) == before


def test_refuses_an_output_open_in_excel(tmp_path: Path) -> None:
    from clientbook.errors import FileLocked

    source = register(tmp_path / "book.xlsx", image=False)
    (tmp_path / "~$out.xlsx").write_bytes(b"lock")
    with pytest.raises(FileLocked):
        annotate_copy(source, report([]), tmp_path / "out.xlsx", "zh")
    assert not (tmp_path / "out.xlsx").exists()
