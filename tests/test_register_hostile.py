"""Files that are not registers, damaged ones and hostile ones: one UnusableFile, quickly.

Every hostile file is generated here in tmp_path. A test that finishes is the proof that
nothing hung or blew up; no timing asserts.
"""

from __future__ import annotations

import os
import random
import zipfile
import zlib
from pathlib import Path

import pytest

from clientbook.errors import UnusableFile, WrongPassword
from clientbook.register import guard
from clientbook.register.read import open_book
from register_fixtures import (
    CONTENT_TYPES,
    SHARED_STRINGS,
    encrypt,
    mini_package,
    set_declared_size,
    sheet_xml,
    simple_register,
)

LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


def refused(path: Path, key: str | None = None, **kwargs: object) -> UnusableFile:
    """open_book must refuse the file with one clean line (and the given message key)."""
    with pytest.raises(UnusableFile) as caught:
        open_book(path, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    if key is not None:
        assert error.key == key, error.key
    for lang in ("zh", "en"):
        line = error.render(lang)
        assert "\n" not in line and "root:" not in line and "{" not in line
    return error


def test_the_mini_package_itself_reads(tmp_path: Path) -> None:
    book = open_book(mini_package(tmp_path / "ok.xlsx"))
    assert book.lang == "en" and book.clients.records[0].client_id == "10023"


# --- not a workbook ------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    error = refused(tmp_path / "没有这个文件.xlsx", "register.not_found")
    assert "没有这个文件.xlsx" in error.render("zh")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "book.xlsx"
    folder.mkdir()
    refused(folder, "register.is_directory")


def test_unreadable_file(tmp_path: Path) -> None:
    path = simple_register(tmp_path / "r.xlsx")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user can read a mode-000 file (root)")
        refused(path, "register.unreadable")
    finally:
        path.chmod(0o600)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    refused(path, "register.empty_file")


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.xlsx"
    path.write_bytes(random.Random(7).randbytes(50_000))
    refused(path, "register.not_workbook")


def test_csv_named_xlsx_and_csv(tmp_path: Path) -> None:
    text = "客户号,客户姓名,资产规模\nC1,张三,100\n"
    named = tmp_path / "clients.xlsx"
    named.write_text(text, encoding="utf-8")
    refused(named, "register.csv")
    gbk = tmp_path / "gbk.xlsx"
    gbk.write_bytes(text.encode("gbk"))
    refused(gbk, "register.csv")
    prose = tmp_path / "notes.xlsx"
    prose.write_text("这不是表格\n", encoding="utf-8")
    refused(prose, "register.not_workbook")
    csv = tmp_path / "clients.csv"
    csv.write_text(text, encoding="utf-8")
    assert "Excel" in refused(csv, "register.csv").render("en")


def test_truncated_zip(tmp_path: Path) -> None:
    whole = simple_register(tmp_path / "whole.xlsx").read_bytes()
    for cut in (len(whole) // 2, len(whole) - 10, 30):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(whole[:cut])
        refused(path, "register.damaged")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    refused(path, "register.not_workbook")
    docx = tmp_path / "letter.xlsx"
    word = CONTENT_TYPES.replace(
        b"spreadsheetml.sheet.main+xml", b"wordprocessingml.document.main+xml"
    )
    mini_package(docx, content_types=word)
    refused(docx, "register.not_workbook")


def test_xlsb_is_refused_with_its_own_reason(tmp_path: Path) -> None:
    binary = CONTENT_TYPES.replace(
        b"vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"vnd.ms-excel.sheet.binary.macroEnabled.main",
    )
    refused(mini_package(tmp_path / "book.xlsb", content_types=binary), "register.xlsb")


def test_ods_is_refused_with_its_own_reason(tmp_path: Path) -> None:
    path = tmp_path / "book.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert ".ods" in refused(path, "register.ods").render("en")


def _renamed_ole(tmp_path: Path, old: str, new: str) -> Path:
    """An encrypted workbook whose OLE directory entry `old` is renamed to `new`."""
    locked = encrypt(simple_register(tmp_path / "p.xlsx"), "pw", tmp_path / "locked.xlsx")
    data = bytearray(locked.read_bytes())
    encoded = old.encode("utf-16-le")
    at = data.find(encoded)
    assert at > 0
    data[at : at + 64] = new.encode("utf-16-le").ljust(64, b"\0")
    data[at + 64 : at + 66] = ((len(new) + 1) * 2).to_bytes(2, "little")
    out = tmp_path / f"{new}.xlsx"
    out.write_bytes(bytes(data))
    return out


def test_ole_file_that_is_not_an_encrypted_workbook(tmp_path: Path) -> None:
    refused(_renamed_ole(tmp_path, "EncryptionInfo", "Contents"), "register.not_workbook")


def test_legacy_xls(tmp_path: Path) -> None:
    path = _renamed_ole(tmp_path, "EncryptedPackage", "Workbook")
    assert ".xls" in refused(path, "register.legacy_xls").render("zh")


def test_damaged_encrypted_workbook(tmp_path: Path) -> None:
    locked = encrypt(simple_register(tmp_path / "p.xlsx"), "pw", tmp_path / "locked.xlsx")
    data = locked.read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(UnusableFile) as caught:
        open_book(tmp_path / "cut.xlsx", password="pw")
    assert not isinstance(caught.value, WrongPassword)


# --- XML attacks -------------------------------------------------------------------------


def test_billion_laughs_in_shared_strings(tmp_path: Path) -> None:
    laughs = SHARED_STRINGS.replace(b"?>", b"?>" + LAUGHS, 1).replace(b"<t>Name", b"<t>&lol9;Name")
    refused(mini_package(tmp_path / "lol.xlsx", shared_strings=laughs), "register.xml_dtd")


def test_billion_laughs_in_the_sheet(tmp_path: Path) -> None:
    data = sheet_xml(prolog=LAUGHS).replace(
        b'<c r="A2"><v>10023</v></c>', b'<c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c>'
    )
    refused(mini_package(tmp_path / "lol.xlsx", sheet=data), "register.xml_dtd")


def test_quadratic_blowup(tmp_path: Path) -> None:
    entity = b'<!DOCTYPE x [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
    strings = SHARED_STRINGS.replace(b"?>", b"?>" + entity, 1).replace(
        b"<t>Name", b"<t>" + b"&a;" * 50_000 + b"Name"
    )
    refused(mini_package(tmp_path / "quad.xlsx", shared_strings=strings), "register.xml_dtd")


def test_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    xxe = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    strings = SHARED_STRINGS.replace(b"?>", b"?>" + xxe, 1).replace(b"<t>Name", b"<t>&xxe;")
    error = refused(mini_package(tmp_path / "xxe.xlsx", shared_strings=strings))
    assert "root:" not in repr(error.params) and "root:" not in str(error)


def test_doctype_in_any_part_is_refused(tmp_path: Path) -> None:
    styles = b'<?xml version="1.0"?><!DOCTYPE s SYSTEM "http://example.invalid/s.dtd"><styleSheet/>'
    path = mini_package(tmp_path / "styles.xlsx", extra=[("xl/styles.xml", styles)])
    refused(path, "register.xml_dtd")


# --- zip bombs and odd zips -------------------------------------------------------------


def test_declared_size_of_a_gibibyte_is_refused(tmp_path: Path) -> None:
    path = mini_package(tmp_path / "big.xlsx")
    set_declared_size(path, "xl/sharedStrings.xml", 1 << 30)
    refused(path, "register.zip_too_large")


def test_declared_sizes_adding_up_past_the_limit(tmp_path: Path) -> None:
    path = mini_package(
        tmp_path / "many.xlsx", extra=[(f"xl/media/pad{i}.bin", b"x") for i in range(3)]
    )
    for i in range(3):
        set_declared_size(path, f"xl/media/pad{i}.bin", 400 << 20)
    refused(path, "register.zip_too_large")


def test_abnormal_compression_ratio(tmp_path: Path) -> None:
    zeros = b"<sst>" + b" " * (40 << 20) + b"</sst>"
    refused(mini_package(tmp_path / "ratio.xlsx", shared_strings=zeros), "register.zip_ratio")


def _lying_bomb(path: Path, inflated: int) -> Path:
    """sharedStrings.xml that inflates to `inflated` bytes but declares 2,000."""
    body = SHARED_STRINGS.replace(b"<t>Name</t>", b"<t>Name")
    tail = b"</t></si></sst>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        mini = mini_package(path.with_suffix(".src.xlsx"))
        with zipfile.ZipFile(mini) as src:
            for info in src.infolist():
                if info.filename != "xl/sharedStrings.xml":
                    archive.writestr(info.filename, src.read(info.filename))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=False) as member:
            member.write(body)
            chunk = b"A" * (1 << 20)
            for _ in range((inflated - len(body) - len(tail)) >> 20):
                member.write(chunk)
            member.write(tail)
    set_declared_size(path, "xl/sharedStrings.xml", 2000)
    return path


def test_lying_headers_small_bomb(tmp_path: Path) -> None:
    refused(_lying_bomb(tmp_path / "liar.xlsx", 8 << 20), "register.zip_lying")


@pytest.mark.slow
def test_lying_headers_gibibyte_bomb(tmp_path: Path) -> None:
    path = _lying_bomb(tmp_path / "liar.xlsx", 1 << 30)
    assert path.stat().st_size < 8 << 20  # about a megabyte on disk
    refused(path, "register.zip_lying")


def test_corrupt_deflate_data(tmp_path: Path) -> None:
    path = mini_package(tmp_path / "bits.xlsx")
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("xl/sharedStrings.xml")
    start = info.header_offset + 30 + len(info.filename)
    for i in range(start + 5, start + 25):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    refused(path, "register.damaged")


def test_too_many_members(tmp_path: Path) -> None:
    path = mini_package(tmp_path / "many.xlsx", extra=[(f"x/{i}", b"") for i in range(10_001)])
    refused(path, "register.zip_members")


def test_central_directory_larger_than_its_count_says(tmp_path: Path) -> None:
    import struct

    names = [(f"x/{i:06d}" + "n" * 200, b"") for i in range(20_000)]
    path = mini_package(tmp_path / "lying-count.xlsx", extra=names)
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, at + 8, 6, 6)  # claim six entries
    path.write_bytes(bytes(data))
    refused(path, "register.zip_members")


def test_duplicate_member_names(tmp_path: Path) -> None:
    path = mini_package(tmp_path / "dup.xlsx")
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml(b""))
    refused(path, "register.zip_odd")


def test_unsupported_compression(tmp_path: Path) -> None:
    path = tmp_path / "bz.xlsx"
    with zipfile.ZipFile(mini_package(tmp_path / "src.xlsx")) as src:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, src.read(info.filename))
    refused(path, "register.zip_odd")


# --- values far apart: calamine would allocate rows x columns cells ------------------------

FAR_VALUES = [
    # the plain case: a value in A1 and one in XFD1048576
    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    # attributes in another order
    b'<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row>',
    # a cell far below the row tag it sits in
    b'<row r="3"><c r="A3"><v>1</v></c><c r="XFD1048576"><v>1</v></c></row>',
    # a cell in a far row, then cells without r counting to the far right
    b'<row r="900000"><c r="A900000"><v>1</v></c>' + b"<c><v>1</v></c>" * 300 + b"</row>",
    # namespace-prefixed tags
    b'<x:row r="1048576" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
    # rows without r, then one far to the right
    b'<row><c r="A3"><v>1</v></c></row>' * 3 + b'<row r="70000"><c r="ZZZ70000"><v>1</v></c></row>',
]


@pytest.mark.parametrize("far", FAR_VALUES, ids=range(len(FAR_VALUES)))
def test_values_far_apart_are_refused_not_allocated(tmp_path: Path, far: bytes) -> None:
    from register_fixtures import SHEET_DATA

    path = mini_package(tmp_path / "far.xlsx", sheet=sheet_xml(SHEET_DATA + far))
    error = refused(path, "register.sheet_too_sparse")
    assert error.params["sheet"] == "Clients"
    assert error.params["cell"] in error.render("en") and "Clients" in error.render("zh")


def test_a_styled_empty_far_cell_is_fine(tmp_path: Path) -> None:
    from register_fixtures import SHEET_DATA

    far = b'<row r="1048576" s="1" customFormat="1"><c r="XFD1048576" s="1"/></row>'
    book = open_book(mini_package(tmp_path / "styled.xlsx", sheet=sheet_xml(SHEET_DATA + far)))
    assert [r.row for r in book.clients.records] == [2]


def test_a_large_dense_block_is_within_limits() -> None:
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c><c r="AB%d"><v>2</v></c></row>' % (i, i, i)
        for i in range(1, 5001)
    )
    fast = guard._FastExtent()
    for piece in (rows[: len(rows) // 2], rows[len(rows) // 2 :]):
        fast.feed(piece)
    assert fast.fits(guard.LIMITS) and (fast.max_row, fast.max_col) == (5000, 28)


def test_tag_split_across_chunks_is_seen_whole() -> None:
    chunks = iter([b'<row r="1"><c r="XF', b'D1"><v>1</v></c></row>'])
    pieces = list(guard._pieces(chunks, "p", guard.LIMITS))
    assert pieces == [b'<row r="1">', b'<c r="XFD1"><v>1</v></c></row>']


@pytest.mark.parametrize("number", [1, 5, 9, 10, 99, 100, 101, 100002, 1048576])
def test_at_most_pattern(number: int) -> None:
    import re

    pattern = re.compile(b"^" + guard._at_most(number) + b"$")
    candidates = {*range(1, min(number, 1200)), *range(max(1, number - 1200), number + 60)}
    for candidate in sorted(candidates):
        assert bool(pattern.match(b'%d"' % candidate)) == (candidate <= number), candidate
    assert not pattern.match(b'0"') and not pattern.match(b'01"')


def test_inflate_checks_crc(tmp_path: Path) -> None:
    path = mini_package(tmp_path / "crc.xlsx")
    archive = zipfile.ZipFile(path)
    info = archive.getinfo("xl/workbook.xml")
    info.CRC ^= 1
    with open(path, "rb") as handle, pytest.raises(UnusableFile):
        for _ in guard.inflate(handle, info, str(path)):
            pass
    assert zlib.crc32(archive.read("xl/_rels/workbook.xml.rels"))


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_a_file_that_cannot_be_read() -> None:
    refused(Path("/proc/self/mem"), "register.unreadable")


ODD_CELLS = [
    b'<row r="3"><c r="A0"><v>1</v></c></row>',
    b'<row r="0"><c><v>1</v></c></row>',
    b'<row r="3"><c r="A01"><v>1</v></c></row>',
    b'<row r="3"><c r="1"><v>1</v></c></row>',
    b'<row r="3"><c r=""><v>1</v></c></row>',
    b'<row r="3"><c r="A3" t="s"><v>99</v></c></row>',  # no such shared string
    b'<row r="3"><c r="A3" t="d"><v>not a date</v></c></row>',
    b'<row r="3"><c r="A3"><v>1e999</v></c><c r="C3"><v>1e999</v></c></row>',
    b'<row r="3"><c r="A3" s="99"><v>5</v></c></row>',  # no such style
    b'<row r="99999999999"><c><v>1</v></c></row>',
]


@pytest.mark.parametrize("odd", ODD_CELLS, ids=range(len(ODD_CELLS)))
def test_odd_cells_are_read_or_refused_never_a_crash(tmp_path: Path, odd: bytes) -> None:
    from register_fixtures import SHEET_DATA

    path = mini_package(tmp_path / "odd.xlsx", sheet=sheet_xml(SHEET_DATA + odd))
    try:
        book = open_book(path)
    except UnusableFile as error:
        assert "\n" not in error.render("en")
    else:
        assert book.clients.records[0].client_id == "10023"
        assert all(r.aum is None or r.aum < float("inf") for r in book.clients.records)


# --- through the real CLI: one line on stderr, exit 2, nothing written ------------------


def _hostile_packages(tmp_path: Path) -> dict[str, Path]:
    laughs = SHARED_STRINGS.replace(b"?>", b"?>" + LAUGHS, 1).replace(b"<t>Name", b"<t>&lol9;Name")
    xxe = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    external = SHARED_STRINGS.replace(b"?>", b"?>" + xxe, 1).replace(b"<t>Name", b"<t>&xxe;")
    bomb = mini_package(tmp_path / "bomb.xlsx")
    set_declared_size(bomb, "xl/sharedStrings.xml", 1 << 30)
    return {
        "laughs": mini_package(tmp_path / "laughs.xlsx", shared_strings=laughs),
        "xxe": mini_package(tmp_path / "xxe.xlsx", shared_strings=external),
        "bomb": bomb,
        "liar": _lying_bomb(tmp_path / "liar.xlsx", 8 << 20),
    }


@pytest.mark.parametrize("command", [["validate"], ["tier", "--no-backup"]])
def test_hostile_files_through_the_cli(tmp_path: Path, command: list[str]) -> None:
    from typer.testing import CliRunner

    from clientbook.cli import app

    for kind, path in _hostile_packages(tmp_path).items():
        before = path.read_bytes()
        result = CliRunner().invoke(app, [command[0], str(path), *command[1:]])
        assert result.exit_code == 2, (kind, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, (kind, result.stderr)
        assert "Traceback" not in result.output and "root:" not in result.output, kind
        assert result.stdout == "", kind
        assert path.read_bytes() == before, kind
